"""The reports' FCNNs on whole pair images, trained at the reports' data sizes.

``bench_keras`` trains report 000's and report 001's tuned FCNNs on a few pairs for
a few epochs to bound its run time. Here each is trained as its report did, on
MNIST pairs from the training split, and tested on 5,000 disjoint pairs of test
digits (no test image is reused, none was seen in training):

- report 000: 6 dense layers 2048..64 with batch normalisation, Adam 0.000236,
  dropout 0.104, L2 0.000189, batch 69, on 80,000 stratified pairs (28 x 56); the
  report does not give its epochs, so training runs up to ``max_epochs`` with early
  stopping on a 10 % validation split (patience 3, best weights restored);
- report 001: 512-256-128-64, dropout 0.174, Adam 0.000633, batch 64, on 70,000
  random pairs stacked vertically (56 x 28), for the report's 25 epochs.

Fit seconds are wall-clock on the machine's CPU cores, with the 1-minute load average.
"""

from __future__ import annotations

from .bench_keras import _load, _log, fit_report000_fcnn, fit_report001_fcnn

FULL = dict(pairs_000=80_000, max_epochs_000=30, pairs_001=70_000, epochs_001=25,
            test_pairs=5_000)
QUICK = dict(pairs_000=1_000, max_epochs_000=2, pairs_001=1_000, epochs_001=1, test_pairs=500)


def run(data, *, quick=False, seed=0):
    from sumdigits import make_digit_pairs

    (X, y), (X_test, y_test) = data
    cfg = QUICK if quick else FULL
    rows = []
    runs = (
        (fit_report000_fcnn, cfg["pairs_000"],
         dict(epochs=cfg["max_epochs_000"], early_stopping=True, n_iter_no_change=3)),
        (fit_report001_fcnn, cfg["pairs_001"], dict(epochs=cfg["epochs_001"])),
    )
    for fit, n_pairs, params in runs:
        est, seconds, info = fit(X, y, n_pairs, seed=seed, **params)
        test = make_digit_pairs(X_test, y_test, cfg["test_pairs"], strategy="disjoint",
                                layout=info["layout"], random_state=seed)
        accuracy = est.score(test.data, test.target)
        _log(f"{info['model']}: {accuracy:.4f} in {seconds:.0f} s, {est.n_iter_} epochs")
        rows.append([info["model"], info["data"], est.n_iter_, accuracy, info["reported"],
                     seconds, _load()])
    return [{
        "title": "Reports' pair FCNNs at the reports' data sizes: sum accuracy on test pairs",
        "columns": ["model", "training data", "epochs run", "our test accuracy",
                    "report's accuracy", "fit s", "load"],
        "rows": rows,
        "notes": (f"Seed {seed}; {cfg['test_pairs']} disjoint test pairs from the MNIST test "
                  f"split. Report 000: up to {cfg['max_epochs_000']} epochs, early stopping "
                  "(10 % validation, patience 3, best weights). Report 001: "
                  f"{cfg['epochs_001']} epochs. Report 001 built its test pairs from training "
                  "images; ours never share a digit with training."),
    }]
