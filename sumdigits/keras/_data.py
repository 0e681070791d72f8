"""The training data of the Keras estimators: checks of fit's arguments, sample weights,
row selection, the seeded shuffling pipeline, and the first batches of a streamed dataset
handed to callbacks."""

from __future__ import annotations

import keras
import numpy as np
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import _num_samples, column_or_1d

__all__ = ["sample_weights", "shuffled_batches"]


def check_weights(weights, n_samples, name):
    """``weights`` as a new float64 array of shape (n_samples,), finite and non-negative.

    Raises a ValueError naming ``name`` otherwise.
    """
    weights = np.array(weights, dtype=np.float64)
    if weights.shape != (n_samples,):
        raise ValueError(f"{name} must have shape ({n_samples},), got {weights.shape}.")
    if not np.isfinite(weights).all():
        raise ValueError(f"{name} must be finite (no NaN or infinity).")
    negative = weights < 0
    if negative.any():
        raise ValueError(f"{name} must be non-negative (a weight of 0 leaves a sample out); "
                         f"got {int(negative.sum())} negative weight(s), the smallest "
                         f"{weights.min():g}.")
    return weights


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


def sample_weights(y, sample_weight, class_weight):
    """Per-sample weights (a new array, ``class_weight`` applied), or None."""
    if sample_weight is not None:
        sample_weight = check_weights(sample_weight, _num_samples(y), "sample_weight")
    if class_weight is not None:
        by_class = compute_sample_weight(class_weight, y)
        sample_weight = by_class if sample_weight is None else sample_weight * by_class
    if sample_weight is not None and not np.any(sample_weight):
        raise ValueError("No training samples had any weight; only zeros were passed in "
                         "sample_weight: there is nothing to train on.")
    return sample_weight


def _weighted_samples(X, y, sample_weight):
    """``(X, y, weights)`` without the samples of weight 0; weights of 1 when None."""
    if sample_weight is None:
        return X, y, np.ones(len(X))
    weights = np.asarray(sample_weight, dtype=float).reshape(-1)
    keep = weights > 0
    return X[keep], y[keep], weights[keep]


def _ravel_column(y):
    """A column vector y (n, 1) as (n,), with scikit-learn's DataConversionWarning."""
    if y is None:
        return y  # scikit-learn's "requires y to be passed" comes from the validation
    y = np.asarray(y)
    return column_or_1d(y, warn=True) if y.ndim == 2 and y.shape[1] == 1 else y


def _take(a, idx):
    """Rows ``idx`` of an array, or of each array of a list or tuple (one per output)."""
    if isinstance(a, (list, tuple)):
        return tuple(np.asarray(v)[idx] for v in a)
    return None if a is None else np.asarray(a)[idx]


#: How much of a streamed dataset the callbacks that take training data get: its first
#: batches, up to this many input values (10,000 digit images of 28 x 28).
HANDOVER_VALUES = 10_000 * 28 * 28


def _first_batches(dataset):
    """A dataset's first batches, concatenated, up to :data:`HANDOVER_VALUES` input values
    (at least one batch): what a fit on arrays hands to its callbacks, for a stream."""
    batches, values = [], 0
    for index in range(len(dataset)):
        batch = dataset[index]
        batches.append(batch)
        values += np.asarray(batch[0]).size
        if values >= HANDOVER_VALUES:
            break
    def concatenate(parts):  # arrays, or tuples of arrays (one per network output)
        if isinstance(parts[0], (tuple, list)):
            return type(parts[0])(concatenate([p[i] for p in parts]) for i in range(len(parts[0])))
        return np.concatenate([np.asarray(p) for p in parts])

    return tuple(concatenate([b[k] for b in batches]) for k in range(len(batches[0])))


def _as_tuple(a):
    return tuple(a) if isinstance(a, list) else a

def shuffled_batches(data, *, batch_size, seed):
    """A ``tf.data.Dataset`` of the batches of ``data`` in a new seeded order every epoch.

    Keras' own shuffling of arrays draws from TensorFlow's global seed; this is the
    same pipeline (shuffled indices, then a gather per batch) with the seed of its
    own: ``Dataset.shuffle(seed=seed, reshuffle_each_iteration=True)`` gives the
    same sequence of epochs for the same seed and touches no global state.
    ``data`` is a tuple of arrays or tuples of arrays with one row per sample.
    """
    import tensorflow as tf

    n = _num_samples(data[0])
    tensors = tf.nest.map_structure(tf.convert_to_tensor, data)
    order = tf.data.Dataset.range(n).shuffle(n, seed=seed, reshuffle_each_iteration=True)
    dataset = order.batch(batch_size).map(
        lambda idx: tf.nest.map_structure(lambda t: tf.gather(t, idx), tensors),
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.prefetch(tf.data.AUTOTUNE)
