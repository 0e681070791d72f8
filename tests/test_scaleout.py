"""Scaling out on real components: search workers sharing one Optuna study on a real
PostgreSQL server (started here, on a Unix socket) and on a journal file, and repeated
fits and cross-validation on a real Dask cluster of two worker processes.

Every process a test starts is stopped by its process id at the end, and every wait is
bounded.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import warnings

import numpy as np
import optuna
import pytest
from optuna.storages import RetryHeartbeatStaleTrialCallback
from optuna.trial import TrialState

from benchmarks._scaleout import (local_postgres, postgres_bindir, start_tune_worker,
                                  stop_pid, worker_env)
from sumdigits.model_selection import repeated_scores
from sumdigits.perceptron import StepDecayPerceptron
from sumdigits.tuning import open_storage, tune

WAIT = 300  # seconds: the most any worker or server start may take on a loaded machine


# -- a real PostgreSQL server and search workers ------------------------------------


@pytest.fixture(scope="module")
def postgres_url():
    """A PostgreSQL server of our own, on a Unix socket only, stopped at the end."""
    if postgres_bindir() is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found; on Debian: "
                    "apt-get install postgresql")
    with local_postgres(timeout=WAIT) as url:
        yield url


class Workers:
    """``sumdigits tune`` worker processes, each stopped by its pid at the end."""

    def __init__(self):
        self.started = []

    def start(self, approach, storage, study, *options):
        process = start_tune_worker(approach, storage, study, "--data", "embedded",
                                    "--n-test", "100", "--cv", "2", *options)
        self.started.append(process)
        return process

    def wait(self, process):
        output, _ = process.communicate(timeout=WAIT)
        assert process.returncode == 0, output
        return output

    def stop_all(self):
        for process in self.started:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
            process.communicate(timeout=60)


@pytest.fixture
def workers():
    pool = Workers()
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture(params=["postgresql", "journal"])
def shared_storage(request, tmp_path):
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return str(tmp_path / "studies" / "study.log")


def _finished(study):
    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED))


@pytest.mark.slow
def test_two_workers_share_one_study_and_the_parent_refits(shared_storage, workers,
                                                           small_pairs):
    study_name = f"two-workers-{os.getpid()}-{time.time_ns()}"
    # a study-wide budget of 16, at most 8 each: both must take part, and no trial is over
    processes = [workers.start("single-perceptron", shared_storage, study_name,
                               "--n-train", "400", "--max-trials", "16", "--n-trials", "8")
                 for _ in range(2)]
    for process in processes:
        workers.wait(process)

    study = optuna.load_study(study_name=study_name, storage=open_storage(shared_storage))
    trials = study.get_trials(deepcopy=False)
    assert len(trials) == 16 and len(_finished(study)) == 16
    assert sorted(t.number for t in trials) == list(range(16))
    params = [tuple(sorted(t.params.items())) for t in trials]
    assert len(set(params)) == 16  # distinct per-worker seeds: no configuration twice
    pids = [t.user_attrs["worker_pid"] for t in trials]
    assert sorted(set(pids)) == sorted(p.pid for p in processes)
    assert all(pids.count(p.pid) == 8 for p in processes)

    # the refit, once, by the parent: the budget is spent, so no trial runs
    train, _ = small_pairs
    search = tune(StepDecayPerceptron(random_state=0), train.data, train.target,
                  storage=shared_storage, study_name=study_name, max_trials=16, cv=2,
                  random_state=0)
    assert len(search.trials_) == 16
    assert search.best_params_ == study.best_params
    fitted = search.best_estimator_.get_params()
    assert {k: fitted[k] for k in study.best_params} == study.best_params
    assert search.best_estimator_.coef_.shape == (19, train.data.shape[1])


def _running(study, *, sampled=False):
    running = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    return [t for t in running if t.params] if sampled else running


@pytest.mark.slow
def test_killed_worker_trial_is_failed_by_heartbeat_and_retried(postgres_url, workers):
    study_name = f"killed-{os.getpid()}-{time.time_ns()}"
    options = ["--n-train", "600", "--max-trials", "4", "--heartbeat", "1"]
    first = workers.start("single-logreg", postgres_url, study_name, *options)
    storage = open_storage(postgres_url)
    deadline = time.monotonic() + WAIT
    killed = None
    while killed is None:
        assert time.monotonic() < deadline, "no trial of the first worker to kill"
        assert first.poll() is None, first.communicate()[0]
        time.sleep(0.1)
        with contextlib.suppress(KeyError):  # the worker has not created the study yet
            study = optuna.load_study(study_name=study_name, storage=storage)
            if _finished(study) and _running(study, sampled=True):
                # stopped, the worker cannot finish the trial between our look and the kill
                os.kill(first.pid, signal.SIGSTOP)
                running = _running(study, sampled=True)
                if running:
                    os.kill(first.pid, signal.SIGKILL)
                    killed = running[0]
                else:
                    os.kill(first.pid, signal.SIGCONT)
    first.communicate(timeout=60)
    finished_before = {t.number: t.params for t in _finished(study)}
    assert all(t.user_attrs["worker_pid"] == first.pid for t in _finished(study))

    time.sleep(2 * 1 + 1)  # past the grace period (2 heartbeats): the trial is stale
    second = workers.start("single-logreg", postgres_url, study_name, *options)
    workers.wait(second)

    study = optuna.load_study(study_name=study_name, storage=storage)
    trials = {t.number: t for t in study.get_trials(deepcopy=False)}
    assert trials[killed.number].state == TrialState.FAIL
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        retries = [t for t in trials.values()
                   if RetryHeartbeatStaleTrialCallback.retried_trial_number(t) == killed.number]
    assert len(retries) == 1
    retry = retries[0]
    assert retry.state == TrialState.COMPLETE and retry.params == killed.params
    assert retry.user_attrs["worker_pid"] == second.pid
    # no finished trial lost, and the budget reached
    assert all(trials[n].state == TrialState.COMPLETE and trials[n].params == p
               for n, p in finished_before.items())
    assert len(_finished(study)) == 4
    assert [t.number for t in _running(study)] == []


def test_sqlite_refuses_threads(small_pairs, tmp_path):
    train, _ = small_pairs
    with pytest.raises(ValueError, match="SQLite is for one process"):
        tune(StepDecayPerceptron(), train.data, train.target, n_trials=2,
             storage=tmp_path / "x.db", n_jobs=2)


def test_open_storage_kinds_and_errors(tmp_path):
    assert type(open_storage(tmp_path / "a" / "s.log")).__name__ == "JournalStorage"
    assert (tmp_path / "a").is_dir()
    assert open_storage(tmp_path / "s.db").url == f"sqlite:///{tmp_path / 's.db'}"
    with pytest.raises(TypeError, match="storage must be a str or path-like"):
        open_storage(3)
    with pytest.raises(ValueError, match="heartbeat_interval must be a positive int"):
        open_storage("postgresql://nowhere/db", heartbeat_interval=0)
    with pytest.raises(ValueError, match="sqlite:///path"):
        open_storage("sqlite://s.db")


def test_max_trials_is_a_study_wide_budget(small_pairs, tmp_path):
    train, _ = small_pairs
    path = tmp_path / "budget.log"
    kwargs = dict(storage=path, cv=2, refit=False, random_state=0)
    first = tune(StepDecayPerceptron(), train.data, train.target, n_trials=3, max_trials=5,
                 **kwargs)
    assert len(first.trials_) == 3
    second = tune(StepDecayPerceptron(), train.data, train.target, n_trials=None,
                  max_trials=5, **kwargs)
    assert len(second.trials_) == 5
    third = tune(StepDecayPerceptron(), train.data, train.target, max_trials=5, **kwargs)
    assert len(third.trials_) == 5  # spent: no trial runs
    assert {t.user_attrs["worker_pid"] for t in third.trials_} == {os.getpid()}


# -- a real Dask cluster ---------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_client():
    """A LocalCluster of two single-threaded worker processes on 127.0.0.1."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, env={"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                                     "TF_NUM_INTRAOP_THREADS": "1",
                                     "TF_NUM_INTEROP_THREADS": "1"})
    client = distributed.Client(cluster)
    pids = list(client.run(os.getpid).values())
    try:
        yield client
    finally:
        client.close()
        cluster.close()
        for pid in pids:
            stop_pid(pid)


