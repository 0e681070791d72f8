"""Shared test data: small digit and pair sets, built once per session.

Fixtures return read-only arrays so no test can change what another sees. Train and
test pairs come from separate splits (of MNIST, or of scikit-learn's 8 x 8 digits).
"""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from sumdigits import load_mnist, make_digit_pairs


def _read_only(*arrays):
    for a in arrays:
        a.setflags(write=False)
    return arrays


@pytest.fixture(scope="session")
def mnist_embedded():
    """The embedded MNIST subset: ((X_train, y_train), (X_test, y_test)), 28 x 28 uint8."""
    (X, y), (X_test, y_test) = load_mnist("embedded")
    _read_only(X, y, X_test, y_test)
    return (X, y), (X_test, y_test)


@pytest.fixture(scope="session")
def mnist_pairs(mnist_embedded):
    """(train, test) Bunches of flattened MNIST pairs: 500 stratified train, 300 test pairs."""
    (X, y), (X_test, y_test) = mnist_embedded
    train = make_digit_pairs(X.reshape(len(X), -1), y, 500, random_state=0)
    test = make_digit_pairs(X_test.reshape(len(X_test), -1), y_test, 300, random_state=1)
    for bunch in (train, test):
        _read_only(bunch.data, bunch.target, bunch.digits)
    return train, test


@pytest.fixture(scope="session")
def small_digits():
    """scikit-learn's 8 x 8 digits split in two: ((X_train, y_train), (X_test, y_test)).

    1,797 images of 0..16 grey levels, 64 features: fast to fit, for tests that train
    many models.
    """
    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float64)
    rng = np.random.RandomState(0)
    order = rng.permutation(len(y))
    train, test = order[:1200], order[1200:]
    arrays = _read_only(X[train], y[train], X[test], y[test])
    return (arrays[0], arrays[1]), (arrays[2], arrays[3])


@pytest.fixture(scope="session")
def small_pairs(small_digits):
    """(train, test) Bunches of flattened 8 x 8 digit pairs (128 features): 1,000 and 400."""
    (X, y), (X_test, y_test) = small_digits
    train = make_digit_pairs(X, y, 1000, digit_shape=(8, 8), random_state=0)
    test = make_digit_pairs(X_test, y_test, 400, digit_shape=(8, 8), random_state=1)
    for bunch in (train, test):
        _read_only(bunch.data, bunch.target, bunch.digits)
    return train, test


@pytest.fixture
def single_blas_thread():
    """Run a test with one BLAS/OpenMP thread.

    On a small shared machine, two spinning BLAS threads per process can make a
    small fit tens of times slower; use with ``pytest.mark.usefixtures``.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


def _naive_batch_norm_statistics(model, images):
    """The reference of exact batch-normalisation statistics: on a copy of ``model``, for
    each batch normalisation layer in order, the float64 mean and variance of its inputs
    over all ``images`` in one pass, each layer set before the next layer's inputs are
    computed. Returns ``[(mean, var), ...]``; ``model`` is left as it is."""
    import keras

    reference = keras.models.clone_model(model)
    reference.set_weights(model.get_weights())
    out = []
    for layer in [la for la in reference.layers
                  if isinstance(la, keras.layers.BatchNormalization)]:
        h = np.asarray(keras.Model(reference.input, layer.input).predict(images, verbose=0),
                       dtype=np.float64).reshape(-1, layer.input.shape[-1])
        mean, var = h.mean(axis=0), h.var(axis=0)
        layer.moving_mean.assign(mean.astype("float32"))
        layer.moving_variance.assign(var.astype("float32"))
        out.append((mean, var))
    return out


@pytest.fixture
def naive_batch_norm_statistics():
    """:func:`_naive_batch_norm_statistics`, shared by the tests of ``BatchNormStatistics``
    and of the estimators that use it."""
    return _naive_batch_norm_statistics
