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
from ._encoders import ImageInputEncoder
from ._params import ACTIVATIONS, Param, base_params, declare
from .builders import NOISE_POSITIONS, build_cnn, build_fcnn, pyramid_widths

__all__ = ["FCNNClassifier", "CNNClassifier"]

#: Attributes of every Keras estimator but the neurosymbolic one, for the docstrings.
BASE_ATTRIBUTES = """
    Attributes
    ----------
    model_ : keras.Model
    history_ : dict of list
        Per-epoch loss and metrics (``val_*`` with early stopping).
    n_iter_ : int
        Iterations of the optimisation: the epochs of the last ``fit``, plus one
        per later ``partial_fit`` (``len(history_["loss"])``).
    callbacks_ : list of keras.callbacks.Callback
        The copies of ``callbacks`` (and the estimator's own) used in the last fit.
    classes_ : ndarray of shape (n_classes,)
        The labels ``predict`` can return, one per column of ``predict_proba``:
        those seen in ``fit``.
    n_classes_ : int
    n_features_in_ : int
    input_shape_ : tuple of int
        One sample's shape as the network receives it.
    scale_ : float
        The factor applied to the pixels (see ``rescale``).
"""


def _widths(name, default, doc):
    return Param(name, default, [list, tuple, str], "list of int or str", doc)


#: Parameters shared by the network classes, written once.
ACTIVATION = Param("activation", "relu", [StrOptions(ACTIVATIONS)],
                   '{"relu", "tanh", "sigmoid", ...}', "Activation of every hidden layer.")
#: CNN's activation: one for every layer or one per convolution and dense layer.
CNN_ACTIVATIONS = Param(
    "activation", "relu", [StrOptions(ACTIVATIONS), list, tuple],
    '{"relu", "tanh", "sigmoid", ...} or list of str',
    "Activation of every layer, or a list: one per convolution, then one per dense layer.")
#: FCNN's activation: one for every hidden layer or one per hidden layer.
LAYER_ACTIVATIONS = Param(
    "activation", "relu", [StrOptions(ACTIVATIONS), list, tuple],
    '{"relu", "tanh", "sigmoid", ...} or list of str',
    "Activation of every hidden layer, or a list with one per hidden layer.")


def _check_activation_list(activation):
    """Each entry of a list of activations is one of the names a str may be."""
    if not isinstance(activation, str):
        unknown = [a for a in activation if isinstance(a, str) and a not in ACTIVATIONS]
        if unknown:
            raise ValueError(f"activation holds {unknown!r}; each entry must be one of "
                             f"{sorted(ACTIVATIONS)}.")


def _noise_param(where, what):
    return Param(f"noise_{where}", 0.0, [Interval(numbers.Real, 0, None, closed="left")],
                 "float", f"""\
                 Standard deviation of the Gaussian noise added to {what} of each
                 hidden layer while training (:class:`~sumdigits.keras.noise.NoiseInjection`).""")


NOISE_POSITION = Param(
    "noise_position", "activations", [StrOptions(set(NOISE_POSITIONS))],
    '{"activations", "pre_activations"}',
    "Where the noise acts: after each hidden layer's activation function, or before it.")


L2 = Param("l2", 0.0, [Interval(numbers.Real, 0, None, closed="left")], "float",
           "L2 penalty ``l2 * sum(w**2)`` on every kernel.")
BATCH_NORM = Param("batch_norm", False, ["boolean"], "bool",
                   "Batch normalisation after every convolution and dense layer.")
KERNEL_SIZE = Param("kernel_size", 3, [Interval(numbers.Integral, 1, None, closed="left"), tuple],
                    "int", "Size of every convolution kernel.")
STRIDES = Param("strides", 2, [Interval(numbers.Integral, 1, None, closed="left"), tuple], "int",
                "Stride of every convolution.")


def dropout_param(default=0.0, where="after each hidden layer"):
    return Param("dropout", default, [Interval(numbers.Real, 0, 1, closed="left")],
                 "float in [0, 1)", f"Dropout rate {where}.")


