"""The distribution of a sum of two independent digits.

If the two digits of a pair are classified independently, with probability vectors
``p`` and ``q`` over 0..9, the sum has the distribution of their convolution:
``P(s) = sum_a p[a] * q[s - a]``. It is computed as the outer product ``p q^T``
(the joint distribution of the two digits) summed along its anti-diagonals with the
fixed 0/1 matrix :func:`sum_matrix`, so the same matrix serves NumPy here and the
Keras graph of the neuro-symbolic estimators.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sum_matrix", "sum_distribution", "joint_digit_distribution"]


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
