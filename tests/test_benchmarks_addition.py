"""The N-digit addition benchmark (benchmarks/bench_addition.py) in quick mode.

It runs the same code as the full run on the embedded subset, one row into a
temporary folder; the test reads the row it stores and the page it renders.
"""

import json

import pytest

from benchmarks import bench_addition
from benchmarks.run import main


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
