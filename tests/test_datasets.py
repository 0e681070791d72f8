"""load_mnist: the embedded subset, the original IDX files, Keras' cache, and corrupt files."""

import gzip
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from sumdigits.datasets import DataFileError, load_mnist
from sumdigits.datasets import _mnist

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
needs_full_mnist = pytest.mark.skipif(
    not SHARED_MNIST.is_dir(), reason=f"full MNIST not found at {SHARED_MNIST}"
)


def test_embedded_subset_is_stratified_real_mnist():
    (X_train, y_train), (X_test, y_test) = load_mnist("embedded")
    assert X_train.shape == (10_000, 28, 28) and X_test.shape == (2_000, 28, 28)
    assert X_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [1000] * 10
    assert np.bincount(y_test).tolist() == [200] * 10
    assert X_train.max() == 255 and X_train.min() == 0


def test_default_source_falls_back_to_embedded_with_one_warning(monkeypatch, tmp_path):
    monkeypatch.delenv("SUMDIGITS_DATA", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # an empty Keras cache
    monkeypatch.setattr(_mnist, "_warned_embedded", False)
    with pytest.warns(UserWarning, match="SUMDIGITS_DATA"):
        (X_train, _), _ = load_mnist()
    assert X_train.shape[0] == 10_000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_mnist()  # warns once per session only


def test_environment_variable_naming_a_missing_path_is_an_error(monkeypatch):
    monkeypatch.setenv("SUMDIGITS_DATA", "/nonexistent/mnist")
    with pytest.raises(DataFileError, match="SUMDIGITS_DATA"):
        load_mnist()


def test_bad_source_type():
    with pytest.raises(TypeError, match="source"):
        load_mnist(42)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DataFileError, match="does not exist"):
        load_mnist(tmp_path / "nowhere")
    with pytest.raises(DataFileError, match="neither"):
        load_mnist(tmp_path)


def _write_idx(path, array, magic):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def tiny_idx_folder(tmp_path):
    """A folder of four IDX files in the original format (not the real MNIST)."""
    rng = np.random.default_rng(0)
    for split, n in (("train", 12), ("t10k", 5)):
        _write_idx(tmp_path / f"{split}-images-idx3-ubyte.gz",
                   rng.integers(0, 256, (n, 28, 28)), 2051)
        _write_idx(tmp_path / f"{split}-labels-idx1-ubyte.gz", rng.integers(0, 10, n), 2049)
    return tmp_path


def test_idx_reader_without_checksums(tiny_idx_folder):
    (X_train, y_train), (X_test, y_test) = load_mnist(tiny_idx_folder, verify=False)
    assert X_train.shape == (12, 28, 28) and y_test.shape == (5,)


def test_idx_files_that_are_not_the_originals_fail_their_checksum(tiny_idx_folder):
    with pytest.raises(DataFileError, match="train-images-idx3-ubyte.gz fails its MD5 checksum"):
        load_mnist(tiny_idx_folder)


def test_truncated_idx_file_is_rejected_even_unverified(tiny_idx_folder):
    path = tiny_idx_folder / "train-labels-idx1-ubyte.gz"
    raw = gzip.decompress(path.read_bytes())
    with gzip.open(path, "wb") as f:
        f.write(raw[:-3])
    with pytest.raises(DataFileError, match="train-labels-idx1-ubyte.gz.*truncated"):
        load_mnist(tiny_idx_folder, verify=False)


def test_missing_idx_file_is_named(tiny_idx_folder):
    (tiny_idx_folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataFileError, match="t10k-labels-idx1-ubyte.gz is missing"):
        load_mnist(tiny_idx_folder, verify=False)


def test_keras_cache_npz(monkeypatch, tmp_path):
    datasets = tmp_path / "datasets"
    datasets.mkdir()
    (X, y), (Xt, yt) = load_mnist("embedded")
    np.savez(datasets / "mnist.npz", x_train=X, y_train=y, x_test=Xt, y_test=yt)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("SUMDIGITS_DATA", raising=False)
    # Found by source=None, but it is not Keras' published file: its checksum fails.
    with pytest.raises(DataFileError, match="SHA256 checksum"):
        load_mnist()
    (X2, _), _ = load_mnist("keras", verify=False)
    np.testing.assert_array_equal(X2, X)


def test_corrupt_embedded_file_is_not_used(monkeypatch, tmp_path):
    bad = tmp_path / "mnist_embedded.npz"
    shutil.copy(_mnist.EMBEDDED_FILE, bad)
    with open(bad, "r+b") as f:
        f.seek(1000)
        f.write(b"\x00" * 16)
    monkeypatch.setattr(_mnist, "EMBEDDED_FILE", bad)
    with pytest.raises(DataFileError, match="checksum"):
        load_mnist("embedded")


@needs_full_mnist
def test_full_mnist_from_the_original_idx_files():
    (X_train, y_train), (X_test, y_test) = load_mnist(SHARED_MNIST)
    assert X_train.shape == (60_000, 28, 28) and X_test.shape == (10_000, 28, 28)
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842,
                                             5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@needs_full_mnist
def test_embedded_subset_is_drawn_from_the_full_splits():
    (X_train, _), (X_test, _) = load_mnist(SHARED_MNIST)
    with np.load(_mnist.EMBEDDED_FILE) as f:
        np.testing.assert_array_equal(f["x_train"], X_train[f["train_index"]])
        np.testing.assert_array_equal(f["x_test"], X_test[f["test_index"]])


@needs_full_mnist
def test_truncated_copy_of_the_real_files_is_rejected(tmp_path):
    for name in _mnist.MNIST_MD5:
        shutil.copy(SHARED_MNIST / name, tmp_path / name)
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:100_000])
    with pytest.raises(DataFileError, match="t10k-images-idx3-ubyte.gz"):
        load_mnist(tmp_path)
    with pytest.raises(DataFileError, match="t10k-images-idx3-ubyte.gz"):
        load_mnist(tmp_path, verify=False)
