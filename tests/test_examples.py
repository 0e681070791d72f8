"""Every gallery example runs end to end in its quick mode and saves its figures.

Each ``examples/plot_*.py`` is run as its own process, as a user would run it
(``SUMDIGITS_EXAMPLES_QUICK=1 python examples/plot_x.py``), headless, with
``SUMDIGITS_FIGURES`` pointing to a temporary folder, and without
``TF_CPP_MIN_LOG_LEVEL``: none prints TensorFlow's start-up notices or a retracing
warning. Examples added later are picked up by the glob; the test id is the file name.
"""

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
