"""Pairs of digit images labelled with their sum.

:func:`make_digit_pairs` draws pairs of digit images and returns the pair images
with their sums; :class:`PairSumTransformer` does the same as an estimator with the
imbalanced-learn ``fit_resample`` convention; :func:`split_pairs` turns pair images
back into their two digit images.

Every generator works on indices first (memory proportional to the number of pairs)
and then gathers the pixels in bounded chunks, with no Python loop per pair.
"""

from __future__ import annotations

import numbers
import os

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._geometry import LAYOUTS, Geometry, shape_constraint, validation_shape
from ._samplers import BaseSampler
from ._sums import check_n_digits, digits_to_sums, long_addition
from ._validation import (
    N_DIGIT_CLASSES,
    check_digit_labels,
    check_layout,
    check_random_state,
    check_sample_images,
    validate_data,
)

__all__ = [
    "STRATEGIES",
    "PairSumTransformer",
    "make_digit_pairs",
    "make_number_pairs",
    "pair_indices",
    "split_pairs",
]

STRATEGIES = ("stratified", "unique", "random", "disjoint")
_N_ORDERED = N_DIGIT_CLASSES**2  # 100 ordered digit pairs (a, b)
_GATHER_BLOCK_BYTES = 1 << 19  # samples gathered at once: their buffer stays in the CPU cache


