"""The test suite's two tiers: how long a developer waits for each.

The fast tier (``python -m pytest -m "not slow"``, for development) and every test
(``python -m pytest``: the README's test command after its install step, and CI's),
each in a fresh process from the project's root, one after the other: the wall-clock
seconds of the process, pytest's own summary and the load average when it started and
ended. pytest-randomly orders the tests at random; the row's seed is its
``--randomly-seed``, so a row can be re-run in the same order. ``--quick`` runs one
small test file per tier instead, as a smoke run. Run it with nothing else on the
machine: the seconds are only the suite's when it runs alone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: tier -> pytest's arguments
TIERS = {'fast: -m "not slow"': ["-m", "not slow"], "every test": []}
#: the file each tier runs in a quick run
QUICK_FILE = "tests/test_geometry.py"
#: the slowest test phases each tier lists (pytest's ``--durations``)
N_SLOWEST = 15


def summary(output):
    """pytest's closing summary (``1593 passed, 27 skipped in 213.01s``) in ``output``:
    (counts, seconds), or raise ValueError when it has none."""
    lines = [line.strip("= ") for line in output.splitlines()
             if re.fullmatch(r"=* ?\d+ \w+.* in [\d.]+s( \(.*\))? ?=*", line.strip())]
    if not lines:
        raise ValueError(f"no pytest summary in its output, which ends: {output[-500:]!r}")
    counts, seconds = re.fullmatch(r"(.*) in ([\d.]+)s.*", lines[-1]).groups()
    return counts, float(seconds)


def slowest(output):
    """pytest's ``--durations`` lines in ``output``: [(seconds, phase, test id)]."""
    found = re.findall(r"^([\d.]+)s (call|setup|teardown) +(\S+)$", output, flags=re.MULTILINE)
    return [(float(seconds), phase, test) for seconds, phase, test in found]


def run_tier(args, *, seed, quick=False):
    """One tier in a fresh process: the command, pytest's counts (failures among them)
    and seconds, the wall seconds and the load average before and after."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               f"--randomly-seed={seed}", f"--durations={N_SLOWEST}", *args,
               *([QUICK_FILE] if quick else [])]
    load_start, start = os.getloadavg()[0], time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    counts, seconds = summary(done.stdout)  # failed tests are counted, and timed too
    shown = ["python", *command[1:]]
    return dict(command=" ".join(f"'{a}'" if " " in a else a for a in shown), counts=counts,
                pytest_s=seconds, wall_s=wall, load_start=load_start, load=os.getloadavg()[0],
                slowest=slowest(done.stdout))


def run(data, *, quick=False, seed=0):
    rows, slow = [], []
    for tier, args in TIERS.items():
        r = run_tier(args, seed=seed, quick=quick)
        rows.append([tier, f"`{r['command']}`", r["counts"], r["pytest_s"], r["wall_s"],
                     r["load_start"], r["load"]])
        slow += [[tier, f"`{test}`", phase, seconds] for seconds, phase, test in r["slowest"]]
    return [{
        "title": "The test tiers, one after the other",
        "columns": ["tier", "command", "pytest's summary", "pytest s", "process s",
                    "load at start", "load at end"],
        "rows": rows,
        "notes": (f"Each tier in a fresh process from the project's root on {os.cpu_count()} "
                  "CPU cores; 'process s' adds the interpreter's start and the collection "
                  "of the tests to pytest's own seconds. "
                  + (f"Quick run: {QUICK_FILE} alone per tier." if quick else "")),
    }, {
        "title": f"The {N_SLOWEST} slowest test phases of each tier",
        "columns": ["tier", "test", "phase", "seconds"],
        "rows": slow,
        "notes": "pytest's `--durations` in the same runs: where a developer's wait goes.",
    }]
