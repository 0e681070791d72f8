"""``tune``: a seeded, optionally stored and pruned Optuna search in one call."""

from __future__ import annotations

import os
from collections.abc import Mapping
from numbers import Integral

import numpy as np
import optuna
from optuna.pruners import BasePruner, MedianPruner, NopPruner
from optuna.storages import BaseStorage
from optuna.study import MaxTrialsCallback
from optuna.trial import TrialState
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._validation import check_random_state
from ._search import (
    _SEARCH_CONSTRAINTS,
    OptunaSearchCV,
    _check_param_distributions,
    _check_threads,
    _is_keras,
    _optuna_verbosity,
)
from ._spaces import search_space
from ._storage import study_storage, warn_if_running, worker_sampler

__all__ = ["tune"]


def _pruning(estimator, pruner):
    """(pruner for the study, number of epochs) or (None, None) for no pruning."""
    if pruner == "auto":
        if not (_is_keras(estimator) and hasattr(estimator, "partial_fit")):
            return None, None
        # From the second epoch on, a trial whose validation score is below the
        # median of the earlier trials at that epoch is stopped.
        pruner = MedianPruner(n_startup_trials=3, n_warmup_steps=1)
    elif pruner is None:
        return None, None
    if not hasattr(estimator, "partial_fit"):
        raise ValueError(
            f"pruning trains the estimator epoch by epoch with partial_fit, which "
            f"{type(estimator).__name__} does not have (a Pipeline has none): tune the "
            "estimator itself, or pass pruner=None"
        )
    params = estimator.get_params(deep=False)
    epochs = params.get("epochs", params.get("max_iter"))
    if not isinstance(epochs, Integral):
        raise ValueError(
            f"pruning needs the number of epochs of {type(estimator).__name__}, read from "
            "its 'epochs' (or 'max_iter') parameter, which it does not have"
        )
    return pruner, int(epochs)


def _checked_space(estimator, param_distributions, space):
    """The search space: ``param_distributions``, or :func:`search_space`'s, checked."""
    if param_distributions is None:
        param_distributions = search_space(estimator, space=space)
    _check_param_distributions(estimator, param_distributions)
    return param_distributions


def _open_study(storage, study_name, pruner, verbose):
    """The study, created or loaded from ``storage`` (maximised)."""
    with _optuna_verbosity(verbose):
        study = optuna.create_study(
            storage=storage, study_name=study_name, direction="maximize",
            pruner=pruner or NopPruner(), load_if_exists=True,
        )
    warn_if_running(study, storage, study_name, stacklevel=3)  # tune's caller
    return study


def _trial_budget(study, n_trials, max_trials):
    """``(n_trials, callbacks)`` of this call: within ``max_trials`` for the whole study."""
    if max_trials is None:
        return n_trials, None
    finished = (TrialState.COMPLETE, TrialState.PRUNED)
    done = len(study.get_trials(deepcopy=False, states=finished))
    remaining = max(max_trials - done, 0)
    n_trials = remaining if n_trials is None else min(n_trials, remaining)
    return n_trials, [MaxTrialsCallback(max_trials, states=finished)]


