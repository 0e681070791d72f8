"""The confusion matrix of the 19 sums and a per-class classification report."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay, accuracy_score, precision_recall_fscore_support
from sklearn.utils.multiclass import unique_labels

from .._validation import N_SUM_CLASSES, check_sum_labels
from ._base import _check_fitted_with, _get_axes

__all__ = ["SumConfusionMatrixDisplay", "ClassificationReportDisplay"]

SUMS = np.arange(N_SUM_CLASSES)


class SumConfusionMatrixDisplay(ConfusionMatrixDisplay):
    """The 19 x 19 confusion matrix of predicted sums.

    scikit-learn's :class:`~sklearn.metrics.ConfusionMatrixDisplay` with every
    sum 0..18 as a row and a column, whether or not it occurs, labels checked
    to be sums, and a figure sized for 19 classes. ``from_estimator`` accepts
    any fitted estimator with ``predict`` (scikeras' Keras classifiers included,
    which scikit-learn's ``is_classifier`` does not recognise).

    Parameters
    ----------
    confusion_matrix : ndarray of shape (19, 19)
        Confusion matrix, rows true sums, columns predicted sums.
    display_labels : ndarray of shape (19,), default=None
        Tick labels; 0..18 when None.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        Image representing the confusion matrix.
    text_ : ndarray of shape (19, 19) of matplotlib Text, or None
        The values written in the cells; None when ``include_values`` is False.
    ax_ : matplotlib Axes
        Axes with the confusion matrix.
    figure_ : matplotlib Figure
        Figure containing the confusion matrix.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sumdigits.plotting import SumConfusionMatrixDisplay
    >>> disp = SumConfusionMatrixDisplay.from_predictions([0, 9, 18], [0, 8, 18])
    >>> disp.confusion_matrix.shape
    (19, 19)
    """

    @classmethod
    def from_estimator(cls, estimator, X, y, *, sample_weight=None, normalize=None,
                       include_values=True, values_format=None, cmap="Blues", ax=None,
                       colorbar=True, im_kw=None, text_kw=None):
        """Plot the confusion matrix of a fitted estimator's predicted sums.

        Parameters
        ----------
        estimator : estimator instance
            Fitted classifier of pair images into sums, with ``predict``.
        X : array-like
            Pair images, in the form ``estimator`` takes.
        y : array-like of shape (n_samples,)
            True sums, 0..18.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        normalize : {"true", "pred", "all"}, default=None
            Normalise over the true sums (rows), the predicted sums (columns)
            or all pairs; counts when None.
        include_values : bool, default=True
            Write the values in the cells (empty cells stay blank).
        values_format : str, default=None
            Format of the values; ``"d"`` or ``".2g"`` when None.
        cmap : str or matplotlib Colormap, default="Blues"
            Colormap.
        ax : matplotlib Axes, default=None
            Axes to plot on; a new 8 x 7 inch figure when None.
        colorbar : bool, default=True
            Add a colorbar.
        im_kw, text_kw : dict, default=None
            Keywords passed to ``imshow`` and ``text``.

        Returns
        -------
        display : SumConfusionMatrixDisplay
        """
        _check_fitted_with(estimator, "predict", f"{cls.__name__}.from_estimator")
        y_pred = estimator.predict(X)
        return cls.from_predictions(
            y, y_pred, sample_weight=sample_weight, normalize=normalize,
            include_values=include_values, values_format=values_format, cmap=cmap, ax=ax,
            colorbar=colorbar, im_kw=im_kw, text_kw=text_kw,
        )

    @classmethod
    def from_predictions(cls, y_true, y_pred, *, sample_weight=None, normalize=None,
                         include_values=True, values_format=None, cmap="Blues", ax=None,
                         colorbar=True, im_kw=None, text_kw=None):
        """Plot the confusion matrix of true and predicted sums.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True sums, 0..18.
        y_pred : array-like of shape (n_samples,)
            Predicted sums, 0..18.
        sample_weight, normalize, include_values, values_format, cmap, ax, colorbar, im_kw, \
text_kw
            As in :meth:`from_estimator`.

        Returns
        -------
        display : SumConfusionMatrixDisplay
        """
        y_true = check_sum_labels(y_true, name="y_true")
        y_pred = check_sum_labels(y_pred, name="y_pred", n_samples=y_true.shape[0])
        fig, ax = _get_axes(ax, f"{cls.__name__}.from_predictions", figsize=(8, 7))
        text_kw = {"fontsize": 7, **(text_kw or {})}
        disp = super().from_predictions(
            y_true, y_pred, labels=SUMS, sample_weight=sample_weight, normalize=normalize,
            include_values=include_values, values_format=values_format, cmap=cmap, ax=ax,
            colorbar=colorbar, im_kw=im_kw, text_kw=text_kw,
        )
        if disp.text_ is not None:  # blank the empty cells so the errors stand out
            for (i, j), text in np.ndenumerate(disp.text_):
                if disp.confusion_matrix[i, j] == 0:
                    text.set_text("")
        disp.ax_.set(xlabel="Predicted sum", ylabel="True sum")
        return disp


class ClassificationReportDisplay:
    """Per-class precision, recall and F1-score as an annotated heatmap.

    The figure form of :func:`sklearn.metrics.classification_report`: one row
    per class (labelled with its support), one column per metric, and the
    accuracy in the title. It is recommended to use :meth:`from_estimator` or
    :meth:`from_predictions` to create it.

    Parameters
    ----------
    precision, recall, f1 : ndarray of shape (n_classes,)
        The metrics of each class.
    support : ndarray of shape (n_classes,)
        Number of true samples of each class.
    labels : ndarray of shape (n_classes,)
        The classes.
    accuracy : float, default=None
        Overall accuracy, shown in the title when given.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The heatmap.
    text_ : ndarray of shape (n_classes, 3) of matplotlib Text
        The values written in the cells.
    ax_ : matplotlib Axes
        Axes with the heatmap.
    figure_ : matplotlib Figure
        Figure containing it.

    See Also
    --------
    sklearn.metrics.classification_report : the same as text.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sumdigits.plotting import ClassificationReportDisplay
    >>> disp = ClassificationReportDisplay.from_predictions([0, 1, 1, 2], [0, 1, 2, 2])
    >>> disp.recall.tolist(), disp.accuracy
    ([1.0, 0.5, 1.0], 0.75)
    """

    def __init__(self, precision, recall, f1, support, labels, *, accuracy=None):
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
        self.labels = labels
        self.accuracy = accuracy

    def plot(self, *, cmap="RdYlGn", ax=None, colorbar=True):
        """Plot the report.

        Parameters
        ----------
        cmap : str or matplotlib Colormap, default="RdYlGn"
            Colormap, on the fixed range 0..1.
        ax : matplotlib Axes, default=None
            Axes to plot on; a new figure when None.
        colorbar : bool, default=True
            Add a colorbar.

        Returns
        -------
        display : ClassificationReportDisplay
        """
        n = len(self.labels)
        fig, ax = _get_axes(ax, "ClassificationReportDisplay.plot",
                            figsize=(4.5, 1.2 + 0.28 * n))
        values = np.column_stack([self.precision, self.recall, self.f1])
        self.im_ = ax.imshow(values, cmap=cmap, vmin=0, vmax=1, aspect="auto",
                             interpolation="nearest")
        self.text_ = np.empty(values.shape, dtype=object)
        for (i, j), v in np.ndenumerate(values):
            self.text_[i, j] = ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8)
        ax.set(
            xticks=range(3), xticklabels=["precision", "recall", "F1-score"],
            yticks=range(n),
            yticklabels=[f"{lab} (n={int(s)})" for lab, s in zip(self.labels, self.support)],
            xlabel="Metric", ylabel="Class (support)",
        )
        ax.xaxis.set_ticks_position("top")
        ax.xaxis.set_label_position("top")
        if self.accuracy is not None:
            ax.set_title(f"accuracy {self.accuracy:.3f} on {int(np.sum(self.support))} samples",
                         fontsize=10)
        if colorbar:
            fig.colorbar(self.im_, ax=ax)
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_predictions(cls, y_true, y_pred, *, labels=None, sample_weight=None,
                         cmap="RdYlGn", ax=None, colorbar=True):
        """Plot the classification report of true and predicted labels.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.
        y_pred : array-like of shape (n_samples,)
            Predicted labels.
        labels : array-like of shape (n_classes,), default=None
            Classes to report (e.g. ``range(19)`` for every sum); those in
            ``y_true`` or ``y_pred`` when None. A class never predicted has
            precision 0, never present recall 0.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        cmap, ax, colorbar
            As in :meth:`plot`.

        Returns
        -------
        display : ClassificationReportDisplay
        """
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if y_true.ndim != 1 or y_pred.ndim != 1:
            raise ValueError(f"y_true and y_pred must be 1-D, got shapes {y_true.shape} and "
                             f"{y_pred.shape}.")
        if y_true.shape != y_pred.shape:
            raise ValueError(f"y_true and y_pred have different lengths: {y_true.shape[0]} and "
                             f"{y_pred.shape[0]}.")
        if y_true.size == 0:
            raise ValueError("y_true is empty.")
        labels = unique_labels(y_true, y_pred) if labels is None else np.asarray(labels)
        precision, recall, f1, support = precision_recall_fscore_support(
            y_true, y_pred, labels=labels, sample_weight=sample_weight, zero_division=0.0,
        )
        accuracy = float(accuracy_score(y_true, y_pred, sample_weight=sample_weight))
        return cls(precision, recall, f1, support, labels, accuracy=accuracy).plot(
            cmap=cmap, ax=ax, colorbar=colorbar)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, labels=None, sample_weight=None,
                       cmap="RdYlGn", ax=None, colorbar=True):
        """Plot the classification report of a fitted estimator on ``(X, y)``.

        Parameters
        ----------
        estimator : estimator instance
            Fitted classifier with ``predict``.
        X : array-like
            Input, in the form ``estimator`` takes.
        y : array-like of shape (n_samples,)
            True labels.
        labels, sample_weight, cmap, ax, colorbar
            As in :meth:`from_predictions`.

        Returns
        -------
        display : ClassificationReportDisplay
        """
        _check_fitted_with(estimator, "predict", f"{cls.__name__}.from_estimator")
        return cls.from_predictions(y, estimator.predict(X), labels=labels,
                                    sample_weight=sample_weight, cmap=cmap, ax=ax,
                                    colorbar=colorbar)
