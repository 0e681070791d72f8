"""The parameters of the Keras estimators, each written once.

Every parameter is a :class:`Param` (name, default, constraint, documentation). A
class lists its own ``Param`` objects and the base ones (:data:`BASE_PARAMS`, with
:func:`base_params` changing a default or a line of documentation where a subclass
needs it); :func:`declare` then derives from that one list the class's
``__init__`` (keyword-only, storing each argument as it is, with its signature),
``_parameter_constraints`` and the "Parameters" section of its docstring. No
parameter name, default or description is written twice.
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
import numbers
import textwrap

import keras
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)

from .._geometry import shape_constraint
from .callbacks import SCHEDULES  # the learning-rate schedules, by name

__all__ = ["Param", "BASE_PARAMS", "ParamsMixin", "base_params", "declare", "resolve"]

ACTIVATIONS = {"relu", "tanh", "sigmoid", "elu", "gelu", "selu", "leaky_relu", "swish"}


@dataclasses.dataclass(frozen=True)
class Param:
    """One constructor parameter: its name, default, constraint and documentation.

    ``kind`` is the type line of the numpydoc entry (``"int"``), ``doc`` the
    description under it (may be empty).
    """

    name: str
    default: object
    constraint: list
    kind: str
    doc: str = ""

    def numpydoc(self):
        head = f"    {self.name} : {self.kind}, default={self.default!r}\n"
        body = textwrap.indent(textwrap.dedent(self.doc).strip(), " " * 8)
        return head + (body + "\n" if body else "")


def _positive(kind):
    return [Interval(kind, 0, None, closed="neither")]


BASE_PARAMS = (
    Param("optimizer", "adam", [str, type, keras.optimizers.Optimizer],
          '{"adam", "sgd", "rmsprop", "adamw", "nadam"}, Optimizer class or instance',
          """\
          Routed parameters ``optimizer__<name>`` go to its constructor
          (``optimizer__momentum=0.9``); an instance is copied at every fit."""),
    Param("learning_rate", "constant", [StrOptions(set(SCHEDULES))],
          '{"constant", "cosine", "one-cycle"}',
          """\
          Schedule over the steps of one ``fit``: "cosine" decays the rate to a
          hundredth, "one-cycle" warms up from a tenth over ``warmup_fraction`` of
          the steps, then decays as "cosine"."""),
    Param("learning_rate_init", 1e-3, _positive(numbers.Real), "float",
          "Starting (peak) learning rate, unless the optimizer sets one."),
    Param("warmup_fraction", 0.2, [Interval(numbers.Real, 0, 1, closed="left")],
          "float in [0, 1)", 'Share of the steps spent warming up for "one-cycle".'),
    Param("loss", "sparse_categorical_crossentropy", [str, keras.losses.Loss, callable],
          "str, callable, keras.losses.Loss class or instance",
          """\
          Training loss; by name, function or class it is averaged over a batch as
          ``sum(w * loss) / sum(w)`` (sample weights as in scikit-learn)."""),
    Param("metrics", None, [list, None], "list of str",
          'Metrics recorded per epoch in ``history_``; None means ``["accuracy"]``.'),
    Param("batch_size", 128, [Interval(numbers.Integral, 1, None, closed="left")], "int",
          "Samples per training step (prediction: 1024, or ``predict__batch_size``)."),
    Param("epochs", 10, [Interval(numbers.Integral, 1, None, closed="left")], "int",
          "The largest number of passes over the training data."),
    Param("early_stopping", False, ["boolean"], "bool",
          """\
          Stop when the loss on a held-out ``validation_fraction`` has not improved
          for ``n_iter_no_change`` epochs, and keep the best epoch's weights."""),
    Param("validation_fraction", 0.1, [Interval(numbers.Real, 0, 1, closed="neither")],
          "float in (0, 1)", "Share of the training data held out for early stopping."),
    Param("n_iter_no_change", 5, [Interval(numbers.Integral, 1, None, closed="left")], "int",
          "Patience of early stopping, in epochs."),
    Param("callbacks", None, [list, None],
          "list of keras.callbacks.Callback (instances or classes)",
          """\
          Keras callbacks, copied at every fit into ``callbacks_``; classes are built
          with the routed parameters ``callbacks__<i>__<name>``."""),
    Param("class_weight", None, [dict, StrOptions({"balanced"}), None],
          'dict, "balanced" or None', "Multiplies the sample weights per class."),
    Param("shuffle", True, ["boolean"], "bool",
          "Shuffle the training data before each epoch (seeded by ``random_state``)."),
    Param("image_shape", None, shape_constraint(), 'tuple of int, "vector" or None',
          """\
          (height, width) of the whole input when flattened input cannot tell it
          (784 is 28 x 28, 1568 is 28 x 56), or "vector" for feature vectors."""),
    Param("rescale", "auto", [StrOptions({"auto"}),
                              Interval(numbers.Real, 0, None, closed="neither"), None],
          '"auto", float or None',
          """\
          Factor applied to the pixels: "auto" divides data in [0, 255] by 255 and
          keeps any other data (decided at ``fit``); a float is the factor."""),
    Param("warm_start", False, ["boolean"], "bool",
          "Continue from the previous fit's weights (the schedule restarts)."),
    Param("random_state", None, ["random_state"], "int, RandomState instance or None",
          """\
          Seeds the weights, dropout, augmentation, shuffling and validation split
          (no global random state); an int makes a CPU fit repeatable."""),
    Param("verbose", 0, ["verbose"], "int", "0 is silent, 1 a progress bar, 2 one line per epoch."),
)

