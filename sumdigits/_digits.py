"""What the estimators that read the digits of their samples share."""

from __future__ import annotations

import numpy as np

__all__ = ["DigitsMixin"]


class DigitsMixin:
    """``predict_digits(X)`` from the estimator's ``predict_digit_proba(X)``.

    Both take the estimator's samples, as ``predict`` does. Single digit images go
    to the estimator's digit classifier: ``estimator_`` of
    :class:`~sumdigits.SequentialDigitSumClassifier`, ``digit_estimator_`` of the
    neuro-symbolic estimators.
    """

    def predict_digits(self, X):
        """The most probable digit of every digit image of each sample.

        Parameters
        ----------
        X : array-like of samples, as in ``fit``

        Returns
        -------
        digits : ndarray of shape ``predict_digit_proba(X).shape[:-1]``
        """
        return np.asarray(self.predict_digit_proba(X)).argmax(axis=-1)
