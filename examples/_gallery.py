"""The environment of the gallery examples: their quick mode and where they save figures.

Every ``plot_*.py`` next to this file imports it (``from _gallery import quick_mode,
savefig``): run as ``python examples/plot_x.py`` or by sphinx-gallery, the examples'
folder is on ``sys.path``. Its name starts with an underscore, so the gallery does not
render it as an example (``ignore_pattern`` in ``docs/conf.py``).
"""

import os
from pathlib import Path

FIGURES_ENV_VAR = "SUMDIGITS_FIGURES"
QUICK_ENV_VAR = "SUMDIGITS_EXAMPLES_QUICK"


def quick_mode():
    """Whether the examples run in their quick mode, from ``SUMDIGITS_EXAMPLES_QUICK``.

    ``"1"`` gives small data and few epochs, which check in CI that every example
    runs; unset, empty or ``"0"`` gives the full runs whose figures the
    documentation shows. Any other value raises ValueError.
    """
    value = os.environ.get(QUICK_ENV_VAR, "").strip()
    if value not in ("", "0", "1"):
        raise ValueError(f"{QUICK_ENV_VAR} must be '1' (quick mode), '0' or unset (full runs); "
                         f"got {value!r}.")
    return value == "1"


def savefig(fig, name, *, folder=None, dpi=100):
    """Save ``fig`` as ``<folder>/<name>.png`` and return that path, or do nothing.

    ``folder`` defaults to the ``SUMDIGITS_FIGURES`` environment variable; when
    neither is set, nothing is saved and None is returned, so that
    ``SUMDIGITS_FIGURES=/some/dir python examples/plot_x.py`` leaves the PNGs there.
    ``name`` is a file name without extension or folder (ValueError otherwise).
    """
    folder = folder if folder is not None else os.environ.get(FIGURES_ENV_VAR)
    if not folder:
        return None
    if not isinstance(name, str) or not name or os.sep in name:
        raise ValueError(f"name must be a plain file name without '{os.sep}', got {name!r}.")
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    path = path / f"{name}.png"
    fig.savefig(path, dpi=dpi)
    return path
