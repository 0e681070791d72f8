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

import numpy as np
from keras import layers
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._digits import DigitsMixin
from .._geometry import shape_constraint, validation_shape
from .._sums import sums_to_digits
from .._validation import check_images, check_samples
from ._base import BaseKerasClassifier
from ._ns_encoders import NumberPairEncoder, SumEncoder
from ._ns_graph import check_enumerable
from ._ns_layers import (
    AUGMENTATION_LAYER,
    DIGIT_LAYER,
    DigitShiftCheck,
    FoldDigits,
    PositionSums,
    build_neurosymbolic,
    sum_accuracy,
    sum_nll,
)
from ._params import Param, base_params, declare, resolve
from ._predict import predict_in_batches
from .builders import DTYPE_POLICIES, OUTPUT_INITIALIZERS, LayerSeeds, build_cnn
from .callbacks import BatchNormStatistics, make_learning_rate_schedule
from .estimators import KERNEL_SIZE, _widths, dropout_param, filters_param
from .losses import weighted_mean_loss
from .streaming import shift_images

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

# The digit network sees all 2N digits of a batch in one call, so its batch
# normalisation updates its moving statistics once per step. Keras' default
# momentum of 0.99 leaves 4 % of the initial variance after 320 steps (a small
# fit's inference then reads wrong statistics); 0.98 is the decay per step that
# TimeDistributed's two calls per step gave at N = 1 before. By default the averages are
# replaced at the end of fit by exact statistics (``batch_norm_statistics``).
_BN_MOMENTUM = 0.98


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
    Param("test_time_shift", "auto",
          [StrOptions({"auto"}), Interval(numbers.Integral, 0, None, closed="left")],
          '"auto" or int >= 0',
          """\
          At prediction, also read each digit image moved this many pixels up, down,
          left and right (zero filled) and average the five readings (test-time
          augmentation, five times the cost of a prediction); 0 reads each image
          once. "auto" moves one pixel per 28 of the digits' smaller side (1 on
          MNIST) and reads "vector" digits and images under 28 pixels once. Applies
          to every prediction, and may be set after ``fit``."""),
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
        return estimator._read_digits(estimator._digit_input(X))

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
    * its ``target_encoder``;
    * ``_average_outputs(outputs)`` where the network outputs log-probabilities
      (the mean of the readings of ``test_time_shift`` by default).
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

    def _readings(self, digits):
        """The digit images (..., height, width, 1) as ``predict`` reads them: as
        given and, with ``test_time_shift``, moved that many pixels each way."""
        shape = digits.shape
        k = self.test_time_shift
        if k == "auto":
            k = min(shape[-3:-1]) // 28
        if not k:
            return [digits]
        if k >= min(shape[-3:-1]):
            raise ValueError(
                f"test_time_shift must be smaller than the digit images' height and width "
                f"{shape[-3:-1]}, got {k}.")
        flat = digits.reshape(-1, *shape[-3:-1])
        return [digits] + [shift_images(flat, np.tile(offset, (len(flat), 1))).reshape(shape)
                           for offset in ((-k, 0), (k, 0), (0, -k), (0, k))]

    def _average_outputs(self, outputs):
        """The network's output averaged over the readings of :meth:`_readings`."""
        return outputs[0] if len(outputs) == 1 else np.mean(outputs, axis=0)

    def _read_digits(self, digits):
        """The digit network's probabilities of digit images (n, height, width, 1),
        averaged over the readings of ``test_time_shift``."""
        return np.mean([self._digit_network_output(d, self.digit_network_)
                        for d in self._readings(digits)], axis=0)

    def _encoded_output(self, X, **kwargs):
        """The network's output on encoded X, averaged over the readings of
        ``test_time_shift``."""
        read = super()._encoded_output
        return self._average_outputs([np.asarray(read(x, **kwargs)) for x in self._readings(X)])

    def _sample_digits(self, X, read):
        """``read`` on every digit image of the samples X: (n_samples, n_parts, ...)."""
        check_is_fitted(self, "model_")
        digits = self.feature_encoder_.transform(self._check_X(X, reset=False))
        out = read(digits.reshape(-1, *digits.shape[2:]))
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
        proba = self._sample_digits(X, self._read_digits)
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
        embedding = self._embedding_network(self.digit_network_)
        out = self._sample_digits(X, lambda d: self._digit_network_output(d, embedding))
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

