"""Wrapper overhead: FCNNClassifier against the same network in raw Keras, interleaved.

The MLP 784-512-256-10 of issue 13's measure, trained on 30,000 full-MNIST digits for
3 epochs in batches of 128 (Adam, learning rate 1e-3), once through
:class:`~sumdigits.keras.FCNNClassifier` and once as raw Keras: the same builder
(:func:`~sumdigits.keras.builders.build_fcnn`, same seed), ``compile`` and
``fit`` on the pixels scaled to [0, 1] (the scaling is timed too: the estimator does
it). The two alternate, the order swapped every round, so drift in the machine's
load falls on both; the table gives medians and their ratio.

``predict_proba`` on the 10,000 test digits is timed the same way (after one
untimed call each, which traces Keras' predict function) against raw
``model.predict`` in batches of 128 (the training batch, the size scikeras used
for prediction too) and of 1,024 (the estimator's default prediction batch,
:data:`sumdigits.keras._predict.PREDICT_BATCH_SIZE`).
"""

from __future__ import annotations

import time

import numpy as np

FULL = dict(n_train=30_000, epochs=3, rounds=5, predict_rounds=7)
QUICK = dict(n_train=3_000, epochs=1, rounds=2, predict_rounds=3)
WIDTHS = [512, 256]
BATCH = 128


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def run(data, *, quick=False, seed=0):
    import keras

    from sumdigits.keras import FCNNClassifier
    from sumdigits.keras._predict import PREDICT_BATCH_SIZE
    from sumdigits.keras.builders import build_fcnn

    cfg = QUICK if quick else FULL
    (X, y), (X_test, _) = data
    n = cfg["n_train"]
    X, y = X[:n].reshape(n, -1), y[:n]
    X_test = X_test.reshape(len(X_test), -1)

    def ours_fit():
        return FCNNClassifier(hidden_layer_sizes=WIDTHS, epochs=cfg["epochs"], batch_size=BATCH,
                              learning_rate_init=1e-3, random_state=seed).fit(X, y)

    def raw_fit():
        model = build_fcnn((X.shape[1],), 10, hidden_layer_sizes=WIDTHS, seed=seed)
        model.compile(optimizer=keras.optimizers.Adam(1e-3),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(X.astype("float32") / 255, y, epochs=cfg["epochs"], batch_size=BATCH,
                  verbose=0)
        return model

    fit = {"ours": [], "raw": []}
    est = model = None
    for r in range(cfg["rounds"]):
        order = [("ours", ours_fit), ("raw", raw_fit)]
        for name, fn in order if r % 2 == 0 else order[::-1]:
            out, seconds = _timed(fn)
            fit[name].append(seconds)
            if name == "ours":
                est = out
            else:
                model = out

    def raw_predict(batch_size):
        return lambda: model.predict(X_test.astype("float32") / 255, batch_size=batch_size,
                                     verbose=0)

    contenders = {"ours": lambda: est.predict_proba(X_test),
                  "raw, batch 128": raw_predict(BATCH),
                  f"raw, batch {PREDICT_BATCH_SIZE}": raw_predict(PREDICT_BATCH_SIZE)}
    for fn in contenders.values():  # trace each predict function once, untimed
        fn()
    predict = {name: [] for name in contenders}
    names = list(contenders)
    for r in range(cfg["predict_rounds"]):
        for name in names[r % len(names):] + names[:r % len(names)]:
            predict[name].append(_timed(contenders[name])[1])
    np.testing.assert_allclose(est.predict_proba(X_test).sum(axis=1), 1, rtol=1e-5)

    med = {k: float(np.median(v)) for k, v in {**fit, **{"p " + k: v for k, v in predict.items()}}.items()}
    rows = [["fit", med["ours"], med["raw"], med["ours"] / med["raw"], 1.05]]
    for name in names[1:]:
        rows.append([f"predict_proba vs {name}", med["p ours"], med["p " + name],
                     med["p ours"] / med["p " + name], 1.0])
    return [dict(
        title=f"FCNNClassifier vs raw Keras, MLP 784-512-256-10, {n:,} digits, "
              f"{cfg['epochs']} epochs, batch {BATCH}",
        columns=["step", "ours (s, median)", "raw Keras (s, median)", "ratio", "target"],
        rows=rows,
        notes=(f"Medians of {cfg['rounds']} interleaved fits and {cfg['predict_rounds']} "
               f"interleaved predictions of 10,000 test digits each. All fit times (s): "
               f"ours {[round(t, 2) for t in fit['ours']]}, raw {[round(t, 2) for t in fit['raw']]}."),
    )]
