"""Fully connected and convolutional network classifiers (scikeras estimators).

Both read the input shape from ``X`` (784 pixels or 28 x 28 digits, 28 x 56 pairs,
other image sizes) and the classes from ``y`` (10 digits, 19 sums, any labels),
so either classifies single digits, or digit pairs by their sum, or serves as the
``estimator`` of :class:`sumdigits.SequentialDigitSumClassifier`.
"""

from __future__ import annotations

import numbers

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseKerasClassifier
from .builders import build_cnn, build_fcnn, pyramid_widths

__all__ = ["FCNNClassifier", "CNNClassifier"]

_ACTIVATIONS = {"relu", "tanh", "sigmoid", "elu", "gelu", "selu", "leaky_relu", "swish"}

_BASE_DOC = """
    optimizer : str, Optimizer class or instance, default="adam"
        "adam", "sgd", "rmsprop", ...; ``optimizer__<name>`` routes constructor
        arguments (``optimizer__momentum=0.9``).
    learning_rate : float, default=1e-3
    loss : str or keras.losses.Loss, default="sparse_categorical_crossentropy"
    metrics : list of str, default=None
        Recorded per epoch in ``history_``; None means ``["accuracy"]``.
    batch_size : int, default=128
    epochs : int, default=10
    early_stopping : bool, default=False
        Stop when the loss on a stratified ``validation_fraction`` of the training
        data has not improved for ``n_iter_no_change`` epochs; restore the best
        weights (Keras' ``EarlyStopping``).
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=5
    callbacks : list of keras callbacks, default=None
        Copied at every fit; they survive clone, grid searches and pickling.
    class_weight : dict, "balanced" or None, default=None
    shuffle : bool, default=True
    image_shape : tuple of int, "vector" or None, default=None
        (height, width) of flattened images when not inferable; "vector" for
        plain feature vectors (each a 1 x n_features image).
    rescale : "auto", float or None, default="auto"
        "auto" scales uint8 pixels to [0, 1].
    warm_start : bool, default=False
    random_state : int, RandomState instance or None, default=None
        An int makes a CPU fit repeatable.
    verbose : int, default=0
        0 silent, 1 progress bar, 2 one line per epoch.
    **kwargs
        Routed parameters (``optimizer__*``, ``fit__*``, ``predict__*``,
        ``callbacks__*``) and Keras' ``run_eagerly``; any other name (a
        misspelt parameter) makes ``fit`` and ``set_params`` raise an error
        suggesting the closest one.

    Attributes
    ----------
    model_ : keras.Model
    history_ : dict of list
        Per-epoch loss and metrics (``val_*`` with early stopping).
    n_iter_ : int
        Epochs run.
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    input_shape_ : tuple of int
"""


def _base_kwargs(local):
    """The base-class parameters among an ``__init__``'s locals."""
    return {name: local[name] for name in _BASE_PARAMS}


_BASE_PARAMS = (
    "optimizer", "learning_rate", "loss", "metrics", "batch_size", "epochs", "early_stopping",
    "validation_fraction", "n_iter_no_change", "callbacks", "class_weight", "shuffle",
    "image_shape", "rescale", "warm_start", "random_state", "verbose",
)


