"""Hard-shared multitask networks (report 002, task 6).

One shared trunk reads the input; one softmax head per task, the losses summed
(weighted by ``task_weights``). :class:`MultiTaskClassifier` learns any number of
label columns, each with its own classes (a digit and a coarse grouping of it,
say). :class:`MultiTaskSumClassifier` learns digit pairs: three heads predict the
first digit, the second digit and the sum, trained on the digit labels of each
pair (the sum is their total); it predicts sums.
"""

from __future__ import annotations


import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .._digits import DigitsMixin
from .._validation import (
    N_DIGIT_CLASSES,
    N_SUM_CLASSES,
    check_digit_labels,
    check_n_classes,
    check_samples,
    check_sum_labels,
)
from ._base import BaseKerasClassifier
from ._data import _ravel_column
from ._encoders import ImageInputEncoder
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

__all__ = ["MultiTaskClassifier", "MultiTaskSumClassifier"]

TASKS = ("first", "second", "sum")


class _HardShared:
    """What the multitask estimators share: the input encoder, the network and the
    per-task compilation (one loss, weight and metric list per head).

    A subclass names its heads (``_heads()``: output name -> number of classes, in
    the order of the network's outputs) and their loss weights
    (``_task_weights(params)``).
    """

    @property
    def feature_encoder(self):
        return ImageInputEncoder(image_shape=self.image_shape, rescale=self.rescale,
                                 as_images=self.trunk == "cnn")

    def _keras_build_fn(self, meta, params):
        return build_multitask(
            meta["input_shape_"], heads=self._heads(), trunk=params["trunk"],
            hidden_layer_sizes=params["hidden_layer_sizes"],
            head_layer_sizes=params["head_layer_sizes"], filters=params["filters"],
            kernel_size=params["kernel_size"], strides=params["strides"],
            activation=params["activation"], dropout=params["dropout"], l2=params["l2"],
            batch_norm=params["batch_norm"], seed=meta["seed"],
        )

    def _compile_arguments(self, params):
        """Keras' compile arguments with a loss, weight and metrics per task."""
        tasks = list(self._heads())
        kwargs = super()._compile_arguments(params)
        kwargs["loss"] = {task: kwargs["loss"] for task in tasks}
        kwargs["loss_weights"] = dict(zip(tasks, self._task_weights(params)))
        kwargs["metrics"] = {task: list(kwargs["metrics"]) for task in tasks}
        return kwargs


def _multitask_params(task_weights):
    """The parameters of the hard-shared network, ``task_weights`` among them."""
    return (
        Param("trunk", "fcnn", [StrOptions({"fcnn", "cnn"})], '{"fcnn", "cnn"}',
              "Dense trunk on the flattened input, or convolutions then dense layers."),
        _widths("hidden_layer_sizes", (256, 128),
                "Dense widths of the shared trunk; the last is the embedding."),
        _widths("head_layer_sizes", (64,),
                "Dense widths of each task head."),
        filters_param((32, 64), 'Convolutions of the "cnn" trunk.'),
        KERNEL_SIZE, STRIDES, task_weights,
        ACTIVATION, dropout_param(), L2, BATCH_NORM, *base_params(),
    )


def check_task_weights(task_weights, n_tasks, *, what=""):
    """``task_weights`` as a list of ``n_tasks`` finite floats >= 0, not all 0."""
    try:
        weights = list(task_weights)
    except TypeError:
        raise TypeError(f"task_weights must be a list of floats, got "
                        f"{type(task_weights).__name__}.") from None
    if len(weights) != n_tasks:
        raise ValueError(f"task_weights must hold {n_tasks} weights {what}, one per task, "
                         f"got {task_weights!r}.".replace("  ", " "))
    if not all(isinstance(w, numbers.Real) and not isinstance(w, bool) and 0 <= w < np.inf
               for w in weights) or not any(weights):
        raise ValueError(f"task_weights must be finite floats >= 0, not all 0, got "
                         f"{task_weights!r}.")
    return [float(w) for w in weights]


def _sums(y):
    """The sums of digit labels (n, 2), or sums (n,) as they are."""
    y = np.asarray(y)
    return y.sum(axis=1) if y.ndim == 2 else y


