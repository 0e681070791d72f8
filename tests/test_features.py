"""HOGTransformer and GaussianNoiseAugmenter, the feature steps of report 004."""

import numpy as np
import pytest
from skimage.feature import hog
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from sumdigits import make_digit_pairs
from sumdigits.features import GaussianNoiseAugmenter, HOGTransformer


@pytest.fixture(scope="module")
def few_digits(mnist_embedded):
    (X, y), (X_test, y_test) = mnist_embedded
    return (X[:600], y[:600]), (X_test[:200], y_test[:200])


def test_hog_of_a_28x28_digit_has_324_features_as_in_report_004(few_digits):
    (X, _), _ = few_digits
    features = HOGTransformer().fit_transform(X[:5])
    assert features.shape == (5, 324)
    # the same as scikit-image called directly with the report's settings
    for image, row in zip(X[:5], features):
        expected = hog(image.astype(float), orientations=9, pixels_per_cell=(7, 7),
                       cells_per_block=(2, 2), block_norm="L2-Hys")
        np.testing.assert_allclose(row, expected)


def test_flattened_and_3d_digits_agree(few_digits):
    (X, _), _ = few_digits
    hog3d = HOGTransformer().fit(X[:4])
    np.testing.assert_allclose(hog3d.transform(X[:4]),
                               HOGTransformer().fit_transform(X[:4].reshape(4, -1)))
    assert hog3d.digit_shape_ == (28, 28) and hog3d.n_features_out_ == 324
    assert hog3d.get_feature_names_out()[:2].tolist() == ["hogtransformer0", "hogtransformer1"]


@pytest.mark.parametrize("layout", ["horizontal", "vertical"])
def test_pairs_are_described_digit_by_digit(few_digits, layout):
    (X, y), _ = few_digits
    pairs = make_digit_pairs(X, y, 100, layout=layout, random_state=0)
    features = HOGTransformer(layout=layout).fit_transform(pairs.data)
    assert features.shape == (100, 648)
    single = HOGTransformer().fit(X)
    first, second = pairs.indices[:, 0], pairs.indices[:, 1]
    np.testing.assert_allclose(features[:, :324], single.transform(X[first]))
    np.testing.assert_allclose(features[:, 324:], single.transform(X[second]))


def test_hog_features_classify_digits_with_knn(few_digits):
    (X, y), (X_test, y_test) = few_digits
    model = make_pipeline(HOGTransformer(), KNeighborsClassifier(n_neighbors=3)).fit(X, y)
    assert model.score(X_test, y_test) > 0.8


def test_other_geometry_and_image_sizes():
    images = np.random.RandomState(0).rand(3, 8, 8)
    hog8 = HOGTransformer(pixels_per_cell=4, cells_per_block=1, orientations=6)
    assert hog8.fit_transform(images).shape == (3, 2 * 2 * 6)
    flat = HOGTransformer(pixels_per_cell=4, cells_per_block=1, digit_shape=(8, 8))
    assert flat.fit_transform(images.reshape(3, 64)).shape == (3, 36)


def test_hog_rejects_bad_input(few_digits):
    (X, _), _ = few_digits
    with pytest.raises(ValueError, match="fewer than one block"):
        HOGTransformer(pixels_per_cell=(16, 16)).fit(X[:2])
    with pytest.raises(ValueError, match="pixels_per_cell"):
        HOGTransformer(pixels_per_cell=(7, 0)).fit(X[:2])
    with pytest.raises(ValueError, match="features per sample"):
        HOGTransformer().fit(np.zeros((2, 99)))
    fitted = HOGTransformer().fit(X[:2])
    with pytest.raises(ValueError):
        fitted.transform(np.zeros((2, 14, 14)))
    # any finite pixel values are images: standardised ones too
    assert HOGTransformer().fit(-np.ones((2, 784))).n_features_in_ == 784


def test_noise_augmenter_adds_noisy_copies():
    rng = np.random.RandomState(0)
    X, y = rng.rand(50, 784), rng.randint(0, 10, size=50)
    augmenter = GaussianNoiseAugmenter(sigma=0.1, n_copies=3, random_state=0)
    X_res, y_res = augmenter.fit_resample(X, y)
    assert X_res.shape == (200, 784)
    np.testing.assert_array_equal(X_res[:50], X)  # the originals come first, untouched
    np.testing.assert_array_equal(y_res, y[augmenter.sample_indices_])
    assert augmenter.sample_indices_.tolist() == list(range(50)) * 4
    noise = X_res[50:] - X[augmenter.sample_indices_[50:]]
    assert abs(noise.mean()) < 0.005 and noise.std() == pytest.approx(0.1, rel=0.02)


def test_noise_augmenter_options():
    X, y = np.full((10, 4, 4), 0.5, dtype=np.float32), np.zeros((10, 2), dtype=int)
    X_res, y_res = GaussianNoiseAugmenter(sigma=1.0, keep_original=False, clip=(0, 1),
                                          random_state=0).fit_resample(X, y)
    assert X_res.shape == (10, 4, 4) and X_res.dtype == np.float32
    assert y_res.shape == (10, 2)  # pair labels pass through
    assert X_res.min() >= 0 and X_res.max() <= 1 and not np.all(X_res == 0.5)
    again, _ = GaussianNoiseAugmenter(sigma=1.0, keep_original=False, clip=(0, 1),
                                      random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, again)
    with pytest.raises(ValueError, match="clip"):
        GaussianNoiseAugmenter(clip=(1, 0)).fit_resample(X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        GaussianNoiseAugmenter().fit_resample(X, y[:5])


def test_noise_augmenter_only_augments_training_data_in_an_imblearn_pipeline(few_digits):
    pipeline = pytest.importorskip("imblearn.pipeline")
    (X, y), (X_test, y_test) = few_digits
    X, X_test = X.reshape(len(X), -1) / 255, X_test.reshape(len(X_test), -1) / 255
    model = pipeline.make_pipeline(GaussianNoiseAugmenter(random_state=0),
                                   KNeighborsClassifier(n_neighbors=3)).fit(X, y)
    assert model[-1].n_samples_fit_ == 2 * len(X)
    assert model.predict(X_test).shape == y_test.shape
