"""NeuroSymbolicFunctionClassifier: digits learned from any known function of k <= 4 digits."""

import itertools
import math
import operator
import pickle

import numpy as np
import pytest
from sklearn.base import clone

from sumdigits import make_digit_pairs
from sumdigits._geometry import Geometry
from sumdigits._sums import sums_to_digits
from sumdigits.utils import all_estimators

keras = pytest.importorskip("keras")

from sumdigits.keras import NeuroSymbolicFunctionClassifier  # noqa: E402
from sumdigits.keras._ns_graph import position_sum_proba, sum_log_proba  # noqa: E402
from sumdigits.keras.digit_functions import (  # noqa: E402
    FunctionEncoder,
    function_log_proba,
    function_nll,
    function_table,
)

pytestmark = pytest.mark.usefixtures("single_blas_thread")

TINY = dict(filters=[4], hidden_layer_sizes=[8], batch_size=32, epochs=1, random_state=0)
U32 = 2.0**-24  # unit roundoff of float32


def product(*d):
    return math.prod(d)


def maximum(*d):
    return max(d)


def difference(*d):
    return d[0] - sum(d[1:])


def total(*d):
    return sum(d)


FUNCTIONS = [product, maximum, difference, total]


def digit_rows(X, y, n, k, seed):
    """n samples of k distinct training digits side by side (n, 28, 28 k), and their digits."""
    index = np.random.default_rng(seed).permutation(len(y))[:n * k].reshape(n, k)
    images = np.empty((n, 28, 28 * k), dtype=X.dtype)
    Geometry((28, 28), None, k).digits(images)[:, 0] = X[index]  # the view writes the rows
    return images, y[index]


def brute_force(p, function):
    """P(function(d) = v) for every value v, by itertools.product over 10**k combinations."""
    n, k, _ = p.shape
    classes = sorted({function(*c) for c in itertools.product(range(10), repeat=k)})
    column = {v: i for i, v in enumerate(classes)}
    proba = np.zeros((n, len(classes)))
    for c in itertools.product(range(10), repeat=k):
        proba[:, column[function(*c)]] += np.prod(p[:, np.arange(k), list(c)], axis=1)
    return np.array(classes), proba


# ------------------------------------------------------- the exact likelihood
@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_likelihood_is_the_brute_force_enumeration(k, function):
    p = np.random.default_rng(k).dirichlet(np.ones(10), size=(7, k))  # float64
    classes, index = function_table(function, k)
    expected_classes, expected = brute_force(p, function)
    np.testing.assert_array_equal(classes, expected_classes)
    got = np.exp(keras.ops.convert_to_numpy(function_log_proba(p, index, len(classes))))
    assert got.dtype == np.float64
    # float64 throughout: each probability is a sum of at most 10**4 terms, each
    # exp(a sum of k logs), whose rounding is below 10**4 * 2**-53 relatively
    np.testing.assert_allclose(got, expected, rtol=1e4 * 2.0**-53 * 2, atol=0)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=1e-12)


def test_sum_of_two_digits_is_the_sum_classifiers_likelihood():
    # floored at 0.001 so that every |log p| <= 7 and |log P| <= 14
    rng = np.random.default_rng(0)
    p = (0.99 * rng.dirichlet(np.ones(10), size=(200, 2)) + 0.001).astype("float32")
    _, index = function_table(operator.add, 2)
    ours = keras.ops.convert_to_numpy(function_log_proba(p, index, 19))
    sums = sums_to_digits(np.arange(19), 1)[None]
    theirs = keras.ops.convert_to_numpy(sum_log_proba(position_sum_proba(p[:, :, None]), sums))
    # Both are log of at most 10 products of two float32 probabilities. The sum
    # classifier rounds ~10 times relatively before its log; ours rounds each
    # of the two logs (|log p| u each), their sum and the shift by the peak
    # (|log P| u each), the exp and ~10 additions (u each), and the final log and
    # addition (|log P| u each): at most (2 * 7 + 4 * 14 + 20) u = 90 u in all.
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=90 * U32)


def test_loss_is_minus_the_log_probability_of_the_observed_value():
    p = np.random.default_rng(1).dirichlet(np.ones(10), size=(20, 2))
    classes, index = function_table(product, 2)
    log_p = function_log_proba(p, index, len(classes))
    observed = np.random.default_rng(2).integers(0, len(classes), size=20)
    loss = keras.ops.convert_to_numpy(function_nll(observed, log_p))
    expected = brute_force(p, product)[1][np.arange(20), observed]
    np.testing.assert_allclose(np.exp(-loss), expected, rtol=1e-12)


def test_improbable_values_keep_finite_log_probabilities_and_gradients():
    import tensorflow as tf

    # a confident network, wrong about both digits: P(3 * 4) underflows float32
    logits = tf.Variable(np.eye(10)[[[7, 8]]] * 40.0, dtype="float32")
    classes, index = function_table(product, 2)
    observed = [int(np.searchsorted(classes, 12))]
    with tf.GradientTape() as tape:
        loss = function_nll(observed, function_log_proba(tf.nn.softmax(logits), index,
                                                         len(classes)))
    assert np.isfinite(loss.numpy()).all() and 60 < float(loss[0]) < 200
    gradient = tape.gradient(loss, logits).numpy()
    assert np.isfinite(gradient).all() and np.abs(gradient).max() > 0.1


