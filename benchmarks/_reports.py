"""Reports 000 and 001 reproduced row by row: the row kinds, their storage and the page.

A report module (``bench_report000.py``, ``bench_report001.py``) holds one dict of
parameters: the protocol (how many pairs, drawn how) and its rows, each naming its
table, its kind (a function below) and the report's figure. :func:`run_report` runs
the rows asked for (``--only``), stores each finished row as JSON under
``<out>/<report>/<row>.json`` and renders ``<out>/<report>.md`` from every stored
row, so a long report runs in pieces across sessions; a row not yet stored shows as
"not run yet". ``--quick`` rows go to ``<report>-quick`` so they never replace
full ones.

Row kinds, one function each, ``kind(protocol_data, params, seed, folder) -> dict``:

- :func:`fcnn_row`: a report's tuned FCNN trained at the report's size with early
  stopping (the fitted estimator is pickled next to the JSON, for ``tsne_row``);
- :func:`streamed_row`: "ours at our best", an FCNN on fresh random pairs drawn from
  the training digits at every epoch, each digit shifted at random by a pixel or two,
  dropout, a cosine learning-rate decay, early stopping;
- :func:`search_row`: an Optuna search over a report's space with Hyperband pruning
  over epochs on a subsample of pairs, the best refitted at full size;
- :func:`refit_row`: a stored search's best refitted at full size (``fcnn_row`` and
  it take ``max_shift``: the report's pairs, each digit shifted at random anew at
  every epoch);
- :func:`classic_row`: SVM (exact or Nystroem-approximated kernel), random forest,
  AdaBoost, optionally cross-validated, with the classification report and the
  confusion matrix;
- :func:`tsne_row`: the t-SNE grids over perplexity of the input and of the
  network's embedding, the perplexity chosen by silhouette, scikit-learn's TSNE
  timed against openTSNE;
- :func:`digits_row`, :func:`curves_row`, :func:`pca_row`, :func:`inactive_row`:
  single digits (reports 002-004); ``inactive_row`` is a per-step curve (report
  004's inactive neurons per training step).

Every result holds ``model``, ``training``, ``scores`` (test accuracy per test
set), ``fit_s`` and optional ``details`` (Markdown), ``classification_report``,
``confusion_matrix`` and ``figures``.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import sys
import time

import numpy as np

from benchmarks import _store

# The reports' tuned networks (report 000: Table 1; report 001: the best of 50 trials).
REPORT_FCNN = {
    "000": dict(n_hidden_layers=6, dropout=0.104, l2=0.000189, batch_norm=True,
                learning_rate_init=0.000236, batch_size=69),
    "001": dict(hidden_layer_sizes=[512, 256, 128, 64], dropout=0.174,
                learning_rate_init=0.000633, batch_size=64),
    # report 001's trial network of section 2.1, before its search
    "001 trial": dict(hidden_layer_sizes=[512, 256], dropout=0.2, learning_rate_init=0.001,
                      batch_size=64),
}
N_SHOWN = 10  # test pairs stored with their predictions, for a figure
NOT_RUN = "not run yet"


def log(msg):
    print(f"[reports {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def scaled(pairs):
    """Flattened float32 pixels in [0, 1], as the classic models take them."""
    return pairs.data.reshape(len(pairs.data), -1).astype(np.float32) / 255


def evaluate(predict, sets):
    """Accuracy on each test set, and the classification report and confusion matrix
    of the first (the report's test pairs)."""
    from sklearn.metrics import classification_report, confusion_matrix

    scores, first = {}, None
    for name, (X, y) in sets.items():
        y_pred = predict(X)
        scores[name] = float(np.mean(y_pred == y))
        if first is None:
            first = (y, y_pred)
    labels = np.arange(19)
    return dict(scores=scores,
                classification_report=classification_report(*first, labels=labels, digits=4,
                                                             zero_division=0),
                confusion_matrix=confusion_matrix(*first, labels=labels).tolist())


def _test_sets(P, *, flat=False, key="test"):
    convert = scaled if flat else (lambda b: b.data)
    return {name: (convert(b), b.target) for name, b in P.get(key, P["test"]).items()}


def take(pairs, start, stop):
    """Pairs ``start:stop`` of a make_digit_pairs Bunch."""
    from sklearn.utils import Bunch

    return Bunch(data=pairs.data[start:stop], target=pairs.target[start:stop],
                 digits=pairs.digits[start:stop], indices=pairs.indices[start:stop])


def quick_spec(full, changes):
    """The full spec with the quick run's smaller sizes: ``changes`` holds
    ``protocol`` and ``rows`` entries that replace those of ``full``. A full row's
    ``not_run`` (why the full run lacks it) does not apply to the quick run."""
    spec = dict(full, protocol={**full["protocol"], **changes["protocol"]})
    spec["rows"] = {name: {**{k: v for k, v in p.items() if k != "not_run"},
                           **changes["rows"].get(name, {})}
                    for name, p in full["rows"].items()}
    return spec


ACCURACIES = ["train accuracy", "test accuracy"]  # the digits rows' usual score columns
# Ours at our best on single digits (reports 002-004).
DIGITS_BEST = {
    "fcnn": dict(hidden_layer_sizes=[1024, 1024], dropout=0.3, batch_size=128, epochs=40,
                 early_stopping=True, n_iter_no_change=5),
    "cnn": dict(filters=[32, 64, 128], strides=1, pooling="max", batch_norm=True, dropout=0.3,
                hidden_layer_sizes=[256], batch_size=128, epochs=10, learning_rate="cosine"),
}


# ----------------------------------------------------------------------- row kinds
def fit_report_pairs(est, P, p, seed):
    """Fit the FCNN ``est`` on the protocol's training pairs with early stopping.

    With ``p["max_shift"]`` the pairs stay the same, but each digit of each pair moves
    by its own random offset of up to that many pixels, drawn anew at every epoch
    (``DigitPairDataset`` over the pairs' digit indices: an augmentation of the
    report's data, not new pairs). Returns the seconds of the fit and the Markdown that
    says how it was trained.
    """
    from sumdigits.keras.streaming import DigitPairDataset

    train, shift = P["train"], p.get("max_shift", 0)
    keep, val = np.arange(len(train.target)), None
    if "val" in P:  # report 001 has its own validation pairs
        val, held = (P["val"].data, P["val"].target), "the report's validation pairs"
    else:
        held = f"{100 * est.validation_fraction:g} % of the training pairs held out"
        if shift:  # the estimator cannot carve a split from a dataset: hold it out here
            order = np.random.RandomState(seed).permutation(len(keep))
            n_val = round(est.validation_fraction * len(keep))
            keep = np.sort(order[n_val:])
            val = (train.data[order[:n_val]], train.target[order[:n_val]])
    if shift:
        X, y = P["digits"]
        data = DigitPairDataset(X, y, train.indices[keep], layout=P["layout"],
                                batch_size=est.batch_size, shuffle=True, max_shift=shift,
                                random_state=seed)
        _, fit_s = timed(lambda: est.fit_dataset(data, validation_data=val))
        how = (f" Each digit of each training pair moved by its own random offset in "
               f"-{shift}..{shift} pixels down and across, zero filled, drawn anew at every "
               f"epoch (`DigitPairDataset(max_shift={shift})` over the same pairs).")
    else:
        fit_kw = {} if val is None else {"validation_data": val}
        _, fit_s = timed(lambda: est.fit(train.data, train.target, **fit_kw))
        how = ""
    if not est.early_stopping:
        return fit_s, f"{est.epochs} epochs, {held} as validation data.{how}"
    return fit_s, (f"Up to {est.epochs} epochs, early stopping on {held} (patience "
                   f"{est.n_iter_no_change}, best weights restored): {est.n_iter_} epochs "
                   f"run.{how}")


def _training(P, p):
    shift = p.get("max_shift", 0)
    return (f"{len(P['train'].target):,} {P['train_desc']}"
            + (f", each digit shifted by up to {shift} pixel{'s' * (shift != 1)}"
               if shift else ""))


def _fit_fcnn(P, p, seed):
    from sumdigits.keras import FCNNClassifier

    patience = p["patience"]
    est = FCNNClassifier(**REPORT_FCNN[p["network"]], epochs=p["max_epochs"],
                         early_stopping=patience is not None,
                         n_iter_no_change=patience or 5, random_state=seed)
    fit_s, details = fit_report_pairs(est, P, p, seed)
    return est, fit_s, details, evaluate(est.predict, _test_sets(P))


def _fcnn_seed(P, p, seed, folder, first):
    """One seed of :func:`fcnn_row`: (fit seconds, details, scores, epochs, history,
    predictions of the pairs shown, where it ran). Each finished seed is kept in
    ``<folder>/parts/<row>-s<seed>.json`` and read back by a later run of the same
    row and configuration, so a row too long for one session is finished in the
    next; the first seed also pickles its network for the t-SNE row (and is kept
    only while that pickle is there)."""
    part = folder / "parts" / f"{p['name']}-s{seed}.json"
    network = folder / f"{p['name']}.pkl"
    config = json.loads(json.dumps(p))  # as it reads back: tuples as lists
    if part.exists() and (network.exists() or not first):
        kept = json.loads(part.read_text())
        if kept["config"] == config:
            log(f"row {p['name']} seed {seed}: kept from {part.name} ({kept['ran']['time']})")
            return kept
    start, load_start = time.perf_counter(), os.getloadavg()[0]
    est, fit_s, details, scores = _fit_fcnn(P, p, seed)
    if first:
        with open(network, "wb") as f:  # the network, for the t-SNE row
            pickle.dump(est, f)
    shown = next(iter(P["test"].values()))
    provenance = _store.provenance()
    kept = dict(config=config, seed=seed, fit_s=fit_s, details=details, scores=scores,
                epochs=est.n_iter_, history=est.history_,
                y_pred=est.predict(shown.data[:N_SHOWN]).tolist(),
                ran=dict(seconds=time.perf_counter() - start, load_start=load_start,
                         load=os.getloadavg()[0], time=time.strftime("%Y-%m-%d %H:%M:%S"),
                         commit=provenance["commit"]))
    part.parent.mkdir(exist_ok=True)
    part.write_text(json.dumps(kept, indent=1, default=float))
    return kept


def fcnn_row(P, p, seed, folder):
    """A report's FCNN at the report's size, to completion with early stopping (or
    ``max_epochs`` without, when ``patience`` is None), over ``seeds`` seeds (scores:
    mean and sample std); stores the first seed's history per epoch, confusion
    matrix and first test pairs with their predictions. Seeds finished by an earlier
    run of the row are read back (:func:`_fcnn_seed`)."""
    seeds = row_seeds(p, seed)
    runs = [_fcnn_seed(P, p, s, folder, first=s == seed) for s in seeds]
    first = runs[0]
    shown = next(iter(P["test"].values()))
    result = dict(model=f"FCNN, report {p['network']}'s network: "
                        f"{_describe(REPORT_FCNN[p['network']])}",
                  training=_training(P, p), fit_s=first["fit_s"], epochs=first["epochs"],
                  details=first["details"], history=first["history"],
                  pairs=dict(images=shown.data[:N_SHOWN].tolist(),
                             y_true=shown.target[:N_SHOWN].tolist(), y_pred=first["y_pred"]),
                  seed_runs=[dict(r["ran"], seed=r["seed"]) for r in runs],
                  **first["scores"])
    if len(seeds) > 1:
        means, stds = mean_and_spread([r["scores"]["scores"] for r in runs])
        result.update(
            seeds=seeds, fit_s=float(np.mean([r["fit_s"] for r in runs])),
            epochs=float(np.mean([r["epochs"] for r in runs])), scores=means, spread=stds,
            details=f"{first['details']} " + seeds_note(
                seeds, f"epochs run per seed: {', '.join(str(r['epochs']) for r in runs)}; "
                       f"the history, the confusion matrix and the pairs shown are seed "
                       f"{seed}'s"))
    return result


def searched_params(folder, row):
    """The best parameters of the search row ``row``: from its study file (written as the
    search ends, before the refit), else from its stored row (older rows hold them only
    in their ``model`` text, rounded to 6 digits)."""
    import ast

    study = folder / f"{row}_study.json"
    if study.exists():
        return json.loads(study.read_text())["best_params"]
    stored = _store.read_row(folder, row)
    if stored is None:
        raise ValueError(f"row {row!r} has no stored result in {folder}: run `--only {row}` "
                         f"first.")
    if "best_params" in stored:
        return stored["best_params"]
    return ast.literal_eval(stored["model"].split(": ", 1)[1])


def refit_best(best, P, p, seed, max_epochs):
    """An FCNN of a search's ``best`` parameters fitted on the protocol's pairs with early
    stopping (:func:`fit_report_pairs`), its learning rate constant or decaying by the
    schedule ``p["learning_rate"]``. Returns the estimator, its fit seconds and details."""
    from sumdigits.keras import FCNNClassifier

    schedule = p.get("learning_rate", "constant")
    est = FCNNClassifier(**best, epochs=max_epochs, early_stopping=True,
                         n_iter_no_change=p["patience"], learning_rate=schedule,
                         random_state=seed)
    fit_s, details = fit_report_pairs(est, P, p, seed)
    if schedule != "constant":
        details += (f" Learning rate: {schedule} decay from the searched "
                    f"{best['learning_rate_init']:.3g} over the {max_epochs} epochs.")
    return est, fit_s, details


def refit_row(P, p, seed, folder):
    """The best configuration of a stored search row refitted at full size, optionally
    with every digit shifted at random (``max_shift``) and a decaying learning rate
    (``learning_rate``, a schedule name of the estimators)."""
    best = searched_params(folder, p["search_row"])
    est, fit_s, details = refit_best(best, P, p, seed, p["max_epochs"])
    return dict(model=f"FCNN, best of `{p['search_row']}`: {_shown(best)}",
                training=_training(P, p), fit_s=fit_s, epochs=est.n_iter_, details=details,
                history=est.history_,
                **evaluate(est.predict, _test_sets(P)))


def _shown(params):
    return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in params.items()}


