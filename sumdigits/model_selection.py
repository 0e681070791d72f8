"""Repeated fits over seeds, in parallel with joblib (local processes or a Dask cluster).

:func:`repeated_scores` fits one estimator once per seed and scores every fit on held-out
data, returning each score's mean and spread over the seeds. The fits go through
:class:`joblib.Parallel`, so the same call runs sequentially, on local processes
(``n_jobs``), or on a Dask cluster inside ``joblib.parallel_config("dask")``, as
scikit-learn's :func:`~sklearn.model_selection.cross_val_score` and
:class:`~sklearn.model_selection.GridSearchCV` do.
"""

from __future__ import annotations

import time
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.utils import Bunch
from sklearn.utils._param_validation import HasMethods, Interval, validate_params
from sklearn.utils.validation import _num_samples

from ._validation import check_n_labels

__all__ = ["repeated_scores"]


def _seed_params(estimator):
    """Names of every ``random_state`` parameter of ``estimator`` and of what it holds."""
    return sorted(name for name in estimator.get_params(deep=True)
                  if name == "random_state" or name.endswith("__random_state"))


#: What makes ``X`` a batch source (a ``keras.utils.PyDataset`` such as
#: :class:`~sumdigits.keras.streaming.DigitPairDataset`) rather than an array-like.
_DATASET_METHODS = ["__getitem__", "__len__", "on_epoch_end"]


def _is_dataset(X):
    """Whether ``X`` is a batch source, not an array-like."""
    return all(hasattr(X, name) for name in _DATASET_METHODS)


def _fit_and_score(estimator, X, y, X_test, y_test, scorer):
    start = time.perf_counter()
    if _is_dataset(X):
        estimator.fit_dataset(X)
    else:
        estimator.fit(X, y)
    fit_time = time.perf_counter() - start
    return scorer(estimator, X_test, y_test), fit_time


