"""Training diagnostics as Keras callbacks.

The per-epoch loss and metrics are Keras' own ``History``, kept by the estimators
as ``history_``. :class:`InactiveNeuronFraction` adds the inactive-neuron share
(report 004's definition, section 4.4, or a per-unit one) to the same per-epoch
logs, so it lands in ``history_`` too, and records it per training step on request.
:class:`LearningRateSchedule` sets the learning rate at every training step from
the steps Keras actually runs; the estimators add it for their ``learning_rate``.
:class:`BatchNormStatistics` sets batch normalisation's moving statistics exactly at
the end of training (:mod:`sumdigits.keras._batch_norm`).
"""

from __future__ import annotations

import numbers

import keras
import numpy as np

from ._batch_norm import (
    BatchNormStatistics,
    restore_batch_norm_statistics,
    set_batch_norm_statistics,
)
from ._data import _weighted_samples

__all__ = ["BatchNormStatistics", "InactiveNeuronFraction", "LearningRateSchedule",
           "inactive_neuron_fractions", "make_learning_rate_schedule",
           "restore_batch_norm_statistics", "set_batch_norm_statistics"]

SCHEDULES = ("constant", "cosine", "one-cycle")

_UNIT_LAYERS = (keras.layers.Dense, keras.layers.Conv1D, keras.layers.Conv2D,
                keras.layers.Conv3D)


def _hidden_unit_layers(model):
    """Dense and convolutional layers of ``model`` that are not output layers."""
    outputs = {id(t) for t in model.outputs}
    return [layer for layer in model.layers
            if isinstance(layer, _UNIT_LAYERS) and id(layer.output) not in outputs]


def _data_loss(model):
    """The model's loss per sample (no reduction over the batch)."""
    loss = model.loss
    if isinstance(loss, (list, tuple, dict)):
        raise ValueError(
            "InactiveNeuronFraction needs a model compiled with a single loss, got "
            f"{type(loss).__name__} of losses."
        )
    loss = keras.losses.get(loss) if isinstance(loss, str) else loss
    return loss.call if isinstance(loss, keras.losses.Loss) else loss


DEFINITIONS = ("per_unit", "per_sample")


def _check_definition(definition):
    if definition not in DEFINITIONS:
        raise ValueError(f"definition must be one of {DEFINITIONS}, got {definition!r}.")


def _per_unit_fractions(model, layers, X, y, threshold):
    """The largest |gradient| of the mean loss over each unit's incoming weights."""
    import tensorflow as tf

    loss_fn = _data_loss(model)
    weights = [[w for w in (layer.kernel, getattr(layer, "bias", None)) if w is not None]
               for layer in layers]
    variables = [w.value if hasattr(w, "value") else w for ws in weights for w in ws]
    with tf.GradientTape() as tape:
        y_pred = model(X, training=False)
        loss = tf.reduce_mean(loss_fn(y, y_pred))
    grads = iter(tape.gradient(loss, variables, unconnected_gradients="zero"))
    fractions, counts = {}, {}
    for layer, ws in zip(layers, weights):
        # largest |gradient| per unit: the unit axis is the last one of kernel and bias
        per_unit = np.max(
            [np.abs(np.asarray(next(grads))).reshape(-1, w.shape[-1]).max(axis=0) for w in ws],
            axis=0,
        )
        fractions[layer.name] = float(np.mean(per_unit < threshold))
        counts[layer.name] = per_unit.size
    return fractions, counts


def _per_sample_fractions(model, layers, X, y, threshold):
    """The |gradient| of each sample's loss at each unit's pre-activation."""
    import tensorflow as tf

    for layer in layers:
        if layer.activation is not keras.activations.linear:
            raise ValueError(
                f"definition='per_sample' reads the gradient at each hidden unit's "
                f"pre-activation, but layer {layer.name!r} applies its activation itself; "
                "build it with activation=None and a separate keras.layers.Activation "
                "(as sumdigits.keras.builders does).")
    loss_fn = _data_loss(model)
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    probe = keras.Model(inputs, [layer.output for layer in layers] + list(model.outputs))
    with tf.GradientTape() as tape:
        *pre_activations, y_pred = probe(X, training=False)
        # a sum over the samples: each entry is the gradient of its own sample's loss
        loss = tf.reduce_sum(loss_fn(y, y_pred))
    grads = tape.gradient(loss, pre_activations, unconnected_gradients="zero")
    fractions, counts = {}, {}
    for layer, grad in zip(layers, grads):
        below = np.abs(np.asarray(grad)) < threshold
        fractions[layer.name] = float(np.mean(below))
        counts[layer.name] = below.size
    return fractions, counts


