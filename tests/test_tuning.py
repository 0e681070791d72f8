"""Tests of sumdigits.tuning: search spaces, tune, the study store, pruning, and the
known issues of OptunaSearchCV (warnings, tags, pandas)."""

import importlib.metadata
import re
import warnings

import numpy as np
import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState
from sklearn.datasets import load_digits
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.ensemble import AdaBoostClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, ShuffleSplit, StratifiedShuffleSplit
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import get_tags
from sklearn.utils._param_validation import InvalidParameterError

from sumdigits import load_mnist, make_digit_pairs
from sumdigits.sequential import SequentialDigitSumClassifier
from sumdigits.perceptron import StepDecayPerceptron
from sumdigits.tuning import OptunaSearchCV, available_spaces, search_space, tune
from sumdigits.tuning._spaces import _layer_lists, non_storable_params


@pytest.fixture(scope="module")
def pairs():
    """300 training pairs and 200 test pairs, flattened, from separate MNIST splits."""
    (X, y), (X_test, y_test) = load_mnist("embedded")
    train = make_digit_pairs(X.reshape(len(X), -1), y, 300, random_state=0)
    test = make_digit_pairs(X_test.reshape(len(X_test), -1), y_test, 200, random_state=1)
    return train.data, train.target, test.data, test.target


def _svc_pipeline():
    return Pipeline([("scale", MinMaxScaler()), ("svc", SVC(kernel="poly"))])


def _sklearn_estimators():
    return [
        SVC(kernel="poly"),
        SVC(),
        SVC(kernel="linear"),
        RandomForestClassifier(),
        AdaBoostClassifier(DecisionTreeClassifier(max_depth=1)),
        LogisticRegression(),
        StepDecayPerceptron(),
        StepDecayPerceptron(learning_rate="invscaling"),
        _svc_pipeline(),
        SequentialDigitSumClassifier(LogisticRegression()),
        SequentialDigitSumClassifier(make_pipeline(MinMaxScaler(), LogisticRegression())),
    ]


def _sample(space, seed=0):
    """One random point of ``space``."""
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    return study.ask(fixed_distributions=space).params


def _check_settable(estimator, space):
    """Every key is a parameter, and sampled values pass the estimators' validation."""
    assert set(space) <= set(estimator.get_params(deep=True))
    for seed in range(3):
        est = clone(estimator).set_params(**_sample(space, seed))
        parts = [est] + [v for v in est.get_params(deep=True).values()
                         if isinstance(v, BaseEstimator)]
        for part in parts:
            if hasattr(part, "_validate_params"):
                part._validate_params()


# -- search spaces -------------------------------------------------------------------


@pytest.mark.parametrize("estimator", _sklearn_estimators(), ids=lambda e: repr(e)[:60])
def test_search_space_keys_are_settable_parameters(estimator):
    _check_settable(estimator, search_space(estimator))


def test_perceptron_space_holds_report002_and_follows_the_schedule():
    space = search_space(StepDecayPerceptron())
    assert set(space) == {"eta0", "decay", "step_size"}
    assert space["eta0"]._contains(1.0) and space["decay"]._contains(0.1)
    assert space["step_size"]._contains(100)
    assert set(search_space(StepDecayPerceptron(learning_rate="constant"))) == {"eta0"}


def test_search_space_follows_the_svc_kernel():
    assert set(search_space(SVC(kernel="poly"))) == {"C", "gamma", "degree"}
    assert set(search_space(SVC(kernel="rbf"))) == {"C", "gamma"}
    assert set(search_space(SVC(kernel="linear"))) == {"C"}


def test_search_space_report000_ranges_hold_the_reported_best():
    # SVC degree 3, gamma 21.8, C 1.61; forest depth 591, 249 trees, gini, sqrt; 53 stumps
    svc = search_space(SVC(kernel="poly"))
    assert all(svc[k]._contains(svc[k].to_internal_repr(v))
               for k, v in {"C": 1.61, "gamma": 21.8, "degree": 3}.items())
    forest = search_space(RandomForestClassifier())
    assert forest["max_depth"]._contains(591) and forest["n_estimators"]._contains(249)
    assert "gini" in forest["criterion"].choices and "sqrt" in forest["max_features"].choices
    assert search_space(AdaBoostClassifier())["n_estimators"]._contains(53)


