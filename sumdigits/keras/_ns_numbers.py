"""Pairs of N-digit numbers written as strips of digit images, labelled with their sum.

The MNIST-addition benchmark for ``n_digits = N`` adds two numbers of N digits, each
a strip of N digit images written left to right (most significant digit first). A
sample image holds both numbers: side by side (``layout="horizontal"``, height x
2N widths: the N digits of the first number, then the N of the second) or one above
the other (``layout="vertical"``, 2 heights x N widths, as written for column
addition). For ``N = 1`` both layouts are exactly the pair images of
:func:`sumdigits.pairs.make_digit_pairs`.

The draws reuse :func:`sumdigits.pairs.pair_indices` (one pair of images per digit
position) and the splits reuse :func:`sumdigits.pairs.split_pairs` (each number is
one "digit" of width N w); this module only regroups digits into numbers. It imports
no TensorFlow.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import Bunch

from .._validation import check_digit_labels, check_images, check_layout, check_sample_images
from ..pairs import _gather_images, pair_indices

__all__ = ["check_n_digits", "make_number_pairs", "max_sum", "split_numbers"]

MAX_DIGITS = 4


def check_n_digits(n_digits, *, name="n_digits"):
    """Return ``n_digits`` as an int in 1..4, or raise a ValueError."""
    if (not isinstance(n_digits, numbers.Integral) or isinstance(n_digits, bool)
            or not 1 <= n_digits <= MAX_DIGITS):
        raise ValueError(f"{name} must be an int in 1..{MAX_DIGITS}, got {n_digits!r}.")
    return int(n_digits)


def max_sum(n_digits):
    """The largest sum of two ``n_digits``-digit numbers, ``2 * (10**n_digits - 1)``."""
    return 2 * (10 ** check_n_digits(n_digits) - 1)


def _place_values(n_digits):
    """10**(N-1), ..., 10, 1: the value of each position, most significant first."""
    return 10 ** np.arange(n_digits - 1, -1, -1)


def make_number_pairs(
    X,
    y,
    n_pairs=None,
    *,
    n_digits=1,
    strategy="disjoint",
    layout="horizontal",
    image_shape=None,
    random_state=None,
    return_X_y=False,
):
    """Make images of two N-digit numbers, labelled with their sum.

    Parameters
    ----------
    X : array-like of shape (n_images, height, width) or (n_images, height * width)
        Digit images (flattened ones are 28 x 28 unless ``image_shape`` says otherwise).
    y : array-like of shape (n_images,)
        Digit labels, 0..9.
    n_pairs : int, default=None
        Number of samples (pairs of numbers). Defaults to ``n_images // (2 * n_digits)``
        for ``strategy="disjoint"``, which is also its maximum: every image is used
        at most once, the MNIST-addition protocol.
    n_digits : int in 1..4, default=1
        Digits per number.
    strategy : {"disjoint", "random", "stratified"}, default="disjoint"
        How the two images at each digit position are drawn, as in
        :func:`sumdigits.pairs.pair_indices`, applied to ``n_pairs * n_digits``
        digit pairs (for ``"stratified"`` that product must be a multiple of 100).
    layout : {"horizontal", "vertical"}, default="horizontal"
        Both numbers side by side (height x 2N widths) or one above the other
        (2 heights x N widths).
    image_shape : tuple of int, default=None
        (height, width) of flattened digit images, when not 28 x 28.
    random_state : int, RandomState instance or None, default=None
        Seed of the draw.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    numbers : :class:`~sklearn.utils.Bunch`
        With ``data`` (sample images, flattened if ``X`` was), ``target`` (the sums,
        0..2 * (10**N - 1)), ``digits`` (n_pairs, 2, N) digit labels of the two numbers,
        most significant first, ``numbers`` (n_pairs, 2) their values, ``indices``
        (n_pairs, 2, N) indices into ``X``, ``image_shape`` of one digit, ``n_digits``,
        ``layout`` and ``strategy``.
    (data, target) : tuple of ndarray
        If ``return_X_y`` is True.

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits.keras._ns_numbers import make_number_pairs
    >>> X, y = np.zeros((40, 2, 2), dtype=np.uint8), np.arange(40) % 10
    >>> numbers = make_number_pairs(X, y, n_digits=2, random_state=0)
    >>> numbers.data.shape, numbers.digits.shape  # 40 images -> 10 pairs of 2-digit numbers
    ((10, 2, 8), (10, 2, 2))
    >>> bool((numbers.target == numbers.numbers.sum(axis=1)).all())
    True
    """
    n_digits = check_n_digits(n_digits)
    layout = check_layout(layout)
    images, flat = check_images(X, image_shape=image_shape, name="X")
    y = check_digit_labels(y, name="y", n_samples=images.shape[0])
    if n_pairs is None and strategy == "disjoint":
        n_pairs = images.shape[0] // (2 * n_digits)
    if n_pairs is not None and (not isinstance(n_pairs, numbers.Integral)
                                or isinstance(n_pairs, bool) or n_pairs < 1):
        raise ValueError(f"n_pairs must be a positive int, got {n_pairs!r}.")
    if n_pairs is None:
        raise ValueError(f"n_pairs is required for strategy={strategy!r}.")
    if strategy == "disjoint" and 2 * n_pairs * n_digits > images.shape[0]:
        raise ValueError(
            f"n_pairs={n_pairs} is too many for strategy='disjoint' with n_digits={n_digits}: "
            f"{images.shape[0]} images give at most {images.shape[0] // (2 * n_digits)} pairs "
            "of numbers."
        )
    flat_indices = pair_indices(y, n_pairs * n_digits, strategy=strategy,
                                random_state=random_state)
    # (n_pairs * N, 2) digit pairs -> (n_pairs, 2 numbers, N positions)
    indices = flat_indices.reshape(n_pairs, n_digits, 2).transpose(0, 2, 1)
    data = _gather_numbers(images, indices, layout)
    if flat:
        data = data.reshape(data.shape[0], -1)
    digits = y[indices]
    values = digits @ _place_values(n_digits)
    target = values.sum(axis=1)
    if return_X_y:
        return data, target
    return Bunch(data=data, target=target, digits=digits, numbers=values, indices=indices,
                 image_shape=tuple(images.shape[1:]), n_digits=n_digits, layout=layout,
                 strategy=strategy)


def _gather_numbers(images, indices, layout):
    """Sample images of ``images`` at ``indices`` (n, 2, N)."""
    n, _, n_digits = indices.shape
    h, w = images.shape[1:]
    if layout == "horizontal":
        out = np.empty((n, h, 2, n_digits, w), dtype=images.dtype)
        view = out.transpose(0, 2, 3, 1, 4)  # (n, 2, N, h, w)
    else:
        out = np.empty((n, 2, h, n_digits, w), dtype=images.dtype)
        view = out.transpose(0, 1, 3, 2, 4)
    _gather_images(images, indices, view)
    shape = (n, h, 2 * n_digits * w) if layout == "horizontal" else (n, 2 * h, n_digits * w)
    return out.reshape(shape)


def split_numbers(X, *, n_digits=1, layout="horizontal", image_shape=None, name="X"):
    """Split sample images into the digit images of their two numbers.

    Parameters
    ----------
    X : array-like of shape (n, h, 2N w), (n, 2h, N w) or (n, 2N h w)
        Sample images as :func:`make_number_pairs` makes them.
    n_digits : int in 1..4, default=1
        Digits per number.
    layout : {"horizontal", "vertical"}, default="horizontal"
        How the two numbers sit in the image.
    image_shape : tuple of int, default=None
        (height, width) of one digit. Needed for flattened samples whose digits are
        not 28 x 28, and for 3-D samples whose digits are not square; otherwise read
        from ``X``.
    name : str, default="X"
        The argument's name in error messages.

    Returns
    -------
    digits : ndarray of shape (n, 2, N, h, w)
        Digit ``[i, k, j]`` is the j-th digit (most significant first) of number k of
        sample i. Same dtype as ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits.keras._ns_numbers import split_numbers
    >>> sample = np.arange(4).reshape(1, 1, 4)  # 12 + 34 written with 1 x 1 "digits"
    >>> split_numbers(sample, n_digits=2)[0, :, :, 0, 0].tolist()
    [[0, 1], [2, 3]]
    """
    images, _, geometry = check_sample_images(X, digit_shape=image_shape,
                                              layout=check_layout(layout),
                                              n_digits=check_n_digits(n_digits), name=name)
    return np.ascontiguousarray(geometry.digits(images))
