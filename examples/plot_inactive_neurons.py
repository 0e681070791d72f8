"""
Inactive neurons: sigmoid, tanh and ReLU
========================================

Report 004 (figure 5) counted the hidden units of a fully connected network
that stop learning: a unit is *inactive* when the gradient of the loss with
respect to each of its weights is below 1e-5. ReLU units whose input is
negative on every sample have a gradient of exactly zero ("dead" units), and
saturated sigmoid units a vanishing one. The
:class:`~sumdigits.keras.InactiveNeuronFraction` callback measures the share
of inactive hidden units after each epoch on a sample of the training data,
and the estimator keeps it in ``history_`` beside the loss.

In this short run only the ReLU network loses units (about one in seven
stays at zero gradient from the first epoch on); the sigmoid and tanh
networks keep all theirs, their curves lie on top of each other at 0.
Report 004 trained longer and saw the ReLU share grow to over 90 %.
"""

import os

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from sumdigits import load_mnist
from sumdigits.keras import FCNNClassifier, InactiveNeuronFraction
from sumdigits.plotting import TrainingHistoryDisplay, quick_mode, savefig

QUICK = quick_mode()  # SUMDIGITS_EXAMPLES_QUICK=1: small sizes, for CI
(X_train, y_train), (X_test, y_test) = load_mnist(os.environ.get("SUMDIGITS_DATA", "embedded"))

n_train, epochs = (600, 3) if QUICK else (5_000, 10)

# %%
# One network per activation
# --------------------------
# The same deep, narrow network; a high learning rate pushes units into
# their dead or saturated regions.
fits = {}
for activation in ("sigmoid", "tanh", "relu"):
    clf = FCNNClassifier(hidden_layer_sizes=[128, 128, 128, 128], activation=activation,
                         learning_rate_init=3e-3, epochs=epochs, random_state=0,
                         callbacks=[InactiveNeuronFraction(n_samples=256)])
    fits[activation] = clf.fit(X_train[:n_train], y_train[:n_train])
    print(f"{activation}: test accuracy {clf.score(X_test, y_test):.3f}, inactive after the "
          f"last epoch {clf.history_['inactive_fraction'][-1]:.2f}")

# %%
# Inactive share and loss per epoch
# ---------------------------------
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
markers = {"sigmoid": "s", "tanh": "o", "relu": "^"}
for activation, clf in fits.items():
    TrainingHistoryDisplay.from_estimator(clf, name=activation,
                                          metrics=["inactive_fraction", "loss"], ax=axes,
                                          line_kw={"marker": markers[activation],
                                                   "markersize": 6, "alpha": 0.8})
axes[0].set(ylabel="Share of inactive hidden units", ylim=(-0.02, 1.02))
axes[0].set_title("inactive units (|gradient| < 1e-5)")
axes[1].set_title("training loss")
for ax in axes:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
savefig(fig, "inactive_neurons")