def test_search_space_nested_names():
    assert set(search_space(_svc_pipeline())) == {"svc__C", "svc__gamma", "svc__degree"}
    assert set(search_space(SequentialDigitSumClassifier(LogisticRegression()))) == {
        "estimator__C"}
    nested = SequentialDigitSumClassifier(make_pipeline(MinMaxScaler(), LogisticRegression()))
    assert set(search_space(nested)) == {"estimator__logisticregression__C"}


def test_search_space_errors():
    with pytest.raises(TypeError, match="no search space is known for KNeighborsClassifier"):
        search_space(KNeighborsClassifier())
    with pytest.raises(TypeError, match="no search space.*Pipeline"):
        search_space(make_pipeline(MinMaxScaler(), KNeighborsClassifier()))
    with pytest.raises(ValueError, match=r"SVC has no search space 'report001'.*report000"):
        search_space(SVC(), space="report001")
    with pytest.raises(TypeError, match="estimator must be a scikit-learn estimator"):
        search_space("SVC")
    assert "sklearn.svm.SVC" in available_spaces()


# -- tune: search, seeds, errors -----------------------------------------------------


@pytest.fixture(scope="module")
def svc_search(pairs):
    X, y, _, _ = pairs
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search = tune(_svc_pipeline(), X, y, n_trials=3, cv=2, random_state=0)
    return search, caught


def test_tune_pipeline_returns_fitted_search(svc_search, pairs):
    search, _ = svc_search
    _, _, X_test, y_test = pairs
    assert isinstance(search, OptunaSearchCV)
    assert set(search.best_params_) == {"svc__C", "svc__gamma", "svc__degree"}
    assert len(search.trials_) == 3
    assert isinstance(search.best_estimator_, Pipeline)
    assert search.best_estimator_.get_params()["svc__C"] == search.best_params_["svc__C"]
    assert search.predict(X_test).shape == (len(X_test),)
    assert search.score(X_test, y_test) > 2 / 19  # chance is about 1/10 for the mode


def test_tune_sequential_meta_estimator():
    # 8 x 8 digits keep the digit classifier's fits fast
    X, y = load_digits(return_X_y=True)
    train = make_digit_pairs(X[:900], y[:900], 200, digit_shape=(8, 8), random_state=0)
    test = make_digit_pairs(X[900:], y[900:], 200, digit_shape=(8, 8), random_state=0)
    sequential = SequentialDigitSumClassifier(
        make_pipeline(MinMaxScaler(), LogisticRegression(max_iter=200)))
    # digit labels (n, 2): a plain KFold, as stratification needs one label per sample
    search = tune(sequential, train.data, train.digits, n_trials=2, cv=KFold(2),
                  random_state=0)
    assert set(search.best_params_) == {"estimator__logisticregression__C"}
    fitted_c = search.best_estimator_.estimator_[-1].C
    assert fitted_c == search.best_params_["estimator__logisticregression__C"]
    assert search.score(test.data, test.target) > 0.3


def test_tune_same_seed_same_search(pairs):
    X, y, _, _ = pairs
    runs = [tune(SVC(kernel="linear"), X, y, n_trials=3, cv=2, random_state=seed,
                 refit=False) for seed in (7, 7, 8)]
    params = [[t.params for t in run.trials_] for run in runs]
    assert params[0] == params[1]
    assert params[0] != params[2]


def test_tune_rejects_bad_arguments(pairs):
    X, y, _, _ = pairs
    with pytest.raises(ValueError, match=r"not parameters of SVC: \['svc__C'\]"):
        tune(SVC(), X, y, param_distributions={"svc__C": FloatDistribution(0.1, 1.0)})
    with pytest.raises(InvalidParameterError, match="n_trials"):
        tune(SVC(), X, y, n_trials=0)
    with pytest.raises(InvalidParameterError, match="pruner"):
        tune(SVC(), X, y, pruner="median")
    with pytest.raises(ValueError, match="partial_fit, which SVC does not have"):
        tune(SVC(), X, y, pruner=optuna.pruners.MedianPruner())


def test_progress_bar(pairs, capsys):
    X, y, _, _ = pairs
    tune(SVC(kernel="linear"), X, y, n_trials=2, cv=2, random_state=0,
         refit=False, show_progress_bar=True)
    err = capsys.readouterr().err
    assert "trials" in err and "2/2" in err and "best=" in err