# ------------------------------------------------------------ the function
def test_table_numbers_combinations_with_the_first_digit_most_significant():
    classes, index = function_table(difference, 3)
    assert classes.tolist() == list(range(-18, 10))
    assert classes[index[9 * 100 + 2 * 10 + 3]] == 9 - 2 - 3
    assert index.dtype == np.int32 and index.shape == (1000,)


def test_any_sortable_values_are_labels():
    def parity(a, b):
        return "even" if (a + b) % 2 == 0 else "odd"

    encoder = FunctionEncoder(function=parity, n_inputs=2).fit(["odd", "even"])
    assert encoder.classes_.tolist() == ["even", "odd"]
    assert encoder.transform(np.array(["odd", "odd", "even"])).tolist() == [1, 1, 0]
    log_p = np.log([[0.25, 0.75], [0.9, 0.1]])
    assert encoder.inverse_transform(log_p).tolist() == ["odd", "even"]
    np.testing.assert_allclose(encoder.inverse_transform(log_p, return_proba=True),
                               [[0.25, 0.75], [0.9, 0.1]], rtol=1e-12)


@pytest.mark.parametrize("function, k, error, match", [
    (3, 2, TypeError, "function must be a callable"),
    (lambda a, b: a // b, 2, ValueError, r"function raised ZeroDivisionError.*\(0, 0\)"),
    (operator.mul, 3, ValueError, r"function raised TypeError.*n_inputs=3"),
    (lambda a, b: None, 2, ValueError, "function returned None"),
    (lambda a, b: math.nan if a == b == 9 else a, 2, ValueError,
     r"function returned NaN for the digits \(9, 9\)"),
    (lambda a, b: [a, b], 2, ValueError, "function returned a non-scalar list"),
    (lambda a, b: {a} if a > 8 else a, 2, ValueError, "function returned an unhashable set"),
    (lambda a, b: "x" if a else b, 2, ValueError, "function returns values that do not sort"),
    (operator.add, 0, ValueError, "n_inputs must be an int >= 1"),
    (total, 5, ValueError, r"n_inputs=5 is more than 4: .*10\*\*5 = 100,000"),
])
def test_bad_functions_raise_naming_function(function, k, error, match):
    with pytest.raises(error, match=match):
        function_table(function, k)


# ----------------------------------------------------------- the estimator
@pytest.fixture(scope="module")
def pairs(mnist_embedded):
    (X, y), _ = mnist_embedded
    return make_digit_pairs(X, y, 300, strategy="disjoint", random_state=0)


@pytest.fixture(scope="module")
def fitted(pairs):
    """Products of two digits, a tiny network, one epoch: for shapes and types only."""
    clf = NeuroSymbolicFunctionClassifier(function=operator.mul, **TINY)
    return clf.fit(pairs.data, pairs.digits[:, 0] * pairs.digits[:, 1])


def test_is_a_public_estimator():
    assert dict(all_estimators())["NeuroSymbolicFunctionClassifier"] is \
        NeuroSymbolicFunctionClassifier


def test_fit_on_products_predicts_exact_distributions(fitted, pairs, mnist_embedded):
    _, (X_test, _) = mnist_embedded
    X = pairs.data[:40]
    assert fitted.classes_.tolist() == sorted({a * b for a in range(10) for b in range(10)})
    assert fitted.n_classes_ == 37 and fitted.input_shape_ == (2, 28, 28, 1)
    assert fitted.n_iter_ == 1 and set(fitted.history_) == {"loss", "accuracy"}
    proba = fitted.predict_proba(X)
    assert proba.shape == (40, 37) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)  # normalised in float64
    np.testing.assert_array_equal(fitted.predict(X), fitted.classes_[proba.argmax(axis=1)])
    digit_proba = fitted.predict_digit_proba(X)
    assert digit_proba.shape == (40, 2, 10)
    np.testing.assert_array_equal(fitted.predict_digits(X), digit_proba.argmax(axis=2))
    halves = np.concatenate([X[:, :, :28], X[:, :, 28:]])
    # the same float32 network on the same digits, in batches of other sizes
    np.testing.assert_allclose(digit_proba.transpose(1, 0, 2).reshape(80, 10),
                               fitted.digit_estimator_.predict_proba(halves), rtol=1e-5, atol=1e-6)
    assert fitted.digit_estimator_.predict(X_test[:5]).shape == (5,)
    assert fitted.transform(X).shape == (40, 2 * 8)
    # read once, the value's probability is the brute force over the predicted digit
    # distributions (test_time_shift averages the readings' values, not their digits)
    shift = fitted.test_time_shift  # the module's fit is shared: restore it after
    fitted.set_params(test_time_shift=0)
    try:
        once, digits_once = fitted.predict_proba(X), fitted.predict_digit_proba(X)
    finally:
        fitted.set_params(test_time_shift=shift)
    _, expected = brute_force(digits_once.astype(np.float64), product)
    np.testing.assert_allclose(once, expected, rtol=1e-4, atol=1e-7)
    assert 0.0 <= fitted.score(X, pairs.digits[:40].prod(axis=1)) <= 1.0


