"""Report 003 reproduced on single MNIST digits, and beaten: every table, one page.

Report 003's protocol: the 60,000 training digits and the 10,000 test digits, pixels
scaled to [0, 1], batch 64, learning rate 1e-3, 10 epochs. Rows (``--only ROW``;
see ``benchmarks/_reports.py``):

- ``sgd``, ``adam``: the 784-512-10 ReLU MLP with SGD and with Adam (section 3.1-3.2);
- ``relu_tanh_sgd``: 512 ReLU then 64 tanh with SGD (section 3.3), ``activation``
  as a list, one per hidden layer;
- ``best``: ours at our best;
- ``curves``: figures 5-7, loss and accuracy per epoch on the test digits passed in;
- ``fixed_epochs``, ``early_stopping``: the report's wish, what early stopping saves
  (epochs, seconds) and costs (accuracy) against a fixed epoch count, 3 seeds.
"""

from __future__ import annotations

from benchmarks._reports import (
    ACCURACIES,
    DIGITS_BEST,
    digits_protocol,
    quick_spec,
    run_report,
)

SGD = dict(hidden_layer_sizes=[512], optimizer="sgd", learning_rate_init=1e-3, batch_size=64,
           epochs=10)
ADAM = dict(SGD, optimizer="adam")
RELU_TANH = dict(SGD, hidden_layer_sizes=[512, 64], activation=["relu", "tanh"])
BEST = DIGITS_BEST["fcnn"]
ROWS = dict(
    sgd=dict(kind="digits", what="784-512-10 ReLU, SGD", model="fcnn", params=SGD,
             reported="test < 0.50"),
    adam=dict(kind="digits", what="784-512-10 ReLU, Adam", model="fcnn", params=ADAM,
              reported="test > 0.95"),
    relu_tanh_sgd=dict(kind="digits", what="512 ReLU + 64 tanh, SGD", model="fcnn",
                       params=RELU_TANH, curves=True, reported="test < 0.50"),
    best=dict(kind="digits", what="ours at our best", model="fcnn", params=BEST, seeds=3,
              reported="test > 0.95"),
    curves=dict(kind="curves", what="SGD and Adam per epoch on the test digits (figures 5-6)",
                model="fcnn", variants={"SGD": SGD, "Adam": ADAM}),
    fixed_epochs=dict(kind="digits", what="Adam, 30 epochs fixed", model="fcnn",
                      params=dict(ADAM, epochs=30), seeds=3),
    early_stopping=dict(kind="digits", what="Adam, up to 30 epochs, early stopping",
                        model="fcnn", params=dict(ADAM, epochs=30, early_stopping=True,
                                                  n_iter_no_change=3), seeds=3,
                        reported="wished for, not implemented"),
)
FULL = dict(
    protocol=dict(),
    score_columns=ACCURACIES,
    intro=("Report 003 (`../shared/seeds/003_73c437d77f5e2ddc.txt`): single MNIST digits, "
           "the 60,000 training and 10,000 test digits, pixels / 255, batch 64, learning rate "
           "1e-3. The report gives its accuracies only in words. Rows with seeds show the "
           "mean ± sample std over the seeds; fit s are seconds per fit on 2 CPU cores."),
    rows=ROWS,
    tables={
        "Sections 3.1-3.3: SGD against Adam, ReLU and tanh": dict(
            rows=["sgd", "adam", "relu_tanh_sgd", "best"]),
        "Figures 5-7: test loss and accuracy per epoch": dict(
            rows=["curves"], score_columns=["SGD", "Adam"]),
        "Early stopping against a fixed epoch count": dict(
            rows=["fixed_epochs", "early_stopping"], score_columns=["epochs"] + ACCURACIES),
    },
)
QUICK = quick_spec(FULL, dict(
    protocol=dict(train_digits=2_000),
    rows=dict(
        sgd=dict(params=dict(SGD, hidden_layer_sizes=[16], epochs=1)),
        adam=dict(params=dict(ADAM, hidden_layer_sizes=[16], epochs=1)),
        relu_tanh_sgd=dict(params=dict(RELU_TANH, hidden_layer_sizes=[16, 8], epochs=1)),
        best=dict(seeds=2, params=dict(BEST, hidden_layer_sizes=[16], epochs=2)),
        curves=dict(variants={"SGD": dict(SGD, hidden_layer_sizes=[16], epochs=2),
                              "Adam": dict(ADAM, hidden_layer_sizes=[16], epochs=2)}),
        fixed_epochs=dict(seeds=2, params=dict(ADAM, hidden_layer_sizes=[16], epochs=3)),
        early_stopping=dict(seeds=2, params=dict(ADAM, hidden_layer_sizes=[16], epochs=3,
                                                 early_stopping=True, n_iter_no_change=1)),
    ),
))


def run(data, *, quick=False, seed=0, only=None, out=None, data_source=None):
    return run_report("003", QUICK if quick else FULL, digits_protocol, data, quick=quick,
                      seed=seed, only=only, out=out, data_source=data_source)


# Every figure and headline number of report 003, in the report's order, as in
# bench_report000.ITEMS (it has no tables; most of its figures are diagrams and formulas).
ITEMS = [
    dict(id="Abstract", caption="the best classifier: a little above 90 %",
         rows=["adam", "best"]),
    dict(id="Section 3.1", caption="784-512-10 ReLU with SGD at 0.001: slightly less than 50 %",
         rows=["sgd"]),
    dict(id="Figure 1", caption="diagram of the 784-512-10 network", rows=[],
         reason="a diagram of the network the `sgd` row builds; nothing to measure"),
    dict(id="Figure 2", caption="the ReLU function", rows=[],
         reason="a formula; nothing to measure"),
    dict(id="Section 3.2", caption="the same network with Adam: above 95 %", rows=["adam"]),
    dict(id="Section 3.3", caption="512 ReLU and 64 tanh with SGD: below 50 % and below "
                                   "section 3.1", rows=["relu_tanh_sgd"]),
    dict(id="Figure 3", caption="diagram of the network with two hidden layers", rows=[],
         reason="a diagram of the network the `relu_tanh_sgd` row builds; nothing to measure"),
    dict(id="Figure 4", caption="the tanh formula", rows=[],
         reason="a formula; nothing to measure"),
    dict(id="Figure 5", caption="accuracy and loss per epoch of section 3.1 (SGD)",
         rows=["curves"], figures=["curves.png"]),
    dict(id="Figure 6", caption="accuracy and loss per epoch of section 3.2 (Adam)",
         rows=["curves"], figures=["curves.png"]),
    dict(id="Figure 7", caption="accuracy and loss per epoch of section 3.3 (ReLU and tanh, "
                                "SGD)", rows=["relu_tanh_sgd"],
         figures=["relu_tanh_sgd_curves.png"]),
    dict(id="Figure 8", caption="the log loss formula", rows=[],
         reason="a formula; nothing to measure"),
    dict(id="Figure 9", caption="the Adam formula", rows=[],
         reason="a formula; nothing to measure"),
    dict(id="Figure 10", caption="the SGD formula", rows=[],
         reason="a formula; nothing to measure"),
    dict(id="Discussion", caption="early stopping wished for, not implemented; 10 epochs chosen "
                                  "instead", rows=["fixed_epochs", "early_stopping"]),
    dict(id="Conclusion", caption="Adam above 95 %, the two SGD networks below 50 %",
         rows=["sgd", "adam", "relu_tanh_sgd"]),
]
