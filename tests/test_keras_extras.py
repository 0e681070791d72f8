"""MultiTaskSumClassifier, streaming pairs (DigitPairDataset, fit_dataset), the
inactive-neuron diagnostics and the batch-normalisation statistics, on tiny embedded data."""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

keras = pytest.importorskip("keras")

from sklearn.base import is_classifier  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402

from sumdigits import load_mnist, make_digit_pairs  # noqa: E402
from sumdigits.keras import FCNNClassifier, MultiTaskSumClassifier  # noqa: E402
from sumdigits.keras.builders import build_fcnn  # noqa: E402
from sumdigits.keras.callbacks import (  # noqa: E402
    BatchNormStatistics,
    InactiveNeuronFraction,
    inactive_neuron_fractions,
)
from sumdigits.keras.streaming import DigitPairDataset, shift_images  # noqa: E402
from sumdigits.pairs import pair_indices  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    (X, y), (X_test, y_test) = load_mnist("embedded")
    return X[:1000], y[:1000], X_test[:400], y_test[:400]


@pytest.fixture(scope="module")
def pairs(digits):
    X, y, X_test, y_test = digits
    return (make_digit_pairs(X, y, 500, strategy="disjoint", random_state=0),
            make_digit_pairs(X_test, y_test, 200, strategy="disjoint", random_state=0))


@pytest.fixture(scope="module")
def fitted_multitask(pairs):
    train, _ = pairs
    return MultiTaskSumClassifier(hidden_layer_sizes=[64], head_layer_sizes=[16], epochs=3,
                                  learning_rate_init=3e-3, random_state=0).fit(train.data, train.digits)


# -- MultiTaskSumClassifier --------------------------------------------------------------

def test_multitask_predicts_sums_from_the_sum_head(fitted_multitask, pairs):
    _, test = pairs
    est = fitted_multitask
    assert is_classifier(est)
    np.testing.assert_array_equal(est.classes_, np.arange(19))
    proba = est.predict_proba(test.data)
    assert proba.shape == (200, 19)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(est.predict(test.data), proba.argmax(axis=1))
    assert est.score(test.data, test.digits) == est.score(test.data, test.target)


def test_multitask_digit_heads_and_embedding(fitted_multitask, pairs):
    _, test = pairs
    digit_proba = fitted_multitask.predict_digit_proba(test.data)
    assert digit_proba.shape == (200, 2, 10)
    assert fitted_multitask.predict_digits(test.data).shape == (200, 2)
    assert fitted_multitask.transform(test.data).shape == (200, 64)
    # the digit heads learn: better than chance (0.1) on the first digit
    assert np.mean(digit_proba[:, 0].argmax(axis=1) == test.digits[:, 0]) > 0.3


def test_multitask_history_has_each_task(fitted_multitask):
    for task in ("first", "second", "sum"):
        assert len(fitted_multitask.history_[f"{task}_accuracy"]) == 3


def test_multitask_learns_from_sums_alone_with_the_sum_head(pairs):
    train, test = pairs
    est = MultiTaskSumClassifier(hidden_layer_sizes=[16], head_layer_sizes=[], epochs=1, random_state=0)
    est.fit(train.data, train.target)
    assert est.fit_mode_ == "sums"
    np.testing.assert_array_equal(est.classes_, np.unique(train.target))
    assert est.predict_proba(test.data[:5]).shape == (5, len(est.classes_))
    with pytest.raises(ValueError, match="digit labels"):  # the digit heads never learned
        est.predict_digits(test.data[:5])
    with pytest.raises(ValueError, match="task_weights"):
        MultiTaskSumClassifier(epochs=1, task_weights=(1, 1)).fit(train.data, train.digits)


@pytest.mark.slow
def test_multitask_cnn_trunk_with_early_stopping_and_pickle(pairs):
    train, test = pairs
    est = MultiTaskSumClassifier(trunk="cnn", filters=[4, 8], hidden_layer_sizes=[16], head_layer_sizes=[],
                                 epochs=2, early_stopping=True, random_state=0)
    est.fit(train.data, train.digits)
    assert est.input_shape_ == (28, 56)
    assert "val_sum_accuracy" in est.history_
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict_proba(test.data), est.predict_proba(test.data))