# -- a real study store --------------------------------------------------------------


def test_sqlite_study_is_created_and_continued(pairs, tmp_path):
    X, y, _, _ = pairs
    path = tmp_path / "studies" / "svc.db"  # the folder does not exist yet
    first = tune(SVC(kernel="linear"), X, y, n_trials=2, cv=2, storage=path,
                 random_state=0)
    assert path.is_file()
    first_params = [t.params for t in first.trials_]  # read now: trials_ reads the file
    second = tune(SVC(kernel="linear"), X, y, n_trials=2, cv=2, storage=path,
                  random_state=0)
    assert len(second.trials_) == 4
    assert [t.number for t in second.trials_] == [0, 1, 2, 3]
    # the continued study does not draw the first run's points again
    assert [t.params for t in second.trials_[:2]] == first_params
    assert second.trials_[2].params not in first_params
    # the best of all four trials is refitted
    best = max(second.trials_, key=lambda t: t.value)
    assert second.best_params_ == best.params
    assert second.best_estimator_.C == best.params["C"]
    # the file holds one study with the default name, readable by optuna itself
    stored = optuna.load_study(study_name="sumdigits-SVC", storage=f"sqlite:///{path}")
    assert len(stored.trials) == 4


def test_sqlite_url_and_study_name(pairs, tmp_path):
    X, y, _, _ = pairs
    url = f"sqlite:///{tmp_path / 'new' / 'study.db'}"
    for _ in range(2):
        search = tune(SVC(kernel="linear"), X, y, n_trials=1, cv=2, storage=url,
                      study_name="mine", random_state=0, refit=False)
    assert (tmp_path / "new" / "study.db").is_file()
    assert search.study_.study_name == "mine" and len(search.trials_) == 2


def test_storage_refuses_list_choices(pairs, tmp_path):
    X, y, _, _ = pairs
    with warnings.catch_warnings():  # optuna warns of tuple choices too
        warnings.simplefilter("ignore", UserWarning)
        space = {"hidden_layer_sizes": optuna.distributions.CategoricalDistribution(
            [(8,), (8, 4)])}
    with pytest.raises(ValueError, match=r"\['hidden_layer_sizes'\] have others"):
        tune(MLPClassifier(), X, y, param_distributions=space, storage=tmp_path / "x.db")
    assert not (tmp_path / "x.db").exists()


# -- known issues of OptunaSearchCV --------------------------------------------------


def test_no_warning_the_user_cannot_act_on(svc_search):
    _, caught = svc_search
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []


def test_single_validation_split_does_not_warn(pairs):
    X, y, _, _ = pairs
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search = tune(SVC(kernel="linear"), X, y, n_trials=1, refit=False,
                      cv=ShuffleSplit(n_splits=1, test_size=0.3, random_state=0))
    assert "split0_test_score" in search.trials_[0].user_attrs


def test_construction_and_clone_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search = OptunaSearchCV(SVC(), {"C": FloatDistribution(0.1, 1.0)})
        clone(search)


def test_only_the_known_warnings_are_filtered(pairs):
    """A warning from the estimator itself still reaches the user."""
    X, y, _, _ = pairs
    with pytest.warns(Warning):  # LogisticRegression does not converge in 1 iteration
        tune(LogisticRegression(max_iter=1), X, y, n_trials=1, cv=2, refit=False)


def test_search_presents_itself_as_the_estimator_it_searches(svc_search):
    search, _ = svc_search
    assert is_classifier(search)
    assert get_tags(search).estimator_type == "classifier"
    assert get_tags(search).non_deterministic
    from sklearn.linear_model import Ridge
    assert not is_classifier(OptunaSearchCV(Ridge(), {"alpha": FloatDistribution(0.1, 1.0)}))


def test_pandas_path_works_and_is_declared(svc_search):
    search, _ = svc_search
    frame = search.trials_dataframe()
    assert len(frame) == 3 and "params_svc__C" in frame.columns
    requires = importlib.metadata.requires("sumdigits") or []
    declared = {re.split(r"[ ;<>=!~\[]", r, maxsplit=1)[0].lower() for r in requires
                if "extra ==" not in r}
    assert {"optuna", "optuna-integration", "pandas", "tqdm"} <= declared


# -- the Keras estimators: pruning per epoch -----------------------------------------

