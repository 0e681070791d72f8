"""Measurements in a fresh Python process, so that its peak resident memory is theirs alone.

A benchmark module defines ``_child(**kwargs)``, which measures one thing and prints a
JSON object as its last line of output (``peak_rss_mib()`` gives the process' peak
resident memory, ``reset_peak_rss()`` starts it over); :func:`run_child` runs it in a
new interpreter and returns that object.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _status_mib(field):
    """A memory field of /proc/self/status (Linux) in MiB, or None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return None


def peak_rss_mib():
    """Peak resident memory of this process (since start or ``reset_peak_rss``), in MiB."""
    peak = _status_mib("VmHWM")
    if peak is None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return peak


def reset_peak_rss():
    """Start the peak over from the current resident memory, which it returns (MiB).

    Linux resets the peak when "5" is written to /proc/self/clear_refs; elsewhere
    the peak keeps what came before, and a measurement above it can only read low.
    """
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    current = _status_mib("VmRSS")
    return peak_rss_mib() if current is None else current


def run_child(module, *, env=None, **kwargs):
    """Call ``benchmarks.<module>._child(**kwargs)`` in a fresh process; return its JSON.

    ``kwargs`` must be JSON-serialisable; ``env`` adds environment variables.
    """
    code = (f"import json, sys; from benchmarks.{module} import _child; "
            "_child(**json.loads(sys.argv[1]))")
    out = subprocess.run([sys.executable, "-c", code, json.dumps(kwargs)],
                         capture_output=True, text=True, cwd=ROOT,
                         env=dict(os.environ, **(env or {})))
    if out.returncode:
        raise RuntimeError(f"benchmarks.{module}._child({kwargs}) failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])
