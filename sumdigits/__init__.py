"""sumdigits: scikit-learn-compatible estimators for learning arithmetic on handwritten digits.

The classic parts (data, pairs, the sequential and linear estimators) import without
TensorFlow; the Keras estimators are loaded on first access, as scikit-learn loads its
submodules, so ``import sumdigits`` stays fast.
"""

import importlib

from .datasets import load_mnist
from .pairs import PairSumTransformer, make_digit_pairs, split_pairs

__version__ = "0.1.0"

# The Keras estimators -> the module that defines each (importing it imports TensorFlow).
# This one table serves sumdigits and sumdigits.keras, which adds its other names to it;
# it lives here so that sumdigits reads it without importing sumdigits.keras.
_KERAS_ESTIMATORS = {
    "FCNNClassifier": "sumdigits.keras.estimators",
    "CNNClassifier": "sumdigits.keras.estimators",
    "MultiTaskClassifier": "sumdigits.keras.multitask",
    "MultiTaskSumClassifier": "sumdigits.keras.multitask",
    "NeuroSymbolicSumClassifier": "sumdigits.keras.neurosymbolic",
    "NeuroSymbolicFunctionClassifier": "sumdigits.keras.digit_functions",
}

# name -> submodule that defines it; loaded on first attribute access.
_LAZY = {
    # classic estimators and transformers (no TensorFlow)
    "SequentialDigitSumClassifier": "sumdigits.sequential",
    "StepDecayPerceptron": "sumdigits.perceptron",
    "HOGTransformer": "sumdigits.features",
    "GaussianNoiseAugmenter": "sumdigits.features",
    **_KERAS_ESTIMATORS,
}
_SUBMODULES = {"datasets", "pairs", "sequential", "perceptron", "features", "keras",
               "tuning", "plotting", "cli", "model_selection", "utils"}

__all__ = ["load_mnist", "make_digit_pairs", "split_pairs", "PairSumTransformer", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"sumdigits.{name}")
    raise AttributeError(f"module 'sumdigits' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)
