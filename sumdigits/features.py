"""Features and augmentation of report 004: HOG descriptors and Gaussian-noise copies.

:class:`HOGTransformer` turns digit (or pair) images into histograms of oriented
gradients with scikit-image; :class:`GaussianNoiseAugmenter` adds noisy copies of
the training images with the imbalanced-learn ``fit_resample`` convention, so it can
sit in an :class:`imblearn.pipeline.Pipeline` and only ever touch training data.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context

from ._geometry import LAYOUTS, Geometry, shape_constraint
from ._samplers import BaseSampler
from ._validation import (
    check_sample_images,
    validate_data,
    validate_images,
)

__all__ = ["HOGTransformer", "GaussianNoiseAugmenter"]


def _pair_of_ints(value, name):
    """A (rows, cols) pair of positive ints from an int or a pair."""
    pair = (value, value) if isinstance(value, numbers.Integral) else tuple(value)
    if len(pair) != 2 or not all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) and v > 0 for v in pair
    ):
        raise ValueError(f"{name} must be a positive int or a pair of them, got {value!r}.")
    return int(pair[0]), int(pair[1])


class HOGTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Histogram of oriented gradients of each image, with :func:`skimage.feature.hog`.

    The image is cut into cells of ``pixels_per_cell``; each cell gets a histogram
    of its gradient orientations in ``orientations`` bins; the histograms are
    normalised over overlapping blocks of ``cells_per_block``. With the defaults
    (report 004: 7 x 7-pixel cells, 2 x 2-cell blocks, 9 orientations) a 28 x 28
    digit has 4 x 4 cells, 3 x 3 blocks and 3 * 3 * 2 * 2 * 9 = 324 features.
    Pair images (``layout`` given) get the descriptors of their two digits side
    by side, 648 features.

    Parameters
    ----------
    orientations : int, default=9
        Orientation bins of each histogram.
    pixels_per_cell : int or tuple of int, default=(7, 7)
        (rows, cols) of a cell.
    cells_per_block : int or tuple of int, default=(2, 2)
        (rows, cols) of the blocks the histograms are normalised over.
    block_norm : {"L1", "L1-sqrt", "L2", "L2-Hys"}, default="L2-Hys"
        The block normalisation (see :func:`skimage.feature.hog`).
    transform_sqrt : bool, default=False
        Take the square root of the pixels first (power-law compression).
    layout : {"horizontal", "vertical"} or None, default=None
        None for single images; otherwise ``X`` holds pair images laid out so,
        and each of their two digits is described separately.
    digit_shape : tuple of int, "vector" or None, default=None
        (height, width) of one digit when ``X`` is flattened; by default square
        (28 x 28 for 784 pixels per digit). For 3-D ``X`` it is read from the
        array. "vector" takes the rows of ``X`` as plain feature vectors: one
        row of pixels (1 x n_features), or with ``layout``, the two halves of
        the row.

    Attributes
    ----------
    digit_shape_ : tuple of int
        (height, width) of one described digit.
    n_features_in_ : int
        Pixels per sample in ``fit``; ``X`` may be given flattened, as images
        (n, height, width) or with a channel axis (n, height, width, 1), at
        ``fit`` and after it.
    n_features_out_ : int
        Features per sample of the output.

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits.features import HOGTransformer
    >>> digits = np.random.RandomState(0).randint(0, 256, size=(3, 784))
    >>> HOGTransformer().fit_transform(digits).shape
    (3, 324)
    >>> pairs = np.zeros((3, 28, 56))
    >>> HOGTransformer(layout="horizontal").fit_transform(pairs).shape
    (3, 648)
    """

    _parameter_constraints: dict = {
        "orientations": [Interval(numbers.Integral, 1, None, closed="left")],
        "pixels_per_cell": [Interval(numbers.Integral, 1, None, closed="left"), tuple, list],
        "cells_per_block": [Interval(numbers.Integral, 1, None, closed="left"), tuple, list],
        "block_norm": [StrOptions({"L1", "L1-sqrt", "L2", "L2-Hys"})],
        "transform_sqrt": ["boolean"],
        "layout": [StrOptions(set(LAYOUTS)), None],
        "digit_shape": shape_constraint(),
    }

    def __init__(
        self,
        *,
        orientations=9,
        pixels_per_cell=(7, 7),
        cells_per_block=(2, 2),
        block_norm="L2-Hys",
        transform_sqrt=False,
        layout=None,
        digit_shape=None,
    ):
        self.orientations = orientations
        self.pixels_per_cell = pixels_per_cell
        self.cells_per_block = cells_per_block
        self.block_norm = block_norm
        self.transform_sqrt = transform_sqrt
        self.layout = layout
        self.digit_shape = digit_shape

    def _images(self, X, digit_shape):
        """The digits to describe, (n_parts, n, h, w): one per image, or two per pair."""
        images, _, geometry = check_sample_images(X, digit_shape=digit_shape,
                                                  layout=self.layout)
        return geometry.digits(images)[:, :, 0].transpose(1, 0, 2, 3)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the images and the HOG geometry.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Images (or pair images when ``layout`` is given).
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        X, geometry = validate_images(self, X, reset=True, digit_shape=self.digit_shape,
                                      layout=self.layout, dtype="numeric")
        cell = _pair_of_ints(self.pixels_per_cell, "pixels_per_cell")
        block = _pair_of_ints(self.cells_per_block, "cells_per_block")
        images = self._images(X, geometry.digit_shape)
        self.digit_shape_ = tuple(images.shape[2:])
        cells = (self.digit_shape_[0] // cell[0], self.digit_shape_[1] // cell[1])
        if cells[0] < block[0] or cells[1] < block[1]:
            raise ValueError(
                f"Images of {self.digit_shape_[0]} x {self.digit_shape_[1]} pixels hold "
                f"{cells[0]} x {cells[1]} cells of pixels_per_cell={cell}, fewer than one "
                f"block of cells_per_block={block}: use smaller cells or blocks."
            )
        blocks = (cells[0] - block[0] + 1) * (cells[1] - block[1] + 1)
        self.n_features_out_ = images.shape[0] * blocks * block[0] * block[1] * self.orientations
        self._n_features_out = self.n_features_out_
        return self

    def transform(self, X):
        """HOG descriptors of the images.

        Parameters
        ----------
        X : array-like of images, as in :meth:`fit`

        Returns
        -------
        features : ndarray of shape (n_samples, ``n_features_out_``)
        """
        from skimage.feature import hog

        check_is_fitted(self)
        X, _ = validate_images(self, X, reset=False, dtype="numeric",
                               geometry=Geometry(self.digit_shape_, self.layout))
        images = self._images(X, self.digit_shape_)
        options = dict(
            orientations=self.orientations,
            pixels_per_cell=_pair_of_ints(self.pixels_per_cell, "pixels_per_cell"),
            cells_per_block=_pair_of_ints(self.cells_per_block, "cells_per_block"),
            block_norm=self.block_norm,
            transform_sqrt=self.transform_sqrt,
            feature_vector=True,
        )
        n = images.shape[1]
        out = np.empty((n, self.n_features_out_))
        width = self.n_features_out_ // images.shape[0]
        for part, stack in enumerate(images):
            for i, image in enumerate(stack):
                out[i, part * width:(part + 1) * width] = hog(
                    image.astype(np.float64, copy=False), **options
                )
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


class GaussianNoiseAugmenter(BaseSampler):
    """Add copies of the images with Gaussian noise (report 004, section 5.2).

    ``fit_resample(X, y)`` returns the original samples followed by ``n_copies``
    noisy copies of each, ``x + N(0, sigma^2)`` pixel by pixel, with their labels
    repeated. The report adds ``sigma=0.01`` to images scaled to [0, 1], doubling
    60,000 training digits to 120,000. Following imbalanced-learn's sampler
    convention, ``sample_indices_`` says which input row each output row copies;
    in an :class:`imblearn.pipeline.Pipeline` it augments the training data only.

    Parameters
    ----------
    sigma : float, default=0.01
        Standard deviation of the noise, in the units of ``X`` (scale pixels to
        [0, 1] first for the report's setting).
    n_copies : int, default=1
        Noisy copies of each sample.
    keep_original : bool, default=True
        Whether the output starts with the noise-free samples.
    clip : tuple of float or None, default=None
        (low, high) to clip the noisy values to, e.g. ``(0, 1)``; None keeps them
        as drawn.
    random_state : int, RandomState instance or None, default=None
        Seed of the noise.

    Attributes
    ----------
    sample_indices_ : ndarray of shape (n_samples_out,)
        Index into ``X`` of the sample each output row comes from.
    n_features_in_ : int
        Values per sample in ``fit_resample``: pixels, for images of any shape.

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits.features import GaussianNoiseAugmenter
    >>> X, y = np.zeros((4, 784)), np.array([0, 1, 2, 3])
    >>> X_res, y_res = GaussianNoiseAugmenter(n_copies=2, random_state=0).fit_resample(X, y)
    >>> X_res.shape, y_res.tolist()
    ((12, 784), [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3])
    >>> augmenter = GaussianNoiseAugmenter(random_state=0)
    >>> augmenter.fit_resample(np.zeros((4, 28, 28)), y)[0].shape, augmenter.n_features_in_
    ((8, 28, 28), 784)
    """

    _parameter_constraints: dict = {
        "sigma": [Interval(numbers.Real, 0, None, closed="left")],
        "n_copies": [Interval(numbers.Integral, 1, None, closed="left")],
        "keep_original": ["boolean"],
        "clip": [tuple, list, None],
        "random_state": ["random_state"],
    }

    def __init__(self, *, sigma=0.01, n_copies=1, keep_original=True, clip=None,
                 random_state=None):
        self.sigma = sigma
        self.n_copies = n_copies
        self.keep_original = keep_original
        self.clip = clip
        self.random_state = random_state

    def _check_inputs(self, X, y):
        if self.clip is not None:
            if len(self.clip) != 2 or not self.clip[0] < self.clip[1]:
                raise ValueError(f"clip must be (low, high) with low < high, got {self.clip!r}.")
        X, y = validate_data(self, X, y, allow_nd=True, multi_output=True,
                             dtype=[np.float64, np.float32])
        self.n_features_in_ = int(np.prod(X.shape[1:]))  # pixels, for images too
        return X, y

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        n = X.shape[0]
        noisy = np.repeat(X[None], self.n_copies, axis=0)
        noisy += rng.normal(0.0, self.sigma, size=noisy.shape).astype(X.dtype, copy=False)
        if self.clip is not None:
            np.clip(noisy, self.clip[0], self.clip[1], out=noisy)
        parts = ([X[None]] if self.keep_original else []) + [noisy]
        X_res = np.concatenate(parts).reshape(-1, *X.shape[1:])
        self.sample_indices_ = np.tile(np.arange(n), len(X_res) // n)
        return X_res, np.asarray(y)[self.sample_indices_]
