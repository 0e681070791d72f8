"""The scikeras base class shared by every Keras estimator of sumdigits.

:class:`BaseKerasClassifier` is a :class:`scikeras.wrappers.KerasClassifier` that
fixes what scikeras 0.13 (no longer maintained) gets wrong with Keras 3 and
scikit-learn >= 1.6, and adds what users of skorch and scikeras ask for most:

* ``is_classifier`` is True (scikeras only sets the pre-1.6 ``_estimator_type``
  and ``_more_tags``, which scikit-learn >= 1.6 ignores, so ``cross_val_score``
  silently used ``KFold`` instead of ``StratifiedKFold``);
* ``predict_proba`` always returns a 2-D array (scikeras squeezes the output, so
  one sample gave a 1-D array);
* ``class_weight`` no longer multiplies the caller's ``sample_weight`` array in
  place;
* callbacks are copied at every fit, so the instances given as parameters never
  hold a model: they survive ``clone``, ``GridSearchCV`` and pickling, and a
  stateful callback (Keras' ``EarlyStopping`` keeps its best value, keras#20521)
  starts afresh at every fit;
* early stopping on a stratified validation split carved from the training data,
  with Keras' own ``EarlyStopping`` restoring the best weights;
* the input shape is read from ``X``: flattened or 2-D images of any size, single
  digits (10 classes) or digit pairs (19 sums); ``uint8`` pixels are scaled to
  [0, 1];
* silent by default (``verbose=0``), ``random_state`` makes a CPU fit repeatable,
  and ``history_`` holds the per-epoch loss and metrics, training and validation.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import inspect
import numbers
import random
from collections import defaultdict

import keras
import numpy as np
import scipy.sparse as sp
from scikeras.wrappers import KerasClassifier
from scikeras._utils import (
    get_optimizer_class,
    route_params,
    try_to_convert_strings_to_classes,
    unflatten_params,
)
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.validation import _num_samples, check_is_fitted, column_or_1d
from sklearn_compat.base import _fit_context

from .._geometry import image_shape_constraint, resolve_geometry
from .._validation import check_n_classes, check_samples
from .builders import EMBEDDING_LAYER

__all__ = ["BaseKerasClassifier", "ImageInputEncoder"]

# Prefixes of routed parameters ``<prefix>__<name>``, as scikeras routes them: to
# keras.Model.fit, predict and compile, to the optimizer's, loss', metrics' and
# callbacks' constructors, and to the scorer.
ROUTING_PREFIXES = (
    "fit", "predict", "compile", "optimizer", "loss", "metrics", "callbacks", "score",
)
# Arguments of keras.Model.compile / fit / predict that scikeras passes on unprefixed.
KERAS_ARGUMENTS = frozenset({
    "run_eagerly", "weighted_metrics", "validation_split", "validation_batch_size",
    "validation_freq", "validation_steps", "steps",
})


class ImageInputEncoder(TransformerMixin, BaseEstimator):
    """Reshape and scale images (or feature vectors) for a Keras network.

    Parameters
    ----------
    image_shape : tuple of int, "vector" or None, default=None
        The (height, width) of flattened images. ``None`` infers it: 784 features
        are a 28 x 28 digit, 1568 a 28 x 56 pair (two digits side by side, the
        default layout of :func:`sumdigits.make_digit_pairs`), a perfect square
        ``d`` a ``sqrt(d) x sqrt(d)`` image, twice a square two of them side by side
        (:func:`sumdigits._geometry.resolve_geometry`, ``layout="auto"``).
        "vector": plain feature vectors, a 1 x n_features image each.
    rescale : "auto", float or None, default="auto"
        Factor applied to the pixels: "auto" divides ``uint8`` input by 255 and
        leaves other dtypes alone; ``None`` means 1.
    as_images : bool, default=False
        Give the network images (n, height, width[, channels]) rather than
        flattened vectors (n, n_features).

    Attributes
    ----------
    input_shape_ : tuple of int
        The shape of one sample as the network sees it.
    scale_ : float
        The factor applied to the pixels.
    """

    def __init__(self, *, image_shape=None, rescale="auto", as_images=False):
        self.image_shape = image_shape
        self.rescale = rescale
        self.as_images = as_images

    def fit(self, X, y=None):
        X = np.asarray(X)
        if X.ndim == 2 and not self.as_images:
            self.input_shape_ = (X.shape[1],)
        elif X.ndim == 2:
            self.input_shape_ = resolve_geometry(X.shape[1:], image_shape=self.image_shape,
                                                 layout="auto").image_shape
        elif X.ndim in (3, 4):
            resolve_geometry(X.shape[1:], image_shape=self.image_shape, layout="auto")
            self.input_shape_ = X.shape[1:] if self.as_images else (int(np.prod(X.shape[1:])),)
        else:
            raise ValueError(
                "X must be a 2-D array (n_samples, n_features) or a stack of images "
                f"(n_samples, height, width[, channels]); got an array of shape {X.shape}."
            )
        if isinstance(self.rescale, str):
            if self.rescale != "auto":
                raise ValueError(f"rescale must be 'auto', a float or None, got {self.rescale!r}.")
            self.scale_ = 1.0 / 255.0 if X.dtype == np.uint8 else 1.0
        else:
            self.scale_ = 1.0 if self.rescale is None else float(self.rescale)
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = np.asarray(X).reshape(-1, *self.input_shape_)
        dtype = keras.backend.floatx()
        if self.scale_ == 1.0:
            return X.astype(dtype)
        return np.multiply(X, self.scale_, dtype=dtype)  # one pass, one new array


def _check_fit_callbacks(callbacks):
    """The ``callbacks`` argument of ``fit`` as a list of Keras callbacks, or raise."""
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)) or not all(
        isinstance(c, keras.callbacks.Callback) for c in callbacks
    ):
        raise TypeError(
            "callbacks must be a list of keras.callbacks.Callback instances, got "
            f"{callbacks!r}."
        )
    return list(callbacks)


def _embedding_of(network):
    """``(network, network up to its "embedding" layer)``, or None without that layer."""
    if EMBEDDING_LAYER not in {layer.name for layer in network.layers}:
        return None
    return network, keras.Model(network.inputs, network.get_layer(EMBEDDING_LAYER).output)


def _ravel_column(y):
    """A column vector y (n, 1) as (n,), with scikit-learn's DataConversionWarning."""
    if y is None:
        return y  # scikit-learn's "requires y to be passed" comes from the validation
    y = np.asarray(y)
    return column_or_1d(y, warn=True) if y.ndim == 2 and y.shape[1] == 1 else y