def test_pickle_with_a_module_level_function_and_clone(fitted, pairs):
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.function is operator.mul
    np.testing.assert_array_equal(restored.predict_proba(pairs.data[:20]),
                                  fitted.predict_proba(pairs.data[:20]))
    fresh = clone(fitted)
    assert fresh.get_params() == fitted.get_params() and not hasattr(fresh, "model_")


def test_a_lambda_clones_but_cannot_be_pickled(pairs):
    clf = NeuroSymbolicFunctionClassifier(function=lambda a, b: a * b, **TINY)
    assert clone(clf).function is clf.function
    with pytest.raises((pickle.PicklingError, AttributeError), match="lambda"):
        pickle.dumps(clf)


@pytest.mark.slow
def test_fit_on_maxima(pairs):
    clf = NeuroSymbolicFunctionClassifier(function=max, **TINY)
    clf.fit(pairs.data, pairs.digits.max(axis=1))
    assert clf.classes_.tolist() == list(range(10))
    predicted = clf.predict(pairs.data[:10])
    assert predicted.shape == (10,) and np.isin(predicted, clf.classes_).all()
    assert clf.predict_proba(pairs.data[:10]).shape == (10, 10)


@pytest.mark.slow
def test_fit_on_sums_of_three_digits(mnist_embedded):
    (X, y), (X_test, _) = mnist_embedded
    images, digits = digit_rows(X, y, 200, 3, seed=0)
    clf = NeuroSymbolicFunctionClassifier(function=total, n_inputs=3, **TINY)
    flat = images.reshape(200, -1)  # 2,352 features: three square digits
    clf.fit(flat, digits.sum(axis=1))
    assert clf.classes_.tolist() == list(range(28)) and clf.input_shape_ == (3, 28, 28, 1)
    assert clf.predict_proba(flat[:6]).shape == (6, 28)
    assert clf.predict_digit_proba(flat[:6]).shape == (6, 3, 10)
    assert clf.predict_digits(flat[:6]).shape == (6, 3)
    assert clf.digit_estimator_.predict_proba(X_test[:4]).shape == (4, 10)
    assert clf.predict(flat[:6]).dtype.kind == "i"


@pytest.mark.slow
def test_default_function_is_the_sum_of_the_digits(pairs):
    clf = NeuroSymbolicFunctionClassifier(**TINY).fit(pairs.data, pairs.target)
    assert clf.function is None and clf.classes_.tolist() == list(range(19))


def test_bad_input_raises(pairs):
    products = pairs.digits[:, 0] * pairs.digits[:, 1]
    clf = NeuroSymbolicFunctionClassifier(function=operator.mul, **TINY)
    with pytest.raises(ValueError, match=r"y holds \[11\] \(1 value\) that function never "
                                         r"returns on 2 digits; its values are \[0, 1, 2"):
        clf.fit(pairs.data, np.r_[products[:-1], 11])
    with pytest.raises(ValueError, match="'function' parameter"):
        NeuroSymbolicFunctionClassifier(function="mul", **TINY).fit(pairs.data, products)
    with pytest.raises(ValueError, match="'n_inputs' parameter"):
        NeuroSymbolicFunctionClassifier(function=operator.mul, n_inputs=0,
                                        **TINY).fit(pairs.data, products)
    with pytest.raises(ValueError, match="n_inputs=5 is more than 4"):
        NeuroSymbolicFunctionClassifier(function=total, n_inputs=5,
                                        **TINY).fit(pairs.data, products)
    with pytest.raises(ValueError, match="does not hold 3 digits side by side"):
        NeuroSymbolicFunctionClassifier(function=total, n_inputs=3,
                                        **TINY).fit(pairs.data, pairs.target)
    with pytest.raises(ValueError, match="function raised TypeError"):
        NeuroSymbolicFunctionClassifier(function=operator.mul, n_inputs=1,
                                        **TINY).fit(pairs.data, products)
    bad = pairs.data.astype(float)
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(bad, products)


def test_fitted_methods_check_their_input(fitted, pairs):
    with pytest.raises(ValueError, match=r"samples of shape \(28, 84\).*\(28, 56\)"):
        fitted.predict(np.zeros((2, 28, 84)))
    with pytest.raises(ValueError, match=r"\(28, 56\).*\(28, 28\)"):
        fitted.digit_estimator_.predict(pairs.data[:2])
    # any finite pixel values are images: scaled or standardised ones too
    assert fitted.predict_digit_proba(-np.ones((2, 28, 56))).shape[0] == 2
