"""The base class shared by every Keras estimator of sumdigits.

:class:`BaseKerasClassifier` subclasses :class:`scikeras.wrappers.KerasClassifier`
(so it is one, and takes scikeras' routed ``<prefix>__<name>`` parameters) but
runs its own explicit steps, on public APIs only (scikeras' documented extension
points, Keras', scikit-learn's): validate the input, fit the encoders, build the
network (``_keras_build_fn(meta, params)``, the hook a subclass implements),
compile it, train it with ``keras.Model.fit``. No private method or attribute of
scikeras or TensorFlow is used or overridden, so a scikeras release that renames
its internals cannot break it. On top of what scikeras 0.13 (unmaintained) does:

* ``is_classifier`` is True under scikit-learn >= 1.6, so ``cross_val_score``
  stratifies;
* ``predict_proba`` always returns a 2-D array;
* ``class_weight`` never multiplies the caller's ``sample_weight`` in place;
* callbacks are copied at every fit (``callbacks_``): the given instances never
  hold a model, and survive ``clone``, grid searches and pickling;
* early stopping on a stratified validation split, with Keras' ``EarlyStopping``
  restoring the best weights; ``validation_data`` given to ``fit`` is encoded like
  the training data;
* the learning-rate schedule is a callback that reads the steps Keras runs;
* ``random_state`` seeds each layer, the shuffling (a seeded ``tf.data``
  pipeline) and the validation split through their own seeds: no process-wide
  random state (Python's, NumPy's, TensorFlow's global seed) is read or changed;
* predictions run in large batches
  (:data:`~sumdigits.keras._predict.PREDICT_BATCH_SIZE`).
"""

from __future__ import annotations

import copy
import inspect
import numbers

import keras
import numpy as np
import scipy.sparse as sp
from scikeras.utils.transformers import ClassifierLabelEncoder
from scikeras.wrappers import KerasClassifier
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import _num_samples, check_array, check_is_fitted, validate_data
from sklearn_compat.base import _fit_context

from .._geometry import check_spelling, resolve_geometry
from .._validation import check_n_classes, check_samples
from ._data import (
    _as_tuple,
    _check_fit_callbacks,
    _first_batches,
    _ravel_column,
    _take,
    check_weights,
    sample_weights,
    shuffled_batches,
)
from ._encoders import ImageInputEncoder, _LabelEncoder
from ._params import BASE_PARAMS, ParamsMixin, declare, resolve
from ._predict import PREDICT_BATCH_SIZE, _new_network_traces_unreported, predict_in_batches
from .builders import EMBEDDING_LAYER
from .callbacks import LearningRateSchedule
from .losses import weighted_mean_loss

__all__ = ["BaseKerasClassifier"]


def _embedding_of(network):
    """``(network, network up to its "embedding" layer)``, or None without that layer."""
    if EMBEDDING_LAYER not in {layer.name for layer in network.layers}:
        return None
    return network, keras.Model(network.inputs, network.get_layer(EMBEDDING_LAYER).output)



