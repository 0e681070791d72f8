"""Curves: training histories per epoch, and test accuracy against training-set size."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
from sklearn.base import clone
from sklearn.metrics import check_scoring

from .._validation import check_random_state
from ._base import _check_1d_finite, _check_history, _get_axes

__all__ = [
    "TrainingHistoryDisplay",
    "TrainingSizeDisplay",
    "exponential_smoothing",
]


def _metric_label(metric):
    return {"loss": "Loss", "accuracy": "Accuracy"}.get(metric, metric.replace("_", " ").capitalize())


def _check_axes_for(ax, n_panels, caller, panel_size=(4.2, 3.2)):
    """``(figure, axes)``: a row of ``n_panels`` new axes, or the given axes checked."""
    if ax is None:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, n_panels, figsize=(panel_size[0] * n_panels, panel_size[1]),
                                 layout="constrained", squeeze=False)
        return fig, axes.ravel()
    axes = np.ravel(np.asarray(ax, dtype=object))
    if axes.shape[0] != n_panels:
        raise ValueError(f"ax must hold one Axes per metric ({n_panels}), got {axes.shape[0]}.")
    for a in axes:
        _get_axes(a, caller)
    return axes[0].figure, axes


def _check_smoothing(smoothing):
    if isinstance(smoothing, bool) or not isinstance(smoothing, numbers.Real):
        raise TypeError(f"smoothing must be a float in [0, 1), got {type(smoothing).__name__}.")
    if not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must be a float in [0, 1), got {smoothing!r}.")
    return float(smoothing)


def exponential_smoothing(values, smoothing):
    """Exponential moving average of a curve, as TensorBoard and report 002 draw it.

    Parameters
    ----------
    values : array-like of shape (n_points,)
        The curve (finite values).
    smoothing : float in [0, 1)
        Weight of the past: ``s[0] = values[0]`` and
        ``s[t] = smoothing * s[t-1] + (1 - smoothing) * values[t]``; 0 returns the
        values unchanged.

    Returns
    -------
    smoothed : ndarray of shape (n_points,)

    Examples
    --------
    >>> from sumdigits.plotting import exponential_smoothing
    >>> exponential_smoothing([0.0, 1.0, 1.0], 0.5)
    array([0.  , 0.5 , 0.75])
    """
    smoothing = _check_smoothing(smoothing)
    values = _check_1d_finite(values, "values")
    out = np.empty_like(values, dtype=float)
    for t, v in enumerate(values):
        out[t] = v if t == 0 else smoothing * out[t - 1] + (1 - smoothing) * v
    return out


class TrainingHistoryDisplay:
    """Learning curves: metrics per epoch on the training and validation data.

    One panel per metric (loss, accuracy, ...), the training curve solid and
    the validation curve (Keras' ``val_<metric>``) dashed. Plot several
    histories on the same axes to compare runs (e.g. SGD against Adam). It is
    recommended to use :meth:`from_history` or :meth:`from_estimator` to
    create it.

    Parameters
    ----------
    history : dict of str to ndarray
        Values per epoch, keyed as Keras names them (``"loss"``,
        ``"val_loss"``, ``"accuracy"``, ...).
    name : str, default=None
        Name of the run, prefixed to the legend entries.

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
        The curve of each key of ``history`` drawn.
    axes_ : ndarray of matplotlib Axes
        One axes per metric.
    figure_ : matplotlib Figure
        Figure containing the axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sumdigits.plotting import TrainingHistoryDisplay
    >>> history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6],
    ...            "accuracy": [0.6, 0.8, 0.9], "val_accuracy": [0.55, 0.7, 0.75]}
    >>> disp = TrainingHistoryDisplay.from_history(history)
    >>> sorted(disp.lines_), disp.axes_[1].get_ylabel()
    (['accuracy', 'loss', 'val_accuracy', 'val_loss'], 'Accuracy')
    """

    def __init__(self, history, *, name=None):
        self.history = history
        self.name = name

    def plot(self, *, metrics=None, ax=None, line_kw=None, smoothing=0.0):
        """Plot the curves.

        Parameters
        ----------
        metrics : list of str, default=None
            Metrics to draw, one panel each (their ``val_`` curves join them);
            every training metric of the history when None, loss first.
        ax : matplotlib Axes or array-like of Axes, default=None
            One axes per metric; a new figure with a row of panels when None.
            Pass the ``axes_`` of another display to overlay runs.
        line_kw : dict, default=None
            Keywords passed to :meth:`matplotlib.axes.Axes.plot` (e.g. ``color``).
        smoothing : float in [0, 1), default=0.0
            Rate of an exponential moving average drawn instead of the values:
            ``s[0] = v[0]``, ``s[t] = smoothing * s[t-1] + (1 - smoothing) * v[t]``
            (report 002 smooths at 0.5). When above 0, the true values are drawn
            faintly beneath, in the same colour. 0 draws the values themselves.

        Returns
        -------
        display : TrainingHistoryDisplay
        """
        smoothing = _check_smoothing(smoothing)
        history = _check_history(self.history)
        available = [k for k in history if not k.startswith("val_")]
        if metrics is None:
            metrics = sorted(available, key=lambda k: (k != "loss", available.index(k)))
        elif isinstance(metrics, str):
            metrics = [metrics]
        missing = [m for m in metrics if m not in history]
        if missing or not metrics:
            raise ValueError(f"metrics {missing} are not in the history, which holds "
                             f"{sorted(history)}.")
        fig, axes = _check_axes_for(ax, len(metrics), "TrainingHistoryDisplay.plot")
        prefix = f"{self.name} " if self.name else ""
        self.lines_ = {}
        for a, metric in zip(axes, metrics):
            for key, style, what in ((metric, "-", "train"), (f"val_{metric}", "--", "validation")):
                if key not in history:
                    continue
                values = history[key]
                kw = {"linestyle": style, "marker": "o" if values.size <= 30 else None,
                      "markersize": 3, **(line_kw or {})}
                if what == "validation" and metric in self.lines_:
                    kw.setdefault("color", self.lines_[metric].get_color())
                epochs = np.arange(1, values.size + 1)
                (self.lines_[key],) = a.plot(epochs, exponential_smoothing(values, smoothing),
                                             label=f"{prefix}{what}", **kw)
                if smoothing:  # the true values, faint
                    a.plot(epochs, values, color=self.lines_[key].get_color(), alpha=0.3,
                           linestyle=style, linewidth=1)
            a.set(xlabel="Epoch", ylabel=_metric_label(metric))
            a.legend(fontsize=8)
            a.grid(True, alpha=0.3)
        self.axes_, self.figure_ = axes, fig
        return self

    @classmethod
    def from_history(cls, history, *, name=None, metrics=None, ax=None, line_kw=None,
                     smoothing=0.0):
        """Plot a training history.

        Parameters
        ----------
        history : dict, Keras History or estimator
            ``{metric: values per epoch}`` (Keras' ``History.history``), a Keras
            ``History`` object, or a fitted estimator with ``history_``.
        name : str, default=None
            Name of the run, for the legend.
        metrics, ax, line_kw, smoothing
            As in :meth:`plot`.

        Returns
        -------
        display : TrainingHistoryDisplay
        """
        return cls(_check_history(history), name=name).plot(metrics=metrics, ax=ax,
                                                            line_kw=line_kw, smoothing=smoothing)

    @classmethod
    def from_estimator(cls, estimator, *, name=None, metrics=None, ax=None, line_kw=None,
                       smoothing=0.0):
        """Plot the ``history_`` a fitted estimator recorded while training.

        Parameters
        ----------
        estimator : estimator instance
            Fitted estimator with a ``history_`` attribute (the Keras
            estimators of :mod:`sumdigits.keras`).
        name : str, default=None
            Name of the run, for the legend.
        metrics, ax, line_kw, smoothing
            As in :meth:`plot`.

        Returns
        -------
        display : TrainingHistoryDisplay
        """
        if not hasattr(estimator, "fit"):
            raise TypeError(f"estimator must be a fitted estimator, got "
                            f"{type(estimator).__name__}; use from_history for a dict.")
        return cls.from_history(estimator, name=name, metrics=metrics, ax=ax, line_kw=line_kw,
                                smoothing=smoothing)


def _check_train_sizes(train_sizes, n_samples):
    sizes = np.asarray(train_sizes)
    if sizes.ndim != 1 or sizes.size == 0 or not np.issubdtype(sizes.dtype, np.integer):
        raise ValueError(f"train_sizes must be a non-empty 1-D list of ints, got {train_sizes!r}.")
    if sizes.min() < 1 or sizes.max() > n_samples:
        raise ValueError(f"train_sizes must lie in 1..{n_samples} (the training samples), "
                         f"got {sizes.tolist()}.")
    return np.sort(sizes)


class TrainingSizeDisplay:
    """Test score against the number of training samples, for several approaches.

    It is recommended to use :meth:`from_estimators` (which fits each approach
    on growing subsets of one training set and scores it on one test set) or
    :meth:`from_scores` to create it.

    Parameters
    ----------
    train_sizes : ndarray of shape (n_sizes,)
        Numbers of training samples.
    scores : dict of str to ndarray of shape (n_sizes,)
        Test score of each approach at each size.
    score_name : str, default="Accuracy"
        Label of the score axis.

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
        The curve of each approach.
    ax_ : matplotlib Axes
        Axes with the curves.
    figure_ : matplotlib Figure
        Figure containing them.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sumdigits.plotting import TrainingSizeDisplay
    >>> disp = TrainingSizeDisplay.from_scores(
    ...     [100, 1000], {"single": [0.2, 0.4], "sequential": [0.6, 0.8]})
    >>> sorted(disp.lines_), disp.ax_.get_xlabel()
    (['sequential', 'single'], 'Training samples')
    """

    def __init__(self, train_sizes, scores, *, score_name="Accuracy"):
        self.train_sizes = train_sizes
        self.scores = scores
        self.score_name = score_name

    def plot(self, *, log_scale=True, ax=None, line_kw=None):
        """Plot one curve per approach.

        Parameters
        ----------
        log_scale : bool, default=True
            Logarithmic axis of training sizes.
        ax : matplotlib Axes, default=None
            Axes to plot on; a new figure when None.
        line_kw : dict, default=None
            Keywords passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : TrainingSizeDisplay
        """
        fig, ax = _get_axes(ax, "TrainingSizeDisplay.plot", figsize=(6, 4))
        self.lines_ = {}
        for name, values in self.scores.items():
            (self.lines_[name],) = ax.plot(self.train_sizes, values, marker="o", label=name,
                                           **(line_kw or {}))
        if log_scale:
            ax.set_xscale("log")
        ax.set(xlabel="Training samples", ylabel=self.score_name)
        ax.grid(True, alpha=0.3)
        ax.legend()
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_scores(cls, train_sizes, scores, *, score_name="Accuracy", log_scale=True,
                    ax=None, line_kw=None):
        """Plot scores already measured.

        Parameters
        ----------
        train_sizes : array-like of shape (n_sizes,)
            Numbers of training samples.
        scores : dict of str to array-like of shape (n_sizes,)
            Test score of each approach at each size.
        score_name : str, default="Accuracy"
            Label of the score axis.
        log_scale, ax, line_kw
            As in :meth:`plot`.

        Returns
        -------
        display : TrainingSizeDisplay
        """
        sizes = _check_1d_finite(train_sizes, "train_sizes")
        if not isinstance(scores, Mapping) or not scores:
            raise TypeError("scores must be a non-empty dict {approach name: scores per size}.")
        scores = {str(k): _check_1d_finite(v, f"scores[{k!r}]", n=sizes.shape[0])
                  for k, v in scores.items()}
        return cls(sizes, scores, score_name=score_name).plot(log_scale=log_scale, ax=ax,
                                                              line_kw=line_kw)

    @classmethod
    def from_estimators(cls, estimators, X, y, X_test, y_test, *, train_sizes,
                        scoring=None, random_state=None, score_name="Accuracy",
                        log_scale=True, ax=None, line_kw=None):
        """Fit each approach on growing training subsets and plot its test score.

        The subsets are nested (the first ``n`` of one random permutation), the
        same for every approach; each fit is on a clone, so ``estimators`` stay
        unfitted.

        Parameters
        ----------
        estimators : dict of str to estimator
            The approaches to compare, by name.
        X : array-like of shape (n_samples, ...)
            Training data.
        y : array-like, or dict of str to array-like
            Training targets; a dict gives each approach its own (e.g. sums for
            a single classifier, the two digits for
            :class:`~sumdigits.sequential.SequentialDigitSumClassifier`).
        X_test : array-like
            Test data, from a separate split.
        y_test : array-like
            Test targets, scored by ``scoring``.
        train_sizes : array-like of int
            Numbers of training samples, each in 1..n_samples.
        scoring : str or callable, default=None
            A scikit-learn scorer; ``estimator.score`` when None.
        random_state : int, RandomState instance, Generator or None, default=None
            Seed of the permutation that orders the training samples.
        score_name, log_scale, ax, line_kw
            As in :meth:`from_scores`.

        Returns
        -------
        display : TrainingSizeDisplay
        """
        if not isinstance(estimators, Mapping) or not estimators:
            raise TypeError("estimators must be a non-empty dict {name: estimator}.")
        for name, est in estimators.items():
            if not hasattr(est, "fit"):
                raise TypeError(f"estimators[{name!r}] is not an estimator (it has no fit).")
        n = len(X)
        if isinstance(y, Mapping):
            if set(y) != set(estimators):
                raise ValueError(f"y names {sorted(y)} but estimators are {sorted(estimators)}; "
                                 "a dict y needs one target per estimator.")
            targets = {k: np.asarray(v) for k, v in y.items()}
        else:
            targets = {k: np.asarray(y) for k in estimators}
        for k, t in targets.items():
            if len(t) != n:
                raise ValueError(f"y for {k!r} has {len(t)} samples but X has {n}.")
        sizes = _check_train_sizes(train_sizes, n)
        order = check_random_state(random_state).permutation(n)
        X = np.asarray(X)
        scores = {}
        for name, est in estimators.items():
            scorer = check_scoring(est, scoring=scoring)
            scores[name] = []
            for size in sizes:
                rows = order[:size]
                fitted = clone(est).fit(X[rows], targets[name][rows])
                scores[name].append(scorer(fitted, X_test, y_test))
        return cls.from_scores(sizes, scores, score_name=score_name, log_scale=log_scale,
                               ax=ax, line_kw=line_kw)
