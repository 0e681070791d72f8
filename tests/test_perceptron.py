"""StepDecayPerceptron: report 002's perceptron, checked against a plain-Python reference."""

import numpy as np
import pytest
from sklearn.base import is_classifier
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import InvalidParameterError

from sumdigits.perceptron import StepDecayPerceptron


def reference_perceptron(X, y, *, rates, random_state):
    """Report 002's algorithm written plainly for two classes (targets -1, +1), one loop."""
    classes = sorted(set(y))
    target = [1.0 if label == classes[1] else -1.0 for label in y]
    draws = check_random_state(random_state).randint(0, len(y), size=len(rates))
    w, b, errors = [0.0] * len(X[0]), 0.0, []
    for eta, n in zip(rates, draws):
        score = sum(wi * xi for wi, xi in zip(w, X[n])) + b
        predicted = 1.0 if score > 0 else -1.0
        if predicted != target[n]:
            w = [wi + eta * (target[n] - predicted) * xi for wi, xi in zip(w, X[n])]
            b += eta * (target[n] - predicted)
        wrong = sum(
            (sum(wi * xi for wi, xi in zip(w, x)) + b > 0) != (t > 0) for x, t in zip(X, target)
        )
        errors.append(wrong / len(y))
    return np.array(w), b, np.array(errors)


@pytest.fixture(scope="module")
def zeros_and_ones(small_digits):
    """0s and 1s of the 8 x 8 digits, pixels scaled to [0, 1]."""
    (X, y), (X_test, y_test) = small_digits
    train, test = np.isin(y, [0, 1]), np.isin(y_test, [0, 1])
    return (X[train] / 16, y[train]), (X_test[test] / 16, y_test[test])


def test_step_schedule_of_report_002():
    clf = StepDecayPerceptron(max_iter=1500).fit([[0.0], [1.0]], [0, 1])
    rates = clf.learning_rates_
    assert rates[:100].tolist() == [1.0] * 100
    assert rates[[100, 199, 200, 899]] == pytest.approx([0.9, 0.9, 0.8, 0.2])
    # never zero or below: held at 0.1 from iteration 900 on
    assert rates[900:] == pytest.approx(np.full(600, 0.1))


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"learning_rate": "constant", "eta0": 0.5}, [0.5, 0.5, 0.5, 0.5]),
        ({"learning_rate": "invscaling", "eta0": 2.0, "power_t": 0.5},
         [2.0, 2.0 / np.sqrt(2), 2.0 / np.sqrt(3), 1.0]),
        ({"learning_rate": "step", "eta0": 1.0, "decay": 0.3, "step_size": 1},
         [1.0, 0.7, 0.4, 0.1]),
        ({"learning_rate": "step", "eta0": 1.0, "decay": 0.3, "step_size": 2},
         [1.0, 1.0, 0.7, 0.7]),
    ],
)
def test_schedules_follow_their_formulas(params, expected):
    clf = StepDecayPerceptron(max_iter=4, **params).fit([[0.0], [1.0]], [0, 1])
    np.testing.assert_allclose(clf.learning_rates_, expected)


@pytest.mark.parametrize("learning_rate", ["step", "constant", "invscaling"])
def test_matches_the_reference_implementation(zeros_and_ones, learning_rate):
    (X, y), _ = zeros_and_ones
    X, y = X[:60], y[:60]
    clf = StepDecayPerceptron(learning_rate=learning_rate, max_iter=300, step_size=30,
                              random_state=3).fit(X, y)
    w, b, errors = reference_perceptron(X.tolist(), y.tolist(), rates=clf.learning_rates_,
                                        random_state=3)
    np.testing.assert_allclose(clf.coef_[0], w, atol=1e-10)
    assert clf.intercept_[0] == pytest.approx(b)
    np.testing.assert_allclose(clf.errors_, errors)


def test_separates_zeros_from_ones(zeros_and_ones):
    (X, y), (X_test, y_test) = zeros_and_ones
    clf = StepDecayPerceptron(random_state=0).fit(X, y)
    assert is_classifier(clf)
    assert clf.coef_.shape == (1, 64) and clf.coef_[0].reshape(8, 8).shape == (8, 8)
    assert clf.errors_.shape == (1000,) and clf.n_iter_ == 1000
    assert clf.errors_[-1] < 0.02
    assert clf.score(X_test, y_test) > 0.97
    # positive weights vote for classes_[1]
    assert np.array_equal(clf.predict(X_test), clf.classes_[(clf.decision_function(X_test) > 0)
                                                             .astype(int)])


def test_one_vs_rest_on_ten_digits(small_digits):
    (X, y), (X_test, y_test) = small_digits
    clf = StepDecayPerceptron(max_iter=3000, random_state=0).fit(X / 16, y)
    assert clf.coef_.shape == (10, 64) and clf.intercept_.shape == (10,)
    assert clf.score(X_test / 16, y_test) > 0.8
    assert clf.errors_[-1] < clf.errors_[99]


def test_string_labels_and_random_state(zeros_and_ones):
    (X, y), _ = zeros_and_ones
    labels = np.array(["zero", "one"])[y]
    first = StepDecayPerceptron(max_iter=200, random_state=1).fit(X, labels)
    again = StepDecayPerceptron(max_iter=200, random_state=1).fit(X, labels)
    other = StepDecayPerceptron(max_iter=200, random_state=2).fit(X, labels)
    assert set(first.predict(X)) <= {"zero", "one"}
    np.testing.assert_array_equal(first.coef_, again.coef_)
    assert not np.array_equal(first.coef_, other.coef_)


def test_bad_input():
    with pytest.raises(ValueError, match="at least 2 classes"):
        StepDecayPerceptron().fit([[0.0], [1.0]], [1, 1])
    with pytest.raises(InvalidParameterError, match="learning_rate"):
        StepDecayPerceptron(learning_rate="adaptive").fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(InvalidParameterError, match="eta0"):
        StepDecayPerceptron(eta0=0).fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(ValueError, match="NaN"):
        StepDecayPerceptron().fit([[np.nan], [1.0]], [0, 1])
