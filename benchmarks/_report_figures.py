"""Row kinds that store what the reports' figures show (drawn by ``_figures``).

Each is ``kind(protocol_data, params, seed, folder) -> dict`` like the kinds of
``_reports``, and stores the numbers of its figures in the fields ``_figures`` draws
from:

- :func:`data_row`: the sums' distribution of each set of pairs and a few pairs
  (reports 000 and 001: figures 1-2);
- :func:`linear_row`: logistic regression on the whole pair against one per digit
  combined, by training size, and their sum probabilities at the largest size
  (report 000: table 11, figures 8-10; report 001: figure 6);
- :func:`perceptron_row`: the step-decay perceptron's weight image and training error
  curve for some pairs of digit classes (report 002: figures 3-5);
- :func:`cnn_maps_row`: a CNN's first-layer kernels and its feature maps of a "2" and
  a "9" (report 002: figures 11-13).
"""

from __future__ import annotations

import numpy as np

from benchmarks._reports import digit_estimator, scaled, timed


def _counts(target):
    return np.bincount(np.asarray(target), minlength=19).tolist()


def data_row(P, p, seed, folder):
    """The sums' distribution of the protocol's sets, and ``n_pairs`` training pairs."""
    sets = {"training": P["train"].target, **({"validation": P["val"].target} if "val" in P
                                              else {}),
            **{name: pairs.target for name, pairs in P["test"].items()}}
    sample = p.get("sample")
    if sample:  # a small random sample of the training pairs, as report 000's figure 2
        pick = np.random.RandomState(seed).choice(len(P["train"].target), sample, replace=False)
        sets[f"{sample} training"] = P["train"].target[pick]
    n = p.get("n_pairs", 1)
    train = P["train"]
    return dict(model="no model: the data", training=f"{len(train.target):,} {P['train_desc']}",
                fit_s=0.0, scores={name if name.endswith("pairs") else f"{name} pairs": len(t)
                                   for name, t in sets.items()},
                distribution={name: _counts(t) for name, t in sets.items()},
                pairs=dict(images=train.data[:n].tolist(), y_true=train.target[:n].tolist()),
                details=f"The sums of each set, and the first {n} training pair(s).")


def linear_row(P, p, seed, folder):
    """Single vs sequential logistic regression by training size (bench_linear's models),
    and both models' sum probabilities of the first test pairs at the largest size."""
    from benchmarks.bench_linear import scaled_pairs, single_and_sequential

    X, y = P["digits"]
    test_name, test = list(P["test"].items())[-1]  # the disjoint test pairs where there are two
    X_test = scaled(test)
    scores = {"single": [], "sequential": []}
    fits = []
    for n in p["sizes"]:
        train = scaled_pairs(X, y, n, strategy="random", seed=seed, layout=P["layout"])
        single, t1, seq, t2 = single_and_sequential(train, P["layout"])
        fits.append(t1 + t2)
        scores["single"].append(float(single.score(X_test, test.target)))
        scores["sequential"].append(float(seq.score(X_test, test.target)))
    k = p.get("n_proba", 5)
    proba = {name: dict(y_proba=model.predict_proba(X_test[:k]).tolist(),
                        y_true=test.target[:k].tolist())
             for name, model in (("single", single), ("sequential", seq))}
    last = p["sizes"][-1]
    return dict(model="LogisticRegression(max_iter=1000) on the pair (single, 19 sums) or on "
                      "each digit, combined (SequentialDigitSumClassifier, sequential)",
                training=f"{p['sizes'][0]:,} to {last:,} random training pairs",
                fit_s=float(sum(fits)),
                scores={f"{name} {n:,}": s for name, values in scores.items()
                        for n, s in zip(p["sizes"], values)},
                sizes=dict(train_sizes=list(p["sizes"]), scores=scores),
                proba=proba, sample=p.get("sample", 0),
                details=(f"Accuracy on the {len(test.target):,} {test_name} by training pairs; the "
                         f"probabilities are those of the first {k} test pairs at {last:,} "
                         f"training pairs."))


def perceptron_row(P, p, seed, folder):
    """The perceptron's weights + bias as an image and its training error per iteration,
    for each pair of digit classes in ``p["pairs"]``."""
    (X, y), (X_test, y_test) = P["train"], P["test"]
    weights, errors, scores, fits = {}, {}, {}, []
    for a, b in p["pairs"]:
        keep, keep_test = np.isin(y, (a, b)), np.isin(y_test, (a, b))
        est = digit_estimator(dict(p, params=dict(p.get("params", {}), random_state=seed)))
        _, fit_s = timed(lambda: est.fit(X[keep], y[keep]))
        fits.append(fit_s)
        label = f"{a} vs {b}"
        weights[label] = (est.coef_[0] + est.intercept_[0]).reshape(28, 28).tolist()
        errors[label] = est.errors_.tolist()
        scores[f"{label} test accuracy"] = float(est.score(X_test[keep_test], y_test[keep_test]))
    return dict(model=f"StepDecayPerceptron({p.get('params') or ''})",
                training="the training digits of each pair of classes", fit_s=float(sum(fits)),
                scores=scores, weights=weights, errors=errors,
                details="Weights: each pixel's weight plus the bias, as the report draws "
                        "them; errors: the training error after each iteration.")


def cnn_maps_row(P, p, seed, folder):
    """A CNN fitted on the training digits: its first convolution's kernels and the
    feature maps of the first test "2" and "9" after it."""
    import keras

    (X, y), (X_test, y_test) = P["train"], P["test"]
    est = digit_estimator(dict(p, params=dict(p["params"], random_state=seed)))
    _, fit_s = timed(lambda: est.fit(X, y))
    conv = next(layer for layer in est.model_.layers if "conv" in layer.name)
    kernels = conv.get_weights()[0]
    first = keras.Model(est.model_.inputs, conv.output)
    maps = {}
    for digit in p["digits"]:
        image = X_test[y_test == digit][:1]
        out = first.predict(image.reshape(1, 28, 28, 1), verbose=0)[0]
        maps[str(digit)] = dict(image=image.reshape(28, 28).tolist(),
                                maps=np.round(out, 4).tolist())
    return dict(model=f"CNNClassifier({p['params']})", training=f"{len(y):,} training digits",
                fit_s=fit_s, scores={"test accuracy": float(est.score(X_test, y_test))},
                layer=conv.name, kernels=kernels.tolist(), feature_maps=maps,
                details="The first convolution's kernels; feature maps of the first test "
                        f"digits {', '.join(map(str, p['digits']))} after it (before pooling "
                        "or activation where the layer has none).")


KINDS = {"data": data_row, "linear": linear_row, "perceptron_figures": perceptron_row,
         "cnn_maps": cnn_maps_row}
