"""FCNNClassifier and CNNClassifier: scikit-learn behaviour on tiny embedded data.

Networks are small and fits last one or two epochs; fitted estimators are shared
per module. Each known scikeras / Keras defect handled by BaseKerasClassifier has
a test named for it.
"""

import pickle
import warnings

import joblib
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from sklearn.base import clone, is_classifier  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    StratifiedKFold,
    check_cv,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402
from sklearn.utils import get_tags  # noqa: E402

from sumdigits import SequentialDigitSumClassifier, load_mnist, make_digit_pairs  # noqa: E402
from sumdigits.keras import CNNClassifier, FCNNClassifier  # noqa: E402
from sumdigits.keras.builders import build_fcnn  # noqa: E402

from _estimators import keras_estimators, learns_from, tiny  # noqa: E402

N_TRAIN, N_TEST = 600, 200


# Tiny networks run eagerly: tracing the graph costs more than a tiny fit. The
# module fixtures and the raw-Keras comparison train in graph mode, the default.
def tiny_fcnn(**params):
    return FCNNClassifier(**{"hidden_layer_sizes": [32], "epochs": 2, "random_state": 0,
                             "learning_rate_init": 3e-3, "run_eagerly": True, **params})


def tiny_cnn(**params):
    return CNNClassifier(**{"filters": [4, 8], "hidden_layer_sizes": [16], "epochs": 2,
                            "random_state": 0, "learning_rate_init": 3e-3, "run_eagerly": True,
                            **params})


@pytest.fixture(scope="module")
def digits():
    (X, y), (X_test, y_test) = load_mnist("embedded")
    return X[:N_TRAIN], y[:N_TRAIN], X_test[:N_TEST], y_test[:N_TEST]


@pytest.fixture(scope="module")
def fitted_fcnn(digits):
    X, y, _, _ = digits
    return tiny_fcnn(epochs=5, run_eagerly=False).fit(X, y)


@pytest.fixture(scope="module")
def fitted_cnn(digits):
    X, y, _, _ = digits
    return tiny_cnn(epochs=5, run_eagerly=False).fit(X, y)


# -- scikit-learn >= 1.6 tags: scikeras' wrappers were not classifiers -----------------

@pytest.mark.parametrize("Estimator", [FCNNClassifier, CNNClassifier])
def test_is_classifier_so_cross_validation_is_stratified(Estimator, digits):
    _, y, _, _ = digits
    est = Estimator()
    assert is_classifier(est)
    assert get_tags(est).estimator_type == "classifier"
    assert isinstance(check_cv(3, y, classifier=is_classifier(est)), StratifiedKFold)


def test_plain_scikeras_is_not_a_classifier():
    """The defect we fix: scikeras 0.13 on scikit-learn >= 1.6."""
    from scikeras.wrappers import KerasClassifier

    assert not is_classifier(KerasClassifier())


