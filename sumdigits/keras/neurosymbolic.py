"""Learning digits from sums alone: the MNIST-addition benchmark of neuro-symbolic learning.

:class:`NeuroSymbolicSumClassifier` trains a CNN digit classifier end to end from sum
labels only. Each sample shows two N-digit numbers (``n_digits = N``, a strip of N
digit images each); the one digit network classifies every digit image, the digit
distributions are combined into the exact distribution of the sum inside the Keras
graph (:mod:`sumdigits.keras._ns_graph`: the convolution of
:func:`sumdigits._sums.sum_matrix` at each position, then long addition with
carries), and the network is trained on the negative log-likelihood of the observed
sum. No digit label is ever seen, yet the digit network learns to name the digits.

:func:`build_neurosymbolic` is the network as a plain builder; :func:`sum_nll` and
:func:`sum_accuracy` are its loss and metric, usable with raw Keras.
"""

from __future__ import annotations

import dataclasses
import numbers

import keras
import numpy as np
from keras import layers, ops
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.metrics import accuracy_score
from sklearn.utils.validation import check_is_fitted

from .._geometry import shape_constraint, validation_shape
from .._digits import DigitsMixin
from .._sums import digits_to_sums, max_sum, most_probable_sum_digits, sums_to_digits
from .._validation import check_images, check_samples
from ._base import BaseKerasClassifier
from ._encoders import decide_scale, warn_if_rescaled
from ._ns_graph import (
    MAX_ENUMERATED_DIGITS,
    check_enumerable,
    is_most_probable_position_sums,
    position_sum_proba,
    sum_log_proba,
    sum_proba,
)
from ._ns_numbers import check_numbers, split_numbers
from ._params import Param, base_params, declare, resolve
from ._predict import predict_in_batches
from .builders import DTYPE_POLICIES, OUTPUT_INITIALIZERS, LayerSeeds, build_cnn
from .callbacks import (BatchNormStatistics, _weighted_samples, make_learning_rate_schedule,
                        restore_batch_norm_statistics, set_batch_norm_statistics)
from .losses import weighted_mean_loss
from .estimators import KERNEL_SIZE, _widths, dropout_param, filters_param

# NumberPairEncoder and SumEncoder are the estimator's scikeras encoders (SumEncoder.fit
# takes y alone), parts of NeuroSymbolicSumClassifier rather than public estimators.
__all__ = [
    "DigitShiftCheck",
    "FoldDigits",
    "NeuroSymbolicSumClassifier",
    "PositionSums",
    "build_neurosymbolic",
    "make_learning_rate_schedule",
    "sum_accuracy",
    "sum_nll",
]

DIGIT_LAYER = "digit_classifier"
AUGMENTATION_LAYER = "augmentation"
# The digit network sees all 2N digits of a batch in one call, so its batch
# normalisation updates its moving statistics once per step. Keras' default
# momentum of 0.99 leaves 4 % of the initial variance after 320 steps (a small
# fit's inference then reads wrong statistics); 0.98 is the decay per step that
# TimeDistributed's two calls per step gave at N = 1 before. By default the averages are
# replaced at the end of fit by exact statistics (``batch_norm_statistics``).
_BN_MOMENTUM = 0.98
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


# ----------------------------------------------------------------- graph pieces
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
    >>> from sumdigits.keras.neurosymbolic import HALF_SHIFT, UNFOLD
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


