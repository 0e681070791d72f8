"""Predict the sum of two digits by classifying each digit and combining the two.

:class:`SequentialDigitSumClassifier` splits each pair image into its two digits,
classifies them with one digit classifier, and combines the two probability vectors
into the distribution of the sum (report 000, section 5: the digits are independent,
so their probabilities multiply). The digit classifier is learnt either from the digit
labels or, as in the MNIST-addition benchmark, from the sums alone by
expectation-maximisation.
"""

from __future__ import annotations

import numbers
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted
from sklearn_compat.base import _fit_context

from ._digits import DigitsMixin
from ._geometry import LAYOUTS, Geometry, shape_constraint
from ._sums import joint_digit_distribution, sum_distribution, sum_matrix
from ._validation import (
    N_DIGIT_CLASSES,
    N_SUM_CLASSES,
    check_digit_labels,
    check_sum_labels,
    validate_images,
)
from .pairs import split_pairs

__all__ = ["SequentialDigitSumClassifier", "sum_posterior"]

#: Candidate digit labels whose posterior weight falls below this are left out of an
#: M-step's training set: they would change the fit by less than 0.1 % of one sample
#: each, and keeping them would multiply the training set by up to ten.
_MIN_POSTERIOR = 1e-3
#: Floor on the digit probabilities in the E-step, so that a classifier that is certain
#: and wrong (a tree, k-NN) never makes every digit pair of an observed sum impossible.
_PROBA_FLOOR = 1e-9
TARGETS = ("auto", "digits", "sums")


def _split_labels(y, n_samples, target="auto"):
    """Digit labels (n, 2) or sums (n,), as ``target`` says; return (digits or None, sums).

    "auto" tells them apart by the shape of ``y``; "digits" requires digit labels;
    "sums" learns from the sums, of digit labels too.
    """
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 2:
        digits = check_digit_labels(arr, name="y", n_samples=n_samples, ndim=2)
        return (None if target == "sums" else digits), digits.sum(axis=1)
    if arr.ndim == 1 or (arr.ndim == 2 and arr.shape[1] == 1):
        if target == "digits":
            raise ValueError(
                "y must hold the two digit labels of each pair, shape (n_samples, 2), with "
                f"target='digits'; got an array of shape {arr.shape} (sums?). Pass "
                "target='sums' to learn the digits from the sums (EM), or the digit labels."
            )
        return None, check_sum_labels(arr, name="y", n_samples=n_samples)
    raise ValueError(
        "y must be the digit labels of each pair, shape (n_samples, 2), or their sums, "
        f"shape (n_samples,); got an array of shape {arr.shape}."
    )


def _m_step_params(estimator, max_passes):
    """The parameters that make each M-step continue from the last, in few passes.

    ``{warm_start: True}`` for an estimator that continues from its fitted solution
    (linear models, multi-layer perceptrons, the Keras networks; in a Pipeline, its
    last step), with its passes over the data (``max_iter``, or ``epochs``) capped at
    ``max_passes``; ``{}`` for the others, refitted from scratch: those without
    ``warm_start`` and ensembles (an ``n_estimators`` parameter), which only add
    members with it.
    """
    params = estimator.get_params(deep=True)
    prefix = f"{estimator.steps[-1][0]}__" if isinstance(estimator, Pipeline) else ""
    if f"{prefix}warm_start" not in params or f"{prefix}n_estimators" in params:
        return {}
    out = {f"{prefix}warm_start": True}
    for name in ("max_iter", "epochs"):
        passes = params.get(prefix + name)
        if max_passes is not None and isinstance(passes, numbers.Integral) \
                and not isinstance(passes, bool):
            out[prefix + name] = min(int(passes), max_passes)
    return out


def _fit_weighted(estimator, X, y, sample_weight):
    """``estimator.fit`` with sample weights, routed to the last step of a Pipeline."""
    if sample_weight is None:
        return estimator.fit(X, y)
    if isinstance(estimator, Pipeline):
        return estimator.fit(X, y, **{f"{estimator.steps[-1][0]}__sample_weight": sample_weight})
    return estimator.fit(X, y, sample_weight=sample_weight)


