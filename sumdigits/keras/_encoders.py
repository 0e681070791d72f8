"""The input and target encoders of the Keras estimators.

:class:`ImageInputEncoder` reshapes and scales the samples for the network, with
:func:`pixel_range`, :func:`decide_scale` and :func:`warn_if_rescaled` deciding and
checking the scale; ``_LabelEncoder`` is scikeras' label encoder with a clearer error
for targets that hold no class labels.
"""

from __future__ import annotations

import warnings

import keras
import numpy as np
from scikeras.utils.transformers import ClassifierLabelEncoder
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from .._geometry import _stacklevel, resolve_geometry

__all__ = ["ImageInputEncoder", "decide_scale", "network_input", "pixel_range",
           "warn_if_rescaled"]


def pixel_range(X):
    """The range of the values of X: "0..1", "0..255" or None.

    "0..1": every value in [0, 1], some above 0. "0..255": every value in
    [0, 255], some above 1. None: anything else (a negative value, a value above
    255, no value above 0, no numeric value). NaN values are ignored.

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits.keras._encoders import pixel_range
    >>> pixel_range(np.array([0, 17, 255])), pixel_range([0.0, 0.5]), pixel_range([-1.2, 0.3])
    ('0..255', '0..1', None)
    """
    X = np.asarray(X)
    if X.size == 0 or X.dtype.kind not in "biuf":
        return None
    low, high = float(np.fmin.reduce(X, axis=None)), float(np.fmax.reduce(X, axis=None))
    if not low >= 0:  # negative, or all NaN
        return None
    if 0 < high <= 1:
        return "0..1"
    if 1 < high <= 255:
        return "0..255"
    return None


def decide_scale(X, rescale):
    """``(scale, pixel_range(X))``: the factor ``rescale`` applies to the values of X.

    ``rescale="auto"`` gives 1 / 255 for data in [0, 255] with a value above 1 (and
    for ``uint8`` data that are all zero) and 1 for any other data; a float is the
    factor, ``None`` is 1.
    """
    kind = pixel_range(X)
    if isinstance(rescale, str):
        if rescale != "auto":
            raise ValueError(f"rescale must be 'auto', a float or None, got {rescale!r}.")
        byte = kind == "0..255" or (kind is None and np.asarray(X).dtype == np.uint8)
        return (1.0 / 255.0 if byte else 1.0), kind
    return (1.0 if rescale is None else float(rescale)), kind


def warn_if_rescaled(X, fitted_range, *, name="X"):
    """Warn (UserWarning) when X is in [0, 1] and the fit's data in [0, 255], or the reverse.

    X is taken to be in [0, 255] when at least 1 % of its values exceed 1: data
    scaled to [0, 1] on other samples may exceed 1 at a few pixels.

    Both are the same pixels scaled differently: a network trained on one range
    and asked about the other predicts nearly at random.
    """
    kind = pixel_range(X) if fitted_range is not None else None
    if kind is None or kind == fitted_range:
        return
    if kind == "0..255" and np.mean(np.asarray(X) > 1) < 0.01:
        return  # a few values above 1: data scaled to [0, 1] on other samples (MinMaxScaler)
    fix = "divide X by 255" if kind == "0..255" else "multiply X by 255"
    warnings.warn(
        f"{name} holds values in {kind.replace('..', ' to ')}, but the data given to fit "
        f"held values in {fitted_range.replace('..', ' to ')}: the same pixels on another "
        f"scale, which the network would read wrongly. Scale {name} as at fit ({fix}).",
        UserWarning, stacklevel=_stacklevel())


def network_input(X, scale, fitted_range):
    """X as the network takes it: Keras' float type, times ``scale`` in one pass.

    Warns first when X is on the other pixel scale than the data of ``fit``
    (``fitted_range``, :func:`warn_if_rescaled`).
    """
    warn_if_rescaled(X, fitted_range)
    dtype = keras.backend.floatx()
    if scale == 1.0:
        return np.asarray(X, dtype=dtype)
    return np.multiply(X, scale, dtype=dtype)  # one pass, one new array


class ImageInputEncoder(TransformerMixin, BaseEstimator):
    """Reshape and scale images (or feature vectors) for a Keras network.

    Parameters
    ----------
    image_shape : tuple of int, "vector" or None, default=None
        The (height, width) of flattened images. ``None`` infers it: 784 features
        are a 28 x 28 digit, 1568 a 28 x 56 pair (two digits side by side, the
        default layout of :func:`sumdigits.make_digit_pairs`), a perfect square
        ``d`` a ``sqrt(d) x sqrt(d)`` image, twice a square two of them side by side
        (:func:`sumdigits._geometry.resolve_geometry`, ``layout="auto"``).
        "vector": plain feature vectors, a 1 x n_features image each.
    rescale : "auto", float or None, default="auto"
        Factor applied to the pixels. "auto" decides from the data given to
        ``fit``, whatever their dtype (:func:`decide_scale`): values in [0, 255]
        of which some exceed 1 (8-bit pixels, as integers or floats, and any
        ``uint8`` input) are divided by 255; values in [0, 1] are kept; any
        other data (standardised or centred pixels, negative values, values
        above 255, features that are not pixels) are kept as they are. A float
        is the factor itself; ``None`` means 1.
    as_images : bool, default=False
        Give the network images (n, height, width[, channels]) rather than
        flattened vectors (n, n_features).

    Attributes
    ----------
    input_shape_ : tuple of int
        The shape of one sample as the network sees it.
    scale_ : float
        The factor applied to the pixels: 1 / 255 or 1 under "auto".
    pixel_range_ : {"0..1", "0..255"} or None
        The range of the data seen by ``fit`` (:func:`pixel_range`). ``transform``
        warns (UserWarning) when its data are in the other of the two ranges:
        pixels scaled differently from those the network learned from.
    """

    def __init__(self, *, image_shape=None, rescale="auto", as_images=False):
        self.image_shape = image_shape
        self.rescale = rescale
        self.as_images = as_images

    def fit(self, X, y=None):
        X = np.asarray(X)
        if X.ndim == 2 and not self.as_images:
            self.input_shape_ = (X.shape[1],)
        elif X.ndim == 2:
            self.input_shape_ = resolve_geometry(X.shape[1:], image_shape=self.image_shape,
                                                 layout="auto").image_shape
        elif X.ndim in (3, 4):
            resolve_geometry(X.shape[1:], image_shape=self.image_shape, layout="auto")
            self.input_shape_ = X.shape[1:] if self.as_images else (int(np.prod(X.shape[1:])),)
        else:
            raise ValueError(
                "X must be a 2-D array (n_samples, n_features) or a stack of images "
                f"(n_samples, height, width[, channels]); got an array of shape {X.shape}."
            )
        self.scale_, self.pixel_range_ = decide_scale(X, self.rescale)
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = np.asarray(X).reshape(-1, *self.input_shape_)
        return network_input(X, self.scale_, self.pixel_range_)


class _LabelEncoder(ClassifierLabelEncoder):
    """scikeras' label encoder, saying what ``y`` must be when it holds no class labels."""

    def fit(self, y):
        kind = type_of_target(y, input_name="y")
        if kind in ("continuous", "continuous-multioutput", "unknown"):
            values = np.asarray(y).ravel()
            if kind != "unknown":
                values = values[values != np.round(values)]
            raise ValueError(
                f"Unknown label type {kind!r}: y must hold class labels (integers, strings "
                "or booleans), one per sample: a classifier predicts one of the labels it "
                f"saw; got values such as {values[:1].tolist()[0]!r}. Round them to classes, "
                "or use a regressor.")
        return super().fit(y)
