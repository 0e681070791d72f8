"""
Pair data sets and the distribution of their sums
=================================================

Reproduces report 000, Figs 1-2, and report 001, Figs 1-2.

Two MNIST digits side by side make a *pair image*, labelled with their sum
(0..18). How the pairs are drawn decides how often each sum occurs:

* drawing two digits at random (report 001) gives a bell-shaped distribution,
  with few pairs summing to 0 or 18 (only ``0 + 0`` does) and many summing to 9;
* ``strategy="stratified"`` (report 000) gives every ordered digit pair
  ``(a, b)`` the same number of images, so each sum ``s`` occurs in
  proportion to the ``min(s, 18 - s) + 1`` ways of writing it;
* ``strategy="unique"`` draws at most 100 distinct digit pairs, for tiny sets
  (report 000, figure 2).

The training and test pairs are drawn from MNIST's separate training and test
digits, so no handwriting is shared between them.
"""

import os

import matplotlib.pyplot as plt

from _gallery import quick_mode, savefig
from sumdigits import load_mnist, make_digit_pairs
from sumdigits.plotting import PairGridDisplay, SumDistributionDisplay

QUICK = quick_mode()  # SUMDIGITS_EXAMPLES_QUICK=1: small sizes, for CI
(X_train, y_train), (X_test, y_test) = load_mnist(os.environ.get("SUMDIGITS_DATA", "embedded"))

# %%
# Stratified pairs, a large and a tiny set
# ----------------------------------------
# Report 000 drew 80,000 stratified training pairs; 50 pairs can only be
# drawn as distinct digit pairs.
n_large = 2_000 if QUICK else 80_000
large = make_digit_pairs(X_train, y_train, n_large, strategy="stratified", random_state=0)
tiny = make_digit_pairs(X_train, y_train, 50, strategy="unique", random_state=0)

fig, axes = plt.subplots(1, 2, figsize=(11, 3.5), layout="constrained")
SumDistributionDisplay.from_labels(large.target, ax=axes[0])
axes[0].set_title(f"{n_large:,} stratified pairs")
SumDistributionDisplay.from_labels(tiny.target, ax=axes[1])
axes[1].set_title("50 distinct digit pairs")
savefig(fig, "pair_datasets_stratified")

# %%
# Random pairs: training, validation and test sets
# ------------------------------------------------
# Report 001 paired digits at random. The three sets share the bell shape;
# plotted as fractions, sets of different sizes compare directly.
train = make_digit_pairs(X_train, y_train, strategy="disjoint", random_state=1)
n_val = len(train.target) // 5
test = make_digit_pairs(X_test, y_test, strategy="disjoint", random_state=2)
disp = SumDistributionDisplay.from_labels(
    {"training": train.target[n_val:], "validation": train.target[:n_val], "test": test.target},
    normalize=True,
)
disp.ax_.set_title("Random pairs: every digit used once")
savefig(disp.figure_, "pair_datasets_random")

# %%
# What the pairs look like
# ------------------------
# Each image is 28 x 56 pixels; the title is its label.
grid = PairGridDisplay.from_predictions(test.data, test.target, n_images=10, random_state=0)
savefig(grid.figure_, "pair_datasets_examples")
