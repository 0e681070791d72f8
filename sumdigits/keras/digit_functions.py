"""Learning digits from any known function of k <= 4 digits (beyond sums).

:class:`NeuroSymbolicFunctionClassifier` generalises the MNIST-addition benchmark
(:class:`~sumdigits.keras.NeuroSymbolicSumClassifier`) to the tasks of the newer
neuro-symbolic systems (the product, the maximum or the difference of two digits,
the sum of three...): each sample is a row of ``k`` digit images, labelled by
``y = f(d_1, ..., d_k)`` for a function ``f`` given as a Python callable. The
10**k digit combinations are enumerated once at ``fit``; the probability of a
label is the exact sum, over the combinations that ``f`` maps to it, of the
product of the k digit probabilities (:func:`function_log_proba`), and the one
digit network, shared by the k images, is trained on its negative log-likelihood
(:func:`function_nll`). No digit label is ever seen.
"""

from __future__ import annotations

import itertools
import numbers

import keras
import numpy as np
from keras import layers, ops
from scipy.special import logsumexp, softmax
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import type_of_target

from ._params import Param, declare
from .neurosymbolic import (
    DIGIT_NETWORK_PARAMS,
    BaseNeuroSymbolicClassifier,
    neurosymbolic_base_params,
)

__all__ = [
    "FunctionLikelihood",
    "digit_sum",
    "NeuroSymbolicFunctionClassifier",
    "function_log_proba",
    "function_nll",
    "function_table",
]

#: Most digits a function may take: its 10**k combinations are enumerated, in
#: Python at ``fit`` and for every sample in the network (10,000 for k = 4).
MAX_INPUTS = 4
# Floor of a digit probability before its log: a softmax output of exactly 0 (a
# logit gap above ~104 in float32) would give log 0 = -inf, and -inf - -inf = NaN
# in the log-sum-exp. log(1e-30) = -69, so k = 4 such digits still sum to a finite
# -276, far below any real combination.
_TINY = 1e-30


# ------------------------------------------------------------ the enumeration
def _describe(values, limit=12):
    values = list(values)
    shown = ", ".join(map(repr, values[:limit]))
    count = f"{len(values)} value{'' if len(values) == 1 else 's'}"
    return f"[{shown}{', ...' if len(values) > limit else ''}] ({count})"


def _check_output(value, digits, k):
    """Raise unless ``value`` is a usable label: a hashable scalar, neither None nor NaN."""
    problem = None
    if value is None:
        problem = "None"
    elif np.ndim(value) != 0:
        problem = f"a non-scalar {type(value).__name__} ({value!r})"
    else:
        try:
            hash(value)
        except TypeError:
            problem = f"an unhashable {type(value).__name__} ({value!r})"
        else:
            if value != value:  # NaN, the one value unequal to itself
                problem = "NaN"
    if problem is not None:
        raise ValueError(
            f"function returned {problem} for the digits {digits}; it must return one "
            f"label (an int, or any hashable, sortable scalar) for each of the 10**{k} "
            "digit combinations.")


def function_table(function, n_inputs):
    """Enumerate ``function`` on every combination of ``n_inputs`` digits.

    Parameters
    ----------
    function : callable
        Called as ``function(d_1, ..., d_k)`` on Python ints 0..9; returns a
        hashable scalar (an int, or any value that sorts with the others).
    n_inputs : int in 1..4
        The number of digits k.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        The distinct values of ``function``, sorted.
    combination_classes : ndarray of shape (10**k,), int32
        For each combination, numbered ``sum_i d_i 10**(k - i)`` (the first digit
        most significant), the index of its value in ``classes``.

    Examples
    --------
    >>> import operator
    >>> from sumdigits.keras.digit_functions import function_table
    >>> classes, index = function_table(operator.mul, 2)
    >>> len(classes), classes[index[3 * 10 + 7]]  # the 100 digit pairs make 37 products
    (37, np.int64(21))
    """
    if not callable(function):
        raise TypeError(f"function must be a callable taking the digits, got {function!r}.")
    k = _check_n_inputs(n_inputs)
    outputs = []
    for digits in itertools.product(range(10), repeat=k):
        try:
            value = function(*digits)
        except Exception as exc:
            raise ValueError(
                f"function raised {type(exc).__name__}({exc}) when called with the digits "
                f"{digits}; it must take n_inputs={k} ints 0..9 and return a label for "
                f"each of the 10**{k} combinations.") from exc
        _check_output(value, digits, k)
        outputs.append(value)
    try:
        distinct = sorted(set(outputs))
    except TypeError as exc:
        raise ValueError(f"function returns values that do not sort ({exc}); classes_ "
                         "are its values in order, so they must be comparable.") from exc
    classes = np.asarray(distinct)  # ints as int64, strings as str, big ints as objects
    position = {value: i for i, value in enumerate(distinct)}
    combination_classes = np.array([position[v] for v in outputs], dtype=np.int32)
    return classes, combination_classes


