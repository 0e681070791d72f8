"""Batch normalisation's statistics, computed exactly on a set of images.

:class:`BatchNormStatistics` sets the moving statistics of every batch-normalisation
layer at the end of training; :func:`set_batch_norm_statistics` and
:func:`restore_batch_norm_statistics` set and put back the statistics of a network for
one reading. Public through :mod:`sumdigits.keras.callbacks`.
"""

from __future__ import annotations

import numbers

import keras
import numpy as np

from ._data import _weighted_samples

__all__ = ["BatchNormStatistics", "restore_batch_norm_statistics", "set_batch_norm_statistics"]


#: Images per pass of :class:`BatchNormStatistics`: 256 digit images through a first
#: convolution of 32 maps are 51 MB of float64 activations.
_STATISTICS_CHUNK = 256


class BatchNormStatistics(keras.callbacks.Callback):
    """At the end of training, set batch normalisation's moving statistics exactly.

    Batch normalisation normalises with the statistics of the batch in training
    and with moving averages of them at inference. The averages forget their
    start (mean 0, variance 1) at the rate ``momentum`` per step: after ``k``
    steps a share ``momentum ** k`` of it remains, 15 % after 94 steps at 0.98, and
    a network whose activations have a variance far from 1 is then normalised
    wrongly at inference: a small fit (a few hundred images, a few epochs) can
    predict at chance level on its own training data while it fitted them well
    in training mode. The averages also follow the augmented images of training
    (shifted, rotated), not the images the network predicts on.

    At the end of training this callback takes the training inputs (at most
    ``n_images`` of them, evenly spaced over the training data, samples of weight
    0 left out; passed through ``augmentation`` in training mode if given, as in
    training), and for every ``BatchNormalization`` layer in the order of the
    network sets ``moving_mean`` and ``moving_variance`` to the mean and variance
    (over everything but the channel axis) of that layer's inputs, computed in
    float64 at inference, with the layers before it already set. After it the
    network at inference normalises those images exactly as it would with the
    statistics of that whole set as one batch. Trainable weights are not touched.

    Parameters
    ----------
    n_images : int, default=10000
        Most images the statistics are computed on.
    layer : str, default=None
        Name of the sub-model whose batch normalisation is set, for a network
        built around one, such as the digit network ``"digit_classifier"`` of
        the neuro-symbolic estimators: each training sample is then cut into
        that sub-model's inputs (every digit image of a sample). None: the whole
        model, on the training samples.
    augmentation : str, default=None
        Name of the model's layer that augments the inputs of ``layer`` in
        training (for the neuro-symbolic estimators, ``"augmentation"``: their
        random shifts and rotations). The statistics are then those of the
        augmented images, which the network was normalised with in training (the
        estimate of "precise BatchNorm", Wu and Johnson, 2021); None: of the
        images as given.

    Attributes
    ----------
    n_images_ : int
        The images the statistics were computed on in the last training.

    Examples
    --------
    >>> import numpy as np
    >>> import keras
    >>> from sumdigits.keras.callbacks import BatchNormStatistics
    >>> X = np.random.default_rng(0).normal(3.0, 2.0, size=(64, 2)).astype("float32")
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.BatchNormalization()])
    >>> model.compile(loss="mse")
    >>> callback = BatchNormStatistics()
    >>> callback.set_training_data(X, X)
    >>> _ = model.fit(X, X, epochs=1, verbose=0, callbacks=[callback])
    >>> bn = model.layers[0]
    >>> bool(np.allclose(bn.moving_mean.numpy(), X.mean(axis=0), rtol=1e-5))
    True
    """

    def __init__(self, n_images=10_000, layer=None, augmentation=None):
        super().__init__()
        if (not isinstance(n_images, numbers.Integral) or isinstance(n_images, bool)
                or n_images < 1):
            raise ValueError(f"n_images must be an int >= 1, got {n_images!r}.")
        for name, value in (("layer", layer), ("augmentation", augmentation)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name} must be a layer name (str) or None, got {value!r}.")
        self.n_images = n_images
        self.layer = layer
        self.augmentation = augmentation
        self.X = None

    def set_training_data(self, X, y, sample_weight=None):
        """Called by the sumdigits estimators with the encoded training data.

        Parameters
        ----------
        X : ndarray of shape (n_samples, ...)
            The training inputs, as the network sees them.
        y : ndarray
            Their encoded targets (not used).
        sample_weight : ndarray of shape (n_samples,), default=None
            Samples of weight 0 are left out.
        """
        self.X = _weighted_samples(X, y, sample_weight)[0]

    def _network_and_images(self):
        network = self.model if self.layer is None else self.model.get_layer(self.layer)
        images = np.asarray(self.X)
        if self.layer is not None:  # every part of a sample is one input of the sub-model
            images = images.reshape(-1, *network.inputs[0].shape[1:])
        n = min(len(images), self.n_images)
        return network, images[np.linspace(0, len(images) - 1, n).round().astype(np.intp)]

    def on_train_end(self, logs=None):
        if self.X is None:
            raise ValueError("BatchNormStatistics needs the training data: use it inside a "
                             "sumdigits Keras estimator, or call set_training_data first.")
        network, images = self._network_and_images()
        self.X = None  # the estimator keeps its callbacks: no training data in them
        if self.augmentation is not None:  # the same images, augmented as in training
            augment = self.model.get_layer(self.augmentation)
            images = np.concatenate([
                np.asarray(augment(images[i:i + _STATISTICS_CHUNK], training=True))
                for i in range(0, len(images), _STATISTICS_CHUNK)])
        self.n_images_ = len(images)
        set_batch_norm_statistics(network, images)


