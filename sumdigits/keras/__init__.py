"""Keras estimators (through scikeras). Importing this subpackage imports TensorFlow.

TensorFlow is loaded here, before any module of the subpackage needs it, without the
start-up notices its native libraries print (:mod:`sumdigits.keras._startup`).
"""

import importlib

from .. import _KERAS_ESTIMATORS
from ._startup import import_keras_quietly

import_keras_quietly()

# name -> submodule that defines it; loaded on first attribute access. The estimators
# come from the table that sumdigits serves them from too.
_LAZY = {
    **_KERAS_ESTIMATORS,
    "DigitPairDataset": "sumdigits.keras.streaming",
    "BatchNormStatistics": "sumdigits.keras.callbacks",
    "InactiveNeuronFraction": "sumdigits.keras.callbacks",
    "LearningRateSchedule": "sumdigits.keras.callbacks",
    "NoiseInjection": "sumdigits.keras.noise",
}

__all__ = list(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sumdigits.keras' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