def test_multitask_cross_val_score(pairs):
    train, _ = pairs
    scores = cross_val_score(
        MultiTaskSumClassifier(hidden_layer_sizes=[16], head_layer_sizes=[], epochs=1, run_eagerly=True,
                               random_state=0),
        train.data, train.digits, cv=2)
    assert scores.shape == (2,)


# -- streaming ----------------------------------------------------------------------------

def test_dataset_batches_equal_naively_built_pairs(digits):
    X, y, _, _ = digits
    indices = pair_indices(y, 50, strategy="random", random_state=0)
    data = DigitPairDataset(X, y, indices, batch_size=16, shuffle=False)
    assert len(data) == 4
    images = np.concatenate([data[i][0] for i in range(len(data))])
    sums = np.concatenate([data[i][1] for i in range(len(data))])
    naive = np.stack([np.hstack([X[a], X[b]]) for a, b in indices])
    np.testing.assert_array_equal(images, naive)
    np.testing.assert_array_equal(sums, y[indices[:, 0]] + y[indices[:, 1]])


def test_dataset_shuffles_each_epoch_and_keeps_every_pair(digits):
    X, y, _, _ = digits
    indices = pair_indices(y, 40, strategy="random", random_state=1)
    data = DigitPairDataset(X.reshape(-1, 784), y, indices, target="digits", batch_size=40,
                            layout="vertical", random_state=0)
    first_epoch = data[0]
    data.on_epoch_end()
    second_epoch = data[0]
    assert first_epoch[0].shape == (40, 1568)  # flattened in, flattened out
    assert not np.array_equal(first_epoch[1], second_epoch[1])
    as_rows = {tuple(r) for r in np.asarray(second_epoch[1])}
    assert as_rows == {tuple(r) for r in y[indices]}


def test_dataset_validates_its_input(digits):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match="indices"):
        DigitPairDataset(X, y, [[0, len(X)]])
    with pytest.raises(ValueError, match="indices"):
        DigitPairDataset(X, y, [0, 1])
    with pytest.raises(ValueError, match="target"):
        DigitPairDataset(X, y, [[0, 1]], target="product")
    with pytest.raises(ValueError, match="y"):
        DigitPairDataset(X, y[:-1], [[0, 1]])


def test_shift_images_moves_a_lit_pixel_exactly_and_drops_what_leaves():
    image = np.zeros((3, 5, 6), np.uint8)
    image[:, 2, 3] = 7
    shifted = shift_images(image, [[0, 0], [2, -3], [-3, 1]])
    assert shifted.dtype == np.uint8 and shifted.shape == image.shape
    np.testing.assert_array_equal(shifted[0], image[0])  # no shift: unchanged
    assert shifted[1, 4, 0] == 7 and shifted[1].sum() == 7  # 2 down, 3 left
    assert not shifted[2].any()  # 3 up from row 2: out of the image, dropped, no wrap
    with pytest.raises(ValueError, match="offsets"):
        shift_images(image, [[5, 0]] * 3)
    with pytest.raises(ValueError, match="offsets"):
        shift_images(image, [[0.5, 0]] * 3)


def test_shift_images_never_adds_mass_and_keeps_what_stays_inside(digits):
    X = digits[0][:200]
    offsets = np.random.RandomState(0).randint(-4, 5, size=(200, 2))
    shifted = shift_images(X, offsets)
    mass, before = shifted.sum(axis=(1, 2), dtype=np.int64), X.sum(axis=(1, 2), dtype=np.int64)
    assert (mass <= before).all()
    # exactly the pixels that stay inside remain, in the same order
    for k, (dy, dx) in enumerate(offsets):
        kept = X[k, max(0, -dy):28 - max(0, dy), max(0, -dx):28 - max(0, dx)]
        assert mass[k] == kept.sum(dtype=np.int64)
        np.testing.assert_array_equal(shifted[k][shifted[k] > 0], kept[kept > 0])