def _check_pair_labels(y):
    """Digit labels (n, 2) or sums (n,), checked, and which of the two: "digits" or "sums"."""
    if np.ndim(y) == 2:
        return check_digit_labels(y, name="y", ndim=2), "digits"
    return check_sum_labels(y, name="y"), "sums"


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
class MultiTaskSumClassifier(DigitsMixin, _HardShared, BaseKerasClassifier):
    __doc__ = """Sum of a digit pair from a hard-shared multitask network.

    The network (:func:`~sumdigits.keras.builders.build_multitask`) shares a
    trunk between three heads: the first digit, the second digit and the sum
    (report 002, task 6, applied to pairs). It is fitted on the two digit labels
    of each pair and predicts the sum from the sum head; the digit heads act as
    auxiliary tasks that shape the shared representation. Fitted on sums alone,
    only the sum head learns. ``predict_proba`` gives the sum head's probability
    of each sum in ``classes_``, given that the sum is one of them.
    ``predict_digits`` and ``predict_digit_proba`` read the two digits of the same
    pairs from the digit heads; this network reads no single digit image.

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

    _params = _multitask_params(
        Param("task_weights", (1.0, 1.0, 1.0), [tuple, list], "tuple of 3 floats",
              "Weights of the first-digit, second-digit and sum losses."))

    @property
    def target_encoder(self):
        return DigitPairTargetEncoder()

    def _heads(self):
        return {"first": N_DIGIT_CLASSES, "second": N_DIGIT_CLASSES, "sum": N_SUM_CLASSES}

    def _task_weights(self, params):
        weights = check_task_weights(params["task_weights"], len(TASKS),
                                     what="(first, second, sum)")
        if getattr(self, "fit_mode_", "digits") == "sums":
            weights[:2] = [0.0, 0.0]  # no digit labels: only the sum head learns
        return weights

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
            y, self.fit_mode_ = _check_pair_labels(_ravel_column(y))
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
        sums = _sums(_check_pair_labels(np.asarray(y))[0])
        return accuracy_score(sums, self.predict(X), sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # y may be (n, 2) digit labels, but predictions are sums: not multi-output
        tags.target_tags.two_d_labels = True
        return tags


class LabelColumnsEncoder(TransformerMixin, BaseEstimator):
    """Label columns (n, n_tasks) -> one integer target per task, and back.

    ``fit`` finds the classes of each column (``task_classes_``, a list of
    arrays); ``transform`` gives one float32 array of class indices per column;
    ``inverse_transform`` turns the network's outputs (one probability array per
    task) into labels (n, n_tasks), or with ``return_proba=True`` the list of
    probability arrays. A 1-D ``y`` is one task, given back 1-D (one array of
    probabilities), as scikit-learn's multi-output classifiers do.
    """

    def fit(self, y):
        y = np.asarray(y)
        self.one_column_ = y.ndim == 1
        self.task_classes_ = []
        for t, column in enumerate(self._columns(y)):
            check_classification_targets(column)
            classes = np.unique(column)
            check_n_classes(classes, estimator="MultiTaskClassifier",
                            name="y" if self.one_column_ else f"y[:, {t}]")
            self.task_classes_.append(classes)
        self.task_n_classes_ = [len(c) for c in self.task_classes_]
        return self

    @staticmethod
    def _columns(y):
        """The label columns, each an array of its own dtype (an object array of
        ints and strings gives an int column and a str column)."""
        y = np.asarray(y)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] < 1:
            raise ValueError(f"y must hold one label column per task, of shape (n_samples, "
                             f"n_tasks), got shape {y.shape}.")
        return [np.asarray(c.tolist()) if c.dtype == object else c for c in y.T]

    def transform(self, y):
        columns = self._columns(y)
        if len(columns) != len(self.task_classes_):
            raise ValueError(f"y has {len(columns)} label columns, but "
                             f"{len(self.task_classes_)} tasks were fitted.")
        out = []
        for t, (column, classes) in enumerate(zip(columns, self.task_classes_)):
            unseen = np.setdiff1d(column, classes)
            if unseen.size:
                raise ValueError(f"y[:, {t}] holds labels not seen in fit: "
                                 f"{unseen[:5].tolist()}; its classes are {classes.tolist()}.")
            out.append(np.searchsorted(classes, column).astype(np.float32))
        return out

    def inverse_transform(self, y, return_proba=False):
        probas = [np.asarray(p) for p in (y if isinstance(y, (list, tuple)) else [y])]
        if return_proba:
            return probas[0] if self.one_column_ else probas
        columns = [classes[p.argmax(axis=1)] for classes, p in zip(self.task_classes_, probas)]
        if self.one_column_:
            return columns[0]
        # one dtype for all columns, or objects (ints beside strings keep their types)
        same = len({c.dtype for c in columns}) == 1
        labels = np.empty((len(columns[0]), len(columns)),
                          dtype=columns[0].dtype if same else object)
        for t, column in enumerate(columns):
            labels[:, t] = column
        return labels

    def get_metadata(self):
        if self.one_column_:
            return {"classes_": self.task_classes_[0], "n_classes_": self.task_n_classes_[0],
                    "n_outputs_": 1, "n_outputs_expected_": 1}
        return {"classes_": self.task_classes_, "n_classes_": self.task_n_classes_,
                "n_outputs_": len(self.task_classes_),
                "n_outputs_expected_": len(self.task_classes_)}


@declare
class MultiTaskClassifier(_HardShared, BaseKerasClassifier):
    __doc__ = """Several label columns from one hard-shared multitask network.

    Report 002's task 6: one shared trunk
    (:func:`~sumdigits.keras.builders.build_multitask`), one softmax head per
    label column of ``y``, each column with its own classes (a digit and a
    coarse grouping of it, say), the losses summed with ``task_weights``.

    Parameters
    ----------
