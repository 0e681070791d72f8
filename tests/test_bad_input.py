"""Bad input to every public function and estimator method is a clear error.

Each case calls one public callable with one defect in otherwise valid input
(wrong dimensions, wrong image size, no sample, NaN / inf pixels,
labels or sums out of range, strings, mismatched lengths, a fitted estimator
given another number of features...) and asserts a ``ValueError`` or
``TypeError`` whose message names the argument and what was expected: nothing
is clipped, dropped or ignored silently. Fitted estimators are shared per
module; the Keras networks have a few units and train for one epoch.
"""

import gzip
import re
import warnings
from functools import partial

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sumdigits import PairSumTransformer, load_mnist, make_digit_pairs, split_pairs
from sumdigits.pairs import make_number_pairs, pair_indices
from sumdigits.utils import all_estimators

from _estimators import is_keras, learns_from, takes_images, tiny

N = 40  # digits; pairs are made from them


@pytest.fixture(scope="module")
def data():
    (X, y), _ = load_mnist("embedded")
    idx = np.concatenate([np.flatnonzero(y == d)[:4] for d in range(10)])
    X, y = X[idx].reshape(len(idx), -1), y[idx].astype(np.intp)
    pairs = make_digit_pairs(X, y, 100, random_state=0)
    return {"X": X, "y": y, "X_pairs": pairs.data, "sums": pairs.target, "digits": pairs.digits}


# --------------------------------------------------------------- bad inputs
# Each defect: a function of (X, y) giving the bad (X, y), the argument it is in,
# the exception types and a regex the message must match.
def _float(X):
    return np.asarray(X, dtype=np.float64)


def _with(X, value):
    X = _float(X).copy()
    X[0, 0] = value
    return X


def _object(X):
    X = np.asarray(X).astype(object)
    X[0, 0] = "seven"
    return X


X_DEFECTS = {
    "1-D X": (lambda X, y: (np.asarray(X)[0], y), (ValueError,),
              r"\bX\b.*(2-D|3-D|dimensions|shape)"),
    "5-D X": (lambda X, y: (np.asarray(X).reshape(len(X), 1, 1, -1)[..., None], y), (ValueError,),
              r"\bX\b.*(2-D|3-D|dimensions|shape)"),
    "empty X": (lambda X, y: (np.asarray(X)[:0], np.asarray(y)[:0]), (ValueError,),
                r"\bX\b.*(0 (image|sample|pair)|at least|empty)"),
    "NaN pixel": (lambda X, y: (_with(X, np.nan), y), (ValueError,), r"\bX\b.*NaN"),
    "inf pixel": (lambda X, y: (_with(X, np.inf), y), (ValueError,), r"\bX\b.*(inf|infinite)"),
    "string X": (lambda X, y: (np.asarray(X).astype(str), y), (TypeError, ValueError),
                 r"\bX\b.*(numeric|dtype|string)"),
    "object X": (lambda X, y: (_object(X), y), (TypeError, ValueError),
                 r"\bX\b.*(numeric|dtype|string)"),
}
PIXEL_DEFECTS = {
    # 99 pixels: not a square digit, nor two (a square number of pixels is a square digit)
    "wrong image size": (lambda X, y: (np.asarray(X)[:, :99], y), (ValueError,),
                         r"\bX\b.*(features|pixels|digit_shape|image_shape)"),
}
Y_DEFECTS = {
    "mismatched lengths": (lambda X, y: (X, np.asarray(y)[:-1]), (ValueError,),
                           r"\by\b.*(same length|samples)"),
    "string y": (lambda X, y: (X, np.asarray(y).astype(str)), (TypeError, ValueError),
                 r"\by\b.*(integer|dtype|numeric)"),
    "NaN label": (lambda X, y: (X, _with(np.asarray(y).reshape(len(y), -1), np.nan).reshape(
        np.shape(y))), (ValueError,), r"\by\b.*NaN"),
    "fractional label": (lambda X, y: (X, _with(np.asarray(y).reshape(len(y), -1), 0.5).reshape(
        np.shape(y))), (ValueError,), r"\by\b.*(whole|integer)"),
}
DIGIT_DEFECTS = {
    "digit label 10": (lambda X, y: (X, _set_label(y, 10)), (ValueError,), r"\by\b.*0\.\.9"),
    "digit label -1": (lambda X, y: (X, _set_label(y, -1)), (ValueError,), r"\by\b.*0\.\.9"),
}
SUM_DEFECTS = {
    "sum 19": (lambda X, y: (X, _set_label(y, 19)), (ValueError,), r"\by\b.*0\.\.18"),
    "sum -1": (lambda X, y: (X, _set_label(y, -1)), (ValueError,), r"\by\b.*0\.\.18"),
}
# NeuroSymbolicFunctionClassifier's labels are the values of its function (here the
# sum of two digits): anything else is a value the function never returns.
FUNCTION_DEFECTS = {
    "value 19": (lambda X, y: (X, _set_label(y, 19)), (ValueError,),
                 r"\by holds \[19\].*function never returns"),
    "string y": (lambda X, y: (X, np.asarray(y).astype(str)), (ValueError,),
                 r"\by holds \['0', .*function never returns"),
    "fractional label": (lambda X, y: (X, _with(np.asarray(y).reshape(len(y), -1), 0.5).reshape(
        np.shape(y))), (ValueError,), r"\by holds \[0\.5\].*function never returns"),
}
FIT_DEFECTS = {
    "single sample": (lambda X, y: (np.asarray(X)[:1], np.asarray(y)[:1]), (ValueError,),
                      r"\b(X|y)\b.*(1 (image|sample|pair)|at least|class|no image)"),
}


