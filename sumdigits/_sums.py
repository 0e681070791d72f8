"""The distribution of a sum of two independent digits.

If the two digits of a pair are classified independently, with probability vectors
``p`` and ``q`` over 0..9, the sum has the distribution of their convolution:
``P(s) = sum_a p[a] * q[s - a]``. It is computed as the outer product ``p q^T``
(the joint distribution of the two digits) summed along its anti-diagonals with the
fixed 0/1 matrix :func:`sum_matrix`, so the same matrix serves NumPy here and the
Keras graph of the neuro-symbolic estimators.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "digits_to_sums",
    "joint_digit_distribution",
    "long_addition",
    "max_sum",
    "most_probable_position_sums",
    "most_probable_sum_digits",
    "sum_distribution",
    "sum_matrix",
    "sum_of_most_probable_digits",
    "sums_to_digits",
]


def sum_matrix(n_classes=10, dtype=np.float32):
    """The (n_classes**2, 2 * n_classes - 1) matrix mapping a joint (a, b) to a + b.

    Examples
    --------
    >>> from sumdigits._sums import sum_matrix
    >>> sum_matrix().shape
    (100, 19)
    """
    a, b = np.divmod(np.arange(n_classes * n_classes), n_classes)
    M = np.zeros((n_classes * n_classes, 2 * n_classes - 1), dtype=dtype)
    M[np.arange(n_classes * n_classes), a + b] = 1
    return M


def joint_digit_distribution(p, q):
    """Joint distribution (n, k, k) of two independent digits with marginals p and q."""
    return np.asarray(p)[:, :, None] * np.asarray(q)[:, None, :]


def sum_distribution(p, q):
    """Distribution over the sums 0..2k-2 of two independent digits.

    Parameters
    ----------
    p, q : array-like of shape (n, k)
        Probability vectors of the first and second digit.

    Returns
    -------
    ndarray of shape (n, 2k - 1)

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits._sums import sum_distribution
    >>> p = np.eye(10)[[3]]; q = np.full((1, 10), 0.1)
    >>> sum_distribution(p, q).round(2)[0, 2:5].tolist()
    [0.0, 0.1, 0.1]
    """
    p, q = np.asarray(p), np.asarray(q)
    k = p.shape[1]
    joint = joint_digit_distribution(p, q).reshape(p.shape[0], k * k)
    return joint @ sum_matrix(k, dtype=joint.dtype)


# ------------------------------------------------- sums of two N-digit numbers
# The sums of two N-digit numbers can exceed any fixed-width integer (N = 100), so
# they travel as their N + 1 decimal digits (most significant first: the final
# carry, then the N written digits) and come back as Python ints when int64 cannot
# hold them. Nothing here imports TensorFlow.

_INT64_DIGITS = 18  # every sum of two 18-digit numbers, < 2 * 10**18, fits in int64
_FLOAT_EXACT = 2**53  # above it a float does not hold every integer


def check_n_digits(n_digits, *, name="n_digits"):
    """Return ``n_digits`` as a positive int, or raise a ValueError."""
    if (not isinstance(n_digits, numbers.Integral) or isinstance(n_digits, bool)
            or n_digits < 1):
        raise ValueError(f"{name} must be a positive int, got {n_digits!r}.")
    return int(n_digits)


def max_sum(n_digits):
    """The largest sum of two ``n_digits``-digit numbers, ``2 * (10**n_digits - 1)``, exactly.

    Examples
    --------
    >>> from sumdigits._sums import max_sum
    >>> max_sum(1), max_sum(30) == 2 * (10**30 - 1)
    (18, True)
    """
    return 2 * (10 ** check_n_digits(n_digits) - 1)


def _as_exact_ints(y, name):
    """1-D array of ``y``'s values, exact: int64 or an object array of Python ints."""
    if hasattr(y, "toarray"):
        raise TypeError(f"{name} must be a dense array of sums, not a sparse matrix.")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{name} must have shape (n_samples,), got {y.shape}.")
    if y.dtype.kind in "iu":
        return y
    if y.dtype.kind == "f":
        values = y.tolist()
    elif y.dtype == object:
        values = y.tolist()
    else:
        raise TypeError(f"{name} must hold integer sums (ints, or Python ints in an object "
                        f"array for sums beyond int64), got dtype {y.dtype}.")
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(f"{name} must hold integer sums; found {v!r} of type "
                            f"{type(v).__name__} at index {i}.")
        if isinstance(v, numbers.Integral):
            out[i] = int(v)
            continue
        v = float(v)
        if not np.isfinite(v):
            raise ValueError(f"{name} contains NaN or infinite values; expected integer sums "
                             f"(found {v!r} at index {i}).")
        if v != int(v):
            raise ValueError(f"{name} must hold whole numbers (integer sums), got the "
                             f"fractional value {v!r} at index {i} (a continuous target).")
        if abs(v) > _FLOAT_EXACT:
            raise ValueError(f"{name} holds the float {v!r} at index {i}, above 2**53 where "
                             "floats skip integers: pass exact sums as ints (Python ints in an "
                             "object array beyond int64).")
        out[i] = int(v)
    return out