def _fractions(model, X, y, threshold, definition):
    _check_definition(definition)
    layers = _hidden_unit_layers(model)
    measure = _per_unit_fractions if definition == "per_unit" else _per_sample_fractions
    return measure(model, layers, X, y, threshold)


def inactive_neuron_fractions(model, X, y, *, threshold=1e-5, definition="per_unit"):
    """Share of inactive units in each hidden layer of a compiled model.

    Two definitions, both on the data loss (without regularisation) in inference
    mode (no dropout or noise):

    - ``"per_unit"``: a unit (a dense neuron or a convolutional filter) is inactive
      when the gradient of the mean loss over ``X`` with respect to each of its
      incoming weights and its bias is below ``threshold`` in absolute value: it
      no longer learns from any sample. A ReLU unit whose input is negative on
      every sample has gradient exactly 0.
    - ``"per_sample"``: report 004's (section 4.4, figure 5), the share of
      (sample, unit) pairs whose gradient of that sample's loss with respect to
      the unit's pre-activation (the output of the dense or convolutional layer,
      before batch normalisation and activation; one entry per position for a
      convolution) is below ``threshold`` in absolute value. A ReLU unit counts
      as inactive on each sample where its input is negative, so an untrained
      ReLU network starts near one half, and every unit counts as inactive on a
      sample the network already fits (a vanishing loss gradient). The gradient
      is that of each sample's own loss; an implementation that averages the
      loss over a mini-batch of ``B`` samples (as a from-scratch one may) sees
      gradients ``B`` times smaller: ``threshold=1e-5 * B`` reads them on that
      scale.

    Parameters
    ----------
    model : keras.Model
        Compiled with one loss (TensorFlow backend).
    X, y : arrays
        A sample of (encoded) training data.
    threshold : float, default=1e-5
        Report 004's threshold.
    definition : {"per_unit", "per_sample"}, default="per_unit"
        See above. ``"per_sample"`` needs hidden layers without a built-in
        activation (a separate ``Activation`` layer, as the sumdigits builders
        make them).

    Returns
    -------
    dict
        Layer name -> fraction of its units (``"per_sample"``: of its (sample,
        unit) pairs) that are inactive.

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits.keras.builders import build_fcnn
    >>> from sumdigits.keras.callbacks import inactive_neuron_fractions
    >>> model = build_fcnn((4,), 3, hidden_layer_sizes=[5])
    >>> model.compile(loss="sparse_categorical_crossentropy")
    >>> bias = np.zeros(5); bias[0] = -1e3  # unit 0 never fires, units 1-4 always do
    >>> model.get_layer("dense_0").set_weights([np.ones((4, 5)), bias])
    >>> X = np.random.default_rng(0).random((32, 4)); y = np.arange(32) % 3
    >>> inactive_neuron_fractions(model, X, y)["dense_0"]
    0.2
    >>> inactive_neuron_fractions(model, X, y, definition="per_sample")["dense_0"]
    0.2
    """
    return _fractions(model, X, y, threshold, definition)[0]