def _set_label(y, value):
    y = np.array(y, dtype=np.int64)
    y.reshape(-1)[0] = value
    return y


# ------------------------------------------------------------ the public API
# Each target: name -> (call(data, X, y), which data are X and y, defect tables).
def _make_pairs(d, X, y):
    return make_digit_pairs(X, y, 100, random_state=0)


def _pair_indices(d, X, y):
    return pair_indices(y, 100, random_state=0)


def _split_pairs(d, X, y):
    return split_pairs(X)


def _pair_sampler(d, X, y):
    return PairSumTransformer(100, random_state=0).fit_resample(X, y)


def _pair_sampler_fit(d, X, y):
    return PairSumTransformer(100, random_state=0).fit(X, y)


FUNCTIONS = {
    "make_digit_pairs": (_make_pairs, ("X", "y"),
                         [X_DEFECTS, PIXEL_DEFECTS, Y_DEFECTS, DIGIT_DEFECTS, FIT_DEFECTS]),
    "pair_indices": (_pair_indices, ("X", "y"), [Y_DEFECTS, DIGIT_DEFECTS]),
    "split_pairs": (_split_pairs, ("X_pairs", "sums"), [X_DEFECTS, PIXEL_DEFECTS]),
    "PairSumTransformer.fit_resample": (_pair_sampler, ("X", "y"),
                                        [X_DEFECTS, PIXEL_DEFECTS, Y_DEFECTS, DIGIT_DEFECTS,
                                         FIT_DEFECTS]),
    "PairSumTransformer.fit": (_pair_sampler_fit, ("X", "y"),
                               [X_DEFECTS, PIXEL_DEFECTS, Y_DEFECTS, DIGIT_DEFECTS,
                                FIT_DEFECTS]),
}


def _cases(targets):
    for name, (_, _, tables) in targets.items():
        for table in tables:
            for defect in table:
                if name == "pair_indices" and defect in ("mismatched lengths",):
                    continue  # no X to mismatch
                yield pytest.param(name, defect, table, id=f"{name}-{defect}")


def _check(call, d, xy, table, defect):
    make_bad, errors, regex = table[defect]
    X, y = make_bad(d[xy[0]], d[xy[1]])
    with pytest.raises(errors, match=regex):
        call(d, X, y)


@pytest.mark.parametrize("name, defect, table", list(_cases(FUNCTIONS)))
def test_function_rejects_bad_input(data, name, defect, table):
    call, xy, _ = FUNCTIONS[name]
    _check(call, data, xy, table, defect)


# --------------------------------------------------------------- estimators
# Generic classifiers (any features, any labels) are not checked for pixel
# ranges or label ranges: negative features and string labels are valid there.
# A single sample is an error where the classes are read from y (one class);
# the pair estimators know their classes (sums 0..18, digits 0..9), and one
# pair is valid input there. A fitted estimator takes a single sample.
GENERIC_Y_DEFECTS = {k: Y_DEFECTS[k] for k in ("mismatched lengths", "NaN label")}
FITTED_DEFECTS = {
    **{k: v for k, v in X_DEFECTS.items() if k != "empty X"},
    "empty X": (lambda X, y: (np.asarray(X)[:0], np.asarray(y)[:0]), (ValueError,),
                r"\bX\b.*(0 (image|sample|pair)|at least|empty)"),
    "other number of features": (lambda X, y: (np.asarray(X)[:, :100], y), (ValueError,),
                                 r"\bX\b.*(features|pixels|image_shape)"),
}


