"""Per-layer activations, noise injection as FCNNClassifier parameters and the two
inactive-neuron definitions, on tiny embedded data (report 003 section 3.3, report 004
sections 4.4 and 5.1)."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from sumdigits import load_mnist  # noqa: E402
from sumdigits.keras import CNNClassifier, FCNNClassifier  # noqa: E402
from sumdigits.keras.builders import build_cnn, build_fcnn, layer_activations  # noqa: E402
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
    (["relu", "softsine"], ValueError, r"activation holds \['softsine'\]; each entry must"),
    (["relu", "softsign"], ValueError, r"activation holds \['softsign'\]"),  # as the str
    (["relu", 3], TypeError, "activation must be a str or a list of str"),
])
def test_a_wrong_activation_list_is_named(digits, activation, error, match):
    X, y, _ = digits
    with pytest.raises(error, match=match):
        tiny(activation=activation).fit(X, y)


def test_layer_activations_and_the_builder():
    assert layer_activations(("relu", "tanh"), 2) == ["relu", "tanh"]
    with pytest.raises(ValueError, match="unknown Keras activation 'softsine'"):
        layer_activations(["relu", "softsine"], 2)
    model = build_fcnn((784,), 10, hidden_layer_sizes=[512, 64], activation=["relu", "tanh"])
    assert model.get_layer("dense_1_act").activation is keras.activations.tanh
    with pytest.raises(ValueError, match="hidden_layer_sizes|activation"):
        build_fcnn((4,), 2, hidden_layer_sizes=[3], activation=["relu", "tanh"])


def test_a_cnn_list_gives_each_convolution_then_each_dense_layer_its_activation(digits):
    X, y, X_test = digits
    est = CNNClassifier(filters=[[4, 4], [8]], hidden_layer_sizes=[8],
                        activation=["relu", "tanh", "elu", "sigmoid"], epochs=1,
                        random_state=0).fit(X, y)
    acts = [est.model_.get_layer(f"{name}_act").activation
            for name in ("conv_0_0", "conv_0_1", "conv_1", "dense_0")]
    assert acts == [keras.activations.relu, keras.activations.tanh, keras.activations.elu,
                    keras.activations.sigmoid]
    # one name in a list of the right length is that name everywhere
    same = CNNClassifier(filters=[4], hidden_layer_sizes=[8], activation=["tanh", "tanh"],
                         epochs=1, random_state=0).fit(X, y)
    one = CNNClassifier(filters=[4], hidden_layer_sizes=[8], activation="tanh", epochs=1,
                        random_state=0).fit(X, y)
    np.testing.assert_array_equal(same.predict_proba(X_test), one.predict_proba(X_test))


@pytest.mark.parametrize("activation, error, match, builder_match", [
    (["relu", "relu"], ValueError, "2 activations for 3 convolutions then dense layers",
     "2 activations for 3 convolutions then dense layers"),
    (["relu", "softsine", "relu"], ValueError, r"activation holds \['softsine'\]",
     "unknown Keras activation 'softsine'"),
    (["relu", 3, "relu"], TypeError, "activation must be a str or a list of str",
     "activation must be a str or a list of str"),
])
def test_a_wrong_cnn_activation_list_is_named(digits, activation, error, match, builder_match):
    X, y, _ = digits
    with pytest.raises(error, match=match):
        CNNClassifier(filters=[4, 4], hidden_layer_sizes=[8], activation=activation,
                      epochs=1).fit(X, y)
    with pytest.raises(error, match=builder_match):
        build_cnn((28, 28), 10, filters=[4, 4], hidden_layer_sizes=[8], activation=activation)


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


@pytest.mark.parametrize("batch_norm", [False, True])
def test_noise_on_pre_activations(digits, batch_norm):
    """noise_position="pre_activations": the noise sits between W x + b (after batch
    norm, if any) and the activation function."""
    X, y, _ = digits
    model = tiny(noise_forward=0.5, noise_backward=0.05, noise_position="pre_activations",
                 batch_norm=batch_norm).fit(X, y).model_
    noise = _noise_layers(model)
    assert [layer.name for layer in noise] == ["dense_0_noise", "dense_1_noise"]
    below = "bn" if batch_norm else None
    for k, n in enumerate(noise):
        source = model.get_layer(f"dense_{k}_{below}" if below else f"dense_{k}")
        assert n.input.name == source.output.name
        assert model.get_layer(f"dense_{k}_act").input.name == n.output.name


def test_a_wrong_noise_position_is_named(digits):
    X, y, _ = digits
    with pytest.raises(ValueError, match="noise_position"):
        tiny(noise_forward=0.1, noise_position="pre").fit(X, y)
    with pytest.raises(ValueError, match="noise_position"):
        build_fcnn((784,), 10, hidden_layer_sizes=[8], noise_forward=0.1,
                   noise_position="before")


@pytest.mark.parametrize("position", ["activations", "pre_activations"])
@pytest.mark.parametrize("param", ["noise_forward", "noise_backward"])
def test_noise_changes_training_not_inference(digits, param, position):
    X, y, X_test = digits
    noisy = tiny(**{param: 0.5, "noise_position": position}).fit(X, y)
    plain = tiny().fit(X, y)
    assert not np.array_equal(noisy.predict_proba(X_test), plain.predict_proba(X_test))
    # same weights -> same predictions: the noise is off at inference
    weights = {w.path: w.numpy() for w in noisy.model_.weights}
    for w in plain.model_.weights:
        w.assign(weights[w.path])
    np.testing.assert_array_equal(noisy.predict_proba(X_test), plain.predict_proba(X_test))
    again = tiny(**{param: 0.5, "noise_position": position}).fit(X, y)  # seeded: repeatable
    np.testing.assert_array_equal(noisy.predict_proba(X_test), again.predict_proba(X_test))


@pytest.mark.parametrize("param", ["noise_forward", "noise_backward"])
def test_negative_noise_is_named(digits, param):
    X, y, _ = digits
    with pytest.raises(ValueError, match=param):
        tiny(**{param: -0.1}).fit(X, y)


# -- inactive neurons: report 004's definition beside the per-unit one ------------------------

def _gated_network():
    """Unit 0 fires only where x0 > 0.5, unit 1 always; fixed output weights."""
    from sumdigits.keras.builders import build_fcnn

    model = build_fcnn((2,), 3, hidden_layer_sizes=[2])
    model.compile(loss="sparse_categorical_crossentropy")
    model.get_layer("dense_0").set_weights([np.array([[1.0, 0.0], [0.0, 1.0]]),
                                            np.array([-0.5, 1.0])])
    model.get_layer("output").set_weights([np.array([[1.0, -1.0, 0.0], [0.0, 1.0, -1.0]]),
                                           np.zeros(3)])
    X = np.random.default_rng(0).random((40, 2)).astype("float32")
    return model, X, np.arange(40) % 3


def test_per_sample_counts_each_sample_where_a_relu_is_off():
    from sumdigits.keras.callbacks import inactive_neuron_fractions

    model, X, y = _gated_network()
    off = int((X[:, 0] < 0.5).sum())
    assert 0 < off < 40
    per_sample = inactive_neuron_fractions(model, X, y, definition="per_sample")
    assert per_sample == {"dense_0": off / 80}
    # unit 0 still learns from the samples where it fires: active per unit
    assert inactive_neuron_fractions(model, X, y, definition="per_unit") == {"dense_0": 0.0}
    assert inactive_neuron_fractions(model, X, y) == {"dense_0": 0.0}  # the default
    for threshold, share in ((0.0, 0.0), (np.inf, 1.0)):
        for definition in ("per_sample", "per_unit"):
            assert inactive_neuron_fractions(model, X, y, threshold=threshold,
                                             definition=definition) == {"dense_0": share}


def test_per_step_curve_of_the_callback(digits):
    from sumdigits.keras.callbacks import InactiveNeuronFraction

    X, y, _ = digits
    est = tiny(batch_size=50, epochs=2, callbacks=[
        InactiveNeuronFraction(definition="per_sample", frequency=4, n_samples=32),
        InactiveNeuronFraction(log_name="per_epoch")]).fit(X, y)
    stepped, per_epoch = est.callbacks_[:2]
    assert stepped.steps_ == [0, 4, 8]  # 300 digits in batches of 50: 12 steps over 2 epochs
    assert len(stepped.step_fractions_) == 3
    assert all(0 <= v <= 1 for v in stepped.step_fractions_)
    assert per_epoch.steps_ == [] and len(est.history_["per_epoch"]) == 2
    assert len(est.history_["inactive_fraction"]) == 2


@pytest.mark.parametrize("kwargs, match", [
    (dict(definition="report"), "definition must be one of"),
    (dict(frequency=0), "frequency must be 'epoch' or an int >= 1"),
    (dict(frequency="step"), "frequency must be 'epoch' or an int >= 1"),
])
def test_inactive_callback_arguments_are_checked(kwargs, match):
    from sumdigits.keras.callbacks import InactiveNeuronFraction

    with pytest.raises(ValueError, match=match):
        InactiveNeuronFraction(**kwargs)


def test_per_sample_needs_the_pre_activation():
    from sumdigits.keras.callbacks import inactive_neuron_fractions

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy")
    X, y = np.ones((4, 3)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="applies its activation itself"):
        inactive_neuron_fractions(model, X, y, definition="per_sample")
    assert set(inactive_neuron_fractions(model, X, y)) == {model.layers[0].name}
