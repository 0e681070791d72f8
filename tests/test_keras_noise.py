"""NoiseInjection: Gaussian noise on activations (forward) and gradients (backward),
only while training."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from sumdigits.keras.noise import NoiseInjection  # noqa: E402

N = 200_000  # noise values: their sample std is within 10 standard errors (sigma / sqrt(2N))


def _grad(layer, x, training):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = layer(x, training=training)
        total = tf.reduce_sum(out)
    return out.numpy(), tape.gradient(total, x).numpy()


def _close_std(values, sigma):
    se = sigma / np.sqrt(2 * values.size)
    assert abs(values.std() - sigma) < 10 * se and abs(values.mean()) < 10 * sigma / np.sqrt(
        values.size)


@pytest.mark.parametrize("forward, backward", [(1.0, 0.0), (0.0, 0.5), (0.3, 0.2)])
def test_identity_with_plain_gradient_at_inference(forward, backward):
    x = np.random.RandomState(0).normal(size=(100, 20)).astype("float32")
    out, grad = _grad(NoiseInjection(forward, backward, seed=0), x, training=False)
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(grad, np.ones_like(x))


def test_forward_noise_while_training_has_the_asked_spread():
    x = np.zeros((N // 100, 100), "float32")
    out, grad = _grad(NoiseInjection(forward_stddev=0.7, seed=1), x, training=True)
    _close_std(out - x, 0.7)
    np.testing.assert_array_equal(grad, np.ones_like(x))  # x + noise: gradient 1


def test_backward_noise_changes_gradients_not_outputs():
    x = np.random.RandomState(0).normal(size=(N // 100, 100)).astype("float32")
    out, grad = _grad(NoiseInjection(backward_stddev=0.05, seed=2), x, training=True)
    np.testing.assert_array_equal(out, x)
    _close_std(grad - 1, 0.05)


def test_in_a_model_fit_and_predict_and_config_round_trip():
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    hidden = NoiseInjection(0.1, 0.01, seed=3)(hidden)
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(hidden))
    model.compile("sgd", "sparse_categorical_crossentropy")
    X = np.random.RandomState(0).normal(size=(64, 4)).astype("float32")
    model.fit(X, (X[:, 0] > 0).astype(int), epochs=1, verbose=0)
    np.testing.assert_array_equal(model.predict(X, verbose=0), model.predict(X, verbose=0))
    clone = keras.Model.from_config(model.get_config())
    layer = [lay for lay in clone.layers if isinstance(lay, NoiseInjection)][0]
    assert (layer.forward_stddev, layer.backward_stddev, layer.seed) == (0.1, 0.01, 3)


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(forward_stddev=-0.1), ValueError, "forward_stddev must be a finite non-negative"),
    (dict(backward_stddev=float("nan")), ValueError, "backward_stddev must be a finite"),
    (dict(forward_stddev="1"), TypeError, "forward_stddev must be a non-negative float"),
    (dict(seed=1.5), TypeError, "seed must be an int or None"),
])
def test_bad_parameters_are_refused(kwargs, err, match):
    with pytest.raises(err, match=match):
        NoiseInjection(**kwargs)


def test_backward_noise_in_fit_reaches_only_the_weights_below():
    X = np.random.RandomState(0).normal(size=(32, 4)).astype("float32")
    y = (X[:, 0] > 0).astype(int)

    def fitted(backward):
        keras.utils.set_random_seed(0)
        inputs = keras.Input((4,))
        hidden = keras.layers.Dense(8, activation="tanh", name="below")(inputs)
        hidden = NoiseInjection(backward_stddev=backward, seed=4)(hidden)
        model = keras.Model(inputs, keras.layers.Dense(2, name="above")(hidden))
        model.compile(keras.optimizers.SGD(0.1),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(X, y, batch_size=32, epochs=1, shuffle=False, verbose=0)  # one step
        return {name: model.get_layer(name).get_weights() for name in ("below", "above")}

    plain, noisy = fitted(0.0), fitted(1.0)
    # one step: the layer above saw the same activations and the same upstream gradient
    for a, b in zip(plain["above"], noisy["above"]):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(plain["below"][0], noisy["below"][0])
