"""Single vs sequential logistic regression on digit pairs, and the sums-only (EM) sequential.

Report 000 (table 11) and report 001 (section 4) train a linear classifier on the whole
pair image (single: 19 sums from 1,568 pixels) and one on each digit, combined
(sequential), for 50 to 10,000 training pairs. We do the same with scikit-learn's
LogisticRegression, plus SequentialDigitSumClassifier learning from the sums alone by
EM. Training pairs are drawn at random from the MNIST training split; test pairs use
each test-split image once. Pixels are scaled to [0, 1].
"""

from __future__ import annotations

import os
import time
import warnings

import numpy as np

SIZES = [50, 100, 500, 1_000, 2_000, 5_000, 10_000]
EM_SIZES = [50, 100, 500, 1_000, 2_000, 5_000]
EM_MAX_ITER = 30
QUICK_SIZES = [50, 100, 500]
# the reports' test accuracies by training pairs
REPORT000_SINGLE = {50: 0.08, 100: 0.10, 500: 0.11, 1_000: 0.14, 10_000: 0.18}
REPORT000_SEQUENTIAL = {50: 0.36, 100: 0.71, 500: 0.73, 1_000: 0.75, 10_000: 0.82}
REPORT001_SINGLE = dict(zip(SIZES, [0.1071, 0.1158, 0.1222, 0.1376, 0.1571, 0.1676, 0.1839]))
REPORT001_SEQUENTIAL = dict(zip(SIZES, [0.3778, 0.4548, 0.6851, 0.7227, 0.7482, 0.7925,
                                        0.8178]))


def timed_fit(model, X, y):
    """Fit with one BLAS thread (the machine is shared); return the model and seconds."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lbfgs / EM convergence warnings; iterations reported
        start = time.perf_counter()
        model.fit(X, y)
        return model, time.perf_counter() - start


def scaled_pairs(X, y, n_pairs, *, strategy, seed, layout="horizontal"):
    """Flattened pair images scaled to [0, 1], float32, with their Bunch."""
    from sumdigits import make_digit_pairs

    pairs = make_digit_pairs(X.reshape(len(X), -1), y, n_pairs, strategy=strategy,
                             layout=layout, random_state=seed)
    pairs.data = pairs.data.astype(np.float32) / 255
    return pairs


def single_and_sequential(train, layout="horizontal"):
    """Logistic regression fitted on the scaled pairs ``train`` two ways: on the whole pair
    (single, 19 sums) and on each digit, combined (sequential). Returns
    ``(single, seconds, sequential, seconds)``."""
    from sklearn.linear_model import LogisticRegression

    from sumdigits.sequential import SequentialDigitSumClassifier

    single, t_single = timed_fit(LogisticRegression(max_iter=1000), train.data, train.target)
    seq, t_seq = timed_fit(SequentialDigitSumClassifier(LogisticRegression(max_iter=1000),
                                                        layout=layout),
                           train.data, train.digits)
    return single, t_single, seq, t_seq


def run(data, *, quick=False, seed=0):
    from sklearn.linear_model import LogisticRegression

    from sumdigits.sequential import SequentialDigitSumClassifier

    (X, y), (X_test, y_test) = data
    sizes = QUICK_SIZES if quick else SIZES
    em_sizes = QUICK_SIZES[:2] if quick else EM_SIZES
    test = scaled_pairs(X_test, y_test, 500 if quick else 5_000, strategy="disjoint",
                        seed=seed + 1)
    rows = []
    for n in sizes:
        train = scaled_pairs(X, y, n, strategy="random", seed=seed)
        single, t_single, seq, t_seq = single_and_sequential(train)
        em_cells = [None] * 4
        if n in em_sizes:
            em, t_em = timed_fit(
                SequentialDigitSumClassifier(
                    LogisticRegression(max_iter=300, warm_start=True), max_iter=EM_MAX_ITER),
                train.data, train.target)
            em_cells = [round(em.score(test.data, test.target), 4),
                        round(float((em.predict_digits(test.data) == test.digits).mean()), 4),
                        em.n_iter_, round(t_em, 1)]
        rows.append([
            n,
            round(single.score(test.data, test.target), 4),
            REPORT000_SINGLE.get(n), REPORT001_SINGLE.get(n),
            round(seq.score(test.data, test.target), 4),
            REPORT000_SEQUENTIAL.get(n), REPORT001_SEQUENTIAL.get(n),
            em_cells[0], em_cells[1],
            round(t_single, 1), round(t_seq, 1), em_cells[3], em_cells[2],
        ])
    notes = (
        f"Test: {len(test.target):,} pairs from the test split (each image once); training "
        f"pairs drawn at random from the training split; seed {seed}. Single: "
        "LogisticRegression(max_iter=1000) on the 1,568 pixels, 19 sums. Sequential: "
        "SequentialDigitSumClassifier(LogisticRegression(max_iter=1000)) fitted on the digit "
        "labels. EM: the same fitted on the sums only (LogisticRegression(max_iter=300, "
        f"warm_start=True), at most {EM_MAX_ITER} EM iterations, tol 1e-3), run for "
        f"{em_sizes} pairs only "
        "(blank: not run, to bound the CPU time). EM digit acc: its per-digit accuracy on "
        "the test pairs. Fit seconds with one BLAS thread on a shared 2-core machine "
        f"(1-minute load average {os.getloadavg()[0]:.1f} at the end). Reports' figures "
        "are theirs, not re-run; report 000 gives no figures at 2,000 and 5,000."
    )
    return [{
        "title": "Single vs sequential logistic regression, and sequential from sums (EM)",
        "columns": ["train pairs", "single", "single (000)", "single (001)", "sequential",
                    "sequential (000)", "sequential (001)", "EM sums-only", "EM digit acc",
                    "fit s single", "fit s sequential", "fit s EM", "EM iterations"],
        "rows": rows,
        "notes": notes,
    }]
