"""The reports' figures, drawn from stored rows with sumdigits' Displays.

A row stores the numbers a figure needs (a confusion matrix, a training history, a
perceptron's weights, ...); :func:`render_figures` draws every figure the stored rows
of a report allow, as ``<row>_<kind>.png`` beside the row, so a figure is always the
picture of a stored row and re-rendering recomputes nothing. The kinds, each drawn
from the field of the row named after it:

- ``confusion``: ``confusion_matrix`` (sums, 19 x 19) or the ``confusion a b``
  scores of a digits row (10 x 10, the mean over its seeds);
- ``curves``: ``history`` (per epoch; the mean over seeds where the row has several);
- ``errors``, ``weights``: a perceptron's error curve and weight images;
- ``kernels``, ``feature_maps``: a CNN's first-layer kernels and its feature maps of
  some digits;
- ``pairs``: test pairs with their true and predicted sums;
- ``proba_heatmap``, ``proba_bars``: sum probabilities of some test pairs;
- ``sizes``: accuracy by training size; ``distribution``: counts of the sums.

A report spec may also draw figures across rows (``spec["figures"]``: file name ->
``dict(kind="by_row", rows=[...], x=[...], score=..., xlabel=..., log=bool)``, a score
against a parameter, such as the training loss over the learning-rate grid; or
``dict(kind="curves", rows=[...], metric=..., ylabel=...)``, one history metric of
several rows per epoch, such as the training loss under each level of noise).
"""

from __future__ import annotations

import numpy as np

from benchmarks import _store


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _digit_confusion(row):
    classes = row["classes"]
    return np.array([[row["scores"][f"confusion {a} {b}"] for b in classes] for a in classes])


def confusion(row):
    from sklearn.metrics import ConfusionMatrixDisplay

    from sumdigits.plotting import SumConfusionMatrixDisplay

    if "confusion_matrix" in row:
        disp = SumConfusionMatrixDisplay(np.array(row["confusion_matrix"]))
        return disp.plot(include_values=False)
    return ConfusionMatrixDisplay(_digit_confusion(row), display_labels=row["classes"]).plot(
        values_format=".0f", colorbar=False)


def curves(row):
    from sumdigits.plotting import TrainingHistoryDisplay

    return TrainingHistoryDisplay.from_history(row["history"], name=row["row"])


def errors(row):
    from sumdigits.plotting import TrainingHistoryDisplay

    return TrainingHistoryDisplay.from_history(
        {f"{name} error": values for name, values in row["errors"].items()},
        name=row["row"])


def weights(row):
    from sumdigits.plotting import WeightImagesDisplay

    images = row["weights"]
    return WeightImagesDisplay(np.array(list(images.values())), titles=list(images)).plot(
        n_cols=len(images))


def kernels(row):
    from sumdigits.plotting import ConvKernelsDisplay

    return ConvKernelsDisplay(np.array(row["kernels"]), layer_name=row.get("layer")).plot()


def feature_maps(row):
    """One figure per digit: ``{label: display}``."""
    from sumdigits.plotting import FeatureMapsDisplay

    return {label: FeatureMapsDisplay(np.array(m["maps"]), image=np.array(m["image"]),
                                      layer_name=f"{row.get('layer')}, a {label}").plot()
            for label, m in row["feature_maps"].items()}


def pairs(row):
    from sumdigits.plotting import PairGridDisplay

    p = row["pairs"]
    y_pred = p.get("y_pred")
    return PairGridDisplay(np.array(p["images"]), y_true=np.array(p["y_true"]),
                           y_pred=None if y_pred is None else np.array(y_pred)).plot()


def _probabilities(row, kind):
    from sumdigits.plotting import SumProbabilityDisplay

    plt = _pyplot()
    models = row["proba"]
    shape = (len(models), 1) if kind == "heatmap" else (1, len(models))
    fig, axes = plt.subplots(*shape, figsize=(8, 2.6 * shape[0]) if kind == "heatmap" else (9, 3),
                             squeeze=False)
    for ax, (name, p) in zip(axes.flat, models.items()):
        SumProbabilityDisplay(np.array(p["y_proba"]), y_true=np.array(p["y_true"]),
                              name=name).plot(kind=kind, sample=row.get("sample", 0), ax=ax)
    fig.tight_layout()
    return fig