def sum_posterior(p, q, sums):
    """Posterior of each pair's two digits given their sum and independent priors.

    The E-step of :class:`SequentialDigitSumClassifier` learning from sums:
    ``P(a, b | x, s) ∝ p[a] q[b] [a + b = s]``, returned as its two marginals.

    Parameters
    ----------
    p, q : array-like of shape (n, 10)
        Digit probabilities of the first and second digit of each pair.
    sums : array-like of shape (n,)
        The observed sums.

    Returns
    -------
    first, second : ndarray of shape (n, 10)
        ``P(a | x, s)`` and ``P(b | x, s)``; each row sums to one.
    likelihood : ndarray of shape (n,)
        ``P(s | x) = sum over a + b = s of p[a] q[b]``, the normaliser.

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits.sequential import sum_posterior
    >>> uniform = np.full((1, 10), 0.1)
    >>> first, second, likelihood = sum_posterior(uniform, uniform, [1])
    >>> first.round(2).tolist(), likelihood.round(2).tolist()  # (0, 1) or (1, 0)
    ([[0.5, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]], [0.02])
    """
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    sums = np.asarray(sums)
    n, k = p.shape
    joint = joint_digit_distribution(p, q)  # (n, k, k)
    consistent = sum_matrix(k, dtype=bool)[:, sums].T.reshape(n, k, k)  # a + b == s
    joint = np.where(consistent, joint, 0.0)
    likelihood = joint.sum(axis=(1, 2))
    joint /= likelihood[:, None, None]
    return joint.sum(axis=2), joint.sum(axis=1), likelihood