# -- predictions -----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["fitted_fcnn", "fitted_cnn"])
def test_predict_proba_is_a_distribution_over_classes(name, digits, request):
    est = request.getfixturevalue(name)
    _, _, X_test, _ = digits
    proba = est.predict_proba(X_test)
    assert proba.shape == (N_TEST, 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(est.classes_, np.arange(10))
    np.testing.assert_array_equal(est.predict(X_test), est.classes_[proba.argmax(axis=1)])


def test_predict_proba_of_one_sample_is_2d(fitted_fcnn, digits):
    """scikeras squeezes predict_proba: one sample gave shape (10,)."""
    _, _, X_test, _ = digits
    assert fitted_fcnn.predict_proba(X_test[:1]).shape == (1, 10)
    assert fitted_fcnn.predict(X_test[:1]).shape == (1,)


@pytest.mark.parametrize("name", ["fitted_fcnn", "fitted_cnn"])
def test_learns_digits_better_than_chance(name, digits, request):
    _, _, X_test, y_test = digits
    assert request.getfixturevalue(name).score(X_test, y_test) > 0.5


def test_transform_returns_the_last_hidden_layer(fitted_fcnn, fitted_cnn, digits):
    _, _, X_test, _ = digits
    assert fitted_fcnn.transform(X_test).shape == (N_TEST, 32)
    assert fitted_cnn.transform(X_test).shape == (N_TEST, 16)
    relu_units = fitted_fcnn.transform(X_test)
    assert (relu_units >= 0).all()


def test_history_records_loss_and_accuracy_per_epoch(fitted_fcnn):
    assert set(fitted_fcnn.history_) == {"loss", "accuracy"}
    assert len(fitted_fcnn.history_["loss"]) == fitted_fcnn.n_iter_ == 5
    assert fitted_fcnn.history_["loss"][-1] < fitted_fcnn.history_["loss"][0]


# -- the wrapper trains exactly the network raw Keras trains ---------------------------

@pytest.mark.slow
def test_same_predictions_as_raw_keras_with_the_same_seed(digits):
    """A naive reference: the builder, seeded alike, compiled and fitted by hand (in the
    same order: Keras' own shuffling follows TensorFlow's global seed, the estimator's
    its own seed, so both keep the data's order here)."""
    X, y, X_test, _ = digits
    est = tiny_fcnn(batch_size=64, run_eagerly=False, shuffle=False).fit(X, y)

    model = build_fcnn((784,), 10, hidden_layer_sizes=[32], seed=0)
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(X.reshape(-1, 784).astype("float32") / 255, y.astype("float32"), batch_size=64,
              epochs=2, verbose=0, shuffle=False)
    raw = model.predict(X_test.reshape(-1, 784).astype("float32") / 255, verbose=0)
    np.testing.assert_allclose(est.predict_proba(X_test), raw, atol=1e-6)


# -- input shapes ----------------------------------------------------------------------

def test_flat_digits_give_the_same_fit_as_3d(fitted_fcnn, digits):
    X, y, X_test, _ = digits
    assert X.shape[1:] == (28, 28)
    flat = clone(fitted_fcnn).fit(X.reshape(-1, 784), y)
    np.testing.assert_allclose(flat.predict_proba(X_test.reshape(-1, 784)),
                               fitted_fcnn.predict_proba(X_test), atol=1e-6)


@pytest.mark.parametrize("make", [tiny_fcnn, tiny_cnn])
def test_pairs_give_the_sum_classes(make, digits):
    X, y, _, _ = digits
    pairs = make_digit_pairs(X, y, 400, strategy="stratified", random_state=0)
    est = make(epochs=1).fit(pairs.data, pairs.target)
    np.testing.assert_array_equal(est.classes_, np.unique(pairs.target))
    assert est.predict_proba(pairs.data[:5]).shape == (5, 19)
    assert est.input_shape_ == ((1568,) if make is tiny_fcnn else (28, 56))


@pytest.mark.parametrize("make", [tiny_fcnn, tiny_cnn])
def test_other_image_sizes(make):
    X, y = load_digits(return_X_y=True)  # 8 x 8 floats in 0..16
    est = make(epochs=1, rescale=1 / 16).fit(X[:300], y[:300])
    assert est.predict_proba(X[300:310]).shape == (10, 10)
    assert est.input_shape_ == ((64,) if make is tiny_fcnn else (8, 8))


def test_cnn_needs_image_shape_for_non_square_flat_input():
    X = np.random.default_rng(0).random((20, 60))
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match="image_shape"):
        tiny_cnn().fit(X, y)
    assert tiny_cnn(epochs=1, image_shape=(6, 10)).fit(X, y).input_shape_ == (6, 10)


def test_predict_rejects_another_image_size(fitted_fcnn):
    with pytest.raises(ValueError, match=r"\(28, 28\)"):
        fitted_fcnn.predict(np.zeros((2, 28, 56), dtype=np.uint8))


def test_invalid_parameters_and_data_are_named():
    X = np.zeros((10, 784))
    y = np.arange(10)
    with pytest.raises(ValueError, match="dropout"):
        tiny_fcnn(dropout=1.5).fit(X, y)
    with pytest.raises(ValueError, match="activation"):
        tiny_cnn(activation="softsign").fit(X, y)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        tiny_fcnn().fit(X_nan, y)
    with pytest.raises(NotFittedError):
        tiny_fcnn().predict(X)
    with pytest.raises(ValueError, match="hidden_layer_sizes must .* '512-256'"):
        tiny_fcnn(hidden_layer_sizes="16-x").fit(X, y)
    with pytest.raises(ValueError, match="filters must hold positive ints"):
        tiny_cnn(filters=[4, 0]).fit(X, y)


