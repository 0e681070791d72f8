"""Search spaces: Optuna distributions for each estimator, from the reports.

Each space is a function of the estimator (so that, for instance, the space of an
:class:`~sklearn.svm.SVC` follows its kernel) registered under a name; the first
name registered for a class is its default. Classes are looked up by module and
name in ``sys.modules``, so that this module never imports TensorFlow: an instance
of a Keras estimator can only exist once its module has been imported.
"""

from __future__ import annotations

import sys

from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline

# (module, class name) -> {space name: function(estimator) -> {param: distribution}}
_REGISTRY: dict[tuple[str, str], dict[str, object]] = {}


def _register(module, name, space_name):
    """Decorator: register a space function for the class ``module.name``."""
    def decorator(function):
        _REGISTRY.setdefault((module, name), {})[space_name] = function
        return function
    return decorator


# -- scikit-learn classifiers used by the reports ------------------------------------
# Report 000 tuned these with Optuna but gives only the best values (SVC: poly kernel,
# degree 3, gamma 21.8, C 1.61; random forest: depth 591, 249 trees, gini, sqrt
# features; AdaBoost: 53 stumps): the ranges below are chosen to hold them well inside.


@_register("sklearn.svm", "SVC", "report000")
def _svc(estimator):
    space = {"C": FloatDistribution(1e-2, 1e2, log=True)}
    if estimator.kernel in ("rbf", "poly", "sigmoid"):
        space["gamma"] = FloatDistribution(1e-4, 1e2, log=True)
    if estimator.kernel == "poly":
        space["degree"] = IntDistribution(2, 5)
    return space


@_register("sklearn.ensemble", "RandomForestClassifier", "report000")
def _random_forest(estimator):
    return {
        "max_depth": IntDistribution(4, 1024, log=True),
        "n_estimators": IntDistribution(10, 300, log=True),
        "criterion": CategoricalDistribution(["gini", "entropy", "log_loss"]),
        "max_features": CategoricalDistribution(["sqrt", "log2"]),
    }


@_register("sklearn.ensemble", "AdaBoostClassifier", "report000")
def _adaboost(estimator):
    # The weak learner (a decision stump by default) is kept; only their number is tuned.
    return {"n_estimators": IntDistribution(10, 500, log=True)}


@_register("sklearn.linear_model", "LogisticRegression", "default")
def _logistic_regression(estimator):
    # The reports' "linear classifiers", used untuned (default C=1) inside the sequential one.
    return {"C": FloatDistribution(1e-4, 1e2, log=True)}


@_register("sumdigits.perceptron", "StepDecayPerceptron", "report002")
def _step_decay_perceptron(estimator):
    # Report 002: eta0 = 1.0, dropped by decay = 0.1 every step_size = 100 iterations.
    space = {"eta0": FloatDistribution(1e-2, 10.0, log=True)}
    if estimator.learning_rate == "step":
        space["decay"] = FloatDistribution(1e-3, 0.5, log=True)
        space["step_size"] = IntDistribution(10, 1000, log=True)
    elif estimator.learning_rate == "invscaling":
        space["power_t"] = FloatDistribution(0.1, 1.0)
    return space


# -- the Keras estimators (sumdigits.keras.estimators) ------------------------------

def _layer_lists(lists):
    """A categorical over lists of layer widths, as strings such as ``"512-256-128"``.

    The Keras estimators take the string form (see
    :func:`sumdigits.keras.builders.layer_widths`), and an Optuna storage keeps
    strings, so a stored study over layer lists can be continued.
    """
    return CategoricalDistribution(["-".join(str(int(w)) for w in widths) for widths in lists])


def non_storable_params(param_distributions):
    """Names whose categorical choices an Optuna storage cannot keep (not None,
    bool, int, float or str), such as lists of layer widths."""
    return sorted(
        name for name, dist in param_distributions.items()
        if isinstance(dist, CategoricalDistribution)
        and any(c is not None and not isinstance(c, (bool, int, float, str)) for c in dist.choices)
    )


