"""The README: its headline table is rendered from the stored benchmark rows, and every
Python snippet in it runs, in order, on the embedded data."""

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from benchmarks._store import read_rows
from benchmarks.bench_addition import README_MARKERS, headline_table

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_headline_table_is_the_stored_rows():
    start = README.index(README_MARKERS[0]) + len(README_MARKERS[0])
    table = README[start:README.index(README_MARKERS[1])].strip()
    assert table == headline_table(read_rows(ROOT / "benchmarks" / "results" / "addition"))


@pytest.mark.slow
def test_every_python_snippet_runs(tmp_path, monkeypatch):
    snippets = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert len(snippets) >= 8  # the quick start and the common tasks
    monkeypatch.chdir(tmp_path)  # files the snippets save land here
    monkeypatch.delenv("SUMDIGITS_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no Keras cache: the embedded subset
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = {}
    for snippet in snippets:
        exec(compile(snippet, "README.md", "exec"), namespace)
    assert (tmp_path / "fcnn.joblib").exists()
    plt.close("all")