class InactiveNeuronFraction(keras.callbacks.Callback):
    """Record the share of inactive hidden units, per epoch and optionally per step.

    Report 004 (section 4.4, figure 5) calls a neuron inactive when its gradient
    magnitude is below 1e-5, and saw the share in a ReLU network go from about
    half to over 90 % over the training iterations; ``definition="per_sample"``
    with ``frequency=<steps>`` reproduces that curve, ``"per_unit"`` counts units
    that no longer learn from any sample (:func:`inactive_neuron_fractions`).
    The fraction over all hidden units goes into the epoch logs under
    ``log_name`` (so into ``history_`` of a sumdigits estimator, or the
    ``History`` of raw Keras); the per-layer fractions are kept in
    ``per_layer_`` (a list with one dict per epoch).

    Parameters
    ----------
    X, y : arrays, default=None
        Sample on which the gradients are measured. Inside a sumdigits
        estimator leave them None: the estimator hands over its (encoded)
        training data, of which the first ``n_samples`` are used.
    threshold : float, default=1e-5
    n_samples : int, default=256
        Size of the sample drawn from the training data.
    log_name : str, default="inactive_fraction"
    definition : {"per_unit", "per_sample"}, default="per_unit"
        The measure of :func:`inactive_neuron_fractions`.
    frequency : "epoch" or int, default="epoch"
        "epoch" measures at the end of each epoch only; an int ``n`` also
        measures before every ``n``-th training step (step 0, the initial
        network, included), into ``steps_`` and ``step_fractions_``.

    Attributes
    ----------
    per_layer_ : list of dict
        Per epoch: layer name -> fraction.
    steps_ : list of int
        The training steps measured (with an int ``frequency``), counted over the
        whole fit.
    step_fractions_ : list of float
        The fraction over all hidden units at each of ``steps_``.

    See Also
    --------
    inactive_neuron_fractions : the measure, for one model and sample.

    Examples
    --------
    >>> from sumdigits import load_mnist
    >>> from sumdigits.keras import FCNNClassifier
    >>> from sumdigits.keras.callbacks import InactiveNeuronFraction
    >>> (X, y), _ = load_mnist("embedded")
    >>> clf = FCNNClassifier(hidden_layer_sizes=[16], epochs=2, batch_size=100,
    ...                      random_state=0,
    ...                      callbacks=[InactiveNeuronFraction(definition="per_sample",
    ...                                                        frequency=1)])
    >>> clf = clf.fit(X[:300], y[:300])
    >>> len(clf.history_["inactive_fraction"]), clf.callbacks_[0].steps_
    (2, [0, 1, 2, 3, 4, 5])
    """

    def __init__(self, X=None, y=None, *, threshold=1e-5, n_samples=256,
                 log_name="inactive_fraction", definition="per_unit", frequency="epoch"):
        super().__init__()
        _check_definition(definition)
        if frequency != "epoch" and (isinstance(frequency, bool)
                                     or not isinstance(frequency, numbers.Integral)
                                     or frequency < 1):
            raise ValueError(f"frequency must be 'epoch' or an int >= 1, got {frequency!r}.")
        self.X = X
        self.y = y
        self.threshold = threshold
        self.n_samples = n_samples
        self.log_name = log_name
        self.definition = definition
        self.frequency = frequency

    def set_training_data(self, X, y, sample_weight=None):
        """Called by the sumdigits estimators with the encoded training data.

        Parameters
        ----------
        X : ndarray
            The training inputs, as the network sees them; the first
            ``n_samples`` of weight > 0 are kept unless data were given to the
            constructor.
        y : ndarray
            The matching encoded targets.
        sample_weight : ndarray of shape (n_samples,), default=None
            The training weights: samples of weight 0 are left out.
        """
        if self.X is None:
            X, y = _weighted_samples(X, y, sample_weight)[:2]
            self.X, self.y = X[: self.n_samples], y[: self.n_samples]

    def on_train_begin(self, logs=None):
        if self.X is None or self.y is None:
            raise ValueError(
                "InactiveNeuronFraction needs data: pass X and y, or use it inside a "
                "sumdigits Keras estimator, which hands over its training data."
            )
        self.per_layer_, self.steps_, self.step_fractions_ = [], [], []
        self._step = 0

    def _measure(self):
        fractions, counts = _fractions(self.model, self.X, self.y, self.threshold,
                                       self.definition)
        total = sum(counts.values())
        overall = sum(fractions[k] * counts[k] for k in counts) / max(total, 1)
        return fractions, overall

    def on_train_batch_begin(self, batch, logs=None):
        if self.frequency != "epoch" and self._step % self.frequency == 0:
            self.steps_.append(self._step)
            self.step_fractions_.append(self._measure()[1])
        self._step += 1

    def on_epoch_end(self, epoch, logs=None):
        fractions, overall = self._measure()
        self.per_layer_.append(fractions)
        if logs is not None:
            logs[self.log_name] = overall