@declare
class BaseKerasClassifier(ParamsMixin, TransformerMixin, KerasClassifier):
    """Base class of the Keras classifiers of sumdigits (not for direct use).

    A subclass describes its network; this class does the rest: input shape and
    scaling, target encoding, compilation, learning-rate schedule, early stopping,
    callbacks, random state, pickling and the scikit-learn tags. See the Notes for
    how to subclass.

    Parameters
    ----------

    Attributes
    ----------
    model_ : keras.Model
        The trained network.
    history_ : dict of list
        Per-epoch ``loss``, metrics and, with early stopping, ``val_loss`` and
        ``val_<metric>``; diagnostic callbacks add their own keys.
    n_iter_ : int
        Iterations of the optimisation: the epochs of the last ``fit``, plus one
        per later ``partial_fit`` (``len(history_["loss"])``).
    callbacks_ : list of keras.callbacks.Callback
        The copies of ``callbacks`` used in the last fit (and the estimator's own:
        early stopping, the learning-rate schedule).
    classes_ : ndarray of shape (n_classes,)
        The labels ``predict`` can return, one per column of ``predict_proba``:
        those seen in ``fit``.
    n_classes_ : int
    n_features_in_ : int
    input_shape_ : tuple of int
        One sample's shape as the network receives it.
    scale_ : float
        The factor applied to the pixels: ``rescale``, or under "auto" 1 / 255 when the
        data given to ``fit`` are in [0, 255] and 1 otherwise. ``predict`` and
        ``transform`` warn when their data are in [0, 1] and those of ``fit`` in
        [0, 255], or the reverse.

    Notes
    -----
    How to subclass (as ``FCNNClassifier``, ``CNNClassifier``,
    ``MultiTaskSumClassifier`` and ``NeuroSymbolicSumClassifier`` do):

    * **Parameters**: set ``_params`` to your own :class:`~sumdigits.keras._params.Param`
      entries plus :func:`~sumdigits.keras._params.base_params` and decorate the
      class with :func:`~sumdigits.keras._params.declare`: it writes ``__init__``,
      ``_parameter_constraints`` and the docstring's Parameters section.
    * **Network** (required): implement ``_keras_build_fn(self, meta, params)``
      (scikeras' documented hook, with ``params``, the declared parameters as
      ``fit`` uses them) and return a ``keras.Model`` with
      softmax outputs, compiled or not. ``meta`` holds ``input_shape_`` (one
      sample as the network receives it), ``n_classes_``, ``classes_`` and
      ``seed`` (the int to seed every layer with, e.g. ``build_fcnn(...,
      seed=meta["seed"])``). Name the last hidden layer ``"embedding"``
      (:data:`EMBEDDING_LAYER`) for :meth:`transform`.
    * **Compilation**: override ``_compile_arguments(params)`` (call ``super()``)
      for another loss, loss weights or metrics.
    * **Encoders**: override the ``feature_encoder`` / ``target_encoder``
      properties (scikeras' documented extension points); the target encoder
      has ``inverse_transform(y, return_proba=False)`` and ``get_metadata()``.
    * **Early-stopping split**: override ``_stratify_labels(y)`` when the encoded
      target is not one label per sample.
    * **Tags**: extend ``__sklearn_tags__`` by calling ``super()`` first.
    * A callback with a ``set_training_data(X, y, sample_weight=None)`` method
      receives the encoded training data (of a dataset, its first batch).
    """

    _params = BASE_PARAMS

    # ------------------------------------------------------------------ hooks
    def _keras_build_fn(self, meta, params):
        """Return the network; subclasses implement it (see the class Notes)."""
        raise NotImplementedError(f"{type(self).__name__} must implement "
                                  "_keras_build_fn(meta, params).")

    def _stratify_labels(self, y):
        """One label per sample of the encoded target, to stratify the validation split."""
        y = np.asarray(y)
        return y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(len(y))

    def _embedding_source(self, model):
        """The network whose embedding :meth:`transform` returns: ``model`` itself."""
        return model

    @property
    def feature_encoder(self):
        """A fresh :class:`ImageInputEncoder` for this estimator's ``image_shape`` and ``rescale``."""
        return ImageInputEncoder(image_shape=self.image_shape, rescale=self.rescale)

    @property
    def target_encoder(self):
        """A fresh scikeras ``ClassifierLabelEncoder`` (labels -> 0..n_classes - 1)."""
        classes = getattr(self, "classes_", None)
        return _LabelEncoder(
            loss=self.loss, categories="auto" if classes is None else [np.asarray(classes)])

    def _compile_arguments(self, params):
        """Keyword arguments of ``keras.Model.compile``."""
        metrics = params["metrics"]
        return {"optimizer": self._make_optimizer(params), "loss": self._make_loss(params),
                "metrics": ["accuracy"] if metrics is None else list(metrics),
                **self._routed("compile")}

    # ------------------------------------------------------------- the steps
    def _make_optimizer(self, params):
        """A new optimizer for this fit (an instance is bound to its first model)."""
        optimizer, routed = params["optimizer"], self._routed("optimizer")
        if isinstance(optimizer, keras.optimizers.Optimizer):
            if routed:
                raise ValueError("optimizer__ parameters apply to an optimizer given by name "
                                 f"or class, not to the instance {optimizer!r}.")
            return type(optimizer).from_config(optimizer.get_config())
        routed.setdefault("learning_rate", params["learning_rate_init"])
        if inspect.isclass(optimizer):
            return optimizer(**routed)
        return keras.optimizers.get({"class_name": optimizer, "config": routed})

    def _make_loss(self, params):
        """The loss, averaged with the sample weights (:mod:`sumdigits.keras.losses`)."""
        return weighted_mean_loss(params["loss"], self._routed("loss"))

    def _peak_learning_rate(self, optimizer):
        rate = optimizer.get_config()["learning_rate"]
        if not isinstance(rate, numbers.Real):
            raise ValueError(
                f"learning_rate={self._fit_params['learning_rate']!r} schedules the rate of "
                "an optimizer with a float learning rate; the optimizer given has "
                f"{rate!r}. Use learning_rate='constant' with it.")
        return float(rate)

    def _seeds(self):
        """Seeds of this fit: the network's (an int random_state itself), the shuffling's
        and the validation split's, from ``random_state`` (no global state when an int)."""
        rng = check_random_state(self.random_state)
        shuffle_seed, split_seed = (int(s) for s in rng.randint(2**31 - 1, size=2))
        network_seed = (int(self.random_state) if isinstance(self.random_state, numbers.Integral)
                        else int(rng.randint(2**31 - 1)))
        return network_seed, shuffle_seed, split_seed

    def _check_X(self, X, *, reset):
        """X as an array, checked; ``reset`` records its per-sample shape."""
        if sp.issparse(X) or hasattr(X, "toarray"):
            raise TypeError(
                f"{type(self).__name__} does not accept sparse input: sparse data is not "
                "supported, convert X to a dense array (X.toarray())."
            )
        check_samples(X)
        # The same samples may come flattened, as images or with a channel axis: they are
        # validated flattened (n_features_in_ counts values) and returned as in fit.
        shape = tuple(np.asarray(X).shape)  # np.shape would refuse array-likes
        if not reset and shape[1:] != self._sample_shape:
            check_spelling(shape, self._sample_image_shape(), self.n_features_in_,
                           owner=type(self).__name__)
        flat = X if len(shape) <= 2 else np.reshape(np.asarray(X), (shape[0], -1))
        flat = validate_data(self, flat, reset=reset, dtype=None, ensure_all_finite=False)
        if flat.dtype == object:
            flat = flat.astype(np.float64)
        if reset:
            self._sample_shape = shape[1:]
        return flat.reshape(shape[0], *self._sample_shape)

    def _sample_image_shape(self):
        """(height, width) of one training sample as an image, or None when it is none."""
        if len(self._sample_shape) > 1:
            return tuple(self._sample_shape[:2])
        encoder = getattr(self, "feature_encoder_", None)
        if getattr(encoder, "image_shape_", None) is not None:  # the encoder's geometry
            return tuple(encoder.image_shape_)
        try:  # flattened samples, read as the encoder reads them
            return resolve_geometry(self._sample_shape, layout="auto",
                                    image_shape=getattr(encoder, "image_shape", None)).image_shape
        except ValueError:
            return None

    def _setup(self, X, y, params, *, classes=None):
        """Fit the encoders on (X, y) and build and compile a new network."""
        self._fit_params = params
        self._network_seed, self._shuffle_seed, self._split_seed = self._seeds()
        if classes is not None:
            self.classes_ = np.asarray(classes)
        self.target_encoder_ = self.target_encoder.fit(y if classes is None else self.classes_)
        vars(self).update(self.target_encoder_.get_metadata())
        if not isinstance(self.classes_, list):  # per-task classes: checked by their encoder
            check_n_classes(self.classes_, estimator=type(self).__name__)
        self.feature_encoder_ = self.feature_encoder.fit(X)
        self.input_shape_ = tuple(self.feature_encoder_.input_shape_)
        self.scale_ = self.feature_encoder_.scale_
        meta = {"input_shape_": self.input_shape_, "n_classes_": self.n_classes_,
                "classes_": self.classes_, "seed": self._network_seed}
        model = self._keras_build_fn(meta, params)
        if not model.compiled:
            model.compile(**self._compile_arguments(params))
        self.model_ = model
        # built here, in fit: transform must not change the estimator's state
        self._embedding_cache = _embedding_of(self._embedding_source(model))

    def _check_known_labels(self, y, *, partial, given):
        """Raise a ValueError naming ``classes=`` if ``y`` holds labels not in ``classes_``.

        Only for the labels of scikeras' encoder (the estimators with their own
        target encoder check their labels themselves).
        """
        if not isinstance(self.target_encoder_, ClassifierLabelEncoder) or self.classes_ is None:
            return
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if not unseen.size:
            return
        labels = unseen[:5].tolist()
        if given:
            raise ValueError(f"y holds labels {labels} that are not in classes="
                             f"{self.classes_.tolist()}: classes must list every label of y.")
        if partial:
            raise ValueError(
                f"y holds labels {labels} that the first call of partial_fit did not see: the "
                f"network was built for classes {self.classes_.tolist()}. Pass every class "
                "with classes= on the first call of partial_fit.")
        raise ValueError(
            f"y holds labels {labels} that the first fit did not see: with warm_start=True, "
            f"fit keeps the network built for classes {self.classes_.tolist()}. Fit without "
            "warm_start to learn new classes.")

    def _train(self, X, y, sample_weight, *, fresh, epochs, kwargs, classes=None):
        """The steps of fit and partial_fit: validate, (build,) encode, train."""
        params = resolve(self, self.get_params(deep=False))
        fit_callbacks = _check_fit_callbacks(kwargs.pop("callbacks", None))
        X = self._check_X(X, reset=fresh)
        check_samples(X, y)
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        if fresh:
            self._setup(X, y, params, classes=classes)
        self._check_known_labels(y, partial=epochs is not None, given=classes is not None)
        sample_weight = sample_weights(y, sample_weight, params["class_weight"])
        if sample_weight is not None:  # samples of weight 0 are left out
            kept = sample_weight != 0
            X, y, sample_weight = X[kept], y[kept], sample_weight[kept]
        X = self.feature_encoder_.transform(X)
        y = self.target_encoder_.transform(y)
        if kwargs.get("validation_data") is not None:
            kwargs["validation_data"] = self._encode_validation_data(kwargs["validation_data"])
        elif params["early_stopping"]:
            X, y, sample_weight, kwargs["validation_data"] = self._validation_split(
                X, y, sample_weight)
        return self._run_fit((X, y) if sample_weight is None else (X, y, sample_weight),
                             epochs=epochs, fresh=fresh, kwargs=kwargs,
                             fit_callbacks=fit_callbacks, params=params)

    def _own_callbacks(self, params, *, scheduled):
        """Copies of the ``callbacks`` parameter, then early stopping and the schedule."""
        callbacks = []
        for i, callback in enumerate(params["callbacks"] or []):
            routed = self._routed(f"callbacks__{i}")
            if inspect.isclass(callback):
                callbacks.append(callback(**routed))
            elif isinstance(callback, keras.callbacks.Callback) and not routed:
                callbacks.append(copy.deepcopy(callback))
            else:
                raise TypeError(f"callbacks[{i}] must be a keras.callbacks.Callback instance or "
                                f"class (routed parameters only for a class), got {callback!r}.")
        if params["early_stopping"]:
            callbacks.append(keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=params["n_iter_no_change"],
                restore_best_weights=True))
        if scheduled and params["learning_rate"] != "constant":
            callbacks.append(LearningRateSchedule(
                params["learning_rate"], self._peak_learning_rate(self.model_.optimizer),
                warmup_fraction=params["warmup_fraction"]))
        return callbacks

    def _training_batch_size(self, params):
        """Samples per training step."""
        return params["batch_size"]

    def _run_fit(self, data, *, epochs, fresh, kwargs, fit_callbacks, params, initial_epoch=0):
        """``keras.Model.fit`` on ``data`` = (X, y[, sample_weight]), encoded."""
        if epochs is None or not hasattr(self, "history_"):  # a fit starts a new history
            self.history_ = {}
        callbacks = self._own_callbacks(params, scheduled=epochs is None)
        takers = [c for c in callbacks + fit_callbacks if hasattr(c, "set_training_data")]
        if takers:
            batch = (_first_batches(data[0]) if isinstance(data[0], keras.utils.PyDataset)
                     else data)
            weights = batch[2] if len(batch) > 2 else None
            for callback in takers:
                callback.set_training_data(batch[0], batch[1], sample_weight=weights)
        fit_args = {"epochs": params["epochs"], "verbose": params["verbose"],
                    "validation_batch_size": PREDICT_BATCH_SIZE, **self._routed("fit")}
        if epochs is not None:  # partial_fit: one more epoch
            initial_epoch = len(self.history_.get("loss", ()))
            fit_args["epochs"] = initial_epoch + epochs
        fit_args.update(kwargs)
        if isinstance(data[0], keras.utils.PyDataset):
            inputs = {"x": data[0], "shuffle": False}  # the dataset's own order
        elif params["shuffle"] and fit_args.pop("shuffle", True):
            batch_size = fit_args.pop("batch_size", self._training_batch_size(params))
            inputs = {"x": shuffled_batches(tuple(_as_tuple(d) for d in data),
                                            batch_size=batch_size, seed=self._shuffle_seed),
                      "shuffle": False}  # shuffled by the dataset
        else:
            batch_size = fit_args.pop("batch_size", self._training_batch_size(params))
            inputs = dict(zip(("x", "y", "sample_weight"), map(_as_tuple, data)),
                          batch_size=batch_size, shuffle=False)
            fit_args.pop("shuffle", None)
        with _new_network_traces_unreported():
            history = self.model_.fit(**inputs, initial_epoch=initial_epoch,
                                      callbacks=callbacks + fit_callbacks, **fit_args)
        for key, values in history.history.items():
            self.history_.setdefault(key, []).extend(float(v) for v in values)
        self.n_iter_ = len(self.history_.get("loss", ()))
        for callback in callbacks:  # the copies keep no model: cheap to pickle
            callback.set_model(None)
        self.callbacks_ = callbacks
        return self

    def _encode_validation_data(self, validation_data):
        """``(X_val, y_val[, sample_weight_val])`` checked and encoded like the training data."""
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise TypeError(
                "validation_data must be a tuple (X_val, y_val) or (X_val, y_val, "
                f"sample_weight_val), got {type(validation_data).__name__}."
            )
        try:
            X_val, y_val = validation_data[0], _ravel_column(validation_data[1])
            X_val = self._check_X(X_val, reset=False)
            check_samples(X_val, y_val)
            encoded = (self.feature_encoder_.transform(X_val),
                       _as_tuple(self.target_encoder_.transform(y_val)))
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"validation_data (X, y): {exc}") from exc
        if len(validation_data) == 3 and validation_data[2] is not None:
            encoded += (check_weights(validation_data[2], _num_samples(X_val),
                                      "validation_data's sample_weight_val"),)
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
        train, val = train_test_split(np.arange(n), test_size=n_val, stratify=stratify,
                                      random_state=getattr(self, "_split_seed", 0))
        validation = (_take(X, val), _take(y, val))
        if sample_weight is not None:
            validation += (_take(sample_weight, val),)
        return _take(X, train), _take(y, train), _take(sample_weight, train), validation

    def _network_output(self, X, **kwargs):
        """The network's raw output on X (validated and encoded), in large batches."""
        check_is_fitted(self, "model_")
        return self._encoded_output(self.feature_encoder_.transform(
            self._check_X(X, reset=False)), **kwargs)

    def _encoded_output(self, X, **kwargs):
        """The network's raw output on encoded X, in large batches."""
        return predict_in_batches(self.model_, X, **{**self._routed("predict"), **kwargs})

    # ------------------------------------------------------------- public API
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **kwargs):
        """Train a new network (with ``warm_start``, the current one) on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        **kwargs
            Passed to ``keras.Model.fit``; ``validation_data`` is encoded like (X, y).

        Returns
        -------
        self : object
        """
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target "
                             "y is None.")
        fresh = not (self.warm_start and hasattr(self, "model_"))
        return self._train(X, _ravel_column(y), sample_weight, fresh=fresh, epochs=None,
                           kwargs=kwargs)

    def partial_fit(self, X, y, classes=None, sample_weight=None, **kwargs):
        """Train one more epoch from the current weights (and learning rate).

        ``classes`` lists every label on the first call when ``y`` may lack some;
        the other arguments are those of :meth:`fit`.
        """
        for name in ("epochs", "initial_epoch"):
            if name in kwargs:
                raise TypeError(f"partial_fit trains one epoch from the current one: it takes "
                                f"no {name!r}.")
        fresh = not hasattr(self, "model_")
        if fresh:
            self._validate_params()
        return self._train(X, _ravel_column(y), sample_weight, fresh=fresh, epochs=1,
                           kwargs=kwargs, classes=classes if fresh else None)

    def initialize(self, X, y):
        """Build and compile the network for (X, y) without training it; returns self."""
        self._validate_params()
        params = resolve(self, self.get_params(deep=False))
        X = self._check_X(X, reset=True)
        check_samples(X, y)
        self._setup(X, _ravel_column(y), params)
        return self

    def fit_dataset(self, dataset, *, classes=None, validation_data=None):
        """Train a new network on the ``(X, y)`` batches of a ``keras.utils.PyDataset``.

        For data that do not fit in memory
        (:class:`~sumdigits.keras.streaming.DigitPairDataset`). ``classes`` defaults
        to ``dataset.classes``; early stopping needs ``validation_data=(X, y)``.
        Returns self.
        """
        from .streaming import EncodedDataset

        self._validate_params()
        params = resolve(self, self.get_params(deep=False))
        if classes is None:
            classes = getattr(dataset, "classes", None)
        if classes is None:
            raise ValueError("classes is required unless the dataset has a `classes` attribute.")
        if params["early_stopping"] and validation_data is None:
            raise ValueError("early_stopping=True with a dataset needs validation_data=(X, y).")
        X0, y0 = dataset[0][:2]
        X0 = self._check_X(np.asarray(X0), reset=True)
        self._setup(X0, np.asarray(y0), params, classes=classes)
        kwargs = {}
        if validation_data is not None:
            kwargs["validation_data"] = self._encode_validation_data(validation_data)
        encoded = EncodedDataset(dataset, self.feature_encoder_, self.target_encoder_)
        return self._run_fit((encoded,), epochs=None, fresh=True, kwargs=kwargs,
                             fit_callbacks=[], params=params)

    def predict_proba(self, X, **kwargs):
        """Class probabilities, shape (n_samples, n_classes), in the order of ``classes_``.

        ``kwargs`` go to ``keras.Model.predict``.
        """
        output = self._network_output(X, **kwargs)
        proba = self.target_encoder_.inverse_transform(output, return_proba=True)
        return np.asarray(proba).reshape(_num_samples(X), -1)

    def predict(self, X, **kwargs):
        """The most probable class of each sample; ``kwargs`` go to ``keras.Model.predict``."""
        output = self._network_output(X, **kwargs)
        return self.target_encoder_.inverse_transform(output)

    def score(self, X, y, sample_weight=None):
        """Accuracy of :meth:`predict` on (X, y), weighted by ``sample_weight``."""
        check_is_fitted(self, "model_")
        check_samples(X, y)
        return float(accuracy_score(_ravel_column(y), self.predict(X),
                                    sample_weight=sample_weight))

    def transform(self, X):
        """The network's embedding of X (its last hidden layer), (n_samples, n_units)."""
        check_is_fitted(self, "model_")
        X = self.feature_encoder_.transform(self._check_X(X, reset=False))
        out = predict_in_batches(self._embedding_network(self.model_), X)
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
        state.pop("_embedding_cache", None)  # rebuilt from model_ on demand
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