keras_estimators = pytest.importorskip("sumdigits.keras.estimators")
import keras  # noqa: E402  (installed with the Keras estimators)
FCNNClassifier = keras_estimators.FCNNClassifier
CNNClassifier = keras_estimators.CNNClassifier
HOLDOUT = StratifiedShuffleSplit(n_splits=1, test_size=0.3, random_state=0)


@pytest.mark.parametrize("estimator, space", [
    (FCNNClassifier(), "report000"),
    (FCNNClassifier(hidden_layer_sizes=[32]), "report001"),
    (CNNClassifier(), None),
    (make_pipeline(MinMaxScaler(), FCNNClassifier()), "report000"),
    (SequentialDigitSumClassifier(FCNNClassifier()), "report001"),
])
def test_keras_search_space_keys_are_settable_parameters(estimator, space):
    _check_settable(estimator, search_space(estimator, space=space))


def test_fcnn_spaces_follow_the_reports():
    r000 = search_space(FCNNClassifier(hidden_layer_sizes=[8]))  # default: report 000
    assert r000["hidden_layer_sizes"].choices == (None,)  # the 64 * 2**k pyramid
    assert r000["batch_norm"].choices == (True,)
    assert r000["n_hidden_layers"]._contains(6) and r000["batch_size"]._contains(69)
    assert r000["learning_rate_init"]._contains(0.000236) and r000["l2"]._contains(0.000189)
    r001 = search_space(FCNNClassifier(), space="report001")
    # layer lists as strings, which the estimators take and an Optuna storage keeps
    assert r001["hidden_layer_sizes"].choices == (
        "128-64", "256-128", "512-256-128", "512-256-128-64")
    assert non_storable_params(r001) == []
    assert r001["batch_size"].choices == (32, 64, 128)
    assert set(search_space(make_pipeline(MinMaxScaler(), FCNNClassifier()))) == {
        f"fcnnclassifier__{k}" for k in r000}


@pytest.fixture(scope="module")
def fcnn_search(pairs):
    X, y, _, _ = pairs
    # one validation split, as the reports used, keeps the fits few
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search = tune(FCNNClassifier(epochs=2, random_state=0), X, y, n_trials=2, cv=HOLDOUT,
                      random_state=0)
    return search, caught


@pytest.mark.slow
def test_keras_search_reports_every_epoch(fcnn_search, pairs):
    fcnn_search, caught = fcnn_search
    _, _, X_test, y_test = pairs
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
    assert [sorted(t.intermediate_values) for t in fcnn_search.trials_] == [[0, 1], [0, 1]]
    assert all(t.state == TrialState.COMPLETE for t in fcnn_search.trials_)
    assert isinstance(fcnn_search.study_.pruner, optuna.pruners.MedianPruner)
    best = fcnn_search.best_estimator_
    assert best.n_hidden_layers == fcnn_search.best_params_["n_hidden_layers"]
    assert best.batch_norm and best.n_iter_ == 2
    assert is_classifier(fcnn_search)
    assert fcnn_search.predict_proba(X_test).shape == (len(X_test), 19)


def test_keras_unpromising_trials_are_stopped(pairs):
    X, y, _, _ = pairs
    # every trial is below this threshold after its first epoch: all stop there
    search = tune(FCNNClassifier(epochs=3, random_state=0), X, y, n_trials=2, cv=HOLDOUT,
                  pruner=optuna.pruners.ThresholdPruner(lower=1.0), refit=False,
                  random_state=0, param_distributions={
                      "learning_rate_init": FloatDistribution(1e-4, 1e-2, log=True)})
    assert [t.state for t in search.trials_] == [TrialState.PRUNED] * 2
    assert [len(t.intermediate_values) for t in search.trials_] == [1, 1]


def test_keras_pipeline_is_searched_without_pruning(pairs):
    X, y, _, _ = pairs
    pipe = make_pipeline(MinMaxScaler(), FCNNClassifier(epochs=1, hidden_layer_sizes=[16],
                                                         random_state=0))
    search = tune(pipe, X, y, n_trials=2, cv=HOLDOUT, random_state=0, refit=False,
                  param_distributions={
                      "fcnnclassifier__learning_rate_init": FloatDistribution(1e-4, 1e-2, log=True)})
    assert [t.state for t in search.trials_] == [TrialState.COMPLETE] * 2
    assert all(not t.intermediate_values for t in search.trials_)
    with pytest.raises(ValueError, match="a Pipeline has none"):
        tune(pipe, X, y, pruner=optuna.pruners.MedianPruner())


