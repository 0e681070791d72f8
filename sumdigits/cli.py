"""The ``sumdigits`` command: ``sumdigits demo`` trains and compares approaches.

``sumdigits demo`` builds training pairs from MNIST's training split and test pairs from
its test split (the embedded subset when full MNIST is not found, so it runs offline),
fits each approach and prints a table of test sum accuracy and fit seconds.
``sumdigits data`` says which MNIST copy :func:`sumdigits.load_mnist` would read.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from .datasets import find_mnist, load_mnist
from .pairs import make_digit_pairs


def _single_logreg(args):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=300), "sums"


def _sequential_logreg(args):
    from sklearn.linear_model import LogisticRegression

    from .sequential import SequentialDigitSumClassifier

    return SequentialDigitSumClassifier(LogisticRegression(max_iter=300)), "digits"


def _sequential_cnn(args):
    from .keras import CNNClassifier
    from .sequential import SequentialDigitSumClassifier

    cnn = CNNClassifier(epochs=args.epochs, random_state=args.seed)
    return SequentialDigitSumClassifier(cnn), "digits"


def _neurosymbolic_cnn(args):
    from .keras import NeuroSymbolicSumClassifier

    return NeuroSymbolicSumClassifier(epochs=args.epochs, random_state=args.seed), "sums"


#: name -> (description, factory(args) -> (estimator, which labels it learns from))
APPROACHES = {
    "single-logreg": ("logistic regression on the whole pair image (300 iterations)", _single_logreg),
    "sequential-logreg": ("logistic regression per digit, sums by convolution",
                          _sequential_logreg),
    "sequential-cnn": ("CNN per digit (digit labels), sums by convolution", _sequential_cnn),
    "neurosymbolic-cnn": ("CNN per digit learned from sum labels alone", _neurosymbolic_cnn),
}
DEFAULT_APPROACHES = ["single-logreg", "sequential-logreg", "sequential-cnn", "neurosymbolic-cnn"]


def demo(args):
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        # The demo caps the solvers' iterations to stay quick, and says below which data
        # it uses: those warnings would only hide the table.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        # The linear models' matrices are small: one BLAS thread is as fast, and it avoids
        # OpenBLAS' spinning threads, which slowed these fits 5x when the cores were busy.
        with threadpool_limits(limits=1, user_api="blas"):
            return _demo(args)


def _demo(args):
    (X_train, y_train), (X_test, y_test) = load_mnist(args.data)
    source = args.data or find_mnist() or "embedded subset"
    n_train = min(args.n_train, len(X_train) // 2)
    n_test = min(args.n_test, len(X_test) // 2)
    train = make_digit_pairs(X_train, y_train, n_train, strategy="disjoint",
                             random_state=args.seed)
    test = make_digit_pairs(X_test, y_test, n_test, strategy="disjoint",
                            random_state=args.seed + 1)
    X_fit = train.data.reshape(n_train, -1).astype(np.float32) / 255.0
    X_eval = test.data.reshape(n_test, -1).astype(np.float32) / 255.0
    print(f"MNIST from {source}: {n_train:,} training pairs (training split), "
          f"{n_test:,} test pairs (test split), each image used once.\n", flush=True)
    header = f"{'approach':<20} {'learns from':<12} {'sum accuracy':>12} {'fit s':>8}  what"
    print(header)
    print("-" * len(header), flush=True)
    for name in args.approaches:
        description, factory = APPROACHES[name]
        estimator, labels = factory(args)
        y_fit = train.digits if labels == "digits" else train.target
        start = time.perf_counter()
        estimator.fit(X_fit, y_fit)
        seconds = time.perf_counter() - start
        accuracy = float(np.mean(estimator.predict(X_eval) == test.target))
        learns_from = {"digits": "digit labels", "sums": "sum labels"}[labels]
        print(f"{name:<20} {learns_from:<12} {accuracy:>12.4f} {seconds:>8.1f}  "
              f"{description}", flush=True)
    return 0


def data(args):
    found = find_mnist()
    if found is None:
        print("Full MNIST not found: load_mnist() uses the embedded subset "
              "(10,000 training and 2,000 test digits).")
    else:
        (X_train, _), (X_test, _) = load_mnist(found)
        print(f"Full MNIST at {found}: {len(X_train):,} training and {len(X_test):,} test "
              "digits, checksums verified.")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="sumdigits", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="train and compare approaches on digit-pair sums")
    p.add_argument("--data", default=None,
                   help="MNIST source: 'embedded', a folder of IDX files, or mnist.npz "
                        "(default: SUMDIGITS_DATA, Keras' cache, else embedded)")
    p.add_argument("--n-train", type=int, default=5000, help="training pairs (default 5000)")
    p.add_argument("--n-test", type=int, default=1000, help="test pairs (default 1000)")
    p.add_argument("--epochs", type=int, default=3, help="epochs of the Keras approaches")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--approaches", nargs="+", choices=list(APPROACHES),
                   default=DEFAULT_APPROACHES, metavar="NAME",
                   help=f"which to run, of {list(APPROACHES)}")
    p.set_defaults(func=demo)
    p = sub.add_parser("data", help="say which MNIST copy would be read")
    p.set_defaults(func=data)
    return parser


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow loads, if it does
    args = build_parser().parse_args(argv)
    for flag in ("n_train", "n_test", "epochs"):
        if getattr(args, flag, 1) < 1:
            build_parser().error(f"--{flag.replace('_', '-')} must be a positive integer")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
