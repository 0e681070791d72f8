"""AdaBoost's SAMME.R, the default of scikit-learn's ``AdaBoostClassifier`` until 1.6.

Report 000's AdaBoost row (53 stumps, 0.14) was fitted with that default; scikit-learn
1.6 removed SAMME.R and keeps only discrete SAMME, which gives other figures on the
same data. No maintained library ships SAMME.R any more, so the benchmarks carry this
transcription of scikit-learn 1.5's ``AdaBoostClassifier._boost_real`` and
``_samme_proba`` (Zhu, Zou, Rosset and Hastie, "Multi-class AdaBoost", 2009).
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.special import xlogy
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data


def samme_proba(estimator, n_classes, X):
    """The SAMME.R contribution of one fitted estimator: (K - 1) times its centred log
    class probabilities, the probabilities clipped below at machine epsilon."""
    proba = estimator.predict_proba(X)
    np.clip(proba, np.finfo(proba.dtype).eps, None, out=proba)
    log_proba = np.log(proba)
    return (n_classes - 1) * (log_proba - log_proba.mean(axis=1, keepdims=True))


class SAMMERClassifier(ClassifierMixin, BaseEstimator):
    """Real AdaBoost (SAMME.R) over decision stumps, or any classifier with
    ``predict_proba`` and ``sample_weight``.

    Parameters
    ----------
    estimator : classifier, default=None
        The weak learner; default a decision stump (``DecisionTreeClassifier(max_depth=1)``).
    n_estimators : int, default=50
        Boosting rounds (fewer if a round fits the weighted data perfectly).
    learning_rate : float, default=1.0
        Shrinks each round's update of the sample weights.
    random_state : int, RandomState instance or None, default=None
        Seeds each weak learner.

    Attributes
    ----------
    estimators_ : list of classifiers
    classes_ : ndarray of shape (n_classes,)
    estimator_errors_ : ndarray of shape (n_estimators,)
        Weighted training error of each round.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> SAMMERClassifier(n_estimators=10, random_state=0).fit(X, y).score(X, y) > 0.9
    True
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "n_estimators": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, *, n_estimators=50, learning_rate=1.0,
                 random_state=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.random_state = random_state

    def fit(self, X, y):
        self._validate_params()
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        rng = check_random_state(self.random_state)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        K = len(self.classes_)
        if K < 2:
            raise ValueError(f"y must hold at least 2 classes, got {K}.")
        base = DecisionTreeClassifier(max_depth=1) if self.estimator is None else self.estimator
        weight = np.full(len(y), 1 / len(y))
        # y coded as in the paper: 1 for the true class, -1 / (K - 1) for the others
        coding = np.where(np.arange(K) == y_index[:, None], 1.0, -1.0 / (K - 1))
        self.estimators_, errors = [], []
        for round_ in range(self.n_estimators):
            est = clone(base).set_params(random_state=rng.randint(np.iinfo(np.int32).max))
            est.fit(X, y, sample_weight=weight)
            proba = est.predict_proba(X)
            self.estimators_.append(est)
            error = np.average(self.classes_[proba.argmax(axis=1)] != y, weights=weight)
            errors.append(error)
            if error <= 0:
                break
            np.clip(proba, np.finfo(proba.dtype).eps, None, out=proba)
            step = -self.learning_rate * (K - 1) / K * xlogy(coding, proba).sum(axis=1)
            if round_ == self.n_estimators - 1:
                break
            weight = weight * np.exp(step * ((weight > 0) | (step < 0)))
            total = weight.sum()
            if not np.isfinite(total) or total <= 0:
                break
            weight /= total
        self.estimator_errors_ = np.asarray(errors)
        return self

    def decision_function(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        K = len(self.classes_)
        return sum(samme_proba(est, K, X) for est in self.estimators_) / len(self.estimators_)

    def predict(self, X):
        return self.classes_[self.decision_function(X).argmax(axis=1)]
