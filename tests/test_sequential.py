"""SequentialDigitSumClassifier: digit labels or sums in, the distribution of the sum out."""

import itertools
import warnings

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_limits

from sumdigits import make_digit_pairs
from sumdigits._sums import sum_distribution
from sumdigits.sequential import SequentialDigitSumClassifier, sum_posterior

pytestmark = pytest.mark.usefixtures("single_blas_thread")


def digit_classifier():
    return make_pipeline(MinMaxScaler(), LogisticRegression(max_iter=300))


@pytest.fixture(scope="module")
def from_digits(small_pairs):
    train, _ = small_pairs
    with threadpool_limits(1):
        return SequentialDigitSumClassifier(digit_classifier()).fit(train.data, train.digits)


@pytest.fixture(scope="module")
def from_sums(small_pairs):
    train, _ = small_pairs
    with threadpool_limits(1):
        return SequentialDigitSumClassifier(digit_classifier(), max_iter=30).fit(
            train.data[:400], train.target[:400]
        )


def test_is_a_classifier_of_the_19_sums(from_digits):
    assert is_classifier(from_digits)
    assert from_digits.classes_.tolist() == list(range(19))
    assert from_digits.fit_mode_ == "digits"
    assert from_digits.digit_shape_ == (8, 8)  # inferred from 128 features


def test_predict_proba_is_the_convolution_of_the_digit_probabilities(from_digits, small_pairs):
    _, test = small_pairs
    proba = from_digits.predict_proba(test.data)
    digit_proba = from_digits.predict_digit_proba(test.data)
    assert proba.shape == (len(test.target), 19)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # naive reference: P(s) = sum over a + b = s of p[a] q[b], by loops
    for i in range(5):
        p, q = digit_proba[i]
        expected = np.zeros(19)
        for a, b in itertools.product(range(10), repeat=2):
            expected[a + b] += p[a] * q[b]
        np.testing.assert_allclose(proba[i], expected)
    np.testing.assert_array_equal(from_digits.predict(test.data), proba.argmax(axis=1))


def test_digit_probabilities_come_from_one_classifier_on_each_half(from_digits, small_pairs):
    train, test = small_pairs
    first, second = test.data.reshape(-1, 8, 2, 8).transpose(2, 0, 1, 3).reshape(2, -1, 64)
    reference = digit_classifier().fit(
        np.concatenate([train.data.reshape(-1, 8, 2, 8)[:, :, k].reshape(-1, 64)
                        for k in (0, 1)]),
        train.digits.T.ravel(),
    )
    digit_proba = from_digits.predict_digit_proba(test.data)
    np.testing.assert_allclose(digit_proba[:, 0], reference.predict_proba(first), atol=1e-8)
    np.testing.assert_allclose(digit_proba[:, 1], reference.predict_proba(second), atol=1e-8)


def test_digit_labels_give_accurate_sums(from_digits, small_pairs):
    _, test = small_pairs
    assert (from_digits.predict_digits(test.data) == test.digits).mean() > 0.9
    assert from_digits.score(test.data, test.target) > 0.85


def test_score_takes_digit_labels_or_sums(from_digits, small_pairs):
    _, test = small_pairs
    assert from_digits.score(test.data, test.digits) == from_digits.score(test.data, test.target)


def test_3d_pairs_and_flattened_pairs_agree(from_digits, small_pairs):
    train, test = small_pairs
    clf = clone(from_digits).fit(train.data.reshape(-1, 8, 16), train.digits)
    np.testing.assert_allclose(
        clf.predict_proba(test.data.reshape(-1, 8, 16)), from_digits.predict_proba(test.data)
    )


def test_vertical_layout(small_digits):
    (X, y), (X_test, y_test) = small_digits
    train = make_digit_pairs(X.reshape(-1, 8, 8), y, 300, layout="vertical", random_state=0)
    test = make_digit_pairs(X_test.reshape(-1, 8, 8), y_test, 200, layout="vertical",
                            random_state=0)
    clf = SequentialDigitSumClassifier(digit_classifier(), layout="vertical")
    clf.fit(train.data, train.digits)
    assert (clf.predict_digits(test.data) == test.digits).mean() > 0.85


def test_mnist_pairs_with_the_default_logistic_regression(mnist_pairs):
    train, test = mnist_pairs
    clf = SequentialDigitSumClassifier().fit(train.data, train.digits)
    assert clf.digit_shape_ == (28, 28)
    assert clf.score(test.data, test.target) > 0.6