def _describe(params):
    from sumdigits.keras.builders import pyramid_widths

    widths = params.get("hidden_layer_sizes") or pyramid_widths(params["n_hidden_layers"])
    parts = [f"{list(widths)}", f"lr {params['learning_rate_init']:.3g}",
             f"batch {params['batch_size']}", f"dropout {params.get('dropout', 0):.3g}"]
    if params.get("l2"):
        parts.append(f"L2 {params['l2']:.3g}")
    if params.get("batch_norm"):
        parts.append("batch norm")
    if params.get("activation"):
        parts.append(params["activation"])
    return ", ".join(parts)


def fresh_pairs_dataset(X, y, n_pairs, *, layout, batch_size, seed, max_shift=0):
    """A DigitPairDataset of ``n_pairs`` random pairs of the digits ``X``, drawn anew at every
    epoch (``resample=True``), each digit moved by its own random offset of up to
    ``max_shift`` pixels (new every epoch)."""
    from sumdigits.keras.streaming import DigitPairDataset
    from sumdigits.pairs import pair_indices

    return DigitPairDataset(X, y, pair_indices(y, n_pairs, strategy="random", random_state=seed),
                            layout=layout, batch_size=batch_size, shuffle=False, resample=True,
                            max_shift=max_shift, random_state=seed)