def filters_param(default, doc="Filters of each convolutional layer."):
    return Param("filters", default, [list, tuple, str], "list of int or str",
                 doc + ' A list entry is a block of convolutions before one pooling '
                 '(``[[32, 32], [64]]``, or the string ``"32+32-64"``).')


@declare
class FCNNClassifier(BaseKerasClassifier):
    __doc__ = """A fully connected network classifier (Keras, through scikeras).

    Parameters
    ----------
""" + BASE_ATTRIBUTES + """
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

    _params = (
        Param("hidden_layer_sizes", None, [list, tuple, str, None], "list of int, str or None",
              """\
              Width of each hidden layer (or a string such as ``"512-256"``); None:
              ``n_hidden_layers`` widths halving down to 64."""),
        Param("n_hidden_layers", 3, [Interval(numbers.Integral, 0, None, closed="left")], "int",
              "Depth of the pyramid when ``hidden_layer_sizes`` is None."),
        LAYER_ACTIVATIONS, dropout_param(), L2, BATCH_NORM,
        _noise_param("forward", "the activations or pre-activations (forward pass)"),
        _noise_param("backward", "their gradient (backward pass)"),
        NOISE_POSITION,
        *base_params(),
    )

    def _keras_build_fn(self, meta, params):
        widths = params["hidden_layer_sizes"]
        if widths is None:
            widths = pyramid_widths(params["n_hidden_layers"])
        _check_activation_list(params["activation"])
        return build_fcnn(
            meta["input_shape_"], meta["n_classes_"], hidden_layer_sizes=widths,
            activation=params["activation"], dropout=params["dropout"], l2=params["l2"],
            batch_norm=params["batch_norm"], noise_forward=params["noise_forward"],
            noise_backward=params["noise_backward"], noise_position=params["noise_position"],
            seed=meta["seed"],
        )


@declare
class CNNClassifier(BaseKerasClassifier):
    __doc__ = """A convolutional network classifier (Keras, through scikeras).

    Flattened input is reshaped to images: 784 pixels are 28 x 28, 1568 a 28 x 56
    pair; pass ``image_shape`` for other sizes (or give X as (n, height, width)).

    Parameters
    ----------
""" + BASE_ATTRIBUTES + """
    See Also
    --------
    FCNNClassifier : the fully connected network.
    sumdigits.keras.builders.build_cnn : the network, for raw Keras.

    Examples
    --------
    >>> from sumdigits import load_mnist
    >>> from sumdigits.keras import CNNClassifier
    >>> (X, y), (X_test, y_test) = load_mnist("embedded")
    >>> clf = CNNClassifier(filters=[8, 16], hidden_layer_sizes=[32], epochs=1,
    ...                     random_state=0)
    >>> clf.fit(X[:500], y[:500]).predict(X_test[:3]).shape
    (3,)
    """

    _params = (
        filters_param((32, 64, 128), "Filters of each convolutional layer."),
        KERNEL_SIZE, STRIDES,
        Param("pooling", None, [StrOptions({"max", "avg"}), None], '{"max", "avg"} or None',
              "2 x 2 pooling after each convolution."),
        _widths("hidden_layer_sizes", (128,),
                "Hidden widths of the dense head; the last is the embedding."),
        CNN_ACTIVATIONS, dropout_param(where="after the flattened maps and each dense layer"),
        L2,
        BATCH_NORM,
        *base_params(),
    )

    @property
    def feature_encoder(self):
        return ImageInputEncoder(image_shape=self.image_shape, rescale=self.rescale,
                                 as_images=True)

    def _keras_build_fn(self, meta, params):
        _check_activation_list(params["activation"])
        return build_cnn(
            meta["input_shape_"], meta["n_classes_"], filters=params["filters"],
            kernel_size=params["kernel_size"], strides=params["strides"],
            pooling=params["pooling"], hidden_layer_sizes=params["hidden_layer_sizes"],
            activation=params["activation"], dropout=params["dropout"], l2=params["l2"],
            batch_norm=params["batch_norm"], seed=meta["seed"],
        )