def test_learns_digits_from_sums_alone_by_em(from_sums, small_pairs):
    _, test = small_pairs
    assert from_sums.fit_mode_ == "sums"
    assert from_sums.converged_
    assert from_sums.log_likelihood_.shape == (from_sums.n_iter_,)
    # EM climbs: from the sums-only start (about log 1/19 per pair) to near certainty
    assert from_sums.log_likelihood_[0] < -1.5
    assert from_sums.log_likelihood_[-1] > -0.5
    assert np.all(np.diff(from_sums.log_likelihood_) > -0.01)
    assert (from_sums.predict_digits(test.data) == test.digits).mean() > 0.8
    assert from_sums.score(test.data, test.target) > 0.7


def test_sum_posterior_matches_enumeration():
    rng = np.random.RandomState(0)
    p, q = rng.dirichlet(np.ones(10), size=(2, 6))
    sums = rng.randint(0, 19, size=6)
    first, second, likelihood = sum_posterior(p, q, sums)
    for i, s in enumerate(sums):
        joint = np.zeros((10, 10))
        for a, b in itertools.product(range(10), repeat=2):
            if a + b == s:
                joint[a, b] = p[i, a] * q[i, b]
        assert likelihood[i] == pytest.approx(joint.sum())
        np.testing.assert_allclose(first[i], joint.sum(axis=1) / joint.sum())
        np.testing.assert_allclose(second[i], joint.sum(axis=0) / joint.sum())


def test_sums_0_and_18_fix_both_digits():
    uniform = np.full((2, 10), 0.1)
    first, second, _ = sum_posterior(uniform, uniform, [0, 18])
    np.testing.assert_array_equal(first, np.eye(10)[[0, 9]])
    np.testing.assert_array_equal(second, np.eye(10)[[0, 9]])


def test_em_warns_when_it_runs_out_of_iterations(small_pairs):
    train, _ = small_pairs
    clf = SequentialDigitSumClassifier(GaussianNB(), max_iter=1)
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        clf.fit(train.data[:200], train.target[:200])
    assert clf.n_iter_ == 1 and not clf.converged_


