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


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)


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
