"""Digits learned from known functions of two digits (issue 16, item 5).

``NeuroSymbolicFunctionClassifier`` learns a digit CNN from the value of a function of
two digit images alone (the MNIST-R-style tasks): the product and the maximum of two
digits. Protocol as the addition benchmark at N = 1: the 60,000 training images each
used once (30,000 disjoint pairs), 5,000 disjoint test pairs of the test split; the
function's value is the only label. Reported: the accuracy of the predicted value on
the test pairs and of the learned digit classifier on the 10,000 test digits, with the
training seconds and the machine's load.
"""

from __future__ import annotations

import operator
import os
import time

import numpy as np

TASKS = {"product": operator.mul, "maximum": max}
FULL = dict(epochs=3, n_test_pairs=5_000, network={})
QUICK = dict(epochs=4, n_test_pairs=500,
             network=dict(filters=[8, 16], hidden_layer_sizes=[32]))


def run(data, *, quick=False, seed=0):
    from sumdigits import make_digit_pairs
    from sumdigits.keras import NeuroSymbolicFunctionClassifier

    cfg = QUICK if quick else FULL
    (X, y), (X_test, y_test) = data
    train = make_digit_pairs(X, y, strategy="disjoint", random_state=seed)
    test = make_digit_pairs(X_test, y_test, cfg["n_test_pairs"], strategy="disjoint",
                            random_state=seed + 1)
    rows = []
    for name, function in TASKS.items():
        values = np.array([function(a, b) for a, b in train.digits])
        test_values = np.array([function(a, b) for a, b in test.digits])
        clf = NeuroSymbolicFunctionClassifier(function=function, epochs=cfg["epochs"],
                                              random_state=seed, **cfg["network"])
        start = time.perf_counter()
        clf.fit(train.data, values)
        seconds = time.perf_counter() - start
        rows.append([
            name, len(values), len(test_values), cfg["epochs"], seed,
            round(clf.score(test.data, test_values), 4),
            round(float(np.mean(clf.digit_estimator_.predict(X_test) == y_test)), 4),
            round(seconds, 1), round(os.getloadavg()[0], 1),
        ])
    return [{
        "title": "Digits from the value of a function of two digits, no digit label",
        "columns": ["function", "training pairs", "test pairs", "epochs", "seed",
                    "value accuracy", f"digit accuracy ({len(y_test):,} test digits)",
                    "training s", "load"],
        "rows": rows,
        "notes": ("NeuroSymbolicFunctionClassifier with its default network; training pairs: "
                  "every training image once; value accuracy: the predicted function value "
                  "on disjoint test pairs of the test split."),
    }]