def streamed_row(P, p, seed, folder):
    """Ours at our best: fresh random pairs every epoch, each digit shifted at random (an
    augmentation), dropout, cosine decay, early stopping."""
    from sumdigits import make_digit_pairs
    from sumdigits.keras import FCNNClassifier

    X, y = P["digits"]
    rng = np.random.RandomState(seed)
    held = np.zeros(len(y), bool)
    held[rng.choice(len(y), p["val_digits"], replace=False)] = True
    val = make_digit_pairs(X[held], y[held], p["val_pairs"], strategy="random",
                           layout=P["layout"], random_state=seed)
    data = fresh_pairs_dataset(X[~held], y[~held], p["pairs_per_epoch"], layout=P["layout"],
                               batch_size=p["batch_size"], seed=seed, max_shift=p["max_shift"])
    est = FCNNClassifier(hidden_layer_sizes=p["hidden_layer_sizes"], dropout=p["dropout"],
                         batch_size=p["batch_size"], epochs=p["max_epochs"],
                         learning_rate="cosine", learning_rate_init=p["learning_rate_init"],
                         early_stopping=True, n_iter_no_change=p["patience"],
                         random_state=seed)
    _, fit_s = timed(lambda: est.fit_dataset(data, validation_data=(val.data, val.target)))
    seen = est.n_iter_ * p["pairs_per_epoch"]
    return dict(model=f"FCNN {p['hidden_layer_sizes']}, whole pair image, dropout "
                      f"{p['dropout']:g}, Adam with cosine decay from "
                      f"{p['learning_rate_init']:g}, batch {p['batch_size']}",
                training=(f"{seen:,} fresh random pairs ({est.n_iter_} epochs of "
                          f"{p['pairs_per_epoch']:,}) of {int((~held).sum()):,} training "
                          f"digits, each digit shifted by up to {p['max_shift']} "
                          f"pixel{'s' * (p['max_shift'] != 1)}"),
                fit_s=fit_s, epochs=est.n_iter_,
                details=(f"Pairs drawn anew at every epoch (`DigitPairDataset(resample=True)` "
                         f"+ fit_dataset); "
                         f"each digit of each pair moved by its own random offset in "
                         f"-{p['max_shift']}..{p['max_shift']} pixels down and across, zero "
                         f"filled, new at every epoch (`DigitPairDataset(max_shift="
                         f"{p['max_shift']})`); early stopping (patience {p['patience']}) on "
                         f"{p['val_pairs']:,} pairs of {p['val_digits']:,} held-out training "
                         f"digits; up to {p['max_epochs']} epochs, the cosine decay spans them "
                         f"all."),
                **evaluate(est.predict, _test_sets(P)))


def search_row(P, p, seed, folder):
    """Optuna over a report's space: Hyperband over epochs on a subsample, refit at full size."""
    import optuna
    from sklearn.model_selection import PredefinedSplit, ShuffleSplit

    from sumdigits.keras import FCNNClassifier
    from sumdigits.tuning import tune

    train = P["train"]
    n = p["search_pairs"]
    X, y = train.data[:n], train.target[:n]
    if p.get("validate_on") == "val":  # the report's own validation pairs, as it did
        X, y = np.concatenate([X, P["val"].data]), np.concatenate([y, P["val"].target])
        cv = PredefinedSplit(np.r_[np.full(n, -1), np.zeros(len(P["val"].target), int)])
        split = f"validated on the report's {len(P['val'].target):,} validation pairs"
    else:
        cv = ShuffleSplit(n_splits=1, test_size=0.2, random_state=seed)
        split = "80/20 validation split"
    pruner = optuna.pruners.HyperbandPruner(min_resource=1, max_resource=p["max_epochs"],
                                            reduction_factor=3)
    search, search_s = timed(lambda: tune(
        FCNNClassifier(epochs=p["max_epochs"], random_state=seed), X, y, space=p["space"],
        n_trials=p["n_trials"], cv=cv, pruner=pruner, random_state=seed, refit=False))
    states = [t.state.name for t in search.trials_]
    pruned_at = {}
    for t in search.trials_:
        if t.state.name == "PRUNED":
            epochs = len(t.intermediate_values)
            pruned_at[epochs] = pruned_at.get(epochs, 0) + 1
    best = dict(search.best_params_)
    log(f"search {search_s:.0f} s, best {best} ({search.best_score_:.4f})")
    # Stored before the refit, so that a refit row can start from it even if this one stops.
    (folder / f"{p['name']}_study.json").write_text(json.dumps(dict(
        best_params=best, best_validation=float(search.best_score_), search_s=search_s,
        states=states, pruned_at=pruned_at), indent=1, default=float))
    est, fit_s, refit_details = refit_best(best, P, p, seed, p["refit_max_epochs"])
    budget = ", ".join(f"{k} epoch{'s' * (k > 1)}: {v}" for k, v in sorted(pruned_at.items()))
    return dict(model=f"FCNN, best of the search: {_shown(best)}", best_params=best,
                training=f"{_training(P, p)} (refit)",
                fit_s=fit_s, epochs=est.n_iter_, search_s=search_s,
                n_trials=len(states), n_pruned=states.count("PRUNED"), pruned_at=pruned_at,
                best_validation=float(search.best_score_),
                details=(f"{len(states)} trials of TPE over the `{p['space']}` space on "
                         f"{n:,} pairs ({split}), HyperbandPruner over 1..."
                         f"{p['max_epochs']} epochs (reduction factor 3): "
                         f"{states.count('COMPLETE')} complete, {states.count('PRUNED')} pruned"
                         + (f" (after {budget})" if budget else "")
                         + f", in {search_s:.0f} s; best validation "
                         f"accuracy {search.best_score_:.4f}. The best refitted on all "
                         f"training pairs in {fit_s:.0f} s. {refit_details}"),
                **evaluate(est.predict, _test_sets(P)))


#: How the per-digit SVC rows get digit probabilities (SVC(probability=True) is deprecated).
SVC_CALIBRATION = dict(cv=3, ensemble=False)


def classic_model(name, params, seed, n_samples):
    """The classic models of the reports, by name."""
    from sklearn.ensemble import AdaBoostClassifier, RandomForestClassifier
    from sklearn.kernel_approximation import Nystroem
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier

    if name == "svc":
        params = dict(params)
        if params.pop("probability", False):  # SVC(probability=True) is deprecated
            from sklearn.calibration import CalibratedClassifierCV

            return CalibratedClassifierCV(SVC(**params), **SVC_CALIBRATION)
        return SVC(**params)
    if name == "svc_onedal":  # the same SVC problem solved by oneDAL (scikit-learn-intelex)
        from sklearnex.svm import SVC as OneDALSVC

        return OneDALSVC(**params)
    if name == "nystroem":  # the kernel approximated by n_components landmarks + a linear model
        kernel = {k: v for k, v in params.items() if k not in ("C", "max_iter")}
        return make_pipeline(
            Nystroem(**kernel, random_state=seed), StandardScaler(),
            LogisticRegression(C=params["C"], max_iter=params.get("max_iter", 200)))
    if name == "forest":
        return RandomForestClassifier(**params, random_state=seed)
    if name == "adaboost":
        return AdaBoostClassifier(DecisionTreeClassifier(max_depth=1), **params,
                                  random_state=seed)
    if name == "adaboost_samme_r":  # scikit-learn < 1.6's default algorithm
        from benchmarks._samme_r import SAMMERClassifier

        return SAMMERClassifier(DecisionTreeClassifier(max_depth=1), **params,
                                random_state=seed)
    raise ValueError(f"unknown classic model {name!r}")