@pytest.mark.slow
def test_repeated_scores_on_dask_equal_the_sequential_run(dask_client, small_pairs):
    import joblib
    from distributed import get_task_stream

    train, test = small_pairs
    args = (StepDecayPerceptron(max_iter=3000), train.data, train.target, test.data,
            test.target)
    kwargs = dict(seeds=[3, 1, 4, 5], scoring=["accuracy", "f1_macro"])
    sequential = repeated_scores(*args, **kwargs)
    with joblib.parallel_config("dask"), get_task_stream(dask_client) as tasks:
        on_dask = repeated_scores(*args, n_jobs=-1, **kwargs)
    assert tasks.data  # the fits ran on the cluster
    np.testing.assert_array_equal(on_dask.seeds, sequential.seeds)
    for name in ("accuracy", "f1_macro"):
        np.testing.assert_array_equal(on_dask.scores[name], sequential.scores[name])
        assert on_dask.mean[name] == sequential.mean[name]
    # the seeds matter: not every fit is the same
    assert len(set(sequential.scores["accuracy"])) > 1


@pytest.mark.slow
def test_seeded_keras_fits_on_dask_do_not_depend_on_the_worker(dask_client, small_pairs):
    """Each fit seeds its own layers and shuffling: which worker runs a seed, and which
    fits that worker ran before, change nothing. (Both runs use the cluster's workers,
    which run TensorFlow on one thread each: the float sums of a kernel depend on its
    thread count, which this process's TensorFlow may not share.)"""
    import joblib

    pytest.importorskip("keras")
    from sumdigits.keras import FCNNClassifier

    train, test = small_pairs
    X, X_test = train.data.reshape(len(train.data), -1), test.data.reshape(len(test.data), -1)
    args = (FCNNClassifier(hidden_layer_sizes=[16], epochs=2, batch_size=32),
            X, train.target, X_test, test.target)
    with joblib.parallel_config("dask"):
        first = repeated_scores(*args, seeds=[3, 1, 4, 5], n_jobs=-1)
        second = repeated_scores(*args, seeds=[5, 4, 1, 3], n_jobs=-1)
    np.testing.assert_array_equal(first.scores["score"], second.scores["score"][::-1])
    assert len(set(first.scores["score"])) > 1


