"""Predicted probabilities of the 19 sums, as a heatmap over pairs or as bars for one pair."""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import N_SUM_CLASSES, check_sum_labels
from ._base import _check_fitted_with, _estimator_name, _get_axes

__all__ = ["SumProbabilityDisplay"]

KINDS = ("heatmap", "bar")


def _check_proba(y_proba, name="y_proba"):
    proba = np.asarray(y_proba, dtype=float)
    if proba.ndim != 2 or proba.shape[1] != N_SUM_CLASSES:
        raise ValueError(f"{name} must have shape (n_samples, {N_SUM_CLASSES}), one column per "
                         f"sum 0..18, got {proba.shape}.")
    if proba.shape[0] == 0:
        raise ValueError(f"{name} holds no sample.")
    if not np.isfinite(proba).all() or proba.min() < 0 or proba.max() > 1 + 1e-6:
        raise ValueError(f"{name} must hold probabilities in [0, 1].")
    return proba


def _proba_over_sums(estimator, X):
    """``predict_proba`` with one column per sum 0..18, whatever classes were seen in fit."""
    proba = np.asarray(estimator.predict_proba(X), dtype=float)
    classes = np.asarray(getattr(estimator, "classes_", np.arange(proba.shape[1])))
    if proba.shape[1] == N_SUM_CLASSES and np.array_equal(classes, np.arange(N_SUM_CLASSES)):
        return proba
    classes = check_sum_labels(classes, name="estimator.classes_")
    if classes.shape[0] != proba.shape[1]:
        raise ValueError(f"estimator.predict_proba gives {proba.shape[1]} columns but the "
                         f"estimator has {classes.shape[0]} classes_.")
    full = np.zeros((proba.shape[0], N_SUM_CLASSES))
    full[:, classes] = proba
    return full