def classic_row(P, p, seed, folder):
    """A classic classifier on flattened pixels / 255, optionally tuned or
    cross-validated; over ``seeds`` seeds, each drawing the report's pairs anew (scores:
    mean and sample std; the confusion matrix and classification report: the first
    seed's)."""
    seeds = row_seeds(p, seed)
    runs = [_classic_seed(P if s == seed else P["redraw"](s), p, s) for s in seeds]
    first = runs[0]
    if len(runs) == 1:
        return first
    means, stds = mean_and_spread([r["scores"] for r in runs])
    return dict(first, scores=means, spread=stds, seeds=seeds,
                fit_s=float(np.mean([r["fit_s"] for r in runs])),
                details=" ".join(f"Seed {s}: {r['details']}" for s, r in zip(seeds, runs))
                + " " + seeds_note(seeds, "the classification report and confusion matrix "
                                          f"are seed {seed}'s",
                                   how=", each drawing the report's pairs anew"))


def _classic_seed(P, p, seed):
    """One seed of :func:`classic_row`."""
    from sklearn.model_selection import cross_val_score
    from threadpoolctl import threadpool_limits

    from sumdigits.tuning import tune

    train = P["classic_train"]
    n = p.get("n_pairs", len(train.target))
    X, y = scaled(train)[:n], train.target[:n]
    model = classic_model(p["model"], p["params"], seed, len(y))
    details = ""
    if p.get("per_digit"):  # ours at our best: the same model on single digits, summed
        from sumdigits import SequentialDigitSumClassifier

        model = SequentialDigitSumClassifier(estimator=model, layout=P["layout"])
        y = train.digits[:n]
        details = ("the same model trained on the pairs' single digits (their digit labels, "
                   "which every generated pair carries) and the two predicted digits added; ")
    with threadpool_limits(1):
        if p.get("tune"):  # search on a subsample, then the best refitted below
            t = p["tune"]  # "model": tune another implementation of the same model
            tuned = classic_model(t.get("model", p["model"]), p["params"], seed, len(y))
            search, tune_s = timed(lambda: tune(tuned, X, y, n_trials=t["n_trials"], cv=t["cv"],
                                                subsample=t["subsample"], random_state=seed,
                                                n_jobs=t.get("n_jobs"), refit=False))
            model.set_params(**search.best_params_)
            at_once = f", {t['n_jobs']} at a time" if t.get("n_jobs", 1) > 1 else ""
            details = (f"tuned: {t['n_trials']} TPE trials{at_once} on {t['subsample']:,} pairs, "
                       f"{t['cv']}-fold CV, {tune_s:.0f} s, best CV accuracy "
                       f"{search.best_score_:.4f} with {search.best_params_}; ")
        if p.get("cv"):
            cv, cv_s = timed(lambda: cross_val_score(model, X, y, cv=p["cv"],
                                                     n_jobs=p.get("n_jobs")))
            details += (f"{p['cv']}-fold CV accuracy {cv.mean():.4f} "
                        f"({', '.join(f'{s:.4f}' for s in cv)}) in {cv_s:.0f} s; ")
        _, fit_s = timed(lambda: model.fit(X, y))
        result, predict_s = timed(lambda: evaluate(model.predict,
                                                   _test_sets(P, flat=True, key="classic_test")))
    params = ", ".join(f"{k}={v!r}" for k, v in p["params"].items() if k != "probability")
    if p.get("tune"):
        params = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v!r}"
                           for k, v in model.get_params(deep=False).items() if k in
                           search.best_params_)
    label = {"svc": "SVC", "svc_onedal": "sklearnex.svm.SVC",
             "nystroem": "Nystroem + LogisticRegression", "forest": "RandomForestClassifier",
             "adaboost": "AdaBoostClassifier(stumps)",
             "adaboost_samme_r": "SAMMERClassifier(stumps)"}
    name = f"{label[p['model']]}({params})"
    if p["params"].get("probability"):
        calibration = ", ".join(f"{k}={v!r}" for k, v in SVC_CALIBRATION.items())
        name = f"CalibratedClassifierCV({name}, {calibration})"
    if p.get("per_digit"):
        name = f"SequentialDigitSumClassifier({name})"
    return dict(model=name, training=f"{len(y):,} {P['classic_desc']}",
                fit_s=fit_s, details=details + f"predicting the test sets took {predict_s:.0f} s.",
                **result)


def _tsne_map(backend, X, perplexity, seed):
    if backend == "opentsne":
        from openTSNE import TSNE

        return np.asarray(TSNE(perplexity=perplexity, initialization="pca", n_jobs=1,
                               random_state=seed).fit(X))
    from sklearn.manifold import TSNE

    return TSNE(perplexity=perplexity, init="pca", random_state=seed).fit_transform(X)


def _tsne_grid(backend, X, y, perplexities, seed):
    """(maps, silhouette scores, seconds) over the perplexity grid."""
    from sklearn.metrics import silhouette_score

    maps, seconds = [], []
    for perplexity in perplexities:
        Z, s = timed(lambda: _tsne_map(backend, X, perplexity, seed))
        maps.append(Z)
        seconds.append(s)
    return maps, [float(silhouette_score(Z, y)) for Z in maps], seconds


def _grid_figure(maps, y, perplexities, scores, title, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sumdigits.plotting import EmbeddingDisplay

    n = len(maps)
    cols = min(n, 3)
    fig, axes = plt.subplots(math.ceil(n / cols), cols, figsize=(4 * cols, 4 * math.ceil(n / cols)),
                             squeeze=False)
    for ax, Z, perplexity, score in zip(axes.ravel(), maps, perplexities, scores):
        EmbeddingDisplay(Z, y, title=f"perplexity {perplexity:g}, silhouette {score:.3f}").plot(
            ax=ax, point_size=3)
    for ax in axes.ravel()[n:]:
        ax.set_axis_off()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def tsne_row(P, p, seed, folder):
    """t-SNE grids of the input and of the embedding of the FCNN row's network."""
    path = folder / f"{p['network_row']}.pkl"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run the {p['network_row']!r} row first "
                                "(its network gives the embedding)")
    with open(path, "rb") as f:
        est = pickle.load(f)
    test = next(iter(P["test"].values()))
    X, y = test.data[:p["n_points"]], test.target[:p["n_points"]]
    inputs = {"input": scaled(test)[:p["n_points"]], "embedding": est.transform(X)}
    figures, lines, chosen = [], [], {}
    for what, Z in inputs.items():
        maps, scores, seconds = _tsne_grid(p["backend"], Z, y, p["perplexities"], seed)
        best = int(np.argmax(scores))
        chosen[what] = (p["perplexities"][best], scores[best])
        name = f"{folder.name}/tsne_{what}.png"
        _grid_figure(maps, y, p["perplexities"], scores,
                     f"t-SNE of the {what} ({len(y):,} test pairs, coloured by sum)",
                     folder / f"tsne_{what}.png")
        figures.append(name)
        lines.append(f"{what}: silhouette " + ", ".join(
            f"{q:g}: {s:.3f}" for q, s in zip(p["perplexities"], scores))
            + f" (chosen {chosen[what][0]:g}); {sum(seconds):.0f} s for the grid")
    # both implementations at one perplexity on the same points
    probe = {}
    for backend in ("sklearn", "opentsne"):
        Z, s = timed(lambda: _tsne_map(backend, inputs["embedding"], p["probe_perplexity"], seed))
        from sklearn.metrics import silhouette_score

        probe[backend] = (s, float(silhouette_score(Z, y)))
    lines.append(f"perplexity {p['probe_perplexity']:g} on the embedding: " + "; ".join(
        f"{b} {s:.1f} s (silhouette {q:.3f})" for b, (s, q) in probe.items()))
    return dict(model=f"t-SNE ({p['backend']}) of the input and of {p['network_row']}'s "
                      "embedding, perplexity chosen by silhouette",
                training=f"{len(y):,} test pairs", fit_s=None,
                scores={f"chosen perplexity ({w})": v[0] for w, v in chosen.items()},
                silhouette={w: v[1] for w, v in chosen.items()}, probe=probe,
                details="; ".join(lines) + ".", figures=figures)


