"""Prediction in large batches, and the filter of TensorFlow's retracing reports.

:func:`predict_in_batches` is how every Keras estimator predicts (``predict``,
``predict_proba``, ``transform``): in batches of :data:`PREDICT_BATCH_SIZE`, untraced
for small inputs, padded to one shape otherwise. ``_new_network_traces_unreported``
silences TensorFlow's retracing warning about the train functions of new networks
while one trains.
"""

from __future__ import annotations

import contextlib
import logging

import keras
import numpy as np

__all__ = ["PREDICT_BATCH_SIZE", "predict_in_batches"]

#: Batch size of predict, predict_proba, transform and validation, unless
#: ``predict__batch_size`` is set: prediction needs no small batches.
PREDICT_BATCH_SIZE = 1024


def predict_in_batches(model, X, *, batch_size=PREDICT_BATCH_SIZE, **kwargs):
    """``model``'s output on the array X, predicted ``batch_size`` samples at a time.

    Silent prediction never goes through ``keras.Model.predict``, which builds a new
    ``tf.data`` pipeline at every call, costly for a small network. Input of fewer
    than :data:`TRACED_MIN_BATCHES` batches is predicted by calling the model
    outside a graph, batch by batch: nothing is traced. Larger input goes through
    ``keras.Model.predict_on_batch``, whose predict function each network traces
    once, for batches padded to ``batch_size`` rows, and then reuses. TensorFlow
    counts the traces of every network's predict function together (they share
    Keras' code) and warns of retracing when five of them fall within ten calls:
    a loop fitting a new network and predicting a few batches with each would
    trigger it, while a trace used for :data:`TRACED_MIN_BATCHES` batches or more
    never does. Other arguments (``verbose``, ``callbacks``, ``steps``) go to
    ``keras.Model.predict``.
    """
    if kwargs.get("verbose", 0) or set(kwargs) - {"verbose"}:
        return model.predict(X, batch_size=batch_size, **kwargs)
    starts = range(0, max(len(X), 1), batch_size)
    if len(starts) < TRACED_MIN_BATCHES:
        chunks = [_call_eagerly(model, X[i:i + batch_size]) for i in starts]
    else:
        chunks = [_predict_padded(model, X[i:i + batch_size], batch_size) for i in starts]
    if isinstance(chunks[0], (list, tuple)):  # one array per network output
        return [np.concatenate([np.asarray(c[k]) for c in chunks]) for k in range(len(chunks[0]))]
    return np.concatenate([np.asarray(c) for c in chunks])


#: Fewest batches that :func:`predict_in_batches` predicts through the network's traced
#: predict function; fewer are predicted without tracing.
TRACED_MIN_BATCHES = 4


def _call_eagerly(model, chunk):
    """The model's output on one batch, as NumPy, computed outside a graph.

    The batch goes in the structure the model was built with (a list of one input
    or the input itself), as Keras expects.
    """
    try:
        as_list = isinstance(model.input, (list, tuple))
    except (AttributeError, ValueError):  # a Sequential model never called
        as_list = False
    out = model([chunk] if as_list else chunk, training=False)
    return keras.tree.map_structure(keras.ops.convert_to_numpy, out)


def _predict_padded(model, chunk, batch_size):
    """``predict_on_batch`` on ``chunk`` padded (repeating its last row) to ``batch_size``
    rows: every batch has one shape, which the predict function traces once."""
    n = len(chunk)
    if n == batch_size:
        return model.predict_on_batch(chunk)
    padded = np.concatenate([chunk, np.repeat(chunk[-1:], batch_size - n, axis=0)])
    out = model.predict_on_batch(padded)
    if isinstance(out, (list, tuple)):
        return [np.asarray(o)[:n] for o in out]
    return np.asarray(out)[:n]


class _NewNetworkTraces(logging.Filter):
    """Drops TensorFlow's retracing warning about Keras' train and test functions.

    Keras gives every network a train (and test) function of its own, traced once
    per fit, and TensorFlow counts the traces of all of them together, since they
    share Keras' code: five fits of a few training steps each, in one process, read
    as "5 out of the last 13 calls ... triggered tf.function retracing", though no
    function was traced twice. A fit needs a new network, hence a new function.
    """

    def filter(self, record):
        message = record.getMessage()
        return not ("triggered tf.function retracing" in message
                    and "multi_step_on_iterator" in message)


@contextlib.contextmanager
def _new_network_traces_unreported():
    """While a network trains: :class:`_NewNetworkTraces` on TensorFlow's logger."""
    logger, dropped = logging.getLogger("tensorflow"), _NewNetworkTraces()
    logger.addFilter(dropped)
    try:
        yield
    finally:
        logger.removeFilter(dropped)
