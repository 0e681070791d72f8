"""Scaling out: one search on 1 and 2 worker processes (PostgreSQL), seeds on 1 and 2 Dask workers.

* The same search (``tune`` with a study-wide budget, ``max_trials``) runs once with
  one worker process and once with two, each on its own study of a PostgreSQL server
  started for the benchmark (Unix socket). Wall time from the workers' start to their
  end (with their start-up: Python, imports, data), the span from the first trial's
  start to the last trial's end, trials per minute over that span, and the best
  cross-validation score; the parent then refits the best once and scores it on test
  pairs.
* The same 4-seed :func:`~sumdigits.model_selection.repeated_scores` on a Dask
  ``LocalCluster`` of one and of two single-threaded worker processes (the cluster's
  start and the workers' imports not counted), with the mean and spread of the test
  accuracy: seeded fits give the same scores on both.

The workers get the pair images through a file, as each would build or read its own
data on another machine. Needs PostgreSQL's server binaries (Debian: ``postgresql``).
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# search: pairs searched, test pairs, trials, CV folds, estimator; dask: pairs, estimator
FULL = dict(search_pairs=3000, test=2000, trials=16, cv=3, search="logreg",
            dask_pairs=5000, dask="fcnn")
QUICK = dict(search_pairs=400, test=200, trials=4, cv=2, search="perceptron",
             dask_pairs=400, dask="perceptron")
ROOT = Path(__file__).resolve().parents[1]
# one thread per worker process, for BLAS and for TensorFlow
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
              "TF_CPP_MIN_LOG_LEVEL": "3"}


def _estimator(name, seed):
    if name == "logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(max_iter=200)
    if name == "fcnn":
        from sumdigits.keras import FCNNClassifier

        return FCNNClassifier(hidden_layer_sizes=[256, 128], epochs=3, random_state=seed)
    from sumdigits.perceptron import StepDecayPerceptron

    return StepDecayPerceptron(random_state=seed)


def _worker(path, url, study, name, trials, cv, seed):
    """One search worker, in its own process."""
    from sklearn.exceptions import ConvergenceWarning
    import warnings

    from sumdigits.tuning import tune

    with np.load(path) as f:
        X, y = f["X"], f["y"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tune(_estimator(name, seed), X, y, storage=url, study_name=study, n_trials=None,
             max_trials=trials, cv=cv, refit=False, random_state=seed)


def _search(url, path, n_workers, sizes, seed, test):
    import optuna
    from sklearn.exceptions import ConvergenceWarning
    import warnings

    from benchmarks._scaleout import worker_env
    from sumdigits.tuning import open_storage, tune

    study = f"bench-{n_workers}-workers"
    code = ("import sys; from benchmarks.bench_scaleout import _worker; "
            "_worker(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), "
            "int(sys.argv[6]), int(sys.argv[7]))")
    args = [path, url, study, sizes["search"], str(sizes["trials"]), str(sizes["cv"]), str(seed)]
    env = dict(worker_env(), **ONE_THREAD)
    start = time.perf_counter()
    workers = [subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=env)
               for _ in range(n_workers)]
    try:
        for worker in workers:
            worker.wait(timeout=3600)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    wall = time.perf_counter() - start
    assert all(w.returncode == 0 for w in workers), [w.returncode for w in workers]

    stored = optuna.load_study(study_name=study, storage=open_storage(url))
    finished = [t for t in stored.trials if t.state.is_finished() and t.datetime_complete]
    span = (max(t.datetime_complete for t in finished)
            - min(t.datetime_start for t in finished)).total_seconds()
    with np.load(path) as f:
        X, y = f["X"], f["y"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # the refit, once, in this process: the budget is spent, no trial runs
        search = tune(_estimator(sizes["search"], seed), X, y, storage=url, study_name=study,
                      max_trials=sizes["trials"], cv=sizes["cv"], random_state=seed)
    pids = {t.user_attrs.get("worker_pid") for t in finished}
    return dict(wall=wall, span=span, trials=len(finished), per_minute=len(finished) / span * 60,
                best=stored.best_value, test=search.score(*test), workers_seen=len(pids))


def _dask(n_workers, train, test, sizes, seed):
    import joblib
    from distributed import Client, LocalCluster

    from benchmarks._scaleout import stop_pid
    from sumdigits.model_selection import repeated_scores

    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None, env=ONE_THREAD)
    client = Client(cluster)
    pids = list(client.run(os.getpid).values())
    try:
        estimator = _estimator(sizes["dask"], seed)
        # the workers import the estimator's module (TensorFlow for the FCNN) before timing
        client.run(importlib.import_module, type(estimator).__module__)
        start = time.perf_counter()
        with joblib.parallel_config("dask"):
            result = repeated_scores(estimator, *train, *test,
                                     seeds=[seed + k for k in range(4)], n_jobs=-1)
        seconds = time.perf_counter() - start
    finally:
        client.close()
        cluster.close()
        for pid in pids:
            stop_pid(pid)
    return result, seconds


def run(data, *, quick=False, seed=0):
    from sumdigits import make_digit_pairs
    from benchmarks._scaleout import local_postgres

    sizes = QUICK if quick else FULL
    (X, y), (X_test, y_test) = data

    def pairs(X, y, n, seed):
        bunch = make_digit_pairs(X, y, n, strategy="disjoint", random_state=seed)
        return bunch.data.reshape(n, -1).astype(np.float32) / 255, bunch.target

    n_train = max(sizes["search_pairs"], sizes["dask_pairs"])
    X_fit, y_fit = pairs(X, y, n_train, seed)
    test = pairs(X_test, y_test, sizes["test"], seed + 1)
    load_start = os.getloadavg()[0]

    rows = []
    with tempfile.TemporaryDirectory() as folder, local_postgres() as url:
        path = str(Path(folder) / "pairs.npz")
        np.savez(path, X=X_fit[:sizes["search_pairs"]], y=y_fit[:sizes["search_pairs"]])
        runs = {k: _search(url, path, k, sizes, seed, test) for k in (1, 2)}
    for k, r in runs.items():
        rows.append([f"search, {k} worker process{'es' if k > 1 else ''}, PostgreSQL", r["trials"],
                     r["workers_seen"], r["wall"], r["span"], r["per_minute"],
                     r["span"] / runs[1]["span"] if k > 1 else None, r["best"], r["test"]])
    search_notes = (
        f"tune({sizes['search']}) on {sizes['search_pairs']:,} disjoint training pairs, "
        f"max_trials={sizes['trials']} over all workers, {sizes['cv']}-fold CV, TPE "
        "(constant liar, per-worker seeds); each worker one BLAS thread. 'wall s' includes "
        "the workers' start-up; 'trial span s' is first trial start to last trial end; "
        "ratio = span / span with one worker. Best: mean CV accuracy of the sums; test: "
        f"the best refitted once by the parent, on {sizes['test']:,} test pairs.")

    dask_rows = []
    train = (X_fit[:sizes["dask_pairs"]], y_fit[:sizes["dask_pairs"]])
    results = {k: _dask(k, train, test, sizes, seed) for k in (1, 2)}
    same = np.array_equal(results[1][0].scores["score"], results[2][0].scores["score"])
    for k, (result, seconds) in results.items():
        dask_rows.append([f"4 seeds, {k} Dask worker{'s' if k > 1 else ''}", seconds,
                          seconds / results[1][1] if k > 1 else None,
                          result.mean["score"], result.std["score"],
                          "yes" if same else "NO"])
    load_end = os.getloadavg()[0]
    return [
        {"title": "One search on 1 and 2 worker processes sharing a PostgreSQL study",
         "columns": ["run", "finished trials", "workers seen", "wall s", "trial span s",
                     "trials / minute", "span ratio", "best CV score", "test accuracy"],
         "rows": rows,
         "notes": search_notes + f" 1-minute load average {load_start:.1f} at the start, "
                                 f"{load_end:.1f} at the end (2-core machine)."},
        {"title": "repeated_scores over 4 seeds on a Dask LocalCluster",
         "columns": ["run", "seconds", "ratio to 1 worker", "mean test accuracy",
                     "std (ddof=1)", "same scores as 1 worker"],
         "rows": dask_rows,
         "notes": f"{sizes['dask']} on {sizes['dask_pairs']:,} pairs, scored on "
                  f"{sizes['test']:,} test pairs; single-threaded worker processes on "
                  "127.0.0.1; the cluster's start and the workers' import of the estimator's "
                  "module not counted."},
    ]
