"""MultiTaskClassifier: any number of label columns, each with its own classes, and
task_weights (report 002, task 6), on tiny embedded data."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from sklearn.base import clone  # noqa: E402

from sumdigits import load_mnist  # noqa: E402
from sumdigits.keras import MultiTaskClassifier  # noqa: E402

GROUPS = np.array(["low", "low", "low", "low", "mid", "mid", "mid", "high", "high", "high"])


@pytest.fixture(scope="module")
def data():
    (X, y), (X_test, y_test) = load_mnist("embedded")
    return X[:400], _columns(y[:400]), X_test[:100], _columns(y_test[:100])


def _columns(digits):
    """The digit (int) and its group (str): an object array."""
    Y = np.empty((len(digits), 2), dtype=object)
    Y[:, 0], Y[:, 1] = digits, GROUPS[digits]
    return Y


def tiny(**params):
    return MultiTaskClassifier(**{"hidden_layer_sizes": [16], "head_layer_sizes": [],
                                  "epochs": 1, "random_state": 0, "run_eagerly": True,
                                  **params})


@pytest.fixture(scope="module")
def fitted(data):
    X, Y, _, _ = data
    return tiny(epochs=2).fit(X, Y)


def test_each_column_has_its_own_classes(fitted, data):
    _, _, X_test, _ = data
    assert [c.tolist() for c in fitted.classes_] == [list(range(10)), ["high", "low", "mid"]]
    assert fitted.n_classes_ == [10, 3]
    assert fitted.model_.output_names == ["task_0", "task_1"]
    pred = fitted.predict(X_test)
    assert pred.shape == (100, 2)
    assert set(pred[:, 0]) <= set(range(10)) and set(pred[:, 1]) <= {"low", "mid", "high"}
    proba = fitted.predict_proba(X_test)
    assert [p.shape for p in proba] == [(100, 10), (100, 3)]
    for p, column in zip(proba, pred.T):
        np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)
        classes = fitted.classes_[len(p.T) == 3]
        np.testing.assert_array_equal(classes[p.argmax(axis=1)], column)


def test_score_is_the_subset_accuracy(fitted, data):
    _, _, X_test, Y_test = data
    pred = fitted.predict(X_test)
    all_right = np.mean((pred[:, 0] == Y_test[:, 0]) & (pred[:, 1] == Y_test[:, 1]))
    assert fitted.score(X_test, Y_test) == all_right


def test_a_task_of_weight_zero_keeps_its_initial_head(data):
    X, Y, _, _ = data
    est = tiny(task_weights=[1.0, 0.0]).fit(X, Y)
    init = clone(est).initialize(X, Y)
    for layer, changed in (("task_0", True), ("task_1", False)):
        same = all(np.array_equal(a, b) for a, b in zip(est.model_.get_layer(layer).get_weights(),
                                                        init.model_.get_layer(layer).get_weights()))
        assert same is not changed, layer


def test_three_columns_and_early_stopping(data):
    X, Y, X_test, _ = data
    Y3 = np.column_stack([Y[:, 0].astype(int), Y[:, 0].astype(int) % 2,
                          Y[:, 0].astype(int) >= 5])
    est = tiny(task_weights=(1, 2, 3), early_stopping=True).fit(X, Y3)
    assert est.predict(X_test).shape == (100, 3) and est.n_classes_ == [10, 2, 2]
    assert "val_loss" in est.history_


def test_one_column_is_one_task_given_back_1d(data):
    X, Y, X_test, _ = data
    est = tiny().fit(X, Y[:, 0].astype(int))
    assert est.classes_.tolist() == list(range(10)) and est.n_classes_ == 10
    assert est.predict(X_test).shape == (100,)
    assert est.predict_proba(X_test).shape == (100, 10)


@pytest.mark.parametrize("params, Y_change, match", [
    (dict(task_weights=[1.0]), None, r"task_weights must hold 2 weights"),
    (dict(task_weights=[1.0, -1.0]), None, r"finite floats >= 0"),
    (dict(task_weights=[0, 0]), None, r"not all 0"),
    ({}, "one_class", r"y\[:, 1\] holds 1 class"),
    ({}, "3d", r"dim 3"),
])
def test_wrong_tasks_are_named(data, params, Y_change, match):
    X, Y, _, _ = data
    if Y_change == "one_class":
        Y = np.column_stack([Y[:, 0], np.zeros(len(Y))])
    elif Y_change == "3d":
        Y = Y.reshape(len(Y), 2, 1)
    with pytest.raises(ValueError, match=match):
        tiny(**params).fit(X, Y)


def test_validation_labels_must_be_known(fitted, data):
    X, Y, X_test, Y_test = data
    bad = Y_test.copy()
    bad[0, 1] = "huge"
    with pytest.raises(ValueError, match=r"y\[:, 1\] holds labels not seen in fit: \['huge'\]"):
        clone(fitted).fit(X, Y, validation_data=(X_test, bad))
