"""MNIST addition: learning digits from sum labels alone (NeuroSymbolicSumClassifier).

The neuro-symbolic field's protocol (DeepProbLog, NeurASP, DeepStochLog, Scallop,
A-NeSI): ``"disjoint"`` pairs, every image used once, 60,000 // (2N) training pairs
from the MNIST training split and 10,000 // (2N) test pairs from the test split,
labelled with their sums only. For each run the table gives the sum accuracy on the
test pairs, the accuracy of the learned digit classifier on the 10,000 test digits
(it never saw a digit label) and the training seconds, as mean and spread (standard
deviation) over seeds. The anchors are the published figures (not re-run here).

In the same run, on the same N = 1 pairs: the EM (sums-only) path of
:class:`~sumdigits.SequentialDigitSumClassifier`, the digit-supervised upper line (the
same digit CNN, without augmentation, trained on the digit labels inside
:class:`~sumdigits.SequentialDigitSumClassifier`), and a CNN that sees the whole pair
image and predicts the sum directly (the reports' approach). The machine's 1-minute
load average at the end of each fit is given, since the CPU is shared.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

#: (name, sum accuracy %, note) for N = 1, as published.
ANCHORS_1 = [
    ("DeepProbLog (Manhaeve et al. 2018)", 97.2, ""),
    ("NeurASP (Yang et al. 2020)", 97.3, ""),
    ("DeepStochLog (Winters et al. 2022)", 97.9, ""),
    ("ABL (Huang et al.)", 98.1, "47 s"),
    ("Scallop (Li et al. 2023)", 98.2, "about"),
    ("ceiling of a 99% digit classifier", 98.0, "0.99^2"),
]
#: DeepStochLog's sum accuracy (%) for numbers of N digits.
ANCHORS_N = {2: 96.4, 3: 94.5, 4: 92.7}

FULL = dict(seeds_1=3, epochs_1=6, epochs_n=3, n_digits=(2, 3, 4), em_pairs=5000, em_iter=5)
QUICK = dict(seeds_1=1, epochs_1=2, epochs_n=1, n_digits=(2,), n_train_images=4000,
             filters=[8, 16], hidden_layer_sizes=[32], em_pairs=200, em_iter=2)


def _log(msg):
    print(f"[addition {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _protocol(data, n_digits, seed, n_train_images=None):
    from sumdigits.pairs import make_number_pairs

    (X, y), (X_test, y_test) = data
    if n_train_images:
        X, y = X[:n_train_images], y[:n_train_images]
    train = make_number_pairs(X, y, n_digits=n_digits, strategy="disjoint", random_state=seed)
    test = make_number_pairs(X_test, y_test, n_digits=n_digits, strategy="disjoint",
                             random_state=seed + 1000)
    return train, test


def _fit(estimator, X, y):
    start = time.perf_counter()
    estimator.fit(X, y)
    return time.perf_counter() - start, os.getloadavg()[0]


def _ours(data, n_digits, seed, cfg):
    from sumdigits.keras import NeuroSymbolicSumClassifier

    train, test = _protocol(data, n_digits, seed, cfg.get("n_train_images"))
    net = {k: cfg[k] for k in ("filters", "hidden_layer_sizes") if k in cfg}
    epochs = cfg["epochs_1"] if n_digits == 1 else cfg["epochs_n"]
    clf = NeuroSymbolicSumClassifier(n_digits=n_digits, epochs=epochs,
                                     batch_size=64 // n_digits, random_state=seed, **net)
    seconds, load = _fit(clf, train.data, train.target)
    (_, _), (X_test, y_test) = data
    result = dict(sum_acc=clf.score(test.data, test.target),
                  digit_acc=float(np.mean(clf.predict_single_digits(X_test) == y_test)),
                  seconds=seconds, load=load, n_train=len(train.target),
                  n_test=len(test.target), epochs=epochs)
    _log(f"ours N={n_digits} seed={seed}: {result}")
    return result


def _digit_accuracy(estimator, data):
    (_, _), (X_test, y_test) = data
    return float(np.mean(estimator.predict(X_test.reshape(len(X_test), -1)) == y_test))


def _cnn_params(cfg, seed):
    """The digit CNN of NeuroSymbolicSumClassifier's defaults, as CNNClassifier parameters."""
    from sumdigits.keras import NeuroSymbolicSumClassifier

    ours = NeuroSymbolicSumClassifier().get_params()
    return dict(filters=list(cfg.get("filters", ours["filters"])),
                hidden_layer_sizes=list(cfg.get("hidden_layer_sizes",
                                                ours["hidden_layer_sizes"])),
                kernel_size=ours["kernel_size"], strides=1, pooling="max",
                batch_norm=ours["batch_norm"], dropout=ours["dropout"],
                batch_size=ours["batch_size"], epochs=cfg["epochs_1"], random_state=seed)