KWARGS_DOC = """\
    **kwargs
        Routed parameters (``optimizer__*``, ``loss__*``, ``fit__*``, ``predict__*``,
        ``compile__*``, ``callbacks__<i>__<name>``) and Keras' ``run_eagerly``,
        ``jit_compile``, ``steps_per_execution``, ``weighted_metrics``,
        ``validation_batch_size``, ``validation_freq``; a misspelt name raises.
"""

def base_params(exclude=(), **changes):
    """:data:`BASE_PARAMS` without ``exclude``, with fields changed per name.

    ``changes`` maps a name to a dict of :class:`Param` fields, e.g.
    ``epochs={"default": 4}``.
    """
    unknown = (set(exclude) | set(changes)) - {p.name for p in BASE_PARAMS}
    if unknown:
        raise ValueError(f"Not base parameters: {sorted(unknown)}.")
    return tuple(dataclasses.replace(p, **changes.get(p.name, {}))
                 for p in BASE_PARAMS if p.name not in exclude)


def _make_init(params):
    names = tuple(p.name for p in params)
    defaults = {p.name: p.default for p in params}

    def __init__(self, **kwargs):
        for name in names:
            setattr(self, name, kwargs.pop(name, defaults[name]))
        # routed parameters, stored as given (scikit-learn's rule) and checked in
        # fit and set_params
        vars(self).update(kwargs)

    __init__.__signature__ = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default)
           for p in params]
        + [inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)]
    )
    return __init__


def declare(cls):
    """Derive ``__init__``, ``_parameter_constraints`` and the docs from ``cls._params``.

    The class docstring's ``Parameters`` header is followed by the entries of
    ``cls._params`` in order, then the ``**kwargs`` entry.
    """
    params = cls._params
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise ValueError(f"{cls.__name__} declares a parameter twice: {names}.")
    cls.__init__ = _make_init(params)
    cls.__init__.__qualname__ = f"{cls.__qualname__}.__init__"
    cls._parameter_constraints = {p.name: p.constraint for p in params}
    header = "    Parameters\n    ----------\n"
    doc = cls.__doc__ or ""
    if header not in doc:
        raise ValueError(f"{cls.__name__}'s docstring has no Parameters section.")
    entries = "".join(p.numpydoc() for p in params) + KWARGS_DOC
    cls.__doc__ = doc.replace(header, header + entries, 1)
    return cls


