"""Input checks shared by every public function of sumdigits.

Each check raises a :class:`ValueError` or :class:`TypeError` whose message names
the argument and says what was expected, in the manner of scikit-learn. Nothing
is clipped, cast past its meaning, or dropped silently.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state as sklearn_check_random_state
from sklearn_compat.utils.validation import validate_data as _validate_data

from ._geometry import LAYOUTS, check_spelling, resolve_geometry, sample_image_shape

N_DIGIT_CLASSES = 10
N_SUM_CLASSES = 19


def check_samples(X, y=None, *, name="X", y_name="y", max_ndim=4, min_samples=1):
    """Check what scikit-learn's ``check_array`` checks, in messages naming the argument.

    For estimators that take any numeric features (not only pixels): ``X`` must
    be a dense numeric array of 2 to ``max_ndim`` dimensions with at least
    ``min_samples`` rows, finite, and ``y`` (when given) of the same length.
    Lists, object arrays of numbers and data frames pass; the data are not
    converted or copied here (the estimator's own validation does that).
    """
    if X is None or hasattr(X, "toarray") or hasattr(X, "tocsr"):
        return  # sparse input: the estimator's own check words it
    X = np.asarray(X)
    if X.dtype.kind in "USV":
        raise ValueError(
            f"{name} must hold numeric values, got an array of strings (dtype {X.dtype}); "
            "convert your data to numbers."
        )
    if X.dtype == object:
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise type(exc)(
                f"{name} must hold numeric values, got an object array: {exc}"
            ) from None
    if X.ndim < 2:
        raise ValueError(
            f"{name} must be a 2-D array (n_samples, n_features) or a stack of images, got a "
            f"{X.ndim}-D array of shape {X.shape}. Reshape your data: X.reshape(1, -1) for a "
            "single sample, X.reshape(-1, 1) for a single feature."
        )
    if X.ndim > max_ndim:
        raise ValueError(
            f"{name} must have at most {max_ndim} dimensions, got a {X.ndim}-D array of shape "
            f"{X.shape}."
        )
    if X.shape[0] < min_samples:
        raise ValueError(
            f"{name} holds {X.shape[0]} sample(s) (shape={X.shape}); at least {min_samples} "
            "required."
        )
    if np.issubdtype(X.dtype, np.inexact) and X.size and not np.isfinite(X).all():
        kind = "NaN" if np.isnan(X).any() else "infinity"
        raise ValueError(f"{name} contains {kind}; every value must be finite.")
    if y is not None:
        check_n_labels(y, X.shape[0], name=y_name, X_name=name)


def validate_data(estimator, X="no_validation", y="no_validation", **check_params):
    """scikit-learn's ``validate_data``, after :func:`check_samples` has named what is wrong.

    scikit-learn words many defects without the argument's name ("Input
    contains NaN", "Found input variables with inconsistent numbers of
    samples"); this checks them first in the words of this package.
    """
    if not isinstance(X, str):
        check_samples(
            X, None if isinstance(y, str) else y,
            max_ndim=4 if check_params.get("allow_nd") else 2,
            min_samples=check_params.get("ensure_min_samples", 1),
        )
    return _validate_data(estimator, X, y, **check_params)


def validate_images(estimator, X, y="no_validation", *, reset, digit_shape=None,
                    layout="horizontal", geometry=None, **check_params):
    """:func:`validate_data` for samples that are images, in any of their spellings.

    ``X`` may be flattened (n, height * width), images (n, height, width) or images
    with a channel axis (n, height, width, 1). It is validated flattened, so
    ``n_features_in_`` counts the pixels of a sample and the same samples in
    another spelling pass after ``fit``. With ``reset`` the geometry is read from
    ``X``'s shape, ``digit_shape`` and ``layout``; without, ``X`` must spell samples
    of the fitted ``geometry`` (errors name the shape given).

    Returns
    -------
    X : ndarray of shape (n, n_features)
        ``X`` validated and flattened.
    y : ndarray
        Only when ``y`` is given.
    geometry : Geometry
        Where the digits are in each sample.
    """
    if isinstance(X, str) or hasattr(X, "toarray") or hasattr(X, "tocsr"):
        return validate_data(estimator, X, y, reset=reset, **check_params)  # its own words
    check_samples(X, None if isinstance(y, str) else y, max_ndim=4)
    if not hasattr(X, "iloc"):  # a data frame goes on as it is: it keeps its column names
        X = np.asarray(X)
        if X.dtype == object:
            X = X.astype(np.float64)  # numbers held as objects (check_samples tried it)
    shape = np.shape(X)
    if not reset:
        check_spelling(shape, geometry.image_shape, geometry.n_features,
                       owner=type(estimator).__name__)
    if len(shape) > 2:
        X = np.reshape(X, (shape[0], -1))
    out = validate_data(estimator, X, y, reset=reset, **check_params)
    if reset:  # the geometry of the samples as given (errors name their shape)
        flat = out[0] if isinstance(out, tuple) else out
        geometry = check_sample_images(flat.reshape(shape), digit_shape=digit_shape,
                                       layout=layout)[2]
    return (*out, geometry) if isinstance(out, tuple) else (out, geometry)


def check_n_classes(classes, *, estimator, name="y"):
    """Raise unless ``classes`` (those a classifier found in ``y``) number at least 2.

    None stands for classes too many to list (the sums of two numbers of more than 4
    digits), which are always more than 2.
    """
    if classes is not None and len(classes) < 2:
        raise ValueError(
            f"{name} holds 1 class ({classes[0]!r}): {estimator} needs samples of at least "
            "2 classes to fit."
        )


def check_n_labels(y, n_samples, *, name="y", X_name="X"):
    """Raise unless ``y`` has ``n_samples`` rows."""
    shape = np.asarray(y).shape
    n = shape[0] if shape else 1
    if n != n_samples:
        raise ValueError(
            f"{name} has {n} labels but {X_name} has {n_samples} samples (inconsistent numbers "
            "of samples); they must have the same length."
        )


def _check_pixels(X, name):
    """Numeric, real and finite: any such values (standardised pixels too) are images."""
    if X.dtype == object or not (
        np.issubdtype(X.dtype, np.number) or X.dtype == np.bool_
    ):
        raise TypeError(f"{name} must hold numeric pixel values, got dtype {X.dtype}.")
    if np.issubdtype(X.dtype, np.complexfloating):
        raise ValueError(f"Complex data not supported: {name} must hold real pixel values, "
                         f"got dtype {X.dtype}.")
    if np.issubdtype(X.dtype, np.floating) and X.size:
        finite = np.isfinite(X)
        if not finite.all():
            kind = "NaN" if np.isnan(X).any() else "infinite"
            raise ValueError(f"{name} contains {kind} pixel values; pixels must be finite.")


def check_sample_images(X, *, digit_shape=None, layout=None, n_digits=1, image_shape=None,
                        name="X", min_samples=1):
    """Validate a stack of grey-scale images of digits, pairs or number pairs.

    Pixels may be any real, finite values (scaled or standardised pixels are
    images too).

    Parameters
    ----------
    X : array-like of shape (n, n_features), (n, height, width) or (n, height, width, 1)
        Images, flattened row-major, 3-D, or with a channel axis.
    digit_shape : tuple of int, "vector" or None, default=None
        (height, width) of one digit; see :func:`sumdigits._geometry.resolve_geometry`,
        which reads the geometry of the samples.
    layout : {"horizontal", "vertical", "auto"} or None, default=None
        None for digit images; a pair's layout for pair images.
    n_digits : int, default=1
        Digits per number.
    image_shape : tuple of int, "vector" or None, default=None
        (height, width) of a whole sample, when the caller knows it.
    name : str
        The argument's name for error messages.
    min_samples : int, default=1
        The fewest images accepted.

    Returns
    -------
    images : ndarray of shape (n, height, width)
        A view of ``X`` when possible; dtype is kept.
    flat : bool
        Whether ``X`` was given flattened.
    geometry : Geometry
        Where the digits are in each image.
    """
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise TypeError(f"{name} must be a dense array of images; sparse input is not supported.")
    X = np.asarray(X)
    _check_pixels(X, name)
    image = sample_image_shape(X.shape, name=name)  # a channel axis of 1 is dropped
    geometry = resolve_geometry(X.shape[1:2] if image is None else image,
                                digit_shape=digit_shape, layout=layout,
                                n_digits=n_digits, image_shape=image_shape, name=name)
    if X.shape[0] < min_samples:
        raise ValueError(f"{name} holds {X.shape[0]} image(s); at least {min_samples} required.")
    return X.reshape(X.shape[0], *geometry.image_shape), X.ndim == 2, geometry


def check_images(X, *, digit_shape=None, name="X", min_samples=1):
    """Validate a stack of digit images: :func:`check_sample_images` with ``layout=None``.

    Returns
    -------
    images : ndarray of shape (n, height, width)
    flat : bool
        Whether ``X`` was given flattened.
    """
    images, flat, _ = check_sample_images(X, digit_shape=digit_shape, name=name,
                                          min_samples=min_samples)
    return images, flat


def _check_integer_labels(y, *, name, low, high, what):
    if hasattr(y, "toarray"):
        raise TypeError(f"{name} must be a dense array of {what}.")
    y = np.asarray(y)
    if y.dtype == object and y.ndim:  # numbers held as Python objects, as from pandas
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must hold integer {what} in {low}..{high}; Unknown label "
                            "type: an object array that is not numbers.") from None
    if np.issubdtype(y.dtype, np.complexfloating):
        raise ValueError(f"Complex data not supported: {name} must hold integer {what}.")
    if y.dtype == object or not (
        np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.floating)
        or y.dtype == np.bool_
    ):
        raise TypeError(f"{name} must hold integer {what} in {low}..{high}, got dtype {y.dtype}.")
    if y.size and np.issubdtype(y.dtype, np.floating):
        if not np.isfinite(y).all():
            raise ValueError(f"{name} contains NaN or infinite values; expected {what}.")
        if not np.array_equal(y, np.round(y)):
            raise ValueError(f"{name} must hold whole numbers ({what}), got fractional values "
                             "(a continuous target).")
    if y.size and (y.min() < low or y.max() > high):
        bad = y[(y < low) | (y > high)]
        raise ValueError(
            f"{name} must hold {what} in {low}..{high}; found {bad.ravel()[:5].tolist()}."
        )
    return y.astype(np.intp, copy=False)


def check_digit_labels(y, *, name="y", n_samples=None, ndim=1):
    """Validate digit labels (0..9), 1-D, or (n, 2) when ``ndim=2``."""
    y = _check_integer_labels(y, name=name, low=0, high=9, what="digit labels")
    if ndim == 1 and y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != ndim or (ndim == 2 and y.shape[1] != 2):
        want = "(n_samples,)" if ndim == 1 else "(n_samples, 2)"
        raise ValueError(f"{name} must have shape {want}, got {y.shape}.")
    if n_samples is not None:
        check_n_labels(y, n_samples, name=name)
    return y


def check_sum_labels(y, *, name="y", n_samples=None, max_sum=18):
    """Validate sum labels (0..``max_sum``), 1-D."""
    y = _check_integer_labels(y, name=name, low=0, high=max_sum, what="sums")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"{name} must have shape (n_samples,), got {y.shape}.")
    if n_samples is not None:
        check_n_labels(y, n_samples, name=name)
    return y


def check_random_state(random_state, *, name="random_state"):
    """A ``numpy.random.RandomState`` from ``random_state``, as the functions of sumdigits take it.

    ``None``, an int and a ``RandomState`` instance as in scikit-learn's
    :func:`~sklearn.utils.check_random_state`; a ``numpy.random.Generator`` too: the
    RandomState returned draws from its bit generator, so the Generator advances
    as it would by drawing itself. Anything else is a ValueError naming ``name``.
    """
    if isinstance(random_state, np.random.Generator):
        return np.random.RandomState(random_state.bit_generator)
    if random_state is None or isinstance(random_state, np.random.RandomState) or (
            isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool)
            and 0 <= random_state < 2**32):
        return sklearn_check_random_state(random_state)
    raise ValueError(f"{name} must be None, an int in [0, 2**32 - 1], a numpy RandomState or a "
                     f"numpy Generator; got {random_state!r}.")


def check_layout(layout, *, name="layout"):
    if not isinstance(layout, str) or layout not in LAYOUTS:
        raise ValueError(f"{name} must be one of {LAYOUTS}, got {layout!r}.")
    return layout

