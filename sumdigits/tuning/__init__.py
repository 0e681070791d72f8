"""Hyper-parameter search with Optuna for the estimators of sumdigits.

- :func:`search_space` gives ready Optuna distributions for an estimator, taken
  from the reports the library grew from, keyed by the estimator's own parameter
  names (``clf__C`` in a :class:`~sklearn.pipeline.Pipeline`, ``estimator__C``
  inside :class:`~sumdigits.SequentialDigitSumClassifier`).
- :func:`tune` runs the search in one line: a seeded sampler, an optional study
  store that a second run continues or that several worker processes share
  (PostgreSQL, a journal file; :func:`open_storage`), a study-wide trial budget,
  pruning of the Keras estimators epoch by epoch, a progress bar.
- :class:`OptunaSearchCV` is :class:`optuna_integration.OptunaSearchCV` made a
  scikit-learn estimator (a constructor that only stores, validation in ``fit``,
  the estimator tags of the estimator it wraps: a search over a classifier is a
  classifier) and without the warnings a user cannot act on.

Importing this module does not import TensorFlow.
"""

from ._search import OptunaSearchCV
from ._spaces import available_spaces, search_space
from ._storage import open_storage
from ._tune import tune

__all__ = ["OptunaSearchCV", "available_spaces", "open_storage", "search_space", "tune"]
