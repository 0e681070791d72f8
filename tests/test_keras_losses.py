"""Sample weights in the Keras estimators count as repetitions (sumdigits.keras.losses)."""

import pickle

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from sumdigits.keras import FCNNClassifier, NeuroSymbolicSumClassifier  # noqa: E402
from sumdigits.keras.losses import REDUCTION, WeightedMeanLoss, weighted_mean_loss  # noqa: E402


def _naive_weighted_mean(fn, y, pred, w):
    """The reference: per-sample losses averaged with the weights, in float64."""
    per_sample = np.asarray(keras.ops.convert_to_numpy(fn(y, pred)), dtype=np.float64)
    return float(np.sum(w * per_sample) / np.sum(w))


@pytest.mark.parametrize("name", ["sparse_categorical_crossentropy", "mean_squared_error"])
def test_weighted_mean_is_the_mean_over_repetitions(name):
    rng = np.random.RandomState(0)
    if name.startswith("sparse"):
        y = rng.randint(0, 3, size=12)
        pred = rng.dirichlet(np.ones(3), size=12).astype("float32")
    else:
        y = rng.rand(12, 1).astype("float32")
        pred = rng.rand(12, 1).astype("float32")
    w = rng.randint(0, 4, size=12).astype("float64")
    w[0] = 0.0  # at least one sample left out
    loss = WeightedMeanLoss(name)
    weighted = float(loss(y, pred, sample_weight=w))
    repeated = float(loss(np.repeat(y, w.astype(int), axis=0),
                          np.repeat(pred, w.astype(int), axis=0)))
    reference = _naive_weighted_mean(keras.losses.get(name), y, pred, w)
    # float32 sums of at most 36 terms of size <= ~10: a few units of 2**-24 relative
    np.testing.assert_allclose(weighted, reference, rtol=1e-5)
    np.testing.assert_allclose(repeated, reference, rtol=1e-5)
    # scaling every weight changes nothing (Keras' own mean would double)
    np.testing.assert_allclose(float(loss(y, pred, sample_weight=3 * w)), weighted, rtol=1e-6)


def test_all_zero_weights_give_zero_loss_not_nan():
    loss = WeightedMeanLoss("mean_squared_error")
    value = float(loss(np.zeros((2, 1)), np.ones((2, 1)), sample_weight=np.zeros(2)))
    assert value == 0.0


def test_loss_parameter_forms():
    from_name = weighted_mean_loss("sparse_categorical_crossentropy")
    assert isinstance(from_name, WeightedMeanLoss) and from_name.reduction == REDUCTION
    from_class = weighted_mean_loss(keras.losses.SparseCategoricalCrossentropy,
                                    {"from_logits": False})
    assert from_class.reduction == REDUCTION
    routed = weighted_mean_loss(keras.losses.SparseCategoricalCrossentropy, {"reduction": "sum"})
    assert routed.reduction == "sum"  # a routed reduction wins
    given = keras.losses.SparseCategoricalCrossentropy()
    assert weighted_mean_loss(given) is given  # an instance is used as given
    assert weighted_mean_loss(None) is None
    with pytest.raises(ValueError, match="loss__ parameters apply to a loss class"):
        weighted_mean_loss("mse", {"reduction": "sum"})
    with pytest.raises(TypeError, match="fn must be a loss function"):
        WeightedMeanLoss(3)


def test_config_round_trip():
    loss = WeightedMeanLoss("sparse_categorical_crossentropy", name="ce")
    again = WeightedMeanLoss.from_config(loss.get_config())
    assert (again.name, again.reduction) == ("ce", REDUCTION)
    y, pred = np.array([0, 1]), np.array([[0.9, 0.1], [0.2, 0.8]], dtype="float32")
    assert float(again(y, pred)) == float(loss(y, pred))


@pytest.fixture(scope="module")
def pairs(mnist_pairs):
    train, _ = mnist_pairs
    return train.data[:64], train.target[:64]


@pytest.mark.parametrize("make", [
    lambda: FCNNClassifier(hidden_layer_sizes=[8]),
    lambda: NeuroSymbolicSumClassifier(filters=[2], hidden_layer_sizes=[8], dropout=0.0,
                                       shift_range=0.0, batch_norm=False),
])
def test_weight_zero_leaves_the_sample_out_in_one_full_batch_step(make, pairs):
    """One SGD step on the whole batch: weight 0 is the sample removed, weight 2 it twice."""
    X, y = pairs
    w = np.tile([0.0, 1.0, 2.0, 1.0], len(y) // 4)
    for label in np.unique(y):  # every class keeps a sample: the same classes_ both ways
        if not w[y == label].any():
            w[np.flatnonzero(y == label)[0]] = 1.0
    common = dict(optimizer="sgd", epochs=1, batch_size=len(y) * 2, random_state=0)
    weighted = make().set_params(**common).fit(X, y, sample_weight=w)
    repeated = make().set_params(**common).fit(np.repeat(X, w.astype(int), axis=0),
                                               np.repeat(y, w.astype(int)))
    for a, b in zip(weighted.model_.get_weights(), repeated.model_.get_weights()):
        # SGD moves each weight by lr * gradient; the two gradients are the same
        # float32 sums in another order: equal to a few float32 units of the step
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


def test_fitted_estimator_with_the_loss_pickles(pairs):
    X, y = pairs
    est = FCNNClassifier(hidden_layer_sizes=[8], epochs=1, random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    assert isinstance(again.model_.loss, WeightedMeanLoss)
    np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X))