# --------------------------------------------- digit classifiers (reports 002, 003, 004)
def digits_protocol(data, spec, seed):
    """Single digits, flattened float32 pixels in [0, 1]: the first ``train_digits`` of
    the training split (all when absent) and the test split."""
    (X, y), (X_test, y_test) = data
    n = spec["protocol"].get("train_digits", len(y))

    def flat(images):
        return images.reshape(len(images), -1).astype(np.float32) / 255

    return dict(train=(flat(X[:n]), y[:n]), test=(flat(X_test), y_test))


def digit_estimator(p):
    """The estimator of a digits row: ``model`` by name with ``params``, after HOG
    features (``features="hog"``) and noisy copies of the training digits
    (``augment``, GaussianNoiseAugmenter's parameters)."""
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import LinearSVC

    from sumdigits.perceptron import StepDecayPerceptron

    params = dict(p.get("params", {}))
    if p["model"] in ("fcnn", "cnn"):
        from sumdigits.keras import CNNClassifier, FCNNClassifier

        if p["model"] == "cnn" and p.get("features") is None:
            params.setdefault("image_shape", (28, 28))
        model = (FCNNClassifier if p["model"] == "fcnn" else CNNClassifier)(**params)
    else:
        model = {"perceptron": StepDecayPerceptron, "knn": KNeighborsClassifier,
                 "linear_svc": LinearSVC}[p["model"]](**params)
    steps = []
    if p.get("augment"):
        from sumdigits.features import GaussianNoiseAugmenter

        steps.append(GaussianNoiseAugmenter(**p["augment"]))
    if p.get("features") == "hog":
        from sumdigits.features import HOGTransformer

        steps.append(HOGTransformer(digit_shape=(28, 28)))
    if not steps:
        return model
    from imblearn.pipeline import make_pipeline

    return make_pipeline(*steps, model)


def _final(est):
    return est[-1] if hasattr(est, "steps") else est


def digit_scorer(X_train, y_train, classes):
    """A scorer (``scorer(est, X_test, y_test) -> dict``) for :func:`repeated_scores`:
    test and train accuracy, log losses, the network's epochs and parameters, and per
    class precision, recall, F1 and the confusion matrix, each a number (averaged
    over the seeds)."""
    from sklearn.metrics import confusion_matrix, log_loss, precision_recall_fscore_support

    def score(est, X, y):
        y_pred = est.predict(X)
        out = {"test accuracy": float(np.mean(y_pred == y)),
               "train accuracy": float(np.mean(est.predict(X_train) == y_train))}
        if hasattr(est, "predict_proba"):
            for name, (X_, y_) in (("test loss", (X, y)), ("train loss", (X_train, y_train))):
                proba = est.predict_proba(X_)  # a diverged network: NaN, shown as such
                out[name] = (float(log_loss(y_, proba, labels=classes))
                             if np.isfinite(proba).all() else float("nan"))
        final = _final(est)
        if hasattr(final, "model_"):
            out["parameters"] = int(final.model_.count_params())
        if hasattr(final, "n_iter_") and hasattr(final, "model_"):
            out["epochs"] = int(final.n_iter_)
        for name, values in zip(("precision", "recall", "F1"), precision_recall_fscore_support(
                y, y_pred, labels=classes, zero_division=0)[:3]):
            out.update({f"{name} {c}": float(v) for c, v in zip(classes, values)})
        matrix = confusion_matrix(y, y_pred, labels=classes)
        out.update({f"confusion {a} {b}": int(matrix[i, j]) for i, a in enumerate(classes)
                    for j, b in enumerate(classes)})
        return out

    return score


def over_seeds(est, X, y, X_test, y_test, scorer, seeds, first=0):
    """``(means, stds or None, seeds, mean fit seconds)``: :func:`repeated_scores` over
    the seeds ``first, ..., first + seeds - 1``; one seed (``seeds=1``, or an
    estimator without a seed) is one fit."""
    from sumdigits.model_selection import repeated_scores

    seeded = any(k == "random_state" or k.endswith("__random_state") for k in est.get_params())
    if seeds > 1 and seeded:
        result = repeated_scores(est, X, y, X_test, y_test, seeds=np.arange(first, first + seeds),
                                 scoring=scorer)
        return result.mean, result.std, result.seeds.tolist(), float(result.fit_time.mean())
    if seeded:
        est = _seeded(est, first)
    _, fit_s = timed(lambda: est.fit(X, y))
    return scorer(est, X_test, y_test), None, [first], fit_s


def row_seeds(p, seed):
    """The seeds a row runs: ``seed`` and the next ``p["seeds"] - 1`` (one by default)."""
    return list(range(seed, seed + p.get("seeds", 1)))


def seeds_note(seeds, rest, how=""):
    """The sentence a row over several ``seeds`` adds to its details: how its scores
    combine the seeds, ``how`` the seeds differ, and ``rest``."""
    return (f"Over seeds {seeds[0]}..{seeds[-1]}{how}: scores are the mean ± sample std, "
            f"fit s the mean; {rest}.")


def mean_and_spread(runs):
    """The mean and the sample std of each score over runs (dicts of scores); no spread
    (None) for one run."""
    means = {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}
    stds = ({k: float(np.std([r[k] for r in runs], ddof=1)) for k in runs[0]}
            if len(runs) > 1 else None)
    return means, stds


def _seeded(est, seed):
    from sklearn.base import clone

    return clone(est).set_params(**{k: seed for k in est.get_params()
                                    if k == "random_state" or k.endswith("__random_state")})


def over_seeds_with_history(est, X, y, X_test, y_test, scorer, seeds, first=0):
    """:func:`over_seeds` with the test digits given to each fit as validation data,
    so that its history holds the test loss and accuracy per epoch; also returns the
    history per epoch, the mean over the seeds (over the epochs all seeds ran)."""
    runs, histories, fits = [], [], []
    for s in range(first, first + seeds):
        e = _seeded(est, s)
        key = f"{e.steps[-1][0]}__validation_data" if hasattr(e, "steps") else "validation_data"
        _, fit_s = timed(lambda: e.fit(X, y, **{key: (X_test, y_test)}))
        runs.append(scorer(e, X_test, y_test))
        histories.append(_final(e).history_)
        fits.append(fit_s)
    n = min(len(h["loss"]) for h in histories)
    history = {k: np.mean([h[k][:n] for h in histories], axis=0).tolist() for k in histories[0]}
    means, stds = mean_and_spread(runs)
    return means, stds, list(range(first, first + seeds)), float(np.mean(fits)), history


def digits_row(P, p, seed, folder):
    """A digit classifier (``digit_estimator``) fitted over ``seeds`` seeds on the
    training digits (only ``classes`` when given), scored on the test digits. With
    ``curves=True`` each fit gets the test digits as validation data and the row
    stores the mean ``history`` per epoch (HOG features are then computed first)."""
    (X, y), (X_test, y_test) = P["train"], P["test"]
    classes = list(p.get("classes", range(10)))
    if "classes" in p:
        X, y = X[np.isin(y, classes)], y[np.isin(y, classes)]
        X_test, y_test = X_test[np.isin(y_test, classes)], y_test[np.isin(y_test, classes)]
    history = None
    if p.get("curves"):
        if p.get("features") == "hog":  # validation data must be features already
            from sumdigits.features import HOGTransformer

            hog = HOGTransformer(digit_shape=(28, 28)).fit(X)
            X, X_test = hog.transform(X), hog.transform(X_test)
        est = digit_estimator(dict(p, features=None))
        means, stds, seeds, fit_s, history = over_seeds_with_history(
            est, X, y, X_test, y_test, digit_scorer(X, y, classes), p.get("seeds", 1), seed)
    else:
        est = digit_estimator(p)
        means, stds, seeds, fit_s = over_seeds(est, X, y, X_test, y_test,
                                               digit_scorer(X, y, classes), p.get("seeds", 1),
                                               seed)
    shown = ", ".join(f"{k}={v}" for k, v in p.get("params", {}).items())
    prep = []
    if p.get("augment"):
        prep.append(f"GaussianNoiseAugmenter({p['augment']})")
    if p.get("features") == "hog":
        prep.append("HOG (324 features)")
    prep = " + ".join(prep)
    detail = (f"{len(seeds)} seed{'s' * (len(seeds) > 1)} ({seeds[0]}..{seeds[-1]}); "
              f"fit s is the mean per seed")
    if "epochs" in means:
        detail += f"; epochs run: {means['epochs']:.1f} on average"
    if history is not None:
        detail += "; curves: the mean per epoch over the seeds, the test digits as validation"
    extra = {} if history is None else {"history": history}
    return dict(**extra,
                model=(f"{prep} -> " if prep else "") + f"{type(_final(est)).__name__}({shown})",
                training=f"{len(y):,} training digits" + (f" of {classes}" if "classes" in p
                                                           else ""),
                fit_s=fit_s, seeds=seeds, classes=classes, scores=means, spread=stds,
                details=detail + ".")


