"""Plain builder functions for the networks of the Keras estimators.

Each builder takes the shape of one input sample and the number of outputs and
returns an *uncompiled* ``keras.Model`` ending in a softmax; the estimators in
:mod:`sumdigits.keras.estimators` call them with their parameters, and they are
usable on their own with raw Keras. The last hidden layer is an identity layer
named ``"embedding"``, whose activations ``transform`` returns.

Block order: ``Dense``/``Conv2D`` -> ``BatchNormalization`` (optional) ->
activation -> ``Dropout`` (optional). With batch normalisation the dense or
convolutional layer has no bias (the normalisation's offset replaces it).
"""

from __future__ import annotations

import numbers

import keras
from keras import layers

__all__ = ["pyramid_widths", "layer_widths", "build_fcnn", "build_cnn", "build_multitask"]

EMBEDDING_LAYER = "embedding"


def pyramid_widths(n_hidden_layers, base_width=64):
    """Hidden widths halving towards the output: ``base_width * 2**(N-1-k)``.

    The rule of report 000 (eq. 9), where N = 6 gave 2048, 1024, ..., 64.

    Parameters
    ----------
    n_hidden_layers : int
        Number of hidden layers N (0 gives no layer).
    base_width : int, default=64
        Width of the last hidden layer.

    Returns
    -------
    list of int
        The N widths, widest first.

    Examples
    --------
    >>> from sumdigits.keras.builders import pyramid_widths
    >>> pyramid_widths(3)
    [256, 128, 64]
    """
    if int(n_hidden_layers) != n_hidden_layers or n_hidden_layers < 0:
        raise ValueError(f"n_hidden_layers must be an int >= 0, got {n_hidden_layers!r}.")
    return [int(base_width) * 2 ** (int(n_hidden_layers) - 1 - k) for k in range(int(n_hidden_layers))]


def layer_widths(widths, *, name="widths"):
    """Layer widths as a list of positive ints, from a sequence or a string like ``"512-256"``.

    The string form lets a search space hold layer lists as plain strings, which an
    Optuna storage keeps (it keeps only None, bool, int, float and str choices).

    Parameters
    ----------
    widths : sequence of int or str
        ``[512, 256]``, ``(512, 256)`` or ``"512-256"`` (``""`` is no layer).
    name : str, default="widths"
        The parameter's name, for the error message.

    Returns
    -------
    list of int

    Examples
    --------
    >>> from sumdigits.keras.builders import layer_widths
    >>> layer_widths("512-256-128"), layer_widths((32, 64))
    ([512, 256, 128], [32, 64])
    """
    if isinstance(widths, str):
        parts = [p for p in widths.replace(",", "-").split("-") if p.strip()]
        if not all(p.strip().isdigit() for p in parts):
            raise ValueError(
                f"{name} must be a list of positive ints or a string of them joined by '-' "
                f"such as '512-256', got {widths!r}."
            )
        values = [int(p) for p in parts]
    else:
        try:
            values = list(widths)
        except TypeError:
            raise TypeError(
                f"{name} must be a list of positive ints or a string such as '512-256', "
                f"got {type(widths).__name__}."
            ) from None
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v > 0
               for v in values):
        raise ValueError(f"{name} must hold positive ints, got {widths!r}.")
    return [int(v) for v in values]


def _regularizer(l2):
    return keras.regularizers.L2(l2) if l2 else None


def _block(x, layer, *, activation, batch_norm, dropout, name):
    """Apply ``layer`` then optional batch norm, the activation and optional dropout."""
    x = layer(x)
    if batch_norm:
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
    x = layers.Activation(activation, name=f"{name}_act")(x)
    if dropout:
        x = layers.Dropout(dropout, name=f"{name}_dropout")(x)
    return x


def _dense_stack(x, units, *, activation, dropout, l2, batch_norm, prefix="dense"):
    for k, n in enumerate(units):
        dense = layers.Dense(
            int(n), use_bias=not batch_norm, kernel_regularizer=_regularizer(l2),
            name=f"{prefix}_{k}",
        )
        x = _block(x, dense, activation=activation, batch_norm=batch_norm, dropout=dropout,
                   name=f"{prefix}_{k}")
    return x


