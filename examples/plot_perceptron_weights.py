"""
A perceptron on digits: its weights as images and its error per iteration
==========================================================================

Reproduces report 002, Figs 3-5.

Report 002 trained a perceptron by hand: one random training digit per
iteration, 1,000 iterations, a learning rate that drops by 0.1 every 100
iterations (:class:`~sumdigits.perceptron.StepDecayPerceptron`). Its weights
have one value per pixel, so they can be looked at as images (figures 3 and
5): for a pair of digits, red pixels vote for the second class and blue ones
for the first, and the picture shows the strokes that tell them apart. With
ten classes (one-vs-rest) each class gets its own template. The error rate on
the training set after each iteration shows how fast it learns.
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from _gallery import quick_mode, savefig
from sumdigits import load_mnist
from sumdigits.perceptron import StepDecayPerceptron
from sumdigits.plotting import WeightImagesDisplay

QUICK = quick_mode()  # SUMDIGITS_EXAMPLES_QUICK=1: small sizes, for CI
(X_train, y_train), (X_test, y_test) = load_mnist(os.environ.get("SUMDIGITS_DATA", "embedded"))
X_train = X_train.reshape(len(X_train), -1) / 255.0
X_test = X_test.reshape(len(X_test), -1) / 255.0
n = 500 if QUICK else 3_000  # training digits per experiment
max_iter = 300 if QUICK else 1_000

# %%
# Two binary problems: 0 vs 1 and 5 vs 6
# --------------------------------------
pairs = [(0, 1), (5, 6)]
binary = {}
fig, axes = plt.subplots(1, 2, figsize=(7, 3.4), layout="constrained")
for ax, (a, b) in zip(axes, pairs):
    train, test = np.isin(y_train, (a, b)), np.isin(y_test, (a, b))
    clf = StepDecayPerceptron(max_iter=max_iter, random_state=0)
    clf.fit(X_train[train][:n], y_train[train][:n])
    binary[f"{a} vs {b}"] = clf
    disp = WeightImagesDisplay.from_estimator(clf, ax=ax)  # the grid replaces ax
    disp.axes_[0, 0].set_title(f"{b} (red) vs {a} (blue): test acc. "
                 f"{clf.score(X_test[test], y_test[test]):.3f}", fontsize=9)
savefig(fig, "perceptron_binary_weights")

# %%
# Ten classes, one-vs-rest
# ------------------------
multi = StepDecayPerceptron(max_iter=max_iter, random_state=0).fit(X_train[:n], y_train[:n])
disp = WeightImagesDisplay.from_estimator(multi)
disp.figure_.suptitle(f"one-vs-rest perceptron weights, test accuracy "
                      f"{multi.score(X_test, y_test):.3f}")
savefig(disp.figure_, "perceptron_multiclass_weights")

# %%
# Training error per iteration
# ----------------------------
# ``errors_`` holds the error rate on the whole training set after each
# iteration; the dotted line is the learning rate of the step schedule.
fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
for name, clf in {**binary, "ten classes": multi}.items():
    ax.plot(np.arange(1, clf.n_iter_ + 1), clf.errors_, label=name)
ax.set(xlabel="Iteration (samples drawn)", ylabel="Training error rate", ylim=(0, 1))
ax.grid(True, alpha=0.3)
ax2 = ax.twinx()
ax2.plot(np.arange(1, multi.n_iter_ + 1), multi.learning_rates_, ":", color="gray",
         label="learning rate")
ax2.set(ylabel="Learning rate", ylim=(0, 1.05))
lines = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
ax.legend(lines, [line.get_label() for line in lines], fontsize=8)
ax.set_title("StepDecayPerceptron: training error")
savefig(fig, "perceptron_errors")
