"""Plain builder functions for the networks of the Keras estimators.

Each builder takes the shape of one input sample and the number of outputs and
returns an *uncompiled* ``keras.Model`` ending in a softmax; the estimators in
:mod:`sumdigits.keras.estimators` call them with their parameters, and they are
usable on their own with raw Keras. The last hidden layer is an identity layer
named ``"embedding"``, whose activations ``transform`` returns.

Block order: ``Dense``/``Conv2D`` -> ``BatchNormalization`` (optional) ->
activation -> ``Dropout`` (optional). With batch normalisation the dense or
convolutional layer has no bias (the normalisation's offset replaces it).

The softmax output layer computes in the variable dtype of the Keras dtype policy in
force (float32 under a mixed-precision policy), as Keras' mixed-precision guide
advises; :func:`build_cnn` takes its own ``dtype_policy``.
"""

from __future__ import annotations

import contextlib
import numbers

import keras
import numpy as np
from keras import layers

from .noise import NoiseInjection

__all__ = ["build_fcnn", "build_cnn", "build_multitask", "pyramid_widths"]

EMBEDDING_LAYER = "embedding"

#: Keras dtype policies a network can be built under: float32 throughout, or mixed
#: precision (float32 weights, the layers computing in bfloat16 or float16).
DTYPE_POLICIES = ("float32", "mixed_bfloat16", "mixed_float16")


@contextlib.contextmanager
def dtype_policy_scope(policy):
    """Layers made inside take the Keras dtype policy ``policy`` (None: the global one).

    Sets ``keras.config.set_dtype_policy`` for the block and restores the previous
    policy after it, whatever happens. Keras keeps the policy per thread.

    Examples
    --------
    >>> import keras
    >>> from sumdigits.keras.builders import dtype_policy_scope
    >>> with dtype_policy_scope("mixed_bfloat16"):
    ...     layer = keras.layers.Dense(2)
    >>> layer.compute_dtype, layer.variable_dtype, keras.config.dtype_policy().name
    ('bfloat16', 'float32', 'float32')
    """
    if policy is None:
        yield
        return
    if policy not in DTYPE_POLICIES:
        raise ValueError(f"dtype_policy must be one of {DTYPE_POLICIES} or None, got "
                         f"{policy!r}.")
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


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


def layer_activations(activation, n_layers, *, name="activation", what="hidden layers"):
    """One activation per hidden layer, from one name for all or a list of names.

    Parameters
    ----------
    activation : str or sequence of str
        A Keras activation name for every layer, or one name per layer (report
        003's ``["relu", "tanh"]`` for a 512 ReLU then 64 tanh network).
    n_layers : int
        The number of hidden layers.
    name : str, default="activation"
        The parameter's name, for the error message.
    what : str, default="hidden layers"
        What the layers are, for the error message.

    Returns
    -------
    list of str
        ``n_layers`` names.

    Examples
    --------
    >>> from sumdigits.keras.builders import layer_activations
    >>> layer_activations("relu", 2), layer_activations(["relu", "tanh"], 2)
    (['relu', 'relu'], ['relu', 'tanh'])
    """
    names = [activation] * n_layers if isinstance(activation, str) else activation
    try:
        names = list(names)
    except TypeError:
        raise TypeError(f"{name} must be a str or a list of str, got "
                        f"{type(activation).__name__}.") from None
    if not all(isinstance(a, str) for a in names):
        raise TypeError(f"{name} must be a str or a list of str, got {activation!r}.")
    if len(names) != n_layers:
        raise ValueError(f"{name} holds {len(names)} activations for {n_layers} {what}, "
                         f"got {activation!r}; give one per layer or one str.")
    for a in names:
        try:
            keras.activations.get(a)
        except ValueError:
            raise ValueError(f"{name} holds an unknown Keras activation {a!r}.") from None
    return names


class LayerSeeds:
    """Seeds for the random layers of one network, drawn from one seed.

    Calling it gives the next layer's seed: an int drawn by a NumPy ``RandomState``
    seeded with ``seed``, or None when ``seed`` is None (Keras' own random seeds).
    Each layer holds its seed, so a seeded network is repeatable without touching
    any process-wide random state.
    """

    def __init__(self, seed):
        self._rng = None if seed is None else np.random.RandomState(seed)

    def __call__(self):
        return None if self._rng is None else int(self._rng.randint(2**31 - 1))

    def kernel(self):
        """The default Keras kernel initializer, seeded."""
        return keras.initializers.GlorotUniform(seed=self())


