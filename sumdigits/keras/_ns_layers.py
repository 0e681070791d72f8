"""The pieces of the neuro-symbolic network: layers, loss, metric, builder and the
digit-relabelling check.

:class:`FoldDigits` and :class:`PositionSums` (with :func:`sum_nll` and
:func:`sum_accuracy`) turn the digit network's outputs into the distribution of the
sum (:mod:`sumdigits.keras._ns_graph`); :func:`build_neurosymbolic` assembles the
network; :class:`DigitShiftCheck` undoes the two wrong labellings of the digits that
the sums alone do not rule out (:data:`RELABELLINGS`). The estimators are in
:mod:`sumdigits.keras.neurosymbolic`.
"""

from __future__ import annotations

import numbers

import keras
import numpy as np
from keras import layers, ops

from ._batch_norm import restore_batch_norm_statistics, set_batch_norm_statistics
from ._data import _weighted_samples
from ._ns_graph import is_most_probable_position_sums, position_sum_proba, sum_log_proba
from ._predict import predict_in_batches

__all__ = [
    "DigitShiftCheck",
    "FoldDigits",
    "PositionSums",
    "build_neurosymbolic",
    "sum_accuracy",
    "sum_nll",
]

DIGIT_LAYER = "digit_classifier"
AUGMENTATION_LAYER = "augmentation"
#: d -> (d + 5) mod 10: besides the identity, the one relabelling of the ten digits
#: that keeps every sum of two digits modulo 10 (2 x 5 = 10); it is its own inverse.
HALF_SHIFT = (np.arange(10) + 5) % 10


def _unfold_matrix():
    # column d: half of each neighbour d - 1 and d + 1, reflected at the ends (-1 -> 0, 10 -> 9)
    unfold = np.zeros((10, 10))
    for digit in range(10):
        for neighbour in (digit - 1, digit + 1):
            unfold[min(max(neighbour, 0), 9), digit] += 0.5
    return unfold


#: The reading that undoes the folded labelling: new logit of digit d =
#: the mean of the logits of classes d - 1 and d + 1 (the classes a network that reads
#: every digit d as half d - 1, half d + 1 puts d's images in), with the neighbours
#: beyond 0 and 9 reflected onto 0 and 9. Every column sums to 1, so it keeps the
#: softmax's invariance to adding a constant to all logits.
UNFOLD = _unfold_matrix()
#: The re-readings :class:`DigitShiftCheck` tries, as linear maps of the last layer's
#: logits (``z -> z @ A``), by the name of their entry in the epoch's logs.
RELABELLINGS = {"digit_shift": np.eye(10)[:, HALF_SHIFT], "digit_unfold": UNFOLD}


@keras.saving.register_keras_serializable(package="sumdigits")
class FoldDigits(layers.Layer):
    """Samples of 2N digits (n, 2N, ...) <-> one batch of digits (n * 2N, ...). No weights.

    ``FoldDigits()`` merges the digits into the batch, ``FoldDigits(n_parts=2N)``
    splits them back. Between the two, a network sees every digit of the batch in
    one call: unlike ``keras.layers.TimeDistributed``, which calls it once per digit
    position (2N copies in the graph, batch statistics per position), the graph
    has the same size for any N.
    """

    def __init__(self, n_parts=None, **kwargs):
        super().__init__(**kwargs)
        self.n_parts = n_parts

    def call(self, inputs):
        if self.n_parts is None:
            return ops.reshape(inputs, (-1, *inputs.shape[2:]))
        return ops.reshape(inputs, (-1, self.n_parts, *inputs.shape[1:]))

    def compute_output_shape(self, input_shape):
        if self.n_parts is None:
            return (None, *input_shape[2:])
        return (None, self.n_parts, *input_shape[1:])

    def get_config(self):
        return {**super().get_config(), "n_parts": self.n_parts}


