"""The N-digit addition benchmark (benchmarks/bench_addition.py) in quick mode.

It runs the same code as the full run on the embedded subset, one row into a
temporary folder; the test reads the row it stores and the page it renders.
"""

import json

import pytest

from benchmarks import _store, bench_addition
from benchmarks.run import main


@pytest.mark.slow
def test_one_row_is_stored_and_the_page_rendered_from_it(tmp_path):
    main(["addition", "--quick", "--data", "embedded", "--out", str(tmp_path),
          "--only", "n2-s0"])
    row = json.loads((tmp_path / "addition-quick" / "n2-s0.json").read_text())
    assert row["kind"] == "ours" and row["n_digits"] == 2 and row["seed"] == 0
    # the protocol: every image once, 4,000 training and 2,000 test images
    assert (row["n_train"], row["n_test"]) == (4000 // 4, 2000 // 4)
    for key in ("sum_acc", "viterbi_acc", "digits_sum_acc", "digit_acc"):
        assert 0.0 <= row[key] <= 1.0
    page = (tmp_path / "addition-quick.md").read_text()
    ours = next(line for line in page.splitlines() if line.startswith("| NeuroSymbolic"))
    cells = [c.strip() for c in ours.strip("|").split("|")]
    assert cells[1] == bench_addition.NOT_RUN and cells[2].startswith(f"{100 * row['sum_acc']:.2f}")
    assert "| DeepProofLog |  |  | 94.0 ± 0.3 (25 min) |" in page


def test_unknown_rows_are_refused():
    with pytest.raises(ValueError, match="unknown row"):
        bench_addition._expand(["n3-s0"], bench_addition.QUICK)
    assert bench_addition._expand(["n15"], bench_addition.FULL) == ["n15-s0", "n15-s1",
                                                                     "n15-s2"]


def test_the_precision_table_gives_each_network_its_ratio_of_mean_epoch_seconds():
    # a stored precision row (its numbers made up here: the table is what is tested)
    epoch_s = {"default float32": [2.0, 4.0], "default mixed_bfloat16": [1.0, 2.0],
               "vgg float32": [8.0, 8.0], "vgg mixed_bfloat16": [2.0, 6.0]}
    stored = {"precision": dict(kind="precision", n_images=6000, epoch_s=epoch_s, load=1.5)}
    table = next(t for t in bench_addition.page_tables(stored)
                 if t["title"].startswith("Training precision"))
    assert table["rows"] == [["default", "2.00 / 4.00", "1.00 / 2.00", 0.5, 1.5],
                             ["vgg", "8.00 / 8.00", "2.00 / 6.00", 0.5, 1.5]]


def _run(n_digits, seed, sum_acc, network=None):
    row = dict(kind="ours", n_digits=n_digits, seed=seed, sum_acc=sum_acc, viterbi_acc=sum_acc,
               digits_sum_acc=sum_acc, digit_acc=0.99, seconds=100.0 * (seed + 1), load=1.0,
               n_train=30000 // n_digits, n_test=5000 // n_digits, epochs=1, batch_size=64)
    if network is not None:  # rows stored before rows named their network have none
        row["network"] = network
    return row


def test_the_summary_takes_the_current_network_and_marks_cells_of_an_earlier_one():
    stored = {"a": _run(1, 0, 0.5), "b": _run(1, 1, 0.7),                  # earlier network
              "c": _run(2, 0, 0.25, "vgg, mixed_bfloat16"), "d": _run(2, 1, 0.5),
              "e": _run(4, 0, 0.75, "vgg, mixed_bfloat16"), "f": _run(4, 1, 0.25, "vgg, float32")}
    table = bench_addition.page_tables(stored, "vgg, mixed_bfloat16")[0]
    ours = table["rows"][-1]
    # N = 1: only earlier rows, their mean ± std and a dagger; N = 2 and 4: the current
    # network's single row, the others left out of the mean
    assert ours[1:6] == ["60.00 ± 14.14 (150 ± 71 s) †", "25.00 (100 s)", "75.00 (100 s)",
                         bench_addition.NOT_RUN, bench_addition.NOT_RUN]
    assert "vgg, mixed_bfloat16" in table["notes"]
    assert "† marks a cell" in table["notes"]
    current = {k: v for k, v in stored.items() if v.get("network") == "vgg, mixed_bfloat16"}
    assert "†" not in bench_addition.page_tables(current, "vgg, mixed_bfloat16")[0]["notes"]
    detail = bench_addition.page_tables(stored, "vgg, mixed_bfloat16")[1]["rows"]
    assert [r[2] for r in detail] == [bench_addition.EARLIER] * 2 + [
        "vgg, mixed_bfloat16", bench_addition.EARLIER, "vgg, mixed_bfloat16", "vgg, float32"]


@pytest.mark.slow
def test_batch_norm_row_scores_the_same_weights_three_ways(tmp_path):
    main(["addition", "--quick", "--data", "embedded", "--out", str(tmp_path),
          "--only", "bn-n1-s0"])
    row = json.loads((tmp_path / "addition-quick" / "bn-n1-s0.json").read_text())
    assert row["kind"] == "bn" and (row["n_digits"], row["seed"]) == (1, 0)
    assert list(row["modes"]) == list(bench_addition.BN_MODES)
    for scores in row["modes"].values():
        assert 0.0 <= scores["digit_acc"] <= 1.0 and 0.0 <= scores["sum_acc"] <= 1.0
    page = (tmp_path / "addition-quick.md").read_text()
    assert "### Batch normalisation at inference" in page
    variants = [f"variant-{name}" for name in bench_addition.VARIANTS]
    for cfg, bn in ((bench_addition.FULL, ["bn-n1-s0", "bn-n1-s1", "bn-n15-s0"]),
                    (bench_addition.QUICK, ["bn-n1-s0", "bn-n15-s0"])):
        defaults = [f"defaults-n{n}-s{s}" for n in bench_addition.DEFAULTS_N
                    for s in cfg["seeds"]]
        shifts = [f"shifts-n{n}-s{s}" for n in bench_addition.SHIFTS_N for s in cfg["seeds"]]
        budgets = [f"budget-{net}-e{e}" for net, es in bench_addition.BUDGETS.items()
                   for e in es]
        speed = [f"speed-s{s}" for s in cfg["seeds"]]
        tail = [*bn, *variants, *defaults, *shifts, *budgets, *speed]
        assert bench_addition.rows(cfg)[-len(tail):] == tail


@pytest.mark.slow
def test_variant_row_is_the_bn_rows_training_with_one_change(tmp_path, monkeypatch):
    """A variant with no change trains exactly what the bn row's "augmented" reading
    scores: same pairs, seed, network and statistics, so the same accuracies."""
    folder = tmp_path / "addition-quick"
    monkeypatch.setitem(bench_addition.VARIANTS, "unchanged", {})
    main(["addition", "--quick", "--data", "embedded", "--out", str(tmp_path),
          "--only", "bn-n1-s0,variant-unchanged,variant-rotation"])
    bn = json.loads((folder / "bn-n1-s0.json").read_text())
    same = json.loads((folder / "variant-unchanged.json").read_text())
    rotated = json.loads((folder / "variant-rotation.json").read_text())
    assert same["kind"] == "variant" and same["change"] == {}
    assert {k: same[k] for k in ("digit_acc", "sum_acc")} == bn["modes"]["augmented"]
    assert rotated["change"] == {"rotation_range": 10.0}
    assert 0.0 <= rotated["digit_acc"] <= 1.0 and 0.0 <= rotated["sum_acc"] <= 1.0
    table = bench_addition.page_tables(_store.read_rows(folder))[-1]
    assert [r[0] for r in table["rows"]] == ["none (row bn-n1-s0, augmented)", "rotation",
                                            "unchanged"]
    assert table["rows"][0][4:6] == [100 * bn["modes"]["augmented"]["digit_acc"],
                                     100 * bn["modes"]["augmented"]["sum_acc"]]


@pytest.mark.slow
def test_an_ensemble_variant_scores_its_members_averaged_digit_probabilities(tmp_path,
                                                                             monkeypatch):
    """``members=2``: the networks of seeds 0 and 100, trained as the variant trains them,
    scored by their mean digit probabilities (a naive reference: sums by a loop over the
    100 digit pairs)."""
    import numpy as np

    from sumdigits.datasets import load_mnist

    monkeypatch.setitem(bench_addition.VARIANTS, "pair", {"members": 2})
    main(["addition", "--quick", "--data", "embedded", "--out", str(tmp_path),
          "--only", "variant-pair"])
    row = json.loads((tmp_path / "addition-quick" / "variant-pair.json").read_text())
    cfg = dict(bench_addition.QUICK, batch_norm_statistics="augmented")
    data = load_mnist("embedded")
    train, test = bench_addition._protocol(data, 1, 0, cfg["n_train_images"])
    members = [bench_addition._estimator(1, seed, cfg).fit(train.data, train.target)
               for seed in (0, 100)]
    (_, _), (X_test, y_test) = data
    digits = sum(m.digit_estimator_.predict_proba(X_test) for m in members) / 2
    assert row["digit_acc"] == np.mean(digits.argmax(axis=1) == y_test)
    pairs = sum(m.predict_digit_proba(test.data) for m in members).astype(np.float64) / 2
    sums = np.zeros((len(pairs), 19))
    for a in range(10):
        for b in range(10):
            sums[:, a + b] += pairs[:, 0, a] * pairs[:, 1, b]
    top2 = np.sort(sums, axis=1)[:, -2:]
    # the benchmark adds the same float32 products in float32: each sum's probability is
    # off by at most about 11 float32 epsilons of the total 1 (under 7e-7), so only a pair
    # whose two most probable sums are closer than 1e-6 may be decided either way
    near_ties = np.sum(top2[:, 1] - top2[:, 0] < 1e-6)
    right = np.mean(sums.argmax(axis=1) == np.asarray(test.target))
    assert abs(row["sum_acc"] - right) <= near_ties / len(pairs)
    assert row["seconds"] > 0 and row["epochs"] == bench_addition.QUICK["epochs"]


def test_unknown_variant_is_rejected():
    with pytest.raises(ValueError, match="variant-rotaton"):
        bench_addition._expand(["variant-rotaton"], bench_addition.FULL)


def test_the_variant_table_says_when_its_baseline_row_is_not_stored():
    variant = dict(kind="variant", name="dropout", change={"dropout": 0.4}, seed=0, epochs=12,
                   digit_acc=0.99, sum_acc=0.98, seconds=10.0, load=1.0)
    table = bench_addition.page_tables({"variant-dropout": variant})[-1]
    assert [r[:2] for r in table["rows"]] == [["none (row bn-n1-s0, augmented)",
                                               bench_addition.NOT_RUN],
                                              ["dropout", "dropout=0.4"]]


def test_the_reference_line_is_a_supervised_digit_accuracy_to_the_power_2n():
    rows = bench_addition.page_tables({})[0]["rows"]
    reference = next(r for r in rows if r[0].startswith("reference"))
    assert reference[1:6] == [f"{100 * 0.9907 ** (2 * n):.2f}" for n in (1, 2, 4, 15, 100)]
    assert reference[3] == "92.80"
    # N = 200 and 500: 0.9907^400 and 0.9907^1000, the smallest with two significant digits
    assert reference[6:8] == ["2.38", "0.0088"]
    assert abs(float(reference[7]) - 100 * 0.9907 ** 1000) < 5e-5
    assert all("issue" not in source for _, _, source in bench_addition.ANCHORS)


def test_n200_and_n500_are_rows_with_deepprooflogs_figures_and_only_its():
    assert bench_addition.N_DIGITS[-2:] == (200, 500)
    assert {"n200-s0", "n200-s1", "n200-s2", "n500-s0", "n500-s1", "n500-s2"} <= set(
        bench_addition.rows(bench_addition.FULL))
    assert bench_addition._expand(["n500"], bench_addition.FULL) == ["n500-s0", "n500-s1",
                                                                      "n500-s2"]
    cells = {name: cells for name, cells, _ in bench_addition.ANCHORS}
    assert (cells["DeepProofLog"][200], cells["DeepProofLog"][500]) == ("23.2 ± 3.0",
                                                                        "6.0 ± 4.9")
    assert all(200 not in c and 500 not in c for name, c in cells.items()
               if name != "DeepProofLog")
    rows = bench_addition.page_tables({})[0]["rows"]
    deepprooflog = next(r for r in rows if r[0] == "DeepProofLog")
    assert deepprooflog[6:8] == ["23.2 ± 3.0", "6.0 ± 4.9"]
    assert all(r[6:8] == ["", ""] for r in rows[:len(bench_addition.ANCHORS)]
               if r[0] != "DeepProofLog")


def test_the_protocol_at_n200_and_n500_leaves_few_test_pairs_and_the_page_says_so():
    import numpy as np

    # full MNIST's counts (tiny blank images: the counts are what is tested)
    y_train, y_test = np.arange(60_000) % 10, np.arange(10_000) % 10
    data = ((np.zeros((60_000, 2, 2), np.uint8), y_train),
            (np.zeros((10_000, 2, 2), np.uint8), y_test))
    for n, sizes in ((200, (150, 25)), (500, (60, 10))):
        train, test = bench_addition._protocol(data, n, 0)
        assert (len(train.target), len(test.target)) == sizes == bench_addition.protocol_sizes(n)
        assert bool((test.target == test.numbers.sum(axis=1)).all())
        assert bench_addition._estimator(n, 0, bench_addition.FULL).batch_size == 1
    notes = bench_addition.page_tables({})[0]["notes"]
    assert "25 at N = 200, 10 at N = 500" in notes and "multiple of 10 %" in notes


def test_unrun_n_read_not_run_yet_on_the_page_and_stay_out_of_the_headline(tmp_path):
    label = bench_addition._label(bench_addition.FULL)
    stored = {f"n{n}-s{s}": _run(n, s, 0.5 + s / 10, label) for n in (1, 100) for s in (0, 1)}
    path = bench_addition.write_page(bench_addition.page_tables(stored), tmp_path / "addition",
                                     False)
    page = path.read_text()
    assert "| N = 100 | N = 200 | N = 500 | source |" in page
    ours = next(line for line in page.splitlines() if line.startswith("| NeuroSymbolic"))
    cells = [c.strip() for c in ours.strip("|").split("|")]
    assert cells[1].startswith("55.00 ± 7.07") and cells[5].startswith("55.00 ± 7.07")
    assert cells[2:5] == [bench_addition.NOT_RUN] * 3
    assert cells[6:8] == [bench_addition.NOT_RUN] * 2
    assert "n200-s0" in page and "n500-s2" in page  # the rows the page offers to run
    headline = bench_addition.headline_table(stored)
    assert [line.split("|")[1].strip() for line in headline.splitlines()[2:]] == ["1", "100"]
    assert "23.2" not in headline and "6.0 ± 4.9" not in headline


def test_the_shifts_table_gives_each_reading_its_paired_change_against_none():
    def row(seed, digits, sums):
        readings = {str(k): dict(digit_acc=d, sum_acc=s, predict_s=1.0 + k)
                    for k, d, s in zip(bench_addition.SHIFTS, digits, sums)}
        return dict(kind="shifts", n_digits=1, seed=seed, readings=readings, fit_s=9.0,
                    fit_load=1.0, load=1.5)
    stored = {"shifts-n1-s0": row(0, [0.90, 0.92, 0.91], [0.80, 0.83, 0.79]),
              "shifts-n1-s1": row(1, [0.94, 0.95, 0.97], [0.84, 0.85, 0.85])}
    table = next(t for t in bench_addition.page_tables(stored)
                 if t["title"].startswith("Test-time shifts"))
    # per seed the change at k = 1 is +2 and +1 points (digits), +3 and +1 (sums)
    assert [r[:7] for r in table["rows"]] == [
        [1, "0, 1", 0, "92.00 ± 2.83", "0.00 ± 0.00", "82.00 ± 2.83", "0.00 ± 0.00"],
        [1, "0, 1", 1, "93.50 ± 2.12", "1.50 ± 0.71", "84.00 ± 1.41", "2.00 ± 1.41"],
        [1, "0, 1", 2, "94.00 ± 4.24", "2.00 ± 1.41", "82.00 ± 4.24", "0.00 ± 1.41"]]
    assert [r[7] for r in table["rows"]] == ["1 ± 0", "2 ± 0", "3 ± 0"]


def test_budget_rows_expand_by_network_and_list_in_order_of_network_then_epochs():
    assert bench_addition._expand(["budget-vgg"], bench_addition.FULL) == [
        f"budget-vgg-e{e}" for e in bench_addition.BUDGETS["vgg"]]

    def row(network, epochs, sum_acc):
        return dict(kind="budget", network=network, epochs=epochs, parameters=10,
                    fit_s=10.0 * epochs, fit_load=1.0, digit_acc=0.99, sum_acc=sum_acc)
    stored = {"budget-small-e2": row("small", 2, 0.975), "budget-vgg-e4": row("vgg", 4, 0.99),
              "budget-default-e8": row("default", 8, 0.992),
              "budget-default-e1": row("default", 1, 0.9)}
    table = next(t for t in bench_addition.page_tables(stored)
                 if t["title"].startswith("Accuracy against training time"))
    assert [(r[0].split(":")[0], r[2], r[4]) for r in table["rows"]] == [
        ("default", 1, 10.0), ("default", 8, 10.0), ("vgg", 4, 10.0), ("small", 2, 10.0)]
    assert [round(r[7], 6) for r in table["rows"]] == [100, 8, 10, 25]
