"""benchmarks/render.py: every page re-rendered from the store alone, and the docs'
report pages listing every item of every report (no training: stored rows only)."""

import re
import shutil
from pathlib import Path

import pytest

from benchmarks import render
from benchmarks._store import RESULTS

ROOT = Path(__file__).resolve().parent.parent
#: Rows that items name before their report's spec defines them (the item shows "not
#: run yet" until the row is in the spec and stored).
@pytest.fixture
def store(tmp_path, monkeypatch):
    """A copy of the project's store; figures are not drawn (the pages do not show
    them), which keeps the tests fast."""
    copy = tmp_path / "results"
    shutil.copytree(RESULTS, copy, ignore=shutil.ignore_patterns("*.pkl"))
    monkeypatch.setattr(render, "_render_figures", lambda report, spec, folder: [])
    return copy


@pytest.mark.parametrize("report", render.REPORTS)
def test_every_item_names_rows_of_its_spec_or_a_reason(report):
    module = render.report_module(report)
    ids = [item["id"] for item in module.ITEMS]
    assert len(ids) == len(set(ids)), ids
    for item in module.ITEMS:
        assert set(item) <= {"id", "caption", "rows", "figures", "reason"}, item
        assert item["caption"] and not item["caption"].endswith("."), item
        assert item["rows"] or item.get("reason"), item
        unknown = set(item["rows"]) - set(module.FULL["rows"])
        assert not unknown, (item["id"], unknown)
        assert all("/" not in name and name.endswith(".png")
                   for name in item.get("figures", [])), item


def test_rendering_the_store_reproduces_its_pages(store):
    """The report pages and the plain benchmarks' pages come from the stored rows only."""
    readme = (ROOT / "README.md").read_text()
    render.main(["--out", str(store)])
    pages = [f"report{r}.md" for r in render.REPORTS if (RESULTS / f"report{r}").is_dir()]
    pages += [f"{p.parent.name}.md" for p in RESULTS.glob("*/run.json")]
    assert len(pages) >= 5
    for page in pages:
        assert (store / page).read_text() == (RESULTS / page).read_text(), page
    assert (ROOT / "README.md").read_text() == readme  # not the project's store


def _sections(text):
    """{item id: its Markdown} of a docs report page, in order."""
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


@pytest.mark.parametrize("report", render.REPORTS)
def test_docs_list_every_item_in_order_with_each_stored_rows_command(report, store,
                                                                      tmp_path):
    render.render_docs(tmp_path / "docs", store)
    module = render.report_module(report)
    sections = _sections((tmp_path / "docs" / f"report{report}.md").read_text())
    assert list(sections) == [item["id"] for item in module.ITEMS]
    folder = store / f"report{report}"
    for item in module.ITEMS:
        text = sections[item["id"]]
        status = render.item_status(item, folder)
        assert ("**Reproduced**" in text) == (status == render.COVERED), item["id"]
        for name in item["rows"]:
            command = f"`python -m benchmarks.run report{report} --only {name}`"
            assert (command in text) == (name in module.FULL["rows"]), (item["id"], name)
        for image in item.get("figures", []):
            drawn = (folder / image).exists()
            assert (tmp_path / "docs" / f"report{report}" / image).exists() == drawn
    index = (tmp_path / "docs" / "index.md").read_text()
    counts = render.item_counts(report, store)
    assert sum(counts.values()) == len(module.ITEMS)
    assert (f"| [Report {report}](report{report}.md) | {len(module.ITEMS)} | "
            + " | ".join(str(counts[s]) for s in (render.COVERED, render.WAITING,
                                                  render.REASON)) + " |") in index


def test_an_item_with_a_row_or_image_missing_is_not_run_yet(store, tmp_path):
    folder = store / "report004"
    (folder / "sigmoid.json").unlink()
    (folder / "inactive_tanh.png").unlink()
    render.render_docs(tmp_path / "docs", store)
    sections = _sections((tmp_path / "docs" / "report004.md").read_text())
    assert "**Not run yet**: rows not stored: `sigmoid`." in sections["Table 1"]
    assert "| `sigmoid` | baseline, sigmoid |" in sections["Table 1"]
    assert "not run yet |" in sections["Table 1"]
    assert "images not drawn yet: `inactive_tanh.png`" in sections["Figure 5"]
    table12 = sections["Table 12"]
    assert "**Reproduced**" in table12 and "python -m benchmarks.run report004 --only hog_svm" \
        in table12
    reasons = _sections((tmp_path / "docs" / "report003.md").read_text())
    assert reasons["Figure 8"].strip().endswith("**Not run yet**: a formula; nothing to "
                                                "measure.")


@pytest.mark.parametrize("reported, scores, spread, where", [
    (0.955, {"test accuracy": 0.95}, {"test accuracy": 0.004}, "within"),
    ("train 0.99, test 0.9991", {"test accuracy": 0.9983}, {"test accuracy": 0.0001}, "above"),
    ("0.90 ± 0.01; loss 0.3", {"test accuracy": 0.95}, {"test accuracy": 0.01}, "below"),
])
def test_the_report_figure_is_placed_against_our_spread(reported, scores, spread, where):
    from benchmarks._reports import against_report

    text = against_report({"reported": reported}, dict(scores=scores, spread=spread,
                                                       seeds=[0, 1, 2]))
    assert f" lies {where} ours (test accuracy: " in text and ", 3 seeds)." in text


def test_a_row_of_one_seed_or_a_figure_without_accuracy_is_not_placed():
    from benchmarks._reports import against_report

    row = dict(scores={"test accuracy": 0.9}, spread=None, seeds=[0])
    assert against_report({"reported": 0.95}, row) == ""
    assert against_report({"reported": "about 50 %"}, dict(row, spread={"test accuracy": 0.01})) == ""


def test_rows_without_their_command_are_listed_for_a_rerun(tmp_path):
    import json

    from benchmarks.render import unrecorded

    (tmp_path / "report004").mkdir()
    (tmp_path / "report004-quick").mkdir()
    for folder, name, row in [("report004", "old", {}), ("report004", "new", {"command": "x"}),
                              ("report004-quick", "smoke", {})]:
        (tmp_path / folder / f"{name}.json").write_text(json.dumps(row))
    assert unrecorded(tmp_path) == ["report004 --only old"]