def _streamed_pairs(n_pairs):
    """A DigitPairDataset of ``n_pairs`` random pairs of the embedded training digits,
    and pairs of its test digits as arrays."""
    from sumdigits import load_mnist, make_digit_pairs
    from sumdigits.keras.streaming import DigitPairDataset
    from sumdigits.pairs import pair_indices

    (X, y), (X_test, y_test) = load_mnist("embedded")
    dataset = DigitPairDataset(X, y, pair_indices(y, n_pairs, strategy="random",
                                                  random_state=0),
                               batch_size=64, flatten=True, random_state=0)
    test = make_digit_pairs(X_test, y_test, 300, strategy="random", random_state=1)
    return dataset, test.data.reshape(len(test.data), -1), test.target


@pytest.mark.slow
def test_seeded_keras_fits_on_dask_read_a_streamed_dataset(dask_client):
    """What a worker receives is the dataset (digits and pair indices), not pair
    images; each worker gathers its batches itself, and the scores do not depend on
    the worker."""
    import joblib

    pytest.importorskip("keras")
    from sumdigits.keras import FCNNClassifier

    dataset, X_test, y_test = _streamed_pairs(1_000)
    args = (FCNNClassifier(hidden_layer_sizes=[16], epochs=2), dataset, None, X_test,
            y_test)
    with joblib.parallel_config("dask"):
        first = repeated_scores(*args, seeds=[3, 1, 4], n_jobs=-1)
        second = repeated_scores(*args, seeds=[4, 1, 3], n_jobs=-1)
    np.testing.assert_array_equal(first.scores["score"], second.scores["score"][::-1])
    assert len(set(first.scores["score"])) > 1


def test_a_streamed_dataset_sent_to_a_worker_holds_no_pair_image():
    """The pickled dataset (what joblib sends to a worker) is the digits once plus a
    few bytes per pair, far below the pair images it yields."""
    import pickle

    pytest.importorskip("keras")
    n_pairs = 200_000
    dataset, _, _ = _streamed_pairs(n_pairs)
    sent = len(pickle.dumps(dataset))
    digits = dataset.images.nbytes + dataset.y.nbytes
    per_pair = dataset.indices.itemsize * 2 + 8  # two indices and the shuffled order
    assert sent <= digits + n_pairs * per_pair + 64 * 1024
    pair_bytes = n_pairs * dataset[0][0][0].nbytes
    assert sent < pair_bytes / 20


def test_repeated_scores_checks_a_dataset_and_its_estimator(small_pairs):
    dataset, X_test, y_test = _streamed_pairs(100)
    with pytest.raises(TypeError, match="StepDecayPerceptron has none"):
        repeated_scores(StepDecayPerceptron(), dataset, None, X_test, y_test)
    with pytest.raises(ValueError, match="y must be None when X is a dataset"):
        repeated_scores(StepDecayPerceptron(), dataset, y_test, X_test, y_test)
    train, test = small_pairs
    with pytest.raises(ValueError, match="y is required"):
        repeated_scores(StepDecayPerceptron(), train.data, None, test.data, test.target)


