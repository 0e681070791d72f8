"""Where :func:`tune` keeps its study: the storages (:func:`open_storage`), and the
sampler that each worker sharing a stored study seeds and records itself with."""

from __future__ import annotations

import os
import socket
import time
import warnings
import zlib
from numbers import Integral
from pathlib import Path

import numpy as np
import optuna
from optuna.samplers import TPESampler
from optuna.storages import BaseStorage, JournalStorage, RetryHeartbeatStaleTrialCallback
from optuna.storages.journal import JournalFileBackend

from ._spaces import non_storable_params

__all__ = ["open_storage"]


#: File suffixes that :func:`tune` keeps in Optuna's journal format (a shared file system).
JOURNAL_SUFFIXES = (".log", ".journal")

# A trial whose worker stopped sending heartbeats for GRACE seconds is failed and
# queued again (at most MAX_RETRY times), by the next worker that asks for a trial.
HEARTBEAT_INTERVAL = 60
MAX_RETRY = 3


def _quietly_experimental(factory, *args, **kwargs):
    """Call an optuna constructor without its ExperimentalWarning: the choice is ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return factory(*args, **kwargs)


def open_storage(storage, *, heartbeat_interval=HEARTBEAT_INTERVAL):
    """The Optuna storage that :func:`tune` keeps a study in, from a URL or a path.

    - a database URL other than SQLite (``"postgresql+psycopg2://user@host/db"``,
      ``"mysql://..."``): an :class:`~optuna.storages.RDBStorage` with heartbeats, for
      several worker processes on one or many machines. A trial whose worker sends no
      heartbeat for ``2 * heartbeat_interval`` seconds (a killed process, a lost
      machine) is marked failed by the next worker that asks for a trial, and run
      again (at most 3 times, :class:`~optuna.storages.RetryHeartbeatStaleTrialCallback`);
    - a path ending in ``.log`` or ``.journal``: an :class:`~optuna.storages.JournalStorage`
      on that file (:class:`~optuna.storages.journal.JournalFileBackend`), for several
      processes on one machine or on a shared file system, without a database server
      (no heartbeats: a killed worker's trial stays running);
    - another path (``"study.db"``) or a ``sqlite:///`` URL: that SQLite file, for
      one process (SQLite locks the whole file on each write: several workers on it
      fail with "database is locked").

    Missing folders of a file are created.

    Parameters
    ----------
    storage : str or path-like
        Database URL or file path.
    heartbeat_interval : int, default=60
        Seconds between two heartbeats of a running trial, for a database server.

    Returns
    -------
    storage : optuna.storages.BaseStorage
        The storage, to pass to :func:`tune` or :func:`optuna.load_study`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sumdigits.tuning import open_storage
    >>> folder = tempfile.TemporaryDirectory()
    >>> type(open_storage(pathlib.Path(folder.name) / "study.log")).__name__
    'JournalStorage'
    >>> type(open_storage(pathlib.Path(folder.name) / "study.db")).__name__
    'RDBStorage'
    >>> folder.cleanup()
    """
    if not isinstance(storage, (str, os.PathLike)):
        raise TypeError(f"storage must be a str or path-like, got {type(storage).__name__}")
    if (not isinstance(heartbeat_interval, Integral) or isinstance(heartbeat_interval, bool)
            or heartbeat_interval < 1):
        raise ValueError(f"heartbeat_interval must be a positive int (seconds), got "
                         f"{heartbeat_interval!r}")
    storage = os.fspath(storage)
    if "://" in storage and not storage.startswith("sqlite:"):
        return _database_storage(storage, int(heartbeat_interval))
    if storage.startswith("sqlite:///"):
        path = Path(storage[len("sqlite:///"):]).expanduser()
    elif "://" in storage:
        raise ValueError(f"storage: a SQLite URL is sqlite:///path, got {storage!r}")
    else:
        path = Path(storage).expanduser().resolve()
        if path.suffix in JOURNAL_SUFFIXES:
            path.parent.mkdir(parents=True, exist_ok=True)
            return JournalStorage(JournalFileBackend(str(path)))
        storage = f"sqlite:///{path}"
    path.parent.mkdir(parents=True, exist_ok=True)
    return optuna.storages.RDBStorage(storage)


def _database_storage(url, heartbeat_interval, attempts=5):
    """An RDBStorage with heartbeats on a database server.

    Workers that start together on an empty database all create Optuna's tables, and
    PostgreSQL's ``CREATE TABLE`` is not atomic against a concurrent one: the losers
    get a duplicate-key error, after which the tables exist, so they try again.
    """
    import sqlalchemy.exc

    for attempt in range(attempts):
        try:
            return _quietly_experimental(lambda: optuna.storages.RDBStorage(
                url, heartbeat_interval=heartbeat_interval,
                heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(MAX_RETRY),
            ))
        except (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.ProgrammingError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def _is_sqlite(storage):
    return isinstance(storage, optuna.storages.RDBStorage) and storage.url.startswith("sqlite:")


def _worker():
    """This process, as the trials record it: host name and process id."""
    return socket.gethostname(), os.getpid()


def _sampler_seed(random_state, rng, study, shared):
    """The sampler's seed: repeatable in memory, distinct per worker on a storage.

    Two workers that start together on one study with the same ``random_state`` must
    not draw the same trials: on a storage the seed mixes in the worker's host and
    process id (and the trials already stored, so that a study continued in a new
    process with a recycled process id draws new points).
    """
    if random_state is None:
        return None
    base = random_state if isinstance(random_state, Integral) else rng.randint(2**31 - 1)
    entropy = [int(base)]
    if shared:
        host, pid = _worker()
        entropy += [zlib.crc32(host.encode()), pid, len(study.get_trials(deepcopy=False))]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0])


class _WorkerTPESampler(TPESampler):
    """TPE that records, in each trial it starts, the host and process id running it.

    The record goes through the public storage API (the storage :func:`tune` opened).
    """

    def __init__(self, storage, study_name, **kwargs):
        super().__init__(**kwargs)
        self._worker_storage = storage
        self._worker_study_id = storage.get_study_id_from_name(study_name)

    def before_trial(self, study, trial):
        super().before_trial(study, trial)
        trial_id = self._worker_storage.get_trial_id_from_study_id_trial_number(
            self._worker_study_id, trial.number)
        host, pid = _worker()
        self._worker_storage.set_trial_user_attr(trial_id, "worker_host", host)
        self._worker_storage.set_trial_user_attr(trial_id, "worker_pid", pid)


def study_storage(storage, param_distributions, n_jobs):
    """The storage of :func:`tune`'s study: in memory for None, else :func:`open_storage`'s.

    Refuses a stored study with choices a storage cannot keep, and parallel threads
    on SQLite.
    """
    if storage is not None and non_storable_params(param_distributions):
        raise ValueError(
            f"an Optuna storage keeps only None, bool, int, float or str choices, and "
            f"{non_storable_params(param_distributions)} have others (lists of layer "
            "widths), with which a stored study could not be continued: pass storage=None, "
            "or param_distributions without them"
        )
    if storage is None:
        storage = optuna.storages.InMemoryStorage()
    elif not isinstance(storage, BaseStorage):
        storage = open_storage(storage)
    if _is_sqlite(storage) and n_jobs not in (None, 1):
        raise ValueError(
            f"n_jobs={n_jobs} on a SQLite storage: SQLite is for one process and one "
            "thread (parallel writers fail with 'database is locked'); use a journal file "
            "(a path ending in .log) or a PostgreSQL URL"
        )
    return storage


def warn_if_running(study, storage, study_name, *, stacklevel):
    """Warn when a SQLite study has running trials: another process on it, or a killed one."""
    if not _is_sqlite(storage):
        return
    running = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,))
    if running:
        warnings.warn(
            f"the SQLite study {study_name!r} has {len(running)} running trial(s): "
            "another process is working on it, or one was killed. SQLite is for one "
            "process; share a study between workers on a journal file (a path ending in "
            ".log) or a PostgreSQL URL", UserWarning, stacklevel=stacklevel + 1)


def worker_sampler(storage, study_name, study, random_state, rng, *, shared):
    """The study's TPE sampler (``constant_liar=True``), seeded by :func:`_sampler_seed`,
    recording in each trial the worker that runs it."""
    return _quietly_experimental(
        _WorkerTPESampler, storage, study_name, constant_liar=True,
        seed=_sampler_seed(random_state, rng, study, shared))