# ------------------------------------------------------------------- encoders
class NumberPairEncoder(TransformerMixin, BaseEstimator):
    """Split samples of two N-digit numbers into their 2N digit images, scaled.

    Parameters
    ----------
    n_digits : int, default=1
    layout : {"horizontal", "vertical"} or None, default="horizontal"
        None: each sample is one number, a strip of ``n_digits`` digits side by
        side (the samples of
        :class:`~sumdigits.keras.digit_functions.NeuroSymbolicFunctionClassifier`).
    digit_shape : tuple of int, "vector" or None, default=None
        (height, width) of one digit of flattened samples (default 28 x 28), or
        "vector": each digit is one row of features (the sample cut in one part
        per digit).
    rescale : "auto", float or None, default="auto"
        As in :class:`~sumdigits.keras._encoders.ImageInputEncoder`.

    Attributes
    ----------
    input_shape_ : tuple of int
        ``(2N, height, width, 1)``, or ``(N, height, width, 1)`` for one number.
    digit_shape_ : tuple of int
        ``(height, width)``.
    image_shape_ : tuple of int
        ``(height, width)`` of a whole sample as an image (samples may be given
        flattened, as images, or with a channel axis of 1).
    scale_ : float
    pixel_range_ : {"0..1", "0..255"} or None
        The range of the data given to ``fit``
        (:func:`~sumdigits.keras._encoders.pixel_range`).
    """

    def __init__(self, *, n_digits=1, layout="horizontal", digit_shape=None, rescale="auto"):
        self.n_digits = n_digits
        self.layout = layout
        self.digit_shape = digit_shape
        self.rescale = rescale

    def _split(self, X):
        """The digit images of samples ``X``, (n, n_numbers, n_digits, height, width)."""
        return split_numbers(X, n_digits=self.n_digits, layout=self.layout,
                             digit_shape=self.digit_shape)

    def fit(self, X, y=None):
        X = np.asarray(X)
        _, geometry = check_numbers(X, n_digits=self.n_digits, layout=self.layout,
                                    digit_shape=self.digit_shape)  # errors name X's shape
        self.digit_shape_ = geometry.digit_shape
        self.image_shape_ = geometry.image_shape
        self.input_shape_ = (geometry.n_parts, *self.digit_shape_, 1)
        self.scale_, self.pixel_range_ = decide_scale(X, self.rescale)
        return self

    def transform(self, X):
        check_is_fitted(self)
        digits = self._split(X)
        return self.scale_digits(digits.reshape(-1, *self.input_shape_[:-1]))

    def scale_digits(self, digits):
        """Digit images as the network takes them: float, scaled, with a channel axis.

        Warns when their values are in [0, 1] and those given to ``fit`` in
        [0, 255], or the reverse (:func:`~sumdigits.keras._encoders.warn_if_rescaled`).
        """
        warn_if_rescaled(digits, self.pixel_range_)
        digits = np.asarray(digits, dtype=keras.backend.floatx())
        if self.scale_ != 1.0:
            digits = digits * self.scale_
        return digits[..., None]


class SumEncoder(TransformerMixin, BaseEstimator):
    """Sums of two N-digit numbers as targets of the network, and back.

    ``transform`` writes each sum as its N + 1 decimal digits, an (n, N + 1) int
    array (exact for sums of any size: no big integer enters TensorFlow).
    ``inverse_transform`` turns the network's position-sum distributions into sums,
    the exact most probable one (:func:`sumdigits._sums.most_probable_sum_digits`),
    int64 up to N = 18 and Python ints in an object array beyond; or, for
    N <= 4, into the full distribution over all sums, in bounded memory. The
    classes are all the sums ``0..2 * (10**N - 1)``, whatever sums ``y`` holds (the
    network predicts sums it has never seen), listed in ``classes_`` for N <= 4
    and None beyond.

    Parameters
    ----------
    n_digits : int, default=1
    """

    def __init__(self, *, n_digits=1):
        self.n_digits = n_digits

    def fit(self, y):
        self.n_classes_ = max_sum(self.n_digits) + 1
        self.classes_ = (np.arange(self.n_classes_) if self.n_digits <= MAX_ENUMERATED_DIGITS
                         else None)
        self.transform(y)
        return self

    def transform(self, y):
        return sums_to_digits(y, self.n_digits, name="y")

    def inverse_transform(self, y, return_proba=False):
        y = np.asarray(y, dtype=np.float64)
        if return_proba:
            check_enumerable(self.n_digits, "predict_proba")
            return sum_proba(y)
        return digits_to_sums(most_probable_sum_digits(y))

    def get_metadata(self):
        return {"classes_": self.classes_, "n_classes_": self.n_classes_,
                "n_outputs_expected_": 1}


