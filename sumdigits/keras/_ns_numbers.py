"""Splitting images of two N-digit numbers into their digit images.

The samples are made by :func:`sumdigits.pairs.make_number_pairs`.

The MNIST-addition benchmark for ``n_digits = N`` adds two numbers of N digits, each
a strip of N digit images written left to right (most significant digit first). A
sample image holds both numbers: side by side (``layout="horizontal"``, height x
2N widths: the N digits of the first number, then the N of the second) or one above
the other (``layout="vertical"``, 2 heights x N widths, as written for column
addition). For ``N = 1`` both layouts are exactly the pair images of
:func:`sumdigits.pairs.make_digit_pairs`.

It imports no TensorFlow.
"""

from __future__ import annotations

import numpy as np

from .._sums import check_n_digits
from .._validation import check_layout, check_sample_images

__all__ = ["check_numbers", "split_numbers"]


def check_numbers(X, *, n_digits=1, layout="horizontal", digit_shape=None, name="X"):
    """Validate sample images of numbers; return them as images with their geometry.

    The arguments are those of :func:`split_numbers`; ``X`` may be flattened, 3-D or
    4-D with a channel axis of 1, and errors name its shape.

    Returns
    -------
    images : ndarray of shape (n, height, width)
        A view of ``X`` when possible.
    geometry : Geometry
        Where the digits are in each sample.
    """
    images, _, geometry = check_sample_images(
        X, digit_shape=digit_shape, layout=None if layout is None else check_layout(layout),
        n_digits=check_n_digits(n_digits), name=name)
    return images, geometry


def split_numbers(X, *, n_digits=1, layout="horizontal", digit_shape=None, name="X"):
    """Split sample images into the digit images of their two numbers.

    Parameters
    ----------
    X : array-like of shape (n, h, 2N w), (n, 2h, N w) or (n, 2N h w)
        Sample images as :func:`sumdigits.pairs.make_number_pairs` makes them (3-D
        images may also carry a channel axis of 1).
    n_digits : int >= 1, default=1
        Digits per number.
    layout : {"horizontal", "vertical"} or None, default="horizontal"
        How the two numbers sit in the image; None for samples of one number (a
        strip of ``n_digits`` digits side by side).
    digit_shape : tuple of int, default=None
        (height, width) of one digit. Needed for flattened samples whose digits are
        not 28 x 28, and for 3-D samples whose digits are not square; otherwise read
        from ``X``.
    name : str, default="X"
        The argument's name in error messages.

    Returns
    -------
    digits : ndarray of shape (n, 2, N, h, w), or (n, 1, N, h, w) for ``layout=None``
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
    images, geometry = check_numbers(X, n_digits=n_digits, layout=layout,
                                     digit_shape=digit_shape, name=name)
    return np.ascontiguousarray(geometry.digits(images))
