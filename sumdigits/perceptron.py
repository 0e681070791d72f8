"""The perceptron of report 002: one random sample per iteration, a step-decayed learning rate.

Unlike scikit-learn's :class:`~sklearn.linear_model.Perceptron` (epochs over the
shuffled data, a constant rate), :class:`StepDecayPerceptron` follows the textbook
algorithm the report describes, and records the training error after every
iteration so the learning curve can be drawn.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model._base import LinearClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context

from ._validation import check_n_classes, check_samples, validate_data

__all__ = ["StepDecayPerceptron"]


def _learning_rates(schedule, n_iter, *, eta0, decay, step_size, power_t):
    """The learning rate of each iteration ``t = 0 .. n_iter - 1`` (see the class docstring)."""
    t = np.arange(n_iter)
    if schedule == "constant":
        return np.full(n_iter, float(eta0))
    if schedule == "invscaling":
        return eta0 / (t + 1.0) ** power_t
    # "step": eta0 - decay * floor(t / step_size), held at its last positive value
    drops = t // step_size
    if decay > 0:
        # the most drops that leave the rate positive (tolerant of 1.0 / 0.1 = 10.000...02)
        max_drops = int(np.ceil(eta0 / decay * (1 - 1e-9))) - 1
        drops = np.minimum(drops, max_drops)
    return eta0 - decay * drops


class StepDecayPerceptron(LinearClassifierMixin, BaseEstimator):
    """Perceptron trained on one random sample per iteration, with a decaying rate.

    Each iteration ``t`` draws one training sample ``x_n`` at random (with
    replacement); if it is misclassified, with targets ``y_n`` in {-1, +1} and the
    prediction ``y_pred = +1 if w . x_n + b > 0 else -1``, the weights move by

    ``w <- w + eta_t (y_n - y_pred) x_n``  and  ``b <- b + eta_t (y_n - y_pred)``.

    Several classes are learnt one-vs-rest: one such perceptron per class, all
    updated on the same draw, and the class with the highest score wins.

    Parameters
    ----------
    learning_rate : {"step", "constant", "invscaling"}, default="step"
        The schedule of ``eta_t``, for iterations ``t = 0, 1, ...``:

        - ``"step"``: ``eta_t = eta0 - decay * floor(t / step_size)``, and once a
          further drop would reach zero or below, it stays at its last positive
          value (report 002: 1.0, then 0.9 from iteration 100, ..., 0.1 from 900);
        - ``"constant"``: ``eta_t = eta0``;
        - ``"invscaling"``: ``eta_t = eta0 / (t + 1) ** power_t``.
    eta0 : float, default=1.0
        The initial learning rate.
    decay : float, default=0.1
        What the ``"step"`` schedule subtracts every ``step_size`` iterations.
    step_size : int, default=100
        Iterations between two drops of the ``"step"`` schedule.
    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.
    max_iter : int, default=1000
        Iterations, i.e. samples drawn (report 002: 1000).
    fit_intercept : bool, default=True
        Whether to learn the bias ``b``.
    random_state : int, RandomState instance or None, default=None
        Seed of the sample draws.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        The weights: one row for two classes (positive for ``classes_[1]``), one
        per class otherwise. A row reshapes to the image, e.g.
        ``coef_[0].reshape(28, 28)``, to draw what the perceptron learnt.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        The biases.
    classes_ : ndarray of shape (n_classes,)
        The labels ``predict`` can return: those seen in ``fit``.
    errors_ : ndarray of shape (max_iter,)
        The error rate on the whole training set after each iteration.
    learning_rates_ : ndarray of shape (max_iter,)
        ``eta_t`` of each iteration.
    n_iter_ : int
        Iterations of the optimisation: samples drawn, one update step each
        (always ``max_iter``).
    n_features_in_ : int
        Features seen in ``fit``.

    See Also
    --------
    sklearn.linear_model.Perceptron : epochs of stochastic gradient descent.

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits.perceptron import StepDecayPerceptron
    >>> X = np.array([[0., 1.], [1., 0.], [0., 2.], [2., 0.]])
    >>> y = np.array([0, 1, 0, 1])
    >>> clf = StepDecayPerceptron(max_iter=50, random_state=0).fit(X, y)
    >>> clf.predict(X).tolist(), float(clf.errors_[-1])
    ([0, 1, 0, 1], 0.0)
    >>> StepDecayPerceptron().fit(X, y).learning_rates_[[0, 100, 899, 900, 999]].round(2).tolist()
    [1.0, 0.9, 0.2, 0.1, 0.1]
    """

    _parameter_constraints: dict = {
        "learning_rate": [StrOptions({"step", "constant", "invscaling"})],
        "eta0": [Interval(numbers.Real, 0, None, closed="neither")],
        "decay": [Interval(numbers.Real, 0, None, closed="left")],
        "step_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "power_t": [Interval(numbers.Real, 0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "fit_intercept": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        learning_rate="step",
        eta0=1.0,
        decay=0.1,
        step_size=100,
        power_t=0.5,
        max_iter=1000,
        fit_intercept=True,
        random_state=None,
    ):
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.decay = decay
        self.step_size = step_size
        self.power_t = power_t
        self.max_iter = max_iter
        self.fit_intercept = fit_intercept
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Run ``max_iter`` iterations from zero weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, e.g. flattened digit images scaled to [0, 1].
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
        """
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        check_n_classes(self.classes_, estimator=type(self).__name__)
        n_samples = X.shape[0]
        binary = self.classes_.shape[0] == 2
        # targets in {-1, +1}: one column for two classes, one per class otherwise
        columns = np.array([1]) if binary else np.arange(self.classes_.shape[0])
        targets = np.where(y_index[:, None] == columns, 1.0, -1.0)

        rng = check_random_state(self.random_state)
        draws = rng.randint(0, n_samples, size=self.max_iter)
        self.learning_rates_ = _learning_rates(
            self.learning_rate, self.max_iter, eta0=self.eta0, decay=self.decay,
            step_size=self.step_size, power_t=self.power_t,
        )
        coef = np.zeros((columns.shape[0], X.shape[1]))
        intercept = np.zeros(columns.shape[0])
        scores = np.zeros((n_samples, columns.shape[0]))  # X @ coef.T + intercept, kept current
        errors = np.empty(self.max_iter)
        error = self._training_error(scores, y_index, binary)
        for t, n in enumerate(draws):
            predicted = np.where(scores[n] > 0, 1.0, -1.0)
            step = self.learning_rates_[t] * (targets[n] - predicted)  # 0 where right
            if step.any():
                coef += step[:, None] * X[n]
                intercept += step * self.fit_intercept
                scores += np.outer(X @ X[n] + self.fit_intercept, step)
                error = self._training_error(scores, y_index, binary)
            errors[t] = error
        self.coef_, self.intercept_ = coef, intercept
        self.errors_ = errors
        self.n_iter_ = self.max_iter
        return self

    def decision_function(self, X):
        """Confidence scores: the signed distance of each sample to each hyperplane.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        check_is_fitted(self)
        check_samples(X, max_ndim=2)
        return super().decision_function(X)

    def score(self, X, y, sample_weight=None):
        """Mean accuracy of :meth:`predict` on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        check_samples(X, y, max_ndim=2)
        return super().score(X, y, sample_weight=sample_weight)

    @staticmethod
    def _training_error(scores, y_index, binary):
        predicted = (scores[:, 0] > 0).astype(np.intp) if binary else scores.argmax(axis=1)
        return float(np.mean(predicted != y_index))