@validate_params(
    {
        "estimator": [HasMethods(["fit"])],
        "X": ["array-like", HasMethods(_DATASET_METHODS)],
        "y": ["array-like", None],
        "X_test": ["array-like"],
        "y_test": ["array-like"],
        "seeds": [Interval(Integral, 2, None, closed="left"), "array-like"],
        "scoring": [str, callable, list, tuple, dict, None],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=False,
)
def repeated_scores(estimator, X, y, X_test, y_test, *, seeds=5, scoring=None, n_jobs=None,
                    verbose=0):
    """Fit ``estimator`` once per seed and score each fit on test data.

    Each seed is set on every ``random_state`` parameter of ``estimator`` (and of the
    estimators it holds: a :class:`~sklearn.pipeline.Pipeline`'s steps, the digit
    classifier of :class:`~sumdigits.SequentialDigitSumClassifier`), a clone is fitted
    on ``(X, y)`` and scored on ``(X_test, y_test)``. The fits run through
    :class:`joblib.Parallel`: in this process by default, in ``n_jobs`` local
    processes, or on a Dask cluster inside ``joblib.parallel_config("dask")`` (with a
    :class:`distributed.Client` connected). A seeded estimator gives the same scores
    on every backend.

    Parameters
    ----------
    estimator : estimator instance
        The estimator to repeat; it must have a ``random_state`` parameter, directly
        or in an estimator it holds.
    X : array-like of shape (n_samples, n_features) or keras.utils.PyDataset
        Training data; or a dataset of batches, such as
        :class:`~sumdigits.keras.streaming.DigitPairDataset`, which each fit reads
        through the estimator's ``fit_dataset`` (the Keras estimators'). A dataset of
        pairs gathered on the fly is what to send to the workers of a cluster: it
        holds the digit images once and 16 bytes of indices per pair, where the pair
        images would take ``n_pairs x 1,568`` bytes (28 x 56, ``uint8``); each fit
        holds one batch of pair images at a time. The order of its batches is the
        dataset's own (its ``random_state``), the same for every seed; the seed
        sets the estimator's initialisation, dropout and other randomness.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), or None
        Training target (digit labels ``(n, 2)`` for the sequential classifier);
        None when ``X`` is a dataset, whose batches hold their labels.
    X_test : array-like of shape (n_test_samples, n_features)
        Test data.
    y_test : array-like of shape (n_test_samples,)
        Test target (sums).
    seeds : int or array-like of int, default=5
        An int ``k`` is the seeds ``0, ..., k - 1``; otherwise the seeds themselves.
        At least two distinct seeds, for a spread.
    scoring : str, callable, list, tuple or dict, default=None
        As ``scoring`` of :func:`~sklearn.model_selection.cross_validate`: None is the
        estimator's ``score`` (accuracy of the sums for the library's classifiers).
    n_jobs : int, default=None
        Fits run in parallel by joblib: None is one unless inside a
        :func:`joblib.parallel_config` context, -1 all workers.
    verbose : int, default=0
        Progress messages of joblib.

    Returns
    -------
    result : Bunch
        ``seeds`` (ndarray of the seeds), ``scores`` (dict: score name to an ndarray
        of one score per seed), ``mean`` and ``std`` (dict: score name to the mean
        and the sample standard deviation, ``ddof=1``, over the seeds), and
        ``fit_time`` (ndarray, seconds of each fit). A single ``scoring`` is named
        ``"score"``, or by its string.

    See Also
    --------
    sklearn.model_selection.cross_validate : scores over folds of one data set.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sumdigits.model_selection import repeated_scores
    >>> from sumdigits.perceptron import StepDecayPerceptron
    >>> X, y = load_digits(return_X_y=True)
    >>> result = repeated_scores(StepDecayPerceptron(), X[:1000], y[:1000], X[1000:],
    ...                          y[1000:], seeds=3, scoring=["accuracy", "f1_macro"])
    >>> result.seeds
    array([0, 1, 2])
    >>> sorted(result.scores), result.scores["accuracy"].shape
    (['accuracy', 'f1_macro'], (3,))
    >>> bool(result.mean["accuracy"] > 0.8) and bool(result.std["accuracy"] >= 0)
    True
    """
    if isinstance(seeds, Integral):
        seeds = np.arange(seeds)
    else:
        seeds = np.asarray(seeds)
        if seeds.ndim != 1 or seeds.dtype.kind not in "iu" or len(seeds) < 2:
            raise ValueError(
                f"seeds must be an int >= 2 or a 1-d array-like of at least two ints, got "
                f"{seeds.tolist()!r}")
        if len(np.unique(seeds)) != len(seeds):
            raise ValueError(f"seeds must be distinct, got {seeds.tolist()!r}: a repeated "
                             "seed repeats the same fit")
    if _is_dataset(X):
        if y is not None:
            raise ValueError("y must be None when X is a dataset: its batches hold the "
                             f"labels; got y of type {type(y).__name__}")
        if not hasattr(estimator, "fit_dataset"):
            raise TypeError(
                f"X is a dataset ({type(X).__name__}), which only an estimator with a "
                f"fit_dataset method can read; {type(estimator).__name__} has none: give "
                "arrays instead")
    else:
        if y is None:
            raise ValueError("y is required when X is an array-like (None only for a "
                             "dataset X)")
        check_n_labels(y, _num_samples(X))
    check_n_labels(y_test, _num_samples(X_test), name="y_test", X_name="X_test")
    names = _seed_params(estimator)
    if not names:
        raise ValueError(
            f"{type(estimator).__name__} has no random_state parameter (nor any estimator "
            "it holds): its fits do not depend on a seed, so repeating them would give the "
            "same scores")
    scorer = check_scoring(estimator, scoring=scoring)
    runs = Parallel(n_jobs=n_jobs, verbose=verbose)(
        delayed(_fit_and_score)(
            clone(estimator).set_params(**dict.fromkeys(names, int(seed))),
            X, y, X_test, y_test, scorer)
        for seed in seeds
    )
    if isinstance(runs[0][0], dict):
        scores = {name: np.array([run[0][name] for run in runs]) for name in runs[0][0]}
    else:
        name = scoring if isinstance(scoring, str) else "score"
        scores = {name: np.array([run[0] for run in runs])}
    return Bunch(
        seeds=seeds,
        scores=scores,
        mean={name: float(np.mean(v)) for name, v in scores.items()},
        std={name: float(np.std(v, ddof=1)) for name, v in scores.items()},
        fit_time=np.array([run[1] for run in runs]),
    )
