"""Checks and small helpers shared by the displays of :mod:`sumdigits.plotting`.

matplotlib is imported inside the functions that draw, never at import time, as
scikit-learn's displays do.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils.validation import check_is_fitted


def _get_axes(ax, caller, **subplots_kw):
    """``(figure, ax)``: ``ax`` and its figure, or a new figure with one axes."""
    check_matplotlib_support(caller)
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    if ax is None:
        fig, ax = plt.subplots(layout="constrained", **subplots_kw)
        return fig, ax
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}.")
    return ax.figure, ax


def _get_grid(ax, n_panels, caller, *, n_cols=None, panel_size=(1.2, 1.2)):
    """A figure cut into ``n_panels`` small axes, inside ``ax`` when one is given.

    Returns ``(figure, axes)`` with ``axes`` an object array of shape
    ``(n_rows, n_cols)``; cells past ``n_panels`` are switched off. A new figure
    gets ``panel_size`` (width, height) inches per panel.
    """
    check_matplotlib_support(caller)
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    n_cols = n_cols or int(np.ceil(np.sqrt(n_panels)))
    n_rows = int(np.ceil(n_panels / n_cols))
    if ax is None:
        fig = plt.figure(figsize=(panel_size[0] * n_cols + 0.8, panel_size[1] * n_rows + 0.5),
                         layout="constrained")
        spec = fig.add_gridspec(n_rows, n_cols)
    else:
        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}.")
        fig = ax.figure
        spec = ax.get_subplotspec().subgridspec(n_rows, n_cols)
        ax.remove()
    axes = np.empty((n_rows, n_cols), dtype=object)
    for i in range(n_rows):
        for j in range(n_cols):
            axes[i, j] = fig.add_subplot(spec[i, j])
            axes[i, j].set_xticks([])
            axes[i, j].set_yticks([])
            if i * n_cols + j >= n_panels:
                axes[i, j].set_axis_off()
    return fig, axes


def _check_fitted_with(estimator, method, caller):
    """Raise unless ``estimator`` is fitted and has ``method`` (NotFittedError / TypeError)."""
    if not hasattr(estimator, "fit"):
        raise TypeError(f"{caller} needs a scikit-learn estimator, got {type(estimator).__name__}.")
    check_is_fitted(estimator)
    if method is not None and not hasattr(estimator, method):
        raise TypeError(
            f"{caller} needs an estimator with a {method}() method; "
            f"{type(estimator).__name__} has none."
        )


def _estimator_name(estimator, name):
    return name if name is not None else type(estimator).__name__


def _check_1d_finite(values, name, *, n=None):
    values = np.asarray(values, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {values.shape}.")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    if n is not None and values.shape[0] != n:
        raise ValueError(f"{name} has {values.shape[0]} values, expected {n}.")
    return values


def _check_history(history, name="history"):
    """A training history as a dict ``{metric: 1-D float array}``, one value per epoch.

    Accepts a dict of sequences (Keras' ``History.history``), a Keras ``History``
    object (anything with a ``history`` dict attribute), or a fitted estimator with a
    ``history_`` attribute.
    """
    if not isinstance(history, Mapping):
        if hasattr(history, "history_") or hasattr(history, "fit"):
            if hasattr(history, "fit"):
                check_is_fitted(history)
            if not hasattr(history, "history_"):
                raise TypeError(
                    f"{name}: {type(history).__name__} has no history_ attribute; give an "
                    "estimator that records its training history, or the history dict."
                )
            history = history.history_
        elif isinstance(getattr(history, "history", None), Mapping):
            history = history.history
    if not isinstance(history, Mapping):
        raise TypeError(
            f"{name} must be a dict {{metric: values per epoch}}, a Keras History or an "
            f"estimator with history_, got {type(history).__name__}."
        )
    if not history:
        raise ValueError(f"{name} is empty: it holds no metric.")
    out = {}
    for key, values in history.items():
        arr = np.asarray(values, dtype=float)
        if arr.ndim != 1 or arr.shape[0] == 0:
            raise ValueError(
                f"{name}[{key!r}] must be a non-empty 1-D sequence (one value per epoch), "
                f"got shape {arr.shape}."
            )
        out[str(key)] = arr
    return out