@pytest.mark.parametrize("widths", ["16-8", [16, 8], (16, 8)])
def test_layer_widths_as_a_list_or_a_string(widths):
    # the string form is what a stored Optuna study keeps (sumdigits.tuning)
    model = build_fcnn((784,), 10, hidden_layer_sizes=widths)
    assert [layer.units for layer in model.layers if isinstance(layer, keras.layers.Dense)
            and layer.name != "output"] == [16, 8]
    X, y = np.zeros((20, 28, 28)), np.arange(20) % 10
    cnn = tiny_cnn(filters="4-8", epochs=1).fit(X, y)
    assert [layer.filters for layer in cnn.model_.layers
            if isinstance(layer, keras.layers.Conv2D)] == [4, 8]


# -- random_state, warm start ----------------------------------------------------------

@pytest.mark.slow
def test_random_state_makes_a_fit_repeatable(fitted_cnn, digits):
    """Every layer, the shuffling and the split are seeded from random_state."""
    X, y, X_test, _ = digits
    again = clone(fitted_cnn).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X_test), fitted_cnn.predict_proba(X_test))
    seed_1 = tiny_fcnn(random_state=1).fit(X, y)
    seed_2 = tiny_fcnn(random_state=2).fit(X, y)
    assert not np.allclose(seed_1.predict_proba(X_test), seed_2.predict_proba(X_test))


def test_a_seeded_fit_leaves_unseeded_fits_working(fitted_cnn, digits):
    """scikeras' seeding left TensorFlow op determinism on for the whole process
    (it sets TF_DETERMINISTIC_OPS, which TensorFlow caches), so any later unseeded
    fit raised "Random ops require a seed to be set when determinism is enabled"."""
    from tensorflow.python.framework import config

    X, y, _, _ = digits
    assert not config.is_op_determinism_enabled()
    tiny_fcnn(random_state=None, epochs=1).fit(X, y)


@pytest.mark.slow
def test_warm_start_continues_from_the_previous_weights(digits):
    X, y, _, _ = digits
    est = tiny_fcnn(epochs=1, warm_start=True).fit(X, y)
    first_loss = est.history_["loss"][0]
    model = est.model_
    est.fit(X, y)
    assert est.model_ is model
    assert est.history_["loss"][0] < first_loss
    est.partial_fit(X, y)
    assert est.n_iter_ == 2  # the history of this warm fit, extended by partial_fit


# -- early stopping --------------------------------------------------------------------

@pytest.mark.slow
def test_early_stopping_restores_the_best_weights(digits):
    X, y, _, _ = digits
    est = tiny_fcnn(epochs=30, early_stopping=True, n_iter_no_change=2,
                    learning_rate_init=0.05).fit(X, y)
    history = est.history_
    assert {"val_loss", "val_accuracy"} <= set(history)
    assert est.n_iter_ < 30  # stopped before the epoch budget
    # the kept weights are those of the best validation epoch
    X_enc = est.feature_encoder_.transform(X)
    y_enc = est.target_encoder_.transform(y)
    _, _, _, (X_val, y_val) = est._validation_split(X_enc, y_enc, None)
    val_loss = est.model_.evaluate(X_val, y_val, verbose=0)[0]
    assert val_loss == pytest.approx(min(history["val_loss"]), rel=1e-4)


def test_validation_split_is_stratified_and_disjoint(fitted_fcnn, digits):
    X, y, _, _ = digits
    X_train, y_train, _, (X_val, y_val) = fitted_fcnn._validation_split(X, y, None)
    assert len(X_train) + len(X_val) == len(X)
    assert len(y_val) == 60 and np.bincount(y_val, minlength=10).min() >= 4


# -- weights ---------------------------------------------------------------------------

def test_sample_weight_is_used_and_left_unmodified(digits):
    X, y, X_test, _ = digits
    weight = np.where(y < 5, 1.0, 0.0)
    est = tiny_fcnn(epochs=4, class_weight="balanced").fit(X, y, sample_weight=weight)
    np.testing.assert_array_equal(weight, np.where(y < 5, 1.0, 0.0))  # scikeras mutated it
    assert np.mean(est.predict(X_test) < 5) > 0.9


def test_class_weight_changes_the_fit(fitted_fcnn, digits):
    X, y, X_test, _ = digits
    weighted = tiny_fcnn(class_weight={k: (10.0 if k == 3 else 1.0) for k in range(10)})
    weighted.fit(X, y)
    assert np.mean(weighted.predict(X_test) == 3) > np.mean(fitted_fcnn.predict(X_test) == 3)


