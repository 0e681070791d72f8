"""Pairs built on the fly: train on millions of pairs in memory proportional to a batch.

:class:`DigitPairDataset` is a ``keras.utils.PyDataset`` that holds the digit
images once, an array of index pairs and their shuffled order (24 bytes a pair),
and gathers each batch's pair images only when Keras asks for it. Give it to
:meth:`BaseKerasClassifier.fit_dataset <sumdigits.keras._base.BaseKerasClassifier.fit_dataset>`
of any sumdigits Keras estimator, or to a raw ``keras.Model.fit``.
"""

from __future__ import annotations

import numbers

import keras
import numpy as np
from sklearn.utils import check_random_state

from .._geometry import Geometry
from .._validation import (
    DEPRECATED,
    N_SUM_CLASSES,
    check_digit_labels,
    check_images,
    check_layout,
    renamed_parameter,
)
from ..pairs import _gather_pairs

__all__ = ["DigitPairDataset"]


class DigitPairDataset(keras.utils.PyDataset):
    """Batches of digit pairs gathered on the fly from digit images and index pairs.

    Parameters
    ----------
    X : array-like of shape (n_images, height, width) or (n_images, height * width)
        Digit images; pixels are kept as they are (``uint8`` stays ``uint8``).
    y : array-like of shape (n_images,)
        Digit labels 0..9.
    indices : array-like of int of shape (n_pairs, 2)
        Row ``i`` holds the indices into ``X`` of the first and second digit of
        pair ``i`` (:func:`sumdigits.pairs.pair_indices` draws them).
    target : {"sum", "digits"}, default="sum"
        Each pair's label: the sum (n,), or the two digits (n, 2).
    batch_size : int, default=128
    layout : {"horizontal", "vertical"}, default="horizontal"
        How the two digits sit in a pair image, as in :func:`sumdigits.make_digit_pairs`.
    flatten : bool, default=None
        Give flattened pairs (n, 2 * height * width); default: as ``X`` was given.
    digit_shape : tuple of int, default=None
        (height, width) of flattened digit images that are not square (784
        pixels are 28 x 28).
    shuffle : bool, default=True
        Draw the pairs in a new random order at every epoch.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffling.
    image_shape : tuple of int
        Deprecated name of ``digit_shape`` (FutureWarning); removed in 0.3.
    **kwargs
        ``workers``, ``use_multiprocessing``, ``max_queue_size`` of ``PyDataset``.

    Attributes
    ----------
    classes : ndarray
        The possible targets: 0..18 for sums, 0..9 for digits.
    geometry : Geometry
        Where the two digits sit in a pair image.

    Examples
    --------
    >>> from sumdigits import load_mnist
    >>> from sumdigits.pairs import pair_indices
    >>> from sumdigits.keras.streaming import DigitPairDataset
    >>> (X, y), _ = load_mnist("embedded")
    >>> data = DigitPairDataset(X, y, pair_indices(y, 1_000_000, strategy="random",
    ...                                           random_state=0), batch_size=256)
    >>> len(data), data[0][0].shape, data[0][1].shape
    (3907, (256, 28, 56), (256,))
    """

    def __init__(self, X, y, indices, *, target="sum", batch_size=128, layout="horizontal",
                 flatten=None, digit_shape=None, shuffle=True, random_state=None,
                 image_shape=DEPRECATED, **kwargs):
        super().__init__(**kwargs)
        digit_shape = renamed_parameter(digit_shape, image_shape, new="digit_shape",
                                        old="image_shape", owner="DigitPairDataset")
        self.images, flat = check_images(X, digit_shape=digit_shape, name="X")
        self.y = check_digit_labels(y, name="y", n_samples=self.images.shape[0])
        indices = np.asarray(indices)
        if indices.ndim != 2 or indices.shape[1] != 2 or not np.issubdtype(indices.dtype,
                                                                             np.integer):
            raise ValueError(
                f"indices must be an int array of shape (n_pairs, 2), got {indices.dtype} "
                f"array of shape {indices.shape}."
            )
        if indices.size and (indices.min() < 0 or indices.max() >= self.images.shape[0]):
            raise ValueError(
                f"indices must lie in 0..{self.images.shape[0] - 1} (rows of X), found "
                f"{indices.min()}..{indices.max()}."
            )
        if target not in ("sum", "digits"):
            raise ValueError(f"target must be 'sum' or 'digits', got {target!r}.")
        if not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}.")
        self.indices = indices
        self.target = target
        self.batch_size = int(batch_size)
        self.layout = check_layout(layout)
        self.geometry = Geometry(tuple(self.images.shape[1:]), self.layout)
        self.flatten = flat if flatten is None else bool(flatten)
        self.shuffle = shuffle
        self._rng = check_random_state(random_state)
        self._order = np.arange(len(indices))
        if shuffle:
            self._rng.shuffle(self._order)
        self.classes = np.arange(N_SUM_CLASSES if target == "sum" else 10)

    @property
    def num_batches(self):
        return -(-len(self.indices) // self.batch_size)

    def __len__(self):
        return self.num_batches

    def __getitem__(self, index):
        if not 0 <= index < self.num_batches:
            raise IndexError(f"batch {index} out of range 0..{self.num_batches - 1}.")
        rows = self.indices[self._order[index * self.batch_size:(index + 1) * self.batch_size]]
        pairs = _gather_pairs(self.images, rows, self.geometry)
        if self.flatten:
            pairs = pairs.reshape(len(rows), -1)
        digits = self.y[rows]
        return pairs, (digits.sum(axis=1) if self.target == "sum" else digits)

    def on_epoch_end(self):
        if self.shuffle:
            self._rng.shuffle(self._order)


class EncodedDataset(keras.utils.PyDataset):
    """A PyDataset whose batches pass through an estimator's fitted encoders."""

    def __init__(self, dataset, feature_encoder, target_encoder):
        super().__init__(workers=dataset.workers, use_multiprocessing=dataset.use_multiprocessing,
                         max_queue_size=dataset.max_queue_size)
        self.dataset = dataset
        self.feature_encoder = feature_encoder
        self.target_encoder = target_encoder

    @property
    def num_batches(self):
        return len(self.dataset)

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, index):
        X, y = self.dataset[index][:2]
        return self.feature_encoder.transform(X), self.target_encoder.transform(np.asarray(y))

    def on_epoch_end(self):
        self.dataset.on_epoch_end()
