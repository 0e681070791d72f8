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

import numbers

import keras
import numpy as np
from keras import layers, ops
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._validation import check_images, check_sum_labels
from ._base import BaseKerasClassifier, ImageInputEncoder
from ._ns_graph import most_probable_sum, position_sum_proba, sum_log_proba, sum_proba
from ._ns_numbers import max_sum, split_numbers
from .builders import build_cnn
from .estimators import _base_kwargs

# NumberPairEncoder and SumEncoder are the estimator's scikeras encoders (SumEncoder.fit
# takes y alone), parts of NeuroSymbolicSumClassifier rather than public estimators.
__all__ = [
    "NeuroSymbolicSumClassifier",
    "PositionSums",
    "build_neurosymbolic",
    "make_learning_rate_schedule",
    "sum_accuracy",
    "sum_nll",
]

DIGIT_LAYER = "digit_classifier"
_SCHEDULES = ("constant", "cosine", "one-cycle")


# ----------------------------------------------------------------- graph pieces
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
    """Negative log-likelihood of the observed sums ``y_true`` (n,) or (n, 1), per sample.

    ``y_pred`` holds the position-sum distributions (n, N, 19) of :class:`PositionSums`.
    """
    sums = ops.reshape(ops.cast(y_true, "int32"), (-1, 1))
    return -ops.reshape(sum_log_proba(y_pred, sums), (-1,))


@keras.saving.register_keras_serializable(package="sumdigits")
def sum_accuracy(y_true, y_pred):
    """1 where the most probable sum, over all 2 * 10**N - 1 sums, is the observed one."""
    n_sums = 2 * 10 ** y_pred.shape[1] - 1
    candidates = ops.expand_dims(ops.arange(n_sums, dtype="int32"), 0)
    predicted = ops.argmax(sum_log_proba(y_pred, candidates), axis=1)
    observed = ops.reshape(ops.cast(y_true, "int32"), (-1,))
    return ops.cast(ops.equal(ops.cast(predicted, "int32"), observed), "float32")


def build_neurosymbolic(input_shape, digit_network, *, shift_range=0.0, rotation_range=0.0,
                        seed=None):
    """The neuro-symbolic sum network around a digit network.

    Parameters
    ----------
    input_shape : tuple of int
        ``(2N, height, width, 1)``: the 2N digit images of a sample, the N digits of
        the first number then the N of the second, most significant first.
    digit_network : keras.Model
        Maps one digit image ``(height, width, 1)`` to 10 softmax outputs (e.g.
        :func:`sumdigits.keras.builders.build_cnn`). It is shared by all 2N digits
        and becomes the layer named ``"digit_classifier"``.
    shift_range : float, default=0.0
        Largest random shift of each digit during training, as a fraction of its
        height and width (``keras.layers.RandomTranslation``); 0 for none.
    rotation_range : float, default=0.0
        Largest random rotation of each digit during training, in degrees
        (``keras.layers.RandomRotation``); 0 for none.
    seed : int, default=None
        Seed of the augmentation.

    Returns
    -------
    keras.Model
        Uncompiled; its output (n, N, 19) is the distribution of each position's
        digit sum, to be trained with :func:`sum_nll`.

    Examples
    --------
    >>> from sumdigits.keras.builders import build_cnn
    >>> from sumdigits.keras.neurosymbolic import build_neurosymbolic
    >>> digits = build_cnn((28, 28, 1), 10, filters=[4], dense_units=[8])
    >>> build_neurosymbolic((4, 28, 28, 1), digits).output_shape  # two 2-digit numbers
    (None, 2, 19)
    """
    inputs = keras.Input(shape=tuple(input_shape), name="digits")
    x = inputs
    augmentation = []
    if shift_range:
        augmentation.append(layers.RandomTranslation(shift_range, shift_range,
                                                     fill_mode="constant", seed=seed))
    if rotation_range:
        augmentation.append(layers.RandomRotation(rotation_range / 360.0, fill_mode="constant",
                                                  seed=seed))
    if augmentation:
        augment = keras.Sequential([keras.Input(shape=tuple(input_shape[1:])), *augmentation],
                                   name="augmentation")
        x = layers.TimeDistributed(augment, name="augment_each_digit")(x)
    x = layers.TimeDistributed(digit_network, name=DIGIT_LAYER)(x)
    outputs = PositionSums(name="position_sums")(x)
    return keras.Model(inputs, outputs, name="neurosymbolic")