def test_zero_sample_weight_is_leaving_the_pair_out(small_pairs):
    # A pair of weight 0 adds nothing to the penalised log-likelihood, so both fits minimise
    # the same strictly convex objective and share its one optimum. The property holds
    # for converged fits only: Newton's method on pixels scaled to [0, 1] converges in a
    # few iterations (asserted), to a gradient below tol in the max-norm. scikit-learn's
    # objective is F(w) = sum(s_i l_i(w)) / S + |w|^2 / (2 C S), S the total weight, so F is
    # 1/(C S)-strongly convex and each fit lies within sqrt(n_params) * tol * C * S of the
    # optimum; a logit moves by at most that times |(x, 1)| and a probability by at most
    # the largest logit change. A sum probability adds 10 products of two digit
    # probabilities: at most 20 times the digit bound.
    train, test = small_pairs
    X, X_test = train.data[:300] / 16.0, test.data[:50] / 16.0  # 8 x 8 pixels are 0..16
    weight = np.ones(300)
    weight[200:] = 0
    tol, C, max_iter = 1e-10, 1.0, 100
    est = LogisticRegression(solver="newton-cholesky", tol=tol, C=C, max_iter=max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        weighted = SequentialDigitSumClassifier(est).fit(
            X, train.digits[:300], sample_weight=weight)
        subset = SequentialDigitSumClassifier(est).fit(X[:200], train.digits[:200])
    for fitted in (weighted, subset):
        assert fitted.estimator_.n_iter_.max() < max_iter
    n_params = subset.estimator_.coef_.size + subset.estimator_.intercept_.size
    total_weight = 2 * 200  # two digits per pair of weight 1
    x_norm = np.sqrt(64 + 1)  # |(x, 1)| for 64 pixels in [0, 1]
    digit_bound = 2 * np.sqrt(n_params) * tol * C * total_weight * x_norm
    np.testing.assert_allclose(weighted.predict_digit_proba(X_test),
                               subset.predict_digit_proba(X_test), rtol=0, atol=digit_bound)
    np.testing.assert_allclose(weighted.predict_proba(X_test), subset.predict_proba(X_test),
                               rtol=0, atol=20 * digit_bound)


def test_digits_missing_from_training_get_probability_zero(small_pairs):
    train, test = small_pairs
    keep = (train.digits < 9).all(axis=1)
    clf = SequentialDigitSumClassifier(GaussianNB()).fit(train.data[keep], train.digits[keep])
    digit_proba = clf.predict_digit_proba(test.data)
    assert digit_proba.shape == (len(test.target), 2, 10)
    assert np.all(digit_proba[:, :, 9] == 0)
    # classes_ are the sums seen in fit: 17 and 18 need a 9
    assert clf.classes_.tolist() == list(range(17))
    proba = clf.predict_proba(test.data)
    assert proba.shape == (len(test.target), 17)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_predict_proba_of_sums_seen_in_fit_is_conditioned_on_them(small_pairs):
    train, test = small_pairs
    keep = np.isin(train.target, [3, 9, 10])
    clf = SequentialDigitSumClassifier(GaussianNB()).fit(train.data[keep], train.digits[keep])
    assert clf.classes_.tolist() == [3, 9, 10]
    digit_proba = np.maximum(clf.predict_digit_proba(test.data), 1e-9)
    full = sum_distribution(digit_proba[:, 0], digit_proba[:, 1])[:, [3, 9, 10]]
    np.testing.assert_allclose(clf.predict_proba(test.data),
                               full / full.sum(axis=1, keepdims=True), rtol=1e-12)
    assert set(clf.predict(test.data)) <= {3, 9, 10}


def test_grid_search_over_the_digit_classifier(small_pairs):
    train, _ = small_pairs
    search = GridSearchCV(
        SequentialDigitSumClassifier(digit_classifier()),
        {"estimator__logisticregression__C": [0.01, 1.0]},
        cv=2,
    ).fit(train.data[:300], train.digits[:300])
    assert search.best_params_["estimator__logisticregression__C"] in (0.01, 1.0)
    scores = cross_val_score(SequentialDigitSumClassifier(GaussianNB()), train.data[:300],
                             train.digits[:300], cv=3)
    assert scores.shape == (3,) and scores.min() > 0.3


@pytest.mark.parametrize(
    "y, message",
    [
        (np.zeros((10, 3), dtype=int), r"shape \(n_samples, 2\), or their sums"),
        (np.full(10, 19), r"sums in 0..18"),
        (np.full((10, 2), 10), r"digit labels in 0..9"),
        (np.zeros(9, dtype=int), "inconsistent numbers of samples"),
    ],
)
def test_bad_labels_are_rejected(y, message):
    X = np.zeros((10, 128))
    with pytest.raises(ValueError, match=message):
        SequentialDigitSumClassifier().fit(X, y)


def test_bad_pairs_are_rejected(from_digits):
    with pytest.raises(ValueError, match="digit_shape"):
        SequentialDigitSumClassifier().fit(np.zeros((4, 100)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match=r"X contains NaN"):
        SequentialDigitSumClassifier().fit(np.full((4, 128), np.nan), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="features"):
        from_digits.predict(np.zeros((2, 1568)))
    with pytest.raises(InvalidParameterError, match="estimator"):
        SequentialDigitSumClassifier(object()).fit(np.zeros((4, 128)), np.zeros(4, dtype=int))
    with pytest.raises(NotFittedError):
        SequentialDigitSumClassifier().predict(np.zeros((2, 128)))


# ------------------------------------------------------ what fit learns from
def test_target_auto_decides_by_the_shape_of_y_and_says_so(small_pairs, capsys):
    train, _ = small_pairs
    X, digits, sums = train.data[:200], train.digits[:200], train.target[:200]
    clf = SequentialDigitSumClassifier(GaussianNB(), max_iter=2, verbose=1)
    assert clf.fit(X, digits).fit_mode_ == "digits"
    assert "target='auto' and y has shape (200, 2): learning the digits from the digit " \
           "labels" in capsys.readouterr().out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert clf.fit(X, sums).fit_mode_ == "sums"
    out = capsys.readouterr().out
    assert "target='auto' and y has shape (200,): learning the digits from the sums alone " \
           "by EM" in out
    # per-iteration progress: one line per EM iteration
    assert [line.split(":")[0] for line in out.splitlines()[1:]] == [
        f"EM iteration {i}/2" for i in range(1, clf.n_iter_ + 1)]


def test_target_digits_refuses_sums_and_target_sums_takes_digit_labels(small_pairs):
    train, _ = small_pairs
    X, digits, sums = train.data[:200], train.digits[:200], train.target[:200]
    with pytest.raises(ValueError, match=r"y must hold the two digit labels.*target='digits'.*"
                                         r"\(200,\)"):
        SequentialDigitSumClassifier(GaussianNB(), target="digits").fit(X, sums)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        from_labels = SequentialDigitSumClassifier(GaussianNB(), target="sums",
                                                   max_iter=3).fit(X, digits)
        from_sums = SequentialDigitSumClassifier(GaussianNB(), max_iter=3).fit(X, sums)
    assert from_labels.fit_mode_ == "sums"
    np.testing.assert_array_equal(from_labels.log_likelihood_, from_sums.log_likelihood_)
    with pytest.raises(InvalidParameterError, match="target"):
        SequentialDigitSumClassifier(target="labels").fit(X, digits)


def test_em_warm_starts_in_few_passes_and_gives_the_parameters_back(small_pairs, monkeypatch):
    """Each M-step of a warm-startable classifier continues from the last one, capped at
    m_step_max_iter passes; estimator_ ends with the parameters it was given."""
    train, _ = small_pairs
    seen = []
    fit = LogisticRegression.fit

    def recording_fit(self, X, y, sample_weight=None):
        seen.append((self.warm_start, self.max_iter, hasattr(self, "coef_")))
        return fit(self, X, y, sample_weight=sample_weight)

    monkeypatch.setattr(LogisticRegression, "fit", recording_fit)
    clf = SequentialDigitSumClassifier(digit_classifier(), max_iter=4, m_step_max_iter=7,
                                       tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(train.data[:300], train.target[:300])
    assert seen == [(True, 7, False)] + [(True, 7, True)] * 3
    last = clf.estimator_.steps[-1][1]
    assert (last.warm_start, last.max_iter) == (False, 300)


@pytest.mark.parametrize("estimator, expected", [
    (LogisticRegression(max_iter=300), {"warm_start": True, "max_iter": 10}),
    (LogisticRegression(max_iter=5), {"warm_start": True, "max_iter": 5}),
    (make_pipeline(MinMaxScaler(), LogisticRegression()),
     {"logisticregression__warm_start": True, "logisticregression__max_iter": 10}),
    (GaussianNB(), {}),
    (RandomForestClassifier(), {}),  # warm_start adds trees: refitted from scratch
])
def test_which_classifiers_em_warm_starts(estimator, expected):
    from sumdigits.sequential import _m_step_params

    assert _m_step_params(estimator, 10) == expected


# ------------------------------------------------------- pixels and spellings
def test_standardised_pairs_in_a_pipeline(small_pairs):
    train, test = small_pairs
    pipe = make_pipeline(StandardScaler(), SequentialDigitSumClassifier(digit_classifier()))
    pipe.fit(train.data, train.digits)
    assert pipe.score(test.data, test.target) > 0.7


def test_pairs_in_any_spelling_give_the_same_predictions(from_digits, small_pairs):
    _, test = small_pairs
    flat = test.data
    assert from_digits.n_features_in_ == 128
    expected = from_digits.predict_proba(flat)
    for spelling in (flat.reshape(-1, 8, 16), flat.reshape(-1, 8, 16, 1)):
        np.testing.assert_array_equal(from_digits.predict_proba(spelling), expected)
    with pytest.raises(ValueError, match=r"X has samples of shape \(16, 8\).*\(8, 16\)"):
        from_digits.predict(flat.reshape(-1, 16, 8))


def test_a_vector_split_of_image_pairs_warns(small_pairs):
    train, _ = small_pairs
    X, digits = train.data[:100], train.digits[:100]
    with pytest.warns(UserWarning, match=r"digit_shape='vector' cuts each sample of X \(128 "
                                         r"features\).*8 x 8 image.*tops and bottoms"):
        SequentialDigitSumClassifier(GaussianNB(), digit_shape="vector").fit(X, digits)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # stacked pairs split in halves, plain vectors
        SequentialDigitSumClassifier(GaussianNB(), digit_shape="vector",
                                     layout="vertical").fit(X, digits)
        SequentialDigitSumClassifier(GaussianNB(), digit_shape="vector").fit(X[:, :10], digits)


def test_single_digits_are_not_pairs(small_digits):
    (X, y), _ = small_digits
    with pytest.raises(ValueError, match=r"X has images of shape \(8, 8\) \(single digit "
                                         r"images.*8 x 4"):
        SequentialDigitSumClassifier().fit(X[:20].reshape(-1, 8, 8), np.c_[y[:20], y[:20]])
