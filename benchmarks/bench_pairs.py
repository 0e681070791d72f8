"""Pair generation: make_digit_pairs vs a per-pair Python loop like the reports'.

Both build the same number of stratified 28 x 56 pairs from the MNIST training split in
one run; the table gives wall seconds, the speed-up ratio and the peak memory traced by
``tracemalloc`` (NumPy reports its allocations to it). The output array itself is
n x 1568 bytes (1.57 GB for a million uint8 pairs).
"""

import time
import tracemalloc

import numpy as np

from sumdigits import make_digit_pairs


def naive_pairs(X, y, n_pairs, seed):
    """The notebooks' way: one Python iteration, two random choices and an hstack per pair."""
    rng = np.random.default_rng(seed)
    by_digit = [np.flatnonzero(y == d) for d in range(10)]
    codes = np.tile(np.arange(100), n_pairs // 100)
    rng.shuffle(codes)
    images, sums = [], []
    for code in codes:
        a, b = divmod(int(code), 10)
        i, j = rng.choice(by_digit[a]), rng.choice(by_digit[b])
        images.append(np.hstack((X[i], X[j])))
        sums.append(a + b)
    return np.array(images), np.array(sums)


def _measure(fn):
    tracemalloc.start()
    start = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, seconds, peak / 2**20


def run(data, *, quick=False, seed=0):
    (X, y), _ = data
    n = 20_000 if quick else 1_000_000
    rows = []
    (ours, _), t_ours, m_ours = _measure(
        lambda: make_digit_pairs(X, y, n, strategy="stratified", random_state=seed, return_X_y=True))
    del ours
    (naive, _), t_naive, m_naive = _measure(lambda: naive_pairs(X, y, n, seed))
    assert naive.shape == (n, 28, 56)
    del naive
    rows.append(["per-pair Python loop (reports)", n, t_naive, 1.0, m_naive])
    rows.append(["make_digit_pairs, stratified", n, t_ours, t_naive / t_ours, m_ours])
    for strategy in ("random", "disjoint"):
        k = min(n, len(X) // 2) if strategy == "disjoint" else n
        (out, _), t, m = _measure(lambda: make_digit_pairs(
            X, y, k, strategy=strategy, random_state=seed, return_X_y=True))
        del out
        rows.append([f"make_digit_pairs, {strategy}", k, t, None, m])
    return [{
        "title": f"Generating {n:,} pairs of 28 x 56 uint8 images",
        "columns": ["method", "pairs", "seconds", "speed-up vs loop", "peak MiB"],
        "rows": rows,
        "notes": (f"Output array alone: {n * 1568 / 2**20:,.0f} MiB. 'disjoint' is capped at "
                  f"len(X) // 2 = {len(X) // 2:,} pairs. Seed {seed}."),
    }]
