"""Test-session settings shared by the doctests of sumdigits/ and the suite in tests/."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")  # headless figures
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter
