"""The estimators the tests run over, derived from :func:`sumdigits.utils.all_estimators`.

A new public estimator joins every test that iterates over these as soon as it exists:
its small, fast instance comes from the parameters it declares (:func:`tiny`), and it
learns from digit images with any labels unless it is one of :data:`SUM_LEARNERS` or its
tags say that ``y`` has one column per digit of a pair (:func:`learns_from`).
"""

import inspect

from sumdigits.utils import all_estimators

#: Small values of the parameters that set an estimator's size and run time: an
#: estimator gets those of them that it has (a few units, one epoch, two iterations).
TINY = {"hidden_layer_sizes": [4], "head_layer_sizes": [], "filters": [2], "epochs": 1,
        "max_iter": 2, "random_state": 0}

#: The estimators that learn the sums of pairs of digits (pair images, their sums).
SUM_LEARNERS = {"SequentialDigitSumClassifier", "NeuroSymbolicSumClassifier",
                "NeuroSymbolicFunctionClassifier"}


def is_keras(cls):
    """Whether ``cls`` is a Keras estimator (defined in :mod:`sumdigits.keras`)."""
    return cls.__module__.startswith("sumdigits.keras")


def keras_estimators():
    """(name, class) of every public Keras estimator, sorted by name."""
    return [(name, cls) for name, cls in all_estimators() if is_keras(cls)]


def takes_images(cls):
    """Whether ``cls`` reads its samples as images: it has a digit or image shape."""
    return bool({"digit_shape", "image_shape"} & set(inspect.signature(cls).parameters))


def tiny(cls, **params):
    """An instance of ``cls`` with the :data:`TINY` values of its parameters, and ``params``."""
    own = inspect.signature(cls).parameters
    return cls(**{**{k: v for k, v in TINY.items() if k in own}, **params})


def learns_from(name, cls):
    """What ``cls`` learns from: "sums" (pair images and their sums), "pair digits"
    (pair images and the two digits of each, a label column per digit) or "digits"
    (digit images with any labels)."""
    if name in SUM_LEARNERS:
        return "sums"
    tags = cls().__sklearn_tags__()
    if tags.target_tags.two_d_labels or tags.target_tags.multi_output:
        return "pair digits"
    return "digits"
