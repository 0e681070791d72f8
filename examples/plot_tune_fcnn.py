"""
Tuning the FCNN with Optuna in one line
=======================================

Reproduces no report figure: reports 000 and 001 give the results of their
searches as tables (report 000, Tables 1-2).

Reports 000 and 001 tuned their fully connected networks with hand-written
Optuna objectives. :func:`sumdigits.tuning.tune` does it in one call:

* the search space comes from the reports (:func:`~sumdigits.tuning.search_space`):
  report 000's Adam learning rate, dropout, L2 penalty, depth of the
  ``64 * 2**k`` pyramid and batch size, with batch normalisation on;
* each trial trains the network one epoch at a time and reports its validation
  accuracy after every epoch, so that Optuna's median pruner stops a trial whose
  accuracy falls below the median of the earlier trials at the same epoch;
* the sampler is seeded, so the same call gives the same search;
* the study can live in an SQLite file, and running ``tune`` again continues it.

Here the search is tiny (2,000 pairs, 3 epochs, 8 trials) so that the example
runs in about two minutes on two CPU cores: the accuracies are far below report
000's 0.955, reached with 80,000 pairs and many epochs (the benchmark
``bench_tuning`` runs the search on full MNIST). A network has to learn both the
digits and their addition from the pair images, which takes many pairs.
"""

import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
from sklearn.model_selection import StratifiedShuffleSplit

from _gallery import quick_mode, savefig
from sumdigits import load_mnist, make_digit_pairs
from sumdigits.keras import FCNNClassifier
from sumdigits.tuning import search_space, tune

QUICK = quick_mode()  # SUMDIGITS_EXAMPLES_QUICK=1: small sizes, for CI
(X_train, y_train), (X_test, y_test) = load_mnist(os.environ.get("SUMDIGITS_DATA", "embedded"))
X_train, X_test = X_train.reshape(len(X_train), -1), X_test.reshape(len(X_test), -1)

# Training pairs from the training digits, test pairs from the test digits.
train = make_digit_pairs(X_train, y_train, 500 if QUICK else 2_000, random_state=0)
test = make_digit_pairs(X_test, y_test, 500 if QUICK else 1_000, random_state=1)

# %%
# The search space
# ----------------
# Keys are the estimator's own parameter names; in a Pipeline they would be
# prefixed by the step's name (``fcnnclassifier__learning_rate``).
for name, distribution in search_space(FCNNClassifier(), space="report000").items():
    print(f"{name:20s} {distribution}")

# %%
# The search
# ----------
# One validation split (20 %), as the reports used, rather than k folds. The
# progress bar shows the best validation accuracy so far and the pruned trials.
epochs = 2 if QUICK else 3
study_file = Path(tempfile.mkdtemp()) / "fcnn.db"
holdout = StratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=0)
search = tune(
    FCNNClassifier(epochs=epochs, random_state=0), train.data, train.target,
    space="report000", n_trials=3 if QUICK else 6, cv=holdout, storage=study_file,
    random_state=0, show_progress_bar=True,
)
print("best parameters:", search.best_params_)
print(f"validation accuracy {search.best_score_:.3f}, "
      f"test accuracy {search.score(test.data, test.target):.3f}")

# %%
# Continuing the study
# --------------------
# The trials are in ``fcnn.db``: calling ``tune`` again with the same storage adds
# trials to the same study (the sampler learns from all of them) and refits the
# best of all.
search = tune(
    FCNNClassifier(epochs=epochs, random_state=0), train.data, train.target,
    space="report000", n_trials=1 if QUICK else 2, cv=holdout, storage=study_file,
    random_state=0,
)
print(f"{len(search.trials_)} trials in {study_file.name}; "
      f"test accuracy of the best: {search.score(test.data, test.target):.3f}")

# %%
# Validation accuracy per epoch
# -----------------------------
# Every trial reported its validation accuracy after each epoch; pruned trials
# stop early (dashed).
fig, (ax_epochs, ax_history) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
for trial in search.trials_:
    steps = sorted(trial.intermediate_values)
    pruned = trial.state.name == "PRUNED"
    ax_epochs.plot([s + 1 for s in steps], [trial.intermediate_values[s] for s in steps],
                   "--" if pruned else "-", marker="o", alpha=0.8,
                   label=f"trial {trial.number}" + (" (pruned)" if pruned else ""))
ax_epochs.set(xlabel="epoch", ylabel="validation accuracy", title="Trials, epoch by epoch")
ax_epochs.xaxis.set_major_locator(MaxNLocator(integer=True))
ax_epochs.legend(fontsize="small", ncol=2)

# %%
# The search history: each trial's final validation accuracy and the best so
# far; the second call's trials follow the first's.
done = [t for t in search.trials_ if t.value is not None]
ax_history.scatter([t.number for t in done], [t.value for t in done], label="trial")
best, best_so_far = float("-inf"), []
for t in done:
    best = max(best, t.value)
    best_so_far.append(best)
ax_history.step([t.number for t in done], best_so_far, where="post", color="C1",
                label="best so far")
ax_history.set(xlabel="trial", ylabel="validation accuracy", title="Search history")
ax_history.xaxis.set_major_locator(MaxNLocator(integer=True))
ax_history.legend()
savefig(fig, "tune_fcnn_trials")