class SumProbabilityDisplay:
    """Predicted probabilities of the sums 0..18, for several pairs or for one.

    ``kind="heatmap"`` shows one row per pair and one column per sum;
    ``kind="bar"`` the distribution of one pair as bars. Drawing a single
    classifier and a sequential one (which classifies each digit and convolves)
    on two axes compares how each spreads its belief. It is recommended to use
    :meth:`from_estimator` or :meth:`from_predictions` to create it.

    Parameters
    ----------
    y_proba : ndarray of shape (n_samples, 19)
        Probability of each sum for each pair.
    y_true : ndarray of shape (n_samples,), default=None
        True sums, marked on the plot when given.
    name : str, default=None
        Name of the classifier, used in the title.

    Attributes
    ----------
    im_ : matplotlib AxesImage or None
        The heatmap (``kind="heatmap"``).
    bars_ : matplotlib BarContainer or None
        The bars (``kind="bar"``).
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing it.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sumdigits.plotting import SumProbabilityDisplay
    >>> proba = np.full((3, 19), 1 / 19)
    >>> disp = SumProbabilityDisplay.from_predictions(proba, y_true=[1, 2, 3], kind="bar")
    >>> len(disp.bars_), disp.ax_.get_xlabel()
    (19, 'Sum')
    """

    def __init__(self, y_proba, *, y_true=None, name=None):
        self.y_proba = y_proba
        self.y_true = y_true
        self.name = name

    def plot(self, *, kind="heatmap", sample=0, cmap="viridis", ax=None, colorbar=True):
        """Plot the probabilities.

        Parameters
        ----------
        kind : {"heatmap", "bar"}, default="heatmap"
            A heatmap of every pair, or bars for the pair ``sample``.
        sample : int, default=0
            Row of ``y_proba`` drawn as bars when ``kind="bar"``.
        cmap : str or matplotlib Colormap, default="viridis"
            Colormap of the heatmap (fixed range 0..1).
        ax : matplotlib Axes, default=None
            Axes to plot on; a new figure when None.
        colorbar : bool, default=True
            Add a colorbar to the heatmap.

        Returns
        -------
        display : SumProbabilityDisplay
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}.")
        proba = _check_proba(self.y_proba)
        n = proba.shape[0]
        if (not isinstance(sample, numbers.Integral) or isinstance(sample, bool)
                or not -n <= sample < n):
            raise ValueError(f"sample must be an int indexing one of the {n} pairs, "
                             f"got {sample!r}.")
        sums = np.arange(N_SUM_CLASSES)
        title = self.name or ""
        self.im_ = self.bars_ = None
        if kind == "heatmap":
            fig, ax = _get_axes(ax, "SumProbabilityDisplay.plot", figsize=(8, 1 + 0.4 * n))
            self.im_ = ax.imshow(proba, cmap=cmap, vmin=0, vmax=1, aspect="auto",
                                 interpolation="nearest")
            if self.y_true is not None:  # outline the true sum of each pair
                ax.scatter(self.y_true, np.arange(n), marker="s", s=60, facecolors="none",
                           edgecolors="tab:red", linewidths=1.5, label="true sum")
                ax.legend(loc="upper right", bbox_to_anchor=(1.0, 1.0 + 1.2 / (n + 2)),
                          fontsize=8, frameon=False)
            ax.set(xticks=sums, yticks=np.arange(n), xlabel="Sum", ylabel="Pair")
            if colorbar:
                fig.colorbar(self.im_, ax=ax, label="probability")
        else:
            fig, ax = _get_axes(ax, "SumProbabilityDisplay.plot", figsize=(6, 3))
            row = proba[sample]
            colors = np.array(["tab:blue"] * N_SUM_CLASSES, dtype=object)
            if self.y_true is not None:
                colors[int(self.y_true[sample])] = "tab:red"
                title = f"{title}: pair {sample % n}, true sum {int(self.y_true[sample])}"
            else:
                title = f"{title}: pair {sample % n}"
            self.bars_ = ax.bar(sums, row, color=list(colors))
            ax.set(xticks=sums, xlabel="Sum", ylabel="Probability", ylim=(0, 1.05))
        ax.set_title(title.strip(": "), fontsize=10)
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_predictions(cls, y_proba, *, y_true=None, name=None, kind="heatmap", sample=0,
                         cmap="viridis", ax=None, colorbar=True):
        """Plot given sum probabilities.

        Parameters
        ----------
        y_proba : array-like of shape (n_samples, 19)
            Probability of each sum 0..18 for each pair.
        y_true : array-like of shape (n_samples,), default=None
            True sums, marked when given.
        name : str, default=None
            Name of the classifier, for the title.
        kind, sample, cmap, ax, colorbar
            As in :meth:`plot`.

        Returns
        -------
        display : SumProbabilityDisplay
        """
        proba = _check_proba(y_proba)
        if y_true is not None:
            y_true = check_sum_labels(y_true, name="y_true", n_samples=proba.shape[0])
        return cls(proba, y_true=y_true, name=name).plot(
            kind=kind, sample=sample, cmap=cmap, ax=ax, colorbar=colorbar)

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, name=None, kind="heatmap", sample=0,
                       cmap="viridis", ax=None, colorbar=True):
        """Plot the sum probabilities a fitted classifier gives to the pairs ``X``.

        Parameters
        ----------
        estimator : estimator instance
            Fitted classifier of pair images into sums, with ``predict_proba``
            (its ``classes_`` may be a subset of 0..18: the others get 0).
        X : array-like
            The pairs (a handful: one heatmap row each), in the form
            ``estimator`` takes.
        y : array-like of shape (n_samples,), default=None
            True sums, marked when given.
        name : str, default=None
            Title; the estimator's class name when None.
        kind, sample, cmap, ax, colorbar
            As in :meth:`plot`.

        Returns
        -------
        display : SumProbabilityDisplay
        """
        _check_fitted_with(estimator, "predict_proba", f"{cls.__name__}.from_estimator")
        return cls.from_predictions(
            _proba_over_sums(estimator, X), y_true=y, name=_estimator_name(estimator, name),
            kind=kind, sample=sample, cmap=cmap, ax=ax, colorbar=colorbar)
