"""The search: OptunaSearchCV made clean for scikit-learn >= 1.6, and ``tune``."""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import re
import sys
import warnings
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import optuna
from optuna.pruners import BasePruner, MedianPruner, NopPruner
from optuna.samplers import TPESampler
from optuna.storages import BaseStorage
from optuna_integration.sklearn import OptunaSearchCV as _UpstreamOptunaSearchCV
from sklearn.metrics import get_scorer_names
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params

from ._spaces import non_storable_params, search_space

# The upstream constructor without the ExperimentalWarning that its class decorator
# adds on every instantiation (and every clone): the user of this class can do
# nothing about it.
_upstream_init = getattr(_UpstreamOptunaSearchCV.__init__, "__wrapped__",
                         _UpstreamOptunaSearchCV.__init__)

# Warnings raised inside OptunaSearchCV.fit that no caller can act on, matched
# precisely: optuna_integration reports every trial's cross-validation scores to the
# deprecated optuna.terminator module, which fails (and says so) for a single
# validation split, a legitimate choice of cv.
_UPSTREAM_WARNINGS = [
    (FutureWarning, re.escape("`optuna.terminator` module has been deprecated")),
    (UserWarning, re.escape("Failed to report cross validation scores for TerminatorCallback")),
]


# TensorFlow logs that the per-sample functions of Keras were traced again, which
# every new network of a search does: expected, and nothing to act on.
_RETRACING = "triggered tf.function retracing"


def _drop_retracing(record):
    return _RETRACING not in record.getMessage()


@contextlib.contextmanager
def _upstream_warnings_silenced():
    tf_logger = logging.getLogger("tensorflow")
    tf_logger.addFilter(_drop_retracing)
    try:
        with warnings.catch_warnings():
            for category, message in _UPSTREAM_WARNINGS:
                warnings.filterwarnings("ignore", message=message, category=category)
            yield
    finally:
        tf_logger.removeFilter(_drop_retracing)


@contextlib.contextmanager
def _optuna_verbosity(verbose):
    """Optuna's per-trial log lines only when ``verbose`` is positive."""
    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.INFO if verbose else optuna.logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(previous)


class _TrialProgressBar:
    """Optuna study callback: a tqdm bar advanced by each finished trial."""

    def __init__(self, n_trials, timeout):
        self.n_trials = n_trials
        self.timeout = timeout

    def __enter__(self):
        from tqdm.auto import tqdm

        self._bar = tqdm(total=self.n_trials, desc="trials", unit="trial")
        self._pruned = 0
        return self

    def __exit__(self, *exc_info):
        self._bar.close()

    def __call__(self, study, trial):
        self._pruned += trial.state == optuna.trial.TrialState.PRUNED
        postfix = {}
        with contextlib.suppress(ValueError):  # no completed trial yet
            postfix["best"] = f"{study.best_value:.4g}"
        if self._pruned:
            postfix["pruned"] = self._pruned
        self._bar.set_postfix(postfix, refresh=False)
        self._bar.update(1)


