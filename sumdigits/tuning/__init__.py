"""Hyper-parameter search with Optuna for the estimators of sumdigits.

- :func:`search_space` gives ready Optuna distributions for an estimator, taken
  from the reports the library grew from, keyed by the estimator's own parameter
  names (``clf__C`` in a :class:`~sklearn.pipeline.Pipeline`, ``estimator__C``
  inside :class:`~sumdigits.SequentialDigitSumClassifier`).
- :func:`tune` runs the search in one line: a seeded sampler, an optional SQLite
  study store that a second run continues, pruning of the Keras estimators epoch
  by epoch, a progress bar.
- :class:`OptunaSearchCV` is :class:`optuna_integration.OptunaSearchCV` with the
  scikit-learn >= 1.6 estimator tags of the estimator it wraps (a search over a
  classifier is a classifier) and without the warnings a user cannot act on.

Importing this module does not import TensorFlow.
"""

from ._search import OptunaSearchCV, tune
from ._spaces import available_spaces, search_space

__all__ = ["OptunaSearchCV", "available_spaces", "search_space", "tune"]