# Every public estimator (sumdigits.utils.all_estimators) but those of NOT_HERE, small
# (tests/_estimators.py). What it learns from decides its data and the defects of its
# fit, unless OTHER_FIT_DEFECTS names others; its fitted methods are those of METHODS
# that it has.
#: Estimators checked elsewhere, with the reason.
NOT_HERE = {
    "PairSumTransformer": "a function of this module's FUNCTIONS (fit and fit_resample)",
    "OptunaSearchCV": "a search: bad input reaches the estimator it tunes (tune's tests)",
}
#: What an estimator learns from -> its (X, y) data keys and the defect tables of its fit.
#: A classifier of digits takes any features and labels; the pair estimators know their
#: classes.
LEARNS_FROM = {
    "digits": (("X", "y"), [X_DEFECTS, GENERIC_Y_DEFECTS, FIT_DEFECTS]),
    "sums": (("X_pairs", "sums"), [X_DEFECTS, PIXEL_DEFECTS, Y_DEFECTS, SUM_DEFECTS]),
    "pair digits": (("X_pairs", "digits"), [X_DEFECTS, Y_DEFECTS, DIGIT_DEFECTS]),
}
#: Estimators whose fit meets other defects than those of what they learn from.
OTHER_FIT_DEFECTS = {
    "HOGTransformer": [X_DEFECTS, PIXEL_DEFECTS],  # a transformer of images: y unused
    "GaussianNoiseAugmenter": [X_DEFECTS, GENERIC_Y_DEFECTS],  # any features and labels
    "NeuroSymbolicFunctionClassifier": [X_DEFECTS, PIXEL_DEFECTS, GENERIC_Y_DEFECTS,
                                        FUNCTION_DEFECTS],
    "MultiTaskClassifier": [X_DEFECTS, GENERIC_Y_DEFECTS, FIT_DEFECTS],  # any label columns
}
#: The methods of a fitted estimator that take X, where it has them.
METHODS = ("predict", "predict_proba", "predict_digits", "predict_digit_proba",
           "decision_function", "transform", "score", "fit_resample")
KERAS = {name for name, cls in all_estimators() if is_keras(cls)}


def _estimators():
    """name -> (factory, (X, y) data keys, fit defect tables, fitted methods taking X)."""
    found = {}
    for name, cls in all_estimators():
        if name in NOT_HERE:
            continue
        xy, tables = LEARNS_FROM[learns_from(name, cls)]
        methods = [m for m in METHODS if hasattr(cls, m)]
        found[name] = (partial(tiny, cls), xy, OTHER_FIT_DEFECTS.get(name, tables), methods)
    return found


ESTIMATORS = _estimators()


def test_every_estimator_is_here_or_said_elsewhere():
    names = {name for name, _ in all_estimators()}
    assert set(ESTIMATORS) == names - set(NOT_HERE)
    assert set(NOT_HERE) | set(OTHER_FIT_DEFECTS) <= names


def _fit_cases():
    for name, (_, _, tables, _) in ESTIMATORS.items():
        for table in tables:
            for defect in table:
                yield pytest.param(name, defect, table, id=f"{name}.fit-{defect}")


SCORE_DEFECTS = {**FITTED_DEFECTS, "mismatched lengths": Y_DEFECTS["mismatched lengths"]}


def _method_defects(method):
    if method == "score":
        return SCORE_DEFECTS
    if method == "fit_resample":  # a new fit: any number of features goes
        return {k: v for k, v in FITTED_DEFECTS.items() if k != "other number of features"}
    return FITTED_DEFECTS


def _method_cases():
    for name, (_, _, _, methods) in ESTIMATORS.items():
        for method in methods:
            for defect in _method_defects(method):
                yield pytest.param(name, method, defect, id=f"{name}.{method}-{defect}")


@pytest.mark.parametrize("name, defect, table", list(_fit_cases()))
def test_fit_rejects_bad_input(data, name, defect, table):
    factory, xy, _, _ = ESTIMATORS[name]
    if name in KERAS:
        pytest.importorskip("keras")
    est = factory()
    method = "fit_resample" if hasattr(est, "fit_resample") else "fit"
    _check(lambda d, X, y: getattr(est, method)(X, y), data, xy, table, defect)


@pytest.fixture(scope="module")
def fitted(data):
    cache = {}

    def get(name):
        if name not in cache:
            factory, (x, y), _, _ = ESTIMATORS[name]
            if name in KERAS:
                pytest.importorskip("keras")
            with warnings.catch_warnings():  # two EM steps: enough to have a fitted model
                warnings.simplefilter("ignore", ConvergenceWarning)
                cache[name] = factory().fit(data[x], data[y])
        return cache[name]
    return get


@pytest.mark.parametrize("name, method, defect", list(_method_cases()))
def test_fitted_method_rejects_bad_input(data, fitted, name, method, defect):
    est = fitted(name)
    _, xy, _, _ = ESTIMATORS[name]
    make_bad, errors, regex = _method_defects(method)[defect]
    X, y = make_bad(data[xy[0]], data[xy[1]])
    takes_y = method in ("score", "fit_resample")
    with pytest.raises(errors, match=regex):
        getattr(est, method)(X, y) if takes_y else getattr(est, method)(X)


@pytest.mark.parametrize("name, method", [
    pytest.param(name, method, id=f"{name}.{method}")
    for name, (_, _, _, methods) in ESTIMATORS.items() for method in methods
    if method != "fit_resample"
])
def test_fitted_method_takes_a_single_sample(data, fitted, name, method):
    """One sample is valid input to a fitted estimator: one row out, no error."""
    est = fitted(name)
    _, (x, y), _, _ = ESTIMATORS[name]
    X, y = data[x][:1], data[y][:1]
    if method == "score":
        assert est.score(X, y) in (0.0, 1.0)
    else:
        out = getattr(est, method)(X)
        for part in out if isinstance(out, list) else [out]:  # a list: one array per task
            assert np.asarray(part).shape[0] == 1


