"""Streaming pairs: peak memory of training on pairs gathered per batch vs held in memory.

The same ``FCNNClassifier`` is trained for one epoch on random pairs of MNIST training
digits, either from arrays of all pair images (``make_digit_pairs`` then ``fit``) or
from a :class:`~sumdigits.keras.streaming.DigitPairDataset`, which keeps the digit
images once plus 16 bytes of indices per pair and gathers each batch when Keras asks
(``fit_dataset``). Each fit runs in its own Python process, so the peak resident memory
(``ru_maxrss``) is that fit's alone; the process first loads TensorFlow and the digits,
whose memory is the "baseline" row. Test: 5,000 disjoint pairs of test digits (fewer
on the embedded subset).
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np

from ._process import peak_rss_mib, run_child


def _child(mode, n_pairs, path, seed):
    """One measurement, in a fresh process; prints a JSON line."""
    from sumdigits import make_digit_pairs
    from sumdigits.keras import FCNNClassifier
    from sumdigits.keras.streaming import DigitPairDataset
    from sumdigits.pairs import pair_indices

    with np.load(path) as f:
        X, y, X_test, y_test = f["X"], f["y"], f["X_test"], f["y_test"]
    test = make_digit_pairs(X_test, y_test, min(5000, len(X_test) // 2), strategy="disjoint",
                            random_state=seed)
    clf = FCNNClassifier(hidden_layer_sizes=[256, 128], epochs=1, batch_size=256,
                         random_state=seed)
    start = time.perf_counter()
    if mode == "memory":
        data = make_digit_pairs(X, y, n_pairs, strategy="random", random_state=seed)
        clf.fit(data.data, data.target)
    elif mode == "stream":
        indices = pair_indices(y, n_pairs, strategy="random", random_state=seed)
        clf.fit_dataset(DigitPairDataset(X, y, indices, batch_size=256, random_state=seed))
    seconds = time.perf_counter() - start
    accuracy = clf.score(test.data, test.target) if mode != "baseline" else None
    print(json.dumps({"peak": peak_rss_mib(), "seconds": seconds, "accuracy": accuracy}))


def _measure(mode, n_pairs, path, seed):
    return run_child("bench_streaming", mode=mode, n_pairs=n_pairs, path=path, seed=seed,
                     env={"TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"})


def run(data, *, quick=False, seed=0):
    (X, y), (X_test, y_test) = data
    sizes = [2_000, 10_000] if quick else [100_000, 300_000, 1_000_000]
    in_memory = sizes[:-1]  # a million float pairs would hold about 6 GiB
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "digits.npz")
        np.savez(path, X=X, y=y, X_test=X_test, y_test=y_test)
        base = _measure("baseline", 0, path, seed)
        rows.append(["baseline: TensorFlow and the digits loaded", 0, base["peak"], None, None,
                     None])
        for n in sizes:
            for mode in (("memory", "stream") if n in in_memory else ("stream",)):
                r = _measure(mode, n, path, seed)
                label = ("arrays in memory: make_digit_pairs + fit" if mode == "memory"
                         else "streamed: DigitPairDataset + fit_dataset")
                rows.append([label, n, r["peak"], r["peak"] - base["peak"], r["seconds"],
                             r["accuracy"]])
    return [{
        "title": "Peak memory of one training epoch on random pairs: streamed vs in memory",
        "columns": ["how", "pairs", "peak RSS MiB", "above baseline MiB", "fit s",
                    "test sum accuracy"],
        "rows": rows,
        "notes": (f"FCNNClassifier(hidden_layer_sizes=[256, 128], epochs=1, batch_size=256), "
                  f"seed {seed}; {len(X):,} training digits, pairs drawn with "
                  "strategy='random'. The pair images of n pairs take n x 1568 bytes as "
                  "uint8 and four times that as float32, which the in-memory fit holds; "
                  "the stream holds one batch. The in-memory fit is not run at the largest "
                  "size. Each row is its own process; peak RSS from getrusage."),
    }]
