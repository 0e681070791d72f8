"""Utilities for developers of sumdigits: estimator discovery for the test suite."""

from .discovery import all_estimators

__all__ = ["all_estimators"]
