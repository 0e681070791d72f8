"""Where the images are in a flattened sample: the one resolver of image geometry.

A flattened sample holds ``n_parts`` images of equal shape side by side in memory:
one digit (``n_parts=1``), a pair of digits (2), or two numbers of N digits (2N).
:func:`part_shape` says the (height, width) of one of them, from, in order:

1. the ``image_shape`` parameter of the caller: a (height, width) pair, or the
   string ``"vector"``, which says the samples are plain feature vectors with no
   image geometry: each part is one row of pixels, so a pair is any feature vector
   of even length, cut in two halves;
2. the MNIST size: 784 features per part are 28 x 28 digits;
3. where the caller infers more (``infer_square=True``, the estimators that read
   the shape from ``X``): 1,568 features of a single image are an MNIST pair
   (28 x 56), and a perfect square ``d`` per part is a ``sqrt(d) x sqrt(d)`` image.

Anything else is a ValueError that asks for ``image_shape``. Every function and
estimator of sumdigits that takes flattened images asks here.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["MNIST_SHAPE", "VECTOR", "check_image_shape", "check_shape_matches", "part_shape",
           "pair_image_shape", "image_shape_constraint"]

MNIST_SHAPE = (28, 28)
#: ``image_shape="vector"``: samples are feature vectors; each image is one row of pixels.
VECTOR = "vector"
_MNIST_PAIR = (MNIST_SHAPE[0], 2 * MNIST_SHAPE[1])  # two digits side by side


def check_image_shape(image_shape, *, name="image_shape"):
    """Return ``image_shape`` as a tuple of two positive ints, ``"vector"`` or None; or raise."""
    if image_shape is None or (isinstance(image_shape, str) and image_shape == VECTOR):
        return image_shape
    if isinstance(image_shape, str):
        raise ValueError(
            f"{name} must be a pair of positive ints (height, width) or {VECTOR!r}, "
            f"got {image_shape!r}."
        )
    try:
        shape = tuple(image_shape)
    except TypeError:
        raise TypeError(
            f"{name} must be a pair of positive ints (height, width), got {image_shape!r}."
        ) from None
    if len(shape) != 2 or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in shape
    ):
        raise ValueError(
            f"{name} must be a pair of positive ints (height, width), got {image_shape!r}."
        )
    return (int(shape[0]), int(shape[1]))


def _plural(n_parts):
    return {1: "one image", 2: "two images"}.get(n_parts, f"{n_parts} images")


def part_shape(n_features, *, image_shape=None, n_parts=1, infer_square=False, name="X"):
    """(height, width) of one of the ``n_parts`` equal images of a flattened sample.

    Parameters
    ----------
    n_features : int
        Features (pixels) per sample.
    image_shape : tuple of int, "vector" or None, default=None
        The caller's parameter: the shape of one part, or ``"vector"`` for plain
        feature vectors (each part a 1 x ``n_features / n_parts`` row).
    n_parts : int, default=1
        Equal images per sample: 1 for a digit, 2 for a pair.
    infer_square : bool, default=False
        Also infer a perfect square number of pixels per part as a square image,
        and 1,568 pixels of a single image as an MNIST pair (28 x 56).
    name : str, default="X"
        The argument's name in error messages.

    Returns
    -------
    (height, width) : tuple of int

    Examples
    --------
    >>> from sumdigits._geometry import part_shape
    >>> part_shape(1568, n_parts=2), part_shape(1568, infer_square=True)
    ((28, 28), (28, 56))
    >>> part_shape(10, n_parts=2, image_shape="vector")
    (1, 5)
    """
    shape = check_image_shape(image_shape)
    what = f"{n_features} features per sample"
    if n_parts > 1 and n_features % n_parts:
        raise ValueError(
            f"{name} has {what} (n_features={n_features}), which cannot hold "
            f"{_plural(n_parts)} of equal size: "
            f"the number of features must be a multiple of {n_parts}."
        )
    per_part = n_features // n_parts
    if shape == VECTOR:
        if per_part < 1:
            raise ValueError(f"{name} has {what}: a feature vector needs at least one.")
        return (1, per_part)
    if shape is not None:
        if n_parts * shape[0] * shape[1] != n_features:
            expected = n_parts * shape[0] * shape[1]
            parts = "" if n_parts == 1 else f"{n_parts} x "
            raise ValueError(
                f"{name} has {what}, expected {expected} ({parts}{shape[0]} x {shape[1]} "
                f"pixels, image_shape={shape})."
            )
        return shape
    if per_part == MNIST_SHAPE[0] * MNIST_SHAPE[1]:
        return MNIST_SHAPE
    if infer_square:
        if n_parts == 1 and n_features == _MNIST_PAIR[0] * _MNIST_PAIR[1]:
            return _MNIST_PAIR
        side = int(round(np.sqrt(per_part)))
        if per_part and side * side == per_part:
            return (side, side)
    known = "a perfect square or 784" if infer_square else "784"
    expected = "" if infer_square else (
        f", expected {n_parts * 784} ({_plural(n_parts)} of 28 x 28 pixels)")
    raise ValueError(
        f"{name} has {what}{expected}; cannot tell the image shape ({known} pixels per "
        "image are inferred). Pass image_shape=(height, width) for images of another size, "
        f"image_shape={VECTOR!r} for plain feature vectors, or give X as a 3-D array "
        "(n, height, width)."
    )


def image_shape_constraint():
    """The ``_parameter_constraints`` entry of an ``image_shape`` parameter."""
    from sklearn.utils._param_validation import StrOptions

    return ["array-like", tuple, list, StrOptions({VECTOR}), None]


def check_shape_matches(shape, image_shape, *, name="X", what="images"):
    """Raise unless the (height, width) ``shape`` read from 3-D input fits ``image_shape``.

    ``"vector"`` fits images of one row; None fits anything.
    """
    image_shape = check_image_shape(image_shape)
    shape = tuple(int(s) for s in shape)
    expected = (1, shape[1]) if image_shape == VECTOR else image_shape
    if image_shape is not None and shape != expected:
        raise ValueError(f"{name} holds {what} of shape {shape}, but image_shape={image_shape!r}.")


def pair_image_shape(n_features, *, image_shape=None, layout="horizontal", name="X"):
    """(height, width) of flattened pair images: two digits side by side or stacked.

    Examples
    --------
    >>> from sumdigits._geometry import pair_image_shape
    >>> pair_image_shape(1568), pair_image_shape(1568, layout="vertical")
    ((28, 56), (56, 28))
    """
    h, w = part_shape(n_features, image_shape=image_shape, n_parts=2, name=name)
    return (h, 2 * w) if layout == "horizontal" else (2 * h, w)