# -- callbacks, clone, pickling ----------------------------------------------------------

class EpochCounter(keras.callbacks.Callback):
    """A stateful callback: counts the epochs it has seen."""

    def __init__(self):
        super().__init__()
        self.epochs_seen = 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_seen += 1


def test_callbacks_are_copied_per_fit_and_survive_clone_and_pickle(digits):
    X, y, X_test, _ = digits
    counter = EpochCounter()
    est = tiny_fcnn(callbacks=[counter, keras.callbacks.EarlyStopping(monitor="loss")])
    est.fit(X, y)
    assert counter.epochs_seen == 0  # the parameter is never attached to a model
    assert est.callbacks_[0].epochs_seen == 2
    cloned = clone(est)
    assert cloned.callbacks[0] is not counter and cloned.callbacks[0].epochs_seen == 0
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict_proba(X_test), est.predict_proba(X_test))
    restored.fit(X, y)  # a fresh copy again: the count restarts
    assert restored.callbacks_[0].epochs_seen == 2


def test_callback_classes_take_routed_parameters(digits):
    X, y, _, _ = digits
    est = tiny_fcnn(epochs=20, callbacks=[keras.callbacks.EarlyStopping],
                    callbacks__0__monitor="loss", callbacks__0__patience=0,
                    callbacks__0__min_delta=10.0)
    # no epoch improves on the first by 10: stopped after the second epoch
    assert est.fit(X, y).n_iter_ == 2


@pytest.mark.parametrize("name", ["fitted_fcnn", "fitted_cnn"])
def test_pickle_and_joblib_round_trips_predict_the_same(name, digits, request, tmp_path):
    est = request.getfixturevalue(name)
    _, _, X_test, _ = digits
    expected = est.predict_proba(X_test)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).predict_proba(X_test), expected)
    joblib.dump(est, tmp_path / "est.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "est.joblib").predict_proba(X_test),
                                  expected)


def test_clone_of_a_fitted_estimator_is_unfitted(fitted_fcnn):
    cloned = clone(fitted_fcnn)
    assert not hasattr(cloned, "model_")
    assert cloned.get_params()["hidden_layer_sizes"] == [32]


def test_an_optimizer_instance_serves_every_fit(digits):
    """A Keras 3 optimizer is bound to the variables of its first model: scikeras
    passed the same instance to every compile, so a second fit raised "Unknown
    variable ... This optimizer can only be called for the variables it was
    originally built with" (and SequentialDigitSumClassifier refits its estimator)."""
    X, y, _, _ = digits
    optimizer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)
    est = tiny_fcnn(epochs=1, optimizer=optimizer).fit(X, y)
    est.fit(X, y)
    assert isinstance(est.model_.optimizer, keras.optimizers.SGD)
    assert est.model_.optimizer is not optimizer
    assert float(est.model_.optimizer.momentum) == pytest.approx(0.9)


def test_silent_by_default_progress_on_request(fitted_fcnn, digits, capfd):
    X, y, X_test, _ = digits
    capfd.readouterr()
    fitted_fcnn.predict_proba(X_test)
    tiny_fcnn(epochs=1).fit(X[:64], y[:64])
    assert capfd.readouterr().out == ""
    tiny_fcnn(epochs=1, verbose=2).fit(X[:64], y[:64])
    assert "loss:" in capfd.readouterr().out  # one line per epoch


def test_repr_shows_the_changed_parameters():
    assert repr(FCNNClassifier(epochs=3, optimizer__momentum=0.9)) == (
        "FCNNClassifier(epochs=3, optimizer__momentum=0.9)")


# -- meta-estimators ---------------------------------------------------------------------

def test_pipeline_grid_search_with_callbacks(digits):
    X, y, X_test, y_test = digits
    pipe = make_pipeline(FunctionTransformer(lambda Z: Z / 255.0),
                         tiny_fcnn(epochs=1, callbacks=[keras.callbacks.EarlyStopping("loss")]))
    search = GridSearchCV(pipe, {"fcnnclassifier__hidden_layer_sizes": [[16], [32]]}, cv=2)
    search.fit(X[:300], y[:300])
    assert search.cv_results_["mean_test_score"].shape == (2,)
    assert 0 <= search.score(X_test, y_test) <= 1
    assert search.best_estimator_[-1].input_shape_ == (784,)


