"""The one store of benchmark runs: every row a benchmark writes, and how it is read.

A row is one JSON file ``<out>/<benchmark>/<row>.json`` (``<benchmark>-quick/`` for
``--quick`` runs, so a smoke run never replaces a full one). Only
:func:`write_row` writes one, and every page (``<out>/<benchmark>.md``), README table
and docs page is rendered from rows, never edited by hand.

Every row holds its benchmark's result (scores, tables, figures: the paths of the
images written beside it) and, added by :func:`write_row`:

- ``benchmark``, ``row``, ``seed``, ``quick``, ``data``: what ran;
- ``seconds``: wall-clock seconds of the whole row, ``load``: the 1-minute load
  average when it ended, ``load_start``: when it began, ``time``: when it ended;
- ``command``, ``version``, ``commit``, ``package_modified``, ``python``, ``cpu``,
  ``cores``: where it comes from (:func:`provenance`).

Rows written before a field existed lack it; :func:`provenance_line` says "not
recorded" for such a field rather than guess it.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: The project's store.
RESULTS = HERE / "results"
PROVENANCE = ("command", "version", "commit", "package_modified", "python", "cpu", "cores")


def provenance():
    """Where a row comes from: the command, sumdigits' version and commit, whether the
    package differed from that commit, the Python, the CPU and its count of cores."""
    import sumdigits

    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "sumdigits"],
                                    cwd=HERE.parent, capture_output=True, text=True,
                                    check=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = None, None
    cpu = platform.processor()
    try:
        cpu = next(line.split(":", 1)[1].strip()
                   for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return dict(command="python -m benchmarks.run " + " ".join(sys.argv[1:]),
                version=sumdigits.__version__, commit=commit, package_modified=dirty,
                python=sys.version.split()[0], cpu=cpu, cores=os.cpu_count())


def folder(out, benchmark, quick=False):
    """The folder of a benchmark's rows under the store ``out`` (default: the project's)."""
    return Path(RESULTS if out is None else out) / (f"{benchmark}-quick" if quick else benchmark)


def write_row(where, name, result, *, seed, seconds, load_start, quick=False, data=None):
    """Store ``result`` as the row ``name`` in the folder ``where``, with what ran and
    where it comes from; return the stored row."""
    where = Path(where)
    where.mkdir(parents=True, exist_ok=True)
    benchmark = where.name.removesuffix("-quick")
    row = dict(result, benchmark=benchmark, row=name, seed=seed, quick=quick,
               data=None if data is None else str(data), seconds=seconds,
               load_start=load_start, load=os.getloadavg()[0],
               time=time.strftime("%Y-%m-%d %H:%M:%S"), **provenance())
    (where / f"{name}.json").write_text(json.dumps(row, indent=1, default=float))
    return row


def read_row(where, name):
    """The stored row ``name`` of the folder ``where``, or None when it was not run."""
    path = Path(where) / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def read_rows(where):
    """Every stored row of the folder ``where``, by name."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(Path(where).glob("*.json"))
            if not p.stem.endswith("_study")}


def provenance_line(row):
    """One line of Markdown: when a row ran, how long, at what load, from which code on
    which machine, by which command."""
    def field(key, fmt="{}"):
        value = row.get(key)
        return "not recorded" if value is None else fmt.format(value)

    commit = row.get("commit")
    code = f"sumdigits {field('version')}, commit " + (
        "not recorded" if commit is None else commit[:10]
        + (" with local changes" if row.get("package_modified") else ""))
    cpu = field("cpu") + (f", {row['cores']} cores" if row.get("cores") else "")
    command, seeds = row.get("command"), row.get("seeds")
    seed = (f"seeds {seeds[0]}..{seeds[-1]}" if seeds and len(seeds) > 1
            else f"seed {field('seed')}")
    return (f"{field('time')}; {seed}; {field('seconds', '{:.0f}')} s; load "
            f"{field('load', '{:.1f}')}; {code}; CPU {cpu}; command "
            + ("not recorded" if command is None else f"`{command}`"))