def conv_blocks(filters, *, name="filters"):
    """Convolution blocks as lists of filter counts, from ints, sequences or a string.

    Each entry of ``filters`` is a block: an int is one convolution, a sequence of
    ints several convolutions in a row (a VGG-style block); the pooling, where
    there is one, follows each block and the stride applies to a block's first
    convolution. The string form joins blocks by ``"-"`` and the convolutions of
    a block by ``"+"``: ``"32+32-64+64"`` is ``[[32, 32], [64, 64]]``.

    Parameters
    ----------
    filters : sequence of (int or sequence of int), or str
    name : str, default="filters"
        The parameter's name, for the error message.

    Returns
    -------
    list of list of int

    Examples
    --------
    >>> from sumdigits.keras.builders import conv_blocks
    >>> conv_blocks((32, 64)), conv_blocks([(32, 32), (64, 64)]), conv_blocks("32+32-64")
    ([[32], [64]], [[32, 32], [64, 64]], [[32, 32], [64]])
    """
    if isinstance(filters, str):
        blocks = [layer_widths(block.replace("+", "-"), name=name)
                  for block in filters.split("-") if block.strip()]
    else:
        try:
            entries = list(filters)
        except TypeError:
            raise TypeError(f"{name} must be a list of ints (or of lists of ints, one per "
                            f"block) or a string such as '32+32-64+64', got "
                            f"{type(filters).__name__}.") from None
        blocks = [layer_widths([e] if isinstance(e, numbers.Integral) else e, name=name)
                  for e in entries]
    if not all(blocks):
        raise ValueError(f"{name} holds an empty convolution block: {filters!r}.")
    return blocks


def _regularizer(l2):
    return keras.regularizers.L2(l2) if l2 else None


def _block(x, layer, *, activation, batch_norm, dropout, name, seeds, pre_activation=None):
    """Apply ``layer`` then optional batch norm, the optional ``pre_activation`` layer,
    the activation and optional dropout."""
    x = layer(x)
    if batch_norm:
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
    if pre_activation is not None:
        x = pre_activation(x)
    x = layers.Activation(activation, name=f"{name}_act")(x)
    if dropout:
        x = layers.Dropout(dropout, seed=seeds(), name=f"{name}_dropout")(x)
    return x


#: Where a NoiseInjection sits in each hidden block: after the activation, on the
#: block's output, or before it, on the pre-activations ``W x + b``.
NOISE_POSITIONS = ("activations", "pre_activations")


def _dense_stack(x, units, *, activation, dropout, l2, batch_norm, seeds, prefix="dense",
                 noise=None, noise_position="activations"):
    """Dense blocks of the widths ``units``; ``activation`` one name or one per layer;
    ``noise``: None or ``(forward_stddev, backward_stddev)`` of a NoiseInjection in each
    block, at ``noise_position`` (one of :data:`NOISE_POSITIONS`)."""
    if noise_position not in NOISE_POSITIONS:
        raise ValueError(f"noise_position must be one of {NOISE_POSITIONS}, got "
                         f"{noise_position!r}.")
    noisy = noise is not None and any(noise)
    activations = layer_activations(activation, len(units))
    for k, (n, act) in enumerate(zip(units, activations)):
        dense = layers.Dense(
            int(n), use_bias=not batch_norm, kernel_regularizer=_regularizer(l2),
            kernel_initializer=seeds.kernel(), name=f"{prefix}_{k}",
        )
        before = None
        if noisy and noise_position == "pre_activations":
            before = NoiseInjection(*noise, seed=seeds(), name=f"{prefix}_{k}_noise")
        x = _block(x, dense, activation=act, batch_norm=batch_norm, dropout=dropout,
                   name=f"{prefix}_{k}", seeds=seeds, pre_activation=before)
        if noisy and noise_position == "activations":
            x = NoiseInjection(*noise, seed=seeds(), name=f"{prefix}_{k}_noise")(x)
    return x


