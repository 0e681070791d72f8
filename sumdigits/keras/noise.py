"""Gaussian noise on hidden activations and on their gradients (report 004, section 5.1).

:class:`NoiseInjection` is a Keras layer placed after a hidden layer. While
training it adds ``N(0, forward_stddev**2)`` noise to the activations in the
forward pass and ``N(0, backward_stddev**2)`` noise to the gradient that flows
back through it in the backward pass; at inference it is the identity. The
backward noise leaves the layer's output unchanged: only the weights below it
learn from a noisy gradient. It is written with :func:`keras.ops.custom_gradient`
and :mod:`keras.random`, the public Keras 3 API.
"""

from __future__ import annotations

import numbers

import keras
from keras import ops

__all__ = ["NoiseInjection"]


def _check_stddev(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a non-negative float, got {type(value).__name__}.")
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{name} must be a finite non-negative float, got {value!r}.")
    return float(value)


@keras.saving.register_keras_serializable(package="sumdigits")
class NoiseInjection(keras.layers.Layer):
    """Gaussian noise on activations (forward pass) and on gradients (backward pass).

    Active only while training (``training=True``, as in ``model.fit``); at
    inference the layer returns its input unchanged.

    Parameters
    ----------
    forward_stddev : float, default=0.0
        Standard deviation of the noise added to the activations in the forward
        pass; 0 adds none.
    backward_stddev : float, default=0.0
        Standard deviation of the noise added to the gradient with respect to the
        activations in the backward pass; 0 adds none. The forward output is not
        changed by it.
    seed : int or None, default=None
        Seed of the layer's :class:`keras.random.SeedGenerator`.
    **kwargs
        Passed to :class:`keras.layers.Layer` (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits.keras.noise import NoiseInjection
    >>> layer = NoiseInjection(forward_stddev=1.0, seed=0)
    >>> x = np.ones((2, 3), dtype="float32")
    >>> bool((np.asarray(layer(x, training=False)) == x).all())
    True
    >>> bool((np.asarray(layer(x, training=True)) != x).any())
    True
    """

    def __init__(self, forward_stddev=0.0, backward_stddev=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.forward_stddev = _check_stddev(forward_stddev, "forward_stddev")
        self.backward_stddev = _check_stddev(backward_stddev, "backward_stddev")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise TypeError(f"seed must be an int or None, got {type(seed).__name__}.")
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training:
            return inputs
        outputs = inputs
        if self.forward_stddev > 0:
            outputs = outputs + keras.random.normal(ops.shape(inputs), stddev=self.forward_stddev,
                                                    dtype=inputs.dtype, seed=self.seed_generator)
        if self.backward_stddev > 0:
            # drawn in the forward pass, added to the gradient in the backward pass
            noise = keras.random.normal(ops.shape(inputs), stddev=self.backward_stddev,
                                        dtype=inputs.dtype, seed=self.seed_generator)
            outputs = _noisy_gradient(outputs, noise)
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "forward_stddev": self.forward_stddev,
                "backward_stddev": self.backward_stddev, "seed": self.seed}


@ops.custom_gradient
def _noisy_gradient(x, noise):
    """``x`` itself; the gradient flowing back through it gets ``noise`` added."""
    def grad(*args, upstream=None):
        if upstream is None:
            (upstream,) = args
        return upstream + noise, ops.zeros_like(noise)

    return ops.copy(x), grad
