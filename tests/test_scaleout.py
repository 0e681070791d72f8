"""Scaling out on real components: search workers sharing one Optuna study on a real
PostgreSQL server (started here, on a Unix socket) and on a journal file, and repeated
fits and cross-validation on a real Dask cluster of two worker processes.

Every process a test starts is stopped by its process id at the end, and every wait is
bounded.
"""

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import optuna
import pytest
from optuna.storages import RetryHeartbeatStaleTrialCallback
from optuna.trial import TrialState

import sumdigits
from sumdigits.model_selection import repeated_scores
from sumdigits.perceptron import StepDecayPerceptron
from sumdigits.tuning import open_storage, tune

WAIT = 300  # seconds: the most any worker or server start may take on a loaded machine


# -- a real PostgreSQL server ----------------------------------------------------------


def _postgres_bindir():
    """The folder of initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(versions[-1]).parent if versions else None


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop_pid(pid, timeout=30):
    """Wait for ``pid`` to end; SIGKILL it if it does not."""
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def postgres_url():
    """A PostgreSQL server of our own in a temporary folder, on a Unix socket only.

    initdb refuses to run as root: as root, the server runs as the ``postgres`` user of
    Debian's package. Stopped (by pg_ctl, then by its pid) at the end.
    """
    bindir = _postgres_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found; on Debian: "
                    "apt-get install postgresql")
    root = Path(tempfile.mkdtemp(prefix="sdpg-"))  # short: a socket path has ~100 bytes
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    as_user = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        for path in (root, sockets):
            shutil.chown(path, "postgres")
    pid = None
    try:
        subprocess.run(as_user + [str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                                  "-U", "sumdigits", "--no-sync"],
                       check=True, capture_output=True, timeout=WAIT)
        subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-l",
                                  str(root / "server.log"), "-w", "-t", str(WAIT), "-o",
                                  f"-k {sockets} -c listen_addresses='' -c fsync=off",
                                  "start"],
                       check=True, capture_output=True, timeout=WAIT + 10)
        pid = int((data / "postmaster.pid").read_text().split()[0])
        yield f"postgresql+psycopg2://sumdigits@/postgres?host={sockets}"
    finally:
        if pid is not None:
            subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast",
                                      "-w", "-t", "60", "stop"], capture_output=True,
                           timeout=90)
            _stop_pid(pid)
        shutil.rmtree(root, ignore_errors=True)


# -- search workers --------------------------------------------------------------------


class Workers:
    """``sumdigits tune`` worker processes, each stopped by its pid at the end."""

    def __init__(self):
        self.started = []

    def start(self, approach, storage, study, *options):
        # the same sumdigits as this test's, installed or from a checkout
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                   PYTHONPATH=os.pathsep.join(
                       [str(Path(sumdigits.__file__).parents[1]),
                        os.environ.get("PYTHONPATH", "")]))
        command = [sys.executable, "-m", "sumdigits.cli", "tune", approach, "--storage",
                   storage, "--study", study, "--data", "embedded", "--n-test", "100",
                   "--cv", "2", *options]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, env=env)
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
        dashboard_address=None, env={"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})
    client = distributed.Client(cluster)
    pids = list(client.run(os.getpid).values())
    try:
        yield client
    finally:
        client.close()
        cluster.close()
        for pid in pids:
            _stop_pid(pid)


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
