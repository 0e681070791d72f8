"""Pairs built on the fly: train on millions of pairs in memory proportional to a batch.

:class:`DigitPairDataset` is a ``keras.utils.PyDataset`` that holds the digit
images once, an array of index pairs and their shuffled order (24 bytes a pair),
and gathers each batch's pair images only when Keras asks for it; it can draw new
pairs of the same digits at every epoch (``resample=True``). Give it to
:meth:`BaseKerasClassifier.fit_dataset <sumdigits.keras._base.BaseKerasClassifier.fit_dataset>`
of any sumdigits Keras estimator, or to a raw ``keras.Model.fit``.
"""

from __future__ import annotations

import numbers

import keras
import numpy as np

from .._geometry import Geometry
from .._validation import (
    N_SUM_CLASSES,
    check_digit_labels,
    check_images,
    check_layout,
    check_random_state,
)
from ..pairs import _gather_pairs

__all__ = ["DigitPairDataset", "shift_images"]


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
    resample : bool, default=False
        Draw new pairs at every epoch. Each call of ``on_epoch_end`` (Keras calls
        it at the end of every epoch, and Keras 3 once more as a fit starts)
        replaces the pairs by as many new ordered pairs, each digit drawn
        uniformly at random, with replacement, from all the rows of ``X`` (as
        :func:`sumdigits.pairs.pair_indices` draws with ``strategy="random"``):
        ``indices`` sets their number and the pairs until the first call. The
        labels follow the digits drawn, and the number of batches stays the
        same. Use it when the digits are few or the network overfits: trained on
        the same pairs at every epoch, a network can learn them by heart;
        trained on fresh pairs, it sees new combinations of the same digits at
        every epoch. Every row of ``X`` can be drawn: leave digits meant for
        validation or testing out of ``X``.
    max_shift : int, default=0
        Augmentation by translation: each digit image of each pair is moved by
        its own random whole-pixel offsets in ``-max_shift..max_shift``, one
        vertical and one horizontal (:func:`shift_images`: zero filled, pixels
        moved out are dropped, nothing wraps around), drawn anew at every epoch.
        Smaller than the digit's height and width; 0 gives the digits as they are.
    random_state : int, RandomState instance, Generator or None, default=None
        Seed of the shuffling, of the shifts and of the pairs drawn with
        ``resample=True``. The shifts of a batch depend on the seed, the epoch and
        the batch's index only, so ``data[i]`` gives the same batch however often
        and in whatever order the batches are asked for; the pairs drawn depend
        on the seed and the epoch only, not on ``shuffle`` or ``max_shift``.
    **kwargs
        ``workers``, ``use_multiprocessing``, ``max_queue_size`` of ``PyDataset``.

    Attributes
    ----------
    indices : ndarray of shape (n_pairs, 2)
        The pairs of the current epoch: those given, and with ``resample=True``
        new ones after each epoch.
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

    Each digit moved by up to 2 pixels in each direction, the same batch on every call:

    >>> shifted = DigitPairDataset(X, y, [[0, 1], [2, 3]], max_shift=2, random_state=0)
    >>> bool((shifted[0][0] == shifted[0][0]).all()), shifted[0][0].shape
    (True, (2, 28, 56))

    New pairs of the same digits at every epoch, as many as given:

    >>> fresh = DigitPairDataset(X, y, pair_indices(y, 1000, strategy="random",
    ...                                            random_state=0), resample=True,
    ...                          random_state=0)
    >>> first = fresh.indices.copy()
    >>> fresh.on_epoch_end()
    >>> fresh.indices.shape, bool((fresh.indices != first).any(axis=1).all())
    ((1000, 2), True)
    """

    def __init__(self, X, y, indices, *, target="sum", batch_size=128, layout="horizontal",
                 flatten=None, digit_shape=None, shuffle=True, resample=False, max_shift=0,
                 random_state=None, **kwargs):
        super().__init__(**kwargs)
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
        if not isinstance(resample, (bool, np.bool_)):
            raise TypeError(
                f"resample must be a bool (True: new pairs at every epoch, False: the pairs "
                f"of indices at every epoch), got {resample!r} of type "
                f"{type(resample).__name__}."
            )
        self.indices = indices
        self.target = target
        self.batch_size = int(batch_size)
        self.layout = check_layout(layout)
        self.geometry = Geometry(tuple(self.images.shape[1:]), self.layout)
        self.flatten = flat if flatten is None else bool(flatten)
        self.max_shift = check_max_shift(max_shift, self.geometry.digit_shape)
        self.shuffle = shuffle
        self.resample = bool(resample)
        self._rng = check_random_state(random_state)
        self._epoch = 0
        if self.resample:  # a seed of its own: the pairs do not depend on shuffle, max_shift
            self._pairs_seed = int(self._rng.randint(2**31 - 1))
        self._order = np.arange(len(indices))
        self._new_epoch()
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
        if self.max_shift:  # the batch's digits, shifted, then assembled as pairs
            offsets = np.random.default_rng((self._shift_seed, index)).integers(
                -self.max_shift, self.max_shift, size=(rows.size, 2), endpoint=True)
            moved = shift_images(self.images[rows.ravel()], offsets)
            pairs = _gather_pairs(moved, np.arange(rows.size).reshape(rows.shape),
                                  self.geometry)
        else:
            pairs = _gather_pairs(self.images, rows, self.geometry)
        if self.flatten:
            pairs = pairs.reshape(len(rows), -1)
        digits = self.y[rows]
        return pairs, (digits.sum(axis=1) if self.target == "sum" else digits)

    def on_epoch_end(self):
        self._epoch += 1
        if self.resample:
            self.indices = np.random.default_rng((self._pairs_seed, self._epoch)).integers(
                0, self.images.shape[0], size=self.indices.shape)
        self._new_epoch()

    def _new_epoch(self):
        """A new order of the pairs (``shuffle``) and new shifts (``max_shift``)."""
        if self.shuffle:
            self._rng.shuffle(self._order)
        if self.max_shift:
            self._shift_seed = int(self._rng.randint(2**31 - 1))


def check_max_shift(max_shift, digit_shape):
    """Return ``max_shift`` as an int in ``0..min(digit_shape) - 1``, or raise ValueError."""
    if (not isinstance(max_shift, numbers.Integral) or isinstance(max_shift, bool)
            or not 0 <= max_shift < min(digit_shape)):
        raise ValueError(
            f"max_shift must be an int in 0..{min(digit_shape) - 1} (pixels, less than the "
            f"digit's height and width, digit_shape={tuple(digit_shape)}), got {max_shift!r}."
        )
    return int(max_shift)


def shift_images(images, offsets):
    """Images moved by whole pixels, zero filled: nothing wraps around.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width)
    offsets : array-like of int of shape (n_images, 2)
        Row ``i`` moves image ``i`` by ``offsets[i, 0]`` pixels down and
        ``offsets[i, 1]`` pixels right (negative: up, left). Pixels moved out of
        the image are dropped; those moved in are 0.

    Returns
    -------
    shifted : ndarray of shape (n_images, height, width)
        A new array of ``images``' dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits.keras.streaming import shift_images
    >>> image = np.arange(1, 10).reshape(1, 3, 3)
    >>> shift_images(image, [[1, -1]])[0]
    array([[0, 0, 0],
           [2, 3, 0],
           [5, 6, 0]])
    """
    images = np.asarray(images)
    offsets = np.asarray(offsets)
    if images.ndim != 3 or offsets.shape != (images.shape[0], 2):
        raise ValueError(
            f"images must have shape (n, height, width) and offsets shape (n, 2), got "
            f"images of shape {images.shape} and offsets of shape {offsets.shape}."
        )
    if not np.issubdtype(offsets.dtype, np.integer):
        raise ValueError(f"offsets must be ints (whole pixels), got {offsets.dtype}.")
    n, h, w = images.shape
    s = int(np.abs(offsets).max(initial=0))
    if s >= min(h, w):
        raise ValueError(f"offsets must be smaller than the images ({h} x {w}), found {s}.")
    padded = np.zeros((n, h + 2 * s, w + 2 * s), dtype=images.dtype)
    padded[:, s:s + h, s:s + w] = images
    # window (a, b) of the padded image holds the image moved by (s - a, s - b)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(1, 2))
    return windows[np.arange(n), s - offsets[:, 0], s - offsets[:, 1]]


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