class OptunaSearchCV(_UpstreamOptunaSearchCV):
    """Hyper-parameter search with cross-validation and an Optuna study.

    :class:`optuna_integration.OptunaSearchCV` (same parameters, attributes and
    methods, documented there) with three fixes:

    - its scikit-learn >= 1.6 tags are those of the estimator it searches, as for
      :class:`~sklearn.model_selection.GridSearchCV`: a search over a classifier
      is a classifier (:func:`~sklearn.base.is_classifier`), so that it is
      cross-validated with stratified folds and scored as a classifier;
    - it does not warn that it is experimental (upstream marks the class so) nor that
      ``optuna.terminator``, which it reports each trial's scores to, is deprecated:
      no caller can act on either. Other warnings are left alone;
    - a progress bar over the trials (``show_progress_bar``), and optuna's
      per-trial log lines only when ``verbose`` is positive.

    :func:`tune` builds one with a seeded sampler, a study store and pruning.

    Parameters
    ----------
    estimator, param_distributions, cv, enable_pruning, error_score, max_iter, \
n_jobs, n_trials, random_state, refit, return_train_score, scoring, study, \
subsample, timeout, verbose, callbacks, catch
        As for :class:`optuna_integration.OptunaSearchCV`. Pruning
        (``enable_pruning=True``) trains each cross-validation fold ``max_iter``
        times with ``partial_fit`` (one epoch each for the Keras estimators) and
        reports the mean validation score to the study's pruner after each.
    show_progress_bar : bool, default=False
        Show a tqdm progress bar advanced by each finished trial, with the best
        score so far and the number of pruned trials.

    Examples
    --------
    >>> from optuna.distributions import FloatDistribution
    >>> from sklearn.base import is_classifier
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.svm import SVC
    >>> from sumdigits.tuning import OptunaSearchCV
    >>> X, y = load_digits(return_X_y=True)
    >>> search = OptunaSearchCV(SVC(), {"C": FloatDistribution(0.1, 10, log=True)},
    ...                         n_trials=3, cv=3, random_state=0)
    >>> is_classifier(search)
    True
    >>> search.fit(X[:300], y[:300]).score(X[300:600], y[300:600]) > 0.8
    True
    """

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        cv=None,
        enable_pruning=False,
        error_score=np.nan,
        max_iter=1000,
        n_jobs=None,
        n_trials=10,
        random_state=None,
        refit=True,
        return_train_score=False,
        scoring=None,
        study=None,
        subsample=1.0,
        timeout=None,
        verbose=0,
        callbacks=None,
        catch=(),
        show_progress_bar=False,
    ):
        _upstream_init(
            self, estimator, param_distributions, cv=cv, enable_pruning=enable_pruning,
            error_score=error_score, max_iter=max_iter, n_jobs=n_jobs, n_trials=n_trials,
            random_state=random_state, refit=refit, return_train_score=return_train_score,
            scoring=scoring, study=study, subsample=subsample, timeout=timeout,
            verbose=verbose, callbacks=callbacks, catch=catch,
        )
        self.show_progress_bar = show_progress_bar

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        sub = get_tags(self.estimator)
        tags.estimator_type = sub.estimator_type
        tags.classifier_tags = copy.deepcopy(sub.classifier_tags)
        tags.regressor_tags = copy.deepcopy(sub.regressor_tags)
        tags.input_tags.pairwise = sub.input_tags.pairwise
        tags.input_tags.sparse = sub.input_tags.sparse
        tags.array_api_support = sub.array_api_support
        # What upstream's _more_tags (ignored by scikit-learn >= 1.6) meant to say.
        tags.non_deterministic = True
        tags.no_validation = True
        return tags

    def fit(self, X, y=None, groups=None, **fit_params):
        """Run the study, then refit the best parameters on all of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,), default=None
            Target.
        groups : array-like of shape (n_samples,), default=None
            Group labels for the cross-validation splitter.
        **fit_params : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        self : OptunaSearchCV
            The fitted search.
        """
        callbacks = self.callbacks
        with contextlib.ExitStack() as stack:
            stack.enter_context(_upstream_warnings_silenced())
            stack.enter_context(_optuna_verbosity(self.verbose))
            if self.show_progress_bar:
                # Upstream's fit reads self.callbacks; the bar lives only for this fit.
                bar = stack.enter_context(_TrialProgressBar(self.n_trials, self.timeout))
                self.callbacks = [*(callbacks or []), bar]
            try:
                super().fit(X, y, groups=groups, **fit_params)
            finally:
                self.callbacks = callbacks
        return self


def _storage(storage):
    """An optuna storage (or URL) from None, a URL or a file path; creates folders."""
    if storage is None or isinstance(storage, BaseStorage):
        return storage
    storage = os.fspath(storage)
    if "://" in storage:
        if storage.startswith("sqlite:///"):
            Path(storage[len("sqlite:///"):]).expanduser().parent.mkdir(parents=True,
                                                                       exist_ok=True)
        return storage
    path = Path(storage).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _is_keras(estimator):
    wrappers = sys.modules.get("scikeras.wrappers")
    return wrappers is not None and isinstance(estimator, wrappers.BaseWrapper)


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


