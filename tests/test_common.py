"""scikit-learn's estimator checks on every estimator of sumdigits.

To add an estimator, append an instance to ``ESTIMATORS`` (and, if some checks cannot
pass, an entry to ``EXPECTED_FAILED_CHECKS`` with the reason for each). Keras
estimators belong here too, with small epochs: e.g.
``ESTIMATORS += [FCNNClassifier(epochs=1)]`` under ``pytest.importorskip("keras")``.
"""

import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from sumdigits.features import GaussianNoiseAugmenter, HOGTransformer
from sumdigits.perceptron import StepDecayPerceptron
from sumdigits.sequential import SequentialDigitSumClassifier

pytestmark = pytest.mark.usefixtures("single_blas_thread")

ESTIMATORS = [
    StepDecayPerceptron(),
    HOGTransformer(),
    GaussianNoiseAugmenter(),
    SequentialDigitSumClassifier(LogisticRegression()),
]

# Checks that feed generic data (a handful of features of blobs or iris) to an
# estimator that only takes images.
_GENERIC_DATA_CHECKS = [
    "check_dict_unchanged",
    "check_dont_overwrite_parameters",
    "check_estimators_dtypes",
    "check_estimators_nan_inf",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_fit2d_1feature",
    "check_fit2d_1sample",
    "check_fit2d_predict1d",
    "check_fit_score_takes_y",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_n_features_in_after_fitting",
    "check_pipeline_consistency",
    "check_positive_only_tag_during_fit",
]
_NEEDS_DIGITS = "needs 28 x 28 images (784 features); the check's data has a few features"
_NEEDS_PAIRS = ("needs pair images of square digits (2 * h * h features); the check's data "
                "has a few features")

EXPECTED_FAILED_CHECKS = {
    "HOGTransformer": {
        **dict.fromkeys(_GENERIC_DATA_CHECKS, _NEEDS_DIGITS),
        **dict.fromkeys(
            [
                "check_estimators_fit_returns_self",
                "check_estimators_overwrite_params",
                "check_fit_check_is_fitted",
                "check_fit_idempotent",
                "check_n_features_in",
                "check_readonly_memmap_input",
                "check_transformer_data_not_an_array",
                "check_transformer_general",
                "check_transformer_preserve_dtypes",
            ],
            _NEEDS_DIGITS,
        ),
        "check_dtype_object": "object arrays are not pixels; rejected with a TypeError first",
    },
    "SequentialDigitSumClassifier": {
        **dict.fromkeys(_GENERIC_DATA_CHECKS, _NEEDS_PAIRS),
        **dict.fromkeys(
            [
                "check_all_zero_sample_weights_error",
                "check_dtype_object",
                "check_non_transformer_estimators_n_iter",
                "check_sample_weight_equivalence_on_dense_data",
                "check_sample_weights_list",
                "check_supervised_y_2d",
            ],
            _NEEDS_PAIRS,
        ),
        "check_classifiers_train": (
            "classes_ are always the 19 sums, so predict_proba has 19 columns whatever "
            "sums y holds"
        ),
        "check_classifiers_classes": "y must be sums 0..18 or (n, 2) digits, not string labels",
        "check_classifiers_one_label": (
            "one sum still leaves several digit labels to learn; classes_ are the 19 sums"
        ),
        "check_classifiers_one_label_sample_weights": (
            "one sum still leaves several digit labels to learn; classes_ are the 19 sums"
        ),
        "check_classifiers_regression_target": (
            "continuous y is rejected as 'must hold whole numbers (sums)'"
        ),
    },
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