def _check_n_pairs(n_pairs, strategy, n_images, n_digits=1):
    """Resolve ``n_pairs`` (pairs of ``n_digits``-digit numbers) for ``strategy``, or raise."""
    # n_digits digit pairs per pair of numbers, one at each position
    of_numbers = "" if n_digits == 1 else f" of {n_digits}-digit numbers"
    if n_pairs is None:
        if strategy == "stratified":
            raise ValueError(
                "n_pairs is required for strategy='stratified': give a positive multiple of "
                f"{_N_ORDERED}" + ("." if n_digits == 1 else
                                   f" digit pairs, n_pairs * n_digits (n_digits={n_digits}).")
            )
        n_pairs = (_N_ORDERED if strategy == "unique" else n_images // 2) // n_digits
    if not isinstance(n_pairs, numbers.Integral) or isinstance(n_pairs, bool) or n_pairs < 1:
        raise ValueError(f"n_pairs must be a positive int, got {n_pairs!r}.")
    n_pairs = int(n_pairs)
    what = "n_pairs" if n_digits == 1 else f"n_pairs * n_digits = {n_pairs * n_digits}"
    if strategy == "stratified" and (n_pairs * n_digits) % _N_ORDERED:
        raise ValueError(
            f"n_pairs={n_pairs} cannot be stratified: strategy='stratified' gives every ordered "
            f"digit pair (a, b) equally often, so {what} must be a multiple of {_N_ORDERED}."
        )
    if strategy == "unique" and n_pairs * n_digits > _N_ORDERED:
        raise ValueError(
            f"n_pairs={n_pairs} is too many for strategy='unique', which draws distinct ordered "
            f"digit pairs without replacement: at most {_N_ORDERED // n_digits}{of_numbers}."
        )
    if strategy == "disjoint" and n_pairs > n_images // (2 * n_digits):
        raise ValueError(
            f"n_pairs={n_pairs} is too many for strategy='disjoint', which uses every image at "
            f"most once: {n_images} images give at most {n_images // (2 * n_digits)} "
            f"pairs{of_numbers}."
        )
    return n_pairs


def _physical_memory():
    """Bytes of physical memory of this machine, or None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):  # no sysconf (Windows), or no such name
        return None


def _check_memory(n_pairs, n_bytes, what):
    """Raise a ValueError naming ``n_pairs`` if ``n_bytes`` exceed this machine's memory.

    Physical memory is the bound: an allocation beyond it could at best be paged
    out, and usually fails.
    """
    memory = _physical_memory()
    if memory is not None and n_bytes > memory:
        raise ValueError(
            f"n_pairs={n_pairs} needs {n_bytes:,} bytes for {what}, more than the "
            f"{memory:,} bytes of memory of this machine. Ask for fewer pairs, or draw "
            "them in batches as they are used (sumdigits.keras.DigitPairDataset)."
        )


def _check_strategy(strategy):
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}.")
    return strategy


def _draw_from_classes(digits, y, rng):
    """For each requested digit, the index of a uniformly drawn image with that label."""
    counts = np.bincount(y, minlength=N_DIGIT_CLASSES)
    missing = np.flatnonzero((np.bincount(digits, minlength=N_DIGIT_CLASSES) > 0) & (counts == 0))
    if missing.size:
        raise ValueError(
            f"y has no image of digit(s) {missing.tolist()}, which the requested pairs need."
        )
    order = np.argsort(y, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return order[starts[digits] + rng.integers(0, counts[digits])]


def pair_indices(y, n_pairs=None, *, strategy="stratified", random_state=None):
    """Draw the source indices of digit pairs, without touching any pixel.

    Parameters
    ----------
    y : array-like of shape (n_images,)
        Digit labels, integers in 0..9.
    n_pairs : int, default=None
        Number of pairs; see :func:`make_digit_pairs` for the default and the
        limits of each strategy.
    strategy : {"stratified", "unique", "random", "disjoint"}, default="stratified"
        How pairs are drawn; see :func:`make_digit_pairs`.
    random_state : int, RandomState instance, Generator or None, default=None
        Seed of the draw.

    Returns
    -------
    indices : ndarray of shape (n_pairs, 2)
        Row ``i`` holds the indices into ``y`` of the first and second digit.

    Examples
    --------
    >>> from sumdigits.pairs import pair_indices
    >>> pair_indices([0, 1, 2, 3], strategy="disjoint", random_state=0).shape
    (2, 2)
    """
    _check_strategy(strategy)
    y = check_digit_labels(y, name="y")
    n_pairs = _check_n_pairs(n_pairs, strategy, y.shape[0])
    _check_memory(n_pairs, n_pairs * 2 * np.dtype(np.intp).itemsize, "the pair indices")
    rng = check_random_state(random_state)
    # numpy's Generator draws bounded integers vectorised with per-element bounds.
    gen = np.random.default_rng(rng.randint(np.iinfo(np.int32).max))

    if strategy == "disjoint":
        return gen.permutation(y.shape[0])[: 2 * n_pairs].reshape(n_pairs, 2)
    if strategy == "random":
        return gen.integers(0, y.shape[0], size=(n_pairs, 2))
    if strategy == "stratified":  # a shuffle's permutation does not depend on the dtype
        codes = np.tile(np.arange(_N_ORDERED, dtype=np.uint8), n_pairs // _N_ORDERED)
        gen.shuffle(codes)
    else:  # unique
        codes = gen.choice(_N_ORDERED, size=n_pairs, replace=False).astype(np.uint8)
    digits = np.empty((n_pairs, 2), dtype=np.uint8)
    np.divmod(codes, N_DIGIT_CLASSES, out=(digits[:, 0], digits[:, 1]))
    return _draw_from_classes(digits.ravel(), y, gen).reshape(n_pairs, 2)


def _row_order(geometry, block):
    """For ``block`` samples of ``geometry`` whose digit images lie one after the other
    (block, n_numbers, n_digits, h, w), read as rows of w pixels: the row that each row
    of the samples, in their layout, takes. An intp array (block, *samples' shape[:-1])."""
    h, _ = geometry.digit_shape
    # the rows' geometry is that of digits one pixel wide, whose pixel is the row's number
    runs = Geometry((h, 1), geometry.layout, geometry.n_digits)
    rows = np.empty((block, *runs.image_shape), dtype=np.intp)
    runs.digits(rows)[..., 0] = np.arange(rows.size).reshape(
        block, geometry.n_numbers, geometry.n_digits, h)
    return rows


def _gather_pairs(images, indices, geometry):
    """Samples of ``geometry`` holding the digit images ``images[indices]``.

    ``indices`` is (n, n_numbers) or (n, n_numbers, n_digits); the result is
    (n, *geometry.image_shape), and each of its bytes is written once. Where a
    sample is its digit images one after the other (single digits stacked
    vertically), ``np.take`` writes them straight into the result. Otherwise the
    digits' rows interleave, and each block of samples is gathered in two
    ``np.take`` calls: whole digit images into a buffer that stays in the CPU
    cache, then from it, row by row, into the result in the samples' layout, by
    a row order that is the same for every block.
    """
    n = indices.shape[0]
    indices = indices.reshape(n, geometry.n_numbers, geometry.n_digits)
    if indices.size and (indices.min() < 0 or indices.max() >= images.shape[0]):
        raise IndexError(f"indices must lie in [0, {images.shape[0]}).")
    images = np.ascontiguousarray(images)  # else np.take would copy it at every call
    out = np.empty((n, *geometry.image_shape), dtype=images.dtype)
    h, w = geometry.digit_shape
    # indices are checked above: mode="clip" spares np.take a buffered copy of `out`
    if geometry.digits(out[:1]).flags.c_contiguous:
        np.take(images, indices.reshape(-1), axis=0, out=out.reshape(-1, h, w), mode="clip")
        return out
    block = min(n, max(1, _GATHER_BLOCK_BYTES // max(1, out[:1].nbytes)))
    buffer = np.empty((block, geometry.n_numbers, geometry.n_digits, h, w), dtype=images.dtype)
    rows = _row_order(geometry, block)
    buffer_rows, out_rows = buffer.reshape(-1, w), out.reshape(-1, w)
    per_sample = rows[0].size
    for start in range(0, n, block):
        stop = min(start + block, n)
        np.take(images, indices[start:stop], axis=0, out=buffer[: stop - start], mode="clip")
        np.take(buffer_rows, rows[: stop - start].reshape(-1), axis=0,
                out=out_rows[start * per_sample: stop * per_sample], mode="clip")
    return out


def make_digit_pairs(
    X,
    y,
    n_pairs=None,
    *,
    strategy="stratified",
    layout="horizontal",
    digit_shape=None,
    random_state=None,
    return_X_y=False,
):
    """Make images of two digits side by side, labelled with their sum.

    Parameters
    ----------
    X : array-like of shape (n_images, height, width) or (n_images, height * width)
        Digit images. Flattened images are square (28 x 28 for 784 pixels)
        unless ``digit_shape`` is given; 3-D images may have any size (e.g.
        scikit-learn's 8 x 8 digits). Pixels may be any finite values.
    y : array-like of shape (n_images,)
        Digit labels, integers in 0..9.
    n_pairs : int, default=None
        Number of pairs. Its default and limits depend on ``strategy``.
    strategy : {"stratified", "unique", "random", "disjoint"}, default="stratified"
        How the two images of each pair are chosen:

        - ``"stratified"``: every ordered digit pair (a, b) appears exactly
          ``n_pairs / 100`` times, each image drawn at random among those of its
          digit (images may recur). ``n_pairs`` is required and must be a
          multiple of 100.
        - ``"unique"``: ``n_pairs <= 100`` distinct ordered digit pairs drawn
          without replacement (default 100).
        - ``"random"``: two uniformly random images; the sums come out
          bell-shaped (default ``n_images // 2``).
        - ``"disjoint"``: every image used at most once, the MNIST-addition
          protocol (default and maximum ``n_images // 2``).
    layout : {"horizontal", "vertical"}, default="horizontal"
        Side by side (height x 2 width) or stacked (2 height x width).
    digit_shape : tuple of int, "vector" or None, default=None
        (height, width) of flattened digit images that are not square.
    random_state : int, RandomState instance, Generator or None, default=None
        Seed of the draw.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    pairs : :class:`~sklearn.utils.Bunch`
        With ``data`` (pair images: flattened if ``X`` was, else 3-D; dtype of
        ``X``), ``target`` (the sums, 0..18), ``digits`` (n_pairs, 2) digit
        labels, ``indices`` (n_pairs, 2) indices into ``X`` of each pair's
        images, ``digit_shape`` of one digit, ``layout`` and ``strategy``.
    (data, target) : tuple of ndarray
        If ``return_X_y`` is True.

    See Also
    --------
    PairSumTransformer : the same as an estimator with ``fit_resample``.
    make_number_pairs : pairs of N-digit numbers; this is its case N = 1.
    split_pairs : the inverse, from pair images to digit images.

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits import make_digit_pairs
    >>> X = np.arange(10 * 4, dtype=np.uint8).reshape(10, 2, 2)  # ten tiny 2 x 2 "digits"
    >>> pairs = make_digit_pairs(X, np.arange(10), 200, random_state=0)
    >>> pairs.data.shape, pairs.target.shape
    ((200, 2, 4), (200,))
    >>> bool((pairs.target == pairs.digits.sum(axis=1)).all())
    True
    """
    data, target, indices, digits, geometry = _make_pairs(
        X, y, n_pairs, n_digits=1, strategy=strategy, layout=layout, digit_shape=digit_shape,
        random_state=random_state)
    if return_X_y:
        return data, target
    return Bunch(data=data, target=target, digits=digits[:, :, 0],
                 indices=indices[:, :, 0], digit_shape=geometry.digit_shape,
                 layout=layout, strategy=strategy)


def _make_pairs(X, y, n_pairs, *, n_digits, strategy, layout, digit_shape, random_state):
    """Draw and gather pairs of N-digit numbers: (data, exact sums, indices, digits, geometry)."""
    n_digits = check_n_digits(n_digits)
    layout = check_layout(layout)
    images, flat, digit = check_sample_images(X, digit_shape=digit_shape, name="X")
    y = check_digit_labels(y, name="y", n_samples=images.shape[0])
    _check_strategy(strategy)
    n_pairs = _check_n_pairs(n_pairs, strategy, images.shape[0], n_digits)
    # the samples' pixels, and their indices and digit labels
    per_pair = 2 * n_digits * (images[0].nbytes + np.dtype(np.intp).itemsize + y.itemsize)
    _check_memory(n_pairs, n_pairs * per_pair, "the pair images, indices and labels")
    flat_indices = pair_indices(y, n_pairs * n_digits, strategy=strategy,
                                random_state=random_state)
    # (n_pairs * N, 2) digit pairs -> (n_pairs, 2 numbers, N positions)
    indices = flat_indices.reshape(n_pairs, n_digits, 2).transpose(0, 2, 1)
    geometry = Geometry(digit.digit_shape, layout, n_digits)
    data = _gather_pairs(images, indices, geometry)
    if flat:
        data = data.reshape(data.shape[0], -1)
    digits = y[indices]
    target = (digits[:, :, 0].sum(axis=1) if n_digits == 1  # y's dtype, as for digit pairs
              else digits_to_sums(long_addition(digits.sum(axis=1))))
    return data, target, indices, digits, geometry


def make_number_pairs(
    X,
    y,
    n_pairs=None,
    *,
    n_digits=1,
    strategy="disjoint",
    layout="horizontal",
    digit_shape=None,
    random_state=None,
    return_X_y=False,
):
    """Make images of two N-digit numbers, labelled with their exact sum.

    The MNIST-addition benchmark of ``n_digits = N`` adds two numbers of N digits,
    each a strip of N digit images written left to right (most significant digit
    first). :func:`make_digit_pairs` is the case N = 1. With the default
    ``strategy="disjoint"`` and ``n_pairs=None`` one call is the field's protocol:
    every image used once, ``n_images // (2N)`` pairs (MNIST's 60,000 training
    images give 30,000 / N training pairs, its 10,000 test images 5,000 / N test
    pairs). No TensorFlow is needed.

    Parameters
    ----------
    X : array-like of shape (n_images, height, width) or (n_images, height * width)
        Digit images (flattened ones are square unless ``digit_shape`` says otherwise).
    y : array-like of shape (n_images,)
        Digit labels, 0..9.
    n_pairs : int, default=None
        Number of samples (pairs of numbers). Defaults to ``n_images // (2 * n_digits)``
        for ``"disjoint"`` (also its maximum) and ``"random"``, and to
        ``100 // n_digits`` for ``"unique"``; required for ``"stratified"``.
    n_digits : int >= 1, default=1
        Digits per number, any number.
    strategy : {"disjoint", "random", "stratified", "unique"}, default="disjoint"
        How the two images at each digit position are drawn, as in
        :func:`make_digit_pairs`, applied to the ``n_pairs * n_digits`` digit
        pairs (for ``"stratified"`` that product must be a multiple of 100).
    layout : {"horizontal", "vertical"}, default="horizontal"
        Both numbers side by side (height x 2N widths: the N digits of the first
        number, then the N of the second) or one above the other (2 heights x N
        widths, as written for column addition). For N = 1 these are the pair
        images of :func:`make_digit_pairs`.
    digit_shape : tuple of int or None, default=None
        (height, width) of flattened digit images that are not square.
    random_state : int, RandomState instance, Generator or None, default=None
        Seed of the draw.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    numbers : :class:`~sklearn.utils.Bunch`
        With ``data`` (sample images, flattened if ``X`` was), ``target`` (the
        exact sums, 0..2 * (10**N - 1): int64 up to N = 18, Python ints in an
        object array beyond), ``digits`` (n_pairs, 2, N) digit labels of the two
        numbers, most significant first, ``numbers`` (n_pairs, 2) their values
        (exact likewise), ``indices`` (n_pairs, 2, N) indices into ``X``,
        ``digit_shape`` of one digit, ``n_digits``, ``layout`` and ``strategy``.
    (data, target) : tuple of ndarray
        If ``return_X_y`` is True.

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits.pairs import make_number_pairs
    >>> X, y = np.zeros((40, 2, 2), dtype=np.uint8), np.arange(40) % 10
    >>> numbers = make_number_pairs(X, y, n_digits=2, random_state=0)
    >>> numbers.data.shape, numbers.digits.shape  # 40 images -> 10 pairs of 2-digit numbers
    ((10, 2, 8), (10, 2, 2))
    >>> bool((numbers.target == numbers.numbers.sum(axis=1)).all())
    True
    """
    data, target, indices, digits, geometry = _make_pairs(
        X, y, n_pairs, n_digits=n_digits, strategy=strategy, layout=layout,
        digit_shape=digit_shape, random_state=random_state)
    if return_X_y:
        return data, target
    n_pairs, n_digits = digits.shape[0], geometry.n_digits
    values = digits_to_sums(digits.reshape(2 * n_pairs, n_digits)).reshape(n_pairs, 2)
    return Bunch(data=data, target=target, digits=digits, numbers=values,
                 indices=indices, digit_shape=geometry.digit_shape, n_digits=n_digits,
                 layout=layout, strategy=strategy)


def split_pairs(X, *, layout="horizontal", digit_shape=None, name="X"):
    """Split pair images into their first and second digit images.

    Parameters
    ----------
    X : array-like of shape (n, h, 2w), (n, 2h, w) or (n, 2 * h * w)
        Pair images as :func:`make_digit_pairs` makes them.
    layout : {"horizontal", "vertical"}, default="horizontal"
        How the digits sit in the pair image.
    digit_shape : tuple of int, "vector" or None, default=None
        (height, width) of one digit. Needed for flattened pairs whose digits
        are not square; for 3-D pairs it is read from ``X``. "vector" takes
        any feature vector of even length as a pair and cuts it in two halves.
    name : str, default="X"
        The argument's name in error messages.

    Returns
    -------
    first, second : ndarray
        Digit images, each of shape (n, h, w), or (n, h * w) when ``X`` is
        flattened. Views of ``X`` where possible.

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits import split_pairs
    >>> pair = np.array([[[1, 2], [3, 4]]])  # one 2 x 2 "pair" of 2 x 1 digits
    >>> first, second = split_pairs(pair)
    >>> first.ravel().tolist(), second.ravel().tolist()
    ([1, 3], [2, 4])
    """
    layout = check_layout(layout)
    images, flat, geometry = check_sample_images(X, digit_shape=digit_shape, layout=layout,
                                                 name=name)
    digits = geometry.digits(images)[:, :, 0]  # (n, 2, h, w)
    first, second = digits[:, 0], digits[:, 1]
    if flat:
        n = images.shape[0]
        first, second = first.reshape(n, -1), second.reshape(n, -1)
    return first, second


class PairSumTransformer(BaseSampler):
    """Resample digit images into pair images labelled with their sums.

    The sampler form of :func:`make_digit_pairs`, following imbalanced-learn's
    sampler contract: ``fit_resample(X_digits, y_digits)`` draws pairs of the
    digit images and returns ``(X_pairs, y_sums)``, recording in
    ``sample_indices_`` which two input rows each output row came from; ``fit``
    only checks the inputs. It has no ``transform``: a sampler changes the
    training set, not the data a fitted model is asked about.

    So in an :class:`imblearn.pipeline.Pipeline` the steps after it are fitted on
    pairs built from the digits given to ``fit``, and ``predict`` (which skips
    samplers) takes **pair images**, e.g. from :func:`make_digit_pairs` on a
    separate test split: the pipeline is fitted on digits and predicts on pairs.
    On its own it builds training and test sets (from separate MNIST splits);
    :meth:`inverse_transform` splits pairs back into their digits.

    Parameters
    ----------
    n_pairs : int, default=None
        Number of pairs; default and limits as in :func:`make_digit_pairs`.
    strategy : {"stratified", "unique", "random", "disjoint"}, default="stratified"
        How pairs are drawn.
    layout : {"horizontal", "vertical"}, default="horizontal"
        Side by side or stacked.
    digit_shape : tuple of int, "vector" or None, default=None
        (height, width) of flattened digits that are not square; "vector" takes
        the rows of ``X`` as plain feature vectors (1 x n_features images), and
        a pair is then the two vectors one after the other.
    random_state : int, RandomState instance or None, default=None
        Seed of the draw.

    Attributes
    ----------
    sample_indices_ : ndarray of shape (n_pairs, 2)
        Indices into the ``X`` given to ``fit_resample`` of each pair's two images.
    digits_ : ndarray of shape (n_pairs, 2)
        Digit labels of each pair.
    digit_shape_ : tuple of int
        (height, width) of one digit.
    n_features_in_ : int
        Pixels per digit image.

    See Also
    --------
    make_digit_pairs : the function behind it.

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits import PairSumTransformer
    >>> X, y = np.zeros((20, 784), dtype=np.uint8), np.repeat(np.arange(10), 2)
    >>> sampler = PairSumTransformer(strategy="disjoint", random_state=0)
    >>> X_pairs, y_sums = sampler.fit_resample(X, y)
    >>> X_pairs.shape, sampler.sample_indices_.shape
    ((10, 1568), (10, 2))
    >>> sampler.inverse_transform(X_pairs).shape  # the 20 digits, pair by pair
    (20, 784)
    """

    _parameter_constraints: dict = {
        "n_pairs": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "strategy": [StrOptions(set(STRATEGIES))],
        "layout": [StrOptions(set(LAYOUTS))],
        "digit_shape": shape_constraint(),
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_pairs=None,
        *,
        strategy="stratified",
        layout="horizontal",
        digit_shape=None,
        random_state=None,
    ):
        self.n_pairs = n_pairs
        self.strategy = strategy
        self.layout = layout
        self.digit_shape = digit_shape
        self.random_state = random_state

    def _check_inputs(self, X, y):
        """scikit-learn's checks of X and y, the digit images, their labels, and that
        the pairs can be drawn (indices only: cheap)."""
        X, y = validate_data(self, X, y, allow_nd=True, dtype="numeric")
        y = check_digit_labels(y, name="y", n_samples=X.shape[0])
        _, _, geometry = check_sample_images(X, digit_shape=self.digit_shape, name="X")
        pair_indices(y, self.n_pairs, strategy=self.strategy, random_state=0)  # drawable?
        self.digit_shape_ = geometry.digit_shape
        self.n_features_in_ = geometry.n_features
        return X, y

    def _fit_resample(self, X, y):
        indices = pair_indices(y, self.n_pairs, strategy=self.strategy,
                               random_state=self.random_state)
        images = X.reshape(X.shape[0], *self.digit_shape_)
        pairs = _gather_pairs(images, indices, Geometry(self.digit_shape_, self.layout))
        self.sample_indices_ = indices
        self.digits_ = y[indices]
        return (pairs if X.ndim == 3 else pairs.reshape(len(pairs), -1)), self.digits_.sum(axis=1)

    def inverse_transform(self, X):
        """Split pair images back into digit images, pair by pair.

        Parameters
        ----------
        X : array-like of pair images
            As returned by :meth:`fit_resample`.

        Returns
        -------
        X_digits : ndarray of shape (2 * n_pairs, ...)
            Rows ``2i`` and ``2i + 1`` are the first and second digit of pair
            ``i``: for the pairs of the last ``fit_resample``,
            ``X_digits == X_input[sample_indices_.ravel()]``.
        """
        check_is_fitted(self)
        first, second = split_pairs(X, layout=self.layout, name="X",
                                    digit_shape=validation_shape(self.digit_shape,
                                                                 self.digit_shape_))
        n_pixels = int(np.prod(first.shape[1:]))
        if n_pixels != np.prod(self.digit_shape_):
            raise ValueError(f"X holds digits of {n_pixels} pixels, but the pairs of "
                             f"fit_resample hold digits of shape {self.digit_shape_}.")
        out = np.stack([first, second], axis=1)
        return out.reshape(-1, *first.shape[1:])