#: Initializers of the softmax output layer's kernel: Keras' default (seeded), or
#: zeros, where every class starts with the same probability for every input.
OUTPUT_INITIALIZERS = ("glorot_uniform", "zeros")


def _softmax(x, n_outputs, *, l2, seeds, name, initializer="glorot_uniform"):
    if initializer not in OUTPUT_INITIALIZERS:
        raise ValueError(f"output_initializer must be one of {OUTPUT_INITIALIZERS}, got "
                         f"{initializer!r}.")
    kernel = seeds.kernel() if initializer == "glorot_uniform" else initializer
    # the probabilities in the weights' dtype: float32 under a mixed-precision policy
    return layers.Dense(int(n_outputs), activation="softmax", kernel_initializer=kernel,
                        kernel_regularizer=_regularizer(l2), name=name,
                        dtype=keras.config.dtype_policy().variable_dtype)(x)


def _head(x, n_outputs, *, l2, seeds, name="output", initializer="glorot_uniform"):
    x = layers.Identity(name=EMBEDDING_LAYER)(x)
    return _softmax(x, n_outputs, l2=l2, seeds=seeds, name=name, initializer=initializer)


def build_fcnn(input_shape, n_outputs, *, hidden_layer_sizes=(256, 128, 64), activation="relu",
               dropout=0.0, l2=0.0, batch_norm=False, noise_forward=0.0, noise_backward=0.0,
               noise_position="activations", seed=None):
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
    activation : str or list of str, default="relu"
        Any Keras activation ("relu", "tanh", "sigmoid", ...) for every hidden
        layer, or a list with one per hidden layer (:func:`layer_activations`).
    dropout : float in [0, 1), default=0.0
        Dropout rate after each hidden layer.
    l2 : float, default=0.0
        L2 penalty ``l2 * sum(w**2)`` on every kernel.
    batch_norm : bool, default=False
        Batch normalisation in each hidden block.
    noise_forward, noise_backward : float, default=0.0
        Standard deviations of the Gaussian noise that a
        :class:`~sumdigits.keras.noise.NoiseInjection` after each hidden block
        adds to its activations (forward) and to their gradient (backward)
        while training (report 004, section 5.1); 0 and 0 add no layer.
    noise_position : {"activations", "pre_activations"}, default="activations"
        Where the noise goes in each hidden block: on the activations (after the
        activation function) or on the pre-activations ``W x + b`` (before it, after
        batch normalisation if any), and their gradients.
    seed : int or None, default=None
        Seeds the initial weights and the dropout of every layer (each layer gets
        its own seed, drawn from this one); None leaves them to Keras.

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
    seeds = LayerSeeds(seed)
    inputs = keras.Input(shape=tuple(input_shape), name="pixels")
    x = layers.Flatten(name="flatten")(inputs) if len(input_shape) > 1 else inputs
    x = _dense_stack(x, layer_widths(hidden_layer_sizes, name="hidden_layer_sizes"),
                     activation=activation, dropout=dropout, l2=l2, batch_norm=batch_norm,
                     seeds=seeds, noise=(noise_forward, noise_backward),
                     noise_position=noise_position)
    return keras.Model(inputs, _head(x, n_outputs, l2=l2, seeds=seeds), name="fcnn")


def _conv_trunk(inputs, *, filters, kernel_size, strides, pooling, activation, dropout, l2,
                batch_norm, seeds):
    x = inputs
    if len(inputs.shape) == 3:  # (batch, height, width): add the channel axis
        x = layers.Reshape((*inputs.shape[1:], 1), name="channels")(x)
    blocks = conv_blocks(filters)
    activations = iter(layer_activations(activation, sum(len(block) for block in blocks)))
    for k, block in enumerate(blocks):
        for j, f in enumerate(block):
            name = f"conv_{k}" if len(block) == 1 else f"conv_{k}_{j}"
            conv = layers.Conv2D(
                f, kernel_size, strides=strides if j == 0 else 1, padding="same",
                use_bias=not batch_norm, kernel_regularizer=_regularizer(l2),
                kernel_initializer=seeds.kernel(), name=name,
            )
            x = _block(x, conv, activation=next(activations), batch_norm=batch_norm,
                       dropout=0.0, name=name, seeds=seeds)
        if pooling == "max":
            x = layers.MaxPooling2D(2, padding="same", name=f"conv_{k}_pool")(x)
        elif pooling == "avg":
            x = layers.AveragePooling2D(2, padding="same", name=f"conv_{k}_pool")(x)
        elif pooling is not None:
            raise ValueError(f"pooling must be 'max', 'avg' or None, got {pooling!r}.")
    x = layers.Flatten(name="flatten")(x)
    if dropout:
        x = layers.Dropout(dropout, seed=seeds(), name="flatten_dropout")(x)
    return x


