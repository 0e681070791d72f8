"""Every code block of the user guide (docs/guide/*.rst) runs and prints what the page says.

Each page is one doctest, run in its own namespace on the embedded MNIST subset. A
picture the page shows (``.. image:: /generated/guide/<page>/<name>.png``, drawn by
docs/conf.py when the documentation is built) must be the figure of a display that
the page's code binds to ``<name>``. The pages that train networks or run EM take
more than a few seconds each and are marked slow.
"""

import doctest
import io
import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guide"
PAGES = sorted(GUIDE.glob("*.rst"))
#: Pages that run in a few seconds; the others fit networks or run EM.
FAST = {"index", "data"}


def _picture_names(text, page):
    return re.findall(r"^\.\. image:: /generated/guide/" + page + r"/(\w+)\.png\s*$", text,
                      flags=re.MULTILINE)


def _param(page):
    marks = () if page.stem in FAST else (pytest.mark.slow,)
    return pytest.param(page, id=page.stem, marks=marks)


@pytest.mark.parametrize("page", [_param(p) for p in PAGES])
def test_guide_page_runs(page):
    import matplotlib.pyplot as plt

    text = page.read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(text, {"__name__": f"guide_{page.stem}"},
                                               page.stem, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = io.StringIO()
    try:
        runner.run(test, out=report.write, clear_globs=False)
        assert runner.failures == 0, report.getvalue()
        for name in _picture_names(text, page.stem):
            assert hasattr(test.globs.get(name), "figure_"), (
                f"{page.name} shows {name}.png, but its code binds no display to {name!r}")
    finally:
        test.globs.clear()
        plt.close("all")


def test_every_guide_page_is_in_the_guide_toctree():
    index = (GUIDE / "index.rst").read_text(encoding="utf-8")
    toctree = index.split(".. toctree::", 1)[1]
    listed = set(re.findall(r"^   (\w+)\s*$", toctree, flags=re.MULTILINE))
    assert listed == {p.stem for p in PAGES} - {"index"}


def test_the_guide_is_in_the_site_navigation():
    index = (GUIDE.parent / "index.rst").read_text(encoding="utf-8")
    assert re.search(r"^   guide/index\s*$", index.split(".. toctree::", 1)[1],
                     flags=re.MULTILINE)