class FCNNClassifier(BaseKerasClassifier):
    __doc__ = """A fully connected network classifier (Keras, through scikeras).

    Parameters
    ----------
    hidden_layer_sizes : list of int, str or None, default=None
        Width of each hidden layer, as a list or a string such as ``"512-256"``
        (the form Optuna storages keep). None uses report 000's pyramid,
        ``64 * 2**(N-1-k)`` for ``k = 0..N-1`` with ``N = n_hidden_layers``.
    n_hidden_layers : int, default=3
        Depth of the pyramid when ``hidden_layer_sizes`` is None.
    activation : {"relu", "tanh", "sigmoid", ...}, default="relu"
    dropout : float in [0, 1), default=0.0
        Dropout rate after each hidden layer.
    l2 : float, default=0.0
        L2 penalty ``l2 * sum(w**2)`` on every kernel.
    batch_norm : bool, default=False
        Batch normalisation in each hidden block.""" + _BASE_DOC + """
    See Also
    --------
    CNNClassifier : the convolutional network.
    sumdigits.keras.builders.build_fcnn : the network, for raw Keras.

    Examples
    --------
    >>> from sumdigits import load_mnist
    >>> from sumdigits.keras import FCNNClassifier
    >>> (X, y), (X_test, y_test) = load_mnist("embedded")
    >>> clf = FCNNClassifier(hidden_layer_sizes=[64], epochs=2, random_state=0)
    >>> clf.fit(X[:1000], y[:1000]).predict_proba(X_test[:3]).shape
    (3, 10)
    >>> clf.transform(X_test[:3]).shape
    (3, 64)
    """

    _parameter_constraints = {
        **BaseKerasClassifier._parameter_constraints,
        "hidden_layer_sizes": [list, tuple, str, None],
        "n_hidden_layers": [Interval(numbers.Integral, 0, None, closed="left")],
        "activation": [StrOptions(_ACTIVATIONS)],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "l2": [Interval(numbers.Real, 0, None, closed="left")],
        "batch_norm": ["boolean"],
    }

    def __init__(
        self,
        *,
        hidden_layer_sizes=None,
        n_hidden_layers=3,
        activation="relu",
        dropout=0.0,
        l2=0.0,
        batch_norm=False,
        optimizer="adam",
        learning_rate=1e-3,
        loss="sparse_categorical_crossentropy",
        metrics=None,
        batch_size=128,
        epochs=10,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        callbacks=None,
        class_weight=None,
        shuffle=True,
        image_shape=None,
        rescale="auto",
        warm_start=False,
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        super().__init__(**_base_kwargs(locals()), **kwargs)
        self.hidden_layer_sizes = hidden_layer_sizes
        self.n_hidden_layers = n_hidden_layers
        self.activation = activation
        self.dropout = dropout
        self.l2 = l2
        self.batch_norm = batch_norm

    def _hidden_layer_sizes(self):
        if self.hidden_layer_sizes is None:
            return pyramid_widths(self.n_hidden_layers)
        return self.hidden_layer_sizes  # a list or "512-256": build_fcnn reads both

    def _build_network(self, input_shape, n_outputs):
        return build_fcnn(
            input_shape, n_outputs, hidden_layer_sizes=self._hidden_layer_sizes(),
            activation=self.activation, dropout=self.dropout, l2=self.l2,
            batch_norm=self.batch_norm,
        )


class CNNClassifier(BaseKerasClassifier):
    __doc__ = """A convolutional network classifier (Keras, through scikeras).

    Flattened input is reshaped to images: 784 pixels are 28 x 28, 1568 a 28 x 56
    pair; pass ``image_shape`` for other sizes (or give X as (n, height, width)).

    Parameters
    ----------
    filters : list of int or str, default=(32, 64, 128)
        Filters of each convolutional layer (report 002's network), or a string
        such as ``"32-64-128"``.
    kernel_size : int, default=3
    strides : int, default=2
        Stride of every convolution.
    pooling : {"max", "avg"} or None, default=None
        2 x 2 pooling after each convolution.
    dense_units : list of int or str, default=(128,)
        Hidden widths of the dense head; the last is the embedding.
    activation : {"relu", "tanh", "sigmoid", ...}, default="relu"
    dropout : float in [0, 1), default=0.0
        Dropout after the flattened maps and after each dense layer.
    l2 : float, default=0.0
    batch_norm : bool, default=False""" + _BASE_DOC + """
    See Also
    --------
    FCNNClassifier : the fully connected network.
    sumdigits.keras.builders.build_cnn : the network, for raw Keras.

    Examples
    --------
    >>> from sumdigits import load_mnist
    >>> from sumdigits.keras import CNNClassifier
    >>> (X, y), (X_test, y_test) = load_mnist("embedded")
    >>> clf = CNNClassifier(filters=[8, 16], dense_units=[32], epochs=1, random_state=0)
    >>> clf.fit(X[:500], y[:500]).predict(X_test[:3]).shape
    (3,)
    """

    _as_images = True

    _parameter_constraints = {
        **BaseKerasClassifier._parameter_constraints,
        "filters": [list, tuple, str],
        "kernel_size": [Interval(numbers.Integral, 1, None, closed="left"), tuple],
        "strides": [Interval(numbers.Integral, 1, None, closed="left"), tuple],
        "pooling": [StrOptions({"max", "avg"}), None],
        "dense_units": [list, tuple, str],
        "activation": [StrOptions(_ACTIVATIONS)],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "l2": [Interval(numbers.Real, 0, None, closed="left")],
        "batch_norm": ["boolean"],
    }

    def __init__(
        self,
        *,
        filters=(32, 64, 128),
        kernel_size=3,
        strides=2,
        pooling=None,
        dense_units=(128,),
        activation="relu",
        dropout=0.0,
        l2=0.0,
        batch_norm=False,
        optimizer="adam",
        learning_rate=1e-3,
        loss="sparse_categorical_crossentropy",
        metrics=None,
        batch_size=128,
        epochs=10,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        callbacks=None,
        class_weight=None,
        shuffle=True,
        image_shape=None,
        rescale="auto",
        warm_start=False,
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        super().__init__(**_base_kwargs(locals()), **kwargs)
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.pooling = pooling
        self.dense_units = dense_units
        self.activation = activation
        self.dropout = dropout
        self.l2 = l2
        self.batch_norm = batch_norm

    def _build_network(self, input_shape, n_outputs):
        return build_cnn(
            input_shape, n_outputs, filters=self.filters, kernel_size=self.kernel_size,
            strides=self.strides, pooling=self.pooling, dense_units=self.dense_units,
            activation=self.activation, dropout=self.dropout, l2=self.l2,
            batch_norm=self.batch_norm,
        )
