"""The reports' reproductions (benchmarks/bench_report000.py ... bench_report004.py) in quick mode.

Each runs the same code as the full run on the embedded subset, into a temporary
folder; the tests read the page they render and the rows they store.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks import (
    bench_report000,
    bench_report001,
    bench_report002,
    bench_report003,
    bench_report004,
)
from benchmarks._reports import NOT_RUN, _shown, fresh_pairs_dataset
from benchmarks.run import main


def page_tables(text):
    """{table title: [row cells]} of a rendered Markdown page."""
    tables, title = {}, None
    for line in text.splitlines():
        if line.startswith("### "):
            title = line[4:]
            tables[title] = []
        elif line.startswith("| ") and title is not None and not line.startswith("| row |"):
            tables[title].append([cell.strip() for cell in line.strip("|").split("|")])
        elif title is not None and tables[title] and not line.startswith("|"):
            title = None  # the table has ended: what follows are the rows' details
    return tables


def run_quick(report, tmp_path, only=None):
    argv = [f"report{report}", "--quick", "--data", "embedded", "--out", str(tmp_path)]
    main(argv + (["--only", ",".join(only)] if only else []))
    return (tmp_path / f"report{report}-quick.md").read_text()


def check_page(module, text, *, ran):
    spec = module.QUICK
    tables = page_tables(text)
    assert list(tables) == list(spec["tables"])
    for title, table in spec["tables"].items():
        rows = tables[title]
        assert [row[0] for row in rows] == table["rows"]
        n_scores = len(table.get("score_columns", spec["score_columns"]))
        names = table.get("score_columns", spec["score_columns"])
        for row in rows:
            name, p = row[0], spec["rows"][row[0]]
            assert row[1] == p["what"]
            scores = row[5:5 + n_scores]
            if name not in ran:
                waiting = f"{NOT_RUN}: needs {p['needs']}" if p.get("needs") else NOT_RUN
                assert row[2] == waiting and scores == [""] * n_scores
            elif p["kind"] == "tsne":  # the chosen perplexities, from the grid
                assert all(float(s) in p["perplexities"] for s in scores)
            elif p["kind"] == "data":  # counts of pairs, no model
                assert all(int(s) > 0 for s in scores) and float(row[-2]) == 0
            else:
                check_scores(dict(zip(names, scores)), p)
                seeds = p.get("seeds", 1)  # one seed, or the range of seeds
                assert row[-1] == ("0" if seeds == 1 else f"0..{seeds - 1}"), row
                assert float(row[-2]) > 0  # fit seconds


def check_scores(scores, p):
    """Scores as the page shows them: ``mean ± std`` over several seeds, in range."""
    for name, cell in scores.items():
        if name == "parameters":
            assert int(cell.replace(",", "")) > 0
            continue
        if p["kind"] == "linear" and cell == "":  # a training size the quick run skips
            assert int(name.split()[-1].replace(",", "")) > max(p["sizes"])
            continue
        mean, *spread = [float(v) for v in cell.split(" ± ")]
        seeded_kinds = ("digits", "fcnn", "inactive", "classic")
        assert len(spread) == (p.get("seeds", 1) > 1 and p["kind"] in seeded_kinds), cell
        assert all(s >= 0 for s in spread)
        if "loss" in name:
            assert mean > 0
        elif "%" in name:
            assert 0 < mean < 100
        elif name == "epochs":
            assert 1 <= mean <= p["params"]["epochs"]
        else:  # accuracies and per-class scores
            assert 0 <= mean <= 1, (name, cell)


@pytest.mark.slow
def test_report000_quick_runs_every_row_kind(tmp_path):
    text = run_quick("000", tmp_path)
    check_page(bench_report000, text, ran=set(bench_report000.QUICK["rows"]))
    folder = tmp_path / "report000-quick"
    for figure in ("tsne_input.png", "tsne_embedding.png"):
        assert (folder / figure).stat().st_size > 0
        assert f"](report000-quick/{figure})" in text
    search = json.loads((folder / "search.json").read_text())
    assert search["n_trials"] == bench_report000.QUICK["rows"]["search"]["n_trials"]
    assert search["n_pruned"] == sum(search["pruned_at"].values())
    assert "DigitPairDataset(max_shift=1)" in search["details"]  # the refit is shifted
    forest = json.loads((folder / "forest.json").read_text())
    matrix = forest["confusion_matrix"]
    assert len(matrix) == 19 and sum(map(sum, matrix)) == bench_report000.QUICK["protocol"][
        "test_pairs"]
    assert "classification report and confusion matrix" in text


@pytest.mark.slow
def test_report001_runs_in_pieces_and_keeps_finished_rows(tmp_path):
    text = run_quick("001", tmp_path, only=["forest"])
    check_page(bench_report001, text, ran={"forest"})
    stored = (tmp_path / "report001-quick" / "forest.json").read_text()
    text = run_quick("001", tmp_path, only=["fcnn", "svm_cv", "svm_cv_onedal"])
    check_page(bench_report001, text, ran={"forest", "fcnn", "svm_cv", "svm_cv_onedal"})
    assert (tmp_path / "report001-quick" / "forest.json").read_text() == stored
    cv = json.loads((tmp_path / "report001-quick" / "svm_cv.json").read_text())
    assert set(cv["scores"]) == {bench_report001.THEIRS, bench_report001.OURS}
    assert "2-fold CV accuracy" in cv["details"]
    # over two seeds, each on pairs drawn anew: a CV per seed, a mean with a spread
    seeded = json.loads((tmp_path / "report001-quick" / "svm_cv_onedal.json").read_text())
    assert seeded["seeds"] == [0, 1] and set(seeded["spread"]) == set(seeded["scores"])
    assert seeded["details"].count("2-fold CV accuracy") == 2
    assert "came from training images" in text


@pytest.mark.slow
def test_fcnn_seeds_finished_by_an_earlier_run_are_kept(tmp_path):
    # A row over several seeds resumes where a stopped run left it: each finished seed
    # is read back, an unfinished one refitted, and a seed kept under another
    # configuration refitted too.
    assert bench_report001.QUICK["rows"]["fcnn"]["seeds"] == 2
    run_quick("001", tmp_path, only=["fcnn"])
    folder, parts = tmp_path / "report001-quick", tmp_path / "report001-quick" / "parts"
    row = json.loads((folder / "fcnn.json").read_text())
    first = (parts / "fcnn-s0.json").read_text()
    (parts / "fcnn-s1.json").unlink()  # as if the run had stopped after its first seed
    run_quick("001", tmp_path, only=["fcnn"])
    again = json.loads((folder / "fcnn.json").read_text())
    assert (parts / "fcnn-s0.json").read_text() == first
    assert again["seed_runs"][0] == row["seed_runs"][0]
    assert (parts / "fcnn-s1.json").exists() and len(again["seed_runs"]) == 2
    other = json.loads(first)
    other["config"]["max_epochs"] += 1
    (parts / "fcnn-s0.json").write_text(json.dumps(other))
    run_quick("001", tmp_path, only=["fcnn"])
    refitted = json.loads((parts / "fcnn-s0.json").read_text())
    assert refitted["config"] == json.loads(first)["config"]
    # the first seed's network is pickled for the t-SNE row: without it, refitted
    refitted["ran"]["time"] = "marked"
    (parts / "fcnn-s0.json").write_text(json.dumps(refitted))
    (folder / "fcnn.pkl").unlink()
    run_quick("001", tmp_path, only=["fcnn"])
    assert (folder / "fcnn.pkl").exists()
    assert json.loads((parts / "fcnn-s0.json").read_text())["ran"]["time"] != "marked"


def test_unknown_rows_and_only_without_a_report_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"unknown row\(s\) \['nope'\] of report 000"):
        run_quick("000", tmp_path, only=["nope"])
    with pytest.raises(SystemExit):
        main(["pairs", "--quick", "--only", "fcnn", "--out", str(tmp_path)])


@pytest.mark.slow
def test_streamed_pairs_are_drawn_anew_at_every_epoch():
    from sumdigits import load_mnist

    (X, y), _ = load_mnist("embedded")
    data = fresh_pairs_dataset(X, y, 1_000, layout="vertical", batch_size=100, seed=0)
    first = data.indices.copy()
    X0, y0 = data[0]
    assert X0.shape == (100, 56, 28)
    assert (y0 == y[first[:100]].sum(axis=1)).all()
    data.on_epoch_end()
    assert data.indices.shape == first.shape and (data.indices != first).any(axis=1).mean() > 0.99
    assert (data[0][1] == y[data.indices[:100]].sum(axis=1)).all()
    # and a fit asks for them: after two epochs the pairs are new again
    from sumdigits.keras import FCNNClassifier

    before = data.indices.copy()
    FCNNClassifier(hidden_layer_sizes=[8], epochs=2, random_state=0).fit_dataset(data)
    assert (data.indices != before).any(axis=1).mean() > 0.99


def test_streamed_pairs_shift_each_digit_and_keep_the_pairs():
    from sumdigits import load_mnist

    (X, y), _ = load_mnist("embedded")
    plain = fresh_pairs_dataset(X, y, 500, layout="horizontal", batch_size=100, seed=0)
    shifted = fresh_pairs_dataset(X, y, 500, layout="horizontal", batch_size=100, seed=0,
                                  max_shift=1)
    for epoch in range(2):
        np.testing.assert_array_equal(shifted.indices, plain.indices)
        (A, a), (B, b) = plain[0], shifted[0]
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(A, B)
        assert (B.sum(axis=(1, 2), dtype=int) <= A.sum(axis=(1, 2), dtype=int)).all()
        plain.on_epoch_end()
        shifted.on_epoch_end()


@pytest.mark.slow
def test_report002_quick_rows_of_every_kind(tmp_path):
    ran = ["pca", "perceptron_56", "perceptron_56_best", "mlp_2x1000", "batch_curves",
           "cnn_32_64_128", "mtl_single", "mtl_shared", "mtl_weights", "mtl_pairs"]
    text = run_quick("002", tmp_path, only=ran)
    check_page(bench_report002, text, ran=set(ran))
    folder = tmp_path / "report002-quick"
    for figure in ("pca.png", "digits.png", "batch_curves.png"):
        assert (folder / figure).stat().st_size > 0
        assert f"](report002-quick/{figure})" in text
    perceptron = json.loads((folder / "perceptron_56.json").read_text())
    assert perceptron["classes"] == [5, 6] and perceptron["seeds"] == [0, 1, 2, 3, 4][:2]
    assert "| precision | " in text and "confusion matrix (rows: true digit" in text
    assert "smoothing 0.5" in json.loads((folder / "batch_curves.json").read_text())["details"]
    sweep = json.loads((folder / "mtl_weights.json").read_text())["sweep"]
    assert [s["weights"] for s in sweep] == [list(w) for w in bench_report002.TASK_WEIGHTS[1:3]]


@pytest.mark.slow
def test_report003_quick_runs_every_row_that_can_run(tmp_path):
    text = run_quick("003", tmp_path)
    spec = bench_report003.QUICK
    runnable = {name for name, p in spec["rows"].items() if not p.get("needs")}
    check_page(bench_report003, text, ran=runnable)
    assert runnable == set(spec["rows"])  # relu_tanh_sgd: an activation per hidden layer
    for name in runnable:
        assert (tmp_path / "report003-quick" / f"{name}.json").exists()
    stopped = json.loads((tmp_path / "report003-quick" / "early_stopping.json").read_text())
    assert stopped["scores"]["epochs"] <= spec["rows"]["early_stopping"]["params"]["epochs"]


@pytest.mark.slow
def test_report004_quick_per_class_tables_and_grids(tmp_path):
    from sumdigits import load_mnist

    ran = ["sigmoid", "lr_10", "augment", "l2_0.0001", "hog_mlp", "hog_knn", "hog_svm",
           "noise_forward_1", "noise_pre_forward_1", "noise_backward_0.1", "inactive_relu"]
    text = run_quick("004", tmp_path, only=ran)
    check_page(bench_report004, text, ran=set(ran))
    sigmoid = json.loads((tmp_path / "report004-quick" / "sigmoid.json").read_text())
    n_test = len(load_mnist("embedded")[1][1])
    # the confusion matrix, averaged over the seeds, still counts every test digit once
    assert sum(v for k, v in sigmoid["scores"].items() if k.startswith("confusion")) == n_test
    assert len(sigmoid["seeds"]) == 2 and set(sigmoid["spread"]) == set(sigmoid["scores"])
    inactive = json.loads((tmp_path / "report004-quick" / "inactive_relu.json").read_text())
    # 1,000 digits in batches of 64: 16 steps, measured before steps 0, 5, 10 and 15
    assert [c["steps"] for c in inactive["curves"].values()] == [[0, 5, 10, 15]] * 3
    # over two seeds: each curve the mean of the seeds', each score a mean with a spread
    assert inactive["seeds"] == [0, 1] and set(inactive["spread"]) == set(inactive["scores"])
    assert all(0 <= f <= 1 for c in inactive["curves"].values() for f in c["fractions"])
    assert (tmp_path / "report004-quick" / "inactive_relu.png").stat().st_size > 0
    knn = json.loads((tmp_path / "report004-quick" / "hog_knn.json").read_text())
    assert knn["spread"] is None and knn["seeds"] == [0]  # kNN has no seed: one fit


def test_rows_waiting_for_a_feature_are_refused_by_name(tmp_path):
    from benchmarks._reports import digits_protocol, run_report

    spec = dict(bench_report003.QUICK, rows={
        **bench_report003.QUICK["rows"],
        "later": dict(kind="digits", what="a later row", needs="a feature")})
    with pytest.raises(ValueError, match="cannot run yet: later needs a feature"):
        run_report("003", spec, digits_protocol, None, quick=True, only=["adam", "later"],
                   out=tmp_path)

@pytest.mark.parametrize("learning_rate", [1.0, 0.5])
def test_samme_r_matches_scikit_learn_1_5(learning_rate):
    """Report 000's AdaBoost (SAMME.R, removed in scikit-learn 1.6) against the last
    scikit-learn that had it: tests/data/samme_r_sklearn_1_5.py wrote the reference."""
    from sklearn.datasets import load_digits
    from sklearn.tree import DecisionTreeClassifier

    from benchmarks._samme_r import SAMMERClassifier

    ref = json.loads((Path(__file__).parent / "data" / "samme_r_sklearn_1_5.json").read_text())
    assert ref["sklearn"] == "1.5.2"
    ref = ref[str(learning_rate)]
    X, y = load_digits(return_X_y=True)
    model = SAMMERClassifier(DecisionTreeClassifier(max_depth=1), n_estimators=12,
                             learning_rate=learning_rate, random_state=0).fit(X, y)
    # The same stumps in the same order: the same rounds, errors and votes; the votes are
    # sums of 12 logs of probabilities of magnitude <= 11 * 36, so 1e-9 is rounding only.
    assert len(model.estimators_) == ref["n"]
    np.testing.assert_allclose(model.estimator_errors_, ref["errors"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(model.decision_function(X[:40]), ref["decision"], rtol=0,
                               atol=1e-9)
    np.testing.assert_array_equal(model.predict(X), ref["predict"])


def test_samme_r_refuses_bad_input():
    from benchmarks._samme_r import SAMMERClassifier

    X = np.arange(12.0).reshape(6, 2)
    with pytest.raises(ValueError, match="n_estimators"):
        SAMMERClassifier(n_estimators=0).fit(X, [0, 1] * 3)
    with pytest.raises(ValueError, match="at least 2 classes"):
        SAMMERClassifier().fit(X, [1] * 6)
    with pytest.raises(ValueError, match="NaN"):
        SAMMERClassifier().fit(np.full((6, 2), np.nan), [0, 1] * 3)


def test_report_pairs_keep_their_digit_indices():
    """fcnn_shift rebuilds the report's pairs from their digit indices: every slice of
    the protocol keeps them in step with the images and the sums."""
    from sumdigits import load_mnist

    data = load_mnist("embedded")
    P = bench_report001.protocol(data, bench_report001.QUICK, 0)
    (X, y), _ = data
    for part in (P["train"], P["val"], P["classic_train"]):
        np.testing.assert_array_equal(y[part.indices].sum(axis=1), part.target)
        np.testing.assert_array_equal(X[part.indices[:, 0]], part.data[:, :28])
        np.testing.assert_array_equal(X[part.indices[:, 1]], part.data[:, 28:])


@pytest.mark.slow
def test_report001_searches_and_the_refit_of_a_stored_search(tmp_path):
    run_quick("001", tmp_path, only=["search", "search_val", "search_shift"])
    folder = tmp_path / "report001-quick"
    search = json.loads((folder / "search.json").read_text())
    # the study is stored before the refit, and the refit row starts from its best
    study = json.loads((folder / "search_study.json").read_text())
    assert study["best_params"] == search["best_params"]
    refit = json.loads((folder / "search_shift.json").read_text())
    assert refit["model"].endswith(str(_shown(search["best_params"])))
    assert "DigitPairDataset(max_shift=1)" in refit["details"]
    assert "DigitPairDataset" not in search["details"]
    val = json.loads((folder / "search_val.json").read_text())
    n_val = bench_report001.QUICK["protocol"]["val_pairs"]
    assert f"validated on the report's {n_val:,} validation pairs" in val["details"]
    assert val["n_trials"] == bench_report001.QUICK["rows"]["search_val"]["n_trials"]


def test_a_row_not_run_says_why_in_the_full_run_only(tmp_path):
    from benchmarks import _reports

    full = dict(protocol={}, score_columns=["test"],
                tables={"T": dict(rows=["a", "b", "c"])},
                rows=dict(a=dict(what="A", reported=0.5, not_run="too slow here"),
                          b=dict(what="B", reported=0.5, needs="a"),
                          c=dict(what="C", reported=0.5)))
    waiting = {spec_name: [row[2] for row in _reports.page_tables("x", spec, tmp_path)[0]["rows"]]
               for spec_name, spec in (("full", full),
                                       ("quick", _reports.quick_spec(full, dict(protocol={},
                                                                                rows={}))))}
    assert waiting == {"full": [f"{NOT_RUN}: too slow here", f"{NOT_RUN}: needs a", NOT_RUN],
                       "quick": [NOT_RUN, f"{NOT_RUN}: needs a", NOT_RUN]}


def test_a_rows_note_comes_from_the_spec_not_from_the_row():
    """A classic row stored when the note was still copied into its details shows the
    spec's note in place of the note of its day."""
    from benchmarks import _reports

    stored = dict(details="predicting the test sets took 143 s. The old note, 1.3 s here.")
    classic = dict(kind="classic", note="The note as the spec says it now.")
    assert _reports._details(stored, classic) == ("predicting the test sets took 143 s. The "
                                                  "note as the spec says it now.")
    assert _reports._details(stored, dict(kind="classic")) == ("predicting the test sets "
                                                               "took 143 s.")
    assert _reports._details(dict(details="29 epochs run."), dict(kind="fcnn", note="N.")) == (
        "29 epochs run. N.")