@pytest.mark.slow
def test_keras_layer_lists_study_is_stored_and_continued(pairs, tmp_path):
    # report 001's space holds lists of layer widths; as strings they go in the file
    X, y, _, _ = pairs
    path = tmp_path / "fcnn.db"
    space = search_space(FCNNClassifier(), space="report001")
    space["hidden_layer_sizes"] = _layer_lists([[16], [16, 8]])  # small networks for a test
    for _ in range(2):
        search = tune(FCNNClassifier(epochs=1, random_state=0), X, y, n_trials=1,
                      cv=HOLDOUT, storage=path, param_distributions=space, random_state=0)
    assert len(search.trials_) == 2
    widths = search.best_params_["hidden_layer_sizes"]
    assert widths in ("16", "16-8")
    dense = [layer.units for layer in search.best_estimator_.model_.layers
             if isinstance(layer, keras.layers.Dense) and layer.name != "output"]
    assert dense == [int(w) for w in widths.split("-")]


def test_search_offers_only_the_methods_of_its_estimator(small_digits):
    # as GridSearchCV does (available_if): an SVC without probabilities has no
    # predict_proba, a classifier no transform; the fitted search's methods are the
    # best estimator's
    (X, y), (X_test, _) = small_digits
    space = {"C": FloatDistribution(0.1, 10.0, log=True)}
    search = OptunaSearchCV(SVC(), space, n_trials=2, cv=2, random_state=0)
    assert not hasattr(search, "predict_proba") and not hasattr(search, "transform")
    assert hasattr(search, "predict") and hasattr(search, "decision_function")
    search.fit(X[:200], y[:200])
    np.testing.assert_array_equal(search.predict(X_test), search.best_estimator_.predict(X_test))
    assert hasattr(OptunaSearchCV(SVC(probability=True), space), "predict_proba")


# -- OptunaSearchCV follows scikit-learn's conventions -----------------------------


def _lr_search(**params):
    params = {"estimator": LogisticRegression(max_iter=500),
              "param_distributions": {"C": FloatDistribution(0.1, 10.0, log=True)},
              "n_trials": 2, "cv": 2, "random_state": 0, **params}
    return OptunaSearchCV(**params)


def test_constructor_stores_parameters_as_given():
    space = {"C": FloatDistribution(0.1, 10.0, log=True)}
    search = OptunaSearchCV(LogisticRegression(), space, n_jobs=None, max_iter=0,
                            subsample=7.5, catch="not exceptions")
    params = search.get_params(deep=False)
    assert params["n_jobs"] is None and params["param_distributions"] is space
    assert (params["max_iter"], params["subsample"], params["catch"]) == (
        0, 7.5, "not exceptions")
    cloned = clone(search).set_params(n_trials=-1)  # nothing validated before fit
    assert cloned.get_params(deep=False)["param_distributions"] == space
    assert cloned.n_trials == -1 and cloned.n_jobs is None


@pytest.mark.parametrize("params, error, match", [
    (dict(n_jobs=0), InvalidParameterError, "'n_jobs' parameter"),
    (dict(n_jobs=-2), InvalidParameterError, "'n_jobs' parameter"),
    (dict(max_iter=0), InvalidParameterError, "'max_iter' parameter"),
    (dict(subsample=1.5), InvalidParameterError, "'subsample' parameter"),
    (dict(subsample=500), ValueError, r"subsample=500 keeps 500 of the 100 samples"),
    (dict(subsample=0.001), ValueError, r"subsample=0.001 keeps 0 of the 100 samples"),
    (dict(catch=(ValueError, "x")), TypeError, "catch must be an exception class"),
    (dict(param_distributions=[("C", 1.0)]), InvalidParameterError,
     "'param_distributions' parameter"),
    (dict(param_distributions={"C": [0.1, 1.0]}), TypeError,
     r"param_distributions\['C'\] must be an optuna distribution"),
    (dict(param_distributions={"svc__C": FloatDistribution(0.1, 1.0)}), ValueError,
     r"not parameters of LogisticRegression: \['svc__C'\]"),
])
def test_fit_validates_the_parameters(small_digits, params, error, match):
    (X, y), _ = small_digits
    search = _lr_search(**params)  # no error yet
    with pytest.raises(error, match=match):
        search.fit(X[:100], y[:100])


