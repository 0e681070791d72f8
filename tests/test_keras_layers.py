"""Per-layer activations, noise injection as FCNNClassifier parameters and the two
inactive-neuron definitions, on tiny embedded data (report 003 section 3.3, report 004
sections 4.4 and 5.1)."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from sumdigits import load_mnist  # noqa: E402
from sumdigits.keras import FCNNClassifier  # noqa: E402
from sumdigits.keras.builders import build_fcnn, layer_activations  # noqa: E402
from sumdigits.keras.noise import NoiseInjection  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    (X, y), (X_test, y_test) = load_mnist("embedded")
    return X[:300], y[:300], X_test[:100]


def tiny(**params):
    return FCNNClassifier(**{"hidden_layer_sizes": [16, 8], "epochs": 1, "random_state": 0,
                             "run_eagerly": True, **params})


# -- one activation per hidden layer ---------------------------------------------------------

def test_a_list_gives_each_hidden_layer_its_activation(digits):
    X, y, _ = digits
    est = tiny(activation=["relu", "tanh"]).fit(X, y)
    acts = [est.model_.get_layer(f"dense_{k}_act").activation for k in (0, 1)]
    assert acts == [keras.activations.relu, keras.activations.tanh]


def test_a_list_of_one_name_is_that_name_for_every_layer(digits):
    X, y, X_test = digits
    same = tiny(activation=["tanh", "tanh"]).fit(X, y)
    one = tiny(activation="tanh").fit(X, y)
    np.testing.assert_array_equal(same.predict_proba(X_test), one.predict_proba(X_test))


@pytest.mark.parametrize("activation, error, match", [
    (["relu"], ValueError, "1 activations for 2 hidden layers"),
    (["relu", "tanh", "relu"], ValueError, "3 activations for 2 hidden layers"),
    (["relu", "softsine"], ValueError, "unknown Keras activation 'softsine'"),
    (["relu", 3], TypeError, "activation must be a str or a list of str"),
])
def test_a_wrong_activation_list_is_named(digits, activation, error, match):
    X, y, _ = digits
    with pytest.raises(error, match=match):
        tiny(activation=activation).fit(X, y)


def test_layer_activations_and_the_builder():
    assert layer_activations(("relu", "tanh"), 2) == ["relu", "tanh"]
    model = build_fcnn((784,), 10, hidden_layer_sizes=[512, 64], activation=["relu", "tanh"])
    assert model.get_layer("dense_1_act").activation is keras.activations.tanh
    with pytest.raises(ValueError, match="hidden_layer_sizes|activation"):
        build_fcnn((4,), 2, hidden_layer_sizes=[3], activation=["relu", "tanh"])


# -- noise injection as estimator parameters -------------------------------------------------

def _noise_layers(model):
    return [layer for layer in model.layers if isinstance(layer, NoiseInjection)]


def test_no_noise_adds_no_layer(digits):
    X, y, _ = digits
    assert _noise_layers(tiny().fit(X, y).model_) == []


@pytest.mark.parametrize("forward, backward", [(0.5, 0.0), (0.0, 0.05), (0.1, 0.2)])
def test_noise_after_each_hidden_layer(digits, forward, backward):
    X, y, _ = digits
    model = tiny(noise_forward=forward, noise_backward=backward).fit(X, y).model_
    noise = _noise_layers(model)
    assert [layer.name for layer in noise] == ["dense_0_noise", "dense_1_noise"]
    assert all((n.forward_stddev, n.backward_stddev) == (forward, backward) for n in noise)
    # each follows its hidden layer's activation
    assert [n.input.name for n in noise] == [model.get_layer(f"dense_{k}_act").output.name
                                             for k in (0, 1)]


@pytest.mark.parametrize("param", ["noise_forward", "noise_backward"])
def test_noise_changes_training_not_inference(digits, param):
    X, y, X_test = digits
    noisy = tiny(**{param: 0.5}).fit(X, y)
    plain = tiny().fit(X, y)
    assert not np.array_equal(noisy.predict_proba(X_test), plain.predict_proba(X_test))
    # same weights -> same predictions: the noise is off at inference
    weights = {w.path: w.numpy() for w in noisy.model_.weights}
    for w in plain.model_.weights:
        w.assign(weights[w.path])
    np.testing.assert_array_equal(noisy.predict_proba(X_test), plain.predict_proba(X_test))
    again = tiny(**{param: 0.5}).fit(X, y)  # seeded: repeatable
    np.testing.assert_array_equal(noisy.predict_proba(X_test), again.predict_proba(X_test))


@pytest.mark.parametrize("param", ["noise_forward", "noise_backward"])
def test_negative_noise_is_named(digits, param):
    X, y, _ = digits
    with pytest.raises(ValueError, match=param):
        tiny(**{param: -0.1}).fit(X, y)
