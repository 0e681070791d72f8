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
only (given as its N + 1 digits, so sums of any size never meet a fixed-width
integer), and ``predict_proba`` evaluates every sum 0..2 * (10**N - 1) in chunks
where they are few enough to list (N <= 4). The most probable sum for any N is a
dynamic program in NumPy, :func:`sumdigits._sums.most_probable_sum_digits`.
"""

from __future__ import annotations

import numpy as np
from keras import ops

from .._sums import max_sum, sum_matrix, sums_to_digits

__all__ = [
    "MAX_ENUMERATED_DIGITS",
    "check_enumerable",
    "is_most_probable_position_sums",
    "position_sum_proba",
    "sum_log_proba",
    "sum_proba",
]

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


def sum_log_proba(position_proba, sum_digits):
    """Log-probability of sums of two N-digit numbers, by long addition with carries.

    Parameters
    ----------
    position_proba : tensor of shape (n, N, 19)
        Distribution of the digit sum at each position, most significant first, as
        :func:`position_sum_proba` returns.
    sum_digits : int tensor of shape (n, m, N + 1) or (1, m, N + 1)
        Candidate sums written as their N + 1 decimal digits (the final carry, then
        the N written digits, most significant first:
        :func:`sumdigits._sums.sums_to_digits`): a row per sample, or one row
        shared by every sample. No big integer enters the graph.

    Returns
    -------
    tensor of shape (n, m)
        ``log P(S = sum_digits[i, l])`` for sample i, computed in O(N) by the
        forward recursion over the two carry states, in log space.

    Examples
    --------
    >>> import numpy as np
    >>> from keras import ops
    >>> from sumdigits._sums import sums_to_digits
    >>> from sumdigits.keras._ns_graph import sum_log_proba
    >>> q = np.full((1, 2, 19), 1 / 19, dtype="float32")  # two positions, uniform
    >>> p = ops.exp(sum_log_proba(q, sums_to_digits(np.arange(199), 2)[None]))
    >>> round(float(ops.sum(p)), 4), round(float(p[0, 10] * 19 * 19), 4)  # 10 = 0+10, 1+0
    (1.0, 2.0)
    """
    position_proba = ops.convert_to_tensor(position_proba)
    n, n_digits = ops.shape(position_proba)[0], position_proba.shape[1]
    sum_digits = ops.cast(sum_digits, "int32")
    m = ops.shape(sum_digits)[1]
    sum_digits = ops.broadcast_to(sum_digits, (n, m, n_digits + 1))
    # index s + 1 of the padded table: s = -1 and s = 19 are impossible position sums
    log_q = ops.log(position_proba + _TINY)
    log_q = ops.pad(log_q, ((0, 0), (0, 0), (1, 1)), constant_values=_NEG)
    # At position j with written digit r, s + carry_in = r + 10 carry_out: the
    # position sum is r + 10 carry_out - carry_in. The log-probabilities of the four
    # carry moves form a 2 x 2 matrix M_j[carry_out, carry_in], gathered for all
    # positions at once; log P(S) is entry [final carry, 0] of M_1 M_2 ... M_N
    # (most significant first; no carry into the units), a product in the
    # log-semiring taken as a balanced tree: O(N) work in a graph of O(log N) steps.
    # The digits are transposed as floats (exact for 0..9): outside a graph, TensorFlow's
    # oneDNN build logs an error line for a transpose of integers on CPUs without
    # AVX-512, and gathering along the last axis transposes no index either.
    written = ops.cast(ops.transpose(ops.cast(sum_digits[:, :, 1:], log_q.dtype), (0, 2, 1)),
                       "int32")  # (n, N, m)
    index = ops.concatenate([written + 1, written, written + 11, written + 10], axis=2)
    moves = ops.take_along_axis(log_q, index, axis=2)  # (n, N, 4m)
    moves = ops.transpose(ops.reshape(moves, (n, n_digits, 4, m)), (0, 3, 1, 2))
    product = _log_matrix_chain(ops.reshape(moves, (n, m, n_digits, 2, 2)))  # (n, m, 2, 2)
    # the leading digit of the sum is the final carry, 0 or 1
    carry = sum_digits[:, :, 0]
    log_p = ops.where(carry == 0, product[:, :, 0, 0], product[:, :, 1, 0])
    return ops.where(carry > 1, ops.full_like(log_p, _NEG), log_p)


def _log_matrix_chain(matrices):
    """Log-semiring product ``M_1 M_2 ... M_K`` of matrices (..., K, 2, 2), by halving."""
    while matrices.shape[-3] > 1:
        if matrices.shape[-3] % 2:  # pad with the identity of the log-semiring
            identity = ops.convert_to_tensor(np.array([[0.0, _NEG], [_NEG, 0.0]]),
                                             dtype=matrices.dtype)
            identity = ops.broadcast_to(identity, (*ops.shape(matrices)[:-3], 1, 2, 2))
            matrices = ops.concatenate([matrices, identity], axis=-3)
        left, right = matrices[..., 0::2, :, :], matrices[..., 1::2, :, :]
        # (A B)[a, c] = log sum_b exp(A[a, b] + B[b, c])
        matrices = ops.logsumexp(left[..., :, :, None] + right[..., None, :, :], axis=-2)
    return matrices[..., 0, :, :]


def is_most_probable_position_sums(position_proba, sum_digits):
    """Whether each sum (n, N + 1 digits) is the sum of the most probable position sums.

    The most probable pair (sum, carries), the Viterbi path over positions and
    carries (:func:`sumdigits._sums.most_probable_position_sums`), checked inside
    the graph without writing it out: a sum has probability 1 under the one-hot
    position sums of that path exactly when it is that sum. Exact for N = 1, where
    it is the most probable sum. Returns a float tensor (n,) of 0 and 1.
    """
    best = ops.one_hot(ops.argmax(position_proba, axis=2), position_proba.shape[2],
                       dtype=position_proba.dtype)
    log_p = sum_log_proba(best, ops.reshape(sum_digits, (-1, 1, position_proba.shape[1] + 1)))
    return ops.cast(ops.reshape(log_p, (-1,)) > -1.0, "float32")  # log 1 = 0, else < -60


# ------------------------------------------- all sums, where they can be listed
#: Largest N for which the distribution over all 2 * 10**N - 1 sums is computed.
MAX_ENUMERATED_DIGITS = 4
_CHUNK_ENTRIES = 1 << 21  # samples x sums evaluated at once


def check_enumerable(n_digits, what):
    """Raise a ValueError unless the 2 * 10**N - 1 sums are few enough to list."""
    if n_digits > MAX_ENUMERATED_DIGITS:
        raise ValueError(
            f"{what} lists all 2 * 10**N - 1 sums, which is only done for n_digits <= "
            f"{MAX_ENUMERATED_DIGITS} (19,999 sums); n_digits={n_digits} has "
            f"2 * 10**{n_digits} - 1. Use predict (the most probable sum) or "
            "predict_digit_proba (the digits' distributions) instead."
        )


def sum_proba(position_proba):
    """Distribution over every sum 0..2 * (10**N - 1), computed in chunks of samples.

    Parameters
    ----------
    position_proba : array-like of shape (n, N, 19)
        N at most :data:`MAX_ENUMERATED_DIGITS`.

    Returns
    -------
    ndarray of shape (n, 2 * 10**N - 1)
    """
    position_proba = np.asarray(position_proba)
    n, n_digits = position_proba.shape[:2]
    check_enumerable(n_digits, "sum_proba")
    n_sums = max_sum(n_digits) + 1
    candidates = sums_to_digits(np.arange(n_sums), n_digits)[None]
    out = np.empty((n, n_sums), dtype=position_proba.dtype)
    step = max(1, _CHUNK_ENTRIES // n_sums)
    for start in range(0, n, step):
        stop = min(start + step, n)
        out[start:stop] = np.exp(ops.convert_to_numpy(
            sum_log_proba(position_proba[start:stop], candidates)))
    return out