@_register("sumdigits.keras.estimators", "FCNNClassifier", "report000")
def _fcnn_report000(estimator):
    # Report 000: Adam learning rate, dropout, L2 penalty, number of layers with
    # widths 64 * 2**(N-1-k), batch size; batch normalisation on. Best: 6 layers
    # (2048..64), lr 0.000236, dropout 0.104, L2 0.000189, batch 69.
    return {
        "hidden_layer_sizes": CategoricalDistribution([None]),  # the 64 * 2**k pyramid
        "n_hidden_layers": IntDistribution(1, 6),
        "learning_rate_init": FloatDistribution(1e-5, 1e-2, log=True),
        "dropout": FloatDistribution(0.0, 0.5),
        "l2": FloatDistribution(1e-6, 1e-2, log=True),
        "batch_size": IntDistribution(32, 256, log=True),
        "batch_norm": CategoricalDistribution([True]),
    }


@_register("sumdigits.keras.estimators", "FCNNClassifier", "report001")
def _fcnn_report001(estimator):
    # Report 001, verbatim. Best: [512, 256, 128, 64], lr 0.000633, batch 64,
    # dropout 0.174, ReLU.
    return {
        "hidden_layer_sizes": _layer_lists(
            [[128, 64], [256, 128], [512, 256, 128], [512, 256, 128, 64]]
        ),
        "learning_rate_init": FloatDistribution(1e-4, 1e-1, log=True),
        "batch_size": CategoricalDistribution([32, 64, 128]),
        "dropout": FloatDistribution(0.1, 0.4),
        "activation": CategoricalDistribution(["relu", "tanh", "sigmoid"]),
    }


@_register("sumdigits.keras.estimators", "CNNClassifier", "report002")
def _cnn_report002(estimator):
    # The filter lists of report 002's table 3 (2 to 5 layers; [16, 32, 64, 128, 256]
    # scored best, 0.9913 on single digits), odd kernel sizes, dropout, learning rate.
    return {
        "filters": _layer_lists(
            [[32, 64], [32, 64, 128], [128, 64, 32], [16, 32, 64, 128], [16, 32, 64, 128, 256]]
        ),
        "kernel_size": IntDistribution(3, 7, step=2),
        "dropout": FloatDistribution(0.0, 0.5),
        "learning_rate_init": FloatDistribution(1e-4, 1e-2, log=True),
    }


# -- lookup --------------------------------------------------------------------------


def _spaces_of(estimator):
    """The {name: space function} registered for the class of ``estimator``, or None."""
    for (module, name), spaces in _REGISTRY.items():
        cls = getattr(sys.modules.get(module), name, None)
        if cls is not None and isinstance(estimator, cls):
            return spaces
    return None


def _children(estimator):
    """(prefix, sub-estimator) pairs that a search space recurses into."""
    if isinstance(estimator, Pipeline):
        return [(name, step) for name, step in estimator.steps
                if step is not None and step != "passthrough"]
    sub = estimator.get_params(deep=False).get("estimator")
    if isinstance(sub, BaseEstimator):  # meta-estimators: SequentialDigitSumClassifier, ...
        return [("estimator", sub)]
    return []


def _collect(estimator, space, prefix, found):
    spaces = _spaces_of(estimator)
    if spaces is not None:
        if space is None:
            function = next(iter(spaces.values()))
        elif space in spaces:
            function = spaces[space]
        else:
            raise ValueError(
                f"{type(estimator).__name__} has no search space {space!r}; "
                f"available: {sorted(spaces)}"
            )
        found.update({prefix + key: dist for key, dist in function(estimator).items()})
        return
    for name, sub in _children(estimator):
        _collect(sub, space, f"{prefix}{name}__", found)