@keras.saving.register_keras_serializable(package="sumdigits")
class PositionSums(layers.Layer):
    """Digit distributions (n, 2N, 10) -> distributions of the position sums (n, N, 19).

    Digits ``0..N-1`` are the first number, ``N..2N-1`` the second, most significant
    first; output ``[:, j]`` is the distribution of ``a_j + b_j``
    (:func:`sumdigits.keras._ns_graph.position_sum_proba`). No weights.
    """

    def call(self, digit_proba):
        n_digits = digit_proba.shape[1] // 2
        return position_sum_proba(ops.reshape(digit_proba, (-1, 2, n_digits,
                                                            digit_proba.shape[2])))

    def compute_output_shape(self, input_shape):
        k = input_shape[2]
        return (input_shape[0], input_shape[1] // 2, 2 * k - 1)


@keras.saving.register_keras_serializable(package="sumdigits")
def sum_nll(y_true, y_pred):
    """Negative log-likelihood of the observed sums, per sample.

    ``y_true`` (n, N + 1) holds each observed sum as its N + 1 decimal digits
    (:func:`sumdigits._sums.sums_to_digits`); ``y_pred`` the position-sum
    distributions (n, N, 19) of :class:`PositionSums`. Exact, O(N) per sample
    (:func:`sumdigits.keras._ns_graph.sum_log_proba`).
    """
    sum_digits = ops.reshape(ops.cast(y_true, "int32"), (-1, 1, y_pred.shape[1] + 1))
    return -ops.reshape(sum_log_proba(y_pred, sum_digits), (-1,))


@keras.saving.register_keras_serializable(package="sumdigits")
def sum_accuracy(y_true, y_pred):
    """1 where the sum of the most probable position sums is the observed sum.

    ``y_true`` as in :func:`sum_nll`. The predicted sum is the most probable pair
    (sum, carries), the Viterbi path over positions and carries
    (:func:`sumdigits.keras._ns_graph.is_most_probable_position_sums`), cheap
    inside the graph for any N: the exact most probable sum for N = 1, an
    approximation of it (which :meth:`NeuroSymbolicSumClassifier.predict` computes
    exactly) for more digits.
    """
    return is_most_probable_position_sums(y_pred, ops.cast(y_true, "int32"))


class DigitShiftCheck(keras.callbacks.Callback):
    """At the end of every epoch, keep the best of three readings of the digit classes.

    Two wrong labellings of the digits explain the sums of long numbers well enough
    to be local optima of the sum likelihood, which gradient steps do not leave:

    - the half shift, every digit d read as ``(d + 5) mod 10`` (:data:`HALF_SHIFT`).
      It changes no position sum modulo 10, so it writes every digit of a sum as the
      true digits do, up to the carries between positions. For one-digit numbers the
      sum (0..18) shows the carry and tells the two labellings apart at once; for long
      numbers only the carries do.
    - the fold, every digit d read as half ``d - 1``, half ``d + 1`` (0 mostly as 1,
      9 as 8). Every reading then has the wrong parity, and a position sum
      ``a + b`` is read as ``a + b - 2``, ``a + b`` or ``a + b + 2`` with
      probabilities 1/4, 1/2, 1/4: the true sum stays the most probable one, and
      the likelihood of each position's sum is 1/2 instead of 1. Once the other
      digits are read so, reading a digit right gives every sum the wrong parity, so
      no single digit's reading can improve by itself. The network still tells the
      digits apart: ``d`` is the class midway between the two it uses, which
      :data:`UNFOLD` reads.

    Each is undone by a linear map ``A`` of the logits of the network's last layer
    (a ``Dense`` layer of 10 units before the softmax), applied exactly to its
    weights: ``kernel @ A``, ``bias @ A`` (:data:`RELABELLINGS`; for the shift, a
    permutation of the units). The check reads the digits of the first training
    samples of weight > 0 (at most ``n_images`` digit images) at inference, with
    batch normalisation set to the exact statistics of those images for the
    reading and put back after it, and compares the negative log-likelihood of
    their sums (:func:`sum_nll`) under the network as it is and under each
    re-reading (from the logs of its probabilities, which differ from its logits by
    a constant per image). A re-reading is applied only when it lowers the
    likelihood's weighted mean by more than ``z`` standard errors of the paired,
    per-sample differences; of those, the lowest wins. A network that is still
    near chance level, whose readings differ by noise, is left as it is. It uses
    the sum labels only. The optimizer's running moments of that layer are left
    as they are. ``digit_shift`` and ``digit_unfold`` in the epoch's logs (and
    ``history_``) are 1.0 where that re-reading was applied, else 0.0.

    Parameters
    ----------
    n_images : int, default=4096
        Digit images (training samples x 2N) the readings are compared on.
    z : float, default=3.0
        How many standard errors a re-reading must gain by to be applied.

    Examples
    --------
    >>> from sumdigits.keras import NeuroSymbolicSumClassifier
    >>> from sumdigits.keras._ns_layers import HALF_SHIFT, UNFOLD
    >>> [(3 + 4) % 10, int(HALF_SHIFT[3] + HALF_SHIFT[4]) % 10]  # 8 + 9 = 17 writes 7 too
    [7, 7]
    >>> [int(d) for d in UNFOLD[:, 4].nonzero()[0]]  # digit 4 read from classes 3 and 5
    [3, 5]
    >>> NeuroSymbolicSumClassifier(n_digits=100).get_params()["digit_shift_check"]
    True
    """

    def __init__(self, n_images=4096, z=3.0):
        super().__init__()
        if (not isinstance(n_images, numbers.Integral) or isinstance(n_images, bool)
                or n_images < 1):
            raise ValueError(f"n_images must be an int >= 1, got {n_images!r}.")
        if (not isinstance(z, numbers.Real) or isinstance(z, bool) or not np.isfinite(z)
                or z < 0):
            raise ValueError(f"z must be a finite real >= 0, got {z!r}.")
        self.n_images = n_images
        self.z = float(z)
        self.X = self.y = self.weights = None

    def set_training_data(self, X, y, sample_weight=None):
        """Keep the first training samples of weight > 0, at most ``n_images`` digit images.

        Parameters
        ----------
        X : ndarray of shape (n_samples, 2N, height, width, 1)
            The encoded training samples.
        y : ndarray of shape (n_samples, N + 1)
            Their sums, as digits.
        sample_weight : ndarray of shape (n_samples,), default=None
            The training weights: the likelihoods are averaged with them, as the
            training loss is (:mod:`sumdigits.keras.losses`).
        """
        X, y, weights = _weighted_samples(X, y, sample_weight)
        n_samples = max(1, self.n_images // X.shape[1])
        self.X, self.y, self.weights = X[:n_samples], y[:n_samples], weights[:n_samples]

    def _sum_nll(self, digit_proba):
        return ops.convert_to_numpy(sum_nll(self.y, position_sum_proba(digit_proba)))

    def _is_clearly_better(self, nll, reference):
        """True where the weighted mean of ``reference - nll`` exceeds ``z`` standard errors."""
        gain = np.asarray(reference, np.float64) - np.asarray(nll, np.float64)
        total = self.weights.sum()
        mean = float(np.dot(self.weights, gain) / total)
        error = float(np.sqrt(np.dot(self.weights ** 2, (gain - mean) ** 2)) / total)
        return mean > self.z * error

    def _digit_proba(self, network):
        """The network's digit probabilities of the check's samples, (n, 2, N, 10).

        Read at inference with batch normalisation set to the exact statistics of
        these images, then put back: early in a fit the moving averages still
        remember their start, and the network would be read at chance level.
        """
        n_samples, n_parts = self.X.shape[:2]
        images = self.X.reshape(-1, *self.X.shape[2:])
        previous = set_batch_norm_statistics(network, images)
        try:
            proba = predict_in_batches(network, images)
        finally:
            restore_batch_norm_statistics(previous)
        return np.asarray(proba, dtype=np.float64).reshape(n_samples, 2, n_parts // 2, 10)

    def on_epoch_end(self, epoch, logs=None):
        network = self.model.get_layer(DIGIT_LAYER)
        last = network.layers[-1]
        if not (isinstance(last, layers.Dense) and last.units == 10):
            raise TypeError("DigitShiftCheck needs a digit network ending in a Dense layer of "
                            f"10 units; it ends in {last.name!r} ({type(last).__name__}).")
        proba = self._digit_proba(network)
        logits = np.log(np.maximum(proba, np.finfo(np.float32).tiny))
        current = self._sum_nll(proba)
        best, best_nll = None, current
        for name, matrix in RELABELLINGS.items():
            read = logits @ matrix
            read = np.exp(read - read.max(axis=-1, keepdims=True))
            nll = self._sum_nll(read / read.sum(axis=-1, keepdims=True))
            if self._is_clearly_better(nll, current) and np.dot(self.weights, nll) < np.dot(
                    self.weights, best_nll):
                best, best_nll = name, nll
        if best is not None:
            kernel, bias = last.get_weights()
            matrix = RELABELLINGS[best]
            last.set_weights([(kernel @ matrix).astype(kernel.dtype),
                              (bias @ matrix).astype(bias.dtype)])
        if logs is not None:
            logs.update({name: float(name == best) for name in RELABELLINGS})

    def on_train_end(self, logs=None):
        # the estimator keeps its callbacks: no training data in them
        self.X = self.y = self.weights = None


def build_neurosymbolic(input_shape, digit_network, *, shift_range=0.0, rotation_range=0.0,
                        seed=None, head=None):
    """The neuro-symbolic network around a digit network: the sum's, or ``head``'s.

    Parameters
    ----------
    input_shape : tuple of int
        ``(2N, height, width, 1)``: the 2N digit images of a sample, the N digits of
        the first number then the N of the second, most significant first (or, with
        a ``head``, the ``(k, height, width, 1)`` digit images it combines).
    digit_network : keras.Model
        Maps one digit image ``(height, width, 1)`` to 10 softmax outputs (e.g.
        :func:`sumdigits.keras.builders.build_cnn`). It is shared by all the digits
        of a sample and becomes the layer named ``"digit_classifier"``.
    shift_range : float, default=0.0
        Largest random shift of each digit during training, as a fraction of its
        height and width (``keras.layers.RandomTranslation``); 0 for none.
    rotation_range : float, default=0.0
        Largest random rotation of each digit during training, in degrees
        (``keras.layers.RandomRotation``); 0 for none.
    seed : int, default=None
        Seed of the augmentation.
    head : keras.layers.Layer, default=None
        What the model outputs from the digit distributions (n, k, 10) of its
        samples; None for the sum of two numbers, ``PositionSums()``. For instance
        :class:`~sumdigits.keras.digit_functions.FunctionLikelihood`.

    Returns
    -------
    keras.Model
        Uncompiled; without a ``head``, its output (n, N, 19) is the distribution
        of each position's digit sum, to be trained with :func:`sum_nll`.

    Examples
    --------
    >>> from sumdigits.keras.builders import build_cnn
    >>> from sumdigits.keras.neurosymbolic import build_neurosymbolic
    >>> digits = build_cnn((28, 28, 1), 10, filters=[4], hidden_layer_sizes=[8])
    >>> build_neurosymbolic((4, 28, 28, 1), digits).output_shape  # two 2-digit numbers
    (None, 2, 19)
    """
    inputs = keras.Input(shape=tuple(input_shape), name="digits")
    x = FoldDigits(name="fold_digits")(inputs)  # every digit of the batch at once
    augmentation = []
    if shift_range:
        augmentation.append(layers.RandomTranslation(shift_range, shift_range,
                                                     fill_mode="constant", seed=seed))
    if rotation_range:
        augmentation.append(layers.RandomRotation(rotation_range / 360.0, fill_mode="constant",
                                                  seed=seed))
    if augmentation:
        augment = keras.Sequential([keras.Input(shape=tuple(input_shape[1:])), *augmentation],
                                   name=AUGMENTATION_LAYER)
        x = augment(x)
    # the digit network under the name the estimator's digit_network_ reads
    digit_network = keras.Model(digit_network.input, digit_network.output, name=DIGIT_LAYER)
    x = FoldDigits(n_parts=input_shape[0], name="unfold_digits")(digit_network(x))
    outputs = (PositionSums(name="position_sums") if head is None else head)(x)
    return keras.Model(inputs, outputs, name="neurosymbolic")