""" + BASE_ATTRIBUTES.replace("""    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
""", """    classes_ : list of ndarray
        The classes of each task (label column), sorted; one ndarray when ``y``
        is 1-D (one task), as for scikit-learn's multi-output classifiers.
    n_classes_ : list of int
        Likewise (an int for a 1-D ``y``).
""") + """
    See Also
    --------
    MultiTaskSumClassifier : the digit pair tasks (first digit, second digit, sum).
    FCNNClassifier : one task.

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits import load_mnist
    >>> from sumdigits.keras import MultiTaskClassifier
    >>> (X, y), _ = load_mnist("embedded")
    >>> Y = np.column_stack([y, np.digitize(y, [4, 7])])  # the digit and a 3-class grouping
    >>> clf = MultiTaskClassifier(hidden_layer_sizes=[32], head_layer_sizes=[],
    ...                           task_weights=[1.0, 0.5], epochs=1, random_state=0)
    >>> clf.fit(X[:500], Y[:500]).predict(X[:3]).shape
    (3, 2)
    >>> [p.shape for p in clf.predict_proba(X[:3])]
    [(3, 10), (3, 3)]
    """

    _params = _multitask_params(
        Param("task_weights", None, [list, tuple, None], "list of float or None",
              "Weight of each task's loss, one per label column (None: 1 each)."))

    def fit(self, X, y, sample_weight=None, **kwargs):
        """Fit the network on the images and their label columns.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
            Images, flattened or not; pixels in [0, 255] are scaled to [0, 1] (``rescale``).
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            One label column per task, each with its own classes (at least 2);
            1-D: one task, predicted 1-D.
        sample_weight : array-like of shape (n_samples,), default=None
        **kwargs
            Passed to ``keras.Model.fit``; ``validation_data=(X_val, Y_val)`` with
            the label columns of the validation samples.

        Returns
        -------
        self
        """
        return super().fit(X, y, sample_weight=sample_weight, **kwargs)

    @property
    def target_encoder(self):
        return LabelColumnsEncoder()

    def _heads(self):
        return {f"task_{t}": n for t, n in enumerate(self.target_encoder_.task_n_classes_)}

    def _task_weights(self, params):
        n_tasks, weights = len(self.target_encoder_.task_n_classes_), params["task_weights"]
        return [1.0] * n_tasks if weights is None else check_task_weights(weights, n_tasks)

    def _stratify_labels(self, y):
        # the joint label of all tasks
        return np.ravel_multi_index([np.asarray(c, dtype=np.int64) for c in y],
                                    self.target_encoder_.task_n_classes_)

    def predict_proba(self, X, **kwargs):
        """Class probabilities of each task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
        **kwargs : dict
            Passed on to ``keras.Model.predict``.

        Returns
        -------
        list of ndarray
            One array of shape (n_samples, n_classes_[t]) per task, in the order
            of ``classes_[t]`` (as scikit-learn's multi-output classifiers); one
            array when fitted on a 1-D ``y``.
        """
        output = self._network_output(X, **kwargs)  # checks that the network is fitted
        return self.target_encoder_.inverse_transform(output, return_proba=True)

    def predict(self, X, **kwargs):
        """The most probable class of each task: the argmax of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of images
            As :meth:`predict_proba` takes them.
        **kwargs : dict
            Passed on to ``keras.Model.predict``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples, n_tasks)
            1-D when fitted on a 1-D ``y``; of object dtype when the tasks' labels
            have different types (ints beside strings).
        """
        return super().predict(X, **kwargs)

    def score(self, X, y, sample_weight=None):
        """Subset accuracy: the share of samples with every task right.

        As scikit-learn's multi-output classifiers; per task, compare the
        columns of :meth:`predict`.

        Parameters
        ----------
        X : array-like of images
        y : array-like of shape (n_samples, n_tasks)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        check_is_fitted(self, "model_")
        check_samples(X, y)
        true = LabelColumnsEncoder._columns(y)
        pred = LabelColumnsEncoder._columns(self.predict(X))
        if len(true) != len(pred):
            raise ValueError(f"y has {len(true)} label columns, but {len(pred)} tasks were "
                             "fitted.")
        right = np.all([t == p for t, p in zip(true, pred)], axis=0)
        return float(np.average(right, weights=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
