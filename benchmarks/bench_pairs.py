"""Pair generation: make_digit_pairs against the machine's write limit and a per-pair loop.

Time and memory are measured in separate runs, so that neither measurement disturbs
the other:

- **Time**, in this process and without ``tracemalloc`` (which slows every Python
  allocation, and so the per-pair loop most). Each of ``repeats`` rounds times, one
  after the other: writing the output's bytes once into fresh memory
  (``a = np.empty(n_bytes, np.uint8); a[:] = 1``, the limit of any generator that
  returns a new array: it must write that much); ``make_digit_pairs`` with each
  strategy and layout; the stratified strategy's draw of indices alone
  (``pair_indices``, no pixel); and a simple per-pair Python loop (an ``rng.integers``
  draw and an ``np.concatenate`` per pair, into a preallocated array). The table gives
  the median over the rounds, the fastest and slowest, and the ratios. Writing the
  bytes a second time into the same, already mapped, memory shows how much of the
  write is the kernel mapping fresh pages. Interleaving the same bytes as rows of 28
  from a block of digit pairs held in the CPU cache, into that mapped memory, is the
  side-by-side layout's own work (:func:`_interleave`): a side-by-side generator pays
  it on top of the write, since each output row joins two rows from two images. The
  notes give the load average when the timing started and ended.
- **Memory**: each method once more in its own fresh Python process; its peak resident
  memory above what the process held just before the call.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from ._process import peak_rss_mib, reset_peak_rss, run_child


def naive_pairs(X, y, n_pairs, seed):
    """A simple per-pair loop: two random images drawn and concatenated per pair."""
    rng = np.random.default_rng(seed)
    out = np.empty((n_pairs, X.shape[1], 2 * X.shape[2]), dtype=X.dtype)
    sums = np.empty(n_pairs, dtype=np.int64)
    for k in range(n_pairs):
        i, j = rng.integers(0, len(X), size=2)
        out[k] = np.concatenate((X[i], X[j]), axis=1)
        sums[k] = y[i] + y[j]
    return out, sums


def _write(n_bytes):
    a = np.empty(n_bytes, np.uint8)
    a[:] = 1
    return a


def _interleave(out, block):
    """The horizontal layout's second step alone: each sample's 56 rows of 28 bytes
    copied by ``np.take`` from ``block`` (digit pairs (k, 2, 28, 28) small enough for the
    CPU cache, the same block for every stretch of ``out``) into ``out`` (n, 28, 56),
    in the row order ``make_digit_pairs`` uses after gathering a block: no digit read
    from memory."""
    from sumdigits._geometry import Geometry
    from sumdigits.pairs import _row_order

    k, _, h, w = block.shape
    rows = _row_order(Geometry((h, w), "horizontal", 1), k).reshape(-1)
    source, target = block.reshape(-1, w), out.reshape(-1, w)
    for start in range(0, len(out), k):
        stop = min(start + k, len(out))
        np.take(source, rows[: (stop - start) * 2 * h], axis=0,
                out=target[start * 2 * h: stop * 2 * h], mode="clip")


def _methods(X, y, n, seed):
    """name -> a function making the output once (the write limit first, the loop last)."""
    from sumdigits import make_digit_pairs
    from sumdigits.pairs import pair_indices

    def ours(strategy, layout="horizontal"):
        return lambda: make_digit_pairs(X, y, n, strategy=strategy, layout=layout,
                                        random_state=seed, return_X_y=True)

    return {
        "write the output's bytes once (limit)": lambda: _write(n * 2 * X[0].nbytes),
        "make_digit_pairs, stratified": ours("stratified"),
        "make_digit_pairs, random": ours("random"),
        "make_digit_pairs, random, vertical": ours("random", "vertical"),
        "make_digit_pairs, stratified, vertical": ours("stratified", "vertical"),
        "pair_indices, stratified (the draw alone)":
            lambda: pair_indices(y, n, strategy="stratified", random_state=seed),
        "per-pair Python loop": lambda: naive_pairs(X, y, n, seed),
    }


def _child(method, n, path, seed):
    """Peak memory of one method, in a fresh process; prints a JSON line."""
    with np.load(path) as f:
        X, y = f["X"], f["y"]
    fn = _methods(X, y, n, seed)[method]
    before = reset_peak_rss()
    out = fn()
    print(json.dumps({"peak_above": peak_rss_mib() - before}))
    del out


def _seconds(fn):
    start = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - start
    del out
    return seconds


def run(data, *, quick=False, seed=0, repeats=3):
    (X, y), _ = data
    n = 20_000 if quick else 1_000_000
    methods = _methods(X, y, n, seed)
    names = list(methods)
    times = {name: [] for name in names}
    rewrite, interleave = [], []
    from sumdigits.pairs import _GATHER_BLOCK_BYTES

    k = _GATHER_BLOCK_BYTES // (2 * X[0].nbytes)  # pairs per block, as the library gathers
    block = X[: 2 * k].reshape(k, 2, *X.shape[1:])
    load_start = os.getloadavg()[0]
    for _ in range(repeats):
        for name in names:
            times[name].append(_seconds(methods[name]))
        a = _write(n * 2 * X[0].nbytes)
        start = time.perf_counter()
        a[:] = 2
        rewrite.append(time.perf_counter() - start)
        start = time.perf_counter()
        _interleave(a.reshape(n, X.shape[1], 2 * X.shape[2]), block)
        interleave.append(time.perf_counter() - start)
        del a
    load_end = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "digits.npz")
        np.savez(path, X=X, y=y)
        peaks = {name: run_child("bench_pairs", method=name, n=n, path=path, seed=seed)
                 ["peak_above"] for name in names}
    median = {name: float(np.median(t)) for name, t in times.items()}
    limit, loop = median[names[0]], median[names[-1]]
    rows = [[name, float(min(times[name])), median[name], float(max(times[name])),
             median[name] / limit, loop / median[name], peaks[name]] for name in names]
    rows.insert(1, ["write them again, memory already mapped", float(min(rewrite)),
                    float(np.median(rewrite)), float(max(rewrite)),
                    float(np.median(rewrite)) / limit, None, None])
    woven = float(np.median(interleave)) / limit
    rows.insert(2, ["interleave 28-byte rows from a cached block, memory already mapped",
                    float(min(interleave)), float(np.median(interleave)),
                    float(max(interleave)), woven, None, None])
    return [{
        "title": f"Generating {n:,} pairs of 28 x 56 uint8 images ({n * 1568 / 2**20:,.0f} MiB)",
        "columns": ["method", "fastest s", "median s", "slowest s", "x limit",
                    "speed-up vs loop", "peak MiB above start"],
        "rows": rows,
        "notes": (f"Seconds over {repeats} interleaved rounds in one process, without "
                  "tracemalloc; 'x limit' and 'speed-up vs loop' are ratios of medians. Peak "
                  "memory from a separate run of each method in its own process (resident "
                  "memory above that just before the call). The strategies differ only in "
                  f"how the indices are drawn. {len(X):,} source digits; seed {seed}. Load "
                  f"average (1 min) {load_start:.2f} when the timing started, {load_end:.2f} "
                  f"when it ended, on {os.cpu_count()} CPU cores. Side by side, each output "
                  "row joins rows of two images, so a side-by-side generator writes the output "
                  f"once (1 x) and interleaves its rows ({woven:.2f} x here, numpy's copy of "
                  f"28-byte runs without reading a digit from memory): {1 + woven:.2f} x before "
                  "it reads a single digit. Stacked vertically, each digit is whole output "
                  "rows: the write and the read alone."),
    }]