def sums_to_digits(y, n_digits, *, name="y"):
    """Validate sums of two N-digit numbers and write each as its N + 1 decimal digits.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Sums, integers in ``0..2 * (10**N - 1)``: any integer dtype, floats holding
        whole numbers up to 2**53, or Python ints of any size in an object array.
    n_digits : int
        N, the digits of each of the two numbers added.
    name : str, default="y"
        The argument's name in error messages.

    Returns
    -------
    ndarray of shape (n_samples, N + 1), dtype int32
        Digit ``[i, 0]`` is the final carry (0 or 1), ``[i, 1:]`` the N written
        digits, most significant first.

    Examples
    --------
    >>> from sumdigits._sums import sums_to_digits
    >>> sums_to_digits([7, 18, 10], 1).tolist()
    [[0, 7], [1, 8], [1, 0]]
    >>> sums_to_digits([10**20 + 5], 20)[0, [0, 1, 20]].tolist()
    [1, 0, 5]
    """
    n_digits = check_n_digits(n_digits)
    y = _as_exact_ints(y, name)
    highest = max_sum(n_digits)
    if y.size:
        low, high = min(y.tolist()), max(y.tolist())
        if low < 0 or high > highest:
            bad = [v for v in y.tolist() if v < 0 or v > highest][:5]
            if min(bad) < 0:
                why = "negative"
            elif len(str(max(bad))) > n_digits + 1:
                why = f"too large: more than {n_digits + 1} digits"
            else:
                why = f"too large: above {highest}"
            raise ValueError(f"{name} must hold sums of two {n_digits}-digit numbers, integers "
                             f"in 0..{highest}; found {bad} ({why}).")
    width = n_digits + 1
    if y.dtype != object and n_digits <= _INT64_DIGITS:
        place = 10 ** np.arange(n_digits, -1, -1, dtype=np.int64)
        return ((y.astype(np.int64)[:, None] // place) % 10).astype(np.int32)
    text = "".join(str(v).zfill(width) for v in y.tolist()).encode("ascii")
    codes = np.frombuffer(text, dtype=np.uint8).reshape(len(y), width)
    return (codes - ord("0")).astype(np.int32)


def digits_to_sums(digits):
    """The integers written by rows of decimal digits (most significant first), exactly.

    Parameters
    ----------
    digits : array-like of shape (n_samples, n_positions)
        Digits 0..9.

    Returns
    -------
    ndarray of shape (n_samples,)
        int64 when every value fits (up to 18 positions, or 19 with a leading
        digit of at most 8: every sum of two 18-digit numbers), else an object
        array of Python ints.

    Examples
    --------
    >>> from sumdigits._sums import digits_to_sums
    >>> digits_to_sums([[1, 8], [0, 7]]).tolist()
    [18, 7]
    >>> int(digits_to_sums([[1] + [0] * 25])[0]) == 10**25
    True
    """
    digits = np.asarray(digits)
    n, width = digits.shape
    if width <= _INT64_DIGITS or (width == _INT64_DIGITS + 1 and (
            digits.size == 0 or digits[:, 0].max() <= 8)):
        return digits.astype(np.int64) @ (10 ** np.arange(width - 1, -1, -1, dtype=np.int64))
    text = (digits.astype(np.uint8) + ord("0")).tobytes()
    out = np.empty(n, dtype=object)
    out[:] = [int(text[i * width:(i + 1) * width]) for i in range(n)]
    return out


# ------------------------------------------- most probable sums, given positions
def _padded_position_proba(position_proba):
    """(n, N, 21) float64: index ``s + 1`` holds ``P(s_j = s)``; s = -1 and 19 impossible."""
    q = np.asarray(position_proba, dtype=np.float64)
    if q.ndim != 3 or q.shape[2] != 19:
        raise ValueError(f"position_proba must have shape (n, N, 19), got {q.shape}.")
    return np.pad(q, ((0, 0), (0, 0), (1, 1)))


def _upper_right_hull(points):
    """Indices of the points (m, 2) that maximise ``w @ p`` for some ``w >= 0``.

    Every other point is dominated by a convex combination of these, so no
    non-negative linear functional (and hence no continuation of the carry chain
    below) makes it the best: dropping it is exact.
    """
    order = np.lexsort((-points[:, 1], -points[:, 0]))  # x descending, then y descending
    hull = []
    best_y = -1.0
    for i in order:
        x, y = points[i]
        if y <= best_y:  # dominated (Pareto)
            continue
        best_y = y
        while len(hull) >= 2:
            (ax, ay), (bx, by) = points[hull[-2]], points[hull[-1]]
            if (bx - ax) * (y - ay) - (by - ay) * (x - ax) > 0:
                break
            hull.pop()  # the middle point lies on or below the chord
        hull.append(i)
    return np.asarray(hull)


def most_probable_sum_digits(position_proba):
    """The exact most probable sum of two N-digit numbers, as N + 1 digits.

    With ``q_j`` the distribution of the digit sum ``s_j = a_j + b_j`` at position
    j (independent positions), a sum S writes the digits ``r_j`` and the final
    carry ``c``; its probability sums over the unknown carries between positions:
    ``P(S) = sum over carries of prod_j q_j(r_j + 10 c_out_j - c_in_j)``. This
    returns ``argmax_S P(S)`` exactly, in O(N) per sample, by a dynamic program
    over positions and carries from the units upwards: the forward message of a
    sum prefix is the pair (probability of the digits written so far with carry 0
    out, with carry 1 out), a linear non-negative function of the previous pair;
    of all prefixes only those on the upper-right convex hull of their pairs can
    lead to the best sum, so only those are kept (a few in practice). Ties go to
    any of the tied sums.

    Parameters
    ----------
    position_proba : array-like of shape (n, N, 19)
        ``P(s_j = s)``, most significant position first.

    Returns
    -------
    ndarray of shape (n, N + 1), dtype int32
        The final carry, then the N written digits, most significant first.

    Examples
    --------
    >>> import numpy as np
    >>> from sumdigits._sums import most_probable_sum_digits
    >>> q = np.zeros((1, 2, 19)); q[0, 0, 9] = q[0, 1, 11] = 1  # 9 tens + 11 units
    >>> most_probable_sum_digits(q).tolist()  # 90 + 11 = 101
    [[1, 0, 1]]
    """
    q = _padded_position_proba(position_proba)
    n, n_digits = q.shape[:2]
    out = np.empty((n, n_digits + 1), dtype=np.int32)
    if n_digits == 1:  # no carry between positions: the most probable position sum
        best = q[:, 0].argmax(axis=1) - 1
        out[:, 0], out[:, 1] = best // 10, best % 10
        return out
    r = np.arange(10)
    for i in range(n):
        alpha = np.array([[1.0, 0.0]])  # (carry 0 out, carry 1 out) of the empty prefix
        written = np.zeros((1, 0), dtype=np.int32)  # units first
        for j in range(n_digits - 1, -1, -1):
            t = q[i, j]
            # s + carry_in = r + 10 carry_out, for every kept prefix and digit r
            carry_0 = alpha[:, :1] * t[r + 1] + alpha[:, 1:] * t[r]
            carry_1 = alpha[:, :1] * t[r + 11] + alpha[:, 1:] * t[r + 10]
            points = np.stack([carry_0.ravel(), carry_1.ravel()], axis=1)
            keep = _upper_right_hull(points)
            alpha = points[keep] / points[keep].max()  # rescaled: nothing underflows
            parent, digit = np.divmod(keep, 10)
            written = np.concatenate([written[parent], digit[:, None]], axis=1)
        best, carry = np.unravel_index(alpha.argmax(), alpha.shape)
        out[i, 0] = carry
        out[i, 1:] = written[best, ::-1]
    return out


def most_probable_position_sums(position_proba):
    """The sum of the most probable position sums, as N + 1 digits (Viterbi).

    Returns ``S = sum_j argmax_s q_j(s) 10**(N - j)``, written as digits. Given
    the carries, a sum fixes every position sum, so this is the most probable
    (sum, carries) pair, ``argmax over S and carries of P(S, carries)``: the
    Viterbi path over (sum digit, carry), with the carries maximised instead of
    summed out. It is the most probable sum for N = 1 and an approximation of it
    otherwise (:func:`most_probable_sum_digits` is exact).

    Parameters
    ----------
    position_proba : array-like of shape (n, N, 19)

    Returns
    -------
    ndarray of shape (n, N + 1), dtype int32
    """
    q = _padded_position_proba(position_proba)
    return long_addition(q.argmax(axis=2) - 1)


def long_addition(position_sums):
    """Digits (n, N + 1) of ``sum_j position_sums[:, j] * 10**(N - j)``."""
    n, n_digits = position_sums.shape
    out = np.empty((n, n_digits + 1), dtype=np.int32)
    carry = np.zeros(n, dtype=np.int64)
    for j in range(n_digits - 1, -1, -1):
        carry, out[:, j + 1] = np.divmod(position_sums[:, j] + carry, 10)
    out[:, 0] = carry
    return out


def sum_of_most_probable_digits(digit_proba):
    """The sum of the two numbers read digit by digit (argmax), as N + 1 digits.

    Parameters
    ----------
    digit_proba : array-like of shape (n, 2, N, 10)

    Returns
    -------
    ndarray of shape (n, N + 1), dtype int32
    """
    digits = np.asarray(digit_proba).argmax(axis=3)  # (n, 2, N)
    return long_addition(digits.sum(axis=1))
