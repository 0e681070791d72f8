"""The symbolic part of the neuro-symbolic sum classifier, in ``keras.ops``.

Two N-digit numbers ``a = a_1 ... a_N`` and ``b = b_1 ... b_N`` (most significant
digit first) are classified digit by digit: ``p[k, j]`` is the digit distribution of
digit j of number k. Their sum is computed exactly, without ever forming a
distribution over the 10**N x 10**N digit combinations:

1. At each position j the two digits are independent, so their sum
   ``s_j = a_j + b_j`` (0..18) has the distribution of the convolution of the two
   digit distributions: the joint outer product times the fixed 0/1 matrix
   :func:`sumdigits._sums.sum_matrix`, the same one the NumPy estimators use
   (:func:`position_sum_proba`).
2. The written sum ``S = sum_j s_j 10**(N - j)`` is read off by long addition: with a
   carry ``c`` into each position (0 into the units), the position writes the digit
   ``r = (s + c) mod 10`` and carries ``(s + c) // 10``. For a given ``S`` the written
   digits ``r_j`` and the final carry are fixed, and only the carries between
   positions (0 or 1) are unknown, so ``P(S)`` is a sum over carry paths computed by
   the forward recursion of a two-state chain from the units upwards
   (:func:`sum_log_proba`), in log space so that nothing underflows.

The cost is O(N) per sum and sample: the training loss evaluates the observed sum
only, and ``predict_proba`` evaluates every sum 0..2 * (10**N - 1) in chunks.
"""

from __future__ import annotations

import numpy as np
from keras import ops

from .._sums import sum_matrix

__all__ = ["most_probable_sum", "position_sum_proba", "sum_log_proba", "sum_proba"]

_NEG = -1e30  # log of an impossible event: finite, so log-sum-exp never meets inf - inf
_TINY = 1e-30  # added to position probabilities before the log


def position_sum_proba(digit_proba):
    """Distribution of the digit sum at each position of two numbers.

    Parameters
    ----------
    digit_proba : tensor of shape (n, 2, N, 10)
        Digit distributions of the two numbers, position by position.

    Returns
    -------
    tensor of shape (n, N, 19)
        ``P(a_j + b_j = s)``: the convolution of the two digit distributions,
        computed as their joint outer product times :func:`sumdigits._sums.sum_matrix`.

    Examples
    --------
    >>> import numpy as np
    >>> from keras import ops
    >>> from sumdigits.keras._ns_graph import position_sum_proba
    >>> p = np.eye(10, dtype="float32")[[[[3], [4]]]]  # one sample: certain digits 3 and 4
    >>> int(ops.argmax(position_sum_proba(p)[0, 0]))
    7
    """
    digit_proba = ops.convert_to_tensor(digit_proba)
    k = digit_proba.shape[-1]
    joint = digit_proba[:, 0, :, :, None] * digit_proba[:, 1, :, None, :]  # (n, N, k, k)
    joint = ops.reshape(joint, (-1, digit_proba.shape[2], k * k))
    return ops.matmul(joint, ops.convert_to_tensor(sum_matrix(k), dtype=joint.dtype))


def sum_log_proba(position_proba, sums):
    """Log-probability of sums of two N-digit numbers, by long addition with carries.

    Parameters
    ----------
    position_proba : tensor of shape (n, N, 19)
        Distribution of the digit sum at each position, most significant first, as
        :func:`position_sum_proba` returns.
    sums : int tensor of shape (n, m) or (1, m)
        Candidate sums, in 0..2 * (10**N - 1): a row per sample, or one row shared
        by every sample.

    Returns
    -------
    tensor of shape (n, m)
        ``log P(S = sums[i, l])`` for sample i.

    Examples
    --------
    >>> import numpy as np
    >>> from keras import ops
    >>> from sumdigits.keras._ns_graph import sum_log_proba
    >>> q = np.full((1, 2, 19), 1 / 19, dtype="float32")  # two positions, uniform
    >>> p = ops.exp(sum_log_proba(q, np.arange(199)[None]))
    >>> round(float(ops.sum(p)), 4), round(float(p[0, 10] * 19 * 19), 4)  # 10 = 0+10, 1+0
    (1.0, 2.0)
    """
    position_proba = ops.convert_to_tensor(position_proba)
    n, n_digits = ops.shape(position_proba)[0], position_proba.shape[1]
    # index s + 1 of the padded table: s = -1 and s = 19 are impossible position sums
    log_q = ops.log(position_proba + _TINY)
    log_q = ops.pad(log_q, ((0, 0), (0, 0), (1, 1)), constant_values=_NEG)
    sums = ops.cast(sums, "int32")
    m = ops.shape(sums)[1]
    sums = ops.broadcast_to(sums, (n, m))

    def log_q_at(j, s):  # log P(s_j = s), s of shape (n, m)
        return ops.take_along_axis(log_q[:, j], s + 1, axis=1)

    alpha_0 = ops.zeros((n, m), dtype=log_q.dtype)  # no carry into the units
    alpha_1 = ops.full((n, m), _NEG, dtype=log_q.dtype)
    rest = sums
    for j in range(n_digits - 1, -1, -1):  # units first
        written, rest = rest % 10, rest // 10
        # s + carry_in = written + 10 carry_out
        next_0 = ops.logaddexp(alpha_0 + log_q_at(j, written), alpha_1 + log_q_at(j, written - 1))
        next_1 = ops.logaddexp(alpha_0 + log_q_at(j, written + 10),
                               alpha_1 + log_q_at(j, written + 9))
        alpha_0, alpha_1 = next_0, next_1
    # what is left of the sum is the final carry, 0 or 1
    impossible = ops.logical_or(rest < 0, rest > 1)
    log_p = ops.where(rest == 0, alpha_0, alpha_1)
    return ops.where(impossible, ops.full_like(log_p, _NEG), log_p)


_CHUNK_ENTRIES = 1 << 21  # samples x sums evaluated at once by the chunked functions


def _chunks_of_all_sums(position_proba):
    """Yield (start, stop, log P(S = s) for every sum s) over chunks of samples."""
    position_proba = np.asarray(position_proba)
    n, n_digits = position_proba.shape[:2]
    candidates = np.arange(2 * 10**n_digits - 1)[None]
    step = max(1, _CHUNK_ENTRIES // candidates.shape[1])
    for start in range(0, n, step):
        stop = min(start + step, n)
        log_p = sum_log_proba(position_proba[start:stop], candidates)
        yield start, stop, ops.convert_to_numpy(log_p)


def sum_proba(position_proba):
    """Distribution over every sum 0..2 * (10**N - 1), computed in chunks of samples.

    Parameters
    ----------
    position_proba : array-like of shape (n, N, 19)

    Returns
    -------
    ndarray of shape (n, 2 * 10**N - 1)
    """
    position_proba = np.asarray(position_proba)
    n, n_digits = position_proba.shape[:2]
    out = np.empty((n, 2 * 10**n_digits - 1), dtype=position_proba.dtype)
    for start, stop, log_p in _chunks_of_all_sums(position_proba):
        out[start:stop] = np.exp(log_p)
    return out


def most_probable_sum(position_proba):
    """The most probable sum of each sample, holding one chunk of the distribution at a time.

    Parameters
    ----------
    position_proba : array-like of shape (n, N, 19)

    Returns
    -------
    ndarray of shape (n,)
    """
    position_proba = np.asarray(position_proba)
    out = np.empty(position_proba.shape[0], dtype=np.intp)
    for start, stop, log_p in _chunks_of_all_sums(position_proba):
        out[start:stop] = log_p.argmax(axis=1)
    return out