def curves_row(P, p, seed, folder):
    """Training curves of several variants, the test digits passed as validation data
    (test loss and accuracy per epoch), drawn with TrainingHistoryDisplay."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sumdigits.plotting import TrainingHistoryDisplay

    (X, y), (X_test, y_test) = P["train"], P["test"]
    axes, scores, fits = None, {}, []
    for label, params in p["variants"].items():
        est = digit_estimator(dict(p, params=dict(params, random_state=seed)))
        _, fit_s = timed(lambda: est.fit(X, y, validation_data=(X_test, y_test)))
        fits.append(fit_s)
        disp = TrainingHistoryDisplay.from_estimator(est, name=label, ax=axes,
                                                     smoothing=p.get("smoothing", 0.0))
        axes = disp.axes_
        scores[label] = float(est.history_["val_accuracy"][-1])
    name = f"{p['name']}.png"
    disp.figure_.savefig(folder / name, dpi=80)
    plt.close(disp.figure_)
    smoothing = p.get("smoothing", 0.0)
    return dict(model=f"{p['model']}, " + "; ".join(
                    f"{k}: {', '.join(f'{a}={b}' for a, b in v.items())}"
                    for k, v in p["variants"].items()),
                training=f"{len(y):,} training digits", fit_s=float(sum(fits)), scores=scores,
                figures=[f"{folder.name}/{name}"],
                details=("Solid: training, dashed: the test digits (validation_data), per "
                         "epoch; the scores are the last epoch's test accuracy"
                         + (f"; exponential smoothing {smoothing:g}, true values faint"
                            if smoothing else "") + "."))


def _inactive_measures(batch):
    """label -> (definition, threshold) of the inactive-neuron shares measured."""
    return {"report's": ("per_sample", 1e-5),
            f"report's, batch-mean scale (threshold 1e-5 x {batch})": ("per_sample", 1e-5 * batch),
            "per unit": ("per_unit", 1e-5)}


def _inactive_seed(P, p, seed):
    """(curves {label: (steps, fractions)}, scores, fit s) of one seed's fit."""
    from sumdigits.keras.callbacks import InactiveNeuronFraction

    (X, y), (X_test, y_test) = P["train"], P["test"]
    measures = _inactive_measures(p["params"]["batch_size"])
    callbacks = [InactiveNeuronFraction(definition=d, threshold=t, frequency=p["frequency"],
                                        n_samples=p["n_samples"], log_name=f"inactive_{k}")
                 for k, (d, t) in enumerate(measures.values())]
    est = digit_estimator(dict(p, params=dict(p["params"], callbacks=callbacks,
                                              random_state=seed)))
    _, fit_s = timed(lambda: est.fit(X, y))
    curves = {label: (list(c.steps_), list(c.step_fractions_))
              for label, c in zip(measures, est.callbacks_[:len(measures)])}
    first, scaled, unit = curves.values()
    scores = {"inactive at start (report's)": first[1][0],
              "inactive at end (report's)": first[1][-1],
              "inactive at end (batch-mean scale)": scaled[1][-1],
              "inactive at end (per unit)": unit[1][-1],
              "test accuracy": float(est.score(X_test, y_test))}
    return curves, scores, fit_s