def _head(x, n_outputs, *, l2, name="output"):
    x = layers.Identity(name=EMBEDDING_LAYER)(x)
    return layers.Dense(int(n_outputs), activation="softmax",
                        kernel_regularizer=_regularizer(l2), name=name)(x)


def build_fcnn(input_shape, n_outputs, *, hidden_layer_sizes=(256, 128, 64), activation="relu",
               dropout=0.0, l2=0.0, batch_norm=False):
    """A fully connected network: flatten, dense blocks, softmax.

    Parameters
    ----------
    input_shape : tuple of int
        One sample's shape, e.g. ``(784,)`` or ``(28, 56)``.
    n_outputs : int
        Number of classes.
    hidden_layer_sizes : sequence of int or str, default=(256, 128, 64)
        Width of each hidden layer, or a string such as ``"256-128-64"`` (empty:
        multinomial logistic regression).
    activation : str, default="relu"
        Any Keras activation ("relu", "tanh", "sigmoid", ...).
    dropout : float in [0, 1), default=0.0
        Dropout rate after each hidden layer.
    l2 : float, default=0.0
        L2 penalty ``l2 * sum(w**2)`` on every kernel.
    batch_norm : bool, default=False
        Batch normalisation in each hidden block.

    Returns
    -------
    keras.Model
        Uncompiled.

    Examples
    --------
    >>> from sumdigits.keras.builders import build_fcnn
    >>> model = build_fcnn((784,), 10, hidden_layer_sizes=[32])
    >>> model.output_shape
    (None, 10)
    """
    inputs = keras.Input(shape=tuple(input_shape), name="pixels")
    x = layers.Flatten(name="flatten")(inputs) if len(input_shape) > 1 else inputs
    x = _dense_stack(x, layer_widths(hidden_layer_sizes, name="hidden_layer_sizes"),
                     activation=activation, dropout=dropout, l2=l2, batch_norm=batch_norm)
    return keras.Model(inputs, _head(x, n_outputs, l2=l2), name="fcnn")


def _conv_trunk(inputs, *, filters, kernel_size, strides, pooling, activation, dropout, l2,
                batch_norm):
    x = inputs
    if len(inputs.shape) == 3:  # (batch, height, width): add the channel axis
        x = layers.Reshape((*inputs.shape[1:], 1), name="channels")(x)
    for k, f in enumerate(layer_widths(filters, name="filters")):
        conv = layers.Conv2D(
            int(f), kernel_size, strides=strides, padding="same", use_bias=not batch_norm,
            kernel_regularizer=_regularizer(l2), name=f"conv_{k}",
        )
        x = _block(x, conv, activation=activation, batch_norm=batch_norm, dropout=0.0,
                   name=f"conv_{k}")
        if pooling == "max":
            x = layers.MaxPooling2D(2, padding="same", name=f"conv_{k}_pool")(x)
        elif pooling == "avg":
            x = layers.AveragePooling2D(2, padding="same", name=f"conv_{k}_pool")(x)
        elif pooling is not None:
            raise ValueError(f"pooling must be 'max', 'avg' or None, got {pooling!r}.")
    x = layers.Flatten(name="flatten")(x)
    if dropout:
        x = layers.Dropout(dropout, name="flatten_dropout")(x)
    return x