def search_space(estimator, *, space=None):
    """Optuna distributions to search for ``estimator``, from the reports.

    The keys are the estimator's own parameter names, nested as
    :meth:`~sklearn.base.BaseEstimator.set_params` needs them: a step of a
    :class:`~sklearn.pipeline.Pipeline` gives ``<step>__<param>``, the digit
    classifier of :class:`~sumdigits.SequentialDigitSumClassifier` (and of any
    meta-estimator with an ``estimator`` parameter) gives ``estimator__<param>``.
    Steps without a known space (scalers, feature transformers) are left as they are.

    Known estimators and their spaces (the first is the default):

    - :class:`~sklearn.svm.SVC`, ``"report000"``: ``C`` in [1e-2, 1e2] (log),
      ``gamma`` in [1e-4, 1e2] (log) unless the kernel is linear, ``degree`` in
      2..5 for the polynomial kernel. For pixels scaled to [0, 1].
    - :class:`~sklearn.ensemble.RandomForestClassifier`, ``"report000"``:
      ``max_depth`` 4..1024 (log), ``n_estimators`` 10..300 (log), ``criterion``,
      ``max_features`` in {"sqrt", "log2"}.
    - :class:`~sklearn.ensemble.AdaBoostClassifier`, ``"report000"``:
      ``n_estimators`` 10..500 (log), the weak learner (stumps) kept.
    - :class:`~sklearn.linear_model.LogisticRegression`, ``"default"``: ``C`` in
      [1e-4, 1e2] (log).
    - :class:`~sumdigits.FCNNClassifier`, ``"report000"``: ``n_hidden_layers``
      1..6 of the ``64 * 2**(N-1-k)`` pyramid (``hidden_layer_sizes=None``),
      ``learning_rate_init`` in [1e-5, 1e-2] (log), ``dropout`` in [0, 0.5], ``l2`` in
      [1e-6, 1e-2] (log), ``batch_size`` 32..256 (log), ``batch_norm=True``.
    - :class:`~sumdigits.FCNNClassifier`, ``"report001"`` (the report's ranges):
      ``hidden_layer_sizes`` in [128, 64], [256, 128], [512, 256, 128],
      [512, 256, 128, 64]; ``learning_rate_init`` in [1e-4, 1e-1] (log);
      ``batch_size`` in {32, 64, 128}; ``dropout`` in [0.1, 0.4]; ``activation``
      in {"relu", "tanh", "sigmoid"}.
    - :class:`~sumdigits.CNNClassifier`, ``"report002"``: ``filters`` among
      report 002's five lists, ``kernel_size`` in {3, 5, 7}, ``dropout`` in
      [0, 0.5], ``learning_rate_init`` in [1e-4, 1e-2] (log).

    :func:`available_spaces` lists them all, with the library's own estimators.

    Parameters
    ----------
    estimator : estimator instance
        The estimator to tune, possibly a pipeline or a meta-estimator.
    space : str, default=None
        Name of the space where an estimator has several (``"report000"`` or
        ``"report001"`` for :class:`~sumdigits.FCNNClassifier`). None takes each
        estimator's default.

    Returns
    -------
    dict of str to optuna.distributions.BaseDistribution
        Parameter name to distribution, ready for :func:`tune` or
        :class:`OptunaSearchCV`.

    Raises
    ------
    TypeError
        If no part of ``estimator`` has a known search space.
    ValueError
        If an estimator has no space called ``space``.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from sklearn.svm import SVC
    >>> from sumdigits.tuning import search_space
    >>> sorted(search_space(SVC(kernel="poly")))
    ['C', 'degree', 'gamma']
    >>> sorted(search_space(make_pipeline(MinMaxScaler(), SVC(kernel="linear"))))
    ['svc__C']
    """
    if not isinstance(estimator, BaseEstimator):
        raise TypeError(
            f"estimator must be a scikit-learn estimator instance, got {type(estimator).__name__}"
        )
    if space is not None and not isinstance(space, str):
        raise TypeError(f"space must be a str or None, got {type(space).__name__}")
    found: dict[str, BaseDistribution] = {}
    _collect(estimator, space, "", found)
    if not found:
        raise TypeError(
            f"no search space is known for {type(estimator).__name__} or its parts; "
            f"known: {', '.join(sorted(available_spaces()))}. "
            "Pass param_distributions to tune() instead."
        )
    return found


def available_spaces():
    """The estimators that have a search space, and the names of their spaces.

    Returns
    -------
    dict of str to list of str
        ``"module.Class"`` to its space names, the default first.

    Examples
    --------
    >>> from sumdigits.tuning import available_spaces
    >>> available_spaces()["sklearn.svm.SVC"]
    ['report000']
    """
    return {f"{module}.{name}": list(spaces) for (module, name), spaces in _REGISTRY.items()}
