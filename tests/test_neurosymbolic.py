"""NeuroSymbolicSumClassifier: exact sums with carries, N-digit numbers, learning from sums."""

import math
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from sumdigits import load_mnist, make_digit_pairs
from sumdigits._sums import sum_distribution
from sumdigits.keras import _ns_graph
from sumdigits.keras._ns_graph import (
    most_probable_sum,
    position_sum_proba,
    sum_log_proba,
    sum_proba,
)
from sumdigits.keras._ns_numbers import make_number_pairs, max_sum, split_numbers
from sumdigits.keras.neurosymbolic import (
    NeuroSymbolicSumClassifier,
    NumberPairEncoder,
    make_learning_rate_schedule,
)

keras = pytest.importorskip("keras")

TINY = dict(filters=[8], hidden_layer_sizes=[16], batch_size=32)


@pytest.fixture(scope="module")
def mnist():
    return load_mnist("embedded")


def digit_proba(rng, n, n_digits, concentration=0.3):
    return rng.dirichlet(np.full(10, concentration), size=(n, 2, n_digits))


def brute_force_sum_proba(p):
    """P(a + b = S) by enumerating all 10**(2N) digit combinations of two N-digit numbers."""
    n, _, n_digits, _ = p.shape
    joint, value = np.ones((n, 1)), np.zeros(1, dtype=int)
    for number in range(2):
        for j in range(n_digits):  # one more digit: every combination so far times 10
            joint = (joint[:, :, None] * p[:, number, j, None, :]).reshape(n, -1)
            value = (value[:, None] + np.arange(10) * 10 ** (n_digits - 1 - j)).ravel()
    return np.stack([np.bincount(value, weights=row, minlength=max_sum(n_digits) + 1)
                     for row in joint])


# --------------------------------------------------------------- exact sums
def test_one_digit_sum_is_the_numpy_convolution():
    p = digit_proba(np.random.default_rng(0), 50, 1)
    expected = sum_distribution(p[:, 0, 0], p[:, 1, 0])
    np.testing.assert_allclose(sum_proba(position_sum_proba(p)), expected, atol=1e-12)


@pytest.mark.parametrize("n_digits", [1, 2, 3])
def test_carry_chain_matches_brute_force_enumeration(n_digits):
    p = digit_proba(np.random.default_rng(n_digits), 6, n_digits)
    proba = sum_proba(position_sum_proba(p))
    assert proba.shape == (6, 2 * 10**n_digits - 1)
    np.testing.assert_allclose(proba, brute_force_sum_proba(p), atol=1e-12)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_certain_digits_give_their_sum_with_every_carry():
    # 95 + 47 = 142 carries twice (into the tens and out of the hundreds)
    p = np.eye(10)[[[[9, 5], [4, 7]], [[0, 0], [0, 0]], [[9, 9], [9, 9]]]]
    assert most_probable_sum(position_sum_proba(p)).tolist() == [142, 0, 198]
    log_p = sum_log_proba(position_sum_proba(p), np.array([[142], [0], [198]]))
    np.testing.assert_allclose(np.exp(keras.ops.convert_to_numpy(log_p)), 1.0, atol=1e-6)


def test_impossible_sums_stay_finite_with_finite_gradients():
    import tensorflow as tf

    logits = tf.Variable(np.eye(10)[[[[3, 1], [4, 1]]]] * 200.0, dtype="float32")
    with tf.GradientTape() as tape:
        position = position_sum_proba(tf.nn.softmax(logits))
        log_p = sum_log_proba(position, np.array([[199]]))  # above 2-digit maximum... of 99+99
        log_p_wrong = sum_log_proba(position, np.array([[97]]))  # possible, but not these digits
        loss = -tf.reduce_sum(log_p_wrong)
    assert np.isfinite(keras.ops.convert_to_numpy(log_p_wrong)).all()
    assert float(log_p[0, 0]) < -1e20  # impossible: log 0, as a finite number
    assert np.isfinite(tape.gradient(loss, logits).numpy()).all()