def set_batch_norm_statistics(network, images):
    """Set every batch normalisation's moving statistics to those of ``images``.

    For every ``BatchNormalization`` layer of ``network``, in its order, sets
    ``moving_mean`` and ``moving_variance`` to the mean and variance (over
    everything but the channel axis) of that layer's inputs when ``network``
    reads ``images`` at inference, computed in float64, with the layers before
    it already set. After it the network at inference normalises ``images``
    exactly as it would in training with all of them as one batch. Trainable
    weights are not touched.

    Parameters
    ----------
    network : keras.Model
        A functional or sequential model with a single input.
    images : ndarray of shape (n_images, ...)
        Inputs of ``network``.

    Returns
    -------
    previous : list of (layer, moving_mean, moving_variance)
        The statistics replaced, as arrays, to put back with
        :func:`restore_batch_norm_statistics`.

    Examples
    --------
    >>> import numpy as np
    >>> import keras
    >>> from sumdigits.keras.callbacks import (restore_batch_norm_statistics,
    ...                                        set_batch_norm_statistics)
    >>> X = np.random.default_rng(0).normal(3.0, 2.0, size=(64, 2)).astype("float32")
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.BatchNormalization()])
    >>> previous = set_batch_norm_statistics(model, X)
    >>> bool(np.allclose(model.layers[0].moving_mean.numpy(), X.mean(axis=0), rtol=1e-5))
    True
    >>> restore_batch_norm_statistics(previous)
    >>> model.layers[0].moving_mean.numpy().tolist()
    [0.0, 0.0]
    """
    previous = []
    for layer in network.layers:
        if not isinstance(layer, keras.layers.BatchNormalization):
            continue
        previous.append((layer, layer.moving_mean.numpy(), layer.moving_variance.numpy()))
        inputs = keras.Model(network.inputs[0], layer.input)  # called with one array
        count, mean, m2 = 0, 0.0, 0.0  # Chan et al.'s pairwise update, per channel
        for start in range(0, len(images), _STATISTICS_CHUNK):
            # called, not predicted: a traced predict function per sub-model would
            # make TensorFlow warn of retracing
            h = np.asarray(keras.ops.convert_to_numpy(
                inputs(images[start:start + _STATISTICS_CHUNK], training=False)),
                dtype=np.float64)
            h = np.moveaxis(h, layer.axis, -1).reshape(-1, h.shape[layer.axis])
            k, batch_mean = len(h), h.mean(axis=0)
            delta = batch_mean - mean
            m2 = m2 + ((h - batch_mean) ** 2).sum(axis=0) + delta ** 2 * count * k / (count + k)
            mean = mean + delta * k / (count + k)
            count += k
        layer.moving_mean.assign(mean.astype(layer.moving_mean.dtype))
        layer.moving_variance.assign((m2 / count).astype(layer.moving_variance.dtype))
    return previous


def restore_batch_norm_statistics(previous):
    """Put back the statistics that :func:`set_batch_norm_statistics` replaced."""
    for layer, mean, variance in previous:
        layer.moving_mean.assign(mean)
        layer.moving_variance.assign(variance)