def resolve(estimator, params):
    """The declared parameters of ``estimator`` among ``params``, without routed ones.

    ``params`` are ``estimator.get_params(deep=False)``; returns a new dict of the
    names in ``type(estimator)._params``.
    """
    declared = {p.name for p in type(estimator)._params}
    return {k: v for k, v in params.items() if k in declared}


# Prefixes of routed parameters ``<prefix>__<name>``: to keras.Model.fit, predict and
# compile, to the optimizer's and a loss class's constructors, and to callback classes.
ROUTING_PREFIXES = ("fit", "predict", "compile", "optimizer", "loss", "callbacks")
# Keras arguments accepted unprefixed, and where they go.
KERAS_ARGUMENTS = {
    "run_eagerly": "compile", "jit_compile": "compile", "steps_per_execution": "compile",
    "weighted_metrics": "compile", "validation_batch_size": "fit", "validation_freq": "fit",
}


class ParamsMixin:
    """``get_params`` / ``set_params`` and the checks of the declared and routed parameters.

    For a class with ``_params`` (a :func:`declare`-d Keras estimator): the declared
    parameters, routed ``<prefix>__<name>`` ones (:data:`ROUTING_PREFIXES`) and the Keras
    arguments :data:`KERAS_ARGUMENTS`; any other name raises.
    """

    @classmethod
    def _declared_params(cls):
        return {p.name for p in cls._params}

    def _accepted_names(self):
        return self._declared_params() | set(KERAS_ARGUMENTS)

    def _check_param_names(self, names):
        """Raise for any parameter name this estimator would not use.

        Accepted are the declared parameters, routed ``<prefix>__<name>``
        parameters (:data:`ROUTING_PREFIXES`) and the Keras arguments
        :data:`KERAS_ARGUMENTS`. A misspelt name would otherwise be stored and
        silently ignored: it raises an ``InvalidParameterError`` (a
        ``ValueError`` and a ``TypeError``) with a suggestion.
        """
        known = self._accepted_names()
        cls = type(self).__name__
        for name in sorted(names):
            head = name.split("__", 1)[0]
            if name in known or ("__" in name and head in ROUTING_PREFIXES):
                continue
            if "__" in name and head == "model":
                raise InvalidParameterError(
                    f"{cls} got the routed parameter {name!r}, but model__ parameters are "
                    f"not used: {cls} builds its network from its own parameters. Set "
                    "those instead (see get_params())."
                )
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise InvalidParameterError(
                f"{cls} got an unexpected parameter {name!r}.{hint} Accepted: the "
                "parameters of __init__ (get_params()), routed parameters "
                f"{', '.join(p + '__<name>' for p in ROUTING_PREFIXES)}, and the Keras "
                f"arguments {', '.join(sorted(KERAS_ARGUMENTS))}."
            )

    def get_params(self, deep=True):
        """Parameters of ``__init__`` and routed ones, by name (``deep`` is unused)."""
        params = {name: getattr(self, name) for name in (p.name for p in self._params)}
        params.update((k, v) for k, v in vars(self).items()
                      if k not in params and not k.startswith("_") and not k.endswith("_"))
        return params

    def set_params(self, **params):
        """Set parameters of ``__init__`` or routed ones; any other name raises."""
        current = self.get_params(deep=False)
        self._check_param_names(n for n in params if n not in current)
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def _validate_params(self):
        """scikit-learn's validation, and no name that would go unused.

        As in scikit-learn, ``__init__`` only stores its arguments and ``fit``
        checks them: a misspelt constructor keyword fails at the first fit.
        """
        params = self.get_params(deep=False)
        self._check_param_names(params)
        validate_parameter_constraints(self._parameter_constraints, resolve(self, params),
                                       caller_name=type(self).__name__)

    def _routed(self, prefix):
        """``{name: value}`` of the routed parameters ``<prefix>__<name>``."""
        start = prefix + "__"
        routed = {k[len(start):]: v for k, v in self.get_params(deep=False).items()
                  if k.startswith(start)}
        routed.update((k, getattr(self, k)) for k, where in KERAS_ARGUMENTS.items()
                      if where == prefix and k in vars(self))
        return routed
