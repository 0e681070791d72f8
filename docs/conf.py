"""Sphinx configuration of the sumdigits documentation.

Build (from the repository root)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery shows full runs of every ``examples/plot_*.py``, the figures the
library really makes. ``SUMDIGITS_EXAMPLES_QUICK=1`` runs them at small sizes
instead (``quick_mode`` of ``examples/_gallery.py``), which only checks that they
run: CI (``.ci/run``) sets it. Set ``SUMDIGITS_DOCS_PLOT_GALLERY=0`` to build the pages
without running the examples.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The examples read these when sphinx-gallery executes them in this process.
os.environ.pop("SUMDIGITS_FIGURES", None)  # sphinx-gallery collects the figures itself
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import sumdigits  # noqa: E402

project = "sumdigits"
author = "the sumdigits developers"
copyright = "2026, the sumdigits developers"
version = release = sumdigits.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",  # the results page is Markdown, like the benchmark pages it links
]

templates_path = ["_templates"]
exclude_patterns = ["_build"]

# -- autodoc / autosummary / numpydoc ----------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
# numpydoc adds its own Attributes/Methods tables; the class template lists the
# members instead (one place, no duplicate targets).
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True
# Check the docstrings of sumdigits against the numpydoc standard: sections,
# their order, every parameter documented in signature order, no unknown ones,
# a Returns section, summaries. Left out are checks that demand boilerplate the
# library does not follow by design: "See Also"/"Examples"/extended summary on
# every object (SA01, EX01, ES01) and a capitalised "See Also" note (SA03);
# scikit-learn-style grouped parameters ("sample_weight, normalize, cmap : as
# in from_predictions") and parameters whose type says it all ("epochs : int,
# default=4"), which the checker reads as missing types or descriptions (PR04,
# PR07); returns named by type and shape only (RT03, RT02); the summary format
# checks that reject summaries such as "Called by ..." (SS05, GL01, GL02); GL08
# (members without a docstring of their own are skipped below).
numpydoc_validation_checks = {"all", "ES01", "EX01", "SA01", "SA03", "GL08", "PR04",
                              "PR07", "RT02", "RT03", "SS05", "GL01", "GL02"}
numpydoc_validation_exclude = {
    r"\.__init__$",
    r"\._[a-z]",  # private helpers
    # takes **kwargs only to forward them; its docstring is the base class's
    r"NeuroSymbolicSumClassifier\.fit_dataset$",
    r"NeuroSymbolicFunctionClassifier\.fit_dataset$",
}


def _skip_member(app, what, name, obj, skip, options):
    """Leave out members that sumdigits does not document itself.

    scikit-learn's generated ``set_*_request`` methods, and Keras callback hooks
    (``on_epoch_end``) that only inherit Keras' docstring.
    """
    if name.startswith("set_") and name.endswith("_request"):
        return True
    if what == "class" and callable(obj) and getattr(obj, "__doc__", "") is None:
        return True
    return None


# -- figures of the user guide -----------------------------------------------
# A guide page shows a picture with ``.. image:: /generated/guide/<page>/<name>.png``
# under the doctest code that draws it: the build runs the page's doctest code (the
# same code tests/test_guide.py checks) and saves ``<name>.figure_``, the figure of
# the display bound to ``<name>``. A page is rerun only when it is newer than its
# pictures. docs/generated/ is a build output (git-ignored).
GUIDE = Path(__file__).resolve().parent / "guide"
GUIDE_FIGURES = Path(__file__).resolve().parent / "generated" / "guide"


def _guide_pictures(page):
    import re

    return re.findall(r"^\.\. image:: /generated/guide/" + page.stem + r"/(\w+)\.png\s*$",
                      page.read_text(encoding="utf-8"), flags=re.MULTILINE)


def draw_guide_figures(app=None):
    """Run the doctest code of each guide page that shows pictures, and save them."""
    import doctest

    import matplotlib.pyplot as plt

    for page in sorted(GUIDE.glob("*.rst")):
        names = _guide_pictures(page)
        if not names:
            continue
        folder = GUIDE_FIGURES / page.stem
        paths = [folder / f"{name}.png" for name in names]
        if all(p.exists() and p.stat().st_mtime >= page.stat().st_mtime for p in paths):
            continue
        namespace = {"__name__": f"guide_{page.stem}"}
        test = doctest.DocTestParser().get_doctest(page.read_text(encoding="utf-8"),
                                                   namespace, page.stem, str(page), 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS
                                       | doctest.NORMALIZE_WHITESPACE)
        runner.run(test, out=lambda text: None, clear_globs=False)
        if runner.failures:
            raise RuntimeError(f"{page}: {runner.failures} of its doctest examples failed; "
                               f"run tests/test_guide.py to see which.")
        folder.mkdir(parents=True, exist_ok=True)
        for name, path in zip(names, paths):
            display = test.globs.get(name)
            if not hasattr(display, "figure_"):
                raise RuntimeError(f"{page}: the picture {name}.png needs a display named "
                                   f"{name!r} in the page's code; there is none.")
            display.figure_.savefig(path, dpi=80, bbox_inches="tight")
        plt.close("all")


# -- the API page's list of sumdigits.keras -----------------------------------
# api.rst lists the public names of sumdigits.keras where it holds the line KERAS_NAMES:
# they are read from sumdigits.keras.__all__, so that a new Keras estimator is on the
# page without an edit of it. Autosummary writes the pages of the names a source file
# lists; these are written here, the same way.
KERAS_NAMES = ".. sumdigits.keras.__all__"


def _keras_autosummary():
    import sumdigits.keras

    return ("\n.. autosummary::\n   :toctree: generated/\n   :nosignatures:\n\n"
            + "".join(f"   {name}\n" for name in sumdigits.keras.__all__))


def list_keras_names(app, docname, source):
    """Replace the line KERAS_NAMES of the API page by an autosummary of its names."""
    if docname == "api":
        source[0] = source[0].replace(KERAS_NAMES, _keras_autosummary())


def write_keras_pages(app):
    """Write the autosummary pages of the names that KERAS_NAMES stands for."""
    import tempfile

    from sphinx.ext.autosummary.generate import generate_autosummary_docs

    srcdir = Path(app.srcdir)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "keras.rst"
        source.write_text(".. currentmodule:: sumdigits.keras\n" + _keras_autosummary())
        generate_autosummary_docs([str(source)], output_dir=srcdir / "generated",
                                  base_path=srcdir, app=app)


# -- the reports' pages ---------------------------------------------------------
# docs/reports/ ("Reproducing the reports") is written at each build from the store of
# benchmark rows, benchmarks/results/, by benchmarks/render.py: every item of every
# report with ours, the command and the images. The build recomputes nothing; the
# folder is a build output (git-ignored).
def write_report_pages(app):
    """Render docs/reports/ from the stored benchmark rows."""
    from benchmarks.render import render_docs

    render_docs(Path(app.srcdir) / "reports")


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("builder-inited", write_report_pages)
    app.connect("builder-inited", draw_guide_figures)
    app.connect("builder-inited", write_keras_pages)
    app.connect("source-read", list_keras_names)


# -- sphinx-gallery -----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "plot_",
    # examples/_gallery.py (quick mode, saving figures) is imported by the examples,
    # not one of them
    "ignore_pattern": r"^_",
    # SUMDIGITS_DOCS_PLOT_GALLERY=0 builds the pages without running the examples
    "plot_gallery": os.environ.get("SUMDIGITS_DOCS_PLOT_GALLERY", "True"),
    "download_all_examples": False,
    "remove_config_comments": True,
    "reference_url": {"sumdigits": None},
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("sumdigits",),
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "abort_on_example_error": False,
    "show_memory": False,
}

# -- HTML ---------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "sumdigits"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = []
