"""The ``sumdigits`` command: ``sumdigits demo`` trains and compares approaches.

``sumdigits demo`` builds training pairs from MNIST's training split and test pairs from
its test split (the embedded subset when full MNIST is not found, so it runs offline),
fits each approach and prints a table of test sum accuracy and fit seconds.
``sumdigits data`` says which MNIST copy :func:`sumdigits.load_mnist` would read.
``sumdigits tune`` starts a search worker on a shared Optuna study (PostgreSQL URL or
journal file): start it on as many processes and machines as you like.
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


def _single_perceptron(args):
    from .perceptron import StepDecayPerceptron

    return StepDecayPerceptron(random_state=args.seed), "sums"


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
    "single-perceptron": ("report 002's perceptron on the whole pair image",
                          _single_perceptron),
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


def _pairs(args):
    """Training pairs from MNIST's training split, test pairs from its test split."""
    (X_train, y_train), (X_test, y_test) = load_mnist(args.data)
    n_train = min(args.n_train, len(X_train) // 2)
    n_test = min(args.n_test, len(X_test) // 2)
    train = make_digit_pairs(X_train, y_train, n_train, strategy="disjoint",
                             random_state=args.seed)
    test = make_digit_pairs(X_test, y_test, n_test, strategy="disjoint",
                            random_state=args.seed + 1)
    X_fit = train.data.reshape(n_train, -1).astype(np.float32) / 255.0
    X_eval = test.data.reshape(n_test, -1).astype(np.float32) / 255.0
    return train, test, X_fit, X_eval


def _demo(args):
    train, test, X_fit, X_eval = _pairs(args)
    n_train, n_test = len(X_fit), len(X_eval)
    source = args.data or find_mnist() or "embedded subset"
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


def tune(args):
    """One search worker: trials of the study until its budget is spent, then a summary."""
    from sklearn.exceptions import ConvergenceWarning

    from .tuning import open_storage
    from .tuning import tune as run_search

    estimator, labels = APPROACHES[args.approach][1](args)
    train, test, X_fit, X_eval = _pairs(args)
    y_fit = train.digits if labels == "digits" else train.target
    storage = open_storage(args.storage, heartbeat_interval=args.heartbeat)
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        # capped solver iterations, as in the demo; one BLAS thread per worker process
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = run_search(
            estimator, X_fit, y_fit, storage=storage, study_name=args.study,
            n_trials=args.n_trials, max_trials=args.max_trials, timeout=args.timeout,
            cv=args.cv, random_state=args.seed, refit=args.refit, verbose=args.verbose,
        )
    study = search.study_
    pid = os.getpid()
    trials = study.get_trials(deepcopy=False)
    mine = [t for t in trials if t.user_attrs.get("worker_pid") == pid]
    finished = [t for t in trials if t.state.is_finished()]
    print(f"worker {pid}: {len(mine)} trial(s) run here; study {study.study_name!r} holds "
          f"{len(finished)} finished trial(s); best {study.best_value:.4f} with "
          f"{study.best_params}", flush=True)
    if args.refit:
        accuracy = float(np.mean(search.predict(X_eval) == test.target))
        print(f"best parameters refitted on {len(X_fit):,} pairs: test sum accuracy "
              f"{accuracy:.4f}", flush=True)
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


#: What ``sumdigits --help`` says: the module's docstring as plain text.
DESCRIPTION = ("Learn the sum of two handwritten MNIST digits. 'sumdigits demo' trains and "
               "compares approaches; 'sumdigits data' says which MNIST copy would be read; "
               "'sumdigits tune' runs a search worker on a shared Optuna study.")


def _data_options(p, *, n_train, n_test):
    p.add_argument("--data", default=None,
                   help="MNIST source: 'embedded', a folder of IDX files, or mnist.npz "
                        "(default: SUMDIGITS_DATA, Keras' cache, else embedded)")
    p.add_argument("--n-train", type=int, default=n_train,
                   help=f"training pairs (default {n_train})")
    p.add_argument("--n-test", type=int, default=n_test, help=f"test pairs (default {n_test})")
    p.add_argument("--epochs", type=int, default=3, help="epochs of the Keras approaches")
    p.add_argument("--seed", type=int, default=0)


def build_parser():
    parser = argparse.ArgumentParser(prog="sumdigits", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="train and compare approaches on digit-pair sums")
    _data_options(p, n_train=5000, n_test=1000)
    p.add_argument("--approaches", nargs="+", choices=list(APPROACHES),
                   default=DEFAULT_APPROACHES, metavar="NAME",
                   help=f"which to run, of {list(APPROACHES)}")
    p.set_defaults(func=demo)
    p = sub.add_parser("data", help="say which MNIST copy would be read")
    p.set_defaults(func=data)
    p = sub.add_parser(
        "tune", help="run a search worker on a shared Optuna study",
        description="Run trials of a shared Optuna study until it holds --max-trials finished "
                    "trials (or this worker ran --n-trials, or --timeout passed). Start one "
                    "per process, on one machine or many, with the same --storage and --study; "
                    "then once with --refit to refit the best parameters.")
    p.add_argument("approach", choices=list(APPROACHES), metavar="APPROACH",
                   help=f"what to tune, of {list(APPROACHES)}")
    p.add_argument("--storage", required=True,
                   help="a database URL (postgresql+psycopg2://user@host/db), a journal file "
                        "(path ending in .log) or a SQLite file (one process only)")
    p.add_argument("--study", default=None, help="study name (default sumdigits-<estimator>)")
    p.add_argument("--max-trials", type=int, default=None,
                   help="the study's budget of finished trials, over all workers")
    p.add_argument("--n-trials", type=int, default=None, help="trials of this worker at most")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds after which this worker starts no new trial")
    p.add_argument("--heartbeat", type=int, default=60,
                   help="seconds between heartbeats of a running trial on a database server; "
                        "a trial silent for twice as long is failed and run again (default 60)")
    p.add_argument("--cv", type=int, default=3, help="cross-validation folds (default 3)")
    p.add_argument("--refit", action="store_true",
                   help="refit the best parameters on the training pairs and score them on "
                        "the test pairs (once, after the workers)")
    _data_options(p, n_train=2000, n_test=1000)
    p.add_argument("--verbose", type=int, default=0, help="optuna's log line per trial if > 0")
    p.set_defaults(func=tune)
    return parser


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow loads, if it does
    args = build_parser().parse_args(argv)
    for flag in ("n_train", "n_test", "epochs", "max_trials", "n_trials", "heartbeat"):
        value = getattr(args, flag, None)
        if value is not None and value < 1:
            build_parser().error(f"--{flag.replace('_', '-')} must be a positive integer")
    if getattr(args, "cv", 2) < 2:
        build_parser().error("--cv must be an integer of at least 2 (folds)")
    if getattr(args, "timeout", None) is not None and not args.timeout > 0:
        build_parser().error("--timeout must be a positive number of seconds")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
