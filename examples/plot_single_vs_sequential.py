"""
One classifier for the sum, or one per digit applied in sequence
=================================================================

Reproduces report 000, Figs 8-10, and report 001, Fig 6.

Report 000 (figures 8-10) and report 001 (figure 6) compared two ways of using
a linear classifier (logistic regression) on pair images; here it is trained
by stochastic gradient descent (:class:`~sklearn.linear_model.SGDClassifier`
with the logistic loss), which is much faster on 1,568 pixels than an exact
solver:

* a **single** classifier maps the 1,568 pixels of a pair straight to one of 19
  sums: it must learn the digits *and* their addition from the sums;
* a **sequential** classifier (:class:`~sumdigits.sequential.SequentialDigitSumClassifier`)
  splits the pair, classifies each digit over 0..9, and adds: since the two
  digits are independent, ``P(sum = s) = sum_a P(first = a) P(second = s - a)``.

The sum probabilities show the difference: the sequential classifier puts its
mass on the sums its digit beliefs allow, and its accuracy grows much faster
with the number of training pairs.
"""

import os

import matplotlib.pyplot as plt
from sklearn.base import clone
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from _gallery import quick_mode, savefig
from sumdigits import load_mnist, make_digit_pairs
from sumdigits.plotting import SumProbabilityDisplay, TrainingSizeDisplay
from sumdigits.sequential import SequentialDigitSumClassifier

QUICK = quick_mode()  # SUMDIGITS_EXAMPLES_QUICK=1: small sizes, for CI
(X_train, y_train), (X_test, y_test) = load_mnist(os.environ.get("SUMDIGITS_DATA", "embedded"))

n_train, n_test = (400, 300) if QUICK else (3_000, 1_000)
train = make_digit_pairs(X_train.reshape(len(X_train), -1), y_train, n_train, random_state=0)
test = make_digit_pairs(X_test.reshape(len(X_test), -1), y_test, n_test, random_state=1)

linear = make_pipeline(MinMaxScaler(), SGDClassifier(loss="log_loss", alpha=1e-3, random_state=0))
single = clone(linear).fit(train.data, train.target)  # 19 classes: the sums
sequential = SequentialDigitSumClassifier(linear).fit(train.data, train.digits)  # digits

# %%
# Sum probabilities of five test pairs
# ------------------------------------
# Each row is a pair, each column a sum; the red squares mark the true sums.
fig, axes = plt.subplots(2, 1, figsize=(8, 5.5), layout="constrained")
for ax, (name, clf) in zip(axes, [("single", single), ("sequential", sequential)]):
    SumProbabilityDisplay.from_estimator(clf, test.data[:5], test.target[:5], name=name, ax=ax)
savefig(fig, "single_vs_sequential_heatmaps")

# %%
# The same for one pair, as bars
# ------------------------------
fig, axes = plt.subplots(1, 2, figsize=(11, 3.5), layout="constrained", sharey=True)
for ax, (name, clf) in zip(axes, [("single", single), ("sequential", sequential)]):
    SumProbabilityDisplay.from_estimator(clf, test.data[:5], test.target[:5], name=name,
                                         kind="bar", sample=3, ax=ax)
savefig(fig, "single_vs_sequential_bars")

# %%
# Accuracy against the number of training pairs
# ----------------------------------------------
# Each approach is refitted on nested subsets of the training pairs and scored
# on the same test pairs. The single classifier learns from the sums, the
# sequential one from the two digit labels of each pair.
sizes = [50, 100, 200, 400] if QUICK else [50, 100, 300, 1_000, 3_000]
disp = TrainingSizeDisplay.from_estimators(
    {"single": linear, "sequential": SequentialDigitSumClassifier(linear)},
    train.data, {"single": train.target, "sequential": train.digits},
    test.data, test.target, train_sizes=sizes, random_state=0,
)
disp.ax_.set_title("Test accuracy of the predicted sum")
savefig(disp.figure_, "single_vs_sequential_accuracy")
