"""Loading MNIST: the original IDX files, Keras' cached ``mnist.npz``, or the embedded subset."""

from __future__ import annotations

import gzip
import hashlib
import os
import warnings
from pathlib import Path

import numpy as np

__all__ = ["DataFileError", "load_mnist", "find_mnist", "MNIST_MD5", "KERAS_MNIST_SHA256"]

ENV_VAR = "SUMDIGITS_DATA"

#: The published MD5 checksums of the four original IDX files (as torchvision verifies them).
MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
#: The SHA-256 Keras' ``mnist.load_data`` verifies its download against.
KERAS_MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"

EMBEDDED_FILE = Path(__file__).parent / "data" / "mnist_embedded.npz"
#: SHA-256 of the embedded subset; ``python -m sumdigits.datasets.make_embedded`` prints it.
EMBEDDED_SHA256 = "6779a21cbb93adea9400aaa84496cf52bd83ee71221c2c0d6fb8f62efc55ffc4"

_IDX_SPLITS = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_HOW_TO_GET_FULL = (
    "Full MNIST is read from a folder holding the four original IDX .gz files "
    f"(pass it as source=, or set the {ENV_VAR} environment variable) or from "
    "Keras' cache ~/.keras/datasets/mnist.npz."
)
_warned_embedded = False


class DataFileError(OSError, ValueError):
    """A data file is missing, truncated, corrupt or fails its checksum.

    It is both an :class:`OSError` and a :class:`ValueError`, so either may catch it.
    """


def _digest(path, algorithm):
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _verify(path, expected, algorithm):
    got = _digest(path, algorithm)
    if got != expected:
        raise DataFileError(
            f"{path} fails its {algorithm.upper()} checksum (expected {expected}, got {got}): "
            "the file is truncated or corrupt. Replace it with the original."
        )


def _read_idx(path, magic, ndim):
    """Read one gzip IDX file (ubyte), checking its header against its size."""
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise DataFileError(f"{path} is not a readable gzip IDX file: {exc}") from exc
    header = 4 + 4 * ndim
    if len(raw) < header or int.from_bytes(raw[:4], "big") != magic:
        raise DataFileError(f"{path} is not an IDX file of the expected kind (magic {magic}).")
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    if len(raw) - header != int(np.prod(dims)):
        raise DataFileError(
            f"{path} holds {len(raw) - header} bytes of data; its header announces "
            f"{int(np.prod(dims))} for shape {tuple(dims)}: the file is truncated."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _load_idx_folder(folder, verify):
    folder = Path(folder)
    out = []
    for images_name, labels_name in _IDX_SPLITS.values():
        arrays = []
        for name, magic, ndim in ((images_name, 2051, 3), (labels_name, 2049, 1)):
            path = folder / name
            if not path.is_file():
                raise DataFileError(
                    f"MNIST file {name} is missing from {folder}: the folder must hold the "
                    f"four original IDX files {sorted(MNIST_MD5)}."
                )
            if verify:
                _verify(path, MNIST_MD5[name], "md5")
            arrays.append(_read_idx(path, magic, ndim))
        if arrays[0].shape[0] != arrays[1].shape[0]:
            raise DataFileError(
                f"{folder / images_name} has {arrays[0].shape[0]} images but "
                f"{folder / labels_name} has {arrays[1].shape[0]} labels."
            )
        out.append(tuple(arrays))
    return tuple(out)


def _load_npz(path, expected_sha256, verify):
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"MNIST file {path} does not exist.")
    if verify and expected_sha256 is not None:
        _verify(path, expected_sha256, "sha256")
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    except (OSError, ValueError, KeyError, EOFError) as exc:
        raise DataFileError(
            f"{path} is not a readable MNIST .npz with x_train, y_train, x_test, y_test: {exc}"
        ) from exc
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.dtype != np.uint8 or y.ndim != 1 or len(x) != len(y):
            raise DataFileError(
                f"{path}: x_{split} must be uint8 (n, h, w) with n labels in y_{split}, got "
                f"x_{split} {x.dtype} {x.shape} and y_{split} {y.shape}."
            )
    return (
        (arrays["x_train"], arrays["y_train"].astype(np.uint8)),
        (arrays["x_test"], arrays["y_test"].astype(np.uint8)),
    )


