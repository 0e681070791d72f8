"""Build the embedded MNIST subset shipped with sumdigits, reproducibly.

Run from a checkout, with full MNIST at hand::

    python -m sumdigits.datasets.make_embedded ../shared/data/mnist

It draws 1,000 training digits of each label from MNIST's training split and 200
test digits of each label from its test split (seed 0), keeps their original order,
writes ``sumdigits/datasets/data/mnist_embedded.npz`` and prints its SHA-256, which
belongs in ``EMBEDDED_SHA256`` of ``sumdigits/datasets/_mnist.py``.
"""

import argparse

import numpy as np

from ._mnist import EMBEDDED_FILE, _digest, load_mnist

PER_LABEL = {"train": 1000, "test": 200}
SEED = 0


def stratified_subset(y, per_label, rng):
    """Indices of ``per_label`` images of each digit, drawn without replacement, sorted."""
    chosen = [rng.choice(np.flatnonzero(y == d), per_label, replace=False) for d in range(10)]
    return np.sort(np.concatenate(chosen))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="folder with the four MNIST IDX files, or mnist.npz")
    parser.add_argument("--out", default=str(EMBEDDED_FILE))
    args = parser.parse_args(argv)
    (x_train, y_train), (x_test, y_test) = load_mnist(args.source)
    rng = np.random.default_rng(SEED)
    train = stratified_subset(y_train, PER_LABEL["train"], rng)
    test = stratified_subset(y_test, PER_LABEL["test"], rng)
    np.savez_compressed(
        args.out,
        x_train=x_train[train], y_train=y_train[train],
        x_test=x_test[test], y_test=y_test[test],
        train_index=train.astype(np.int32), test_index=test.astype(np.int32),
    )
    print(f"wrote {args.out}: {len(train)} train, {len(test)} test digits")
    print(f"sha256 {_digest(args.out, 'sha256')}")


if __name__ == "__main__":
    main()
