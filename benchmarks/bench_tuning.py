"""Hyper-parameter search with sumdigits.tuning.tune beside the reports' tuned models.

On stratified MNIST pairs (training pairs from the training split, test pairs from the
test split), in one run:

* the FCNN searched over report 000's space (depth of the 64 * 2**k pyramid, Adam
  learning rate, dropout, L2, batch size, batch normalisation on) with per-epoch
  pruning on one validation split, the best refitted on more pairs; beside it the
  network of report 000's best parameters (6 layers 2048..64, lr 0.000236, dropout
  0.104, L2 0.000189, batch 69) trained by us on the same pairs and epochs, and the
  reports' own test accuracies (report 000: 0.955 with 80,000 pairs; report 001:
  0.9505 with 70,000 pairs);
* the polynomial-kernel SVC searched over gamma, C and degree on a subsample and
  refitted on more pairs, beside report 000's 0.80 (tuned on 10,000 pairs, trained
  on 64,000).

The machine has two shared CPU cores, so the searches are much smaller than the
reports' (sizes in the notes): the figures show what a small budget reaches, not a
reproduction of the reports' training runs.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

from benchmarks._reports import REPORT_FCNN

# name: (train pairs for refit, search pairs, test pairs, trials, epochs)
FULL = dict(fcnn_train=20_000, fcnn_search=6_000, fcnn_trials=10, fcnn_epochs=5,
            svm_train=8_000, svm_search=2_000, svm_trials=8, test=10_000)
QUICK = dict(fcnn_train=1_000, fcnn_search=500, fcnn_trials=2, fcnn_epochs=1,
             svm_train=500, svm_search=300, svm_trials=2, test=500)

REPORT000_FCNN = dict(hidden_layer_sizes=None, **REPORT_FCNN["000"])


def _log(msg):
    print(f"[tuning {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _load():
    return os.getloadavg()[0]


def _pairs(X, y, n, seed):
    from sumdigits import make_digit_pairs

    n = n // 100 * 100  # stratified: every ordered digit pair equally often
    bunch = make_digit_pairs(X.reshape(len(X), -1), y, n, random_state=seed)
    return bunch.data, bunch.target


def _fcnn_rows(train, test, sizes, seed):
    from sklearn.model_selection import StratifiedShuffleSplit

    from sumdigits.keras import FCNNClassifier
    from sumdigits.tuning import tune

    (X, y), (X_test, y_test) = train, test
    holdout = StratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=seed)
    epochs = sizes["fcnn_epochs"]
    start = time.perf_counter()
    search = tune(
        FCNNClassifier(epochs=epochs, random_state=seed), X[:sizes["fcnn_search"]],
        y[:sizes["fcnn_search"]], space="report000", n_trials=sizes["fcnn_trials"],
        cv=holdout, random_state=seed, refit=False,
    )
    search_s = time.perf_counter() - start
    n_pruned = sum(t.state.name == "PRUNED" for t in search.trials_)
    _log(f"FCNN search {search_s:.0f} s, best {search.best_params_}, load {_load():.1f}")

    rows = []
    for name, params in [("FCNN, tuned here (report 000 space)", search.best_params_),
                         ("FCNN, report 000's best parameters", REPORT000_FCNN)]:
        start = time.perf_counter()
        clf = FCNNClassifier(epochs=epochs, random_state=seed, **params).fit(X, y)
        fit_s = time.perf_counter() - start
        acc = clf.score(X_test, y_test)
        _log(f"{name}: accuracy {acc:.4f}, fit {fit_s:.0f} s, load {_load():.1f}")
        described = _describe_fcnn(params)
        tuned = name.startswith("FCNN, tuned")
        rows.append([name, described,
                     f"{len(search.trials_)} ({n_pruned} pruned), {search_s:.0f} s"
                     if tuned else "", len(X), acc, 0.955 if not tuned else None, fit_s])
    rows.append(["FCNN, report 001 (its own space, 50 trials)",
                 "[512, 256, 128, 64], lr 0.000633, batch 64, dropout 0.174, ReLU",
                 "", 70_000, None, 0.9505, None])
    return rows


def _describe_fcnn(p):
    from sumdigits.keras.builders import pyramid_widths

    widths = p.get("hidden_layer_sizes") or pyramid_widths(p["n_hidden_layers"])
    return (f"{list(widths)}, lr {p['learning_rate_init']:.3g}, dropout {p['dropout']:.3g}, "
            f"L2 {p['l2']:.3g}, batch {p['batch_size']}, BN {p['batch_norm']}")


def _svm_rows(train, test, sizes, seed):
    from sklearn.svm import SVC

    from sumdigits.tuning import tune

    (X, y), (X_test, y_test) = train, test
    # pixels scaled to [0, 1], for which the SVC space's gamma range is meant
    X = X[:sizes["svm_train"]].astype(np.float32) / 255
    y = y[:sizes["svm_train"]]
    X_test = X_test.astype(np.float32) / 255
    start = time.perf_counter()
    search = tune(SVC(kernel="poly"), X, y, n_trials=sizes["svm_trials"], cv=3,
                  subsample=sizes["svm_search"], random_state=seed)
    total_s = time.perf_counter() - start
    acc = search.score(X_test, y_test)
    p = search.best_params_
    _log(f"SVC: accuracy {acc:.4f}, search+refit {total_s:.0f} s, {p}, load {_load():.1f}")
    return [
        ["SVC poly, tuned here", f"degree {p['degree']}, gamma {p['gamma']:.3g}, "
         f"C {p['C']:.3g}", f"{len(search.trials_)} on {sizes['svm_search']:,} pairs, "
         f"3-fold, {total_s - search.refit_time_:.0f} s", len(X), acc, 0.80,
         search.refit_time_],
        ["SVC poly, report 000", "degree 3, gamma 21.8, C 1.61",
         "tuned on 10,000 pairs", 64_000, None, 0.80, None],
    ]


def run(data, *, quick=False, seed=0):
    sizes = QUICK if quick else FULL
    (X, y), (X_test, y_test) = data
    n_train = max(sizes["fcnn_train"], sizes["svm_train"])
    train = _pairs(X, y, n_train, seed)
    test = _pairs(X_test, y_test, sizes["test"], seed + 1)
    load_start = _load()
    rows = _fcnn_rows((train[0][:sizes["fcnn_train"]], train[1][:sizes["fcnn_train"]]),
                      test, sizes, seed)
    rows += _svm_rows(train, test, sizes, seed)
    return [{
        "title": "Tuned FCNN and SVM on MNIST pairs, beside the reports' tuned models",
        "columns": ["model", "best parameters", "search (trials)", "training pairs",
                    "test accuracy (ours)", "report's test accuracy", "fit seconds"],
        "rows": rows,
        "notes": (
            f"Seed {seed}. {len(test[1]):,} stratified test pairs from the MNIST test split. "
            f"FCNN: TPE search of {sizes['fcnn_trials']} trials over report 000's space on "
            f"{sizes['fcnn_search']:,} pairs (80/20 validation split, {sizes['fcnn_epochs']} "
            "epochs per trial with median pruning per epoch), then the best and report 000's "
            f"parameters each trained on {sizes['fcnn_train']:,} pairs for "
            f"{sizes['fcnn_epochs']} epochs. SVC (pixels / 255): {sizes['svm_trials']} trials "
            f"on a {sizes['svm_search']:,}-pair subsample with 3-fold CV, the best refitted on "
            f"{sizes['svm_train']:,} pairs. The reports trained on 64,000-80,000 pairs for "
            "more epochs with 50+ trials. 1-minute load average of the shared 2-core machine: "
            f"{load_start:.1f} at the start, {_load():.1f} at the end."
        ),
    }]
