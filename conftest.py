"""Test-session settings shared by the doctests of sumdigits/ and the suite in tests/."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")  # headless figures
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter

# The suite's arrays are tiny: one BLAS thread is fastest for them, and on a loaded 2-core
# machine OpenBLAS' spinning worker threads made a 0.3 s LogisticRegression fit take 15 s.
# threadpoolctl limits only the BLAS libraries already loaded, so load NumPy's and SciPy's.
import numpy  # noqa: E402,F401
import scipy.linalg  # noqa: E402,F401
from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(limits=1, user_api="blas")


def pytest_collection_modifyitems(config, items):
    """Mark ``slow`` the doctests that train a Keras network: those of ``sumdigits.keras``
    whose examples call ``fit`` (``pytest -m "not slow"`` runs the other doctests)."""
    import pytest

    for item in items:
        test = getattr(item, "dtest", None)  # a doctest item
        if test is not None and test.name.startswith("sumdigits.keras.") and any(
                ".fit(" in example.source for example in test.examples):
            item.add_marker(pytest.mark.slow)
