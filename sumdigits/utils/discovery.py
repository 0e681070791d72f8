"""Find every public estimator of sumdigits, as :func:`sklearn.utils.discovery.all_estimators`.

The test suite builds its list of estimators to check from :func:`all_estimators`,
so that a new public estimator cannot escape scikit-learn's estimator checks.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin

__all__ = ["all_estimators"]

_TYPES = ("classifier", "regressor", "transformer", "sampler")
_KERAS = "sumdigits.keras"


def _public_modules(include_keras):
    """Names of the public modules of sumdigits: no part of the path starts with '_'.

    The tree is walked by hand, importing only the packages that are kept:
    ``pkgutil.walk_packages`` imports every package it meets, so it would load
    :mod:`sumdigits.keras`, and with it TensorFlow, even when the Keras
    estimators are left out.
    """
    import sumdigits

    def walk(package):
        yield package.__name__
        for info in pkgutil.iter_modules(package.__path__, prefix=package.__name__ + "."):
            name = info.name
            if name.rsplit(".", 1)[-1].startswith("_"):
                continue
            if name.rsplit(".", 1)[-1] in {"cli", "make_embedded"}:  # scripts, no estimators
                continue
            if not include_keras and name == _KERAS:
                continue
            if info.ispkg:
                yield from walk(importlib.import_module(name))
            else:
                yield name

    yield from walk(sumdigits)


def _is_type(cls, kind):
    if kind == "classifier":
        return issubclass(cls, ClassifierMixin)
    if kind == "regressor":
        return issubclass(cls, RegressorMixin)
    if kind == "transformer":
        return issubclass(cls, TransformerMixin)
    return hasattr(cls, "fit_resample")  # sampler, imbalanced-learn's convention


def all_estimators(type_filter=None, *, keras=True):
    """Every public estimator of sumdigits, as (name, class) pairs sorted by name.

    A public estimator is a subclass of :class:`sklearn.base.BaseEstimator` named
    in the ``__all__`` of a public module of sumdigits (one whose dotted path has
    no part starting with an underscore), except abstract classes and the base
    classes named ``Base*``, which are not for direct use.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer", "sampler"}, list of them \
            or None, default=None
        Keep only the estimators of these kinds (a sampler has ``fit_resample``);
        None keeps all.
    keras : bool, default=True
        Include the Keras estimators of :mod:`sumdigits.keras`, which imports
        TensorFlow; with False, TensorFlow is not imported.

    Returns
    -------
    estimators : list of (str, type)

    Examples
    --------
    >>> from sumdigits.utils import all_estimators
    >>> [name for name, _ in all_estimators("sampler", keras=False)]
    ['GaussianNoiseAugmenter', 'PairSumTransformer']
    """
    if type_filter is None:
        kinds = None
    else:
        kinds = [type_filter] if isinstance(type_filter, str) else list(type_filter)
        unknown = [k for k in kinds if k not in _TYPES]
        if unknown:
            raise ValueError(
                f"type_filter must be None or one or more of {_TYPES}, got {type_filter!r}."
            )
    if not isinstance(keras, bool):
        raise TypeError(f"keras must be a bool, got {keras!r}.")
    found = {}
    for module_name in _public_modules(keras):
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            if not keras and module_name == "sumdigits" and name in _keras_names():
                continue
            obj = getattr(module, name)
            if (inspect.isclass(obj) and issubclass(obj, BaseEstimator)
                    and not inspect.isabstract(obj) and not name.startswith("Base")):
                found[name] = obj
    estimators = sorted(found.items())
    if kinds is not None:
        estimators = [(n, c) for n, c in estimators if any(_is_type(c, k) for k in kinds)]
    return estimators


def _keras_names():
    """Names that ``sumdigits`` loads lazily from :mod:`sumdigits.keras`."""
    import sumdigits

    return set(sumdigits._KERAS_ESTIMATORS)