@validate_params(
    {
        **_SEARCH_CONSTRAINTS,
        "random_state": ["random_state", np.random.Generator],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like", None],
        "param_distributions": [Mapping, None],
        "space": [str, None],
        "n_trials": [Interval(Integral, 1, None, closed="left"), None],
        "max_trials": [Interval(Integral, 1, None, closed="left"), None],
        "pruner": [StrOptions({"auto"}), BasePruner, None],
        "storage": [str, os.PathLike, BaseStorage, None],
        "study_name": [str, None],
    },
    prefer_skip_nested_validation=False,
)
def tune(
    estimator,
    X,
    y=None,
    *,
    param_distributions=None,
    space=None,
    n_trials=20,
    max_trials=None,
    timeout=None,
    cv=None,
    scoring=None,
    pruner="auto",
    storage=None,
    study_name=None,
    random_state=None,
    subsample=1.0,
    n_jobs=None,
    refit=True,
    error_score=np.nan,
    show_progress_bar=False,
    verbose=0,
    **fit_params,
):
    """Search the hyper-parameters of ``estimator`` with Optuna, in one line.

    Each trial samples parameters from the search space, cross-validates the
    estimator with them and reports the mean validation score to an Optuna study
    (maximised); the best parameters are then refitted on all of ``X``.

    Parameters
    ----------
    estimator : estimator instance
        The estimator to tune: any of the library's, a scikit-learn one, a
        :class:`~sklearn.pipeline.Pipeline` or a meta-estimator holding them.
    X : array-like of shape (n_samples, n_features)
        Training data (pair images for the library's estimators).
    y : array-like of shape (n_samples,), default=None
        Target (sums).
    param_distributions : dict of str to optuna distribution, default=None
        The search space; by default :func:`search_space` of ``estimator``. Its keys
        must be parameters of ``estimator`` (``estimator.get_params()``).
    space : str, default=None
        Name of the default space where an estimator has several (``"report000"``,
        ``"report001"`` for the FCNN); see :func:`search_space`. Only used when
        ``param_distributions`` is None.
    n_trials : int, default=20
        Trials this call runs at most, on top of those already in a stored study.
        None: no limit of its own (``max_trials`` or ``timeout`` ends the search).
    max_trials : int, default=None
        The study's budget, over every worker that shares it: this call runs no
        trial once the study holds ``max_trials`` finished (complete or pruned)
        trials, and stops after the trial that reaches it
        (:class:`~optuna.study.MaxTrialsCallback`). Workers that were running a trial
        at that moment finish it, so ``k`` workers end with at most ``k - 1`` trials
        more. A call on a study that already reached it runs no trial and only refits
        its best parameters: the refit after a distributed search. ``n_trials`` still
        caps this call: pass ``n_trials=None`` for a worker that runs until the
        study's budget is spent.
    timeout : float, default=None
        Stop starting new trials after this many seconds.
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn: None is 5-fold, stratified for classifiers. A
        :class:`~sklearn.model_selection.ShuffleSplit` with one split is a single
        validation set, as the reports used.
    scoring : str or callable, default=None
        Score to maximise; None is the estimator's ``score`` (accuracy).
    pruner : "auto", optuna pruner or None, default="auto"
        Stops unpromising trials early. Pruning trains every fold one epoch at a
        time (``partial_fit``) for the estimator's ``epochs`` and reports the mean
        validation score after each epoch to the pruner, so it needs an estimator
        with ``partial_fit``: the Keras estimators, not a Pipeline. ``"auto"`` is a
        :class:`~optuna.pruners.MedianPruner` (a trial whose score at an epoch,
        from the second, is below the median of the earlier trials at that epoch
        is stopped, after 3 complete trials) for the Keras estimators and no
        pruning otherwise. None never prunes.
    storage : str, path-like or optuna storage, default=None
        Where the study is kept. None keeps it in memory. A URL or a path is opened
        by :func:`open_storage`: a database server URL
        (``"postgresql+psycopg2://..."``) for worker processes on many machines, with
        heartbeats that fail and retry the trial of a killed worker; a ``.log`` or
        ``.journal`` file (Optuna's journal) for several processes on one machine or
        a shared file system; another path (``"study.db"``) or a ``sqlite:///`` URL
        for a SQLite file, for one process only. Running ``tune`` again with the same
        storage and ``study_name`` continues the study: its earlier trials count for
        the sampler and for the best parameters. Several ``tune`` calls, in as many
        processes, on one storage and study name share the study: give them
        ``max_trials``, ``refit=False``, and refit once at the end (see
        ``max_trials``). Each trial records the host and process id that ran it in
        its user attributes ``worker_host`` and ``worker_pid``.
    study_name : str, default=None
        Name of the study in the storage. By default ``"sumdigits-<class name>"``
        with ``"-<space>"`` when ``space`` is given.
    random_state : int, RandomState instance, Generator or None, default=None
        Seeds the sampler (a :class:`~optuna.samplers.TPESampler`, with
        ``constant_liar=True`` so that concurrent trials avoid each other) and the
        subsample (the estimator keeps its own ``random_state``). In memory, the
        same ``random_state`` gives the same search. On a storage, the sampler's seed
        also mixes in the worker's host name, process id and the number of trials
        already stored, so that workers sharing a study, or a continued study, never
        draw the same sequence of trials.
    subsample : float or int, default=1.0
        Fraction (or number) of the samples to search on; the refit uses them all.
        Report 000 tuned its SVM on 10,000 pairs and trained on 64,000.
    n_jobs : int, default=None
        Trials run in parallel threads of this process. Refused for the Keras
        estimators (the threads would share TensorFlow's global state) and for a
        SQLite storage: run several processes on a shared storage instead.
    refit : bool, default=True
        Refit the best parameters on all of ``X`` (``best_estimator_``).
    error_score : "raise" or float, default=np.nan
        Score of a fold whose fit fails.
    show_progress_bar : bool, default=False
        Show a progress bar over the trials.
    verbose : int, default=0
        Optuna's log line for each trial when positive.
    **fit_params : dict
        Passed to the estimator's ``fit``.

    Returns
    -------
    search : OptunaSearchCV
        The fitted search: ``best_params_``, ``best_score_``, ``best_estimator_``,
        ``study_`` (trials with their intermediate scores), ``trials_dataframe()``,
        and ``predict``/``predict_proba``/``score`` of the best estimator.

    See Also
    --------
    search_space : the default search spaces.
    OptunaSearchCV : the search object, for full control.

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sumdigits import load_mnist, make_digit_pairs
    >>> from sumdigits.tuning import tune
    >>> (X, y), (X_test, y_test) = load_mnist("embedded")
    >>> X, X_test = X.reshape(len(X), -1), X_test.reshape(len(X_test), -1)
    >>> train = make_digit_pairs(X, y, 300, random_state=0)
    >>> test = make_digit_pairs(X_test, y_test, 200, random_state=0)
    >>> search = tune(RandomForestClassifier(random_state=0), train.data, train.target,
    ...               n_trials=2, cv=2, random_state=0)
    >>> sorted(search.best_params_)
    ['criterion', 'max_depth', 'max_features', 'n_estimators']
    >>> len(search.trials_)
    2
    >>> search.score(test.data, test.target) > 1 / 19
    True
    """
    param_distributions = _checked_space(estimator, param_distributions, space)
    if n_trials is None and max_trials is None and timeout is None:
        raise ValueError("give n_trials, max_trials or timeout, else the search never ends")
    _check_threads(estimator, n_jobs)
    pruner, epochs = _pruning(estimator, pruner)
    shared = storage is not None
    storage = study_storage(storage, param_distributions, n_jobs)
    if study_name is None:
        study_name = f"sumdigits-{type(estimator).__name__}" + (f"-{space}" if space else "")
    study = _open_study(storage, study_name, pruner, verbose)
    rng = check_random_state(random_state)
    study.sampler = worker_sampler(storage, study_name, study, random_state, rng, shared=shared)
    n_trials, callbacks = _trial_budget(study, n_trials, max_trials)
    search = OptunaSearchCV(
        estimator, param_distributions, cv=cv, scoring=scoring, study=study,
        n_trials=n_trials, timeout=timeout, random_state=rng, subsample=subsample,
        n_jobs=n_jobs, refit=refit, error_score=error_score,
        enable_pruning=pruner is not None, max_iter=epochs or 1000,
        show_progress_bar=show_progress_bar, verbose=verbose, callbacks=callbacks,
    )
    return search.fit(X, y, **fit_params)