@pytest.mark.slow
def test_cross_val_score(digits):
    X, y, _, _ = digits
    scores = cross_val_score(tiny_fcnn(epochs=4), X[:300], y[:300], cv=2)
    assert scores.shape == (2,) and np.all(scores > 0.3)


# optuna-integration's own OptunaSearchCV, used raw: its experimental and
# optuna.terminator warnings are expected here (sumdigits.tuning.tune silences them).
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
@pytest.mark.filterwarnings("ignore:.*optuna.terminator:FutureWarning")
def test_optuna_search(digits):
    optuna = pytest.importorskip("optuna")
    from optuna_integration import OptunaSearchCV

    X, y, _, _ = digits
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    search = OptunaSearchCV(
        tiny_fcnn(epochs=1),
        {"learning_rate_init": optuna.distributions.FloatDistribution(1e-4, 1e-1, log=True),
         "dropout": optuna.distributions.FloatDistribution(0.0, 0.5)},
        n_trials=2, cv=2, random_state=0,
    )
    search.fit(X[:300], y[:300])
    assert len(search.trials_) == 2
    assert search.predict_proba(X[:3]).shape == (3, 10)


@pytest.mark.slow
@pytest.mark.parametrize("make", [tiny_cnn, tiny_fcnn])
def test_estimator_of_sequential_digit_sum_classifier(make, digits):
    X, y, X_test, y_test = digits
    pairs = make_digit_pairs(X, y, 300, strategy="disjoint", random_state=0)
    test = make_digit_pairs(X_test, y_test, 100, strategy="disjoint", random_state=0)
    seq = SequentialDigitSumClassifier(estimator=make(epochs=5)).fit(pairs.data, pairs.digits)
    proba = seq.predict_proba(test.data)
    assert proba.shape == (100, 19)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    assert seq.score(test.data, test.target) > 0.2  # chance is below 0.1


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:EM did not converge:sklearn.exceptions.ConvergenceWarning")
def test_sequential_learns_digits_from_sums_with_sample_weights(digits):
    X, y, _, _ = digits
    pairs = make_digit_pairs(X, y, 300, strategy="disjoint", random_state=0)
    seq = SequentialDigitSumClassifier(estimator=tiny_fcnn(epochs=2), max_iter=2)
    seq.fit(pairs.data, pairs.target)
    assert seq.fit_mode_ == "sums"
    assert seq.predict_proba(pairs.data[:4]).shape == (4, 19)


def test_cnn_blocks_of_convolutions_pool_once_per_block():
    from sumdigits.keras.builders import build_cnn, conv_blocks

    assert conv_blocks("32+32-64") == conv_blocks([[32, 32], 64]) == [[32, 32], [64]]
    model = build_cnn((28, 28, 1), 10, filters=[[4, 4], [8, 8]], pooling="max",
                      strides=1, hidden_layer_sizes=[8], seed=0)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    pools = [layer for layer in model.layers if isinstance(layer, keras.layers.MaxPooling2D)]
    assert [c.filters for c in convs] == [4, 4, 8, 8] and len(pools) == 2
    assert model.get_layer("flatten").output.shape[1:] == (7 * 7 * 8,)
    # the plain form is unchanged: one convolution per entry, one pooling after each
    plain = build_cnn((28, 28, 1), 10, filters=[4, 8], pooling="max", strides=1,
                      hidden_layer_sizes=[8], seed=0)
    assert [layer.name for layer in plain.layers if "pool" in layer.name] == [
        "conv_0_pool", "conv_1_pool"]


@pytest.mark.parametrize("filters, error", [
    ([[4, 0]], ValueError), ([[]], ValueError), ("4+a-8", ValueError), (4, TypeError),
    ([[4, "a"]], ValueError)])
def test_cnn_blocks_reject_bad_filters(filters, error):
    from sumdigits.keras.builders import conv_blocks

    with pytest.raises(error, match="filters"):
        conv_blocks(filters)


# -- pixel scale: decided from the data at fit, checked at predict ---------------------
def _scale_cases():
    """Every Keras estimator: a tiny one, and what it learns from."""
    return {name: (lambda cls=cls: tiny(cls), learns_from(name, cls))
            for name, cls in keras_estimators()}


