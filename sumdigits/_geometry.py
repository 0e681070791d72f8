"""Where the digits are in a sample: the one description and the one resolver of geometry.

A sample of sumdigits holds ``n_numbers`` numbers (2 for a pair, 1 for a single
image), each of ``n_digits`` digit images of ``digit_shape`` side by side; the two
numbers of a pair sit side by side (``layout="horizontal"``) or stacked
(``"vertical"``). A pair of digits is the ``n_digits=1`` case of a pair of numbers,
a digit image the ``layout=None`` case. :class:`Geometry` is that description;
:func:`resolve_geometry` is the only function of sumdigits that works it out from the
shape of the data. Generation, splitting, every estimator, the transformers and the
plots ask it, so the same array means the same thing everywhere.

The rule, for a sample of shape ``X.shape[1:]``:

- a 3-D stack of images (n, height, width[, channels]) gives the digit shape by
  division: ``height`` by the numbers stacked, ``width`` by the digits side by side;
- a flattened sample (n, n_features) holds ``n_parts = n_numbers * n_digits`` digits
  of equal size: a digit of ``d = n_features / n_parts`` pixels is square,
  ``sqrt(d) x sqrt(d)`` (28 x 28 for MNIST's 784); other sizes need ``digit_shape``;
- ``digit_shape="vector"`` reads plain feature vectors: each digit is one row of
  pixels, so a pair is any feature vector of even length cut in two halves;
- ``layout="auto"`` (the Keras estimators, which take digits or pairs) reads a single
  image when its pixels make a square digit, else a horizontal pair of square digits:
  ``2 d^2`` pixels are never a square, so the two never collide (784 features are one
  28 x 28 digit, 1,568 a 28 x 56 pair, 128 a pair of 8 x 8 digits).

A square image of at least 8 x 8 pixels where pairs are expected is a ValueError
unless ``digit_shape`` says otherwise: single 28 x 28 digits would otherwise read as
pairs of 28 x 14 digits (numbers of several digits must always give square digits
without ``digit_shape``). A ``"vector"`` split of a flattened sample whose parts are
square images of at least 8 x 8 pixels warns (:class:`UserWarning`): flattened
horizontal pairs cut in halves give the tops and bottoms of the two digits.
Anything else is a ValueError that names the argument and asks for ``digit_shape``.

The same samples have three spellings, and every estimator that takes them accepts
each at ``fit`` and after it (:func:`check_spelling`): flattened ``(n, height *
width)``, images ``(n, height, width)``, and images with a channel axis ``(n, height,
width, 1)``. ``n_features_in_`` counts the pixels of a sample.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass

__all__ = ["LAYOUTS", "MNIST_SHAPE", "VECTOR", "Geometry", "resolve_geometry", "reads_vectors",
           "validation_shape", "check_spelling", "sample_image_shape",
           "check_shape", "shape_constraint"]

LAYOUTS = ("horizontal", "vertical")
MNIST_SHAPE = (28, 28)
#: ``digit_shape="vector"``: samples are feature vectors; each digit is one row of pixels.
VECTOR = "vector"


def reads_vectors(*shapes):
    """Whether one of ``shapes`` (a ``digit_shape`` or ``image_shape``) is ``"vector"``.

    >>> reads_vectors("vector", None), reads_vectors((28, 28))
    (True, False)
    """
    return any(isinstance(s, str) and s == VECTOR for s in shapes)


def validation_shape(digit_shape, fitted):
    """The digit shape to check new samples with, after a fit.

    ``"vector"`` when the estimator's ``digit_shape`` parameter is ``"vector"``, else
    ``fitted``, the ``(height, width)`` found in ``fit``. The caller still compares
    the digits it gets with ``fitted``.

    >>> validation_shape("vector", (1, 5)), validation_shape(None, (28, 28))
    ('vector', (28, 28))
    """
    return VECTOR if reads_vectors(digit_shape) else fitted


@dataclass(frozen=True)
class Geometry:
    """Where the digits are in one sample.

    Parameters
    ----------
    digit_shape : tuple of int
        (height, width) of one digit image.
    layout : {"horizontal", "vertical"} or None, default="horizontal"
        How the two numbers of a pair sit; None for a sample of one number (a
        digit image when ``n_digits=1``).
    n_digits : int, default=1
        Digits per number, side by side, most significant first.

    Examples
    --------
    >>> from sumdigits._geometry import Geometry
    >>> g = Geometry((28, 28), "vertical")
    >>> g.image_shape, g.n_features, g.n_parts
    ((56, 28), 1568, 2)
    """

    digit_shape: tuple
    layout: str | None = "horizontal"
    n_digits: int = 1

    @property
    def n_numbers(self):
        """Numbers per sample: 2 for a pair, 1 for a single number."""
        return 1 if self.layout is None else 2

    @property
    def n_parts(self):
        """Digit images per sample."""
        return self.n_numbers * self.n_digits

    @property
    def number_shape(self):
        """(height, width) of one number: its digits side by side."""
        return (self.digit_shape[0], self.n_digits * self.digit_shape[1])

    @property
    def image_shape(self):
        """(height, width) of the whole sample as one image."""
        h, w = self.number_shape
        return (2 * h, w) if self.layout == "vertical" else (h, self.n_numbers * w)

    @property
    def n_features(self):
        """Pixels per sample."""
        return self.image_shape[0] * self.image_shape[1]

    def digits(self, X):
        """View of samples ``X`` as their digits, shape (n, n_numbers, n_digits, h, w).

        ``X`` is (n, n_features) or (n, *image_shape); the result is a view of it
        (writing into it writes into ``X``), which is how pairs are both split and
        assembled.
        """
        h, w = self.digit_shape
        n, k = X.shape[0], self.n_numbers
        if self.layout == "vertical":  # rows: number, digit row; columns: digit, pixel
            return X.reshape(n, k, h, self.n_digits, w).transpose(0, 1, 3, 2, 4)
        return X.reshape(n, h, k, self.n_digits, w).transpose(0, 2, 3, 1, 4)


def check_shape(shape, *, name="digit_shape"):
    """Return ``shape`` as a tuple of two positive ints, ``"vector"`` or None; or raise."""
    if shape is None or (isinstance(shape, str) and shape == VECTOR):
        return shape
    if isinstance(shape, str):
        raise ValueError(
            f"{name} must be a pair of positive ints (height, width) or {VECTOR!r}, "
            f"got {shape!r}."
        )
    try:
        pair = tuple(shape)
    except TypeError:
        raise TypeError(
            f"{name} must be a pair of positive ints (height, width), got {shape!r}."
        ) from None
    if len(pair) != 2 or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in pair
    ):
        raise ValueError(f"{name} must be a pair of positive ints (height, width), got {shape!r}.")
    return (int(pair[0]), int(pair[1]))


def shape_constraint():
    """The ``_parameter_constraints`` entry of a ``digit_shape`` or ``image_shape`` parameter."""
    from sklearn.utils._param_validation import StrOptions

    return ["array-like", tuple, list, StrOptions({VECTOR}), None]


def _square(pixels):
    side = math.isqrt(pixels)
    return (side, side) if pixels and side * side == pixels else None


def _plural(n):
    return {1: "one digit image", 2: "two digit images"}.get(n, f"{n} digit images")


def _flat_digit_shape(n_features, digit_shape, n_parts, layout, name):
    """(height, width) of each of the ``n_parts`` digits of a flattened sample."""
    what = f"{name} has {n_features} features per sample"
    if n_parts > 1 and n_features % n_parts:
        raise ValueError(
            f"{what} (n_features={n_features}), which cannot hold {_plural(n_parts)} of equal "
            f"size: the number of features must be a multiple of {n_parts}."
        )
    per_part = n_features // n_parts
    if digit_shape == VECTOR:
        if per_part < 1:
            raise ValueError(f"{what}: a feature vector needs at least one.")
        image = _square(per_part)
        if n_parts > 1 and layout != "vertical" and image and image[0] >= _MIN_IMAGE_SIDE:
            # the parts of a flattened image are its bands of rows: probably not its digits
            warnings.warn(
                f"digit_shape={VECTOR!r} cuts each sample of {name} ({n_features} features) "
                f"into {n_parts} consecutive parts of {per_part} features, but {per_part} "
                f"features are a {image[0]} x {image[1]} image: if {name} holds flattened "
                f"pair images side by side (layout={layout!r}), these parts are bands of rows "
                "(the tops and bottoms of the digits), not the digits. Leave digit_shape=None "
                "(or pass digit_shape=(height, width)) to split pair images into their "
                f"digits; keep digit_shape={VECTOR!r} only for plain feature vectors.",
                UserWarning, stacklevel=_stacklevel())
        return (1, per_part)
    if digit_shape is not None:
        expected = n_parts * digit_shape[0] * digit_shape[1]
        if expected != n_features:
            parts = "" if n_parts == 1 else f"{n_parts} x "
            raise ValueError(
                f"{what}, expected {expected} ({parts}{digit_shape[0]} x {digit_shape[1]} "
                f"pixels, digit_shape={digit_shape}, layout={layout!r})."
            )
        return digit_shape
    shape = _square(per_part)
    if shape is None:
        raise ValueError(
            f"{what}, which is not {_plural(n_parts)} of a square number of pixels (MNIST's "
            f"28 x 28 digits: {n_parts * MNIST_SHAPE[0] * MNIST_SHAPE[1]} features), so the "
            "digit shape cannot be told. Pass "
            f"digit_shape=(height, width) for digits of another size, digit_shape={VECTOR!r} "
            "for plain feature vectors, or give X as a 3-D array (n, height, width)."
        )
    return shape


def _auto_layout(sample_shape, digit_shape, name):
    """``layout="auto"``: None for a single digit image, "horizontal" for a pair."""
    if len(sample_shape) > 1 or digit_shape == VECTOR:
        return None
    n_features = sample_shape[0]
    if digit_shape is not None:
        pair = n_features == 2 * digit_shape[0] * digit_shape[1]
        return "horizontal" if pair else None
    if _square(n_features):
        return None
    if n_features % 2 == 0 and _square(n_features // 2):
        return "horizontal"
    raise ValueError(
        f"{name} has {n_features} features per sample, which is neither a square image "
        f"nor two square images side by side (MNIST: 784 for a digit, 1568 for a pair), so "
        f"the image shape cannot be told. Pass image_shape=(height, width) of the whole "
        f"image, image_shape={VECTOR!r} for plain feature vectors, or give X as a 3-D array "
        "(n, height, width)."
    )


def resolve_geometry(sample_shape, *, digit_shape=None, layout="horizontal", n_digits=1,
                     image_shape=None, name="X"):
    """Work out where the digits are in samples of shape ``sample_shape``.

    The one function of sumdigits that infers pair geometry (see the module's
    docstring for the rule).

    Parameters
    ----------
    sample_shape : int or tuple of int
        ``X.shape[1:]``: ``(n_features,)`` for flattened samples (or the int
        ``n_features``), ``(height, width)`` or ``(height, width, channels)`` for
        images.
    digit_shape : tuple of int, "vector" or None, default=None
        (height, width) of one digit, when known (an estimator's parameter).
    layout : {"horizontal", "vertical", "auto"} or None, default="horizontal"
        How the two numbers of a pair sit; None for samples of one number (digit
        images); "auto" for a single image or a horizontal pair, whichever the
        sample is (see above).
    n_digits : int, default=1
        Digits per number.
    image_shape : tuple of int, "vector" or None, default=None
        (height, width) of the whole sample, when known (FCNN/CNN's parameter):
        flattened samples are read as images of that shape.
    name : str, default="X"
        The argument's name in error messages.

    Returns
    -------
    geometry : Geometry

    Examples
    --------
    >>> from sumdigits._geometry import resolve_geometry
    >>> resolve_geometry((1568,)).digit_shape, resolve_geometry((128,)).digit_shape
    ((28, 28), (8, 8))
    >>> resolve_geometry((56, 28), layout="vertical").digit_shape
    (28, 28)
    >>> resolve_geometry((784,), layout="auto").image_shape
    (28, 28)
    >>> resolve_geometry((128,), layout="auto").image_shape
    (8, 16)
    >>> resolve_geometry((10,), digit_shape="vector").digit_shape
    (1, 5)
    """
    digit_shape = check_shape(digit_shape)
    image_shape = check_shape(image_shape, name="image_shape")
    sample_shape = (sample_shape,) if isinstance(sample_shape, numbers.Integral) else tuple(
        int(s) for s in sample_shape)
    if layout == "auto":
        layout = _auto_layout(sample_shape if image_shape is None else (0, 0), digit_shape,
                              name)
    if layout is not None and layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS} or None, got {layout!r}.")
    if (not isinstance(n_digits, numbers.Integral) or isinstance(n_digits, bool)
            or n_digits < 1):
        raise ValueError(f"n_digits must be a positive int, got {n_digits!r}.")
    n_numbers = 1 if layout is None else 2
    if len(sample_shape) == 1 and image_shape is not None:  # the caller says the image shape
        image_shape = (1, sample_shape[0]) if image_shape == VECTOR else image_shape
        if image_shape[0] * image_shape[1] != sample_shape[0]:
            raise ValueError(
                f"{name} has {sample_shape[0]} features per sample, expected "
                f"{image_shape[0] * image_shape[1]} (image_shape={image_shape})."
            )
        sample_shape = image_shape
    elif image_shape is not None and tuple(sample_shape[:2]) != (
            (1, sample_shape[1]) if image_shape == VECTOR else image_shape):
        raise ValueError(f"{name} holds images of shape {tuple(sample_shape[:2])}, but "
                         f"image_shape={image_shape!r}.")
    if len(sample_shape) == 1:
        shape = _flat_digit_shape(sample_shape[0], digit_shape, n_numbers * n_digits,
                                  layout, name)
        return Geometry(shape, layout, int(n_digits))
    if len(sample_shape) not in (2, 3):
        raise ValueError(f"{name} must hold flattened samples or images (n, height, width"
                         f"[, channels]), got samples of shape {sample_shape}.")
    height, width = sample_shape[:2]
    down = 2 if layout == "vertical" else 1
    across = n_digits * (1 if layout in (None, "vertical") else 2)
    if height % down:
        raise ValueError(f"{name} holds images of {height} x {width} pixels, whose height does "
                         "not hold two numbers stacked: a vertical pair needs an even height.")
    if width % across:
        need = "an even width" if across == 2 else f"a width that is a multiple of {across}"
        raise ValueError(
            f"{name} holds images of {height} x {width} pixels, whose width does not hold "
            f"{across} digits side by side (layout={layout!r}, n_digits={n_digits}): it "
            f"needs {need}."
        )
    shape = (height // down, width // across)
    expected = (1, shape[1]) if digit_shape == VECTOR else digit_shape
    if expected is not None and shape != expected:
        raise ValueError(f"{name} holds digits of shape {shape} (images {height} x {width}, "
                         f"layout={layout!r}), but digit_shape={digit_shape!r}.")
    # a square image of digit size where several digits are expected is one digit
    single = height == width >= _MIN_IMAGE_SIDE and down * across > 1
    if digit_shape is None and shape[0] != shape[1] and (n_digits > 1 or single):
        hint = (f" (single digit images, where samples of {_plural(down * across)} are "
                "expected?)" if single else "")
        raise ValueError(
            f"{name} has images of shape {(height, width)}{hint}: with n_digits={n_digits} "
            f"and layout={layout!r} each digit would be {shape[0]} x {shape[1]}. Check "
            f"{name}, n_digits and layout, or pass digit_shape={shape} if the digits are not "
            "square."
        )
    return Geometry(shape, layout, int(n_digits))


def sample_image_shape(shape, *, name="X"):
    """(height, width) of the samples of an array of shape ``shape`` given as images.

    ``(n, height, width)`` and ``(n, height, width, 1)`` (a channel axis) are images;
    ``(n, n_features)`` is flattened (None). Anything else is a ValueError naming
    ``shape``; the pixels of both spellings are read row by row, so the flattened
    sample of an image is ``image.reshape(-1)``.

    >>> from sumdigits._geometry import sample_image_shape
    >>> sample_image_shape((5, 28, 56, 1)), sample_image_shape((5, 1568))
    ((28, 56), None)
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) == 2:
        return None
    if len(shape) == 3 or (len(shape) == 4 and shape[3] == 1):
        return shape[1:3]
    if len(shape) == 4:
        raise ValueError(
            f"{name} holds images with {shape[3]} channels (shape {shape}); the digits are "
            "grey-scale: give X as (n, height, width), (n, height, width, 1) or flattened "
            "(n, height * width)."
        )
    raise ValueError(
        f"{name} must be a 2-D array (n, height * width), a 3-D array (n, height, width) or "
        f"a 4-D array (n, height, width, 1) of images, got an array of shape {shape}."
    )


def check_spelling(shape, image_shape, n_features, *, name="X", owner="the estimator"):
    """Raise unless an array of ``shape`` spells samples like those seen in ``fit``.

    The samples seen in ``fit`` were images of ``image_shape`` (None when they were
    not images) holding ``n_features`` values in all. The same samples may be given
    flattened, ``(n, n_features)``, or as images ``(n, *image_shape)``, with or
    without a channel axis of 1 (images seen with several channels, in their own
    spelling or flattened). The error names ``shape``, the array the caller got.

    >>> from sumdigits._geometry import check_spelling
    >>> check_spelling((5, 1568), (28, 56), 1568)
    >>> check_spelling((5, 56, 28), (28, 56), 1568)
    Traceback (most recent call last):
    ...
    ValueError: X has samples of shape (56, 28) (X.shape=(5, 56, 28)), but the estimator was fitted on samples of shape (28, 56) (1568 features): give X flattened (n, 1568), as images (n, 28, 56) or (n, 28, 56, 1).
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) == 2:
        if shape[1] != n_features:  # scikit-learn's words
            raise ValueError(f"{name} has {shape[1]} features, but {owner} is expecting "
                             f"{n_features} features as input.")
        return
    image = shape[1:3] if len(shape) in (3, 4) else None
    if image is not None and image == (None if image_shape is None else tuple(image_shape)) \
            and math.prod(shape[1:]) == n_features:
        return
    if image_shape is None:
        seen = f"flattened samples of {n_features} features, not images"
        spellings = f"give {name} flattened (n, {n_features})"
    else:
        h, w = image_shape
        seen = f"samples of shape {(h, w)} ({n_features} features)"
        spellings = (f"give {name} flattened (n, {n_features}), as images (n, {h}, {w})"
                     + (f" or (n, {h}, {w}, 1)" if h * w == n_features else ""))
    raise ValueError(f"{name} has samples of shape {shape[1:]} ({name}.shape={shape}), but "
                     f"{owner} was fitted on {seen}: {spellings}.")


#: Side of the smallest square part that a ``"vector"`` split warns about (scikit-learn's
#: 8 x 8 digits).
_MIN_IMAGE_SIDE = 8


def _stacklevel():
    """The stack level of the first caller outside sumdigits and scikit-learn, for warnings.

    scikit-learn's frames are passed over too: they are its wrappers around the
    estimators' methods (``set_output``) and its meta-estimators, not the user's code.
    """
    import sys

    frame, level = sys._getframe(1), 1
    packages = (__name__.rsplit(".", 1)[0] + ".", "sklearn.")
    while frame is not None and (frame.f_globals.get("__name__", "") + ".").startswith(packages):
        frame, level = frame.f_back, level + 1
    return level
