"""Keras estimators: wrapper overhead vs raw Keras, and accuracy beside the reports.

Three tables, measured in one run on MNIST (training digits and pairs from the
training split, test digits and pairs from the test split):

1. Overhead of the scikeras wrapper: ``FCNNClassifier.fit`` and ``predict_proba``
   against the same network (``build_fcnn``) compiled and trained with raw Keras on
   the same data, seed, epochs and batch size; the raw side also scales the uint8
   pixels itself. Fits and predictions alternate (ours, raw, ours, raw...) and the
   best time of each side is kept; the ratio is ours / raw (target <= 1.05).
2. Test accuracy and fit seconds of the reports' networks rebuilt with our
   estimators, beside the reports' figures: report 000's FCNN on pairs (0.955),
   report 001's FCNN on pairs (0.9505), report 002's MLP 2 x 1000 (0.9802) and CNN
   [32, 64, 128] stride 2 (0.9902) on digits, report 004's ReLU MLP 500-250-100
   (0.9805), and the CNN on digits inside ``SequentialDigitSumClassifier`` on pairs
   (the same fit gives the CNN row: the sequential classifier trains it on the
   digits of the training pairs).
3. ``MultiTaskSumClassifier`` (shared trunk, heads for both digits and the sum,
   trained on digit labels) against the single-task FCNN of the same trunk and sum
   head trained on sums, on the same pairs (report 002, task 6).

The machine has two shared CPU cores: epochs and pair counts are far below the
reports' (see each row), so the accuracy rows show what a short CPU budget reaches.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

from benchmarks._reports import REPORT_FCNN

FULL = dict(overhead_n=60_000, overhead_epochs=2, overhead_repeats=2, pairs_train=30_000,
            pairs_r000=20_000, test_pairs=5_000, digits=60_000, epochs=3, mlp_epochs=3,
            sgd_epochs=5)
QUICK = dict(overhead_n=3_000, overhead_epochs=1, overhead_repeats=1, pairs_train=1_000,
             pairs_r000=1_000, test_pairs=500, digits=2_000, epochs=1, mlp_epochs=1,
             sgd_epochs=1)


def _log(msg):
    print(f"  [keras] {msg}", file=sys.stderr, flush=True)


def _load():
    return f"{os.getloadavg()[0]:.1f}"


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def fit_report000_fcnn(X, y, n_pairs, *, epochs, seed, **params):
    """Report 000's tuned FCNN (6 layers 2048..64, batch norm) fitted on stratified pairs.

    Returns the fitted estimator, the fit seconds and a dict describing the row.
    """
    from sumdigits import make_digit_pairs
    from sumdigits.keras import FCNNClassifier

    pairs = make_digit_pairs(X, y, n_pairs // 100 * 100, strategy="stratified",
                             random_state=seed)
    est = FCNNClassifier(**REPORT_FCNN["000"], epochs=epochs, random_state=seed, **params)
    _, t = _timed(lambda: est.fit(pairs.data, pairs.target))
    return est, t, dict(model="FCNN 2048..64, BN, dropout 0.104", layout="horizontal",
                        data=f"{len(pairs.target)} stratified pairs", reported=0.955,
                        setting="report: 80,000 pairs, epochs not stated")


def fit_report001_fcnn(X, y, n_pairs, *, epochs, seed, **params):
    """Report 001's tuned FCNN (512-256-128-64, dropout 0.174) fitted on random 56 x 28 pairs.

    Returns the fitted estimator, the fit seconds and a dict describing the row.
    """
    from sumdigits import make_digit_pairs
    from sumdigits.keras import FCNNClassifier

    pairs = make_digit_pairs(X, y, n_pairs, strategy="random", layout="vertical",
                             random_state=seed)
    est = FCNNClassifier(**REPORT_FCNN["001"], epochs=epochs, random_state=seed, **params)
    _, t = _timed(lambda: est.fit(pairs.data, pairs.target))
    return est, t, dict(model="FCNN 512-256-128-64, dropout 0.174", layout="vertical",
                        data=f"{len(pairs.target)} random pairs 56x28", reported=0.9505,
                        setting="report: 70,000 pairs, 25 epochs")


def overhead_table(X, y, X_test, *, n, epochs, repeats, seed):
    import keras

    from sumdigits.keras import FCNNClassifier
    from sumdigits.keras.builders import build_fcnn

    X, y = X[:n].reshape(n, -1), y[:n]
    X_test = X_test.reshape(len(X_test), -1)
    params = dict(hidden_layer_sizes=[256, 128], epochs=epochs, batch_size=128,
                  learning_rate_init=1e-3)

    def ours_fit():
        return FCNNClassifier(**params, random_state=seed).fit(X, y)

    def raw_fit():
        model = build_fcnn((X.shape[1],), 10, hidden_layer_sizes=params["hidden_layer_sizes"],
                           seed=seed)
        model.compile(optimizer=keras.optimizers.Adam(params["learning_rate_init"]),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(X.astype("float32") / 255, y, epochs=epochs, batch_size=128, verbose=0)
        return model

    fit_times = {"ours": [], "raw": []}
    predict_times = {"ours": [], "raw": []}
    for _ in range(repeats):
        est, t = _timed(ours_fit)
        fit_times["ours"].append(t)
        model, t = _timed(raw_fit)
        fit_times["raw"].append(t)
        for _ in range(3):
            _, t = _timed(lambda: est.predict_proba(X_test))
            predict_times["ours"].append(t)
            _, t = _timed(lambda: model.predict(X_test.astype("float32") / 255,
                                                batch_size=128, verbose=0))
            predict_times["raw"].append(t)
    agree = float(np.mean(est.predict(X_test) == model.predict(
        X_test.astype("float32") / 255, verbose=0).argmax(axis=1)))
    rows = []
    for what, times in (("fit", fit_times), ("predict_proba", predict_times)):
        ours, raw = min(times["ours"]), min(times["raw"])
        rows.append([what, ours, raw, ours / raw, len(times["ours"])])
    return {
        "title": "Wrapper overhead: FCNNClassifier vs the same network in raw Keras",
        "columns": ["call", "ours s (best)", "raw Keras s (best)", "ratio ours/raw (target <= 1.05)",
                    "runs each"],
        "rows": rows,
        "notes": (f"FCNN 784-256-128-10, Adam 1e-3, batch 128, {epochs} epoch(s) on {n} training "
                  f"digits; predict_proba on {len(X_test)} test digits. Same seed both sides; "
                  f"predictions agree on {agree:.4f} of test digits. 1-min load average at the "
                  f"end: {_load()} (2 shared cores)."),
    }


def accuracy_table(X, y, X_test, y_test, cfg, seed):
    from sumdigits import SequentialDigitSumClassifier, make_digit_pairs
    from sumdigits.keras import CNNClassifier, FCNNClassifier

    test_pairs = make_digit_pairs(X_test, y_test, cfg["test_pairs"], strategy="disjoint",
                                  random_state=seed)
    test_pairs_v = make_digit_pairs(X_test, y_test, cfg["test_pairs"], strategy="disjoint",
                                    layout="vertical", random_state=seed)
    n_digits = cfg["digits"]
    rows = []

    def add(report, model, data, est, fit_s, acc, reported, setting):
        rows.append([report, model, data, acc, reported, fit_s, est.n_iter_, setting])
        _log(f"{report} {model}: {acc:.4f} in {fit_s:.0f} s (load {_load()})")

    for report, fit in (("000", fit_report000_fcnn), ("001", fit_report001_fcnn)):
        est, t, info = fit(X, y, cfg["pairs_r000"] if report == "000" else cfg["pairs_train"],
                           epochs=cfg["epochs"], seed=seed)
        test = test_pairs_v if info["layout"] == "vertical" else test_pairs
        add(report, info["model"], info["data"], est, t, est.score(test.data, test.target),
            info["reported"], info["setting"])

    Xd, yd = X[:n_digits], y[:n_digits]
    # report 002: MLP 2 x 1000, batch 100
    est = FCNNClassifier(hidden_layer_sizes=[1000, 1000], batch_size=100, epochs=cfg["mlp_epochs"],
                         random_state=seed)
    _, t = _timed(lambda: est.fit(Xd, yd))
    add("002", "MLP 2 x 1000", f"{n_digits} digits", est, t, est.score(X_test, y_test), 0.9802,
        "report: 15 epochs, batch 100")

    # report 004: ReLU MLP 500-250-100, mini-batch SGD lr 0.05, batch 64
    est = FCNNClassifier(hidden_layer_sizes=[500, 250, 100], optimizer="sgd", learning_rate_init=0.05,
                         batch_size=64, epochs=cfg["sgd_epochs"], random_state=seed)
    _, t = _timed(lambda: est.fit(Xd, yd))
    add("004", "ReLU MLP 500-250-100, SGD 0.05", f"{n_digits} digits", est, t,
        est.score(X_test, y_test), 0.9805, "report: 15 epochs, batch 64, mean of 5 runs")

    # report 002's CNN, trained on the digits of disjoint training pairs inside the
    # sequential classifier: one fit gives the CNN row and the sequential row.
    pairs = make_digit_pairs(X[:n_digits], y[:n_digits], n_digits // 2, strategy="disjoint",
                             random_state=seed)
    seq = SequentialDigitSumClassifier(estimator=CNNClassifier(
        filters=[32, 64, 128], strides=2, hidden_layer_sizes=[128], epochs=cfg["epochs"],
        random_state=seed))
    _, t = _timed(lambda: seq.fit(pairs.data, pairs.digits))
    cnn = seq.estimator_
    add("002", "CNN [32, 64, 128] stride 2", f"{n_digits} digits", cnn, t,
        cnn.score(X_test.reshape(len(X_test), -1), y_test), 0.9902, "report: 10 epochs")
    add("-", "SequentialDigitSumClassifier(CNN) on pairs", f"{len(pairs.digits)} disjoint pairs",
        cnn, t, seq.score(test_pairs.data, test_pairs.target), None,
        "same fit as the CNN row; sums by convolving the digit probabilities")
    return {
        "title": "Reports' networks with our estimators: test accuracy and fit seconds",
        "columns": ["report", "model", "training data", "our test accuracy", "report's accuracy",
                    "fit s", "epochs run", "setting"],
        "rows": rows,
        "notes": (f"Epochs: {cfg['epochs']} (pairs, CNN), {cfg['mlp_epochs']} (MLP 2 x 1000), "
                  f"{cfg['sgd_epochs']} (SGD MLP); seed {seed}. Test: {len(X_test)} test digits, "
                  f"{cfg['test_pairs']} disjoint pairs of test digits (vertical for report "
                  "001's 56 x 28 network). Report 001 built its test pairs from training "
                  "images; ours never share a digit with training. Fit seconds on 2 shared "
                  f"cores (1-min load average at the end: {_load()})."),
    }


def multitask_table(X, y, X_test, y_test, cfg, seed):
    from sumdigits import make_digit_pairs
    from sumdigits.keras import FCNNClassifier, MultiTaskSumClassifier

    pairs = make_digit_pairs(X, y, cfg["pairs_train"], strategy="random", random_state=seed)
    test = make_digit_pairs(X_test, y_test, cfg["test_pairs"], strategy="disjoint",
                            random_state=seed)
    common = dict(epochs=cfg["epochs"] + 2, learning_rate_init=1e-3, batch_size=128,
                  random_state=seed)
    mtl = MultiTaskSumClassifier(hidden_layer_sizes=[512, 256], head_layer_sizes=[64], **common)
    _, t_mtl = _timed(lambda: mtl.fit(pairs.data, pairs.digits))
    single = FCNNClassifier(hidden_layer_sizes=[512, 256, 64], **common)
    _, t_single = _timed(lambda: single.fit(pairs.data, pairs.target))
    digit_acc = np.mean(mtl.predict_digits(test.data) == test.digits)
    rows = [
        ["multitask (digits + sum heads)", "digit labels (n, 2)",
         mtl.score(test.data, test.target), float(digit_acc), t_mtl],
        ["single task (sum only)", "sums (n,)", single.score(test.data, test.target), None,
         t_single],
    ]
    return {
        "title": "Hard-shared multitask vs single-task network: sum accuracy on test pairs",
        "columns": ["model", "trained on", "sum accuracy", "digit accuracy (heads)", "fit s"],
        "rows": rows,
        "notes": (f"{len(pairs.target)} random training pairs, {len(test.target)} disjoint test "
                  f"pairs; both 1568-512-256 trunk then 64 then the sum softmax, Adam 1e-3, "
                  f"{common['epochs']} epochs, seed {seed}. Report 002 (task 6, on clothing) "
                  "saw multitask test accuracy above single-task (0.9404 vs 0.9201)."),
    }


def run(data, *, quick=False, seed=0):
    (X, y), (X_test, y_test) = data
    cfg = QUICK if quick else FULL
    if quick:
        X_test, y_test = X_test[:1000], y_test[:1000]
    _log(f"start, load {_load()}")
    tables = [overhead_table(X, y, X_test, n=cfg["overhead_n"], epochs=cfg["overhead_epochs"],
                             repeats=cfg["overhead_repeats"], seed=seed)]
    _log(f"overhead done, load {_load()}")
    tables.append(accuracy_table(X, y, X_test, y_test, cfg, seed))
    tables.append(multitask_table(X, y, X_test, y_test, cfg, seed))
    return tables
