"""Run benchmark commands one at a time, from a queue file, so that each row's seconds
are measured with nothing else of ours beside it.

Usage::

    nohup python -m benchmarks.queue QUEUE_FILE &

Each line of ``QUEUE_FILE`` holds the arguments of one ``python -m benchmarks.run``
(``report000 --only svm_search``; blank lines and ``#`` comments are skipped). The
queue takes the first line, runs it to the end, removes it from the file and goes on,
so lines may be added or reordered while it runs; it stops when the file is empty.
Each finished or failed command is appended to ``QUEUE_FILE.done`` with its exit
status and seconds.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
from pathlib import Path


def _next(path):
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.strip()
    return None


def _remove(path, line):
    lines = path.read_text().splitlines()
    lines.remove(next(x for x in lines if x.strip() == line))
    path.write_text("".join(x + "\n" for x in lines))


def run_queue(path):
    """Run the queue file ``path`` until it is empty."""
    path = Path(path)
    while (line := _next(path)) is not None:
        start = time.perf_counter()
        rc = subprocess.call([sys.executable, "-m", "benchmarks.run", *shlex.split(line)])
        with open(f"{path}.done", "a") as done:
            done.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} rc={rc} "
                       f"{time.perf_counter() - start:.0f}s {line}\n")
        _remove(path, line)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m benchmarks.queue QUEUE_FILE")
    run_queue(sys.argv[1])