@pytest.fixture(scope="module")
def scale_data(digits):
    X, y, _, _ = digits
    pairs = make_digit_pairs(X[:200].reshape(200, -1), y[:200], 100, random_state=0)
    return {"digits": (X[:100].reshape(100, -1), y[:100]),
            "pair digits": (pairs.data, pairs.digits), "sums": (pairs.data, pairs.target)}


def _scale_warnings(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in caught if "the data given to fit held values" in str(w.message)]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(_scale_cases()))
def test_pixel_scale_is_decided_from_the_data_at_fit(name, scale_data):
    """0..255 pixels of any dtype are divided by 255; predicting on 0..1 pixels, the
    other scale, warns; standardised pixels are kept as they are, and warn of nothing."""
    make, kind = _scale_cases()[name]
    X, y = scale_data[kind]
    pixels = np.asarray(X, dtype=np.float64)  # 0..255 as floats: no uint8 to tell the scale
    est = make().fit(pixels, y)
    assert est.scale_ == 1 / 255
    assert _scale_warnings(lambda: est.predict(pixels[:5])) == []
    [message] = _scale_warnings(lambda: est.predict(pixels[:5] / 255))
    assert "X holds values in 0 to 1" in message and "0 to 255" in message
    # the same pixels as uint8 are the same input to the network
    np.testing.assert_array_equal(est.predict_proba(np.asarray(X, dtype=np.uint8)),
                                  est.predict_proba(pixels))
    standardised = (pixels - pixels.mean()) / pixels.std()
    est = make().fit(standardised, y)
    assert est.scale_ == 1.0
    assert _scale_warnings(lambda: est.predict(standardised[:5] * 255)) == []


@pytest.mark.parametrize("values, dtype, scale, kind", [
    ([0, 3, 255], np.uint8, 1 / 255, "0..255"),
    ([0, 3, 255], np.int64, 1 / 255, "0..255"),
    ([0.0, 3.5, 255.0], np.float32, 1 / 255, "0..255"),
    ([0.0, 0.5, 1.0], np.float64, 1.0, "0..1"),
    ([0, 1, 1], np.uint8, 1.0, "0..1"),  # binary images
    ([0, 0, 0], np.uint8, 1 / 255, None),  # uint8 holds 8-bit pixels
    ([0.0, 0.0, 0.0], np.float64, 1.0, None),
    ([-1.5, 0.0, 2.0], np.float64, 1.0, None),  # standardised
    ([0.0, 100.0, 4000.0], np.float64, 1.0, None),  # not 8-bit pixels
    ([np.nan, 3.0, 200.0], np.float64, 1 / 255, "0..255"),  # NaN ignored
])
def test_auto_rescale_rule(values, dtype, scale, kind):
    from sumdigits.keras._encoders import ImageInputEncoder
    from sumdigits.keras._ns_encoders import NumberPairEncoder

    X = np.tile(np.asarray(values, dtype=dtype), (2, 8))  # 24 features: two 2 x 6 digits
    encoder = ImageInputEncoder().fit(X)
    assert (encoder.scale_, encoder.pixel_range_) == (scale, kind)
    expected = np.asarray(X, dtype=np.float32) * np.float32(scale)
    np.testing.assert_array_equal(encoder.transform(X), expected)
    if np.isfinite(X).all():  # the neuro-symbolic encoder refuses NaN pixels
        pairs = NumberPairEncoder(digit_shape=(2, 6)).fit(X)
        assert (pairs.scale_, pairs.pixel_range_) == (scale, kind)


def test_rescale_given_is_used_and_ranges_still_checked():
    from sumdigits.keras._encoders import ImageInputEncoder

    X = np.tile(np.arange(0, 256, 5, dtype=np.int64), (3, 1))
    for rescale, scale in [(None, 1.0), (0.5, 0.5)]:
        encoder = ImageInputEncoder(rescale=rescale).fit(X)
        assert encoder.scale_ == scale and encoder.pixel_range_ == "0..255"
        with pytest.warns(UserWarning,
                          match=r"X holds values in 0 to 1.*multiply X by 255") as record:
            encoder.transform(X / 255)
        # the warning points at the caller's line, past sumdigits' and scikit-learn's frames
        assert record[0].filename == __file__
