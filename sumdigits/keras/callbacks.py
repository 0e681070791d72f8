"""Training diagnostics as Keras callbacks.

The per-epoch loss and metrics are Keras' own ``History``, kept by the estimators
as ``history_``. :class:`InactiveNeuronFraction` adds report 004's inactive-neuron
share (section 4.4) to the same per-epoch logs, so it lands in ``history_`` too.
"""

from __future__ import annotations

import keras
import numpy as np

__all__ = ["InactiveNeuronFraction", "inactive_neuron_fractions"]

_UNIT_LAYERS = (keras.layers.Dense, keras.layers.Conv1D, keras.layers.Conv2D,
                keras.layers.Conv3D)


def _hidden_unit_layers(model):
    """Dense and convolutional layers of ``model`` that are not output layers."""
    outputs = {id(t) for t in model.outputs}
    return [layer for layer in model.layers
            if isinstance(layer, _UNIT_LAYERS) and id(layer.output) not in outputs]


def _data_loss(model):
    loss = model.loss
    if isinstance(loss, (list, tuple, dict)):
        raise ValueError(
            "InactiveNeuronFraction needs a model compiled with a single loss, got "
            f"{type(loss).__name__} of losses."
        )
    return keras.losses.get(loss) if isinstance(loss, str) else loss


def inactive_neuron_fractions(model, X, y, *, threshold=1e-5):
    """Share of inactive units in each hidden layer of a compiled model.

    A unit (a dense neuron or a convolutional filter) is *inactive* when the
    gradient of the data loss (mean over ``X``, without regularisation, in
    inference mode) with respect to each of its incoming weights and its bias is
    below ``threshold`` in absolute value: it no longer learns. A ReLU unit whose
    input is negative on every sample has gradient exactly 0.

    Parameters
    ----------
    model : keras.Model
        Compiled with one loss (TensorFlow backend).
    X, y : arrays
        A sample of (encoded) training data.
    threshold : float, default=1e-5
        Report 004's threshold.

    Returns
    -------
    dict
        Layer name -> fraction of its units that are inactive.

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
    """
    import tensorflow as tf

    layers = _hidden_unit_layers(model)
    loss_fn = _data_loss(model)
    weights = [[w for w in (layer.kernel, getattr(layer, "bias", None)) if w is not None]
               for layer in layers]
    variables = [w.value if hasattr(w, "value") else w for ws in weights for w in ws]
    with tf.GradientTape() as tape:
        y_pred = model(X, training=False)
        loss = tf.reduce_mean(loss_fn(y, y_pred))
    grads = iter(tape.gradient(loss, variables, unconnected_gradients="zero"))
    fractions = {}
    for layer, ws in zip(layers, weights):
        # largest |gradient| per unit: the unit axis is the last one of kernel and bias
        per_unit = np.max(
            [np.abs(np.asarray(next(grads))).reshape(-1, w.shape[-1]).max(axis=0) for w in ws],
            axis=0,
        )
        fractions[layer.name] = float(np.mean(per_unit < threshold))
    return fractions


class InactiveNeuronFraction(keras.callbacks.Callback):
    """Record the share of inactive hidden units at the end of each epoch.

    Report 004 (section 4.4) calls a unit inactive when its gradient magnitude is
    below 1e-5, and saw ReLU networks go from about half to over 90 % inactive
    units. The fraction over all hidden units goes into the epoch logs under
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

    See Also
    --------
    inactive_neuron_fractions : the measure, for one model and sample.

    Examples
    --------
    >>> from sumdigits import load_mnist
    >>> from sumdigits.keras import FCNNClassifier
    >>> from sumdigits.keras.callbacks import InactiveNeuronFraction
    >>> (X, y), _ = load_mnist("embedded")
    >>> clf = FCNNClassifier(hidden_layer_sizes=[16], epochs=2, random_state=0,
    ...                      callbacks=[InactiveNeuronFraction()]).fit(X[:300], y[:300])
    >>> len(clf.history_["inactive_fraction"])
    2
    """

    def __init__(self, X=None, y=None, *, threshold=1e-5, n_samples=256,
                 log_name="inactive_fraction"):
        super().__init__()
        self.X = X
        self.y = y
        self.threshold = threshold
        self.n_samples = n_samples
        self.log_name = log_name

    def set_training_data(self, X, y):
        """Called by the sumdigits estimators with the encoded training data.

        Parameters
        ----------
        X : ndarray
            The training inputs, as the network sees them; the first
            ``n_samples`` are kept unless data were given to the constructor.
        y : ndarray
            The matching encoded targets.
        """
        if self.X is None:
            self.X, self.y = X[: self.n_samples], y[: self.n_samples]

    def on_train_begin(self, logs=None):
        if self.X is None or self.y is None:
            raise ValueError(
                "InactiveNeuronFraction needs data: pass X and y, or use it inside a "
                "sumdigits Keras estimator, which hands over its training data."
            )
        self.per_layer_ = []

    def on_epoch_end(self, epoch, logs=None):
        fractions = inactive_neuron_fractions(self.model, self.X, self.y,
                                              threshold=self.threshold)
        units = {layer.name: layer.kernel.shape[-1] for layer in _hidden_unit_layers(self.model)}
        total = sum(units.values())
        self.per_layer_.append(fractions)
        if logs is not None:
            logs[self.log_name] = sum(fractions[k] * units[k] for k in units) / max(total, 1)