def build_cnn(input_shape, n_outputs, *, filters=(32, 64, 128), kernel_size=3, strides=2,
              pooling=None, hidden_layer_sizes=(128,), activation="relu", dropout=0.0, l2=0.0,
              batch_norm=False, seed=None, output_initializer="glorot_uniform",
              dtype_policy=None):
    """A convolutional network: conv blocks, flatten, dense head, softmax.

    Parameters
    ----------
    input_shape : tuple of int
        ``(height, width)`` or ``(height, width, channels)``.
    n_outputs : int
    filters : sequence of int or str, default=(32, 64, 128)
        Filters of each convolutional layer (report 002's network), or a string
        such as ``"32-64-128"``; an entry that is itself a sequence is a block of
        convolutions with one pooling after it (:func:`conv_blocks`).
    kernel_size : int, default=3
    strides : int, default=2
        Stride of each convolution (report 002 used 2, shrinking the maps).
    pooling : {"max", "avg"} or None, default=None
        2 x 2 pooling after each convolution.
    hidden_layer_sizes : sequence of int or str, default=(128,)
        Hidden widths of the dense head.
    activation : str or list of str, default="relu"
        A Keras activation for every layer, or a list with one per convolution
        (in order) followed by one per dense layer: ``["relu", "relu", "tanh"]``
        for ``filters=[32, 64]`` and ``hidden_layer_sizes=[128]``.
    dropout : float, default=0.0
        Dropout after the flattened maps and after each dense layer.
    l2 : float, default=0.0
    batch_norm : bool, default=False
    seed : int or None, default=None
        Seeds the initial weights and the dropout of every layer (each layer gets
        its own seed, drawn from this one); None leaves them to Keras.
    output_initializer : {"glorot_uniform", "zeros"}, default="glorot_uniform"
        Initial kernel of the softmax output layer. "zeros" makes the untrained
        network give every class the same probability for every input; the
        random default favours some classes for all inputs at the start.
    dtype_policy : {"float32", "mixed_bfloat16", "mixed_float16"} or None, default=None
        Keras dtype policy of the network's layers (:func:`dtype_policy_scope`); None
        takes the global one. Under a mixed policy the weights stay float32 and the
        softmax output computes in float32.

    Returns
    -------
    keras.Model
        Uncompiled.

    Examples
    --------
    >>> from sumdigits.keras.builders import build_cnn
    >>> build_cnn((28, 56), 19, filters=[4, 8], hidden_layer_sizes=[16]).output_shape
    (None, 19)
    """
    seeds = LayerSeeds(seed)
    widths = layer_widths(hidden_layer_sizes, name="hidden_layer_sizes")
    n_conv = sum(len(block) for block in conv_blocks(filters))
    activations = layer_activations(activation, n_conv + len(widths),
                                    what="convolutions then dense layers")
    with dtype_policy_scope(dtype_policy):
        inputs = keras.Input(shape=tuple(input_shape), name="pixels")
        x = _conv_trunk(inputs, filters=filters, kernel_size=kernel_size, strides=strides,
                        pooling=pooling, activation=activations[:n_conv], dropout=dropout,
                        l2=l2, batch_norm=batch_norm, seeds=seeds)
        x = _dense_stack(x, widths, activation=activations[n_conv:], dropout=dropout, l2=l2,
                         batch_norm=batch_norm, seeds=seeds)
        outputs = _head(x, n_outputs, l2=l2, seeds=seeds, initializer=output_initializer)
    return keras.Model(inputs, outputs, name="cnn")