def digit_sum(*digits):
    """The sum of the digits: the default function (a module-level one, so it pickles)."""
    return sum(digits)


def _check_n_inputs(n_inputs):
    if (not isinstance(n_inputs, numbers.Integral) or isinstance(n_inputs, bool)
            or n_inputs < 1):
        raise ValueError(f"n_inputs must be an int >= 1 (the number of digits function "
                         f"takes), got {n_inputs!r}.")
    if n_inputs > MAX_INPUTS:
        raise ValueError(
            f"n_inputs={n_inputs} is more than {MAX_INPUTS}: the likelihood enumerates all "
            f"10**k digit combinations (10**{n_inputs} = {10**n_inputs:,}), for every "
            f"sample of every batch, which is only done up to 10**{MAX_INPUTS}.")
    return int(n_inputs)


# ------------------------------------------------------------------ the graph
def function_log_proba(digit_proba, combination_classes, n_classes):
    """Log-probability of every value of a function of k independent digits.

    ``log P(y) = log sum_{c : f(c) = y} prod_i p_i(c_i)``, exactly: the log-joint
    of the 10**k combinations (sums of the k digits' log-probabilities), then a
    log-sum-exp per class, each shifted by its own largest term. Unlike a sum of
    probabilities (a matrix product of the joint with a 0/1 matrix), a class whose
    every combination is improbable keeps its exact log-probability and a
    non-vanishing gradient, however wrong and confident the digit network is (a
    product of four probabilities of 1e-10 underflows float32; its log, -92, does
    not), and no (10**k x n_classes) matrix is built (10**8 entries for a
    function with 10**4 values).

    Parameters
    ----------
    digit_proba : tensor of shape (n, k, 10)
        The digit distributions of the k digits of each sample. Floats of any
        precision; the result has the same.
    combination_classes : int array of shape (10**k,)
        Class of each combination (:func:`function_table`).
    n_classes : int
        Number of classes; every class holds at least one combination.

    Returns
    -------
    tensor of shape (n, n_classes)

    Examples
    --------
    >>> import numpy as np
    >>> from keras import ops
    >>> from sumdigits.keras.digit_functions import function_log_proba, function_table
    >>> classes, index = function_table(max, 2)
    >>> p = np.full((1, 2, 10), 0.1)  # two uniform digits: P(max = m) = (2m + 1) / 100
    >>> np.exp(ops.convert_to_numpy(function_log_proba(p, index, 10)))[0, [0, 9]].round(6)
    array([0.01, 0.19])
    """
    digit_proba = ops.convert_to_tensor(digit_proba)
    k = digit_proba.shape[1]
    log_p = ops.log(ops.maximum(digit_proba, ops.cast(_TINY, digit_proba.dtype)))
    joint = log_p[:, 0]
    for i in range(1, k):  # combination index: the first digit most significant
        joint = ops.reshape(joint[:, :, None] + log_p[:, i, None, :], (-1, 10 ** (i + 1)))
    ids = ops.convert_to_tensor(np.asarray(combination_classes, dtype=np.int32))
    terms = ops.transpose(joint)  # (10**k, n): the segment ops reduce the first axis
    peak = ops.stop_gradient(ops.segment_max(terms, ids, num_segments=n_classes))
    total = ops.segment_sum(ops.exp(terms - ops.take(peak, ids, axis=0)), ids,
                            num_segments=n_classes)
    return ops.transpose(ops.log(total) + peak)


@keras.saving.register_keras_serializable(package="sumdigits")
class FunctionLikelihood(layers.Layer):
    """Digit distributions (n, k, 10) -> log-probabilities of the function's values (n, C).

    :func:`function_log_proba` as a layer, with the function's table (the class of
    each of the 10**k digit combinations, :func:`function_table`) as a constant.
    No weights. Its output is trained with :func:`function_nll`.

    Parameters
    ----------
    combination_classes : sequence of int of length 10**k
        The class of each digit combination.
    n_classes : int
        The number of classes.
    **kwargs
        Keras' layer arguments (``name``...).
    """

    def __init__(self, combination_classes, n_classes, **kwargs):
        super().__init__(**kwargs)
        self.combination_classes = np.asarray(combination_classes, dtype=np.int32)
        self.n_classes = int(n_classes)

    def call(self, digit_proba):
        return function_log_proba(digit_proba, self.combination_classes, self.n_classes)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n_classes)

    def get_config(self):
        return {**super().get_config(), "n_classes": self.n_classes,
                "combination_classes": self.combination_classes.tolist()}