@contextlib.contextmanager
def seeded(seed):
    """Seed Python, NumPy, TensorFlow and Keras for a block, then restore them.

    Replaces scikeras' ``tensorflow_random_state``, which sets the environment
    variable ``TF_DETERMINISTIC_OPS`` while it enables op determinism: TensorFlow
    reads that variable once and caches it, so after the first seeded fit op
    determinism stayed on for the whole process and every later unseeded random
    op (an estimator with ``random_state=None``, raw Keras) failed with "Random
    ops require a seed to be set when determinism is enabled". On the CPU the
    seeds alone make a fit repeatable.
    """
    if seed is None:
        yield
        return
    import tensorflow as tf
    from tensorflow.python.eager import context

    python_state, numpy_state = random.getstate(), np.random.get_state()
    tf_seed = context.global_seed()
    keras.utils.set_random_seed(int(seed))
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        tf.random.set_seed(tf_seed)


class BaseKerasClassifier(TransformerMixin, KerasClassifier):
    """Base class of the Keras classifiers of sumdigits (not for direct use).

    A subclass describes its network; this class does the rest: input shape and
    scaling, target encoding, compilation, early stopping, callbacks, random state,
    pickling and the scikit-learn tags. See the Notes for how to subclass.

    Parameters
    ----------
    optimizer : {"adam", "sgd", "rmsprop", "adamw", "nadam"}, Optimizer class or instance, \
            default="adam"
        Routed parameters ``optimizer__<name>`` go to the optimizer's constructor.
    learning_rate : float, default=1e-3
        The optimizer's initial learning rate (unless an optimizer instance or
        ``optimizer__learning_rate`` is given).
    loss : str or keras.losses.Loss, default="sparse_categorical_crossentropy"
    metrics : list of str, default=None
        Metrics recorded per epoch in ``history_``; ``None`` means ``["accuracy"]``.
    batch_size : int, default=128
    epochs : int, default=10
        The largest number of passes over the training data.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified by
        class) and stop when the validation loss has not improved for
        ``n_iter_no_change`` epochs, restoring the weights of the best epoch.
    validation_fraction : float in (0, 1), default=0.1
        Share of the training data held out when ``early_stopping`` is True.
    n_iter_no_change : int, default=5
        Patience of early stopping, in epochs.
    callbacks : list of keras.callbacks.Callback (instances or classes), default=None
        Copied at every fit, so the given instances stay untouched. Classes are
        built with the routed parameters ``callbacks__<i>__<name>``.
    class_weight : dict, "balanced" or None, default=None
        Multiplies the sample weights per class.
    shuffle : bool, default=True
        Shuffle the training data before each epoch.
    image_shape : tuple of int, "vector" or None, default=None
        The (height, width) of flattened images when it cannot be inferred
        (784 = 28 x 28, 1568 = 28 x 56, square sizes), or "vector" for plain
        feature vectors; see :class:`ImageInputEncoder`.
    rescale : "auto", float or None, default="auto"
        "auto" scales ``uint8`` pixels to [0, 1].
    warm_start : bool, default=False
        Continue from the previous fit's weights.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation
        split: an int makes a fit repeatable on the CPU.
    verbose : int, default=0
        0 is silent, 1 a progress bar per epoch, 2 one line per epoch.
    **kwargs
        Routed parameters (``optimizer__beta_1``, ``fit__validation_batch_size``,
        ``predict__batch_size``, ``callbacks__0__patience``...; the prefixes are
        :data:`ROUTING_PREFIXES`) and the Keras arguments scikeras passes on
        unprefixed (:data:`KERAS_ARGUMENTS`, e.g. ``run_eagerly``). Any other
        name, such as a misspelt parameter, raises a TypeError that suggests the
        closest parameter; ``set_params`` raises a ValueError likewise.

    Attributes
    ----------
    model_ : keras.Model
        The trained network.
    history_ : dict of list
        Per-epoch ``loss``, metrics and, with early stopping, ``val_loss`` and
        ``val_<metric>``; diagnostic callbacks add their own keys.
    n_iter_ : int
        The number of epochs in ``history_``: those of the last ``fit``, plus one
        per later ``partial_fit``.
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    input_shape_ : tuple of int
        One sample's shape as the network receives it.

    Notes
    -----
    How to subclass (as ``FCNNClassifier``, ``CNNClassifier``,
    ``MultiTaskSumClassifier`` and ``NeuroSymbolicSumClassifier`` do):

    * **Network** (required): implement ``_build_network(self, input_shape,
      n_outputs)`` and return an *uncompiled* ``keras.Model`` with one softmax
      output of ``n_outputs`` units. ``input_shape`` is one sample's shape as the
      network receives it (``(n_features,)``, or ``(height, width[, channels])``
      when the class sets ``_as_images = True``). Name the last hidden layer
      ``"embedding"`` (:data:`EMBEDDING_LAYER`) for :meth:`transform`. Keep the
      architecture in a plain builder function (``sumdigits.keras.builders``)
      and pass it the estimator's parameters.
    * **Parameters**: list the base parameters and your own in ``__init__`` as
      keyword-only arguments, store yours, and pass the rest to
      ``super().__init__(**base, **kwargs)``; extend ``_parameter_constraints``
      with ``{**BaseKerasClassifier._parameter_constraints, ...}``.
    * **Loss**: the ``loss`` parameter (default
      ``"sparse_categorical_crossentropy"``), or override ``_get_compile_kwargs``
      for a custom loss (call ``super()`` and replace ``"loss"``).
    * **Target encoding**: override the ``target_encoder`` property (a scikit-learn
      transformer with ``inverse_transform(y, return_proba=False)`` and
      ``get_metadata()``; see scikeras' ``ClassifierLabelEncoder``); the number of
      network outputs comes from ``_n_outputs()``, by default ``n_classes_``.
    * **Early-stopping split**: override ``_stratify_labels(y)`` when the encoded
      target is not one label per sample.
    * **Tags**: extend ``__sklearn_tags__`` by calling ``super()`` first.
    * **Input encoding**: override the ``feature_encoder`` property (default
      :class:`ImageInputEncoder`), e.g. to split pair images into digits.
    * **Extra callbacks**: override ``_default_callbacks()`` (called at each fresh
      fit; keep ``super()``'s early stopping). A callback with a
      ``set_training_data(X, y)`` method receives the encoded training data.
    """

    _as_images = False  # give the network images rather than flat vectors

    _parameter_constraints: dict = {
        "optimizer": [str, type, keras.optimizers.Optimizer],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "loss": [str, keras.losses.Loss, callable],
        "metrics": [list, None],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "callbacks": [list, None],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "shuffle": ["boolean"],
        "image_shape": image_shape_constraint(),
        "rescale": [StrOptions({"auto"}), Interval(numbers.Real, 0, None, closed="neither"),
                    None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
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
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.loss = loss
        self.metrics = metrics
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.callbacks = callbacks
        self.class_weight = class_weight
        self.shuffle = shuffle
        self.image_shape = image_shape
        self.rescale = rescale
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        # routed parameters (optimizer__*, fit__*, callbacks__*, ...), as scikeras does;
        # their names are checked in fit, like every parameter (scikit-learn's rule)
        vars(self).update(kwargs)
        if kwargs:
            self._user_params = set(kwargs)

    # ------------------------------------------------------------ parameters
    @classmethod
    def _declared_params(cls):
        """The keyword arguments named in the signature of ``cls.__init__``."""
        return {
            name for name, p in inspect.signature(cls.__init__).parameters.items()
            if name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        }

    def _check_param_names(self, names):
        """Raise for any parameter name this estimator would not use.

        Accepted are the declared parameters, routed ``<prefix>__<name>``
        parameters (:data:`ROUTING_PREFIXES`) and the unprefixed Keras arguments
        scikeras passes on (:data:`KERAS_ARGUMENTS`). A misspelt name would
        otherwise be stored and silently ignored: it raises an
        ``InvalidParameterError`` (a ``ValueError`` and a ``TypeError``) with a
        suggestion.
        """
        known = self._declared_params() | KERAS_ARGUMENTS
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

    def _validate_params(self):
        """scikit-learn's validation of the parameters, and no name that would go unused.

        As in scikit-learn, ``__init__`` only stores its arguments and ``fit``
        checks them: a misspelt constructor keyword fails at the first fit.
        """
        self._check_param_names(self.get_params(deep=False))
        super()._validate_params()

    def set_params(self, **params):
        """Set parameters; a name that is neither a parameter nor routed raises.

        Parameters
        ----------
        **params : dict
            Parameters of ``__init__`` and routed ``<prefix>__<name>`` parameters.

        Returns
        -------
        self : object
        """
        current = self.get_params(deep=False)
        self._check_param_names(n for n in params if n.split("__", 1)[0] not in current)
        return super().set_params(**params)

    # ------------------------------------------------------------------ hooks
    def _build_network(self, input_shape, n_outputs):
        """Return the uncompiled network; subclasses implement it."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement _build_network(input_shape, n_outputs)."
        )

    def _n_outputs(self):
        """Units of the network's output layer."""
        return self.n_classes_

    def _stratify_labels(self, y):
        """One label per sample of the encoded target, to stratify the validation split."""
        y = np.asarray(y)
        return y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(len(y))

    def _default_callbacks(self):
        """Callbacks the estimator adds to the user's at each fresh fit."""
        if not self.early_stopping:
            return []
        return [keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=self.n_iter_no_change, restore_best_weights=True
        )]

    @property
    def feature_encoder(self):
        return ImageInputEncoder(
            image_shape=self.image_shape, rescale=self.rescale, as_images=self._as_images
        )

    # --------------------------------------------------------- scikeras internals
    def _build_keras_model(self):
        self.input_shape_ = tuple(self.feature_encoder_.input_shape_)
        with seeded(self._random_state):
            model = self._build_network(self.input_shape_, self._n_outputs())
        if not model.compiled:
            model.compile(**self._get_compile_kwargs())
        # built here, in fit: transform must not change the estimator's state
        self._embedding_cache = _embedding_of(self._embedding_source(model))
        return model

    def _embedding_source(self, model):
        """The network whose embedding :meth:`transform` returns: ``model`` itself."""
        return model

    def _get_compile_kwargs(self):
        params = self.get_params()
        kwargs = super()._get_compile_kwargs()
        if kwargs.get("metrics") is None:
            kwargs["metrics"] = ["accuracy"]
        if isinstance(self.optimizer, str) or inspect.isclass(self.optimizer):
            routed = route_params(params, destination="optimizer", pass_filter=set(), strict=True)
            routed.setdefault("learning_rate", self.learning_rate)
            kwargs["optimizer"] = unflatten_params(
                items=try_to_convert_strings_to_classes(self.optimizer, get_optimizer_class),
                params=routed,
            )
        elif isinstance(self.optimizer, keras.optimizers.Optimizer):
            # A Keras 3 optimizer instance is bound to the variables of the first
            # model it trained: a second fit would fail with "Unknown variable".
            # Each fit gets a fresh optimizer with the same configuration.
            optimizer = self.optimizer
            kwargs["optimizer"] = type(optimizer).from_config(optimizer.get_config())
        return kwargs

    def _initialize_callbacks(self):
        super()._initialize_callbacks()
        # Fresh copies at every fit: the instances given as parameters never get a
        # model attached, so clone/pickle stay cheap and stateful callbacks restart.
        self._fit_callbacks = copy.deepcopy(self._fit_callbacks) + self._default_callbacks()
        self._predict_callbacks = copy.deepcopy(self._predict_callbacks)

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        fit_callbacks = _check_fit_callbacks(kwargs.pop("callbacks", None))
        if self.classes_ is not None:  # None in a warm-started fit (scikeras resets it)
            check_n_classes(self.classes_, estimator=type(self).__name__)
        if kwargs.get("validation_data") is not None:
            kwargs["validation_data"] = self._encode_validation_data(kwargs["validation_data"])
        elif self.early_stopping:
            X, y, sample_weight, kwargs["validation_data"] = self._validation_split(
                X, y, sample_weight
            )
        if isinstance(getattr(self, "history_", None), dict):
            self.history_ = defaultdict(list, self.history_)  # scikeras appends on warm start
        sample = X[0][:2] if isinstance(X, keras.utils.PyDataset) else (X, y)
        for callback in self._fit_callbacks + fit_callbacks:
            if hasattr(callback, "set_training_data"):
                callback.set_training_data(*sample)
        seed, self._random_state = self._random_state, None  # keep scikeras' context out
        # callbacks given to fit run in this fit only, as in keras.Model.fit
        own_callbacks = self._fit_callbacks
        self._fit_callbacks = own_callbacks + fit_callbacks
        try:
            with seeded(seed):
                super()._fit_keras_model(
                    X, y, sample_weight=sample_weight, warm_start=warm_start, epochs=epochs,
                    initial_epoch=initial_epoch, **kwargs,
                )
        finally:
            self._random_state = seed
            self._fit_callbacks = own_callbacks
        self.history_ = dict(self.history_)
        self.n_iter_ = len(self.history_.get("loss", ()))

    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        # scikeras accepts sparse X (a network cannot use it) and words a
        # feature-count mismatch its own way: use scikit-learn's messages.
        if X is not None and (sp.issparse(X) or hasattr(X, "toarray")):
            raise TypeError(
                f"{type(self).__name__} does not accept sparse input: sparse data is not "
                "supported, convert X to a dense array (X.toarray())."
            )
        check_samples(X, y)
        if X is not None and not reset and hasattr(self, "X_shape_"):
            shape = np.asarray(X).shape
            if len(shape) == 2 == len(self.X_shape_) and shape[1] != self.X_shape_[1]:
                raise ValueError(
                    f"X has {shape[1]} features, but {type(self).__name__} is expecting "
                    f"{self.X_shape_[1]} features as input."
                )
        return super()._validate_data(X, y, reset=reset, y_numeric=y_numeric)

    def _encode_validation_data(self, validation_data):
        """``(X_val, y_val[, sample_weight_val])`` checked and encoded like the training data."""
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise TypeError(
                "validation_data must be a tuple (X_val, y_val) or (X_val, y_val, "
                f"sample_weight_val), got {type(validation_data).__name__}."
            )
        try:
            X_val, y_val = self._validate_data(
                validation_data[0], _ravel_column(validation_data[1])
            )
            encoded = (self.feature_encoder_.transform(X_val),
                       self.target_encoder_.transform(y_val))
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"validation_data (X, y): {exc}") from exc
        if len(validation_data) == 3 and validation_data[2] is not None:
            weights = np.array(validation_data[2], dtype=np.float64)
            if weights.shape != (_num_samples(X_val),):
                raise ValueError(
                    f"validation_data's sample_weight_val must have shape "
                    f"({_num_samples(X_val)},), got {weights.shape}."
                )
            encoded += (weights,)
        return encoded

    def _validation_split(self, X, y, sample_weight):
        """Carve a stratified validation set from the (encoded) training data."""
        n = _num_samples(X)
        n_val = int(np.ceil(self.validation_fraction * n))
        if n_val < 1 or n - n_val < 1:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves no training or no "
                f"validation sample out of {n}; early stopping needs both."
            )
        labels = self._stratify_labels(y)
        _, counts = np.unique(labels, return_counts=True)
        stratify = labels if counts.min() >= 2 and n_val >= len(counts) else None
        seed = self._random_state if isinstance(self._random_state, numbers.Integral) else None
        train, val = train_test_split(
            np.arange(n), test_size=n_val, stratify=stratify, random_state=seed
        )

        def take(a, idx):  # arrays, or a dict or list of arrays (one per network output)
            if isinstance(a, dict):
                return {k: np.asarray(v)[idx] for k, v in a.items()}
            if isinstance(a, list):
                return [np.asarray(v)[idx] for v in a]
            return None if a is None else np.asarray(a)[idx]

        validation = (take(X, val), take(y, val))
        if sample_weight is not None:
            validation += (take(sample_weight, val),)
        return take(X, train), take(y, train), take(sample_weight, train), validation

    # ------------------------------------------------------------- public API
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **kwargs):
        """Build a new network and train it on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
            Images, flattened or not; ``uint8`` pixels are scaled to [0, 1].
        y : array-like of shape (n_samples,)
            Class labels (digits 0..9, sums 0..18, or any labels).
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights; samples of weight 0 are left out. Not modified.
        **kwargs
            Passed to ``keras.Model.fit`` (prefer the routed ``fit__*`` parameters
            for settings). ``validation_data=(X_val, y_val[, sample_weight_val])``
            is checked, scaled and encoded like ``X`` and ``y`` (it replaces the
            split early stopping would carve); ``callbacks=[...]`` run in this fit
            only, after the estimator's own, and are not copied, as in Keras.

        Returns
        -------
        self
        """
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target "
                             "y is None.")
        if sample_weight is not None:
            # scikeras multiplies by the class weights in place: work on a copy
            sample_weight = np.array(sample_weight, dtype=np.float64)
        return super().fit(X, _ravel_column(y), sample_weight=sample_weight, **kwargs)

    def fit_dataset(self, dataset, *, classes=None, validation_data=None):
        """Build a new network and train it on batches from a ``keras.utils.PyDataset``.

        For data that do not fit in memory, such as millions of pairs gathered
        on the fly by :class:`~sumdigits.keras.streaming.DigitPairDataset`. Each
        batch ``(X, y)`` goes through the same input scaling and label encoding
        as in :meth:`fit`; the batch size is the dataset's.

        Parameters
        ----------
        dataset : keras.utils.PyDataset
            Yields ``(X_batch, y_batch)``.
        classes : array-like, default=None
            Every label the data hold; default: ``dataset.classes``.
        validation_data : tuple (X_val, y_val), default=None
            Needed for early stopping (no split is carved from a stream).

        Returns
        -------
        self
        """
        from .streaming import EncodedDataset

        self._validate_params()
        if classes is None:
            classes = getattr(dataset, "classes", None)
        if classes is None:
            raise ValueError("classes is required unless the dataset has a `classes` attribute.")
        if self.early_stopping and validation_data is None:
            raise ValueError("early_stopping=True with a dataset needs validation_data=(X, y).")
        X0, y0 = dataset[0][:2]
        self.classes_ = np.asarray(classes)
        X0, y0 = self._initialize(np.asarray(X0), np.asarray(y0))
        self._ensure_compiled_model()
        fit_kwargs = {"batch_size": None}
        if validation_data is not None:
            fit_kwargs["validation_data"] = validation_data  # encoded in _fit_keras_model
        encoded = EncodedDataset(dataset, self.feature_encoder_, self.target_encoder_)
        self._fit_keras_model(encoded, None, sample_weight=None, warm_start=False,
                              epochs=self.epochs, initial_epoch=0, **fit_kwargs)
        return self

    def partial_fit(self, X, y, classes=None, sample_weight=None, **kwargs):
        """Train for one epoch, keeping the current weights (builds them on first call).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
            Training images.
        y : array-like of shape (n_samples,)
            Class labels.
        classes : array-like, default=None
            All classes; needed on the first call when ``y`` may not hold them all.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss.
        **kwargs : dict
            Passed on to ``keras.Model.fit``.

        Returns
        -------
        self : object
            The estimator, trained for one more epoch.
        """
        if not self.initialized_:
            self._validate_params()
        if sample_weight is not None:
            sample_weight = np.array(sample_weight, dtype=np.float64)
        return super().partial_fit(
            X, _ravel_column(y), classes=classes, sample_weight=sample_weight, **kwargs
        )

    def predict_proba(self, X, **kwargs):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
            Images.
        **kwargs : dict
            Passed on to ``keras.Model.predict``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``.
        """
        check_is_fitted(self, "model_")
        proba = super().predict_proba(X, **kwargs)
        return np.asarray(proba).reshape(_num_samples(X), -1)

    def predict(self, X, **kwargs):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
            Images.
        **kwargs : dict
            Passed on to ``keras.Model.predict``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The most probable class of each sample.
        """
        check_is_fitted(self, "model_")
        return super().predict(X, **kwargs)

    def score(self, X, y, sample_weight=None):
        """Accuracy of :meth:`predict` on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
            Images.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        check_is_fitted(self, "model_")
        check_samples(X, y)
        return super().score(X, y, sample_weight=sample_weight)

    def transform(self, X):
        """Activations of the last hidden layer: the network's embedding of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)

        Returns
        -------
        ndarray of shape (n_samples, n_units)
        """
        check_is_fitted(self, "model_")
        X, _ = self._validate_data(X)
        X = self.feature_encoder_.transform(X)
        out = self._embedding_network(self.model_).predict(X, batch_size=self.batch_size,
                                                             verbose=0)
        return np.asarray(out).reshape(len(X), -1)

    def _embedding_network(self, network):
        """``network`` up to its embedding layer, built once per fitted network.

        A new ``keras.Model`` at every ``transform`` would trace a new predict
        function each time, which TensorFlow reports as retracing from the fifth
        call on. The model built in ``fit`` shares the network's layers, so it
        follows ``partial_fit``; a refit builds a new network, and so a new one.
        Only an unpickled estimator (the cache is not pickled) builds it per call.
        """
        cached = getattr(self, "_embedding_cache", None)
        if cached is not None and cached[0] is network:
            return cached[1]
        found = _embedding_of(network)
        if found is None:
            raise ValueError(f"The network has no layer named {EMBEDDING_LAYER!r}: transform "
                             "returns that layer's activations.")
        return found[1]

    # scikit-learn's repr (changed parameters only), not scikeras' one-per-line listing
    __repr__ = BaseEstimator.__repr__

    def __getstate__(self):
        state = self.__dict__.copy()
        # the per-fit callback copies hold the model: never pickle them
        state.pop("_fit_callbacks", None)
        state.pop("_embedding_cache", None)  # rebuilt from model_ on demand
        state["_predict_callbacks"] = []
        return state

    def __sklearn_tags__(self):
        # scikeras sets only the pre-1.6 _estimator_type/_more_tags, and puts
        # ClassifierMixin right of BaseEstimator, whose __sklearn_tags__ does not
        # call it: so is_classifier() was False. Set what ClassifierMixin would.
        from sklearn.utils import ClassifierTags

        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags(poor_score=True)
        tags.target_tags.required = True
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]  # transform gives Keras' floats
        return tags
