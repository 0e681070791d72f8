"""Hard-shared multitask network for digit pairs (report 002, task 6).

One shared trunk reads the pair image; three softmax heads predict the first
digit, the second digit and the sum. The network trains on the digit labels of
each pair (the sum is their total), with the three losses summed (weighted by
``task_weights``); the estimator predicts sums.
"""

from __future__ import annotations


import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import StrOptions

from .._validation import (
    N_DIGIT_CLASSES,
    N_SUM_CLASSES,
    check_digit_labels,
    check_samples,
    check_sum_labels,
)
from ._base import BaseKerasClassifier, ImageInputEncoder, _ravel_column
from .builders import build_multitask
from ._params import Param, base_params, declare
from .estimators import (
    ACTIVATION,
    BASE_ATTRIBUTES,
    BATCH_NORM,
    KERNEL_SIZE,
    L2,
    STRIDES,
    _widths,
    dropout_param,
    filters_param,
)

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


@declare
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
""" + BASE_ATTRIBUTES + """
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
    >>> clf = MultiTaskSumClassifier(hidden_layer_sizes=[32], head_layer_sizes=[], epochs=1,
    ...                              random_state=0)
    >>> clf.fit(pairs.data, pairs.digits).predict_proba(pairs.data[:2]).shape
    (2, 19)
    >>> clf.predict_digits(pairs.data[:2]).shape
    (2, 2)
    """

    _params = (
        Param("trunk", "fcnn", [StrOptions({"fcnn", "cnn"})], '{"fcnn", "cnn"}',
              "Dense trunk on the flattened pair, or convolutions then dense layers."),
        _widths("hidden_layer_sizes", (256, 128),
                "Dense widths of the shared trunk; the last is the embedding. Old name: "
                "``shared_units``."),
        _widths("head_layer_sizes", (64,),
                "Dense widths of each task head. Old name: ``head_units``."),
        filters_param((32, 64), 'Convolutions of the "cnn" trunk.'),
        KERNEL_SIZE, STRIDES,
        Param("task_weights", (1.0, 1.0, 1.0), [tuple, list], "tuple of 3 floats",
              "Weights of the first-digit, second-digit and sum losses."),
        ACTIVATION, dropout_param(), L2, BATCH_NORM,
        *base_params(),
    )

    @property
    def feature_encoder(self):
        return ImageInputEncoder(image_shape=self.image_shape, rescale=self.rescale,
                                 as_images=self.trunk == "cnn")

    @property
    def target_encoder(self):
        return DigitPairTargetEncoder()

    def _keras_build_fn(self, meta, params):
        return build_multitask(
            meta["input_shape_"], n_digit_classes=N_DIGIT_CLASSES, trunk=params["trunk"],
            hidden_layer_sizes=params["hidden_layer_sizes"],
            head_layer_sizes=params["head_layer_sizes"], filters=params["filters"],
            kernel_size=params["kernel_size"], strides=params["strides"],
            activation=params["activation"], dropout=params["dropout"], l2=params["l2"],
            batch_norm=params["batch_norm"], seed=meta["seed"],
        )

    def _compile_arguments(self, params):
        kwargs = super()._compile_arguments(params)
        if len(params["task_weights"]) != len(TASKS):
            raise ValueError(
                f"task_weights must hold {len(TASKS)} weights (first, second, sum), "
                f"got {params['task_weights']!r}."
            )
        kwargs["loss"] = {task: kwargs["loss"] for task in TASKS}
        weights = list(map(float, params["task_weights"]))
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
        first, second, _ = self._network_output(X)
        if getattr(self, "fit_mode_", "digits") == "sums":
            raise ValueError("This MultiTaskSumClassifier was fitted on sums only: its digit "
                             "heads never learned; fit it on the digit labels (n_pairs, 2).")
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
