"""scikit-learn's estimator checks on every public estimator of sumdigits.

The estimators are found by :func:`sumdigits.utils.all_estimators`, as scikit-learn's
own ``test_common.py`` finds its own: a new public estimator is checked as soon as it
exists, and :func:`test_every_public_estimator_is_checked` fails until it has an entry
in ``TESTED_PARAMS`` (small, fast constructor parameters: networks of a few units
trained for one epoch). Every estimator runs the whole suite of
:func:`~sklearn.utils.estimator_checks.estimator_checks_generator`, with at most
``MAX_EXPECTED_FAILURES`` expected failures, each with its reason.

The checks feed feature vectors of a few features (2, 3, 10...), not images: the
estimators that take images get ``image_shape="vector"``, which takes each sample as
a plain feature vector (one row of pixels; a pair is the two halves of an even-length
vector).
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import estimator_checks_generator

from sumdigits.utils import all_estimators

pytestmark = pytest.mark.usefixtures("single_blas_thread")

MAX_EXPECTED_FAILURES = 3


def _optuna_search():
    from optuna.distributions import FloatDistribution

    return dict(estimator=LogisticRegression(),
                param_distributions={"C": FloatDistribution(0.1, 10.0, log=True)},
                n_trials=2, cv=2, random_state=0)


# Seeded, one epoch, a few units; run eagerly, as tracing a graph per fit costs more
# than these tiny fits.
_KERAS = dict(epochs=1, batch_size=32, random_state=0, run_eagerly=True)

#: Constructor parameters of each public estimator for the checks: a dict, or a
#: function returning one (to import optional dependencies only when needed).
TESTED_PARAMS = {
    "GaussianNoiseAugmenter": dict(random_state=0),
    "HOGTransformer": dict(image_shape="vector", pixels_per_cell=1, cells_per_block=1,
                           orientations=4),
    "OptunaSearchCV": _optuna_search,
    "PairSumTransformer": dict(n_pairs=20, strategy="random", image_shape="vector",
                               random_state=0),
    "SequentialDigitSumClassifier": lambda: dict(estimator=LogisticRegression(),
                                                 image_shape="vector"),
    "StepDecayPerceptron": dict(random_state=0),
    "FCNNClassifier": dict(hidden_layer_sizes=[8], **_KERAS),
    "CNNClassifier": dict(filters=[2], dense_units=[4], image_shape="vector", **_KERAS),
    "MultiTaskSumClassifier": dict(shared_units=[4], head_units=[], **_KERAS),
    "NeuroSymbolicSumClassifier": dict(filters=[2], dense_units=[4], image_shape="vector",
                                       batch_norm=False, shift_range=0.0, **_KERAS),
}

_SCIKERAS = {
    "check_estimator_tags_renamed": (
        "scikeras' BaseWrapper and KerasClassifier define _more_tags without "
        "__sklearn_tags__; ours is defined, but the check looks at every base class"),
    "check_mixin_order": (
        "scikeras' KerasClassifier puts ClassifierMixin after BaseEstimator, which no "
        "subclass can reorder; the classifier tags are set in __sklearn_tags__ instead"),
    "check_sample_weight_equivalence_on_dense_data": (
        "mini-batch training: weighting a sample is not the same as repeating it (the "
        "batches and the loss normalisation differ)"),
}

#: Checks known to fail, with the reason, per estimator; at most MAX_EXPECTED_FAILURES.
EXPECTED_FAILED_CHECKS = {
    "FCNNClassifier": _SCIKERAS,
    "CNNClassifier": _SCIKERAS,
    "MultiTaskSumClassifier": _SCIKERAS,
    "NeuroSymbolicSumClassifier": _SCIKERAS,
}


def _tested_params(name):
    params = TESTED_PARAMS[name]
    return params() if callable(params) else dict(params)


def _tested_estimators():
    for name, cls in all_estimators():
        if name in TESTED_PARAMS:
            yield cls(**_tested_params(name))


def _check_name(check):
    return getattr(check, "func", check).__name__


def _checks():
    for estimator in _tested_estimators():
        name = type(estimator).__name__
        for param in estimator_checks_generator(
            estimator, legacy=True, mark="xfail",
            expected_failed_checks=EXPECTED_FAILED_CHECKS.get(name, {}),
        ):
            # an expected failure comes as a pytest.param with an xfail mark
            est, check = param.values if hasattr(param, "values") else param
            yield pytest.param(est, check, marks=getattr(param, "marks", ()),
                               id=f"{name}-{_check_name(check)}")


def test_every_public_estimator_is_checked():
    names = {name for name, _ in all_estimators()}
    missing = sorted(names - set(TESTED_PARAMS))
    assert not missing, f"add check parameters to TESTED_PARAMS for {missing}"
    stale = sorted(set(TESTED_PARAMS) - names)
    assert not stale, f"TESTED_PARAMS names no public estimator: {stale}"


def test_expected_failures_are_few_and_explained():
    for name, failures in EXPECTED_FAILED_CHECKS.items():
        assert name in TESTED_PARAMS
        assert len(failures) <= MAX_EXPECTED_FAILURES, (name, sorted(failures))
        assert all(isinstance(r, str) and r.strip() for r in failures.values()), name


def test_vector_input_is_two_halves():
    # what the checks rely on: image_shape="vector" reads a pair as its two halves
    from sumdigits import split_pairs

    X = np.arange(12.0).reshape(2, 6)
    for layout in ("horizontal", "vertical"):
        first, second = split_pairs(X, layout=layout, image_shape="vector")
        np.testing.assert_array_equal(first, X[:, :3])
        np.testing.assert_array_equal(second, X[:, 3:])


@pytest.mark.parametrize("estimator, check", list(_checks()))
def test_sklearn_compatible_estimator(estimator, check):
    check(clone(estimator))
