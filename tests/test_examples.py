"""Every gallery example runs end to end in its quick mode and saves its figures.

Each ``examples/plot_*.py`` is run as its own process, as a user would run it
(``SUMDIGITS_EXAMPLES_QUICK=1 python examples/plot_x.py``), headless, with
``SUMDIGITS_FIGURES`` pointing to a temporary folder, and without
``TF_CPP_MIN_LOG_LEVEL``: none prints TensorFlow's start-up notices or a retracing
warning. Examples added later are picked up by the glob; the test id is the file name.
The helpers the examples share (``examples/_gallery.py``) are tested here too.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sumdigits.keras._startup import drop_startup_notices

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("plot_*.py"))


def test_examples_are_found():
    assert EXAMPLES, f"no plot_*.py in {EXAMPLES_DIR}"


@pytest.fixture(scope="module")
def gallery():
    """``examples/_gallery.py``, imported from its file as the examples import it."""
    spec = importlib.util.spec_from_file_location("_gallery", EXAMPLES_DIR / "_gallery.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("value, expected", [("", False), ("0", False), ("1", True),
                                             (" 1 ", True)])
def test_quick_mode_reads_its_variable(gallery, monkeypatch, value, expected):
    monkeypatch.setenv("SUMDIGITS_EXAMPLES_QUICK", value)
    assert gallery.quick_mode() is expected


def test_quick_mode_rejects_other_values(gallery, monkeypatch):
    monkeypatch.setenv("SUMDIGITS_EXAMPLES_QUICK", "yes")
    with pytest.raises(ValueError, match="SUMDIGITS_EXAMPLES_QUICK must be '1'"):
        gallery.quick_mode()
    monkeypatch.delenv("SUMDIGITS_EXAMPLES_QUICK")
    assert gallery.quick_mode() is False


def test_savefig_writes_into_the_figures_folder(gallery, tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    fig = plt.figure()
    fig.add_subplot().plot([0, 1], [1, 0])
    try:
        monkeypatch.delenv("SUMDIGITS_FIGURES", raising=False)
        assert gallery.savefig(fig, "none") is None
        monkeypatch.setenv("SUMDIGITS_FIGURES", str(tmp_path / "figs"))
        path = gallery.savefig(fig, "line")
        assert path == tmp_path / "figs" / "line.png" and path.stat().st_size > 1000
        with pytest.raises(ValueError, match="plain file name"):
            gallery.savefig(fig, "a/b")
    finally:
        plt.close(fig)


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs_and_saves_figures(script, tmp_path):
    figures = tmp_path / "figures"
    figures.mkdir()
    env = dict(os.environ)
    env.pop("SUMDIGITS_DATA", None)  # always the embedded subset
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # TensorFlow's default, as for a user
    env.update(
        SUMDIGITS_EXAMPLES_QUICK="1",
        SUMDIGITS_FIGURES=str(figures),
        MPLBACKEND="Agg",
        OPENBLAS_NUM_THREADS="1",
    )
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,  # anything an example writes next to itself stays out of the checkout
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        f"{script.name} exited with {result.returncode}\n"
        f"--- stdout (tail) ---\n{result.stdout[-3000:]}\n"
        f"--- stderr (tail) ---\n{result.stderr[-3000:]}"
    )
    assert drop_startup_notices(result.stderr.encode()) == result.stderr.encode(), result.stderr
    assert "retracing" not in result.stderr, result.stderr
    pngs = sorted(figures.glob("*.png"))
    assert pngs, f"{script.name} saved no PNG into SUMDIGITS_FIGURES"
    assert all(p.stat().st_size > 0 for p in pngs), [p.name for p in pngs if not p.stat().st_size]