@pytest.mark.slow
def test_cross_validation_on_dask_equals_the_sequential_run(dask_client, small_pairs):
    import joblib
    from sklearn.model_selection import cross_val_score

    train, _ = small_pairs
    clf = StepDecayPerceptron(max_iter=3000, random_state=0)
    sequential = cross_val_score(clf, train.data, train.target, cv=4)
    with joblib.parallel_config("dask"):
        on_dask = cross_val_score(clf, train.data, train.target, cv=4, n_jobs=-1)
    np.testing.assert_array_equal(on_dask, sequential)


def test_repeated_scores_rejects_bad_input(small_pairs):
    from sklearn.neighbors import KNeighborsClassifier

    train, test = small_pairs
    data = (train.data, train.target, test.data, test.target)
    with pytest.raises(ValueError, match="KNeighborsClassifier has no random_state"):
        repeated_scores(KNeighborsClassifier(), *data)
    with pytest.raises(ValueError, match="seeds must be distinct"):
        repeated_scores(StepDecayPerceptron(), *data, seeds=[1, 1])
    with pytest.raises(ValueError, match="at least two ints"):
        repeated_scores(StepDecayPerceptron(), *data, seeds=[1])
    with pytest.raises(ValueError, match="seeds"):
        repeated_scores(StepDecayPerceptron(), *data, seeds=1)


def test_pruner_sees_the_trials_of_other_workers(small_pairs, tmp_path):
    # another process writes a finished trial with a perfect score at every epoch; this
    # worker's median pruner compares with it and stops every trial after its first epoch
    from optuna.distributions import FloatDistribution
    from sklearn.linear_model import SGDClassifier

    path, name = tmp_path / "pruning.log", "pruning"
    other_worker = (
        "import optuna, sys\n"
        "from optuna.distributions import FloatDistribution\n"
        "from sumdigits.tuning import open_storage\n"
        "study = optuna.create_study(storage=open_storage(sys.argv[1]), study_name=sys.argv[2],"
        " direction='maximize')\n"
        "study.add_trial(optuna.trial.create_trial(value=1.0, params={'alpha': 1e-4},"
        " distributions={'alpha': FloatDistribution(1e-6, 1e-2, log=True)},"
        " intermediate_values={step: 1.0 for step in range(4)}))\n"
    )
    subprocess.run([sys.executable, "-c", other_worker, str(path), name], check=True,
                   timeout=WAIT, env=worker_env())
    train, _ = small_pairs
    search = tune(SGDClassifier(max_iter=4, random_state=0), train.data, train.target,
                  param_distributions={"alpha": FloatDistribution(1e-6, 1e-2, log=True)},
                  n_trials=3, cv=2, storage=path, study_name=name, refit=False,
                  random_state=0, pruner=optuna.pruners.MedianPruner(n_startup_trials=1,
                                                                      n_warmup_steps=0))
    mine = [t for t in search.trials_ if t.user_attrs.get("worker_pid") == os.getpid()]
    assert len(mine) == 3
    assert all(t.state == TrialState.PRUNED and list(t.intermediate_values) == [0]
               for t in mine)


def test_keras_estimators_refuse_threads(small_pairs):
    from sumdigits import SequentialDigitSumClassifier
    from sumdigits.keras import CNNClassifier, FCNNClassifier

    train, _ = small_pairs
    for estimator in (FCNNClassifier(), SequentialDigitSumClassifier(CNNClassifier())):
        with pytest.raises(ValueError, match="share TensorFlow's global state"):
            tune(estimator, train.data, train.target, n_trials=2, n_jobs=2)


def test_sqlite_warns_of_another_process_running_trials(small_pairs, tmp_path):
    train, _ = small_pairs
    path = tmp_path / "one-process.db"
    other = optuna.create_study(storage=open_storage(path), study_name="s",
                                direction="maximize")
    other.ask()  # a trial left running, as by another process
    with pytest.warns(UserWarning, match="1 running trial.*SQLite is for one process"):
        tune(StepDecayPerceptron(), train.data, train.target, n_trials=1, cv=2,
             storage=path, study_name="s", refit=False)


@pytest.mark.parametrize("option, value", [("--max-trials", "0"), ("--n-trials", "-1"),
                                           ("--heartbeat", "0"), ("--cv", "1"),
                                           ("--timeout", "0")])
def test_tune_command_rejects_bad_options(option, value, tmp_path, capsys):
    from sumdigits.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["tune", "single-perceptron", "--storage", str(tmp_path / "s.log"), option,
              value])
    assert exit_info.value.code == 2
    assert option in capsys.readouterr().err
    assert not (tmp_path / "s.log").exists()
