"""Displays of pair data sets: the distribution of their sums, and a grid of pair images."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from .._validation import (
    N_SUM_CLASSES,
    check_layout,
    check_random_state,
    check_sample_images,
    check_sum_labels,
)
from ._base import _check_fitted_with, _get_axes, _get_grid

__all__ = ["SumDistributionDisplay", "PairGridDisplay"]


class SumDistributionDisplay:
    """Distribution of the sums (0..18) in one or several pair data sets.

    It is recommended to use :meth:`from_labels` to create it. All parameters
    are stored as attributes.

    Parameters
    ----------
    counts : ndarray of shape (n_sets, 19)
        Number of pairs of each sum in each set.
    names : list of str of length n_sets, default=None
        Names of the sets, shown in the legend. ``None`` shows no legend.

    Attributes
    ----------
    bars_ : list of matplotlib BarContainer
        The bars of each set.
    ax_ : matplotlib Axes
        Axes with the bar chart.
    figure_ : matplotlib Figure
        Figure containing the chart.

    See Also
    --------
    sumdigits.make_digit_pairs : draws the pair sets whose sums this shows.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sumdigits.plotting import SumDistributionDisplay
    >>> disp = SumDistributionDisplay.from_labels({"train": [0, 9, 9, 18], "test": [9, 10]})
    >>> disp.counts.shape, disp.ax_.get_xlabel()
    ((2, 19), 'Sum of the two digits')
    """

    def __init__(self, counts, *, names=None):
        self.counts = counts
        self.names = names

    def plot(self, *, normalize=False, ax=None, bar_kw=None):
        """Plot the distribution as grouped bars, one group per sum.

        Parameters
        ----------
        normalize : bool, default=False
            Show the fraction of each set's pairs rather than their number,
            so that sets of different sizes compare.
        ax : matplotlib Axes, default=None
            Axes to plot on; a new figure when None.
        bar_kw : dict, default=None
            Keywords passed to :meth:`matplotlib.axes.Axes.bar`.

        Returns
        -------
        display : SumDistributionDisplay
        """
        fig, ax = _get_axes(ax, "SumDistributionDisplay.plot", figsize=(7, 3.5))
        counts = np.atleast_2d(np.asarray(self.counts, dtype=float))
        if counts.shape[1] != N_SUM_CLASSES:
            raise ValueError(f"counts must have {N_SUM_CLASSES} columns (sums 0..18), "
                             f"got shape {counts.shape}.")
        if normalize:
            totals = counts.sum(axis=1, keepdims=True)
            counts = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
        n_sets = counts.shape[0]
        width = 0.8 / n_sets
        sums = np.arange(N_SUM_CLASSES)
        self.bars_ = []
        for i, row in enumerate(counts):
            label = None if self.names is None else self.names[i]
            offset = (i - (n_sets - 1) / 2) * width
            self.bars_.append(ax.bar(sums + offset, row, width=width, label=label,
                                     **(bar_kw or {})))
        ax.set(xticks=sums, xlabel="Sum of the two digits",
               ylabel="Fraction of pairs" if normalize else "Number of pairs")
        if self.names is not None:
            ax.legend()
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_labels(cls, y, *, names=None, normalize=False, ax=None, bar_kw=None):
        """Plot the distribution of the sums of one or several pair sets.

        Parameters
        ----------
        y : array-like of shape (n_pairs,), or dict of str to array-like
            The sums of one set, or ``{name: sums}`` for several (e.g.
            training, validation and test sets), drawn side by side.
        names : str or list of str, default=None
            Legend names; taken from the keys when ``y`` is a dict.
        normalize : bool, default=False
            Show fractions rather than counts.
        ax : matplotlib Axes, default=None
            Axes to plot on; a new figure when None.
        bar_kw : dict, default=None
            Keywords passed to :meth:`matplotlib.axes.Axes.bar`.

        Returns
        -------
        display : SumDistributionDisplay
        """
        if isinstance(y, Mapping):
            if not y:
                raise ValueError("y is an empty dict; give at least one set of sums.")
            if names is not None:
                raise ValueError("names must be None when y is a dict: its keys name the sets.")
            names = [str(k) for k in y]
            sets = [check_sum_labels(v, name=f"y[{k!r}]") for k, v in y.items()]
        else:
            sets = [check_sum_labels(y, name="y")]
            if isinstance(names, str):
                names = [names]
            if names is not None and len(names) != 1:
                raise ValueError(f"names must name the one set of y, got {len(names)} names.")
        counts = np.stack([np.bincount(s, minlength=N_SUM_CLASSES) for s in sets])
        return cls(counts, names=names).plot(normalize=normalize, ax=ax, bar_kw=bar_kw)


def _pair_images(X, layout, digit_shape):
    """Pair images as (n, H, W), from 3-D or flattened input."""
    images, _, _ = check_sample_images(X, digit_shape=digit_shape,
                                       layout=check_layout(layout))
    return images


def _pick_images(n_images, n_available, random_state):
    """Indices of the images to show: the first ``n_images``, or a seeded random draw."""
    if (not isinstance(n_images, numbers.Integral) or isinstance(n_images, bool)
            or n_images < 1):
        raise ValueError(f"n_images must be a positive int, got {n_images!r}.")
    k = min(int(n_images), n_available)
    if random_state is None:
        return np.arange(k)
    return np.sort(check_random_state(random_state).choice(n_available, size=k, replace=False))


class PairGridDisplay:
    """A grid of pair images, each titled with its true and predicted sum.

    It is recommended to use :meth:`from_estimator` or
    :meth:`from_predictions` to create it. All parameters are stored as
    attributes.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width)
        The pair images to show.
    y_true : ndarray of shape (n_images,), default=None
        True sums; not shown when None.
    y_pred : ndarray of shape (n_images,), default=None
        Predicted sums; not shown when None. Wrong predictions are titled in red.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One axes per image, in a grid.
    images_ : list of matplotlib AxesImage
        The images drawn.
    figure_ : matplotlib Figure
        Figure containing the grid.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sumdigits.plotting import PairGridDisplay
    >>> X = np.zeros((4, 28, 56))
    >>> disp = PairGridDisplay.from_predictions(X, [1, 2, 3, 4], [1, 2, 3, 5])
    >>> disp.axes_[0, 0].get_title()
    'true 1, pred 1'
    """

    def __init__(self, images, *, y_true=None, y_pred=None):
        self.images = images
        self.y_true = y_true
        self.y_pred = y_pred

    def plot(self, *, n_cols=5, cmap="gray_r", ax=None):
        """Plot the grid.

        Parameters
        ----------
        n_cols : int, default=5
            Images per row.
        cmap : str or matplotlib Colormap, default="gray_r"
            Colormap of the images (ink dark on white by default).
        ax : matplotlib Axes, default=None
            Axes whose area the grid fills (it is replaced by the grid); a new
            figure when None.

        Returns
        -------
        display : PairGridDisplay
        """
        images = np.asarray(self.images)
        n = images.shape[0]
        h, w = images.shape[1:]
        fig, axes = _get_grid(ax, n, "PairGridDisplay.plot", n_cols=min(n_cols, n),
                              panel_size=(0.045 * w, 0.045 * h + 0.3))
        self.images_ = []
        for k in range(n):
            a = axes.flat[k]
            self.images_.append(a.imshow(images[k], cmap=cmap, interpolation="nearest"))
            parts, wrong = [], False
            if self.y_true is not None:
                what = "sum" if self.y_pred is None else "true"
                parts.append(f"{what} {int(self.y_true[k])}")
            if self.y_pred is not None:
                parts.append(f"pred {int(self.y_pred[k])}")
                wrong = self.y_true is not None and self.y_pred[k] != self.y_true[k]
            a.set_title(", ".join(parts), fontsize=9, color="tab:red" if wrong else "black")
        self.axes_, self.figure_ = axes, fig
        return self

    @classmethod
    def from_predictions(cls, X, y_true=None, y_pred=None, *, n_images=10, random_state=None,
                         layout="horizontal", digit_shape=None, n_cols=5, cmap="gray_r",
                         ax=None):
        """Plot pair images with their true and predicted sums.

        Parameters
        ----------
        X : array-like of shape (n_pairs, h, 2w), (n_pairs, 2h, w) or (n_pairs, n_pixels)
            Pair images, as :func:`~sumdigits.make_digit_pairs` makes them.
        y_true : array-like of shape (n_pairs,), default=None
            True sums, 0..18.
        y_pred : array-like of shape (n_pairs,), default=None
            Predicted sums, 0..18.
        n_images : int, default=10
            How many pairs to show (all when fewer).
        random_state : int, RandomState instance, Generator or None, default=None
            When given, the pairs shown are drawn at random with this seed;
            otherwise the first ``n_images`` are shown.
        layout : {"horizontal", "vertical"}, default="horizontal"
            Layout of flattened pairs.
        digit_shape : tuple of int, default=None
            (height, width) of one digit of flattened pairs, when not square.
        n_cols : int, default=5
            Images per row.
        cmap : str or matplotlib Colormap, default="gray_r"
            Colormap of the images.
        ax : matplotlib Axes, default=None
            Axes whose area the grid fills; a new figure when None.

        Returns
        -------
        display : PairGridDisplay
        """
        images = _pair_images(X, layout, digit_shape)
        n = images.shape[0]
        y_true = None if y_true is None else check_sum_labels(y_true, name="y_true", n_samples=n)
        y_pred = None if y_pred is None else check_sum_labels(y_pred, name="y_pred", n_samples=n)
        idx = _pick_images(n_images, n, random_state)
        return cls(
            images[idx],
            y_true=None if y_true is None else y_true[idx],
            y_pred=None if y_pred is None else y_pred[idx],
        ).plot(n_cols=n_cols, cmap=cmap, ax=ax)

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, n_images=10, random_state=None,
                       layout="horizontal", digit_shape=None, n_cols=5, cmap="gray_r", ax=None):
        """Plot pair images with the sums a fitted estimator predicts for them.

        Only the ``n_images`` pairs shown are predicted.

        Parameters
        ----------
        estimator : estimator instance
            Fitted classifier of pair images into sums, with ``predict``.
        X : array-like of pair images
            As in :meth:`from_predictions`, in the form ``estimator`` takes.
        y : array-like of shape (n_pairs,), default=None
            True sums.
        n_images, random_state, layout, digit_shape, n_cols, cmap, ax
            As in :meth:`from_predictions`.

        Returns
        -------
        display : PairGridDisplay
        """
        _check_fitted_with(estimator, "predict", "PairGridDisplay.from_estimator")
        images = _pair_images(X, layout, digit_shape)
        n = images.shape[0]
        y = None if y is None else check_sum_labels(y, name="y", n_samples=n)
        idx = _pick_images(n_images, n, random_state)
        X_shown = np.asarray(X)[idx]
        return cls.from_predictions(
            X_shown, None if y is None else y[idx], estimator.predict(X_shown),
            n_images=len(idx), layout=layout, digit_shape=digit_shape, n_cols=n_cols,
            cmap=cmap, ax=ax,
        )