@validate_params(
    {
        "estimator": [HasMethods(["fit"])],
        "X": ["array-like"],
        "y": ["array-like", None],
        "param_distributions": [dict, None],
        "space": [str, None],
        "n_trials": [Interval(Integral, 1, None, closed="left"), None],
        "timeout": [Interval(Real, 0, None, closed="neither"), None],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "pruner": [StrOptions({"auto"}), BasePruner, None],
        "storage": [str, os.PathLike, BaseStorage, None],
        "study_name": [str, None],
        "random_state": ["random_state"],
        "subsample": [Interval(Real, 0, 1, closed="right"),
                      Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "refit": ["boolean"],
        "error_score": [StrOptions({"raise"}), Real],
        "show_progress_bar": ["boolean"],
        "verbose": ["verbose"],
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
        Trials to run, on top of those already in a stored study. None runs until
        ``timeout``.
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
        Where the study is kept. None keeps it in memory. A path
        (``"study.db"``) or a URL (``"sqlite:///study.db"``) keeps it in that SQLite
        file, created with its folder if needed; another RDB URL works too. Running
        ``tune`` again with the same storage and ``study_name`` continues the study:
        its earlier trials count for the sampler and for the best parameters.
    study_name : str, default=None
        Name of the study in the storage. By default ``"sumdigits-<class name>"``
        with ``"-<space>"`` when ``space`` is given.
    random_state : int, RandomState instance or None, default=None
        Seeds the sampler (a :class:`~optuna.samplers.TPESampler`) and the
        subsample, for a repeatable search (the estimator keeps its own
        ``random_state``). A continued study seeds the sampler from
        ``random_state`` and the number of trials already run, so that it does not
        draw its first trials again.
    subsample : float or int, default=1.0
        Fraction (or number) of the samples to search on; the refit uses them all.
        Report 000 tuned its SVM on 10,000 pairs and trained on 64,000.
    n_jobs : int, default=None
        Trials run in parallel threads.
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
    if param_distributions is None:
        param_distributions = search_space(estimator, space=space)
    unknown = sorted(set(param_distributions) - set(estimator.get_params(deep=True)))
    if unknown:
        raise ValueError(
            f"param_distributions has keys that are not parameters of "
            f"{type(estimator).__name__}: {unknown}"
        )
    if n_trials is None and timeout is None:
        raise ValueError("give n_trials or timeout (or both), else the search never ends")
    pruner, epochs = _pruning(estimator, pruner)

    if storage is not None and non_storable_params(param_distributions):
        raise ValueError(
            f"an Optuna storage keeps only None, bool, int, float or str choices, and "
            f"{non_storable_params(param_distributions)} have others (lists of layer "
            "widths), with which a stored study could not be continued: pass storage=None, "
            "or param_distributions without them"
        )
    storage = _storage(storage)
    if storage is not None and study_name is None:
        study_name = f"sumdigits-{type(estimator).__name__}" + (f"-{space}" if space else "")
    with _optuna_verbosity(verbose):
        study = optuna.create_study(
            storage=storage, study_name=study_name, direction="maximize",
            pruner=pruner or NopPruner(), load_if_exists=True,
        )
    rng = check_random_state(random_state)
    if random_state is None:
        seed = None
    else:
        base = random_state if isinstance(random_state, Integral) else rng.randint(2**31 - 1)
        # A new seed for each continuation of a stored study, the same for the same state.
        seed = int(np.random.SeedSequence([int(base), len(study.trials)]).generate_state(1)[0])
    study.sampler = TPESampler(seed=seed)

    search = OptunaSearchCV(
        estimator, param_distributions, cv=cv, scoring=scoring, study=study,
        n_trials=n_trials, timeout=timeout, random_state=rng, subsample=subsample,
        n_jobs=n_jobs, refit=refit, error_score=error_score,
        enable_pruning=pruner is not None, max_iter=epochs or 1000,
        show_progress_bar=show_progress_bar, verbose=verbose,
    )
    return search.fit(X, y, **fit_params)