# ------------------------------------------------------------------ estimators
#: The digit network's parameters, shared by every neuro-symbolic estimator.
DIGIT_NETWORK_PARAMS = (
    filters_param((32, 64, 128), "Filters of the digit CNN's convolutions, each followed by "
                  "2 x 2 max pooling."),
    dataclasses.replace(KERNEL_SIZE, constraint=[Interval(numbers.Integral, 1, None,
                                                          closed="left")]),
    _widths("hidden_layer_sizes", (128,),
            "Hidden widths of the digit CNN's dense head."),
    dropout_param(0.25, "after the flattened maps and after each dense layer"),
    Param("batch_norm", True, ["boolean"], "bool",
          "Batch normalisation after every convolution and dense layer."),
    Param("batch_norm_statistics", "augmented", [StrOptions({"augmented", "plain"}), None],
          '{"augmented", "plain"} or None',
          """\
          At the end of fit, set the batch-normalisation statistics to those of the
          training digits, shifted and rotated as in training ("augmented") or as
          given ("plain"); None keeps Keras' moving averages."""),
    Param("output_initializer", "glorot_uniform",
          [StrOptions(set(OUTPUT_INITIALIZERS))], '{"glorot_uniform", "zeros"}',
          """\
          Initial kernel of the softmax layer; "zeros" starts every image at 1/10 per
          digit, which keeps deeper digit networks out of wrong early labellings."""),
    Param("dtype_policy", "float32", [StrOptions(set(DTYPE_POLICIES))],
          '{"float32", "mixed_bfloat16", "mixed_float16"}',
          """\
          Precision of the digit CNN's computations (weights, softmax and sums stay
          float32): "mixed_bfloat16" for CPUs with bfloat16, "mixed_float16" for GPUs."""),
    Param("shift_range", 0.1, [Interval(numbers.Real, 0, 0.5, closed="left")],
          "float in [0, 0.5)",
          "Random shifts of each training digit, up to this fraction of its size."),
    Param("rotation_range", 0.0, [Interval(numbers.Real, 0, 180, closed="left")],
          "float in [0, 180)",
          "Random rotations of each training digit, up to this many degrees."),
    Param("digit_shape", None, shape_constraint(), 'tuple of int, "vector" or None',
          """\
          (height, width) of one digit of flattened samples, when not 28 x 28, or
          "vector": each sample is a feature vector cut in one part per digit."""),
)


#: Digit images in a training step of ``batch_size="auto"``.
DIGIT_IMAGES_PER_BATCH = 128


def neurosymbolic_base_params(*, loss, metrics, class_weight):
    """The base parameters of a neuro-symbolic estimator, with its own documentation.

    Its defaults (one-cycle schedule from 3e-3, batches of about
    :data:`DIGIT_IMAGES_PER_BATCH` digit images, 4 epochs, ``loss=None`` for the
    estimator's negative log-likelihood) and no ``image_shape`` (it has
    ``digit_shape``); ``loss``, ``metrics`` and ``class_weight`` are the
    documentation of those three parameters.
    """
    return base_params(
        exclude=("image_shape",),
        learning_rate={"default": "one-cycle"},
        learning_rate_init={"default": 3e-3},
        loss={"default": None, "constraint": [callable, None], "kind": "callable or None",
              "doc": loss},
        metrics={"doc": metrics},
        batch_size={
            "default": "auto",
            "constraint": [Interval(numbers.Integral, 1, None, closed="left"),
                           StrOptions({"auto"})],
            "kind": 'int or "auto"',
            "doc": f"""\
                   Samples per training step; "auto" holds about
                   {DIGIT_IMAGES_PER_BATCH} digit images a step at any ``n_digits``."""},
        epochs={"default": 4},
        class_weight={"doc": class_weight},
    )


class DigitImageClassifier(ClassifierMixin):
    """A fitted neuro-symbolic estimator's digit network, as a classifier of digit images.

    What ``digit_estimator_`` returns: ``predict_proba``, ``predict`` and ``score``
    take single digit images, (n_images, height, width) or flattened, on the pixel
    scale of the estimator's ``fit`` data; ``classes_`` are the digits 0..9.

    Parameters
    ----------
    estimator : fitted neuro-symbolic estimator
    """

    def __init__(self, estimator):
        self.estimator = estimator
        self.classes_ = np.arange(10)

    def predict_proba(self, X):
        """Probabilities of the ten digits of each image, shape (n_images, 10)."""
        estimator = self.estimator
        return estimator._digit_network_output(estimator._digit_input(X),
                                               estimator.digit_network_)

    def predict(self, X):
        """The most probable digit of each image, shape (n_images,)."""
        return self.predict_proba(X).argmax(axis=1)