def _inactive_figure(p, curves, path):
    """Each measure's share per step: the mean over the seeds, shaded from the lowest
    to the highest seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for label, runs in curves.items():
        steps = runs[0][0]
        fractions = 100 * np.asarray([f for _, f in runs])
        line, = ax.plot(steps, fractions.mean(axis=0), label=label)
        if len(runs) > 1:
            ax.fill_between(steps, fractions.min(axis=0), fractions.max(axis=0),
                            color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set(xlabel="training step (iteration)", ylabel="inactive neurons, %", ylim=(-2, 102),
           title=f"{p['what']}: |gradient| below the threshold")
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=80, bbox_inches="tight")
    plt.close(fig)


def inactive_row(P, p, seed, folder):
    """Report 004's figure 5: the share of inactive neurons every ``frequency``
    training steps (InactiveNeuronFraction), on the first ``n_samples`` training
    digits: the report's definition, also at a mini-batch-mean loss's scale (a
    threshold ``batch_size`` times larger), and the per-unit one; over ``seeds``
    seeds (scores: mean and sample std; curves: the mean per step)."""
    seeds = row_seeds(p, seed)
    runs = [_inactive_seed(P, p, s) for s in seeds]
    labels = list(runs[0][0])
    curves = {label: [r[0][label] for r in runs] for label in labels}
    name = f"{p['name']}.png"
    _inactive_figure(p, curves, folder / name)
    means, stds = mean_and_spread([r[1] for r in runs])
    batch = p["params"]["batch_size"]
    shown = ", ".join(f"{k}={v}" for k, v in p["params"].items())
    over = (" " + seeds_note(seeds, "the curves are the mean per step, shaded from the "
                                    "lowest to the highest seed") if len(seeds) > 1 else "")
    return dict(model=f"FCNNClassifier({shown})", training=f"{len(P['train'][1]):,} training digits",
                fit_s=float(np.mean([r[2] for r in runs])), scores=means, spread=stds,
                seeds=seeds, figures=[f"{folder.name}/{name}"],
                curves={label: dict(steps=runs_[0][0],
                                    fractions=np.mean([f for _, f in runs_], axis=0).tolist())
                        for label, runs_ in curves.items()},
                details=(f"Measured before every {p['frequency']}-th training step (step 0: "
                         f"the initial network) on the first {p['n_samples']} training "
                         "digits, in inference mode. Report's definition (report 004, "
                         "section 4.4): the share of (digit, neuron) pairs whose gradient of "
                         "that digit's loss at the neuron's pre-activation is below 1e-5; "
                         f"batch-mean scale: the same with the loss averaged over a batch of "
                         f"{batch} (as a from-scratch implementation may compute it), i.e. "
                         f"the threshold 1e-5 x {batch}. Per unit: the share of neurons whose "
                         "mean-loss gradient on every incoming weight is below 1e-5 (no digit "
                         "moves them). InactiveNeuronFraction(definition=..., threshold=..., "
                         "frequency=...)." + over))


def _accuracies(est, X, Y, X_test, Y_test, tasks):
    """Train and test accuracy of each task (a column of Y)."""
    out = {}
    for split, (X_, Y_) in (("train", (X, Y)), ("test", (X_test, Y_test))):
        pred = est.predict(X_)
        pred = pred.reshape(len(pred), -1)
        for t, task in enumerate(tasks):
            out[f"{task} {split} accuracy"] = float(np.mean(pred[:, t] == Y_[:, t]))
    return out


def multitask_row(P, p, seed, folder):
    """Report 002's task 6 on single digits: the digit and a coarse grouping of it
    (``groups``: the class edges), as single-task networks (``variant="single"``),
    one hard-shared MultiTaskClassifier (``"shared"``) or a sweep of its
    ``task_weights`` (``"weights"``: the weights of the best mean training accuracy
    are the row's); ``"pairs"``: MultiTaskSumClassifier on digit pairs (first digit,
    second digit, sum) over a sweep of its task weights."""
    from sumdigits import make_digit_pairs
    from sumdigits.keras import FCNNClassifier, MultiTaskClassifier, MultiTaskSumClassifier

    (X, y), (X_test, y_test) = P["train"], P["test"]
    params, variant = p["params"], p["variant"]
    if variant == "pairs":
        train = make_digit_pairs(X, y, p["n_pairs"], strategy="random", random_state=seed)
        test = make_digit_pairs(X_test, y_test, p["n_test_pairs"], strategy="random",
                                random_state=seed)
        X, X_test = train.data, test.data
        Y = np.column_stack([train.digits, train.target])
        Y_test = np.column_stack([test.digits, test.target])
        tasks, make = ("first", "second", "sum"), MultiTaskSumClassifier
        training = (f"{p['n_pairs']:,} random pairs of the training digits; test: "
                    f"{p['n_test_pairs']:,} random pairs of the test digits")
    else:
        Y = np.column_stack([y, np.digitize(y, p["groups"])])
        Y_test = np.column_stack([y_test, np.digitize(y_test, p["groups"])])
        tasks, make = ("digit", "group"), MultiTaskClassifier
        training = f"{len(y):,} training digits"
    fit_s = 0.0
    if variant == "single":  # one network per task, as deep as a path through the shared one
        single = {k: v for k, v in params.items() if k not in ("head_layer_sizes",)}
        single["hidden_layer_sizes"] = (list(params["hidden_layer_sizes"])
                                        + list(params["head_layer_sizes"]))
        scores, n_params = {}, 0
        for t, task in enumerate(tasks):
            est = FCNNClassifier(**single, random_state=seed)
            _, s = timed(lambda: est.fit(X, Y[:, t]))
            fit_s += s
            n_params += est.model_.count_params()
            got = _accuracies(est, X, Y[:, [t]], X_test, Y_test[:, [t]], [task])
            scores.update(got)
        scores = {"parameters": n_params, **scores}
        shown = ", ".join(f"{k}={v}" for k, v in single.items())
        return dict(model=f"{len(tasks)} x FCNNClassifier({shown})", training=training,
                    fit_s=fit_s, scores=scores,
                    details=f"One network per task ({', '.join(tasks)}); parameters and "
                            "seconds are their sums.")
    sweep = p.get("weights", [None])
    results = []
    for weights in sweep:
        est = make(**params, **({} if weights is None else {"task_weights": list(weights)}),
                   random_state=seed)
        X_fit, Y_fit = (X, Y[:, :2]) if variant == "pairs" else (X, Y)
        _, s = timed(lambda: est.fit(X_fit, Y_fit))
        fit_s += s
        if variant == "pairs":
            pred = {"train": (est.predict_digits(X), est.predict(X)),
                    "test": (est.predict_digits(X_test), est.predict(X_test))}
            got = {}
            for split, Y_ in (("train", Y), ("test", Y_test)):
                digits, sums = pred[split]
                for t, task in enumerate(tasks[:2]):
                    got[f"{task} {split} accuracy"] = float(np.mean(digits[:, t] == Y_[:, t]))
                got[f"sum {split} accuracy"] = float(np.mean(sums == Y_[:, 2]))
        else:
            got = _accuracies(est, X, Y, X_test, Y_test, tasks)
        results.append((weights, {"parameters": est.model_.count_params(), **got}))
    train_mean = [np.mean([v for k, v in r.items() if "train" in k]) for _, r in results]
    best = int(np.argmax(train_mean))
    weights, scores = results[best]
    details = f"Tasks: {', '.join(tasks)}; fit s is the sum over the fits."
    if len(sweep) > 1:
        details += (" Task weights swept (train / test accuracy per task); the row shows the "
                    "weights of the best mean training accuracy, "
                    f"{list(weights)}: " + "; ".join(
                        f"{list(w)}: " + ", ".join(
                            f"{task} {r[f'{task} train accuracy']:.4f} / "
                            f"{r[f'{task} test accuracy']:.4f}" for task in tasks)
                        for w, r in results) + ".")
    shown = dict(params, **({} if weights is None else {"task_weights": list(weights)}))
    return dict(model=f"{make.__name__}({', '.join(f'{k}={v}' for k, v in shown.items())})",
                training=training, fit_s=fit_s, scores=scores, details=details,
                sweep=[dict(weights=w, scores=r) for w, r in results])


def pca_row(P, p, seed, folder):
    """Figure 1 (the first two principal components of the training digits, with their
    variance ratios) and figure 2 (a grid of digits)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.decomposition import PCA

    from sumdigits.plotting import EmbeddingDisplay

    X, y = P["train"]
    pca, fit_s = timed(lambda: PCA(n_components=2, random_state=seed).fit(X))
    ratio = pca.explained_variance_ratio_ * 100
    n = p["n_points"]
    disp = EmbeddingDisplay(pca.transform(X[:n]), y[:n], title="PCA of the training digits")
    disp.plot(point_size=3)
    disp.ax_.set(xlabel=f"PC1 ({ratio[0]:.2f} % of the variance)",
                 ylabel=f"PC2 ({ratio[1]:.2f} % of the variance)")
    disp.figure_.savefig(folder / "pca.png", dpi=80)
    plt.close(disp.figure_)
    fig, axes = plt.subplots(4, 10, figsize=(8, 3.4))
    for digit, column in enumerate(axes.T):
        for ax, image in zip(column, X[y == digit][:4]):
            ax.imshow(image.reshape(28, 28), cmap="gray_r")
            ax.set_axis_off()
    fig.savefig(folder / "digits.png", dpi=80)
    plt.close(fig)
    return dict(model="PCA(n_components=2) of the pixels / 255", fit_s=fit_s,
                training=f"{len(y):,} training digits",
                scores={"PC1 variance %": float(ratio[0]), "PC2 variance %": float(ratio[1])},
                figures=[f"{folder.name}/pca.png", f"{folder.name}/digits.png"],
                details=f"Figure 1 on the first {n:,} training digits; figure 2: four digits "
                        "of each class.")


KINDS = {"fcnn": fcnn_row, "streamed": streamed_row, "search": search_row, "refit": refit_row,
         "classic": classic_row, "tsne": tsne_row, "digits": digits_row,
         "curves": curves_row, "pca": pca_row, "inactive": inactive_row,
         "multitask": multitask_row}


# ------------------------------------------------------------------ storage and page
def run_report(report, spec, protocol, data, *, quick=False, seed=0, only=None, out=None,
               data_source=None):
    """Run the rows ``only`` (default all) of ``spec``, store each, render the page.

    ``protocol(data, spec, seed)`` builds the report's pairs (a dict). Returns the
    page's tables (the format of ``benchmarks.run``).
    """
    rows = spec["rows"]
    names = list(rows) if not only else list(only)
    unknown = sorted(set(names) - set(rows))
    if unknown:
        raise ValueError(f"unknown row(s) {unknown} of report {report}; rows: {list(rows)}")
    waiting = [name for name in names if rows[name].get("needs")]
    if only and waiting:
        raise ValueError(f"row(s) {waiting} of report {report} cannot run yet: "
                         + "; ".join(f"{n} needs {rows[n]['needs']}" for n in waiting))
    for name in waiting:
        log(f"report {report} row {name} skipped: needs {rows[name]['needs']}")
    names = [name for name in names if name not in waiting]
    folder = _store.folder(out, f"report{report}", quick)
    folder.mkdir(parents=True, exist_ok=True)
    from benchmarks import _report_figures

    kinds = {**KINDS, **_report_figures.KINDS}
    P = dict(protocol(data, spec, seed), redraw=lambda s: protocol(data, spec, s))
    for name in names:
        p = dict(rows[name], name=name)
        load_start = os.getloadavg()[0]
        log(f"report {report} row {name} ({p['kind']}) starts, load {load_start:.1f}")
        result, seconds = timed(lambda: kinds[p["kind"]](P, p, seed, folder))
        _store.write_row(folder, name, result, seed=seed, quick=quick, seconds=seconds,
                         load_start=load_start, data=data_source)
        shown = dict(list(result["scores"].items())[:4])
        log(f"row {name} done in {seconds:.0f} s: {shown}")
    tables = page_tables(report, spec, folder)
    write_page(report, spec, tables, folder, quick)
    return tables


