"""The search: OptunaSearchCV made clean for scikit-learn >= 1.6 (``tune`` runs it:
:mod:`sumdigits.tuning._tune`)."""

from __future__ import annotations

import contextlib
import copy
import logging
import re
import sys
import time
import warnings
from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
import optuna
from optuna import distributions
from optuna.study import Study
from optuna.trial import TrialState
from optuna_integration.sklearn import OptunaSearchCV as _UpstreamOptunaSearchCV
from sklearn.base import clone, is_classifier
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import check_cv, cross_validate
from sklearn.utils import check_array, get_tags, indexable
from sklearn.utils._param_validation import (
    HasMethods, Interval, Options, RealNotInt, StrOptions,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context

from .._validation import check_n_labels

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


def _delegate(method):
    """The search's ``method``: the best estimator's, and only where the estimator has it.

    Upstream defines every method whatever the estimator (its docstrings say "available
    only if the underlying estimator supports" it), so ``hasattr(search, "transform")``
    was True for a classifier; :class:`~sklearn.model_selection.GridSearchCV` uses
    ``available_if`` the same way.
    """

    def available(self):
        return bool(self.refit) and hasattr(self.estimator, method)

    def call(self, X, *args, **kwargs):
        check_is_fitted(self, "best_estimator_")
        # TensorFlow counts the tracings of Keras' predict step over all networks: after
        # a search of many, the refitted network's first predictions would be reported
        # as retracing too, so they are silenced like the search's own.
        with _upstream_warnings_silenced():
            return getattr(self.best_estimator_, method)(X, *args, **kwargs)

    call.__name__ = method
    call.__doc__ = f"""Call ``{method}`` on the best estimator (refit on the whole data).

        Parameters
        ----------
        X : array-like
            As the estimator's ``{method}`` takes it.
        *args, **kwargs
            Passed on.

        Returns
        -------
        The estimator's ``{method}(X)``.
        """
    return available_if(available)(call)


#: Constraints of the parameters that :class:`OptunaSearchCV` and :func:`tune` share.
_SEARCH_CONSTRAINTS = {
    "estimator": [HasMethods(["fit", "get_params", "set_params"])],
    "cv": ["cv_object"],
    "error_score": [StrOptions({"raise"}), Real],
    # optuna runs n_jobs threads, or one per CPU for -1; 0 and -2... mean nothing there
    "n_jobs": [Interval(Integral, 1, None, closed="left"), Options(Integral, {-1}), None],
    "random_state": ["random_state"],
    "refit": ["boolean"],
    "scoring": [StrOptions(set(get_scorer_names())), callable, None],
    "show_progress_bar": ["boolean"],
    # a float is a fraction of the samples, an int a number of them
    "subsample": [Interval(RealNotInt, 0, 1, closed="right"),
                  Interval(Integral, 1, None, closed="left")],
    "timeout": [Interval(Real, 0, None, closed="neither"), None],
    "verbose": ["verbose"],
}

# Optuna's deprecated distributions, which upstream refuses (they break clone, optuna
# issue 4084), named through optuna's public module.
_DEPRECATED_DISTRIBUTIONS = (
    distributions.UniformDistribution, distributions.LogUniformDistribution,
    distributions.DiscreteUniformDistribution, distributions.IntUniformDistribution,
    distributions.IntLogUniformDistribution,
)


def _check_param_distributions(estimator, param_distributions):
    """Raise unless each value is a current optuna distribution of a parameter of ``estimator``."""
    for name, distribution in param_distributions.items():
        if not isinstance(distribution, distributions.BaseDistribution):
            raise TypeError(
                f"param_distributions[{name!r}] must be an optuna distribution "
                f"(optuna.distributions.FloatDistribution, ...), got {distribution!r}")
        if isinstance(distribution, _DEPRECATED_DISTRIBUTIONS):
            raise ValueError(
                f"param_distributions[{name!r}] is a deprecated {type(distribution).__name__}, "
                "which optuna no longer supports: use FloatDistribution or IntDistribution")
    unknown = sorted(set(param_distributions) - set(estimator.get_params(deep=True)))
    if unknown:
        raise ValueError(
            f"param_distributions has keys that are not parameters of "
            f"{type(estimator).__name__}: {unknown}"
        )


def _check_exception_classes(catch):
    classes = (catch,) if isinstance(catch, type) else tuple(catch)
    wrong = [c for c in classes if not (isinstance(c, type) and issubclass(c, Exception))]
    if wrong:
        raise TypeError(f"catch must be an exception class or a tuple or list of them, got "
                        f"{wrong[0]!r} in it")
    return classes


def _search_X(estimator, X):
    """``X`` as the search's cross-validation splits it, in what ``estimator`` accepts.

    A data frame is left as it is (the estimator may read its column names); a sparse
    matrix or array becomes CSR (which every split can index) if the estimator's tags
    accept sparse input and is refused with a TypeError otherwise; any other array-like
    becomes a NumPy array of its own dtype. Its shape and values are the estimator's to
    check, on each split.
    """
    if hasattr(X, "iloc") or hasattr(X, "__dataframe__"):  # pandas, polars...
        return X
    return check_array(
        X, accept_sparse="csr" if get_tags(estimator).input_tags.sparse else False,
        dtype=None, ensure_2d=False, allow_nd=True, ensure_all_finite=False, input_name="X")


def _subsample(subsample, n_samples):
    """``subsample`` as upstream's fit reads it: a float fraction or an int count, of 1 or more."""
    fraction = not isinstance(subsample, Integral)
    n = int(subsample * n_samples) if fraction else subsample
    if not 1 <= n <= n_samples:
        raise ValueError(
            f"subsample={subsample!r} keeps {n} of the {n_samples} samples of X: "
            f"give a fraction, or a number of samples from 1 to {n_samples}")
    return float(subsample) if fraction else int(subsample)


@contextlib.contextmanager
def _given_to_upstream(search, **values):
    """Upstream's fit reads ``search.<name>``: these values, for the time of that fit only."""
    saved = {name: getattr(search, name) for name in values}
    try:
        for name, value in values.items():
            setattr(search, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(search, name, value)


def _best_estimators(attribute, doc):
    """The search's ``attribute``: the refitted best estimator's, where it has one."""

    def get(self):
        # an AttributeError, as scikit-learn's searches raise, so that hasattr is False
        if not hasattr(self, "best_estimator_"):
            raise AttributeError(f"{type(self).__name__} has no {attribute} before a fit "
                                 "with refit=True")
        return getattr(self.best_estimator_, attribute)

    return property(get, doc=doc)


class OptunaSearchCV(_UpstreamOptunaSearchCV):
    """Hyper-parameter search with cross-validation and an Optuna study.

    :class:`optuna_integration.OptunaSearchCV` (same parameters, attributes and
    methods, documented there), made a scikit-learn estimator:

    - its constructor only stores its parameters, as given (``n_jobs=None`` stays
      None, and means one trial at a time); ``fit`` validates them, and ``X``: a
      sparse ``X`` becomes CSR if the estimator's tags accept sparse input and is
      refused (TypeError) otherwise, any other array-like but a data frame becomes a
      NumPy array;
    - its scikit-learn >= 1.6 tags are those of the estimator it searches, as for
      :class:`~sklearn.model_selection.GridSearchCV`: a search over a classifier
      is a classifier (:func:`~sklearn.base.is_classifier`), so that it is
      cross-validated with stratified folds and scored as a classifier;
    - ``predict``, ``transform``... exist only where the estimator has them;
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
        ``n_jobs`` trials run at the same time, in threads of this process: None
        (the default) is one, -1 one per CPU. ``n_trials=0`` runs no trial (and
        refits the best trial of ``study``).
    show_progress_bar : bool, default=False
        Show a tqdm progress bar advanced by each finished trial, with the best
        score so far and the number of pruned trials.

    Attributes
    ----------
    n_iter_ : int
        Iterations of the optimisation of the best trial, on each cross-validation
        fold: its ``partial_fit`` calls with pruning (``max_iter``: the best trial
        is one that was not pruned), 1 (one ``fit``) without; 0 if the study has no
        complete trial. The other attributes are upstream's (``best_params_``,
        ``best_estimator_``, ``study_``, ``trials_``...).

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
    >>> search.n_iter_
    1
    """

    _parameter_constraints = {
        **_SEARCH_CONSTRAINTS,
        "param_distributions": [Mapping],
        "enable_pruning": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_trials": [Interval(Integral, 0, None, closed="left"), None],
        "return_train_score": ["boolean"],
        "study": [Study, None],
        "callbacks": [list, tuple, None],
        "catch": [tuple, list, type],
    }

    # Upstream's __init__ validates, stores n_jobs=None as 1 and warns that the class
    # is experimental: not called.
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
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.cv = cv
        self.enable_pruning = enable_pruning
        self.error_score = error_score
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.n_trials = n_trials
        self.random_state = random_state
        self.refit = refit
        self.return_train_score = return_train_score
        self.scoring = scoring
        self.study = study
        self.subsample = subsample
        self.timeout = timeout
        self.verbose = verbose
        self.callbacks = callbacks
        self.catch = catch
        self.show_progress_bar = show_progress_bar

    decision_function = _delegate("decision_function")
    inverse_transform = _delegate("inverse_transform")
    predict = _delegate("predict")
    predict_log_proba = _delegate("predict_log_proba")
    predict_proba = _delegate("predict_proba")
    score_samples = _delegate("score_samples")
    transform = _delegate("transform")
    n_features_in_ = _best_estimators(
        "n_features_in_", "Number of features seen in ``fit``: the best estimator's (refit).")
    feature_names_in_ = _best_estimators(
        "feature_names_in_", "Names of the features seen in ``fit``: the best estimator's.")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        sub = get_tags(self.estimator)
        tags.estimator_type = sub.estimator_type
        tags.classifier_tags = copy.deepcopy(sub.classifier_tags)
        tags.regressor_tags = copy.deepcopy(sub.regressor_tags)
        tags.input_tags.pairwise = sub.input_tags.pairwise
        tags.input_tags.sparse = sub.input_tags.sparse
        tags.array_api_support = sub.array_api_support
        # What upstream's _more_tags (ignored by scikit-learn >= 1.6) meant to say;
        # its other tag, no_validation, is no longer true.
        tags.non_deterministic = True
        return tags

    @_fit_context(prefer_skip_nested_validation=False)  # the estimator validates its own
    def fit(self, X, y=None, groups=None, **fit_params):
        """Run the study, then refit the best parameters on all of ``X``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, ...)
            Training data, as the estimator takes it.
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
        _check_param_distributions(self.estimator, self.param_distributions)
        catch = _check_exception_classes(self.catch)
        _check_threads(self.estimator, self.n_jobs)
        X = _search_X(self.estimator, X)
        for name, labels in (("y", y), ("groups", groups)):
            if labels is not None:  # upstream fails with an IndexError
                check_n_labels(labels, X.shape[0], name=name)
        y, groups = indexable(y, groups)  # what the splits index, as GridSearchCV's
        subsample = _subsample(self.subsample, X.shape[0])
        callbacks = list(self.callbacks or [])
        with contextlib.ExitStack() as stack:
            stack.enter_context(_upstream_warnings_silenced())
            stack.enter_context(_optuna_verbosity(self.verbose))
            if self.show_progress_bar:
                # the bar lives only for this fit
                callbacks.append(stack.enter_context(
                    _TrialProgressBar(self.n_trials, self.timeout)))
            stack.enter_context(_given_to_upstream(
                self, n_jobs=1 if self.n_jobs is None else self.n_jobs, catch=catch,
                callbacks=callbacks or None, subsample=subsample, refit=False))
            super().fit(X, y, groups=groups, **fit_params)
        if not self.study_.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)) and (
                self.refit or self.study_.get_trials(deepcopy=False, states=(TrialState.FAIL,))):
            self._raise_first_failure(X, y, groups, fit_params)
        if self.refit:  # upstream's refit, which takes default parameters if no trial completed
            self.best_estimator_ = clone(self.estimator).set_params(**self.study_.best_params)
            start = time.perf_counter()
            self.best_estimator_.fit(X, y, **fit_params)
            self.refit_time_ = time.perf_counter() - start
        try:
            best = self.study_.best_trial
        except ValueError:  # no complete trial
            self.n_iter_ = 0
        else:
            self.n_iter_ = max(len(best.intermediate_values), 1)
        return self

    def _raise_first_failure(self, X, y, groups, fit_params):
        """No trial of the study completed: raise one error, from the first trial's.

        The failed trials keep no exception (a failed fit scores ``error_score``), so
        the first failed trial's parameters are cross-validated again with
        ``error_score="raise"`` to get it.
        """
        trials = self.study_.get_trials(deepcopy=False)
        failed = [t for t in trials if t.state == TrialState.FAIL]
        states = sorted({t.state.name for t in trials})
        message = (f"none of the {len(trials)} trials of the study completed (states: "
                   f"{', '.join(states)}), so there are no best parameters")
        if not failed:
            raise ValueError(message + ".")
        first = failed[0]
        estimator = clone(self.estimator).set_params(**first.params)
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # only its exception is wanted
                cross_validate(estimator, X, y, groups=groups, cv=cv, scoring=self.scoring,
                               error_score="raise", params=fit_params)
        except Exception as exc:
            text = (f"{message}. The first failed trial (number {first.number}, parameters "
                    f"{first.params}) raised {type(exc).__name__}: {exc}")
            # the cause's own type (a TypeError stays a TypeError), where it takes a message
            try:
                error = type(exc)(text)
            except Exception:
                error = ValueError(text)
            raise error from exc
        raise ValueError(f"{message}. The first failed trial (number {first.number}, parameters "
                         f"{first.params}) raised nothing when cross-validated again: pass "
                         "error_score='raise' to stop at the first failure.")

    def score(self, X, y=None):
        """Score of the best estimator on ``X`` and ``y``, by ``scorer_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.
        y : array-like of shape (n_samples,), default=None
            Targets.

        Returns
        -------
        score : float
            The score.
        """
        with _upstream_warnings_silenced():
            return super().score(X, y)


def _holds_keras(estimator):
    """Whether ``estimator`` is, or holds among its parameters, a Keras estimator."""
    return _is_keras(estimator) or any(
        _is_keras(v) for v in estimator.get_params(deep=True).values())


def _check_threads(estimator, n_jobs):
    if n_jobs not in (None, 1) and _holds_keras(estimator):
        raise ValueError(
            f"n_jobs={n_jobs} runs trials as threads of one process, which would share "
            f"TensorFlow's global state (random seeds, graph, memory) between the Keras "
            f"networks of {type(estimator).__name__}: run several worker processes on one "
            "study instead (tune with a storage, or `sumdigits tune`; see 'Scaling out' in "
            "the documentation), or pass n_jobs=None"
        )


def _is_keras(estimator):
    wrappers = sys.modules.get("scikeras.wrappers")
    return wrappers is not None and isinstance(estimator, wrappers.BaseWrapper)