class BaseNeuroSymbolicClassifier(DigitsMixin, BaseKerasClassifier):
    """Base class of the neuro-symbolic estimators (not for direct use).

    A sample is a row of digit images; one CNN, the digit network, classifies
    every one of them (:func:`build_neurosymbolic`), and a fixed symbolic layer,
    the ``head``, turns their distributions into the distribution of the label,
    whose negative log-likelihood is the training loss. A subclass declares its
    ``_params`` (its own, :data:`DIGIT_NETWORK_PARAMS` and
    :func:`neurosymbolic_base_params`) and gives

    * ``_digit_layout(params)``: ``(n_digits, layout)`` of its samples, as
      :class:`NumberPairEncoder` takes them;
    * ``_digit_axes``: the axes of :meth:`predict_digit_proba` before the 10
      digits, e.g. ``(2,)`` for a pair;
    * ``_head(meta)``: the symbolic layer (None for the sum of two numbers);
    * ``_default_loss_and_metrics()``: the loss and metrics of ``loss=None`` and
      ``metrics=None``;
    * its ``target_encoder``.
    """

    # ------------------------------------------------------- base-class hooks
    @property
    def feature_encoder(self):
        params = resolve(self, self.get_params(deep=False))
        n_digits, layout = self._digit_layout(params)
        return NumberPairEncoder(n_digits=n_digits, layout=layout,
                                 digit_shape=params["digit_shape"], rescale=params["rescale"])

    def _training_batch_size(self, params):
        if params["batch_size"] == "auto":  # input_shape_[0]: the digit images of a sample
            return max(1, round(DIGIT_IMAGES_PER_BATCH / self.input_shape_[0]))
        return params["batch_size"]

    def _keras_build_fn(self, meta, params):
        input_shape, seeds = meta["input_shape_"], LayerSeeds(meta["seed"])
        digits = build_cnn(
            input_shape[1:], 10, filters=params["filters"], kernel_size=params["kernel_size"],
            strides=1, pooling="max", hidden_layer_sizes=params["hidden_layer_sizes"],
            dropout=params["dropout"], batch_norm=params["batch_norm"], seed=seeds(),
            output_initializer=params["output_initializer"], dtype_policy=params["dtype_policy"],
        )
        for layer in digits.layers:
            if isinstance(layer, layers.BatchNormalization):
                layer.momentum = _BN_MOMENTUM
        return build_neurosymbolic(input_shape, digits, shift_range=params["shift_range"],
                                   rotation_range=params["rotation_range"], seed=seeds(),
                                   head=self._head(meta))

    def _own_callbacks(self, params, *, scheduled):
        callbacks = super()._own_callbacks(params, scheduled=scheduled)
        statistics = params["batch_norm_statistics"]
        if params["batch_norm"] and statistics is not None:
            augmented = statistics == "augmented" and (params["shift_range"]
                                                       or params["rotation_range"])
            # last: after early stopping has restored the best weights
            callbacks.append(BatchNormStatistics(
                layer=DIGIT_LAYER, augmentation=AUGMENTATION_LAYER if augmented else None))
        return callbacks

    def _compile_arguments(self, params):
        kwargs = super()._compile_arguments(params)
        loss, metrics = self._default_loss_and_metrics()
        if params["loss"] is None:
            kwargs["loss"] = weighted_mean_loss(loss)
        if params["metrics"] is None:
            kwargs["metrics"] = metrics
        return kwargs

    # ------------------------------------------------------------ digits API
    @property
    def digit_network_(self):
        """The learned digit network (keras.Model): one scaled digit image to 10 probabilities."""
        check_is_fitted(self, "model_")
        return self.model_.get_layer(DIGIT_LAYER)

    @property
    def digit_estimator_(self):
        """The digit network as a scikit-learn classifier of single digit images."""
        check_is_fitted(self, "model_")
        return DigitImageClassifier(self)

    @property
    def digit_shape_(self):
        check_is_fitted(self, "model_")
        return self.feature_encoder_.digit_shape_

    def _digit_input(self, X):
        images, _ = check_images(
            X, digit_shape=validation_shape(self.digit_shape, self.digit_shape_), name="X")
        if images.shape[1:] != self.digit_shape_:
            raise ValueError(f"X holds images of shape {images.shape[1:]}, but the digits "
                             f"this classifier learned are {self.digit_shape_}.")
        return self.feature_encoder_.scale_digits(images)

    def _digit_network_output(self, digits, network):
        """``network`` on digit images (n, height, width, 1), in large batches."""
        return np.asarray(predict_in_batches(network, digits))

    def _sample_digits(self, X, network):
        """``network`` on every digit image of the samples X: (n_samples, n_parts, ...)."""
        check_is_fitted(self, "model_")
        digits = self.feature_encoder_.transform(self._check_X(X, reset=False))
        out = self._digit_network_output(digits.reshape(-1, *digits.shape[2:]), network)
        return out.reshape(len(digits), digits.shape[1], -1)

    def predict_digit_proba(self, X):
        """Probabilities of the ten digits of every digit image of each sample.

        Parameters
        ----------
        X : array-like of samples, as in ``fit``

        Returns
        -------
        proba : ndarray of shape (n_samples, ..., 10)
            ``(n_samples, 2, 10)`` for two one-digit numbers, ``(n_samples, 2,
            n_digits, 10)`` for longer ones (most significant digit first),
            ``(n_samples, n_inputs, 10)`` for a row of digits.
        """
        proba = self._sample_digits(X, self.digit_network_)
        return proba.reshape(len(proba), *self._digit_axes, 10)

    def transform(self, X):
        """The digit network's embeddings of the digits of each sample, side by side.

        Parameters
        ----------
        X : array-like of samples, as in ``fit``

        Returns
        -------
        ndarray of shape (n_samples, n_digit_images * hidden_layer_sizes[-1])
            ``n_digit_images``: 2 * n_digits for a pair of numbers, n_inputs for a
            row of digits.
        """
        out = self._sample_digits(X, self._embedding_network(self.digit_network_))
        return out.reshape(len(out), -1)

    def _embedding_source(self, model):
        return model.get_layer(DIGIT_LAYER)  # the digit network's embedding