# ------------------------------------------------ one pair, several spellings
# Every estimator that takes images takes the same samples flattened (n, h * w), as
# images (n, h, w) or with a channel axis (n, h, w, 1), at fit and after it; its
# n_features_in_ counts pixels, and an error names the shape it was given.
IMAGE_ESTIMATORS = [name for name, cls in all_estimators()
                    if name in ESTIMATORS and takes_images(cls)]


def _spellings(X, image):
    X = np.asarray(X)
    return {"flat": X.reshape(len(X), -1), "3-D": X.reshape(len(X), *image),
            "4-D": X.reshape(len(X), *image, 1)}


def _image_of(name):
    return (28, 28) if ESTIMATORS[name][1][0] == "X" else (28, 56)


def _outputs(est, X):
    method = "transform" if not hasattr(est, "predict") else "predict_proba"
    return np.asarray(getattr(est, method)(X))


@pytest.mark.parametrize("name", IMAGE_ESTIMATORS)
def test_fitted_estimator_takes_every_spelling_of_its_samples(data, fitted, name):
    est = fitted(name)
    x, _ = ESTIMATORS[name][1]
    image = _image_of(name)
    assert est.n_features_in_ == image[0] * image[1]
    outputs = {k: _outputs(est, X) for k, X in _spellings(data[x][:5], image).items()}
    np.testing.assert_array_equal(outputs["3-D"], outputs["flat"])
    np.testing.assert_array_equal(outputs["4-D"], outputs["flat"])


@pytest.mark.slow
@pytest.mark.parametrize("spelling", ["3-D", "4-D"])
@pytest.mark.parametrize("name", IMAGE_ESTIMATORS)
def test_fit_takes_every_spelling_and_counts_pixels(data, name, spelling):
    factory, (x, y), _, _ = ESTIMATORS[name]
    if name in KERAS:
        pytest.importorskip("keras")
    image = _image_of(name)
    X = _spellings(data[x], image)[spelling]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = factory().fit(X, data[y])
    assert est.n_features_in_ == image[0] * image[1]
    flat = _spellings(data[x][:5], image)["flat"]
    np.testing.assert_array_equal(_outputs(est, flat), _outputs(est, X[:5]))


