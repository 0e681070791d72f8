"""
Gaussian noise on activations and gradients, with smoothed learning curves
==========================================================================

Report 004 (section 5.1, figures 6-7) added Gaussian noise to the hidden
activations in the forward pass and to their gradients in the backward pass:
the backward pass diverged above sigma 0.05 while the forward pass still
converged at sigma 1. :class:`~sumdigits.keras.noise.NoiseInjection` is that
noise as a Keras layer, active only while training. Here it follows each hidden
layer of report 004's sigmoid MLP (500-250-100, SGD at 0.05, batch 64), and the
test loss per epoch of each setting is drawn with the exponential smoothing of
report 002 (figure 6): the smoothed curve solid, the true values faint.
"""

import os

import matplotlib.pyplot as plt

from sumdigits import load_mnist
from sumdigits.keras import NoiseInjection  # loads TensorFlow quietly, before keras
from sumdigits.plotting import TrainingHistoryDisplay, quick_mode, savefig

import keras  # noqa: E402, I001

QUICK = quick_mode()  # SUMDIGITS_EXAMPLES_QUICK=1: small sizes, for CI
(X_train, y_train), (X_test, y_test) = load_mnist(os.environ.get("SUMDIGITS_DATA", "embedded"))
n_train, epochs = (1_000, 3) if QUICK else (10_000, 15)
X_train = X_train[:n_train].reshape(n_train, -1).astype("float32") / 255
y_train = y_train[:n_train]
X_test = X_test.reshape(len(X_test), -1).astype("float32") / 255


def mlp(forward=0.0, backward=0.0, seed=0):
    """Report 004's baseline with noise after every hidden layer."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((784,))
    hidden = inputs
    for units in (500, 250, 100):
        hidden = keras.layers.Dense(units, activation="sigmoid")(hidden)
        hidden = NoiseInjection(forward_stddev=forward, backward_stddev=backward,
                                seed=seed)(hidden)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(hidden))
    model.compile(keras.optimizers.SGD(0.05), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


# %%
# Training with noise in either pass
# ----------------------------------
# The test digits are the validation data: ``val_loss`` is the test loss.
settings = {"no noise": {}, "forward 1.0": dict(forward=1.0),
            "backward 0.05": dict(backward=0.05)}
histories = {}
for name, noise in settings.items():
    history = mlp(**noise).fit(X_train, y_train, batch_size=64, epochs=epochs, verbose=0,
                               validation_data=(X_test, y_test))
    histories[name] = history.history
    print(f"{name}: test accuracy {history.history['val_accuracy'][-1]:.3f}")

# %%
# Smoothed test loss and accuracy
# -------------------------------
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
for name, history in histories.items():
    TrainingHistoryDisplay.from_history(history, name=name, metrics=["loss", "accuracy"],
                                        ax=axes, smoothing=0.5)
fig.suptitle("Noise injection (report 004), smoothed at 0.5 (report 002)")
fig.tight_layout()
savefig(fig, "noise_injection_curves")