def _keras_cache():
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return home / "datasets" / "mnist.npz"


def _is_idx_folder(path):
    return path.is_dir() and any((path / name).exists() for name in MNIST_MD5)


def find_mnist():
    """Where :func:`load_mnist` with ``source=None`` finds full MNIST, or None.

    Looks, in order, at the folder named by the ``SUMDIGITS_DATA`` environment
    variable and at Keras' cache (``$KERAS_HOME`` or ``~/.keras``, then
    ``datasets/mnist.npz``).

    Returns
    -------
    path : pathlib.Path or None
    """
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env).expanduser()
        if not path.exists():
            raise DataFileError(f"{ENV_VAR}={env} names a path that does not exist.")
        return path
    cache = _keras_cache()
    return cache if cache.is_file() else None


def load_mnist(source=None, *, verify=True):
    """Load MNIST as ``(X_train, y_train), (X_test, y_test)``.

    Parameters
    ----------
    source : str, path or None, default=None
        Where to read MNIST from:

        - a folder holding the four original IDX gzip files
          (``train-images-idx3-ubyte.gz`` and the others);
        - a path to Keras' ``mnist.npz`` (or a folder holding one);
        - ``"keras"``: Keras' cache, ``~/.keras/datasets/mnist.npz``;
        - ``"embedded"``: the subset shipped with sumdigits, 10,000 training
          and 2,000 test digits of real MNIST, stratified by label, each part
          drawn from its own split;
        - ``None``: the folder named by the ``SUMDIGITS_DATA`` environment
          variable, else Keras' cache, else the embedded subset with a
          warning (once per session) saying how to get full MNIST.
    verify : bool, default=True
        Check the files against the published checksums (MD5 for the IDX
        files, SHA-256 for Keras' file and the embedded subset).

    Returns
    -------
    (X_train, y_train), (X_test, y_test) : tuple of tuples of ndarray
        The uint8 images of shape (n, 28, 28) and uint8 labels in 0..9. The
        training and test images come from MNIST's separate splits.

    Raises
    ------
    DataFileError
        A file is missing, truncated, corrupt or fails its checksum; never a
        silent fall-back to other data.

    Examples
    --------
    >>> from sumdigits.datasets import load_mnist
    >>> (X_train, y_train), (X_test, y_test) = load_mnist("embedded")
    >>> X_train.shape, X_test.shape
    ((10000, 28, 28), (2000, 28, 28))
    """
    global _warned_embedded
    if source is None:
        found = find_mnist()
        if found is None:
            if not _warned_embedded:
                warnings.warn(
                    "Full MNIST was not found; using the embedded subset of 10,000 training "
                    f"and 2,000 test digits. {_HOW_TO_GET_FULL}",
                    UserWarning,
                    stacklevel=2,
                )
                _warned_embedded = True
            return _load_npz(EMBEDDED_FILE, EMBEDDED_SHA256, verify)
        source = found
    if isinstance(source, str) and source == "embedded":
        return _load_npz(EMBEDDED_FILE, EMBEDDED_SHA256, verify)
    if isinstance(source, str) and source == "keras":
        return _load_npz(_keras_cache(), KERAS_MNIST_SHA256, verify)
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(
            "source must be None, 'embedded', 'keras', or a path to an MNIST folder or "
            f"mnist.npz, got {type(source).__name__}."
        )
    path = Path(source).expanduser()
    if _is_idx_folder(path):
        return _load_idx_folder(path, verify)
    if path.is_dir() and (path / "mnist.npz").is_file():
        path = path / "mnist.npz"
    if path.suffix == ".npz" or path.is_file():
        return _load_npz(path, KERAS_MNIST_SHA256 if path.name == "mnist.npz" else None, verify)
    if path.is_dir():
        raise DataFileError(
            f"{path} holds neither the four MNIST IDX files {sorted(MNIST_MD5)} nor mnist.npz."
        )
    raise DataFileError(f"MNIST source {path} does not exist. {_HOW_TO_GET_FULL}")