def test_predictions_in_bounded_chunks_match_one_pass(monkeypatch):
    position = position_sum_proba(digit_proba(np.random.default_rng(4), 40, 4, 0.05))
    proba = sum_proba(position)
    monkeypatch.setattr(_ns_graph, "_CHUNK_ENTRIES", 3 * 19_999)  # 3 samples per chunk
    np.testing.assert_allclose(sum_proba(position), proba)
    assert np.array_equal(most_probable_sum(position), proba.argmax(axis=1))


# --------------------------------------------------------- N-digit samples
@pytest.mark.parametrize("layout", ["horizontal", "vertical"])
@pytest.mark.parametrize("n_digits", [1, 2, 3])
def test_number_pairs_use_each_image_once_and_split_back(mnist, layout, n_digits):
    (X, y), _ = mnist
    numbers = make_number_pairs(X, y, n_digits=n_digits, layout=layout, random_state=0)
    assert len(numbers.target) == len(X) // (2 * n_digits)
    assert len(np.unique(numbers.indices)) == numbers.indices.size
    place = 10 ** np.arange(n_digits - 1, -1, -1)
    assert np.array_equal(numbers.target, (y[numbers.indices] @ place).sum(axis=1))
    assert np.array_equal(split_numbers(numbers.data, n_digits=n_digits, layout=layout),
                          X[numbers.indices])
    flat = make_number_pairs(X.reshape(len(X), -1), y, n_digits=n_digits, layout=layout,
                             random_state=0)
    assert np.array_equal(flat.data.reshape(numbers.data.shape), numbers.data)


def test_one_digit_numbers_are_the_disjoint_digit_pairs(mnist):
    (X, y), _ = mnist
    pairs = make_digit_pairs(X, y, strategy="disjoint", random_state=3)
    numbers = make_number_pairs(X, y, n_digits=1, random_state=3)
    assert np.array_equal(pairs.data, numbers.data)
    assert np.array_equal(pairs.target, numbers.target)


def test_number_pairs_reject_bad_arguments(mnist):
    (X, y), _ = mnist
    with pytest.raises(ValueError, match="n_digits must be an int in 1..4"):
        make_number_pairs(X, y, n_digits=5)
    with pytest.raises(ValueError, match="at most 1250 pairs"):
        make_number_pairs(X, y, 1251, n_digits=4)
    with pytest.raises(ValueError, match="does not hold 4 digits"):
        split_numbers(np.zeros((2, 28, 90)), n_digits=2)
    with pytest.raises(ValueError, match="each digit would be 28 x 14"):
        split_numbers(np.zeros((2, 28, 56)), n_digits=2)


# ------------------------------------------------------- learning from sums
@pytest.fixture(scope="module")
def fitted(mnist):
    """Trained on 2,500 disjoint pairs of embedded training digits, sums only.

    With this setting the digit accuracy came out at 0.95 for each of the seeds
    0, 1 and 2 (sum accuracy about 0.90): the thresholds below leave a wide margin.
    """
    (X, y), _ = mnist
    train = make_digit_pairs(X[:5000], y[:5000], strategy="disjoint", random_state=0)
    clf = NeuroSymbolicSumClassifier(filters=[16], hidden_layer_sizes=[32], epochs=4, batch_size=32,
                                     random_state=0)
    return clf.fit(train.data, train.target)


def test_learns_digits_it_was_never_told(fitted, mnist):
    _, (X_test, y_test) = mnist
    digit_accuracy = np.mean(fitted.predict_single_digits(X_test) == y_test)
    assert digit_accuracy > 0.8  # chance is 0.1; the labels were never given
    test = make_digit_pairs(X_test, y_test, strategy="disjoint", random_state=1)
    assert fitted.score(test.data, test.target) > 0.6  # chance is below 0.1
    # the digit network alone, on flattened digits too
    proba = fitted.digit_classifier_.predict(X_test[:5, :, :, None] / 255.0, verbose=0)
    np.testing.assert_allclose(proba, fitted.predict_single_digit_proba(X_test[:5].reshape(5, -1)),
                               rtol=1e-5, atol=1e-6)