@keras.saving.register_keras_serializable(package="sumdigits")
def function_nll(y_true, y_pred):
    """Negative log-likelihood ``-log P(y)`` of the observed values, per sample.

    Parameters
    ----------
    y_true : int tensor of shape (n,) or (n, 1)
        Each observed value as its index in ``classes_``.
    y_pred : tensor of shape (n, n_classes)
        The log-probabilities of every value, as :class:`FunctionLikelihood`
        gives them.

    Returns
    -------
    tensor of shape (n,)
        ``-y_pred[i, y_true[i]]``.
    """
    index = ops.reshape(ops.cast(y_true, "int32"), (-1, 1))
    return -ops.reshape(ops.take_along_axis(y_pred, index, axis=1), (-1,))


# -------------------------------------------------------------------- encoder
class FunctionEncoder(TransformerMixin, BaseEstimator):
    """A function's values as the network's targets (their indices in ``classes_``), and back.

    ``fit`` enumerates the function on the 10**k digit combinations
    (:func:`function_table`): ``classes_`` are all its values, whatever ``y``
    holds. ``inverse_transform`` turns the network's log-probabilities into the
    most probable values, or into probabilities (normalised in float64).

    Parameters
    ----------
    function : callable
    n_inputs : int, default=2
    """

    def __init__(self, *, function, n_inputs=2):
        self.function = function
        self.n_inputs = n_inputs

    def fit(self, y):
        self.classes_, self.combination_classes_ = function_table(self.function, self.n_inputs)
        self.n_classes_ = len(self.classes_)
        self._index = {value: i for i, value in enumerate(self.classes_.tolist())}
        observed = np.unique(self.transform(y))
        if len(observed) < 2:
            raise ValueError(
                f"y holds 1 class, the value {self.classes_[observed[0]]!r} of function: a "
                "single value tells no digits apart; at least 2 distinct values (classes) "
                "are needed to fit.")
        return self

    def transform(self, y):
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be a 1-D array of the function's values, got shape "
                             f"{y.shape}.")
        try:
            values, inverse = np.unique(y, return_inverse=True)
        except TypeError:  # values of several types: one at a time
            values, inverse = y, np.arange(len(y))
        index = [self._index.get(v) for v in values.tolist()]
        unknown = [v for v, i in zip(values.tolist(), index) if i is None]
        if unknown:
            continuous = ("Unknown label type: continuous. "
                          if type_of_target(y) == "continuous" else "")
            raise ValueError(
                f"{continuous}y holds {_describe(sorted(set(unknown), key=repr), 5)} that function never "
                f"returns on {self.n_inputs} digits; its values are "
                f"{_describe(self.classes_.tolist())}.")
        return np.asarray(index, dtype=np.int32)[inverse.reshape(-1)]

    def inverse_transform(self, y, return_proba=False):
        log_proba = np.asarray(y, dtype=np.float64)
        if return_proba:
            return softmax(log_proba, axis=1)  # exp, renormalised against float32 rounding
        return self.classes_[log_proba.argmax(axis=1)]

    def get_metadata(self):
        return {"classes_": self.classes_, "n_classes_": self.n_classes_,
                "n_outputs_expected_": 1}