def build_multitask(input_shape, *, n_digit_classes=10, heads=None, trunk="fcnn",
                    hidden_layer_sizes=(256, 128), head_layer_sizes=(64,), filters=(32, 64),
                    kernel_size=3, strides=2, activation="relu", dropout=0.0, l2=0.0,
                    batch_norm=False, seed=None):
    """A hard-shared multitask network (report 002, task 6).

    One shared trunk reads the input; one softmax head per task. By default the
    tasks of a digit pair: the first digit, the second digit and the sum.

    Parameters
    ----------
    input_shape : tuple of int
        One sample's shape: ``(n_features,)`` for ``trunk="fcnn"``, ``(height,
        width)`` for either trunk.
    n_digit_classes : int, default=10
        For the default heads: the sum head has ``2 * n_digit_classes - 1`` outputs.
    heads : dict of str to int, default=None
        Output name -> number of classes, one head each, in order (any number
        of tasks, e.g. ``{"digit": 10, "group": 3}``). None gives the pair heads
        ``{"first": n_digit_classes, "second": n_digit_classes, "sum": 2 *
        n_digit_classes - 1}``.
    trunk : {"fcnn", "cnn"}, default="fcnn"
    hidden_layer_sizes : sequence of int or str, default=(256, 128)
        Dense widths of the shared trunk (after the convolutions for "cnn").
    head_layer_sizes : sequence of int or str, default=(64,)
        Dense widths of each task head.
    filters, kernel_size, strides
        Convolutions of the "cnn" trunk.
    activation, dropout, l2, batch_norm, seed
        As in :func:`build_fcnn`.

    Returns
    -------
    keras.Model
        Uncompiled, with one output per head, named as the heads (``"first"``,
        ``"second"`` and ``"sum"`` by default). The shared representation is the
        layer ``"embedding"``.

    Examples
    --------
    >>> from sumdigits.keras.builders import build_multitask
    >>> model = build_multitask((1568,), hidden_layer_sizes=[16], head_layer_sizes=[])
    >>> [o.shape[-1] for o in model.outputs]
    [10, 10, 19]
    >>> model = build_multitask((784,), heads={"digit": 10, "group": 3},
    ...                         hidden_layer_sizes=[16], head_layer_sizes=[])
    >>> model.output_names, [o.shape[-1] for o in model.outputs]
    (['digit', 'group'], [10, 3])
    """
    seeds = LayerSeeds(seed)
    inputs = keras.Input(shape=tuple(input_shape), name="pixels")
    if trunk == "cnn":
        x = _conv_trunk(inputs, filters=filters, kernel_size=kernel_size, strides=strides,
                        pooling=None, activation=activation, dropout=dropout, l2=l2,
                        batch_norm=batch_norm, seeds=seeds)
    elif trunk == "fcnn":
        x = layers.Flatten(name="flatten")(inputs) if len(input_shape) > 1 else inputs
    else:
        raise ValueError(f"trunk must be 'fcnn' or 'cnn', got {trunk!r}.")
    x = _dense_stack(x, layer_widths(hidden_layer_sizes, name="hidden_layer_sizes"),
                     activation=activation, dropout=dropout, l2=l2, batch_norm=batch_norm,
                     seeds=seeds, prefix="shared")
    shared = layers.Identity(name=EMBEDDING_LAYER)(x)
    outputs = []
    if heads is None:
        heads = {"first": n_digit_classes, "second": n_digit_classes,
                 "sum": 2 * n_digit_classes - 1}
    if not heads or not all(isinstance(k, str) and isinstance(v, numbers.Integral)
                            and not isinstance(v, bool) and v >= 1 for k, v in heads.items()):
        raise ValueError(f"heads must map output names to numbers of classes >= 1, got "
                         f"{heads!r}.")
    for name, n_out in heads.items():
        h = _dense_stack(shared, layer_widths(head_layer_sizes, name="head_layer_sizes"),
                         activation=activation, dropout=dropout, l2=l2,
                         batch_norm=batch_norm, seeds=seeds, prefix=f"{name}_head")
        outputs.append(_softmax(h, n_out, l2=l2, seeds=seeds, name=name))
    return keras.Model(inputs, outputs, name="multitask")