def test_predict_digit_proba_takes_pairs_like_every_estimator(fitted, mnist):
    _, (X_test, y_test) = mnist
    test = make_digit_pairs(X_test, y_test, 6, strategy="disjoint", random_state=3)
    proba = fitted.predict_digit_proba(test.data)
    assert proba.shape == (6, 2, 10)
    halves = np.concatenate([test.data[:, :, :28], test.data[:, :, 28:]])
    np.testing.assert_allclose(proba.transpose(1, 0, 2).reshape(12, 10),
                               fitted.predict_single_digit_proba(halves), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(fitted.predict_digits(test.data), proba.argmax(axis=2))
    with pytest.warns(FutureWarning, match="predict_single_digit_proba"):
        old = fitted.predict_digit_proba(X_test[:4])  # single digits: the old meaning
    np.testing.assert_array_equal(old, fitted.predict_single_digit_proba(X_test[:4]))


def test_predict_proba_covers_every_sum(fitted, mnist):
    _, (X_test, y_test) = mnist
    X_pairs, _ = make_digit_pairs(X_test, y_test, 20, strategy="disjoint", random_state=2,
                                  return_X_y=True)
    proba = fitted.predict_proba(X_pairs)
    assert fitted.classes_.tolist() == list(range(19))
    assert proba.shape == (20, 19)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert np.array_equal(fitted.predict(X_pairs), proba.argmax(axis=1))
    assert fitted.transform(X_pairs).shape == (20, 2 * 32)
    assert set(fitted.history_) == {"loss", "sum_accuracy"} and fitted.n_iter_ == 4


def test_pickle_and_clone(fitted, mnist):
    _, (X_test, y_test) = mnist
    X_pairs, _ = make_digit_pairs(X_test, y_test, 50, strategy="disjoint", random_state=4,
                                  return_X_y=True)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_allclose(restored.predict_proba(X_pairs), fitted.predict_proba(X_pairs),
                               rtol=1e-5, atol=1e-7)
    fresh = clone(fitted)
    assert fresh.get_params() == fitted.get_params() and not hasattr(fresh, "model_")


def test_grid_search_over_a_parameter(mnist):
    (X, y), _ = mnist
    X_pairs, sums = make_digit_pairs(X, y, 200, random_state=5, return_X_y=True)
    search = GridSearchCV(NeuroSymbolicSumClassifier(epochs=1, random_state=0, **TINY),
                          {"learning_rate": ["constant", "one-cycle"]}, cv=2)
    search.fit(X_pairs, sums)
    assert search.best_params_["learning_rate"] in {"constant", "one-cycle"}
    assert search.predict(X_pairs[:3]).shape == (3,)


def test_two_digit_numbers(mnist):
    (X, y), _ = mnist
    numbers = make_number_pairs(X[:2000], y[:2000], n_digits=2, random_state=0)
    clf = NeuroSymbolicSumClassifier(n_digits=2, epochs=1, random_state=0,
                                     **TINY).fit(numbers.data, numbers.target)
    assert clf.classes_.tolist() == list(range(199))
    assert clf.input_shape_ == (4, 28, 28, 1)
    proba = clf.predict_proba(numbers.data[:7])
    assert proba.shape == (7, 199)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert np.array_equal(clf.predict(numbers.data[:7]), proba.argmax(axis=1))
    assert clf.predict_single_digits(X[:4]).shape == (4,)
    assert clf.predict_digit_proba(numbers.data[:3]).shape == (3, 2, 2, 10)


def test_both_layouts_give_the_network_the_same_digits(mnist):
    (X, y), _ = mnist
    encoded = {}
    for layout in ("horizontal", "vertical"):
        numbers = make_number_pairs(X, y, 10, n_digits=3, layout=layout, random_state=0)
        encoder = NumberPairEncoder(n_digits=3, layout=layout).fit(numbers.data)
        encoded[layout] = encoder.transform(numbers.data)
    assert encoded["horizontal"].shape == (10, 6, 28, 28, 1)
    assert encoded["horizontal"].max() == 1.0  # uint8 pixels scaled
    np.testing.assert_array_equal(encoded["horizontal"], encoded["vertical"])


# ---------------------------------------------------------------- bad input
@pytest.fixture(scope="module")
def pairs(mnist):
    (X, y), _ = mnist
    return make_digit_pairs(X, y, 64, strategy="disjoint", random_state=6)


@pytest.mark.parametrize("params, match", [
    ({"n_digits": 5}, "n_digits"),
    ({"shift_range": 0.7}, "shift_range"),
    ({"learning_rate_schedule": "step"}, "learning_rate_schedule"),
])
def test_bad_parameters_raise(pairs, params, match):
    with pytest.raises(ValueError, match=match):
        NeuroSymbolicSumClassifier(**params).fit(pairs.data, pairs.target)


def test_bad_inputs_raise(pairs):
    clf = NeuroSymbolicSumClassifier(epochs=1, **TINY)
    with pytest.raises(ValueError, match=r"sums in 0..18; found \[19\]"):
        clf.fit(pairs.data, np.r_[pairs.target[:-1], 19])
    with pytest.raises(ValueError, match="sums in 0..198"):
        NeuroSymbolicSumClassifier(n_digits=2).fit(np.zeros((2, 28, 112), dtype=np.uint8), [0, 199])
    with pytest.raises(ValueError, match="each digit would be 28 x 14"):
        NeuroSymbolicSumClassifier(n_digits=2).fit(pairs.data, pairs.target)
    bad = pairs.data.astype(float)
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(bad, pairs.target)
    with pytest.raises(ValueError, match="inconsistent numbers of samples|same length"):
        clf.fit(pairs.data, pairs.target[:-1])


def test_predict_single_digits_checks_the_digit_shape(fitted):
    with pytest.raises(ValueError, match=r"\(28, 56\).*\(28, 28\)"):
        fitted.predict_single_digits(np.zeros((2, 28, 56)))


# -------------------------------------------------------------- schedules
@pytest.mark.parametrize("schedule", ["constant", "cosine", "one-cycle"])
def test_learning_rate_schedules_follow_their_formulas(schedule):
    eta, total, warmup_fraction = 2e-3, 200, 0.25

    def reference(t):  # the docstring's formulas, written out
        if schedule == "constant":
            return eta
        if schedule == "cosine":
            return eta * (0.01 + 0.99 * (1 + math.cos(math.pi * min(t, total) / total)) / 2)
        w = int(warmup_fraction * total)
        if t < w:
            return eta / 10 + (eta - eta / 10) * t / w
        return eta * (0.01 + 0.99 * (1 + math.cos(math.pi * min(t - w, total - w) / (total - w)))
                      / 2)

    s = make_learning_rate_schedule(schedule, eta, total, warmup_fraction=warmup_fraction)
    for t in (0, 1, 25, 49, 50, 51, 120, 199, 200, 300):
        got = s if schedule == "constant" else float(s(t))
        assert got == pytest.approx(reference(t), rel=1e-5)


def test_streamed_pairs_schedule_over_every_batch(mnist):
    from sumdigits.keras.streaming import DigitPairDataset
    from sumdigits.pairs import pair_indices

    (X, y), _ = mnist
    stream = DigitPairDataset(X, y, pair_indices(y, 256, strategy="disjoint", random_state=0),
                              batch_size=32, random_state=0)
    clf = NeuroSymbolicSumClassifier(epochs=2, learning_rate="cosine", random_state=0,
                                     **TINY).fit_dataset(stream)
    assert clf.predict_proba(stream[0][0]).shape == (32, 19)
    # T = 2 epochs x 8 batches, not 2 x (the 32 samples of the first batch / batch_size)
    assert clf.callbacks_[-1].total_steps_ == 16
