"""The scikeras encoders of the neuro-symbolic estimators.

:class:`NumberPairEncoder` cuts samples of two N-digit numbers into their 2N digit
images, scaled; :class:`SumEncoder` writes sums as their N + 1 decimal digits and
reads the network's position-sum distributions back as sums. Parts of
:class:`~sumdigits.keras.neurosymbolic.NeuroSymbolicSumClassifier` rather than
public estimators.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._sums import digits_to_sums, max_sum, most_probable_sum_digits, sums_to_digits
from ._encoders import decide_scale, network_input
from ._ns_graph import MAX_ENUMERATED_DIGITS, check_enumerable, sum_proba
from ._ns_numbers import check_numbers, split_numbers

__all__ = ["NumberPairEncoder", "SumEncoder"]


class NumberPairEncoder(TransformerMixin, BaseEstimator):
    """Split samples of two N-digit numbers into their 2N digit images, scaled.

    Parameters
    ----------
    n_digits : int, default=1
    layout : {"horizontal", "vertical"} or None, default="horizontal"
        None: each sample is one number, a strip of ``n_digits`` digits side by
        side (the samples of
        :class:`~sumdigits.keras.digit_functions.NeuroSymbolicFunctionClassifier`).
    digit_shape : tuple of int, "vector" or None, default=None
        (height, width) of one digit of flattened samples (default 28 x 28), or
        "vector": each digit is one row of features (the sample cut in one part
        per digit).
    rescale : "auto", float or None, default="auto"
        As in :class:`~sumdigits.keras._encoders.ImageInputEncoder`.

    Attributes
    ----------
    input_shape_ : tuple of int
        ``(2N, height, width, 1)``, or ``(N, height, width, 1)`` for one number.
    digit_shape_ : tuple of int
        ``(height, width)``.
    image_shape_ : tuple of int
        ``(height, width)`` of a whole sample as an image (samples may be given
        flattened, as images, or with a channel axis of 1).
    scale_ : float
    pixel_range_ : {"0..1", "0..255"} or None
        The range of the data given to ``fit``
        (:func:`~sumdigits.keras._encoders.pixel_range`).
    """

    def __init__(self, *, n_digits=1, layout="horizontal", digit_shape=None, rescale="auto"):
        self.n_digits = n_digits
        self.layout = layout
        self.digit_shape = digit_shape
        self.rescale = rescale

    def _split(self, X):
        """The digit images of samples ``X``, (n, n_numbers, n_digits, height, width)."""
        return split_numbers(X, n_digits=self.n_digits, layout=self.layout,
                             digit_shape=self.digit_shape)

    def fit(self, X, y=None):
        X = np.asarray(X)
        _, geometry = check_numbers(X, n_digits=self.n_digits, layout=self.layout,
                                    digit_shape=self.digit_shape)  # errors name X's shape
        self.digit_shape_ = geometry.digit_shape
        self.image_shape_ = geometry.image_shape
        self.input_shape_ = (geometry.n_parts, *self.digit_shape_, 1)
        self.scale_, self.pixel_range_ = decide_scale(X, self.rescale)
        return self

    def transform(self, X):
        check_is_fitted(self)
        digits = self._split(X)
        return self.scale_digits(digits.reshape(-1, *self.input_shape_[:-1]))

    def scale_digits(self, digits):
        """Digit images as the network takes them: float, scaled, with a channel axis.

        Warns when their values are in [0, 1] and those given to ``fit`` in
        [0, 255], or the reverse (:func:`~sumdigits.keras._encoders.warn_if_rescaled`).
        """
        return network_input(digits, self.scale_, self.pixel_range_)[..., None]


class SumEncoder(TransformerMixin, BaseEstimator):
    """Sums of two N-digit numbers as targets of the network, and back.

    ``transform`` writes each sum as its N + 1 decimal digits, an (n, N + 1) int
    array (exact for sums of any size: no big integer enters TensorFlow).
    ``inverse_transform`` turns the network's position-sum distributions into sums,
    the exact most probable one (:func:`sumdigits._sums.most_probable_sum_digits`),
    int64 up to N = 18 and Python ints in an object array beyond; or, for
    N <= 4, into the full distribution over all sums, in bounded memory. The
    classes are all the sums ``0..2 * (10**N - 1)``, whatever sums ``y`` holds (the
    network predicts sums it has never seen), listed in ``classes_`` for N <= 4
    and None beyond.

    Parameters
    ----------
    n_digits : int, default=1
    """

    def __init__(self, *, n_digits=1):
        self.n_digits = n_digits

    def fit(self, y):
        self.n_classes_ = max_sum(self.n_digits) + 1
        self.classes_ = (np.arange(self.n_classes_) if self.n_digits <= MAX_ENUMERATED_DIGITS
                         else None)
        self.transform(y)
        return self

    def transform(self, y):
        return sums_to_digits(y, self.n_digits, name="y")

    def inverse_transform(self, y, return_proba=False):
        y = np.asarray(y, dtype=np.float64)
        if return_proba:
            check_enumerable(self.n_digits, "predict_proba")
            return sum_proba(y)
        return digits_to_sums(most_probable_sum_digits(y))

    def get_metadata(self):
        return {"classes_": self.classes_, "n_classes_": self.n_classes_,
                "n_outputs_expected_": 1}
