"""Bad input to every public function and estimator method is a clear error.

Each case calls one public callable with one defect in otherwise valid input
(wrong dimensions, wrong image size, no sample, NaN / inf / negative pixels,
labels or sums out of range, strings, mismatched lengths, a fitted estimator
given another number of features...) and asserts a ``ValueError`` or
``TypeError`` whose message names the argument and what was expected: nothing
is clipped, dropped or ignored silently. Fitted estimators are shared per
module; the Keras networks have a few units and train for one epoch.
"""

import gzip

import numpy as np
import pytest

from sumdigits import PairSumTransformer, load_mnist, make_digit_pairs, split_pairs
from sumdigits.pairs import pair_indices

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
    "1-D X": (lambda X, y: (np.asarray(X)[0], y), (ValueError,), r"\bX\b.*(2-D|3-D|dimensions|shape)"),
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
    "negative pixel": (lambda X, y: (_with(X, -1.0), y), (ValueError,), r"\bX\b.*negative"),
    "wrong image size": (lambda X, y: (np.asarray(X)[:, :100], y), (ValueError,),
                         r"\bX\b.*(features|pixels|image_shape)"),
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
# the pair estimators know their classes (sums 0..18, digits 0..9) and learn
# from one pair as from many.
GENERIC_Y_DEFECTS = {k: Y_DEFECTS[k] for k in ("mismatched lengths", "NaN label")}
FITTED_DEFECTS = {
    **{k: v for k, v in X_DEFECTS.items() if k != "empty X"},
    "empty X": (lambda X, y: (np.asarray(X)[:0], np.asarray(y)[:0]), (ValueError,),
                r"\bX\b.*(0 (image|sample|pair)|at least|empty)"),
    "other number of features": (lambda X, y: (np.asarray(X)[:, :100], y), (ValueError,),
                                 r"\bX\b.*(features|pixels|image_shape)"),
}


def _perceptron():
    from sumdigits.perceptron import StepDecayPerceptron
    return StepDecayPerceptron(max_iter=2, random_state=0)


def _hog():
    from sumdigits.features import HOGTransformer
    return HOGTransformer()


def _augmenter():
    from sumdigits.features import GaussianNoiseAugmenter
    return GaussianNoiseAugmenter(random_state=0)


def _sequential():
    from sklearn.linear_model import LogisticRegression

    from sumdigits.sequential import SequentialDigitSumClassifier
    return SequentialDigitSumClassifier(LogisticRegression(max_iter=50), max_iter=2)


def _fcnn():
    from sumdigits.keras import FCNNClassifier
    return FCNNClassifier(hidden_layer_sizes=[4], epochs=1, random_state=0)


def _cnn():
    from sumdigits.keras import CNNClassifier
    return CNNClassifier(filters=[2], dense_units=[4], epochs=1, random_state=0)


def _multitask():
    from sumdigits.keras import MultiTaskSumClassifier
    return MultiTaskSumClassifier(shared_units=[4], head_units=[], epochs=1, random_state=0)


def _neurosymbolic():
    from sumdigits.keras import NeuroSymbolicSumClassifier
    return NeuroSymbolicSumClassifier(filters=[2], dense_units=[4], epochs=1, random_state=0)


KERAS = {"FCNNClassifier", "CNNClassifier", "MultiTaskSumClassifier",
         "NeuroSymbolicSumClassifier"}
# name -> (factory, (X, y) data keys, fit defect tables, fitted methods taking X,
#          whether score takes y, fitted defect tables)
ESTIMATORS = {
    "StepDecayPerceptron": (_perceptron, ("X", "y"), [X_DEFECTS, GENERIC_Y_DEFECTS, FIT_DEFECTS],
                            ["predict", "decision_function", "score"]),
    "HOGTransformer": (_hog, ("X", "y"), [X_DEFECTS, PIXEL_DEFECTS], ["transform"]),
    "GaussianNoiseAugmenter": (_augmenter, ("X", "y"), [X_DEFECTS, GENERIC_Y_DEFECTS],
                               ["fit_resample"]),
    "SequentialDigitSumClassifier": (
        _sequential, ("X_pairs", "sums"),
        [X_DEFECTS, PIXEL_DEFECTS, Y_DEFECTS, SUM_DEFECTS],
        ["predict", "predict_proba", "predict_digits", "predict_digit_proba", "score"]),
    "FCNNClassifier": (_fcnn, ("X", "y"), [X_DEFECTS, GENERIC_Y_DEFECTS, FIT_DEFECTS],
                       ["predict", "predict_proba", "transform", "score"]),
    "CNNClassifier": (_cnn, ("X", "y"), [X_DEFECTS, GENERIC_Y_DEFECTS, FIT_DEFECTS],
                      ["predict", "predict_proba", "transform", "score"]),
    "MultiTaskSumClassifier": (
        _multitask, ("X_pairs", "digits"), [X_DEFECTS, Y_DEFECTS, DIGIT_DEFECTS],
        ["predict", "predict_proba", "predict_digits", "predict_digit_proba", "transform",
         "score"]),
    "NeuroSymbolicSumClassifier": (
        _neurosymbolic, ("X_pairs", "sums"),
        [X_DEFECTS, PIXEL_DEFECTS, Y_DEFECTS, SUM_DEFECTS],
        ["predict", "predict_proba", "transform", "score"]),
}


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
    method = "fit_resample" if name == "GaussianNoiseAugmenter" else "fit"
    _check(lambda d, X, y: getattr(est, method)(X, y), data, xy, table, defect)


@pytest.fixture(scope="module")
def fitted(data):
    cache = {}

    def get(name):
        if name not in cache:
            factory, (x, y), _, _ = ESTIMATORS[name]
            if name in KERAS:
                pytest.importorskip("keras")
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
