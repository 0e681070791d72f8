"""Displays of sumdigits.plotting: each draws on an Agg canvas, labels its axes,
and rejects bad input with an error naming the argument."""

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import LogisticRegression, Perceptron  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402

from sumdigits import load_mnist, make_digit_pairs  # noqa: E402
from sumdigits.plotting import (  # noqa: E402
    ClassificationReportDisplay,
    ConvKernelsDisplay,
    EmbeddingDisplay,
    FeatureMapsDisplay,
    PairGridDisplay,
    SumConfusionMatrixDisplay,
    SumDistributionDisplay,
    SumProbabilityDisplay,
    TrainingHistoryDisplay,
    TrainingSizeDisplay,
    WeightImagesDisplay,
    exponential_smoothing,
    select_perplexity,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def pairs():
    (X, y), (X_test, y_test) = load_mnist("embedded")
    train = make_digit_pairs(X.reshape(len(X), -1), y, 600, random_state=0)
    test = make_digit_pairs(X_test.reshape(len(X_test), -1), y_test, 200, random_state=1)
    return train, test


@pytest.fixture(scope="module")
def pair_classifier(pairs):
    train, _ = pairs
    return GaussianNB().fit(train.data, train.target)  # fast; has predict_proba


def test_plotting_imports_neither_tensorflow_nor_pyplot():
    code = ("import sys, sumdigits.plotting; "
            "print('tensorflow' in sys.modules, 'matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --- label distribution ---------------------------------------------------------------------

def test_sum_distribution_counts_each_set(pairs):
    train, test = pairs
    disp = SumDistributionDisplay.from_labels({"train": train.target, "test": test.target})
    assert disp.counts.shape == (2, 19)
    assert disp.counts[0].sum() == len(train.target)
    np.testing.assert_array_equal(disp.counts[1], np.bincount(test.target, minlength=19))
    assert disp.ax_.get_xlabel() == "Sum of the two digits"
    assert disp.ax_.get_ylabel() == "Number of pairs"
    assert [t.get_text() for t in disp.ax_.get_legend().get_texts()] == ["train", "test"]
    assert len(disp.bars_) == 2 and len(disp.bars_[0]) == 19


def test_sum_distribution_normalize_gives_fractions():
    disp = SumDistributionDisplay.from_labels([0, 0, 18, 9], normalize=True)
    heights = [bar.get_height() for bar in disp.bars_[0]]
    assert heights[0] == 0.5 and sum(heights) == pytest.approx(1.0)
    assert disp.ax_.get_ylabel() == "Fraction of pairs"


@pytest.mark.parametrize("y, match", [
    ([0, 19], "y must hold sums in 0..18"),
    ([[1, 2], [3, 4]], r"y must have shape \(n_samples,\)"),
    ({}, "empty dict"),
])
def test_sum_distribution_rejects_bad_labels(y, match):
    with pytest.raises(ValueError, match=match):
        SumDistributionDisplay.from_labels(y)


def test_sum_distribution_draws_on_given_axes():
    fig, ax = plt.subplots()
    disp = SumDistributionDisplay.from_labels([1, 2, 3], ax=ax)
    assert disp.ax_ is ax and disp.figure_ is fig


# --- pair grid ------------------------------------------------------------------------------

def test_pair_grid_titles_wrong_predictions_in_red(pairs):
    _, test = pairs
    y_pred = test.target.copy()
    y_pred[1] = (y_pred[1] + 1) % 19
    disp = PairGridDisplay.from_predictions(test.data, test.target, y_pred, n_images=6)
    assert disp.axes_.shape == (2, 5)
    titles = [a.get_title() for a in disp.axes_.flat[:6]]
    assert titles[0] == f"true {test.target[0]}, pred {test.target[0]}"
    assert disp.axes_.flat[1].title.get_color() == "tab:red"
    assert disp.axes_.flat[0].title.get_color() == "black"
    assert disp.images_[0].get_array().shape == (28, 56)  # flattened pairs unflattened


def test_pair_grid_from_estimator_predicts_the_shown_pairs(pairs, pair_classifier):
    _, test = pairs
    disp = PairGridDisplay.from_estimator(pair_classifier, test.data, test.target, n_images=4,
                                          random_state=0)
    assert len(disp.images_) == 4
    assert all(a.get_title().startswith("true ") for a in disp.axes_.flat[:4])


def test_pair_grid_rejects_bad_input(pairs):
    _, test = pairs
    with pytest.raises(ValueError, match="X has 100 features per sample"):
        PairGridDisplay.from_predictions(np.zeros((3, 100)), [1, 2, 3])
    with pytest.raises(ValueError, match="y_pred has 2 labels but X has 3 samples"):
        PairGridDisplay.from_predictions(np.zeros((3, 28, 56)), [1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="n_images must be a positive int"):
        PairGridDisplay.from_predictions(test.data, n_images=0)
    with pytest.raises(NotFittedError):
        PairGridDisplay.from_estimator(LogisticRegression(), test.data, test.target)


# --- confusion matrix and classification report --------------------------------------------

def test_sum_confusion_matrix_has_every_sum(pair_classifier, pairs):
    _, test = pairs
    disp = SumConfusionMatrixDisplay.from_estimator(pair_classifier, test.data, test.target)
    assert disp.confusion_matrix.shape == (19, 19)
    assert disp.confusion_matrix.sum() == len(test.target)
    assert disp.ax_.get_xlabel() == "Predicted sum" and disp.ax_.get_ylabel() == "True sum"
    empty = disp.confusion_matrix == 0
    assert all(t.get_text() == "" for t in disp.text_[empty])


def test_sum_confusion_matrix_keeps_absent_sums():
    disp = SumConfusionMatrixDisplay.from_predictions([3, 3], [3, 4], normalize="true")
    assert disp.confusion_matrix.shape == (19, 19)
    assert disp.confusion_matrix[3, 4] == 0.5


def test_sum_confusion_matrix_rejects_bad_input():
    with pytest.raises(ValueError, match="y_pred must hold sums in 0..18"):
        SumConfusionMatrixDisplay.from_predictions([1, 2], [1, 20])
    with pytest.raises(ValueError, match="y_pred has 1 labels but X has 2"):
        SumConfusionMatrixDisplay.from_predictions([1, 2], [1])
    with pytest.raises(NotFittedError):
        SumConfusionMatrixDisplay.from_estimator(LogisticRegression(), np.zeros((2, 4)), [1, 2])
    with pytest.raises(TypeError, match="needs a scikit-learn estimator"):
        SumConfusionMatrixDisplay.from_estimator("svm", np.zeros((2, 4)), [1, 2])


def test_classification_report_matches_sklearn(pair_classifier, pairs):
    from sklearn.metrics import classification_report

    _, test = pairs
    disp = ClassificationReportDisplay.from_estimator(pair_classifier, test.data, test.target,
                                                      labels=range(19))
    report = classification_report(test.target, pair_classifier.predict(test.data),
                                   labels=range(19), output_dict=True, zero_division=0)
    assert disp.f1[7] == pytest.approx(report["7"]["f1-score"])
    assert disp.recall[10] == pytest.approx(report["10"]["recall"])
    assert disp.accuracy == pytest.approx(pair_classifier.score(test.data, test.target))
    assert disp.text_.shape == (19, 3)
    assert disp.ax_.get_ylabel() == "Class (support)"
    assert disp.ax_.get_yticklabels()[7].get_text() == f"7 (n={report['7']['support']:.0f})"


def test_classification_report_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="different lengths"):
        ClassificationReportDisplay.from_predictions([1, 2, 3], [1, 2])


# --- sum probabilities ----------------------------------------------------------------------

def test_sum_probability_heatmap_and_bars(pair_classifier, pairs):
    _, test = pairs
    X, y = test.data[:5], test.target[:5]
    heat = SumProbabilityDisplay.from_estimator(pair_classifier, X, y, name="single")
    np.testing.assert_allclose(heat.im_.get_array(), pair_classifier.predict_proba(X))
    assert heat.ax_.get_xlabel() == "Sum" and heat.ax_.get_ylabel() == "Pair"
    bars = SumProbabilityDisplay.from_estimator(pair_classifier, X, y, kind="bar", sample=3)
    assert [b.get_height() for b in bars.bars_] == pytest.approx(
        pair_classifier.predict_proba(X[3:4])[0])
    assert bars.ax_.get_ylabel() == "Probability"
    assert f"true sum {y[3]}" in bars.ax_.get_title()


def test_sum_probability_fills_sums_absent_from_classes():
    rng = np.random.RandomState(0)
    X, y = rng.rand(40, 6), np.repeat([2, 5, 11, 17], 10)
    clf = LogisticRegression().fit(X, y)
    disp = SumProbabilityDisplay.from_estimator(clf, X[:3])
    proba = disp.im_.get_array()
    assert proba.shape == (3, 19)
    np.testing.assert_allclose(proba[:, [2, 5, 11, 17]], clf.predict_proba(X[:3]))
    assert proba[:, 0].max() == 0


@pytest.mark.parametrize("kwargs, err, match", [
    ({"y_proba": np.ones((2, 10)) / 10}, ValueError, r"shape \(n_samples, 19\)"),
    ({"y_proba": np.full((2, 19), 2.0)}, ValueError, r"probabilities in \[0, 1\]"),
    ({"y_proba": np.ones((2, 19)) / 19, "kind": "pie"}, ValueError, "kind must be one of"),
    ({"y_proba": np.ones((2, 19)) / 19, "kind": "bar", "sample": 5}, ValueError,
     "sample must be an int"),
])
def test_sum_probability_rejects_bad_input(kwargs, err, match):
    y_proba = kwargs.pop("y_proba")
    with pytest.raises(err, match=match):
        SumProbabilityDisplay.from_predictions(y_proba, **kwargs)


def test_sum_probability_needs_predict_proba(pairs):
    train, _ = pairs
    clf = Perceptron().fit(train.data[:100], train.target[:100])
    with pytest.raises(TypeError, match="predict_proba"):
        SumProbabilityDisplay.from_estimator(clf, train.data[:3])


# --- curves ---------------------------------------------------------------------------------

HISTORY = {"loss": [1.2, 0.8, 0.5], "accuracy": [0.5, 0.7, 0.8],
           "val_loss": [1.3, 1.0, 0.9], "val_accuracy": [0.45, 0.6, 0.65]}


def test_training_history_one_panel_per_metric():
    disp = TrainingHistoryDisplay.from_history(HISTORY, name="adam")
    assert [a.get_ylabel() for a in disp.axes_] == ["Loss", "Accuracy"]
    assert all(a.get_xlabel() == "Epoch" for a in disp.axes_)
    np.testing.assert_array_equal(disp.lines_["val_loss"].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(disp.lines_["accuracy"].get_ydata(), HISTORY["accuracy"])
    assert disp.lines_["val_loss"].get_linestyle() == "--"
    assert disp.lines_["loss"].get_label() == "adam train"


def test_training_history_overlays_runs_and_reads_estimators():
    from sklearn.base import BaseEstimator

    class Fitted(BaseEstimator):  # the shape of a fitted Keras estimator: a history_
        def fit(self, X=None, y=None):
            return self

    est = Fitted()
    est.history_ = {"loss": [2.0, 1.0], "val_loss": [2.1, 1.5]}
    first = TrainingHistoryDisplay.from_history(HISTORY, metrics=["loss"], name="sgd")
    second = TrainingHistoryDisplay.from_estimator(est, ax=first.axes_, name="adam")
    assert second.axes_[0] is first.axes_[0]
    assert len(first.axes_[0].get_lines()) == 4


@pytest.mark.parametrize("history, err, match", [
    ({}, ValueError, "history is empty"),
    ({"loss": []}, ValueError, r"history\['loss'\] must be a non-empty 1-D"),
    ([1.0, 0.5], TypeError, "history must be a dict"),
])
def test_training_history_rejects_bad_history(history, err, match):
    with pytest.raises(err, match=match):
        TrainingHistoryDisplay.from_history(history)


def test_training_history_smoothing_draws_the_moving_average_over_faint_values():
    disp = TrainingHistoryDisplay.from_history(HISTORY, metrics=["loss"], smoothing=0.5)
    # s0 = 1.2, s1 = 0.5 * 1.2 + 0.5 * 0.8 = 1.0, s2 = 0.5 * 1.0 + 0.5 * 0.5 = 0.75
    np.testing.assert_allclose(disp.lines_["loss"].get_ydata(), [1.2, 1.0, 0.75])
    lines = disp.axes_[0].get_lines()
    assert len(lines) == 4  # train and validation, each smoothed and faint
    faint = [line for line in lines if line.get_alpha() == 0.3]
    np.testing.assert_array_equal(faint[0].get_ydata(), HISTORY["loss"])
    assert faint[0].get_color() == disp.lines_["loss"].get_color()
    unsmoothed = TrainingHistoryDisplay.from_history(HISTORY, metrics=["loss"], smoothing=0)
    assert len(unsmoothed.axes_[0].get_lines()) == 2


@pytest.mark.parametrize("smoothing, err", [(1.0, ValueError), (-0.1, ValueError),
                                            ("0.5", TypeError), (True, TypeError)])
def test_smoothing_outside_zero_one_is_refused(smoothing, err):
    with pytest.raises(err, match=r"smoothing must be a float in \[0, 1\)"):
        TrainingHistoryDisplay.from_history(HISTORY, smoothing=smoothing)
    with pytest.raises(err, match="smoothing must be"):
        exponential_smoothing([1.0, 2.0], smoothing)


def test_training_history_rejects_unknown_metric_and_unfitted_estimator():
    with pytest.raises(ValueError, match=r"metrics \['auc'\] are not in the history"):
        TrainingHistoryDisplay.from_history(HISTORY, metrics=["auc"])
    with pytest.raises(NotFittedError):
        TrainingHistoryDisplay.from_estimator(LogisticRegression())
    with pytest.raises(ValueError, match="one Axes per metric"):
        TrainingHistoryDisplay.from_history(HISTORY, ax=[plt.gca()])


def test_training_size_from_estimators_fits_nested_subsets(pairs):
    train, test = pairs
    from sumdigits.sequential import SequentialDigitSumClassifier

    nb = GaussianNB()
    disp = TrainingSizeDisplay.from_estimators(
        {"single": nb, "sequential": SequentialDigitSumClassifier(nb)},
        train.data, {"single": train.target, "sequential": train.digits},
        test.data, test.target, train_sizes=[100, 400], random_state=0)
    acc = disp.scores
    assert set(acc) == {"single", "sequential"} and all(len(v) == 2 for v in acc.values())
    assert acc["sequential"][1] > acc["single"][1]  # the reports' finding, here at 400 pairs
    assert disp.ax_.get_xlabel() == "Training samples" and disp.ax_.get_ylabel() == "Accuracy"
    assert not hasattr(nb, "classes_")  # clones were fitted


def test_training_size_rejects_bad_input(pairs):
    train, test = pairs
    est = {"lr": LogisticRegression()}
    with pytest.raises(ValueError, match=r"train_sizes must lie in 1..600"):
        TrainingSizeDisplay.from_estimators(est, train.data, train.target, test.data,
                                            test.target, train_sizes=[10, 1000])
    with pytest.raises(ValueError, match="a dict y needs one target per estimator"):
        TrainingSizeDisplay.from_estimators(est, train.data, {"other": train.target},
                                            test.data, test.target, train_sizes=[10])
    with pytest.raises(ValueError, match=r"scores\['a'\] has 1 values, expected 2"):
        TrainingSizeDisplay.from_scores([10, 20], {"a": [0.5]})


# --- embeddings -----------------------------------------------------------------------------

def test_select_perplexity_picks_the_highest_silhouette():
    from sklearn.metrics import silhouette_score

    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(0, 1, (25, 8)), rng.normal(8, 1, (25, 8))]
    y = np.repeat([0, 1], 25)
    result = select_perplexity(X, y, [3, 15], random_state=0, tsne_kw={"max_iter": 250})
    assert result.best_perplexity == result.perplexities[np.argmax(result.scores)]
    assert len(result.embeddings) == 2 and result.embeddings[0].shape == (50, 2)
    assert result.scores[1] == pytest.approx(silhouette_score(result.embeddings[1], y))
    assert result.scores.max() > 0.5  # two far-apart blobs stay apart


def test_select_perplexity_rejects_bad_grid():
    X, y = np.random.RandomState(0).rand(20, 3), np.arange(20) % 2
    with pytest.raises(ValueError, match=r"perplexities must lie in \(0, 20\)"):
        select_perplexity(X, y, [5, 25])
    with pytest.raises(ValueError, match="at least two classes"):
        select_perplexity(X, np.zeros(20), [5])


@pytest.mark.slow
def test_embedding_from_tsne_with_silhouette_search(pairs):
    train, _ = pairs
    disp = EmbeddingDisplay.from_tsne(train.data[:60], train.digits[:60, 0], perplexity=[5, 20],
                                      random_state=0, tsne_kw={"max_iter": 250})
    assert disp.perplexity_search_.perplexities.tolist() == [5.0, 20.0]
    assert f"perplexity {disp.perplexity_search_.best_perplexity:g}" in disp.ax_.get_title()
    assert disp.ax_.get_xlabel() == "t-SNE 1" and disp.ax_.get_ylabel() == "t-SNE 2"
    assert len(disp.texts_) == np.unique(train.digits[:60, 0]).size


def test_embedding_from_pca_reports_explained_variance(pairs):
    train, _ = pairs
    disp = EmbeddingDisplay.from_pca(train.data[:200], train.target[:200])
    assert disp.scatter_.get_offsets().shape == (200, 2)
    assert disp.ax_.get_xlabel() == f"PC 1 ({100 * disp.explained_variance_ratio_[0]:.1f}% of variance)"


def test_embedding_from_estimator_maps_its_transform(pairs):
    from sklearn.decomposition import PCA

    train, _ = pairs
    pca = PCA(5).fit(train.data)
    disp = EmbeddingDisplay.from_estimator(pca, train.data[:60], train.target[:60],
                                           method="pca")
    assert disp.scatter_.get_offsets().shape == (60, 2)
    with pytest.raises(TypeError, match="transform"):
        EmbeddingDisplay.from_estimator(Perceptron().fit(train.data[:50], train.target[:50]),
                                        train.data[:10], train.target[:10])
    with pytest.raises(NotFittedError):
        EmbeddingDisplay.from_estimator(PCA(2), train.data[:10], train.target[:10])
    with pytest.raises(ValueError, match="method must be one of"):
        EmbeddingDisplay.from_estimator(pca, train.data[:10], train.target[:10], method="umap")


def test_embedding_rejects_mismatched_labels():
    with pytest.raises(ValueError, match=r"y must have shape \(10,\)"):
        EmbeddingDisplay.from_pca(np.zeros((10, 4)), np.zeros(9))
    with pytest.raises(ValueError, match="X contains NaN"):
        EmbeddingDisplay.from_pca(np.full((10, 4), np.nan), np.zeros(10))


# --- weights --------------------------------------------------------------------------------

def test_weight_images_of_a_binary_and_a_multiclass_perceptron(pairs):
    (X, y), _ = load_mnist("embedded")
    X = X[:400].reshape(400, -1)
    binary = Perceptron().fit(X[y[:400] < 2], y[:400][y[:400] < 2])
    disp = WeightImagesDisplay.from_estimator(binary, add_intercept=True)
    assert disp.axes_[0, 0].get_title() == "1 vs 0"
    np.testing.assert_allclose(disp.images_[0].get_array().ravel(),
                               binary.coef_[0] + binary.intercept_[0])
    multi = WeightImagesDisplay.from_estimator(make_pipeline(MinMaxScaler(), Perceptron()).fit(
        X, y[:400]))
    assert len(multi.images_) == 10 and multi.images_[0].get_array().shape == (28, 28)
    vmin, vmax = multi.images_[3].get_clim()
    assert vmin == -vmax  # one colour scale, symmetric about 0


def test_weight_images_rejects_bad_input():
    with pytest.raises(NotFittedError):
        WeightImagesDisplay.from_estimator(Perceptron())
    clf = Perceptron().fit(np.random.RandomState(0).rand(20, 16), np.arange(20) % 2)
    with pytest.raises(ValueError, match=r"16 weights per class, but image_shape=\(28, 28\)"):
        WeightImagesDisplay.from_estimator(clf)
    with pytest.raises(ValueError, match="weights must be a non-empty 3-D array"):
        WeightImagesDisplay(np.zeros((28, 28))).plot()


def test_conv_kernels_and_feature_maps_from_arrays():
    kernels = np.random.RandomState(0).randn(3, 3, 1, 6)
    disp = ConvKernelsDisplay(kernels, layer_name="conv_0").plot(n_cols=3)
    assert disp.axes_.shape == (2, 3) and disp.images_[2].get_array().shape == (3, 3)
    assert "conv_0" in disp.figure_._suptitle.get_text()
    maps = FeatureMapsDisplay(np.ones((14, 28, 3)), image=np.zeros((28, 56))).plot()
    assert len(maps.images_) == 3 and maps.axes_.size == 4
    with pytest.raises(ValueError, match="kernels must be a non-empty 4-D array"):
        ConvKernelsDisplay(np.zeros((3, 3, 6))).plot()
    with pytest.raises(TypeError, match="needs a fitted Keras estimator with a model_"):
        ConvKernelsDisplay.from_estimator(Perceptron().fit(np.eye(4), [0, 1, 0, 1]))



def test_conv_kernels_and_feature_maps_of_a_fitted_cnn_classifier():
    pytest.importorskip("keras")
    from sumdigits.keras import CNNClassifier

    (X, y), _ = load_mnist("embedded")
    clf = CNNClassifier(filters=[4, 8], hidden_layer_sizes=[8], epochs=1, random_state=0)
    clf.fit(X[:200], y[:200])
    kernels = ConvKernelsDisplay.from_estimator(clf, n_cols=4)
    conv = clf.model_.get_layer("conv_0")
    assert len(kernels.images_) == 4 and "conv_0" in kernels.figure_._suptitle.get_text()
    np.testing.assert_allclose(kernels.images_[1].get_array(),
                               np.asarray(conv.kernel)[:, :, 0, 1], rtol=1e-6)
    maps = FeatureMapsDisplay.from_estimator(clf, X[5:6])
    # the first convolution after its activation, stride 2 with "same" padding: 14 x 14
    assert "conv_0_act" in maps.figure_._suptitle.get_text()
    assert len(maps.images_) == 4 and maps.images_[0].get_array().shape == (14, 14)
    assert maps.axes_.flat[0].get_title() == "input"
    np.testing.assert_allclose(maps.axes_.flat[0].images[0].get_array(), X[5] / 255.0,
                               rtol=1e-6)
    with pytest.raises(ValueError, match="is not in the model"):
        FeatureMapsDisplay.from_estimator(clf, X[:1], layer="no_such_layer")
