"""Hard-shared multitask network for digit pairs (report 002, task 6).

One shared trunk reads the pair image; three softmax heads predict the first
digit, the second digit and the sum. The network trains on the digit labels of
each pair (the sum is their total), with the three losses summed (weighted by
``task_weights``); the estimator predicts sums.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._validation import (
    N_DIGIT_CLASSES,
    N_SUM_CLASSES,
    check_digit_labels,
    check_samples,
    check_sum_labels,
)
from ._base import BaseKerasClassifier, ImageInputEncoder, _ravel_column
from .builders import build_multitask
from .estimators import _ACTIVATIONS, _BASE_DOC, _base_kwargs

__all__ = ["MultiTaskSumClassifier"]

TASKS = ("first", "second", "sum")


def _sums(y):
    """The sums of digit labels (n, 2), or sums (n,) as they are."""
    y = np.asarray(y)
    return y.sum(axis=1) if y.ndim == 2 else y


class DigitPairTargetEncoder(TransformerMixin, BaseEstimator):
    """Digit labels (n, 2), or sums (n,), -> the three targets of the multitask network.

    ``transform`` gives ``[a, b, a + b]``, the targets of the heads in the order of
    ``TASKS`` (the digit
    targets are 0 for sums alone: their heads get no loss then);
    ``inverse_transform`` turns the network's three outputs into predicted sums
    (or, with ``return_proba=True``, the sum head's probabilities of ``classes_``,
    the sums seen in ``fit``, given that the sum is one of them).
    """

    def fit(self, y):
        self.classes_ = np.unique(_sums(y))
        self.n_classes_ = len(self.classes_)
        return self

    def transform(self, y):
        if np.ndim(y) == 1:  # sums alone
            y = check_sum_labels(y, name="y").astype(np.float32)
            zeros = np.zeros_like(y)
            return [zeros, zeros, y]
        y = check_digit_labels(y, name="y", ndim=2).astype(np.float32)
        # a list in the order of TASKS and of the network's outputs (Keras takes a
        # list of sample weights only with a list of targets)
        return [y[:, 0], y[:, 1], y[:, 0] + y[:, 1]]

    def inverse_transform(self, y, return_proba=False):
        proba = np.asarray(y[TASKS.index("sum")] if isinstance(y, (list, tuple)) else y["sum"])
        if len(self.classes_) < N_SUM_CLASSES:
            proba = proba[:, self.classes_]
            proba = proba / proba.sum(axis=1, keepdims=True)
        return proba if return_proba else self.classes_[proba.argmax(axis=1)]

    def get_metadata(self):
        return {"classes_": self.classes_, "n_classes_": self.n_classes_,
                "n_outputs_": len(TASKS), "n_outputs_expected_": len(TASKS)}


class MultiTaskSumClassifier(BaseKerasClassifier):
    __doc__ = """Sum of a digit pair from a hard-shared multitask network.

    The network (:func:`~sumdigits.keras.builders.build_multitask`) shares a
    trunk between three heads: the first digit, the second digit and the sum
    (report 002, task 6, applied to pairs). It is fitted on the two digit labels
    of each pair and predicts the sum from the sum head; the digit heads act as
    auxiliary tasks that shape the shared representation. Fitted on sums alone,
    only the sum head learns. ``classes_`` are the sums seen in ``fit`` (all 19
    in any real training set), as for any scikit-learn classifier; ``predict_proba``
    gives the sum head's probability of each, given that the sum is one of them.

    Parameters
    ----------
    trunk : {"fcnn", "cnn"}, default="fcnn"
        Dense trunk on the flattened pair, or convolutions then dense layers.
    shared_units : list of int or str, default=(256, 128)
        Dense widths of the shared trunk; the last is the embedding.
    head_units : list of int or str, default=(64,)
        Dense widths of each task head.
    filters : list of int or str, default=(32, 64)
        Convolutions of the "cnn" trunk.
    kernel_size : int, default=3
    strides : int, default=2
    task_weights : tuple of 3 floats, default=(1.0, 1.0, 1.0)
        Weights of the first-digit, second-digit and sum losses.
    activation : {"relu", "tanh", "sigmoid", ...}, default="relu"
    dropout : float in [0, 1), default=0.0
    l2 : float, default=0.0
    batch_norm : bool, default=False""" + _BASE_DOC + """
    See Also
    --------
    FCNNClassifier : the single-task network, fitted on sums directly.
    sumdigits.SequentialDigitSumClassifier : sums from a digit classifier.

    Examples
    --------
    >>> from sumdigits import load_mnist, make_digit_pairs
    >>> from sumdigits.keras import MultiTaskSumClassifier
    >>> (X, y), _ = load_mnist("embedded")
    >>> pairs = make_digit_pairs(X[:1000], y[:1000], 500, strategy="disjoint", random_state=0)
    >>> clf = MultiTaskSumClassifier(shared_units=[32], head_units=[], epochs=1, random_state=0)
    >>> clf.fit(pairs.data, pairs.digits).predict_proba(pairs.data[:2]).shape
    (2, 19)
    >>> clf.predict_digits(pairs.data[:2]).shape
    (2, 2)
    """

    _parameter_constraints = {
        **BaseKerasClassifier._parameter_constraints,
        "trunk": [StrOptions({"fcnn", "cnn"})],
        "shared_units": [list, tuple, str],
        "head_units": [list, tuple, str],
        "filters": [list, tuple, str],
        "kernel_size": [Interval(numbers.Integral, 1, None, closed="left"), tuple],
        "strides": [Interval(numbers.Integral, 1, None, closed="left"), tuple],
        "task_weights": [tuple, list],
        "activation": [StrOptions(_ACTIVATIONS)],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "l2": [Interval(numbers.Real, 0, None, closed="left")],
        "batch_norm": ["boolean"],
    }

    def __init__(
        self,
        *,
        trunk="fcnn",
        shared_units=(256, 128),
        head_units=(64,),
        filters=(32, 64),
        kernel_size=3,
        strides=2,
        task_weights=(1.0, 1.0, 1.0),
        activation="relu",
        dropout=0.0,
        l2=0.0,
        batch_norm=False,
        optimizer="adam",
        learning_rate=1e-3,
        loss="sparse_categorical_crossentropy",
        metrics=None,
        batch_size=128,
        epochs=10,
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
        self.trunk = trunk
        self.shared_units = shared_units
        self.head_units = head_units
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.task_weights = task_weights
        self.activation = activation
        self.dropout = dropout
        self.l2 = l2
        self.batch_norm = batch_norm

    @property
    def feature_encoder(self):
        return ImageInputEncoder(image_shape=self.image_shape, rescale=self.rescale,
                                 as_images=self.trunk == "cnn")

    @property
    def target_encoder(self):
        return DigitPairTargetEncoder()

    def _build_network(self, input_shape, n_outputs):
        return build_multitask(
            input_shape, n_digit_classes=N_DIGIT_CLASSES, trunk=self.trunk,
            shared_units=self.shared_units, head_units=self.head_units, filters=self.filters,
            kernel_size=self.kernel_size, strides=self.strides, activation=self.activation,
            dropout=self.dropout, l2=self.l2, batch_norm=self.batch_norm,
        )

    def _get_compile_kwargs(self):
        kwargs = super()._get_compile_kwargs()
        if len(self.task_weights) != len(TASKS):
            raise ValueError(
                f"task_weights must hold {len(TASKS)} weights (first, second, sum), "
                f"got {self.task_weights!r}."
            )
        kwargs["loss"] = {task: kwargs["loss"] for task in TASKS}
        weights = list(map(float, self.task_weights))
        if getattr(self, "fit_mode_", "digits") == "sums":
            weights[:2] = [0.0, 0.0]  # no digit labels: only the sum head learns
        kwargs["loss_weights"] = dict(zip(TASKS, weights))
        kwargs["metrics"] = {task: list(kwargs["metrics"]) for task in TASKS}
        return kwargs

    def _stratify_labels(self, y):
        return np.asarray(y[TASKS.index("sum")])

    def fit(self, X, y, sample_weight=None, **kwargs):
        """Fit the network on pair images and their two digit labels.

        Parameters
        ----------
        X : array-like of shape (n_pairs, n_features) or (n_pairs, height, width)
            Pair images, as :func:`~sumdigits.make_digit_pairs` makes them.
        y : array-like of shape (n_pairs, 2) or (n_pairs,)
            The digit labels (0..9) of each pair, or only their sums (0..18):
            then the digit heads get no loss (``task_weights`` of 0 for them),
            and only the sum head and the trunk learn.
        sample_weight : array-like of shape (n_pairs,), default=None
        **kwargs
            Passed to ``keras.Model.fit``.

        Returns
        -------
        self
        """
        if y is not None:  # else the base class says that y is required
            y = _ravel_column(y)
            if np.ndim(y) == 2:
                y, self.fit_mode_ = check_digit_labels(y, name="y", ndim=2), "digits"
            else:
                y, self.fit_mode_ = check_sum_labels(y, name="y"), "sums"
        return super().fit(X, y, sample_weight=sample_weight, **kwargs)

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch,
                         **kwargs):
        if sample_weight is not None:  # Keras takes one weight array per output
            sample_weight = [sample_weight] * len(TASKS)  # in the order of the outputs
        super()._fit_keras_model(X, y, sample_weight, warm_start, epochs, initial_epoch,
                                 **kwargs)

    def predict_digit_proba(self, X):
        """Probabilities of the two digits of each pair, from the digit heads.

        Parameters
        ----------
        X : array-like of pair images

        Returns
        -------
        proba : ndarray of shape (n_pairs, 2, 10)
            ``proba[i, j, d]`` is the probability that digit ``j`` of pair ``i`` is ``d``.
        """
        check_is_fitted(self, "model_")
        if getattr(self, "fit_mode_", "digits") == "sums":
            raise ValueError("This MultiTaskSumClassifier was fitted on sums only: its digit "
                             "heads never learned; fit it on the digit labels (n_pairs, 2).")
        first, second, _ = self._predict_raw(X)
        return np.stack([np.asarray(first), np.asarray(second)], axis=1)

    def predict_digits(self, X):
        """The two digits of each pair, from the digit heads.

        Parameters
        ----------
        X : array-like of pair images

        Returns
        -------
        digits : ndarray of shape (n_pairs, 2)
            The most probable first and second digit.
        """
        return self.predict_digit_proba(X).argmax(axis=2)

    def score(self, X, y, sample_weight=None):
        """Accuracy of the predicted sums.

        Parameters
        ----------
        X : array-like of pair images
        y : array-like of shape (n_pairs, 2) or (n_pairs,)
            Digit pairs or their sums.
        sample_weight : array-like of shape (n_pairs,), default=None
            Weight of each pair.

        Returns
        -------
        score : float
            Fraction of pairs whose sum is predicted right.
        """
        check_samples(X, y)
        y = np.asarray(y)
        sums = (check_digit_labels(y, ndim=2).sum(axis=1) if y.ndim == 2
                else check_sum_labels(y))
        return accuracy_score(sums, self.predict(X), sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # y may be (n, 2) digit labels, but predictions are sums: not multi-output
        tags.target_tags.two_d_labels = True
        return tags
