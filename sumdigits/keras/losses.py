"""Training losses in which a sample of weight k counts as k copies of the sample.

Keras averages a weighted loss over the rows of the batch (``sum(w * loss) / n``):
a sample of weight 0 then still dilutes the batch, and doubling every weight doubles
the step. scikit-learn's meaning of ``sample_weight`` is a number of repetitions, so
the Keras estimators of sumdigits average with the weights instead, Keras'
``reduction="mean_with_sample_weight"`` (``sum(w * loss) / sum(w)`` per batch):
within a batch, weight 2 is the sample twice and weight 0 leaves it out. Without
sample weights, both are the plain mean.
"""

from __future__ import annotations

import inspect

import keras

__all__ = ["REDUCTION", "WeightedMeanLoss", "weighted_mean_loss"]

#: Keras' reduction that divides by the sum of the sample weights.
REDUCTION = "mean_with_sample_weight"


@keras.saving.register_keras_serializable(package="sumdigits")
class WeightedMeanLoss(keras.losses.Loss):
    """A per-sample loss function, averaged over a batch with the sample weights.

    Parameters
    ----------
    fn : str or callable
        ``fn(y_true, y_pred)`` giving one loss per sample, or the name of a Keras
        loss function (``"sparse_categorical_crossentropy"``).
    name : str, default=None
        The loss's name (default: the function's).
    reduction : str, default="mean_with_sample_weight"
        Keras' reduction over the batch.
    dtype : str, default=None
        The dtype of the loss's computations (Keras' ``Loss`` argument; None:
        ``keras.backend.floatx()``).

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits.keras.losses import WeightedMeanLoss
    >>> loss = WeightedMeanLoss("mean_squared_error")
    >>> y, pred = np.array([[0.0], [0.0]]), np.array([[1.0], [3.0]])
    >>> float(loss(y, pred, sample_weight=np.array([1.0, 0.0])))  # the second left out
    1.0
    >>> float(loss(y, pred, sample_weight=np.array([2.0, 2.0])))  # the plain mean
    5.0
    """

    def __init__(self, fn, name=None, reduction=REDUCTION, dtype=None):
        fn = keras.losses.get(fn) if isinstance(fn, str) else fn
        if not callable(fn):
            raise TypeError(f"fn must be a loss function or its name, got {fn!r}.")
        super().__init__(name=name or getattr(fn, "__name__", "loss"), reduction=reduction,
                         dtype=dtype)
        self.fn = fn

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred)

    def get_config(self):
        return {**super().get_config(), "fn": keras.saving.serialize_keras_object(self.fn)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["fn"] = keras.saving.deserialize_keras_object(config["fn"])
        return cls(**config)


def weighted_mean_loss(loss, routed=None):
    """The training loss of the Keras estimators, from their ``loss`` parameter.

    Parameters
    ----------
    loss : str, callable, keras.losses.Loss class or instance, or None
        A name or a function becomes a :class:`WeightedMeanLoss`; a
        ``keras.losses.Loss`` class is built with ``routed`` and
        ``reduction="mean_with_sample_weight"`` unless ``routed`` names another;
        an instance is used as given, with its own reduction. None (an
        estimator's own default, set by its subclass) stays None.
    routed : dict, default=None
        The ``loss__`` parameters, for a loss class only.

    Returns
    -------
    keras.losses.Loss or None
        The loss to compile the network with.

    Examples
    --------
    >>> from sumdigits.keras.losses import weighted_mean_loss
    >>> weighted_mean_loss("sparse_categorical_crossentropy").reduction
    'mean_with_sample_weight'
    """
    if loss is None:
        return None
    routed = dict(routed or {})
    if inspect.isclass(loss):
        if issubclass(loss, keras.losses.Loss):
            routed.setdefault("reduction", REDUCTION)
        return loss(**routed)
    if routed:
        raise ValueError(f"loss__ parameters apply to a loss class, not to {loss!r}.")
    if isinstance(loss, keras.losses.Loss):
        return loss
    return WeightedMeanLoss(loss)