# ------------------------------------------------------------------ estimator
@declare
class NeuroSymbolicFunctionClassifier(BaseNeuroSymbolicClassifier):
    """Learn to read digits from any known function of k <= 4 of them.

    Each sample is a row of ``n_inputs`` digit images side by side, labelled by
    ``y = function(d_1, ..., d_k)`` for a function known in advance
    (``operator.mul``, ``max``, ``lambda a, b: a - b``...). One CNN reads every
    digit image; the graph computes the exact probability of each value of the
    function (:class:`FunctionLikelihood`) and trains on its likelihood, so the
    network learns the digits wherever the function's values tell them apart (a
    sum, product or maximum does; a parity does not). See :ref:`guide_sums`.

    ``predict``, ``predict_proba`` and ``score`` concern the function's values;
    ``predict_digits`` and ``predict_digit_proba`` read the digits of the same
    samples; single digit images go to ``digit_estimator_``.

    Parameters
    ----------

    Attributes
    ----------
    model_ : keras.Model
        The whole network; it outputs the log-probability of every value.
    digit_network_ : keras.Model
        The digit network: one scaled digit image (height, width, 1) to 10
        probabilities, for raw Keras.
    digit_estimator_ : ~sumdigits.keras.neurosymbolic.DigitImageClassifier
        The digit network as a scikit-learn classifier of single digit images
        (``predict``, ``predict_proba``, ``score``), scaled as in ``fit``.
    classes_ : ndarray of shape (n_classes,)
        The labels ``predict`` can return, one per column of ``predict_proba``:
        every value of ``function`` on the 10**k digit combinations, sorted, seen
        in ``fit`` or not.
    n_classes_ : int
    n_iter_ : int
        Iterations of the optimisation: the epochs of the last ``fit``, plus one
        per later ``partial_fit`` (``len(history_["loss"])``).
    history_ : dict of list
        Per-epoch ``loss`` and ``accuracy`` (of the most probable value).
    digit_shape_ : tuple of int
        (height, width) of one digit image.
    input_shape_ : tuple of int
        ``(n_inputs, height, width, 1)``.
    scale_ : float
        The factor applied to the pixels (see ``rescale``).

    See Also
    --------
    sumdigits.keras.NeuroSymbolicSumClassifier : sums of two numbers of any length.

    References
    ----------
    R. Manhaeve et al., "DeepProbLog: Neural Probabilistic Logic Programming",
    NeurIPS 2018; Z. Li et al., "Scallop: A Language for Neurosymbolic
    Programming", PLDI 2023 (the MNIST-R tasks: sums, products, maxima...).

    Examples
    --------
    >>> import operator
    >>> from sumdigits import load_mnist, make_digit_pairs
    >>> from sumdigits.keras import NeuroSymbolicFunctionClassifier
    >>> (X, y), (X_test, y_test) = load_mnist("embedded")
    >>> pairs = make_digit_pairs(X, y, 200, strategy="disjoint", random_state=0)
    >>> products = pairs.digits[:, 0] * pairs.digits[:, 1]
    >>> clf = NeuroSymbolicFunctionClassifier(function=operator.mul, filters=[4],
    ...                                       hidden_layer_sizes=[8], epochs=1,
    ...                                       random_state=0).fit(pairs.data, products)
    >>> clf.classes_[:6].tolist(), clf.predict_proba(pairs.data[:2]).shape
    ([0, 1, 2, 3, 4, 5], (2, 37))
    >>> clf.predict_digit_proba(pairs.data[:2]).shape
    (2, 2, 10)
    >>> clf.digit_estimator_.predict(X_test[:3]).shape
    (3,)
    """

    _params = (
        Param("function", None, [callable, None], "callable or None",
              """\
              ``function(d_1, ..., d_k)`` of Python ints 0..9 returns the label (a
              sortable hashable scalar); None is the sum. A lambda cannot be pickled."""),
        Param("n_inputs", 2, [Interval(numbers.Integral, 1, None, closed="left")],
              "int in 1..4",
              "Digits per sample, side by side (the likelihood costs 10**k per sample)."),
        *DIGIT_NETWORK_PARAMS,
        *neurosymbolic_base_params(
            loss="""\
                 None: the negative log-likelihood of the observed value
                 (:func:`function_nll`); a callable gets the value indices (n,) and
                 the log-probabilities (n, n_classes).""",
            metrics='Recorded per epoch in ``history_``; None means ``["accuracy"]``.',
            class_weight="Weights per observed value.",
        ),
    )

    def _validate_params(self):
        super()._validate_params()
        _check_n_inputs(self.n_inputs)

    # ------------------------------------------------------- base-class hooks
    def _digit_layout(self, params):
        return params["n_inputs"], None

    @property
    def _digit_axes(self):
        return (self.feature_encoder_.n_digits,)

    def _head(self, meta):
        return FunctionLikelihood(self.target_encoder_.combination_classes_,
                                  meta["n_classes_"], name="function_likelihood")

    def _default_loss_and_metrics(self):
        return function_nll, ["accuracy"]

    def _average_outputs(self, outputs):
        # the network outputs log-probabilities: average the probabilities
        return logsumexp(outputs, axis=0) - np.log(len(outputs))

    @property
    def target_encoder(self):
        function = digit_sum if self.function is None else self.function
        return FunctionEncoder(function=function, n_inputs=self.n_inputs)