def proba_heatmap(row):
    return _probabilities(row, "heatmap")


def proba_bars(row):
    return _probabilities(row, "bar")


def sizes(row):
    from sumdigits.plotting import TrainingSizeDisplay

    s = row["sizes"]
    return TrainingSizeDisplay(np.array(s["train_sizes"]),
                               {k: np.array(v) for k, v in s["scores"].items()}).plot()


def distribution(row):
    from sumdigits.plotting import SumDistributionDisplay

    counts = row["distribution"]
    return SumDistributionDisplay(np.array(list(counts.values())), names=list(counts)).plot(
        normalize=True)  # shares: sets of 50 and of 80,000 pairs on one axis


KINDS = {"confusion": confusion, "curves": curves, "errors": errors, "weights": weights,
         "kernels": kernels, "feature_maps": feature_maps, "pairs": pairs,
         "proba_heatmap": proba_heatmap, "proba_bars": proba_bars, "sizes": sizes,
         "distribution": distribution}
#: The field of a row each kind is drawn from.
FIELDS = {"confusion": "confusion_matrix", "curves": "history", "proba_heatmap": "proba",
          "proba_bars": "proba"}


def _has(row, kind):
    if kind == "confusion":
        return "confusion_matrix" in row or "confusion 0 0" in row.get("scores", {})
    return FIELDS.get(kind, kind) in row


def by_row(spec_figure, rows):
    """A score of several rows against a parameter (such as the learning-rate grid)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.5))
    stored = [(x, rows.get(name)) for x, name in zip(spec_figure["x"], spec_figure["rows"])]
    xs = [x for x, r in stored if r is not None]
    ys = [r["scores"].get(spec_figure["score"], np.nan) for _, r in stored if r is not None]
    ax.plot(xs, ys, "o-")
    if spec_figure.get("log"):
        ax.set_xscale("log")
    ax.set(xlabel=spec_figure["xlabel"], ylabel=spec_figure["score"])
    fig.tight_layout()
    return fig


def curves_by_row(spec_figure, rows):
    """One history metric of several rows, per epoch, on one axes (rows not stored yet
    are left out)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for name in spec_figure["rows"]:
        row = rows.get(name)
        if row is not None and spec_figure["metric"] in row.get("history", {}):
            values = row["history"][spec_figure["metric"]]
            ax.plot(np.arange(1, len(values) + 1), values, label=name)
    ax.set(xlabel="epoch", ylabel=spec_figure["ylabel"],
           yscale="log" if spec_figure.get("log") else "linear")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


CROSS_ROW = {"by_row": by_row, "curves": curves_by_row}


def _save(drawn, stem):
    """Save a display or figure as ``<stem>.png``, or a dict of them as
    ``<stem>_<key>.png``; return the paths."""
    if isinstance(drawn, dict):
        return [path for key, one in drawn.items()
                for path in _save(one, stem.with_name(f"{stem.name}_{key}"))]
    plt = _pyplot()
    fig = getattr(drawn, "figure_", drawn)
    path = stem.with_name(f"{stem.name}.png")
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return [path]


def render_figures(report, spec, folder):
    """Draw every figure the stored rows of a report allow; return their paths."""
    rows = _store.read_rows(folder)
    paths = []
    for name, row in rows.items():
        row.setdefault("row", name)
        for kind, draw in KINDS.items():
            if _has(row, kind):
                paths += _save(draw(row), folder / f"{name}_{kind}")
    for file_name, figure in spec.get("figures", {}).items():
        if any(name in rows for name in figure["rows"]):
            drawn = CROSS_ROW[figure["kind"]](figure, rows)
            paths += _save(drawn, folder / file_name.removesuffix(".png"))
    return paths
