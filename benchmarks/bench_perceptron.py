"""Report 002's perceptron on pairs of digit classes (table 1), beside the report.

StepDecayPerceptron with the report's settings: 1,000 iterations of one random
training sample each, learning rate 1.0 dropping by 0.1 every 100 iterations. Trained
on every training-split image of the two digits, tested on the test split; pixels
scaled to [0, 1].
"""

from __future__ import annotations

import os

import numpy as np

from benchmarks.bench_linear import timed_fit

# (digits) -> (train accuracy, test accuracy) of report 002, table 1
REPORT002 = {
    (0, 1): (0.9977, 0.9991),
    (1, 2): (0.9797, 0.9811),
    (3, 4): (0.9900, 0.9895),
    (5, 6): (0.9683, 0.9714),
    (7, 8): (0.9823, 0.9780),
    (9, 0): (0.9877, 0.9854),
}


def run(data, *, quick=False, seed=0):
    from sumdigits.perceptron import StepDecayPerceptron

    (X, y), (X_test, y_test) = data
    X = X.reshape(len(X), -1).astype(np.float32) / 255
    X_test = X_test.reshape(len(X_test), -1).astype(np.float32) / 255
    rows = []
    for digits, (train_theirs, test_theirs) in REPORT002.items():
        train, test = np.isin(y, digits), np.isin(y_test, digits)
        clf, seconds = timed_fit(StepDecayPerceptron(random_state=seed), X[train], y[train])
        rows.append([
            f"{digits[0]} vs {digits[1]}", int(train.sum()), int(test.sum()),
            round(clf.score(X[train], y[train]), 4), train_theirs,
            round(clf.score(X_test[test], y_test[test]), 4), test_theirs,
            round(float(clf.errors_[99]), 4), round(seconds, 2),
        ])
    notes = (
        f"StepDecayPerceptron(random_state={seed}) defaults: max_iter=1000, eta0=1.0, "
        "decay=0.1 every step_size=100 iterations. 'train error @100': errors_[99], the "
        "training error after 100 iterations. Fit seconds include the error curve over the "
        f"whole training set after each update (1-minute load average {os.getloadavg()[0]:.1f})."
        " Report figures are theirs, not re-run."
    )
    return [{
        "title": "Perceptron on two digit classes (report 002, table 1)",
        "columns": ["digits", "train images", "test images", "train acc", "train acc (002)",
                    "test acc", "test acc (002)", "train error @100", "fit s"],
        "rows": rows,
        "notes": notes,
    }]