def em_from_sums(train, test, data, seed, cfg):
    """The EM (sums-only) path of SequentialDigitSumClassifier, logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler

    from sumdigits.sequential import SequentialDigitSumClassifier

    n_em = min(len(train.target), cfg["em_pairs"])
    em = SequentialDigitSumClassifier(
        make_pipeline(MinMaxScaler(), LogisticRegression(max_iter=100)), max_iter=cfg["em_iter"])
    seconds, load = _fit(em, train.data[:n_em], train.target[:n_em])
    return ["EM from sums, SequentialDigitSumClassifier (logistic regression), "
            f"first {n_em} pairs, {em.n_iter_} EM iterations", "sums",
            em.score(test.data, test.target), _digit_accuracy(em.estimator_, data), seconds, load]


def supervised_digits(train, test, data, seed, cfg):
    """The upper line: the same CNN trained on the digit labels."""
    from sumdigits.keras import CNNClassifier
    from sumdigits.sequential import SequentialDigitSumClassifier

    clf = SequentialDigitSumClassifier(CNNClassifier(**_cnn_params(cfg, seed)))
    seconds, load = _fit(clf, train.data, train.digits[:, :, 0])  # (n, 2) digit labels
    return ["digit labels, SequentialDigitSumClassifier (same CNN, no augmentation)", "digits",
            clf.score(test.data, test.target), _digit_accuracy(clf.estimator_, data), seconds,
            load]


def whole_pair(train, test, data, seed, cfg):
    """The reports' approach: a CNN reading the whole pair image, predicting the sum."""
    from sumdigits.keras import CNNClassifier

    clf = CNNClassifier(**_cnn_params(cfg, seed))
    seconds, load = _fit(clf, train.data, train.target)
    return ["whole pair image -> sum, CNNClassifier (same CNN)", "sums",
            clf.score(test.data, test.target), None, seconds, load]


COMPARISONS = (em_from_sums, supervised_digits, whole_pair)


def _comparisons(data, seed, cfg):
    """The comparison methods on the N = 1 pairs of ``seed``."""
    train, test = _protocol(data, 1, seed, cfg.get("n_train_images"))
    rows = []
    for method in COMPARISONS:
        rows.append(method(train, test, data, seed, cfg))
        _log(f"{method.__name__}: {rows[-1]}")
    return [_as_percent(row) for row in rows]


def _as_percent(row):
    """Accuracies (columns 2 and 3) as percentages."""
    return [*row[:2], *(None if v is None else 100 * v for v in row[2:4]), *row[4:]]


def _pct(values):
    values = 100 * np.asarray(values, dtype=float)
    return f"{values.mean():.2f} ± {values.std():.2f}" if len(values) > 1 else f"{values[0]:.2f}"


def run(data, *, quick=False, seed=0):
    cfg = QUICK if quick else FULL
    seeds = [seed + k for k in range(cfg["seeds_1"])]
    runs = [_ours(data, 1, s, cfg) for s in seeds]
    loads = ", ".join(f"{r['load']:.1f}" for r in runs)
    rows = [[name, f"{acc:.1f}", None, None, note] for name, acc, note in ANCHORS_1]
    rows.append([
        f"NeuroSymbolicSumClassifier, {len(seeds)} seed(s) {seeds}, {runs[0]['epochs']} epochs",
        _pct([r["sum_acc"] for r in runs]), _pct([r["digit_acc"] for r in runs]),
        f"{np.mean([r['seconds'] for r in runs]):.0f} ± {np.std([r['seconds'] for r in runs]):.0f}",
        f"load {loads}",
    ])
    tables = [{
        "title": f"MNIST addition, N = 1: {runs[0]['n_train']} training pairs, "
                 f"{runs[0]['n_test']} test pairs, sums only",
        "columns": ["method", "sum accuracy %", "digit accuracy %", "training s", "note"],
        "rows": rows,
        "notes": "Ours: mean ± standard deviation over seeds; digit accuracy of the learned "
                 "digit classifier on all 10,000 test digits; 1-minute load average of the "
                 "shared 2-core machine at the end of each fit." + (
                     " QUICK smoke run: small data and network, not the benchmark."
                     if quick else ""),
    }]

    rows = []
    for n_digits in cfg["n_digits"]:
        r = _ours(data, n_digits, seed, cfg)
        rows.append([n_digits, r["n_train"], r["n_test"], ANCHORS_N[n_digits],
                     100 * r["sum_acc"], 100 * r["digit_acc"], r["epochs"], r["seconds"],
                     r["load"]])
    tables.append({
        "title": "MNIST addition of N-digit numbers (one seed)",
        "columns": ["N", "training pairs", "test pairs", "DeepStochLog %", "ours: sum %",
                    "ours: digit %", "epochs", "training s", "load"],
        "rows": rows,
        "notes": "Batch of 64 // N pairs (128 digit images) per step; one seed, fewer epochs "
                 "than N = 1 to bound the run's time.",
    })
    comparison = _comparisons(data, seed, cfg)
    ours = runs[0]
    comparison.insert(0, _as_percent([
        "NeuroSymbolicSumClassifier (ours), same pairs", "sums", ours["sum_acc"],
        ours["digit_acc"], ours["seconds"], ours["load"]]))
    tables.insert(1, {
        "title": f"Comparisons on the same N = 1 pairs (seed {seed})",
        "columns": ["method", "labels", "sum accuracy %", "digit accuracy %", "training s",
                    "load"],
        "rows": comparison,
    })

    return tables
