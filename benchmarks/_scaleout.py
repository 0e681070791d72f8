"""Processes for the tests and benchmarks of scaling out: search workers and a PostgreSQL server.

``benchmarks/bench_scaleout.py`` and ``tests/test_scaleout.py`` import it.

:func:`start_tune_worker` starts a ``sumdigits tune`` worker process.
:func:`local_postgres` runs ``initdb`` into a temporary folder and ``pg_ctl start`` on a
Unix socket only (no TCP port), yields the SQLAlchemy URL of its ``postgres`` database,
and stops the server, by ``pg_ctl`` and then by its process id, at the end. As root
(``initdb`` refuses root), the server runs as the ``postgres`` user that Debian's
``postgresql`` package creates.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def start_tune_worker(approach, storage, study, *options):
    """A ``sumdigits tune`` process (stdout and stderr piped together) on one BLAS thread.

    It runs the sumdigits that this process imports (installed, or from a checkout).
    """
    command = [sys.executable, "-m", "sumdigits.cli", "tune", approach, "--storage",
               storage, "--study", study, *options]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=worker_env())


def worker_env():
    """The environment of a worker process: the sumdigits of this process, one BLAS thread."""
    import sumdigits

    return dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                PYTHONPATH=os.pathsep.join(
                    # no empty entry: it would put the working directory on the path
                    p for p in [str(Path(sumdigits.__file__).resolve().parents[1]),
                                os.environ.get("PYTHONPATH", "")] if p))


def postgres_bindir():
    """The folder of ``initdb`` and ``pg_ctl``, or None: on PATH, else Debian's."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    candidates = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    candidates = [p for p in candidates if (p / "pg_ctl").exists() and p.parent.name.isdigit()]
    return max(candidates, key=lambda p: int(p.parent.name)) if candidates else None


def pid_alive(pid):
    """Whether a process of id ``pid`` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_pid(pid, timeout=30):
    """Wait up to ``timeout`` seconds for ``pid`` to end, then SIGKILL it."""
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if pid_alive(pid):
        os.kill(pid, signal.SIGKILL)


def _postmaster_pid(data):
    """The process id in ``data/postmaster.pid``, or None where there is none."""
    try:
        return int((data / "postmaster.pid").read_text().split()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None


@contextlib.contextmanager
def local_postgres(timeout=300):
    """Start a PostgreSQL server; yield its ``postgresql+psycopg2://`` URL; stop it.

    Raises FileNotFoundError when the server binaries are not installed.
    """
    bindir = postgres_bindir()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found; on "
                                "Debian: apt-get install postgresql")
    as_root = os.geteuid() == 0
    # /tmp for root: the postgres user must reach the folder (root's TMPDIR may be
    # private); short, since a socket's path has at most ~100 bytes
    root = Path(tempfile.mkdtemp(prefix="sdpg-", dir="/tmp" if as_root else None))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    as_user = []
    if as_root:
        as_user = ["runuser", "-u", "postgres", "--"]
        for path in (root, sockets):
            shutil.chown(path, "postgres")
    pg_ctl = [*as_user, str(bindir / "pg_ctl"), "-D", str(data)]
    pid = None
    try:
        subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                        "-U", "sumdigits", "--no-sync"],
                       check=True, capture_output=True, timeout=timeout)
        subprocess.run([*pg_ctl, "-l", str(root / "server.log"), "-w", "-t", str(timeout),
                        "-o", f"-k {sockets} -c listen_addresses='' -c fsync=off", "start"],
                       check=True, capture_output=True, timeout=timeout + 10)
        pid = _postmaster_pid(data)
        yield f"postgresql+psycopg2://sumdigits@/postgres?host={sockets}"
    finally:
        if pid is None:  # start failed or timed out: a server may still have come up
            pid = _postmaster_pid(data)
        if pid is not None:
            subprocess.run([*pg_ctl, "-m", "fast", "-w", "-t", "60", "stop"],
                           capture_output=True, timeout=90)
            stop_pid(pid)
        shutil.rmtree(root, ignore_errors=True)