def test_fit_refuses_deprecated_distributions(small_digits):
    (X, y), _ = small_digits
    with pytest.warns(FutureWarning):
        old = optuna.distributions.UniformDistribution(0.1, 1.0)
    with pytest.raises(ValueError, match=r"param_distributions\['C'\] is a deprecated "
                                         "UniformDistribution"):
        _lr_search(param_distributions={"C": old}).fit(X[:100], y[:100])


def test_fit_checks_the_lengths_of_y_and_groups(small_digits):
    (X, y), _ = small_digits
    with pytest.raises(ValueError, match="y has 99 labels but X has 100 samples"):
        _lr_search().fit(X[:100], y[:99])
    with pytest.raises(ValueError, match="groups has 3 labels but X has 100 samples"):
        _lr_search().fit(X[:100], y[:100], groups=[0, 1, 2])


def test_n_jobs_none_runs_trials_one_at_a_time(small_digits):
    import threading

    (X, y), _ = small_digits
    threads = []
    search = _lr_search(n_jobs=None, callbacks=[
        lambda study, trial: threads.append(threading.current_thread())])
    search.fit(X[:200], y[:200])
    assert threads == [threading.main_thread()] * 2  # optuna's sequential loop
    assert search.n_jobs is None and len(search.callbacks) == 1  # as given


@pytest.mark.usefixtures("single_blas_thread")  # the same sums in the same order
def test_array_likes_give_the_search_of_the_array(small_digits):
    (X, y), _ = small_digits
    X, y = X[:200], y[:200]
    on_array = _lr_search().fit(X, y)
    on_lists = _lr_search().fit(X.tolist(), y.tolist())
    assert on_lists.best_params_ == on_array.best_params_
    assert on_lists.best_score_ == on_array.best_score_
    assert on_lists.n_features_in_ == on_array.n_features_in_ == X.shape[1]


@pytest.mark.filterwarnings(
    "ignore:Constructing a DIA matrix:scipy.sparse.SparseEfficiencyWarning")
@pytest.mark.parametrize("fmt", ["coo", "dia", "csc"])
def test_sparse_input_follows_the_estimators_tags(small_digits, fmt):
    from scipy import sparse
    from sklearn.naive_bayes import GaussianNB

    (X, y), _ = small_digits
    X, y = X[:200], y[:200]
    X_sparse = sparse.csr_array(X).asformat(fmt)
    # LogisticRegression takes sparse input: the search runs on it, as on X
    on_sparse = _lr_search().fit(X_sparse, y)
    assert [t.params for t in on_sparse.trials_] == [
        t.params for t in _lr_search(refit=False).fit(X, y).trials_]
    assert on_sparse.predict(X_sparse).shape == (200,)
    # GaussianNB does not: refused before any trial, naming X
    nb = OptunaSearchCV(GaussianNB(), {"var_smoothing": FloatDistribution(1e-9, 1e-3)},
                        n_trials=1, cv=2)
    with pytest.raises(TypeError, match="Sparse data was passed for X"):
        nb.fit(X_sparse, y)
    assert not hasattr(nb, "study_")


def test_n_iter_counts_the_best_trials_training_passes(small_digits):
    from sklearn.linear_model import SGDClassifier

    (X, y), _ = small_digits
    X, y = X[:200], y[:200]
    space = {"alpha": FloatDistribution(1e-5, 1e-1, log=True)}
    pruned = OptunaSearchCV(SGDClassifier(random_state=0), space, enable_pruning=True,
                            max_iter=3, n_trials=2, cv=2, random_state=0).fit(X, y)
    assert pruned.n_iter_ == 3 == len(pruned.best_trial_.intermediate_values)
    assert _lr_search().fit(X, y).n_iter_ == 1  # one fit per fold


def test_n_features_in_is_the_best_estimators():
    search = _lr_search()
    assert not hasattr(search, "n_features_in_")
    X, y = load_digits(return_X_y=True, as_frame=True)
    search.fit(X[:200], y[:200])
    assert search.n_features_in_ == 64
    assert list(search.feature_names_in_) == list(X.columns)  # the frame reached it
    assert not hasattr(_lr_search(refit=False).fit(X[:200], y[:200]), "n_features_in_")
