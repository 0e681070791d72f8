"""2-D views of data and of learnt representations: t-SNE (perplexity chosen by
silhouette score) and PCA."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.metrics import silhouette_score
from sklearn.utils import Bunch

from .._validation import check_random_state, check_samples
from ._base import _check_fitted_with, _get_axes

__all__ = ["select_perplexity", "EmbeddingDisplay"]

METHODS = ("tsne", "pca")


def _check_features(X, name="X", min_samples=3):
    """Samples as a finite 2-D float array, images flattened."""
    check_samples(X, name=name, min_samples=min_samples)
    X = np.asarray(X)
    return X.reshape(X.shape[0], -1).astype(float, copy=False)


def _check_labels(y, n, name="y"):
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},), one label per sample of X, "
                         f"got {y.shape}.")
    return y


def _check_features_labels(X, y):
    """``(X, y)``: the samples as :func:`_check_features` makes them, one label each."""
    X = _check_features(X)
    return X, _check_labels(y, X.shape[0])


def _tsne_seed(random_state):
    """The seed of the t-SNE runs drawn from ``random_state``."""
    return check_random_state(random_state).randint(np.iinfo(np.int32).max)


def _tsne(X, perplexity, random_state, tsne_kw):
    return TSNE(n_components=2, perplexity=float(perplexity), init="pca",
                random_state=random_state, **(tsne_kw or {})).fit_transform(X)


def select_perplexity(X, y, perplexities=(5, 15, 30, 50), *, random_state=None, tsne_kw=None):
    """Choose the t-SNE perplexity whose 2-D map separates the classes best.

    Runs scikit-learn's :class:`~sklearn.manifold.TSNE` once per perplexity
    and scores each map by the silhouette score of the labels ``y``
    (:func:`~sklearn.metrics.silhouette_score`, in -1..1: higher means
    tighter, better separated classes). Perplexity is roughly the number of
    neighbours each point keeps; it must be below the number of samples.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
        The data or the learnt representation; images are flattened.
    y : array-like of shape (n_samples,)
        Class labels (the sums, or the digits), at least two distinct.
    perplexities : sequence of float, default=(5, 15, 30, 50)
        The grid, each value in (0, n_samples).
    random_state : int, RandomState instance, Generator or None, default=None
        Seed of every t-SNE run (the same for all, so only perplexity varies).
    tsne_kw : dict, default=None
        Other keywords for :class:`~sklearn.manifold.TSNE` (e.g. ``max_iter``).

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        With ``best_perplexity``, ``best_index``, ``perplexities`` (ndarray),
        ``scores`` (the silhouette score of each) and ``embeddings`` (list of
        (n_samples, 2) arrays, one per perplexity).

    See Also
    --------
    EmbeddingDisplay.from_tsne : plots the chosen map (``perplexity="silhouette"``).

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits.plotting import select_perplexity
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.normal(0, 1, (30, 5)), rng.normal(6, 1, (30, 5))]
    >>> result = select_perplexity(X, [0] * 30 + [1] * 30, [5, 20], random_state=0)
    >>> result.scores.shape, result.best_perplexity in (5, 20)
    ((2,), True)
    """
    X, y = _check_features_labels(X, y)
    if np.unique(y).size < 2:
        raise ValueError("y must hold at least two classes to compute silhouette scores.")
    grid = np.atleast_1d(np.asarray(perplexities, dtype=float))
    if grid.ndim != 1 or grid.size == 0 or not np.isfinite(grid).all():
        raise ValueError(f"perplexities must be a non-empty 1-D list of numbers, "
                         f"got {perplexities!r}.")
    if grid.min() <= 0 or grid.max() >= X.shape[0]:
        raise ValueError(f"perplexities must lie in (0, {X.shape[0]}), below the number of "
                         f"samples; got {grid.tolist()}.")
    seed = _tsne_seed(random_state)
    embeddings = [_tsne(X, p, seed, tsne_kw) for p in grid]
    scores = np.array([silhouette_score(Z, y) for Z in embeddings])
    best = int(np.argmax(scores))
    return Bunch(best_perplexity=float(grid[best]), best_index=best, perplexities=grid,
                 scores=scores, embeddings=embeddings)


class EmbeddingDisplay:
    """A 2-D map of samples (t-SNE or PCA), coloured by class.

    It is recommended to use :meth:`from_tsne`, :meth:`from_pca` or
    :meth:`from_estimator` (a network's learnt representation) to create it.
    Each class is labelled at its median point.

    Parameters
    ----------
    embedding : ndarray of shape (n_samples, 2)
        The coordinates.
    labels : ndarray of shape (n_samples,)
        Class of each sample (colours).
    axis_labels : tuple of str, default=("dimension 1", "dimension 2")
        Names of the two axes.
    title : str, default=None
        Title of the plot.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        The points.
    texts_ : list of matplotlib Text
        The class labels at the class medians.
    ax_ : matplotlib Axes
        Axes with the map.
    figure_ : matplotlib Figure
        Figure containing it.
    perplexity_search_ : Bunch or None
        What :func:`select_perplexity` found, when the perplexity was chosen
        that way.
    explained_variance_ratio_ : ndarray of shape (2,) or None
        For PCA maps, the share of variance of each component.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sumdigits.plotting import EmbeddingDisplay
    >>> rng = np.random.RandomState(0)
    >>> disp = EmbeddingDisplay.from_pca(rng.rand(40, 784), np.arange(40) % 10)
    >>> disp.ax_.get_xlabel().startswith("PC 1")
    True
    """

    def __init__(self, embedding, labels, *, axis_labels=("dimension 1", "dimension 2"),
                 title=None):
        self.embedding = embedding
        self.labels = labels
        self.axis_labels = axis_labels
        self.title = title
        self.perplexity_search_ = None
        self.explained_variance_ratio_ = None

    def plot(self, *, cmap=None, point_size=8, annotate=True, ax=None):
        """Plot the map.

        Parameters
        ----------
        cmap : str or matplotlib Colormap, default=None
            Colours of the classes; ``"tab10"`` for up to 10 classes, else
            ``"tab20"``.
        point_size : float, default=8
            Marker area.
        annotate : bool, default=True
            Write each class at the median of its points.
        ax : matplotlib Axes, default=None
            Axes to plot on; a new figure when None.

        Returns
        -------
        display : EmbeddingDisplay
        """
        fig, ax = _get_axes(ax, "EmbeddingDisplay.plot", figsize=(6, 5))
        import matplotlib as mpl

        Z = np.asarray(self.embedding, dtype=float)
        labels = np.asarray(self.labels)
        classes, codes = np.unique(labels, return_inverse=True)
        cmap = mpl.colormaps[cmap or ("tab10" if classes.size <= 10 else "tab20")]
        colors = cmap(np.arange(classes.size) % cmap.N)
        self.scatter_ = ax.scatter(Z[:, 0], Z[:, 1], c=colors[codes], s=point_size,
                                   linewidths=0, alpha=0.8)
        self.texts_ = []
        if annotate:
            for k, c in enumerate(classes):
                mx, my = np.median(Z[codes == k], axis=0)
                self.texts_.append(ax.text(mx, my, str(c), fontsize=9, weight="bold",
                                           ha="center", va="center",
                                           bbox=dict(boxstyle="round,pad=0.15", fc="white",
                                                     ec=colors[k], alpha=0.8)))
        ax.set(xlabel=self.axis_labels[0], ylabel=self.axis_labels[1])
        if self.title:
            ax.set_title(self.title, fontsize=10)
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_tsne(cls, X, y, *, perplexity=30.0, random_state=None, tsne_kw=None, title=None,
                  ax=None, **plot_kw):
        """Map samples with t-SNE.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or stack of images
            The samples (images are flattened).
        y : array-like of shape (n_samples,)
            Class labels, for colours and for the silhouette score.
        perplexity : float, sequence of float or "silhouette", default=30.0
            A perplexity, or a grid to choose from by silhouette score with
            :func:`select_perplexity` (``"silhouette"`` uses its default grid).
        random_state : int, RandomState instance, Generator or None, default=None
            Seed of t-SNE.
        tsne_kw : dict, default=None
            Other keywords for :class:`~sklearn.manifold.TSNE`.
        title : str, default=None
            Title; says the perplexity (and silhouette score) when None.
        ax : matplotlib Axes, default=None
            Axes to plot on.
        **plot_kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : EmbeddingDisplay
        """
        X, y = _check_features_labels(X, y)
        search = None
        if isinstance(perplexity, str):
            if perplexity != "silhouette":
                raise ValueError(f"perplexity must be a number, a list of numbers or "
                                 f"'silhouette', got {perplexity!r}.")
            search = select_perplexity(X, y, random_state=random_state, tsne_kw=tsne_kw)
        elif np.ndim(perplexity) == 1:
            search = select_perplexity(X, y, perplexity, random_state=random_state,
                                       tsne_kw=tsne_kw)
        elif isinstance(perplexity, numbers.Real) and 0 < perplexity < X.shape[0]:
            Z = _tsne(X, perplexity, _tsne_seed(random_state), tsne_kw)
        else:
            raise ValueError(f"perplexity must be a number in (0, {X.shape[0]}), a list of "
                             f"numbers or 'silhouette', got {perplexity!r}.")
        if search is not None:
            Z, perplexity = search.embeddings[search.best_index], search.best_perplexity
            score = search.scores[search.best_index]
        else:
            score = silhouette_score(Z, y) if np.unique(y).size > 1 else np.nan
        disp = cls(Z, y, axis_labels=("t-SNE 1", "t-SNE 2"),
                   title=title or f"t-SNE, perplexity {perplexity:g} (silhouette {score:.2f})")
        disp.perplexity_search_ = search
        return disp.plot(ax=ax, **plot_kw)

    @classmethod
    def from_pca(cls, X, y, *, title=None, ax=None, **plot_kw):
        """Map samples onto their first two principal components.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or stack of images
            The samples (images are flattened).
        y : array-like of shape (n_samples,)
            Class labels, for colours.
        title : str, default=None
            Title of the plot.
        ax : matplotlib Axes, default=None
            Axes to plot on.
        **plot_kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : EmbeddingDisplay
        """
        X, y = _check_features_labels(X, y)
        pca = PCA(n_components=2).fit(X)
        ratio = pca.explained_variance_ratio_
        disp = cls(pca.transform(X), y, title=title, axis_labels=(
            f"PC 1 ({100 * ratio[0]:.1f}% of variance)",
            f"PC 2 ({100 * ratio[1]:.1f}% of variance)"))
        disp.explained_variance_ratio_ = ratio
        return disp.plot(ax=ax, **plot_kw)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, method="tsne", perplexity=30.0,
                       random_state=None, tsne_kw=None, title=None, ax=None, **plot_kw):
        """Map the representation a fitted estimator gives to ``X``.

        ``estimator.transform(X)`` (for the networks of :mod:`sumdigits.keras`,
        the activations of the last hidden layer) is mapped to 2-D by t-SNE or PCA.

        Parameters
        ----------
        estimator : estimator instance
            Fitted estimator with ``transform``.
        X : array-like
            Input, in the form ``estimator`` takes.
        y : array-like of shape (n_samples,)
            Class labels, for colours.
        method : {"tsne", "pca"}, default="tsne"
            How the representation is brought down to 2-D.
        perplexity, random_state, tsne_kw
            As in :meth:`from_tsne` (t-SNE only).
        title, ax, **plot_kw
            As in :meth:`from_tsne`.

        Returns
        -------
        display : EmbeddingDisplay
        """
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
        _check_fitted_with(estimator, "transform", f"{cls.__name__}.from_estimator")
        Z = _check_features(estimator.transform(X), name="estimator.transform(X)")
        if method == "pca":
            return cls.from_pca(Z, y, title=title, ax=ax, **plot_kw)
        return cls.from_tsne(Z, y, perplexity=perplexity, random_state=random_state,
                             tsne_kw=tsne_kw, title=title, ax=ax, **plot_kw)