def make_learning_rate_schedule(schedule, learning_rate, total_steps, *, warmup_fraction=0.2):
    """A Keras learning-rate schedule by name (formulas in :class:`NeuroSymbolicSumClassifier`).

    Parameters
    ----------
    schedule : {"constant", "cosine", "one-cycle"}
    learning_rate : float
        The peak rate ``eta``.
    total_steps : int
        Training steps ``T`` over which the rate decays.
    warmup_fraction : float, default=0.2
        Share of ``T`` spent warming up from ``eta / 10`` for ``"one-cycle"``.

    Returns
    -------
    float or keras.optimizers.schedules.LearningRateSchedule

    Examples
    --------
    >>> from sumdigits.keras.neurosymbolic import make_learning_rate_schedule
    >>> s = make_learning_rate_schedule("one-cycle", 1e-3, 100)
    >>> [round(float(s(t)), 6) for t in (0, 20, 100)]
    [0.0001, 0.001, 1e-05]
    """
    if schedule not in _SCHEDULES:
        raise ValueError(f"schedule must be one of {_SCHEDULES}, got {schedule!r}.")
    total_steps = max(1, int(total_steps))
    if schedule == "constant":
        return learning_rate
    if schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(learning_rate, total_steps, alpha=0.01)
    warmup = int(warmup_fraction * total_steps)
    return keras.optimizers.schedules.CosineDecay(
        learning_rate / 10, max(1, total_steps - warmup), alpha=0.01,
        warmup_target=learning_rate, warmup_steps=warmup,
    )


# ------------------------------------------------------------------- encoders
class NumberPairEncoder(TransformerMixin, BaseEstimator):
    """Split samples of two N-digit numbers into their 2N digit images, scaled.

    Parameters
    ----------
    n_digits : int, default=1
    layout : {"horizontal", "vertical"}, default="horizontal"
    image_shape : tuple of int, "vector" or None, default=None
        (height, width) of one digit of flattened samples (default 28 x 28), or
        "vector": each digit is one row of features (the sample cut in 2N parts).
    rescale : "auto", float or None, default="auto"
        As in :class:`~sumdigits.keras._base.ImageInputEncoder`.

    Attributes
    ----------
    input_shape_ : tuple of int
        ``(2N, height, width, 1)``.
    digit_shape_ : tuple of int
        ``(height, width)``.
    scale_ : float
    """

    def __init__(self, *, n_digits=1, layout="horizontal", image_shape=None, rescale="auto"):
        self.n_digits = n_digits
        self.layout = layout
        self.image_shape = image_shape
        self.rescale = rescale

    def _split(self, X):
        return split_numbers(X, n_digits=self.n_digits, layout=self.layout,
                             image_shape=self.image_shape)

    def fit(self, X, y=None):
        X = np.asarray(X)
        digits = self._split(X[:1])
        self.digit_shape_ = tuple(digits.shape[3:])
        self.input_shape_ = (2 * self.n_digits, *self.digit_shape_, 1)
        self.scale_ = ImageInputEncoder(rescale=self.rescale).fit(X[:1]).scale_
        return self

    def transform(self, X):
        check_is_fitted(self)
        digits = self._split(X)
        return self.scale_digits(digits.reshape(-1, *self.input_shape_[:-1]))

    def scale_digits(self, digits):
        """Digit images as the network takes them: float, scaled, with a channel axis."""
        digits = np.asarray(digits, dtype=keras.backend.floatx())
        if self.scale_ != 1.0:
            digits = digits * self.scale_
        return digits[..., None]


class SumEncoder(TransformerMixin, BaseEstimator):
    """Sums of two N-digit numbers as targets of the network, and back.

    The classes are all the sums ``0..2 * (10**N - 1)``, whatever sums ``y`` holds:
    the network predicts sums it has never seen. ``inverse_transform`` turns the
    network's position-sum distributions into sums (the most probable one) or into
    the full distribution over all sums, exactly and in bounded memory.

    Parameters
    ----------
    n_digits : int, default=1
    """

    def __init__(self, *, n_digits=1):
        self.n_digits = n_digits

    def fit(self, y):
        self.classes_ = np.arange(max_sum(self.n_digits) + 1)
        self.transform(y)
        return self

    def transform(self, y):
        return check_sum_labels(y, name="y", max_sum=self.classes_[-1]).reshape(-1, 1)

    def inverse_transform(self, y, return_proba=False):
        y = np.asarray(y, dtype=np.float64)
        return sum_proba(y) if return_proba else most_probable_sum(y)

    def get_metadata(self):
        return {"classes_": self.classes_, "n_classes_": len(self.classes_),
                "n_outputs_expected_": 1}