@pytest.mark.parametrize("layout", ["horizontal", "vertical"])
def test_dataset_shifts_each_digit_by_its_own_offset(digits, layout):
    from sumdigits._geometry import Geometry

    X, y, _, _ = digits
    indices = pair_indices(y, 60, strategy="random", random_state=2)
    data = DigitPairDataset(X, y, indices, batch_size=60, layout=layout, shuffle=False,
                            max_shift=2, random_state=0)
    images, sums = data[0]
    np.testing.assert_array_equal(sums, y[indices].sum(axis=1))
    parts = Geometry((28, 28), layout).digits(images)[:, :, 0]  # (60, 2, 28, 28)
    moves = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)]
    found = np.empty((60, 2, 2), int)
    for i, j in np.ndindex(60, 2):
        match = [m for m in moves
                 if np.array_equal(shift_images(X[indices[i, j]][None], [m])[0], parts[i, j])]
        assert match, "every digit is its image moved by an offset in -2..2"
        found[i, j] = match[0]
    # independent offsets: the two digits of a pair seldom move alike, all offsets occur
    assert (found[:, 0] != found[:, 1]).any(axis=1).mean() > 0.5
    assert set(np.unique(found)) == {-2, -1, 0, 1, 2}


def test_dataset_shifts_are_seeded_and_renewed_each_epoch(digits):
    X, y, _, _ = digits
    indices = pair_indices(y, 100, strategy="random", random_state=3)
    kw = dict(batch_size=32, shuffle=False, max_shift=1, random_state=5)
    a, b = DigitPairDataset(X, y, indices, **kw), DigitPairDataset(X, y, indices, **kw)
    plain = DigitPairDataset(X, y, indices, batch_size=32, shuffle=False, random_state=5)
    unshifted = DigitPairDataset(X, y, indices, batch_size=32, shuffle=False, max_shift=0,
                                 random_state=5)
    first = [a[i][0] for i in (3, 0, 1)]  # any order, any number of times: the same batches
    for i, batch in zip((3, 0, 1), first):
        np.testing.assert_array_equal(batch, a[i][0])
        np.testing.assert_array_equal(batch, b[i][0])
        np.testing.assert_array_equal(a[i][1], plain[i][1])  # same pairs as without shifts
        np.testing.assert_array_equal(unshifted[i][0], plain[i][0])
    assert not np.array_equal(first[1], plain[0][0])
    a.on_epoch_end()
    b.on_epoch_end()
    np.testing.assert_array_equal(a[0][0], b[0][0])
    assert not np.array_equal(a[0][0], first[1])  # same pairs, new shifts
    np.testing.assert_array_equal(a[0][1], plain[0][1])


@pytest.mark.parametrize("max_shift", [-1, 28, 1.5, True, "2", None])
def test_dataset_refuses_a_bad_max_shift(digits, max_shift):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match=r"max_shift must be an int in 0\.\.27"):
        DigitPairDataset(X, y, [[0, 1]], max_shift=max_shift)


def _epoch_batches(data):
    """Every batch of the dataset's current epoch, its images and labels concatenated."""
    batches = [data[i] for i in range(len(data))]
    return np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches])


def _sorted_rows(a):
    """The rows of ``a`` (a 1-D array: its values) in lexicographic order."""
    a = np.asarray(a).reshape(len(a), -1)
    return a[np.lexsort(a.T[::-1])]


@settings(max_examples=25, deadline=None, derandomize=True)
@given(n_images=st.integers(2, 60), n_pairs=st.integers(1, 90), batch_size=st.integers(1, 40),
       target=st.sampled_from(["sum", "digits"]), shuffle=st.booleans(),
       max_shift=st.integers(0, 1), seed=st.integers(0, 2**32 - 1))