@declare
class NeuroSymbolicSumClassifier(BaseNeuroSymbolicClassifier):
    """Learn to read digits from sums alone (neuro-symbolic MNIST addition).

    Each sample shows two N-digit numbers, labelled with their sum only. One CNN
    reads every digit image; the Keras graph combines the digit distributions into
    the exact distribution of the sum and trains on its likelihood, so the network
    learns digits it is never told (:ref:`guide_sums`).

    ``predict``, ``predict_proba`` and ``score`` concern the sums;
    ``predict_digits`` and ``predict_digit_proba`` read the digits of the same
    samples; single digit images go to ``digit_estimator_``.

    Parameters
    ----------

    Attributes
    ----------
    model_ : keras.Model
        The whole network; it outputs the distribution of each position's sum.
    digit_network_ : keras.Model
        The digit network: one scaled digit image (height, width, 1) to 10
        probabilities, for raw Keras.
    digit_estimator_ : DigitImageClassifier
        The digit network as a scikit-learn classifier of single digit images
        (``predict``, ``predict_proba``, ``score``), scaled as in ``fit``.
    classes_ : ndarray of shape (2 * 10**n_digits - 1,) or None
        The labels ``predict`` can return, one per column of ``predict_proba``:
        every sum ``0..2 * (10**n_digits - 1)``, seen in ``fit`` or not; None for
        ``n_digits > 4`` (too many to list).
    n_classes_ : int
        ``2 * 10**n_digits - 1``.
    n_iter_ : int
        Iterations of the optimisation: the epochs of the last ``fit``, plus one
        per later ``partial_fit`` (``len(history_["loss"])``).
    history_ : dict of list
        Per-epoch loss and metrics; ``digit_shift`` and ``digit_unfold`` are 1.0
        where :class:`DigitShiftCheck` re-read the digits.
    digit_shape_ : tuple of int
        (height, width) of one digit image.
    input_shape_ : tuple of int
        ``(2 * n_digits, height, width, 1)``.
    scale_ : float
        The factor applied to the pixels (see ``rescale``).

    See Also
    --------
    sumdigits.pairs.make_number_pairs : samples of N-digit numbers.

    References
    ----------
    R. Manhaeve et al., "DeepProbLog: Neural Probabilistic Logic Programming",
    NeurIPS 2018 (the MNIST-addition benchmark).

    Examples
    --------
    >>> from sumdigits import load_mnist, make_digit_pairs
    >>> from sumdigits.keras import NeuroSymbolicSumClassifier
    >>> (X, y), (X_test, y_test) = load_mnist("embedded")
    >>> X_pairs, sums = make_digit_pairs(X, y, 200, strategy="disjoint",
    ...                                  random_state=0, return_X_y=True)
    >>> clf = NeuroSymbolicSumClassifier(filters=[4], hidden_layer_sizes=[8], epochs=1,
    ...                                  random_state=0).fit(X_pairs, sums)
    >>> clf.predict_proba(X_pairs[:2]).shape, clf.predict_digit_proba(X_pairs[:2]).shape
    ((2, 19), (2, 2, 10))
    >>> clf.digit_estimator_.predict(X_test[:3]).shape
    (3,)
    """

    _params = (
        Param("n_digits", 1, [Interval(numbers.Integral, 1, None, closed="left")], "int >= 1",
              """\
              Digits per number, any N: samples hold two N-digit numbers
              (:func:`~sumdigits.pairs.make_number_pairs`), ``y`` their exact sums."""),
        Param("layout", "horizontal", [StrOptions({"horizontal", "vertical"})],
              '{"horizontal", "vertical"}',
              "The two numbers side by side, or the first above the second."),
        Param("digit_shift_check", True, ["boolean"], "bool",
              """\
              After every epoch, undo a wrong reading of the digits (shifted by five, or
              folded) when the training sums say so (:class:`DigitShiftCheck`)."""),
        *DIGIT_NETWORK_PARAMS,
        *neurosymbolic_base_params(
            loss="""\
                 None: the negative log-likelihood of the observed sum (:func:`sum_nll`);
                 a callable gets the sums' digits (n, N + 1) and the output (n, N, 19).""",
            metrics="Recorded per epoch in ``history_``; None means ``[sum_accuracy]``.",
            class_weight="Weights per observed sum.",
        ),
    )

    # ------------------------------------------------------- base-class hooks
    def _digit_layout(self, params):
        return params["n_digits"], params["layout"]

    @property
    def _digit_axes(self):
        n_digits = self.feature_encoder_.n_digits
        return (2,) if n_digits == 1 else (2, n_digits)

    def _head(self, meta):
        return None  # build_neurosymbolic's own: the position sums

    def _default_loss_and_metrics(self):
        return sum_nll, [sum_accuracy]

    @property
    def target_encoder(self):
        return SumEncoder(n_digits=self.n_digits)

    def _own_callbacks(self, params, *, scheduled):
        callbacks = super()._own_callbacks(params, scheduled=scheduled)
        if params["digit_shift_check"]:  # first: early stopping keeps the checked weights
            callbacks.insert(0, DigitShiftCheck())
        return callbacks

    def _stratify_labels(self, y):
        # y holds the sums' digits: stratify by the last two (the sum itself for N = 1)
        y = np.asarray(y)
        return 10 * y[:, -2] + y[:, -1]

    # ------------------------------------------------------------- sums API
    def predict(self, X, **kwargs):
        """The exact most probable sum of each sample, for any ``n_digits``.

        Parameters
        ----------
        X : array-like of samples, as in ``fit``
        **kwargs : dict
            Passed on to ``keras.Model.predict``.

        Returns
        -------
        ndarray of shape (n_samples,)
            Int64 up to ``n_digits=18``, Python ints in an object array beyond.
        """
        return super().predict(X, **kwargs)

    def predict_proba(self, X, **kwargs):
        """Probability of every sum in ``classes_``, for ``n_digits <= 4``.

        Parameters
        ----------
        X : array-like of samples, as in ``fit``
        **kwargs : dict
            Passed on to ``keras.Model.predict``.

        Returns
        -------
        ndarray of shape (n_samples, 2 * 10**n_digits - 1)
            In the order of ``classes_``. Beyond four digits the sums are too many
            to list: a ValueError.
        """
        check_is_fitted(self, "model_")
        check_enumerable(self.target_encoder_.n_digits, "predict_proba")
        return super().predict_proba(X, **kwargs)

    def score(self, X, y, sample_weight=None):
        """Share of samples whose predicted sum is ``y`` exactly, for any ``n_digits``.

        Parameters
        ----------
        X : array-like of samples, as in ``fit``
        y : array-like of shape (n_samples,)
            The true sums, exact integers.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        float
        """
        check_is_fitted(self, "model_")
        check_samples(X, y)
        n_digits = self.target_encoder_.n_digits
        expected = sums_to_digits(y, n_digits, name="y")
        predicted = sums_to_digits(self.predict(X), n_digits, name="the predicted sums")
        correct = (expected == predicted).all(axis=1)
        return float(accuracy_score(np.ones_like(correct), correct,
                                    sample_weight=sample_weight))