def build_cnn(input_shape, n_outputs, *, filters=(32, 64, 128), kernel_size=3, strides=2,
              pooling=None, dense_units=(128,), activation="relu", dropout=0.0, l2=0.0,
              batch_norm=False):
    """A convolutional network: conv blocks, flatten, dense head, softmax.

    Parameters
    ----------
    input_shape : tuple of int
        ``(height, width)`` or ``(height, width, channels)``.
    n_outputs : int
    filters : sequence of int or str, default=(32, 64, 128)
        Filters of each convolutional layer (report 002's network), or a string
        such as ``"32-64-128"``.
    kernel_size : int, default=3
    strides : int, default=2
        Stride of each convolution (report 002 used 2, shrinking the maps).
    pooling : {"max", "avg"} or None, default=None
        2 x 2 pooling after each convolution.
    dense_units : sequence of int or str, default=(128,)
        Hidden widths of the dense head.
    activation : str, default="relu"
    dropout : float, default=0.0
        Dropout after the flattened maps and after each dense layer.
    l2 : float, default=0.0
    batch_norm : bool, default=False

    Returns
    -------
    keras.Model
        Uncompiled.

    Examples
    --------
    >>> from sumdigits.keras.builders import build_cnn
    >>> build_cnn((28, 56), 19, filters=[4, 8], dense_units=[16]).output_shape
    (None, 19)
    """
    inputs = keras.Input(shape=tuple(input_shape), name="pixels")
    x = _conv_trunk(inputs, filters=filters, kernel_size=kernel_size, strides=strides,
                    pooling=pooling, activation=activation, dropout=dropout, l2=l2,
                    batch_norm=batch_norm)
    x = _dense_stack(x, layer_widths(dense_units, name="dense_units"), activation=activation,
                     dropout=dropout, l2=l2, batch_norm=batch_norm)
    return keras.Model(inputs, _head(x, n_outputs, l2=l2), name="cnn")


def build_multitask(input_shape, *, n_digit_classes=10, trunk="fcnn", shared_units=(256, 128),
                    head_units=(64,), filters=(32, 64), kernel_size=3, strides=2,
                    activation="relu", dropout=0.0, l2=0.0, batch_norm=False):
    """A hard-shared multitask network for digit pairs (report 002, task 6).

    One shared trunk reads the pair image; three heads predict the first digit,
    the second digit and the sum.

    Parameters
    ----------
    input_shape : tuple of int
        One pair's shape: ``(n_features,)`` for ``trunk="fcnn"``, ``(height,
        width)`` for either trunk.
    n_digit_classes : int, default=10
        The sum head has ``2 * n_digit_classes - 1`` outputs.
    trunk : {"fcnn", "cnn"}, default="fcnn"
    shared_units : sequence of int or str, default=(256, 128)
        Dense widths of the shared trunk (after the convolutions for "cnn").
    head_units : sequence of int or str, default=(64,)
        Dense widths of each task head.
    filters, kernel_size, strides
        Convolutions of the "cnn" trunk.
    activation, dropout, l2, batch_norm
        As in :func:`build_fcnn`.

    Returns
    -------
    keras.Model
        Uncompiled, with outputs named ``"first"``, ``"second"`` and ``"sum"``.
        The shared representation is the layer ``"embedding"``.

    Examples
    --------
    >>> from sumdigits.keras.builders import build_multitask
    >>> [o.shape[-1] for o in build_multitask((1568,), shared_units=[16], head_units=[]).outputs]
    [10, 10, 19]
    """
    inputs = keras.Input(shape=tuple(input_shape), name="pixels")
    if trunk == "cnn":
        x = _conv_trunk(inputs, filters=filters, kernel_size=kernel_size, strides=strides,
                        pooling=None, activation=activation, dropout=dropout, l2=l2,
                        batch_norm=batch_norm)
    elif trunk == "fcnn":
        x = layers.Flatten(name="flatten")(inputs) if len(input_shape) > 1 else inputs
    else:
        raise ValueError(f"trunk must be 'fcnn' or 'cnn', got {trunk!r}.")
    x = _dense_stack(x, layer_widths(shared_units, name="shared_units"), activation=activation,
                     dropout=dropout, l2=l2, batch_norm=batch_norm, prefix="shared")
    shared = layers.Identity(name=EMBEDDING_LAYER)(x)
    outputs = []
    for name, n_out in (("first", n_digit_classes), ("second", n_digit_classes),
                        ("sum", 2 * n_digit_classes - 1)):
        h = _dense_stack(shared, layer_widths(head_units, name="head_units"),
                         activation=activation, dropout=dropout, l2=l2,
                         batch_norm=batch_norm, prefix=f"{name}_head")
        outputs.append(layers.Dense(n_out, activation="softmax",
                                    kernel_regularizer=_regularizer(l2), name=name)(h))
    return keras.Model(inputs, outputs, name="multitask")