def make_learning_rate_schedule(schedule, learning_rate, total_steps, *, warmup_fraction=0.2):
    """A Keras learning-rate schedule by name.

    With ``eta = learning_rate`` and ``T = total_steps``, the rate at step ``t``:

    - ``"constant"``: ``eta``.
    - ``"cosine"``: ``eta * (0.01 + 0.99 * (1 + cos(pi * t / T)) / 2)``.
    - ``"one-cycle"``: a linear warm-up from ``eta / 10`` to ``eta`` over the first
      ``W = warmup_fraction * T`` steps, then ``eta * (0.01 + 0.99 * (1 + cos(pi *
      (t - W) / (T - W))) / 2)``.

    Parameters
    ----------
    schedule : {"constant", "cosine", "one-cycle"}
    learning_rate : float
        The peak rate ``eta``.
    total_steps : int
        Training steps ``T`` over which the rate decays.
    warmup_fraction : float, default=0.2
        Share of ``T`` spent warming up for ``"one-cycle"``.

    Returns
    -------
    float or keras.optimizers.schedules.LearningRateSchedule

    Examples
    --------
    >>> from sumdigits.keras.callbacks import make_learning_rate_schedule
    >>> s = make_learning_rate_schedule("one-cycle", 1e-3, 100)
    >>> [round(float(s(t)), 6) for t in (0, 20, 100)]
    [0.0001, 0.001, 1e-05]
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}.")
    total_steps = max(1, int(total_steps))
    if schedule == "constant":
        return learning_rate
    if schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(learning_rate, total_steps, alpha=0.01)
    warmup = int(warmup_fraction * total_steps)
    return keras.optimizers.schedules.CosineDecay(
        learning_rate / 10, max(1, total_steps - warmup), alpha=0.01,
        warmup_target=learning_rate, warmup_steps=warmup,
    )


class LearningRateSchedule(keras.callbacks.Callback):
    """Set the optimizer's learning rate at every step of one ``fit``, by schedule.

    The schedule (:func:`make_learning_rate_schedule`) spans the steps this fit
    runs, read from Keras itself when training begins: ``T = steps * (epochs -
    initial_epoch)`` from the callback's ``params`` (so ``fit(epochs=...)``, a
    dataset's length and early stopping cut-offs are whatever Keras runs; a
    stop before ``T`` ends the schedule early). After ``T`` steps the rate stays
    at its last value.

    Parameters
    ----------
    schedule : {"constant", "cosine", "one-cycle"}
    learning_rate : float
        The peak rate.
    warmup_fraction : float, default=0.2
        Share of the steps spent warming up for ``"one-cycle"``.

    Attributes
    ----------
    total_steps_ : int
        ``T`` of the last fit.

    Examples
    --------
    >>> import keras, numpy as np
    >>> from sumdigits.keras.callbacks import LearningRateSchedule
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    >>> schedule = LearningRateSchedule("cosine", 0.1)
    >>> _ = model.fit(np.zeros((40, 2)), np.zeros(40), batch_size=10, epochs=3,
    ...               callbacks=[schedule], verbose=0)
    >>> schedule.total_steps_, round(float(model.optimizer.learning_rate), 5)
    (12, 0.00269)
    """

    def __init__(self, schedule, learning_rate, *, warmup_fraction=0.2):
        super().__init__()
        if schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}.")
        self.schedule = schedule
        self.learning_rate = learning_rate
        self.warmup_fraction = warmup_fraction

    def on_train_begin(self, logs=None):
        self._first_epoch = None
        self._epoch_step = 0

    def on_epoch_begin(self, epoch, logs=None):
        if self._first_epoch is None:  # epochs are numbered from initial_epoch
            steps = self.params.get("steps")
            if not steps:
                raise ValueError("LearningRateSchedule needs the number of steps per epoch; "
                                 "give Keras data of known length.")
            self._first_epoch = epoch
            self.total_steps_ = int(steps) * (int(self.params["epochs"]) - epoch)
            self._rate = make_learning_rate_schedule(
                self.schedule, self.learning_rate, self.total_steps_,
                warmup_fraction=self.warmup_fraction)
        self._epoch_step = (epoch - self._first_epoch) * int(self.params["steps"])

    def on_train_batch_begin(self, batch, logs=None):
        t = min(self._epoch_step + batch, self.total_steps_)
        rate = self._rate(t) if callable(self._rate) else self._rate
        self.model.optimizer.learning_rate = float(rate)
