"""
Inactive neurons: sigmoid, tanh and ReLU
========================================

Reproduces report 004, Fig 5.

Report 004 (figure 5) counted the inactive neurons of a fully connected
network: those whose gradient magnitude is below 1e-5. The
:class:`~sumdigits.keras.InactiveNeuronFraction` callback measures it on a
sample of the training data in two ways. ``definition="per_unit"`` (the
default) counts the units that stop learning: the gradient of the loss with
respect to each of their weights is below 1e-5. ReLU units whose input is
negative on every sample have a gradient of exactly zero ("dead" units), and
saturated sigmoid units a vanishing one. ``definition="per_sample"`` is the
report's count: the share of (sample, neuron) pairs whose gradient at the
neuron's pre-activation is below 1e-5, so a ReLU network starts near one half,
and every neuron counts as inactive on the samples the network already fits.
Per epoch the share goes into ``history_`` beside the loss; with
``frequency=<steps>`` the callback also records it per training step, as the
report's figure does.

In this short run only the ReLU network loses units (about one in seven
stays at zero gradient from the first epoch on); the sigmoid and tanh
networks keep all theirs, their curves lie on top of each other at 0.
Report 004 trained longer and saw the ReLU share, by its definition, grow
from about half to over 90 %.
"""

import os

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from _gallery import quick_mode, savefig
from sumdigits import load_mnist
from sumdigits.keras import FCNNClassifier, InactiveNeuronFraction
from sumdigits.plotting import TrainingHistoryDisplay

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
                         callbacks=[InactiveNeuronFraction(n_samples=256),
                                    InactiveNeuronFraction(n_samples=256, frequency=5,
                                                           definition="per_sample",
                                                           log_name="per_sample")])
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

# %%
# Report 004's definition, per training step
# ------------------------------------------
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for activation, clf in fits.items():
    per_sample = clf.callbacks_[1]
    ax.plot(per_sample.steps_, per_sample.step_fractions_, label=activation)
ax.set(xlabel="training step", ylabel="Share of inactive (sample, neuron) pairs",
       ylim=(-0.02, 1.02), title="report 004's definition (|gradient| < 1e-5)")
ax.legend()
savefig(fig, "inactive_neurons_per_step")