def test_resampled_pairs_are_new_valid_and_labelled_by_their_digits(
        digits, n_images, n_pairs, batch_size, target, shuffle, max_shift, seed):
    X, y = digits[0][:n_images], digits[1][:n_images]
    indices = pair_indices(y, n_pairs, strategy="random", random_state=seed)
    data = DigitPairDataset(X, y, indices, target=target, batch_size=batch_size,
                            shuffle=shuffle, resample=True, max_shift=max_shift,
                            random_state=seed)
    n_batches = len(data)
    assert n_batches == -(-n_pairs // batch_size)
    np.testing.assert_array_equal(data.indices, indices)  # the pairs given, until a new epoch
    epochs = [data.indices.copy()]
    for _ in range(3):
        data.on_epoch_end()
        drawn = data.indices
        assert drawn.shape == (n_pairs, 2) and np.issubdtype(drawn.dtype, np.integer)
        assert drawn.min() >= 0 and drawn.max() < n_images  # from the digit pool
        assert len(data) == n_batches
        images, labels = _epoch_batches(data)
        assert len(images) == n_pairs
        # every pair of the epoch once, each labelled by the digits drawn for it
        expected = y[drawn].sum(axis=1) if target == "sum" else y[drawn]
        if shuffle:
            np.testing.assert_array_equal(_sorted_rows(labels), _sorted_rows(expected))
        else:
            np.testing.assert_array_equal(labels, expected)
        epochs.append(drawn.copy())
    # the same seed, the same sequence of pairs, whatever shuffle and max_shift
    again = DigitPairDataset(X, y, indices, batch_size=7, shuffle=not shuffle, resample=True,
                             max_shift=1 - max_shift, random_state=seed)
    for expected in epochs[1:]:
        again.on_epoch_end()
        np.testing.assert_array_equal(again.indices, expected)


def test_resampled_batches_show_the_drawn_digits(digits):
    X, y, _, _ = digits
    indices = pair_indices(y, 50, strategy="random", random_state=0)
    data = DigitPairDataset(X, y, indices, batch_size=16, shuffle=False, resample=True,
                            random_state=0)
    data.on_epoch_end()
    images, sums = _epoch_batches(data)
    naive = np.stack([np.hstack([X[a], X[b]]) for a, b in data.indices])
    np.testing.assert_array_equal(images, naive)
    np.testing.assert_array_equal(sums, y[data.indices].sum(axis=1))


def test_resample_draws_new_pairs_at_every_epoch(digits):
    X, y, _, _ = digits
    indices = pair_indices(y, 500, strategy="random", random_state=0)
    data = DigitPairDataset(X, y, indices, batch_size=64, resample=True, random_state=1)
    seen = [data.indices.copy()]
    for _ in range(3):
        data.on_epoch_end()
        seen.append(data.indices.copy())
    for a, b in zip(seen[:-1], seen[1:]):  # 1 in 10**6 that a pair of 1,000 digits repeats
        assert (a != b).any(axis=1).mean() > 0.99
    other = DigitPairDataset(X, y, indices, batch_size=64, resample=True, random_state=2)
    other.on_epoch_end()
    assert (other.indices != seen[1]).any(axis=1).mean() > 0.99  # another seed, other pairs


def test_resample_draws_each_digit_of_a_pair_uniformly_from_the_pool(digits):
    X, y = digits[0][:20], digits[1][:20]
    data = DigitPairDataset(X, y, pair_indices(y, 500, strategy="random", random_state=0),
                            resample=True, random_state=0)
    drawn = []
    for _ in range(3):
        data.on_epoch_end()
        drawn.append(data.indices)
    drawn = np.concatenate(drawn)
    for place in (0, 1):  # 1,500 draws of 20 images: 75 each, standard deviation 8.5
        counts = np.bincount(drawn[:, place], minlength=20)
        assert counts.size == 20 and 40 < counts.min() and counts.max() < 110
    assert (drawn[:, 0] == drawn[:, 1]).mean() < 0.1  # the two digits drawn independently


def test_without_resample_the_pairs_and_batches_are_unchanged(digits):
    X, y, _, _ = digits
    indices = pair_indices(y, 100, strategy="random", random_state=4)
    kw = dict(batch_size=32, max_shift=1, random_state=6)
    default, off = DigitPairDataset(X, y, indices, **kw), DigitPairDataset(
        X, y, indices, resample=False, **kw)
    for _ in range(3):
        np.testing.assert_array_equal(default.indices, indices)
        np.testing.assert_array_equal(off.indices, indices)
        for i in range(len(default)):
            for a, b in zip(default[i], off[i]):
                np.testing.assert_array_equal(a, b)
        default.on_epoch_end()
        off.on_epoch_end()


@pytest.mark.parametrize("resample", [1, 0, "yes", None, 1.0])
def test_dataset_refuses_a_resample_that_is_not_a_bool(digits, resample):
    X, y, _, _ = digits
    with pytest.raises(TypeError, match=r"resample must be a bool .* got"):
        DigitPairDataset(X, y, [[0, 1]], resample=resample)


@pytest.mark.slow
def test_fit_dataset_trains_on_resampled_pairs(digits):
    X, y, _, _ = digits
    indices = pair_indices(y, 256, strategy="random", random_state=0)
    data = DigitPairDataset(X, y, indices, batch_size=64, resample=True, random_state=0)
    FCNNClassifier(hidden_layer_sizes=[8], epochs=2, random_state=0).fit_dataset(data)
    # Keras ended both epochs (Keras 3 also calls on_epoch_end as a fit starts): the
    # pairs now are those the same seed draws at the second call or a later one
    replay = DigitPairDataset(X, y, indices, batch_size=64, resample=True, random_state=0)
    calls = []
    for n_calls in range(1, 6):
        replay.on_epoch_end()
        if np.array_equal(replay.indices, data.indices):
            calls.append(n_calls)
    assert len(calls) == 1 and calls[0] >= 2


@pytest.mark.slow
def test_fit_dataset_trains_on_streamed_pairs(digits, pairs):
    X, y, _, _ = digits
    _, test = pairs
    data = DigitPairDataset(X, y, pair_indices(y, 4000, strategy="random", random_state=0),
                            batch_size=128, random_state=0)
    est = FCNNClassifier(hidden_layer_sizes=[64], epochs=2, learning_rate_init=3e-3, random_state=0,
                         early_stopping=True, callbacks=[InactiveNeuronFraction()])
    est.fit_dataset(data, validation_data=(test.data[:100], test.target[:100]))
    np.testing.assert_array_equal(est.classes_, np.arange(19))
    assert est.input_shape_ == (1568,)
    assert {"val_loss", "inactive_fraction"} <= set(est.history_)
    assert est.predict_proba(test.data).shape == (200, 19)
    assert est.score(test.data, test.target) > 0.1  # chance is about 0.1 for the mode


def test_fit_dataset_early_stopping_needs_validation_data(digits):
    X, y, _, _ = digits
    data = DigitPairDataset(X, y, [[0, 1], [2, 3]])
    with pytest.raises(ValueError, match="validation_data"):
        FCNNClassifier(early_stopping=True).fit_dataset(data)


# -- inactive neurons -----------------------------------------------------------------------

def test_inactive_fraction_matches_a_hand_count():
    """Units with a hugely negative bias never fire: a ReLU there has zero gradient."""
    model = build_fcnn((6,), 3, hidden_layer_sizes=[8, 4])
    model.compile(loss="sparse_categorical_crossentropy")
    bias = np.zeros(8)
    bias[[1, 4, 6]] = -1e3
    model.get_layer("dense_0").set_weights([np.ones((6, 8)), bias])
    model.get_layer("dense_1").set_weights([np.full((8, 4), 0.1), np.zeros(4)])
    X = np.random.default_rng(0).random((64, 6))
    y = np.arange(64) % 3
    fractions = inactive_neuron_fractions(model, X, y)
    assert fractions == {"dense_0": 3 / 8, "dense_1": 0.0}


def test_inactive_fraction_per_epoch_in_history(digits):
    X, y, _, _ = digits
    est = FCNNClassifier(hidden_layer_sizes=[32, 16], epochs=2, random_state=0,
                         callbacks=[InactiveNeuronFraction(n_samples=64)]).fit(X[:300], y[:300])
    values = est.history_["inactive_fraction"]
    assert len(values) == est.n_iter_ == 2
    assert all(0 <= v <= 1 for v in values)
    assert set(est.callbacks_[0].per_layer_[0]) == {"dense_0", "dense_1"}


def test_inactive_fraction_with_raw_keras_needs_data():
    model = build_fcnn((4,), 2, hidden_layer_sizes=[3])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    X, y = np.random.default_rng(0).random((8, 4)), np.arange(8) % 2
    with pytest.raises(ValueError, match="needs data"):
        model.fit(X, y, epochs=1, verbose=0, callbacks=[InactiveNeuronFraction()])
    history = model.fit(X, y, epochs=2, verbose=0, callbacks=[InactiveNeuronFraction(X, y)])
    assert len(history.history["inactive_fraction"]) == 2


# -- BatchNormStatistics -----------------------------------------------------------------

def _bn_network(seed=0):
    """Two convolutions, each followed by batch normalisation, on 6 x 6 images."""
    def init(offset):
        return keras.initializers.GlorotUniform(seed + offset)

    inputs = keras.Input((6, 6, 1))
    x = keras.layers.Conv2D(3, 3, kernel_initializer=init(0))(inputs)
    x = keras.layers.BatchNormalization(momentum=0.9)(x)
    x = keras.layers.Activation("relu")(x)
    x = keras.layers.Conv2D(2, 3, kernel_initializer=init(1))(x)
    x = keras.layers.BatchNormalization(momentum=0.9)(x)
    x = keras.layers.Dense(3, activation="softmax", kernel_initializer=init(2))(
        keras.layers.Flatten()(x))
    model = keras.Model(inputs, x)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def _bn_weights(model):
    return [(la.moving_mean.numpy(), la.moving_variance.numpy()) for la in model.layers
            if isinstance(la, keras.layers.BatchNormalization)]


@pytest.mark.slow
@pytest.mark.parametrize("n_images", [None, 37])
def test_batch_norm_statistics_are_the_exact_ones_of_the_training_images(
        n_images, naive_batch_norm_statistics):
    # 2,500 images: ten chunks of the streamed computation (256 each), merged pairwise
    rng = np.random.default_rng(0)
    X = rng.normal(2.0, 3.0, size=(2500, 6, 6, 1)).astype("float32")
    y = rng.integers(0, 3, size=2500)
    model = _bn_network()
    callback = BatchNormStatistics() if n_images is None else BatchNormStatistics(n_images)
    callback.set_training_data(X, y)
    model.fit(X, y, epochs=1, batch_size=500, verbose=0, callbacks=[callback])
    used = X if n_images is None else X[np.linspace(0, len(X) - 1, n_images).round().astype(int)]
    assert callback.n_images_ == len(used) and callback.X is None
    got = _bn_weights(model)
    # float32 network outputs summed in float64: relative error of a few float32 ulps
    for (mean, var), (ref_mean, ref_var) in zip(got, naive_batch_norm_statistics(model, used)):
        np.testing.assert_allclose(mean, ref_mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(var, ref_var, rtol=1e-5)


def test_batch_norm_statistics_leave_out_weight_zero_and_touch_no_trainable_weight(
        naive_batch_norm_statistics):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 6, 6, 1)).astype("float32")
    X[100:] += 50.0  # the left-out half would move every mean
    y = rng.integers(0, 3, size=200)
    weights = np.r_[np.ones(100), np.zeros(100)]
    model = _bn_network(seed=3)
    callback = BatchNormStatistics()
    callback.set_training_data(X, y, sample_weight=weights)
    model.fit(X, y, sample_weight=weights, epochs=1, batch_size=50, verbose=0)
    trained = [w.numpy() for w in model.trainable_weights]
    callback.set_model(model)
    callback.on_train_end()
    for before, after in zip(trained, model.trainable_weights):
        np.testing.assert_array_equal(before, after.numpy())
    for (mean, var), (ref_mean, ref_var) in zip(_bn_weights(model),
                                                naive_batch_norm_statistics(model, X[:100])):
        np.testing.assert_allclose(mean, ref_mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(var, ref_var, rtol=1e-5)


class _AddOneInTraining(keras.layers.Layer):
    """A stand-in augmentation that adds 1 to every pixel in training only."""

    def call(self, x, training=False):
        return x + 1.0 if training else x


def test_batch_norm_statistics_of_augmented_images_are_those_of_training(
        naive_batch_norm_statistics):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 6, 6, 1)).astype("float32")
    y = rng.integers(0, 3, size=300)
    network = _bn_network(seed=5)
    inputs = keras.Input((6, 6, 1))
    model = keras.Model(inputs, network(_AddOneInTraining(name="augment")(inputs)))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    callback = BatchNormStatistics(layer=network.name, augmentation="augment")
    callback.set_training_data(X, y)
    model.fit(X, y, epochs=1, batch_size=100, verbose=0, callbacks=[callback])
    for (mean, var), (ref_mean, ref_var) in zip(_bn_weights(network),
                                                naive_batch_norm_statistics(network, X + 1.0)):
        np.testing.assert_allclose(mean, ref_mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(var, ref_var, rtol=1e-5)


def test_batch_norm_statistics_reject_bad_arguments():
    with pytest.raises(ValueError, match="n_images must be an int >= 1"):
        BatchNormStatistics(n_images=0)
    with pytest.raises(ValueError, match="n_images must be an int >= 1"):
        BatchNormStatistics(n_images=True)
    with pytest.raises(TypeError, match="layer must be a layer name"):
        BatchNormStatistics(layer=3)
    with pytest.raises(TypeError, match="augmentation must be a layer name"):
        BatchNormStatistics(augmentation=["augmentation"])
    callback = BatchNormStatistics()
    callback.set_model(_bn_network())
    with pytest.raises(ValueError, match="needs the training data"):
        callback.on_train_end()