def _reported_value(reported):
    """The report's test accuracy in a spec's ``reported``: the number itself, the one
    after "test", or the one it starts with; None when there is none."""
    import re

    if isinstance(reported, (int, float)) and not isinstance(reported, bool):
        return float(reported)
    if not isinstance(reported, str):
        return None
    found = re.search(r"\btest (0\.\d+)", reported) or re.match(r"(0\.\d+)", reported)
    return float(found.group(1)) if found else None


def against_report(p, r):
    """Where the report's figure lies against ours over several seeds: within our mean
    ± 2 sample std of the test accuracy, above or below; "" for a row of one seed or a
    figure that is not a test accuracy."""
    value, spread = _reported_value(p.get("reported")), r.get("spread")
    name = next((n for n in r["scores"] if n == "test accuracy"), next(iter(r["scores"])))
    if value is None or not spread or name not in spread:
        return ""
    mean, std = r["scores"][name], spread[name]
    where = ("within" if abs(value - mean) <= 2 * std
             else "above" if value > mean else "below")
    return (f"The report's {value:g} lies {where} ours ({name}: {mean:.4f} ± 2 x {std:.4f}, "
            f"{len(r.get('seeds', []))} seeds).")


def _score_cell(r, name):
    """A stored score; ``mean ± std`` over the seeds where the row has a spread."""
    value, spread = r["scores"].get(name), (r.get("spread") or {}).get(name)
    if name == "parameters" and value is not None:
        return f"{int(value):,}"
    if value is None or spread is None:
        return value
    digits = 1 if name == "epochs" else 4
    return f"{value:.{digits}f} ± {spread:.{digits}f}"


def _seed_cell(r):
    seeds = r.get("seeds", [r["seed"]])
    return str(seeds[0]) if len(seeds) == 1 else f"{seeds[0]}..{seeds[-1]}"


def per_class_tables(r):
    """Markdown: precision, recall and F1 per class (mean ± std over the seeds) and the
    confusion matrix (mean over the seeds) of a digits row."""
    classes = r["classes"]

    def cell(name):
        return _score_cell(r, name) if r.get("spread") else f"{r['scores'][name]:.4f}"

    lines = ["| | " + " | ".join(map(str, classes)) + " |", "|---|" + "---|" * len(classes)]
    lines += [f"| {m} | " + " | ".join(cell(f"{m} {c}") for c in classes) + " |"
              for m in ("precision", "recall", "F1")]
    lines += ["", "confusion matrix (rows: true digit, columns: predicted; mean over the "
              "seeds):", "", "| | " + " | ".join(map(str, classes)) + " |",
              "|---|" + "---|" * len(classes)]
    counts = {k: v for k, v in r["scores"].items() if k.startswith("confusion ")}
    count = "{:g}" if all(float(v).is_integer() for v in counts.values()) else "{:.1f}"
    lines += [f"| {a} | " + " | ".join(count.format(counts[f"confusion {a} {b}"])
                                       for b in classes) + " |" for a in classes]
    return "\n".join(lines)


def page_tables(report, spec, folder):
    """The page's tables from every stored row (``benchmarks.run``'s table format)."""
    tables = []
    for title, table in spec["tables"].items():
        score_names = table.get("score_columns", spec["score_columns"])
        rows = []
        for name in table["rows"]:
            p, r = spec["rows"][name], _store.read_row(folder, name)
            theirs = p.get("reported")
            if r is None:
                reason = p.get("not_run") or (f"needs {p['needs']}" if p.get("needs") else "")
                waiting = f"{NOT_RUN}: {reason}" if reason else NOT_RUN
                rows.append([name, p["what"], waiting, "", theirs]
                            + [None] * len(score_names) + [None, None])
            else:
                rows.append([name, p["what"], r["model"], r["training"], theirs]
                            + [_score_cell(r, s) for s in score_names]
                            + [r.get("fit_s"), _seed_cell(r)])
        columns = ["row", "what", "model", "training", "report"] + score_names + ["fit s", "seed"]
        tables.append(dict(title=title, columns=columns, rows=rows, notes=table.get("notes"),
                           row_names=table["rows"]))
    return tables


#: The sentence that ends the details a row kind writes. Rows stored before notes were
#: kept in the spec alone hold the note of their day after it; the page shows the spec's
#: note instead, so a note corrected in the spec never shows beside its old wording.
_KIND_DETAILS_END = {"classic": "predicting the test sets took"}


def _details(r, p):
    """A row's details as its kind wrote them, then its spec's note."""
    details, note = r.get("details", ""), p.get("note")
    end = _KIND_DETAILS_END.get(p.get("kind"))
    if end and end in details:
        start = details.rindex(end)
        details = details[:details.index(".", start) + 1]
    return f"{details} {note}".strip() if note else details


def per_class_details(r, subject):
    """Markdown lines: a digits row's per-class tables, folded under ``subject``; none for
    a row without per-class scores."""
    if not (r.get("classes") and f"precision {r['classes'][0]}" in r["scores"]):
        return []
    return [f"<details><summary>precision, recall, F1 and confusion matrix {subject}"
            "</summary>", "", per_class_tables(r), "", "</details>", ""]


def classification_details(r, subject):
    """Markdown lines: a pairs row's classification report and 19 x 19 confusion matrix,
    folded under ``subject``; none for a row without them."""
    if not r.get("classification_report"):
        return []
    matrix = "\n".join(" ".join(f"{v:5d}" for v in row) for row in r["confusion_matrix"])
    return [f"<details><summary>classification report and confusion matrix {subject}"
            "</summary>", "", "```text", r["classification_report"].rstrip(), "",
            "confusion matrix (rows: true sum 0..18, columns: predicted):", matrix, "```", "",
            "</details>", ""]


def write_page(report, spec, tables, folder, quick):
    from benchmarks.run import markdown_table

    command = f"python -m benchmarks.run report{report}" + (" --quick" if quick else "")
    lines = [f"# Report {report} reproduced", "", spec["intro"], "",
             f"Every row: `{command} --only ROW`; all rows: `{command}`. Rows are stored in "
             f"`{folder.name}/`; this page is rendered from them.", ""]
    shown = set()  # a row in several tables has its details under the first
    for table in tables:
        lines.append(markdown_table({k: table[k] for k in ("title", "columns", "rows", "notes")}))
        for name in table["row_names"]:
            r = _store.read_row(folder, name)
            if r is None or name in shown:
                continue
            shown.add(name)
            against = against_report(spec["rows"][name], r)
            lines.append(f"**{name}** ({_store.provenance_line(r)}): "
                         f"{_details(r, spec['rows'][name])}"
                         + (f" {against}" if against else "") + "\n")
            lines += per_class_details(r, "on the test digits")
            for figure in r.get("figures", []):
                lines.append(f"![{figure}]({figure})\n")
            lines += classification_details(r, f"({next(iter(r['scores']))})")
    path = folder.parent / f"{folder.name}.md"
    path.write_text("\n".join(lines))
    return path