class SequentialDigitSumClassifier(DigitsMixin, ClassifierMixin, MetaEstimatorMixin,
                                   BaseEstimator):
    """Sum of two digits from a digit classifier applied to each digit of a pair.

    Each pair image is split into its two digits (by ``layout``); one digit
    classifier, a clone of ``estimator``, gives each digit a probability vector
    ``p`` and ``q`` over 0..9; the two digits being independent, the sum has the
    distribution ``P(s) = sum_a p[a] q[s - a]`` (:func:`sumdigits._sums.sum_distribution`).

    The digit classifier is learnt in one of two ways, chosen by ``target``:

    - **digit labels** (``target="digits"``), ``y`` of shape (n, 2): it is fitted
      once on the 2n digits;
    - **sums only** (``target="sums"``), ``y`` of shape (n,): it is learnt by
      expectation-maximisation (EM), the MNIST-addition setting, which refits it
      several times. The E-step gives each digit the posterior ``P(a | x, s)`` of
      its label given the sum and the current classifier (:func:`sum_posterior`);
      the M-step refits the classifier on every digit repeated with each candidate
      label, weighted by that posterior. It starts from uniform digit
      probabilities, where the posterior comes from the sums alone: a sum of 0 or
      18 fixes both digits, a sum of 1 leaves 0 or 1, and so on, which breaks the
      symmetry between the labels.

    The default, ``target="auto"``, takes the labels it is given, as any
    scikit-learn classifier does: digit labels when ``y`` has two columns, EM
    when ``y`` holds sums (so ``cross_val_score(clf, X, sums)`` runs EM in every
    fold); with ``verbose`` it prints which one it chose. Either way the scores
    and predictions are those of the sums.

    ``predict_digits`` and ``predict_digit_proba`` read the two digits of the same
    pairs; single digit images (flattened) go to ``estimator_``.

    Pairs may be given flattened (n, height * 2 * width), as images (n, height,
    2 * width) or with a channel axis (n, height, 2 * width, 1), at ``fit`` and
    after it, in any mix; ``n_features_in_`` counts the pixels of a pair.

    Parameters
    ----------
    estimator : classifier, default=None
        The digit classifier: any classifier with ``fit`` and ``predict_proba``
        whose ``classes_`` are digits 0..9 (scikit-learn's, or the Keras
        estimators of :mod:`sumdigits.keras`). Learning from sums needs
        ``sample_weight`` in its ``fit`` (in a :class:`~sklearn.pipeline.Pipeline`,
        the weights go to the last step). It gets the digits flattened, shape
        (n, h * w), whether the pairs are flattened or 3-D.
        Default: ``make_pipeline(MinMaxScaler(), LogisticRegression(max_iter=1000))``.
        Its parameters are reachable as ``estimator__<name>`` (for
        :class:`~sklearn.model_selection.GridSearchCV`).
    layout : {"horizontal", "vertical"}, default="horizontal"
        How the two digits sit in a pair image, as in :func:`~sumdigits.make_digit_pairs`.
    digit_shape : tuple of int, "vector" or None, default=None
        (height, width) of one digit of flattened pairs. By default it is read
        from 3-D pairs, and flattened pairs are taken to hold two square digits
        (28 x 28 for 1,568 features, 8 x 8 for 128; the rule of every pair
        estimator, :func:`sumdigits._geometry.resolve_geometry`). "vector" takes
        any feature vector of even length as a pair: its two halves are the two
        "digits".
    target : {"auto", "digits", "sums"}, default="auto"
        What ``fit`` learns from. "digits": the digit labels, ``y`` of shape (n,
        2); "sums": the sums alone, by EM (``y`` of shape (n,), or digit labels,
        of which only the sums are used); "auto": "digits" when ``y`` has shape
        (n, 2), else "sums". ``fit_mode_`` says which was used.
    max_iter : int, default=30
        Most EM iterations (M-steps) when learning from sums; unused with digit labels.
    m_step_max_iter : int or None, default=10
        Most passes over its training set of each M-step (the digit classifier's
        ``max_iter``, or ``epochs`` for the Keras networks), for a digit classifier
        that can warm start (see Notes); None keeps its own. An M-step need not
        converge: it starts where the last one ended, and EM only needs it to
        raise the likelihood. Unused with digit labels.
    tol : float, default=1e-3
        EM stops when the mean log-likelihood of the training sums,
        ``mean log P(s | x)``, improves by less than ``tol`` in an iteration.
    verbose : int, default=0
        When positive, print which labels ``fit`` learns from and, for EM, each
        iteration's log-likelihood, training-set size and seconds.

    Attributes
    ----------
    estimator_ : classifier
        The fitted digit classifier, of single flattened digit images.
    classes_ : ndarray of shape (n_classes,)
        The labels ``predict`` can return, one per column of ``predict_proba``:
        the sums seen in ``fit`` (all of 0..18 in any real training set).
    digit_shape_ : tuple of int
        (height, width) of one digit.
    n_features_in_ : int
        Pixels (features) per pair seen in ``fit``, whatever the spelling of ``X``.
    fit_mode_ : {"digits", "sums"}
        Which labels ``fit`` learned from (see ``target``).
    n_iter_ : int
        Iterations of the optimisation: EM iterations (E-step and M-step) of the
        last ``fit`` from sums; 1 (one fit of the digit classifier) from digit labels.
    log_likelihood_ : ndarray of shape (``n_iter_``,)
        With sums only: the mean log-likelihood of the training sums after each
        M-step. EM with an exact M-step never lowers it; a regularised or
        approximate M-step may, slightly.
    converged_ : bool
        With sums only: whether EM met ``tol`` before ``max_iter``.

    See Also
    --------
    sumdigits.make_digit_pairs : makes the pair images and both kinds of labels.

    Notes
    -----
    In the M-step, candidate labels with a posterior below 1e-3 are left out of the
    weighted training set, and in the E-step the digit probabilities are floored at
    1e-9 so that an over-confident classifier cannot rule out every digit pair of
    an observed sum. EM finds a local maximum: it needs enough pairs with
    informative sums (at 50 pairs it may settle on a wrong labelling). Each M-step
    refits the same ``estimator_``; when it has a ``warm_start`` parameter and is not
    an ensemble (linear models, multi-layer perceptrons, the Keras networks; in a
    Pipeline, its last step), EM sets ``warm_start=True`` and caps its passes at
    ``m_step_max_iter``, so that each M-step starts from the previous solution and
    the whole of EM costs a few fits of the digit classifier; ``estimator_`` gets
    its own parameters back at the end. Other digit classifiers are refitted from
    scratch in every M-step.

    Examples
    --------
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from sumdigits import load_mnist, make_digit_pairs
    >>> from sumdigits.sequential import SequentialDigitSumClassifier
    >>> (X, y), (X_test, y_test) = load_mnist("embedded")
    >>> train = make_digit_pairs(X, y, 500, random_state=0)
    >>> test = make_digit_pairs(X_test, y_test, 200, random_state=0)
    >>> clf = SequentialDigitSumClassifier(GaussianNB()).fit(train.data, train.digits)
    >>> clf.predict_proba(test.data).shape
    (200, 19)
    >>> clf.predict_digits(test.data).shape
    (200, 2)
    >>> clf.score(test.data, test.target) > 0.2
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "layout": [StrOptions(set(LAYOUTS))],
        "digit_shape": shape_constraint(),
        "target": [StrOptions(set(TARGETS))],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "m_step_max_iter": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        layout="horizontal",
        digit_shape=None,
        target="auto",
        max_iter=30,
        m_step_max_iter=10,
        tol=1e-3,
        verbose=0,
    ):
        self.estimator = estimator
        self.layout = layout
        self.digit_shape = digit_shape
        self.target = target
        self.max_iter = max_iter
        self.m_step_max_iter = m_step_max_iter
        self.tol = tol
        self.verbose = verbose

    # -- input ---------------------------------------------------------------------

    def _split(self, X, y=None, *, reset):
        """Validate pair images (and y, when fitting); return their first and second digits.

        The pairs may be flattened, 3-D or 4-D with a channel axis; they are
        validated flattened, so ``n_features_in_`` counts pixels.
        """
        if reset:
            X, _, geometry = validate_images(self, X, y, reset=True, digit_shape=self.digit_shape,
                                             layout=self.layout, dtype="numeric",
                                             multi_output=True)
            self.digit_shape_ = geometry.digit_shape
        else:
            X, _ = validate_images(self, X, reset=False, dtype="numeric",
                                   geometry=Geometry(self.digit_shape_, self.layout))
        first, second = split_pairs(X, layout=self.layout, digit_shape=self.digit_shape_)
        return first, second

    def _digit_proba(self, digits):
        """(n, 10) digit probabilities; columns of digits the classifier never saw are 0."""
        proba = np.asarray(self.estimator_.predict_proba(digits), dtype=np.float64)
        out = np.zeros((proba.shape[0], N_DIGIT_CLASSES))
        out[:, np.asarray(self.estimator_.classes_, dtype=np.intp)] = proba
        return out

    # -- fit -----------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit the digit classifier from digit labels, or from sums by EM.

        Parameters
        ----------
        X : array-like of shape (n_pairs, n_features) or (n_pairs, height, width[, 1])
            Pair images as :func:`~sumdigits.make_digit_pairs` makes them, flattened,
            3-D, or with a channel axis.
        y : array-like of shape (n_pairs, 2) or (n_pairs,)
            The two digit labels of each pair (0..9), or only their sums (0..18);
            which of them ``fit`` learns from is ``target``'s choice.
        sample_weight : array-like of shape (n_pairs,), default=None
            Weight of each pair, given to both of its digits.

        Returns
        -------
        self : object
        """
        first, second = self._split(X, y, reset=True)
        n = first.shape[0]
        digits, sums = _split_labels(y, n, self.target)
        if self.verbose:
            how = ("from the digit labels (one fit)" if digits is not None
                   else f"from the sums alone by EM (at most max_iter={self.max_iter} fits)")
            why = (f"target='auto' and y has shape {np.shape(y)}" if self.target == "auto"
                   else f"target={self.target!r}")
            print(f"{type(self).__name__}: {why}: learning the digits {how}.", flush=True)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, first, ensure_non_negative=True)
            if not sample_weight.any():
                raise ValueError("sample_weight is zero for every pair: nothing to learn from.")
        X_digits = np.concatenate([first, second])
        self.classes_ = np.unique(sums)
        self.estimator_ = clone(
            self.estimator if self.estimator is not None
            else make_pipeline(MinMaxScaler(), LogisticRegression(max_iter=1000))
        )
        if digits is not None:
            self.fit_mode_ = "digits"
            weights = None if sample_weight is None else np.tile(sample_weight, 2)
            _fit_weighted(self.estimator_, X_digits, digits.T.ravel(), weights)
            self.n_iter_ = 1
            return self
        self.fit_mode_ = "sums"
        self._fit_em(X_digits, sums, np.ones(n) if sample_weight is None else sample_weight)
        return self

    def _fit_em(self, X_digits, sums, sample_weight):
        """EM from sums: alternate the posterior of the labels and a weighted refit."""
        n = sums.shape[0]
        uniform = np.full((n, N_DIGIT_CLASSES), 1.0 / N_DIGIT_CLASSES)
        first, second, _ = sum_posterior(uniform, uniform, sums)
        pair_weight = np.tile(sample_weight, 2)
        m_step = _m_step_params(self.estimator_, self.m_step_max_iter)
        own = {k: v for k, v in self.estimator_.get_params(deep=True).items() if k in m_step}
        self.estimator_.set_params(**m_step)
        labels_seen = None
        log_likelihood = []
        self.converged_ = False
        for iteration in range(1, self.max_iter + 1):
            start = time.perf_counter()
            # M-step: every digit once per plausible label, weighted by its posterior.
            posterior = np.concatenate([first, second])  # (2n, 10), rows as in X_digits
            rows, labels = np.nonzero(posterior >= _MIN_POSTERIOR)
            weights = posterior[rows, labels] * pair_weight[rows]
            labels_now = np.unique(labels)
            if m_step and labels_seen is not None and not np.array_equal(labels_now,
                                                                         labels_seen):
                self.estimator_ = clone(self.estimator_)  # other labels: no warm start
            labels_seen = labels_now
            with warnings.catch_warnings():
                if m_step:  # a warm-started M-step need not converge: EM's tol decides
                    warnings.simplefilter("ignore", ConvergenceWarning)
                _fit_weighted(self.estimator_, X_digits[rows], labels, weights)
            # E-step with the new classifier.
            proba = np.maximum(self._digit_proba(X_digits), _PROBA_FLOOR)
            proba /= proba.sum(axis=1, keepdims=True)
            first, second, likelihood = sum_posterior(proba[:n], proba[n:], sums)
            log_likelihood.append(
                float(np.average(np.log(likelihood), weights=sample_weight))
            )
            gain = (log_likelihood[-1] - log_likelihood[-2]) if iteration > 1 else None
            if self.verbose:
                change = "" if gain is None else f" ({gain:+.5f})"
                print(f"EM iteration {iteration}/{self.max_iter}: mean log-likelihood "
                      f"{log_likelihood[-1]:.5f}{change}, M-step on {len(rows)} weighted "
                      f"digits, {time.perf_counter() - start:.1f} s", flush=True)
            if gain is not None and gain < self.tol:
                self.converged_ = True
                break
        self.estimator_.set_params(**own)
        self.log_likelihood_ = np.asarray(log_likelihood)
        self.n_iter_ = len(log_likelihood)
        if not self.converged_:
            warnings.warn(
                f"EM did not converge in max_iter={self.max_iter} iterations (the last "
                f"improvement of the mean log-likelihood was above tol={self.tol}); "
                "increase max_iter.",
                ConvergenceWarning,
            )

    # -- predict -------------------------------------------------------------------

    def predict_digit_proba(self, X):
        """Digit probabilities of the first and second digit of each pair.

        Parameters
        ----------
        X : array-like of pair images

        Returns
        -------
        proba : ndarray of shape (n_pairs, 2, 10)
        """
        check_is_fitted(self)
        first, second = self._split(X, reset=False)
        proba = self._digit_proba(np.concatenate([first, second]))
        return proba.reshape(2, first.shape[0], N_DIGIT_CLASSES).transpose(1, 0, 2)

    def predict_proba(self, X):
        """Distribution of the sum of each pair: the convolution of its digits'.

        Parameters
        ----------
        X : array-like of pair images

        Returns
        -------
        proba : ndarray of shape (n_pairs, n_classes)
            ``proba[i, k]`` is the probability that pair ``i`` sums to
            ``classes_[k]``. When ``fit`` saw only some of the sums 0..18, it is
            the probability given that the sum is one of them (with the digit
            probabilities floored at 1e-9, as in EM, so that it is defined).
        """
        proba = self.predict_digit_proba(X)
        if len(self.classes_) == N_SUM_CLASSES:
            return sum_distribution(proba[:, 0], proba[:, 1])
        proba = np.maximum(proba, _PROBA_FLOOR)
        proba = sum_distribution(proba[:, 0], proba[:, 1])[:, self.classes_]
        return proba / proba.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of pair images

        Returns
        -------
        log_proba : ndarray of shape (n_pairs, n_classes)
            ``-inf`` where a sum has probability 0.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable sum of each pair.

        Note that it is the argmax of the sum's distribution, which may differ from
        the sum of the two most probable digits when the classifier is unsure.

        Parameters
        ----------
        X : array-like of pair images

        Returns
        -------
        sums : ndarray of shape (n_pairs,)
        """
        check_is_fitted(self)
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def score(self, X, y, sample_weight=None):
        """Accuracy of the predicted sums.

        Parameters
        ----------
        X : array-like of pair images
        y : array-like of shape (n_pairs, 2) or (n_pairs,)
            Digit labels (the truth is their sum) or sums, as in :meth:`fit`.
        sample_weight : array-like of shape (n_pairs,), default=None

        Returns
        -------
        score : float
        """
        y_pred = self.predict(X)
        _, sums = _split_labels(y, y_pred.shape[0], "sums")
        return accuracy_score(sums, y_pred, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.required = True
        tags.target_tags.two_d_labels = True
        tags.classifier_tags.poor_score = True
        return tags