# ------------------------------------------------------------------ estimator
class NeuroSymbolicSumClassifier(BaseKerasClassifier):
    """Learn to read digits from sums alone (neuro-symbolic MNIST addition).

    Each sample shows two N-digit numbers, and its label is their sum. One CNN
    classifies every digit image; inside the Keras graph the digit distributions
    are combined into the distribution of the sum, exactly: at each position the
    convolution of the two digit distributions (their joint outer product times the
    fixed matrix :func:`sumdigits._sums.sum_matrix`, as in
    :class:`~sumdigits.SequentialDigitSumClassifier`), then long addition with the
    carries summed out, position by position (never a softmax over the
    ``2 * 10**N - 1`` sums). The network is trained on the negative log-likelihood
    of the observed sum, so it never sees a digit label, yet after ``fit``
    :meth:`predict_digits` reads digits it was never told.

    Parameters
    ----------
    n_digits : int in 1..4, default=1
        Digits per number. Samples are two-digit-pair images (28 x 56, as
        :func:`sumdigits.make_digit_pairs` makes them) for 1, and images of two
        strips of N digits for more (see ``layout``).
    layout : {"horizontal", "vertical"}, default="horizontal"
        How a sample holds its two numbers: side by side, height x 2N widths (the
        N digits of the first number, then those of the second), or the first
        above the second, 2 heights x N widths.
    filters : list of int or str, default=(32, 64, 128)
        Filters of the digit CNN's convolutions (3 x 3, stride 1, 2 x 2 max pooling
        after each: :func:`sumdigits.keras.builders.build_cnn`). The third block
        shrinks the maps to 3 x 3 before the dense head, which makes the network
        both faster and more accurate than two blocks on MNIST addition
        (``benchmarks/bench_addition.py``).
    kernel_size : int, default=3
    dense_units : list of int or str, default=(128,)
        Hidden widths of the digit CNN's dense head.
    dropout : float in [0, 1), default=0.25
        Dropout after the flattened maps and after each dense layer.
    batch_norm : bool, default=True
        Batch normalisation after every convolution and dense layer.
    shift_range : float in [0, 0.5), default=0.1
        Random shifts of each digit image during training, up to this fraction of
        its size, in both directions; 0 turns it off.
    rotation_range : float in [0, 180), default=0.0
        Random rotations of each digit image during training, up to this many
        degrees either way; 0 turns it off.
    learning_rate_schedule : {"one-cycle", "cosine", "constant"}, default="one-cycle"
        The learning rate at training step ``t`` of ``T = epochs * ceil(n_train /
        batch_size)``, with ``eta = learning_rate``:

        - ``"constant"``: ``eta``.
        - ``"cosine"``: ``eta * (0.01 + 0.99 * (1 + cos(pi * t / T)) / 2)``.
        - ``"one-cycle"``: a linear warm-up from ``eta / 10`` to ``eta`` over the
          first ``W = warmup_fraction * T`` steps, then ``eta * (0.01 + 0.99 *
          (1 + cos(pi * (t - W) / (T - W))) / 2)``.

        After ``T`` steps (``warm_start``, ``partial_fit``) the rate stays at its
        last value. Ignored when ``optimizer`` is an optimizer instance.
    warmup_fraction : float in [0, 1), default=0.2
        Share of the steps spent warming up for ``"one-cycle"``.
    optimizer : str, Optimizer class or instance, default="adam"
        ``optimizer__<name>`` routes constructor arguments.
    learning_rate : float, default=3e-3
    loss : callable or None, default=None
        None trains on the negative log-likelihood of the observed sum
        (:func:`sum_nll`). A callable ``loss(y_true, y_pred)`` receives the sums
        (n, 1) and the position-sum distributions (n, N, 19).
    metrics : list, default=None
        Recorded per epoch in ``history_``; None means ``[sum_accuracy]``
        (the exact most probable sum). Keras' ``"accuracy"`` does not apply to
        this network's output.
    batch_size : int, default=64
    epochs : int, default=4
    early_stopping : bool, default=False
        Stop when the loss on a ``validation_fraction`` of the training data has
        not improved for ``n_iter_no_change`` epochs; restore the best weights.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=5
    callbacks : list of keras callbacks, default=None
        Copied at every fit; they survive clone, grid searches and pickling.
    class_weight : dict, "balanced" or None, default=None
        Weights per observed sum.
    shuffle : bool, default=True
    image_shape : tuple of int, "vector" or None, default=None
        (height, width) of one digit of flattened samples, when not 28 x 28;
        "vector" takes each sample as a feature vector cut in 2N equal parts
        (the digits, one row each).
    rescale : "auto", float or None, default="auto"
        "auto" scales uint8 pixels to [0, 1].
    warm_start : bool, default=False
    random_state : int, RandomState instance or None, default=None
        An int makes a CPU fit repeatable.
    verbose : int, default=0
        0 silent, 1 progress bar, 2 one line per epoch.
    **kwargs
        Routed parameters (``optimizer__*``, ``fit__*``, ``predict__*``,
        ``callbacks__*``) and Keras' ``run_eagerly``; any other name (a
        misspelt parameter) makes ``fit`` and ``set_params`` raise an error
        suggesting the closest one.

    Attributes
    ----------
    model_ : keras.Model
        The whole network (:func:`build_neurosymbolic`); it outputs the
        distribution of each position's digit sum.
    digit_classifier_ : keras.Model
        The learned digit network: one digit image (height, width, 1), scaled
        like the training data, to 10 probabilities.
    classes_ : ndarray of shape (2 * 10**n_digits - 1,)
        All the sums ``0..2 * (10**n_digits - 1)``, seen in training or not:
        unlike :class:`~sumdigits.SequentialDigitSumClassifier` and
        :class:`~sumdigits.keras.MultiTaskSumClassifier`, whose ``classes_`` are
        the sums seen in ``fit`` as for any scikit-learn classifier, this one is
        meant to predict sums never seen (a training set of 4-digit numbers holds
        a fraction of the 19,999 sums).
    n_classes_ : int
    digit_shape_ : tuple of int
        (height, width) of one digit image.
    history_ : dict of list
        Per-epoch ``loss`` and ``sum_accuracy`` (``val_*`` with early stopping).
    n_iter_ : int
        Epochs run.
    input_shape_ : tuple of int
        ``(2 * n_digits, height, width, 1)``.

    See Also
    --------
    sumdigits.keras.builders.build_cnn : the digit network.
    sumdigits.keras._ns_numbers.make_number_pairs : samples of N-digit numbers.

    Notes
    -----
    ``predict`` returns the most probable sum, which is at least as accurate as
    adding the most probable digits. ``predict_proba`` returns the distribution
    over all ``2 * 10**N - 1`` sums (80 kB a sample for N = 4, computed in
    bounded chunks); ``predict`` never holds more than a chunk of it.

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
    >>> clf = NeuroSymbolicSumClassifier(filters=[4], dense_units=[8], epochs=1,
    ...                                  random_state=0).fit(X_pairs, sums)
    >>> clf.predict_proba(X_pairs[:2]).shape, clf.predict_digits(X_test[:3]).shape
    ((2, 19), (3,))
    """

    _as_images = True

    _parameter_constraints = {
        **BaseKerasClassifier._parameter_constraints,
        "n_digits": [Interval(numbers.Integral, 1, 4, closed="both")],
        "layout": [StrOptions({"horizontal", "vertical"})],
        "filters": [list, tuple, str],
        "kernel_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "dense_units": [list, tuple, str],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "shift_range": [Interval(numbers.Real, 0, 0.5, closed="left")],
        "rotation_range": [Interval(numbers.Real, 0, 180, closed="left")],
        "learning_rate_schedule": [StrOptions(set(_SCHEDULES))],
        "warmup_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
        "loss": [callable, None],
    }

    def __init__(
        self,
        *,
        n_digits=1,
        layout="horizontal",
        filters=(32, 64, 128),
        kernel_size=3,
        dense_units=(128,),
        dropout=0.25,
        batch_norm=True,
        shift_range=0.1,
        rotation_range=0.0,
        learning_rate_schedule="one-cycle",
        warmup_fraction=0.2,
        optimizer="adam",
        learning_rate=3e-3,
        loss=None,
        metrics=None,
        batch_size=64,
        epochs=4,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        callbacks=None,
        class_weight=None,
        shuffle=True,
        image_shape=None,
        rescale="auto",
        warm_start=False,
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        super().__init__(**_base_kwargs(locals()), **kwargs)
        self.n_digits = n_digits
        self.layout = layout
        self.filters = filters
        self.kernel_size = kernel_size
        self.dense_units = dense_units
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.shift_range = shift_range
        self.rotation_range = rotation_range
        self.learning_rate_schedule = learning_rate_schedule
        self.warmup_fraction = warmup_fraction

    # ------------------------------------------------------- base-class hooks
    @property
    def feature_encoder(self):
        return NumberPairEncoder(n_digits=self.n_digits, layout=self.layout,
                                 image_shape=self.image_shape, rescale=self.rescale)

    @property
    def target_encoder(self):
        return SumEncoder(n_digits=self.n_digits)

    def _build_network(self, input_shape, n_outputs):
        digits = build_cnn(
            input_shape[1:], 10, filters=self.filters, kernel_size=self.kernel_size,
            strides=1, pooling="max", dense_units=self.dense_units, dropout=self.dropout,
            batch_norm=self.batch_norm,
        )
        return build_neurosymbolic(input_shape, digits, shift_range=self.shift_range,
                                   rotation_range=self.rotation_range,
                                   seed=self._random_state)

    def _get_compile_kwargs(self):
        kwargs = super()._get_compile_kwargs()
        kwargs["loss"] = sum_nll if self.loss is None else self.loss
        if self.metrics is None:
            kwargs["metrics"] = [sum_accuracy]
        optimizer = kwargs["optimizer"]
        if self.learning_rate_schedule != "constant" and isinstance(self.optimizer, (str, type)):
            config = optimizer.get_config()
            config["learning_rate"] = self._learning_rate_schedule(config["learning_rate"])
            kwargs["optimizer"] = type(optimizer).from_config(config)
        return kwargs

    def _learning_rate_schedule(self, eta):
        """The ``learning_rate_schedule`` over this fit's training steps."""
        n_train = self.X_shape_[0]
        if self.early_stopping:
            n_train -= int(np.ceil(self.validation_fraction * n_train))
        batch_size = getattr(self, "fit__batch_size", self.batch_size)
        steps = getattr(self, "_steps_per_epoch", None) or int(np.ceil(n_train / batch_size))
        total = self.epochs * steps
        return make_learning_rate_schedule(self.learning_rate_schedule, eta, total,
                                           warmup_fraction=self.warmup_fraction)

    def fit_dataset(self, dataset, **kwargs):
        # the schedule spans the dataset's batches, not the first batch's samples
        self._steps_per_epoch = len(dataset)
        try:
            return super().fit_dataset(dataset, **kwargs)
        finally:
            del self._steps_per_epoch

    fit_dataset.__doc__ = BaseKerasClassifier.fit_dataset.__doc__

    # ------------------------------------------------------------ digits API
    @property
    def digit_classifier_(self):
        check_is_fitted(self, "model_")
        return self.model_.get_layer(DIGIT_LAYER).layer

    @property
    def digit_shape_(self):
        check_is_fitted(self, "model_")
        return self.feature_encoder_.digit_shape_

    def _digit_input(self, X):
        images, _ = check_images(X, image_shape=self.digit_shape_, name="X")
        if images.shape[1:] != self.digit_shape_:
            raise ValueError(f"X holds images of shape {images.shape[1:]}, but the digits "
                             f"this classifier learned are {self.digit_shape_}.")
        return self.feature_encoder_.scale_digits(images)

    def predict_digit_proba(self, X):
        """Digit probabilities of single digit images, from the digit network learned from sums.

        Parameters
        ----------
        X : array-like of shape (n_images, height, width) or (n_images, height * width)
            Digit images like those in the training samples.

        Returns
        -------
        ndarray of shape (n_images, 10)
        """
        proba = self.digit_classifier_.predict(self._digit_input(X), batch_size=256, verbose=0)
        return np.asarray(proba)

    def predict_digits(self, X):
        """Digits (0..9) of single digit images, from the digit network learned from sums.

        Parameters
        ----------
        X : array-like of shape (n_images, height, width) or (n_images, height * width)
            Digit images like those in the training samples.

        Returns
        -------
        ndarray of shape (n_images,)
        """
        return self.predict_digit_proba(X).argmax(axis=1)

    def transform(self, X):
        """The digit network's embeddings of the 2N digits of each sample, side by side.

        Parameters
        ----------
        X : array-like of samples, as in ``fit``

        Returns
        -------
        ndarray of shape (n_samples, 2 * n_digits * dense_units[-1])
        """
        check_is_fitted(self, "model_")
        X, _ = self._validate_data(X)
        digits = self.feature_encoder_.transform(X)
        out = self._embedding_network(self.digit_classifier_).predict(
            digits.reshape(-1, *digits.shape[2:]), batch_size=256, verbose=0)
        return np.asarray(out).reshape(len(digits), -1)

    def _embedding_source(self, model):
        return model.get_layer(DIGIT_LAYER).layer  # the digit network's embedding

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True  # digit images: pixels >= 0
        return tags