@pytest.mark.parametrize("name", IMAGE_ESTIMATORS)
def test_fitted_estimator_names_the_shape_of_other_images(data, fitted, name):
    est = fitted(name)
    x, _ = ESTIMATORS[name][1]
    h, w = _image_of(name)
    X = np.asarray(data[x][:3], dtype=np.float64)
    turned = X.reshape(3, w, h) if h != w else X.reshape(3, h // 2, 2 * w)
    with pytest.raises(ValueError, match=r"\bX\b.*" + re.escape(str(turned.shape[1:]))):
        _outputs(est, turned)
    colour = np.repeat(X.reshape(3, h, w, 1), 3, axis=3)
    with pytest.raises(ValueError, match=r"\bX\b.*" + re.escape(str(colour.shape[1:]))):
        _outputs(est, colour)


PAIR_ESTIMATORS = [name for name in ESTIMATORS if ESTIMATORS[name][1] == ("X_pairs", "sums")]


@pytest.mark.parametrize("name", PAIR_ESTIMATORS)
def test_fit_on_pairs_names_the_shape_given(data, name):
    """A 4-D array of the wrong kind is named by the shape the caller gave."""
    factory, (x, y), _, _ = ESTIMATORS[name]
    if name in KERAS:
        pytest.importorskip("keras")
    X = np.repeat(np.asarray(data[x], dtype=np.float64).reshape(-1, 28, 56, 1), 3, axis=3)
    with pytest.raises(ValueError, match=re.escape(str(X.shape))):
        factory().fit(X, data[y])


@pytest.mark.parametrize("name", PAIR_ESTIMATORS)
def test_single_digit_images_are_not_taken_for_pairs(data, name):
    """28 x 28 digits where pairs are expected: not pairs of 28 x 14 digits."""
    factory, (_, y), _, _ = ESTIMATORS[name]
    if name in KERAS:
        pytest.importorskip("keras")
    X = np.asarray(data["X"]).reshape(-1, 28, 28)
    labels = np.asarray(data[y])[:len(X)]
    for spelling in (X, X[..., None]):
        with pytest.raises(ValueError, match=r"\bX\b.*\(28, 28\).*single digit images"):
            factory().fit(spelling, labels)


@pytest.mark.slow
@pytest.mark.parametrize("name", IMAGE_ESTIMATORS)
def test_standardised_pixels_are_images(data, name):
    """Any finite pixel values are images: centred, scaled or standardised ones too."""
    from sklearn.preprocessing import StandardScaler

    factory, (x, y), _, _ = ESTIMATORS[name]
    if name in KERAS:
        pytest.importorskip("keras")
    X = StandardScaler().fit_transform(np.asarray(data[x], dtype=np.float64))
    assert X.min() < 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = factory().fit(X, data[y])
    assert np.isfinite(_outputs(est, X[:3])).all()


def test_standardised_pairs_in_a_pipeline(data):
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sumdigits.sequential import SequentialDigitSumClassifier

    X, digits = data["X_pairs"], data["digits"]
    pipe = make_pipeline(StandardScaler(), SequentialDigitSumClassifier(GaussianNB()))
    assert pipe.fit(X, digits).predict(X).shape == (len(X),)
    first, second = split_pairs(-np.asarray(X, dtype=np.float64))
    assert first.min() < 0


# ----------------------------------------------------------------- load_mnist
def _idx_folder(tmp_path, content):
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        path = tmp_path / name
        if callable(content):
            content(path)
        else:
            path.write_bytes(content)
    return tmp_path


def _truncated_idx(path):
    magic = 2051 if "images" in path.name else 2049
    ndim = 3 if "images" in path.name else 1
    header = magic.to_bytes(4, "big") + b"".join((5).to_bytes(4, "big") for _ in range(ndim))
    with gzip.open(path, "wb") as f:
        f.write(header + b"\0" * 3)  # announces 5 (x 5 x 5) bytes, holds 3


def _npz(tmp_path, **arrays):
    path = tmp_path / "digits.npz"
    np.savez(path, **arrays)
    return path


LOAD_MNIST = {
    "missing path": (lambda p: (p / "nowhere",), {}, r"nowhere.*does not exist"),
    "empty folder": (lambda p: (p,), {}, r"neither the four MNIST IDX files nor mnist\.npz"
                     r"|neither the four MNIST IDX files"),
    "not gzip": (lambda p: (_idx_folder(p, b"not gzip"),), {"verify": False},
                 r"not a readable gzip IDX file"),
    "truncated IDX": (lambda p: (_idx_folder(p, _truncated_idx),), {"verify": False},
                      r"truncated"),
    "checksum": (lambda p: (_idx_folder(p, _truncated_idx),), {}, r"checksum"),
    "npz without keys": (lambda p: (_npz(p, x=np.zeros(3)),), {}, r"x_train, y_train"),
    "npz of floats": (lambda p: (_npz(p, x_train=np.zeros((2, 2, 2)), y_train=np.zeros(2),
                                      x_test=np.zeros((2, 2, 2)), y_test=np.zeros(2)),), {},
                      r"x_train must be uint8"),
    "npz lengths": (lambda p: (_npz(p, x_train=np.zeros((2, 2, 2), np.uint8), y_train=np.zeros(3),
                                    x_test=np.zeros((2, 2, 2), np.uint8), y_test=np.zeros(2)),),
                    {}, r"n labels in y_train"),
    "source of wrong type": (lambda p: (42,), {}, r"source must be"),
}


@pytest.mark.parametrize("defect", list(LOAD_MNIST))
def test_load_mnist_rejects_bad_files(tmp_path, defect):
    make_args, kwargs, regex = LOAD_MNIST[defect]
    with pytest.raises((ValueError, TypeError), match=regex):
        load_mnist(*make_args(tmp_path), **kwargs)


# ----------------------------------------------------------------- plotting
def _plotting_cases():
    from sumdigits import plotting as P

    sums = np.arange(19)
    proba = np.full((3, 19), 1 / 19)
    X_pairs = np.zeros((3, 28, 56), dtype=np.uint8)
    feats = np.random.default_rng(0).random((20, 5))
    labels = np.arange(20) % 10
    cases = {
        "SumConfusionMatrixDisplay.from_predictions": [
            ("sum 19", lambda: P.SumConfusionMatrixDisplay.from_predictions(sums + 1, sums),
             r"y_true.*0\.\.18"),
            ("mismatched lengths", lambda: P.SumConfusionMatrixDisplay.from_predictions(
                sums, sums[:-1]), r"y_(true|pred).*(length|samples)"),
            ("string y_pred", lambda: P.SumConfusionMatrixDisplay.from_predictions(
                sums, sums.astype(str)), r"y_pred.*(integer|dtype)"),
        ],
        "ClassificationReportDisplay.from_predictions": [
            ("mismatched lengths", lambda: P.ClassificationReportDisplay.from_predictions(
                sums, sums[:-1]), r"y_true and y_pred.*length"),
            ("empty", lambda: P.ClassificationReportDisplay.from_predictions(
                sums[:0], sums[:0]), r"y_true is empty"),
            ("2-D", lambda: P.ClassificationReportDisplay.from_predictions(
                sums[:, None].repeat(2, 1), sums), r"y_true and y_pred must be 1-D"),
        ],
        "SumDistributionDisplay.from_labels": [
            ("sum 19", lambda: P.SumDistributionDisplay.from_labels(sums + 1), r"\by\b.*0\.\.18"),
            ("NaN", lambda: P.SumDistributionDisplay.from_labels(sums * np.nan), r"\by\b.*NaN"),
        ],
        "SumProbabilityDisplay.from_predictions": [
            ("18 columns", lambda: P.SumProbabilityDisplay.from_predictions(proba[:, :18]),
             r"y_proba must have shape"),
            ("negative", lambda: P.SumProbabilityDisplay.from_predictions(-proba),
             r"y_proba must hold probabilities"),
            ("NaN", lambda: P.SumProbabilityDisplay.from_predictions(proba * np.nan),
             r"y_proba must hold probabilities"),
            ("empty", lambda: P.SumProbabilityDisplay.from_predictions(proba[:0]),
             r"y_proba holds no sample"),
        ],
        "PairGridDisplay.from_predictions": [
            ("NaN pixel", lambda: P.PairGridDisplay.from_predictions(X_pairs * np.nan),
             r"\bX\b.*NaN"),
            ("sum 19", lambda: P.PairGridDisplay.from_predictions(X_pairs, y_true=[19, 0, 0]),
             r"y_true.*0\.\.18"),
            ("mismatched lengths", lambda: P.PairGridDisplay.from_predictions(
                X_pairs, y_pred=[1, 2]), r"y_pred.*same length"),
        ],
        "TrainingHistoryDisplay.from_history": [
            ("empty", lambda: P.TrainingHistoryDisplay.from_history({}), r"history is empty"),
            ("not a dict", lambda: P.TrainingHistoryDisplay.from_history([1, 2]),
             r"history must be a dict"),
            ("2-D values", lambda: P.TrainingHistoryDisplay.from_history({"loss": [[1.0]]}),
             r"history\['loss'\].*1-D"),
        ],
        "TrainingSizeDisplay.from_scores": [
            ("NaN sizes", lambda: P.TrainingSizeDisplay.from_scores([1, np.nan], {"a": [1, 2]}),
             r"train_sizes.*NaN"),
            ("mismatched scores", lambda: P.TrainingSizeDisplay.from_scores([1, 2], {"a": [1]}),
             r"scores\['a'\].*expected 2"),
        ],
        "EmbeddingDisplay.from_pca": [
            ("string X", lambda: P.EmbeddingDisplay.from_pca(feats.astype(str), labels),
             r"\bX\b.*numeric"),
            ("1-D X", lambda: P.EmbeddingDisplay.from_pca(feats[:, 0], labels), r"\bX\b.*2-D"),
            ("mismatched lengths", lambda: P.EmbeddingDisplay.from_pca(feats, labels[:-1]),
             r"\by\b.*one label per sample"),
            ("inf", lambda: P.EmbeddingDisplay.from_pca(feats * np.inf, labels),
             r"\bX\b.*inf"),
        ],
        "select_perplexity": [
            ("2 samples", lambda: P.select_perplexity(feats[:2], labels[:2]),
             r"\bX\b.*at least"),
        ],
    }
    return [(f"{name}-{defect}", call, regex) for name, items in cases.items()
            for defect, call, regex in items]


@pytest.mark.parametrize("case", _plotting_cases(), ids=lambda c: c[0])
def test_plotting_rejects_bad_input(case):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, call, regex = case
    try:
        with pytest.raises((ValueError, TypeError), match=regex):
            call()
    finally:
        plt.close("all")


# -------------------------------------------------------------------- tuning
def test_search_space_rejects_unknown_space():
    from sklearn.linear_model import LogisticRegression

    from sumdigits.tuning import search_space

    with pytest.raises(ValueError, match=r"search space 'nonexistent'; available"):
        search_space(LogisticRegression(), space="nonexistent")


def test_tune_rejects_bad_input(data):
    pytest.importorskip("optuna")
    from sklearn.linear_model import LogisticRegression

    from sumdigits.tuning import tune

    X, y = np.asarray(data["X"], dtype=float), data["y"]
    with pytest.raises(ValueError, match=r"\by\b.*(same length|samples)"):
        tune(LogisticRegression(), X, y[:-1], n_trials=1)
    with pytest.raises(ValueError, match=r"n_trials"):
        tune(LogisticRegression(), X, y, n_trials=0)


def test_repeated_scores_rejects_bad_input(data):
    from sklearn.linear_model import LogisticRegression

    from sumdigits.model_selection import repeated_scores

    X, y = np.asarray(data["X"], dtype=float) / 255, data["y"]
    clf = LogisticRegression(random_state=0)
    with pytest.raises(ValueError, match=r"\by has 39 labels but X has 40"):
        repeated_scores(clf, X, y[:-1], X, y, seeds=2)
    with pytest.raises(ValueError, match=r"\by_test has 39 labels but X_test has 40"):
        repeated_scores(clf, X, y, X, y[:-1], seeds=2)
    with pytest.raises(ValueError, match=r"seeds must be distinct"):
        repeated_scores(clf, X, y, X, y, seeds=[1, 1])
    with pytest.raises(ValueError, match=r"\bX\b.*NaN"):
        repeated_scores(clf, _with(X, np.nan), y, X, y, seeds=2)


# ------------------------------------------- Keras: keywords and fit arguments
KERAS_CLASSES = sorted(KERAS)
#: The Keras classifiers of digits with any labels.
KERAS_DIGIT_CLASSES = [name for name in KERAS_CLASSES if ESTIMATORS[name][1] == ("X", "y")]


@pytest.mark.parametrize("name", KERAS_CLASSES)
def test_misspelt_keyword_is_an_error_with_a_suggestion(name, data):
    """__init__ stores (scikit-learn's rule); fit names the unknown keyword and suggests."""
    pytest.importorskip("keras")
    import sumdigits.keras

    cls = getattr(sumdigits.keras, name)
    X, y = data["X"][:4], data["y"][:4]
    for bad, message in [
        (dict(epoch=3), r"unexpected parameter 'epoch'\. Did you mean 'epochs'\?"),
        (dict(model__units=3), r"'model__units'.*not used"),
    ]:
        est = cls(**bad)  # stored, as scikit-learn's __init__ does
        for error in (TypeError, ValueError):  # InvalidParameterError is both
            with pytest.raises(error, match=message):
                est.fit(X, y)
    est = cls(optimizer__beta_1=0.8, fit__validation_batch_size=8, callbacks__0__patience=2,
              predict__batch_size=16, run_eagerly=True)  # routed and Keras arguments pass
    est._validate_params()
    with pytest.raises(ValueError, match=r"'batch_sizes'\. Did you mean 'batch_size'\?"):
        est.set_params(batch_sizes=3)
    assert est.set_params(optimizer__beta_2=0.9, epochs=2).get_params()["optimizer__beta_2"] == 0.9


def test_fcnn_misspelt_hidden_layer_size(data):
    pytest.importorskip("keras")
    from sumdigits.keras import FCNNClassifier

    est = FCNNClassifier(hidden_layer_size=[64])
    with pytest.raises(TypeError, match=r"Did you mean 'hidden_layer_sizes'\?"):
        est.fit(data["X"][:4], data["y"][:4])
    assert not hasattr(est, "model_")  # nothing was trained


def test_fit_honours_callbacks_and_validation_data(data):
    """callbacks run, validation_data is scaled like X: val_loss is the loss on it."""
    keras = pytest.importorskip("keras")
    from sumdigits.keras import FCNNClassifier

    class Recorder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.logs = []

        def on_epoch_end(self, epoch, logs=None):
            self.logs.append(dict(logs))

    X, y = data["X"], data["y"]
    recorder = Recorder()
    est = FCNNClassifier(hidden_layer_sizes=[4], epochs=2, random_state=0)
    est.fit(X[::2], y[::2], callbacks=[recorder], validation_data=(X[1::2], y[1::2]))
    assert len(recorder.logs) == 2
    assert recorder.logs[-1]["val_loss"] == est.history_["val_loss"][-1]
    # the uint8 pixels of the validation images were scaled like X's: evaluating the
    # trained network on X_val / 255 gives the last epoch's val_loss
    X_val = np.asarray(X[1::2], dtype=np.float32) / 255
    loss = est.model_.evaluate(X_val, y[1::2], verbose=0)[0]
    np.testing.assert_allclose(loss, est.history_["val_loss"][-1], rtol=1e-5)
    # the callbacks belong to that fit only
    est.partial_fit(X[::2], y[::2])
    assert len(recorder.logs) == 2


def test_fit_rejects_bad_callbacks_and_validation_data(data):
    pytest.importorskip("keras")
    from sumdigits.keras import FCNNClassifier

    X, y = data["X"], data["y"]
    est = FCNNClassifier(hidden_layer_sizes=[4], epochs=1, random_state=0)
    with pytest.raises(TypeError, match=r"callbacks must be a list of keras\.callbacks\.Callback"):
        est.fit(X, y, callbacks=["EarlyStopping"])
    with pytest.raises(TypeError, match=r"validation_data must be a tuple \(X_val, y_val\)"):
        est.fit(X, y, validation_data=X)
    with pytest.raises(ValueError, match=r"validation_data \(X, y\): X has 100 features.*784"):
        est.fit(X, y, validation_data=(X[:, :100], y))
    with pytest.raises(ValueError, match=r"validation_data \(X, y\): y has 39 labels but X has 40"):
        est.fit(X, y, validation_data=(X, y[:-1]))


# -------------------------------- Keras: sample weights, labels and partial_fit
@pytest.mark.parametrize("name", KERAS_CLASSES)
def test_negative_sample_weight_is_an_error(name, data):
    pytest.importorskip("keras")
    factory, (x, y), _, _ = ESTIMATORS[name]
    weights = np.ones(len(data[y]))
    weights[3] = -0.5
    with pytest.raises(ValueError, match=r"sample_weight must be non-negative.*1 negative "
                                         r"weight\(s\), the smallest -0\.5"):
        factory().fit(data[x], data[y], sample_weight=weights)


def test_negative_validation_weight_is_an_error(data):
    pytest.importorskip("keras")
    X, y = data["X"], data["y"]
    weights = -np.ones(len(y))
    with pytest.raises(ValueError, match=r"validation_data's sample_weight_val must be "
                                         r"non-negative"):
        ESTIMATORS["FCNNClassifier"][0]().fit(X, y, validation_data=(X, y, weights))


@pytest.mark.parametrize("name", KERAS_DIGIT_CLASSES)
def test_continuous_y_says_what_y_must_be(name, data):
    pytest.importorskip("keras")
    factory = ESTIMATORS[name][0]
    y = data["y"] + 0.25
    with pytest.raises(ValueError, match=r"Unknown label type 'continuous': y must hold class "
                                         r"labels .*got values such as 0\.25.*regressor"):
        factory().fit(data["X"], y)


@pytest.mark.slow
@pytest.mark.parametrize("name", KERAS_DIGIT_CLASSES)
def test_partial_fit_with_a_class_it_was_not_built_for_names_classes(name, data):
    pytest.importorskip("keras")
    factory = ESTIMATORS[name][0]
    X, y = data["X"], data["y"]
    first = y < 5
    est = factory().partial_fit(X[first], y[first])
    with pytest.raises(ValueError, match=r"y holds labels \[5, 6, 7, 8, 9\] that the first "
                                         r"call of partial_fit did not see.*classes="):
        est.partial_fit(X, y)
    with pytest.raises(ValueError, match=r"y holds labels \[9\] that are not in "
                                         r"classes=\[0, 1, 2, 3, 4, 5, 6, 7, 8\]"):
        factory().partial_fit(X, y, classes=np.arange(9))
    # with every class given, a first batch without some of them is fine
    est = factory().partial_fit(X[first], y[first], classes=np.arange(10))
    assert est.partial_fit(X, y).classes_.tolist() == list(range(10))


# ---------------------------------------------- pair generation: size and seeds
def _huge_pairs(d):
    return {
        "make_digit_pairs": lambda: make_digit_pairs(d["X"], d["y"], 10**12, random_state=0),
        "make_number_pairs": lambda: make_number_pairs(d["X"], d["y"], 10**12, n_digits=2,
                                                       strategy="random", random_state=0),
        "pair_indices": lambda: pair_indices(d["y"], 10**12, strategy="random",
                                             random_state=0),
        "PairSumTransformer.fit_resample": lambda: PairSumTransformer(
            10**12, random_state=0).fit_resample(d["X"], d["y"]),
    }


@pytest.mark.parametrize("name", ["make_digit_pairs", "make_number_pairs", "pair_indices",
                                  "PairSumTransformer.fit_resample"])
def test_too_many_pairs_for_the_memory_is_an_error_before_allocating(name, data):
    with pytest.raises(ValueError, match=r"n_pairs=1000000000000 needs [\d,]+ bytes for .*, "
                                         r"more than the [\d,]+ bytes of memory"):
        _huge_pairs(data)[name]()


def _seeded_draws(d, random_state):
    return {
        "make_digit_pairs": lambda: make_digit_pairs(d["X"], d["y"], 100,
                                                     random_state=random_state()).indices,
        "make_number_pairs": lambda: make_number_pairs(d["X"], d["y"], n_digits=2,
                                                       random_state=random_state()).indices,
        "pair_indices": lambda: pair_indices(d["y"], 100, random_state=random_state()),
    }


@pytest.mark.parametrize("name", ["make_digit_pairs", "make_number_pairs", "pair_indices"])
def test_random_state_takes_a_numpy_generator(name, data):
    """A Generator is a seed like a RandomState: the same seed, the same draw."""
    first = _seeded_draws(data, lambda: np.random.default_rng(0))[name]()
    again = _seeded_draws(data, lambda: np.random.default_rng(0))[name]()
    other = _seeded_draws(data, lambda: np.random.default_rng(1))[name]()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    with pytest.raises(ValueError, match=r"random_state must be None, an int .*numpy "
                                         r"Generator; got 'zero'"):
        _seeded_draws(data, lambda: "zero")[name]()


def test_random_state_generator_advances_as_it_draws(data):
    rng = np.random.default_rng(0)
    first = pair_indices(data["y"], 100, random_state=rng)
    second = pair_indices(data["y"], 100, random_state=rng)
    assert not np.array_equal(first, second)


def test_tune_where_every_trial_fails_raises_the_first_trials_error(data):
    pytest.importorskip("optuna")
    from optuna.distributions import FloatDistribution
    from sklearn.linear_model import LogisticRegression

    from sumdigits.tuning import tune

    X, y = np.asarray(data["X"], dtype=float) / 255, data["y"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the failed folds' FitFailedWarning
        with pytest.raises(ValueError, match=r"none of the 2 trials of the study completed "
                                             r"\(states: FAIL\).*first failed trial \(number 0, "
                                             r"parameters \{'C': -[\d.]+\}\) raised "
                                             r"InvalidParameterError") as info:
            tune(LogisticRegression(), X, y, param_distributions={
                "C": FloatDistribution(-2.0, -1.0)}, n_trials=2, cv=2, random_state=0)
    cause = info.value.__cause__  # the exception itself, chained
    assert isinstance(cause, ValueError) and "The 'C' parameter" in str(cause)


def test_tune_takes_a_numpy_generator(data):
    pytest.importorskip("optuna")
    from sklearn.linear_model import LogisticRegression

    from sumdigits.tuning import tune

    X, y = np.asarray(data["X"], dtype=float) / 255, data["y"]
    searches = [tune(LogisticRegression(max_iter=50), X, y, space=None, n_trials=2, cv=2,
                     random_state=np.random.default_rng(0)) for _ in range(2)]
    assert searches[0].best_params_ == searches[1].best_params_
