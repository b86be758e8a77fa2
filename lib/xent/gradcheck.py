r"""Checking a gradient against central differences.

Examples
--------
>>> import numpy as np
>>> from xent import numerical_gradient, gradcheck
>>> from xent import cross_entropy_with_logits, cross_entropy_with_logits_grad
>>> s, y = np.array([[1.0, 2.0, 0.5]]), np.array([2])
>>> numerical_gradient(lambda z: cross_entropy_with_logits(z, y), s)
array([[ 0.2312239 ,  0.62853172, -0.85975562]])
>>> gradcheck(lambda z: cross_entropy_with_logits(z, y),
...           lambda z: cross_entropy_with_logits_grad(z, y), s) < 1e-9
True
"""

import numpy as np

from ._validation import check_array, check_positive

__all__ = ["numerical_gradient", "gradcheck", "GRADCHECK_EPS", "GRADCHECK_TOL"]

#: Default step of the central differences: near the optimum (3 u)^(1/3) ~ 1e-5
#: for a smooth function of order-one values and derivatives.
GRADCHECK_EPS = 1e-5
#: Default threshold of :func:`gradcheck` (see its Notes).
GRADCHECK_TOL = 1e-6


def _scalar(f, x):
    value = np.asarray(f(x))
    if value.shape != ():
        raise ValueError(f"f must return a scalar; got shape {value.shape} "
                         "(use reduction='sum' or 'mean')")
    return float(value)


def numerical_gradient(f, x, eps=GRADCHECK_EPS):
    r"""The gradient of a scalar function *f* at *x* by central differences.

    Parameters
    ----------
    f : callable
        Takes an array of the shape of *x* and returns a scalar.
    x : array_like
        The point, finite, of any shape. It is not modified.
    eps : float, default 1e-5
        The step.

    Returns
    -------
    numpy.ndarray
        :math:`g_i = (f(x + \varepsilon e_i) - f(x - \varepsilon e_i)) / (2 \varepsilon)`,
        of the shape of *x*; ``2 * x.size`` calls of *f*.

    Raises
    ------
    TypeError, ValueError
        If *f* is not callable or returns a non-scalar, *x* is not a finite
        numeric array, or *eps* is not positive.

    Examples
    --------
    >>> import numpy as np
    >>> numerical_gradient(lambda z: float(np.sum(z ** 2)), np.array([1.0, -2.0]))
    array([ 2., -4.])
    """
    if not callable(f):
        raise TypeError(f"f must be callable; got {type(f).__name__}")
    x = check_array("x", x).copy()
    eps = check_positive("eps", eps)
    g = np.empty_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = _scalar(f, x)
        flat[i] = old - eps
        down = _scalar(f, x)
        flat[i] = old
        gflat[i] = (up - down) / (2.0 * eps)
    return g


def gradcheck(f, grad, x, eps=GRADCHECK_EPS, tol=GRADCHECK_TOL):
    r"""Compare a closed-form gradient with :func:`numerical_gradient`.

    Parameters
    ----------
    f : callable
        A scalar function of an array.
    grad : callable
        Its claimed gradient: an array of the shape of *x*.
    x : array_like
        The point, finite.
    eps : float, default 1e-5
        The step of the central differences.
    tol : float or None, default 1e-6
        Raise ``AssertionError`` if the error exceeds *tol*; None never raises.

    Returns
    -------
    float
        The largest error, relative to the gradient's scale:
        :math:`\max_i |g_i - \tilde g_i| \,/\, \max(\|g\|_\infty, \|\tilde g\|_\infty)`
        (0 if both gradients are 0).

    Raises
    ------
    AssertionError
        If the error exceeds *tol* (the message names the worst entry).
    TypeError, ValueError
        As for :func:`numerical_gradient`, or if *grad* returns the wrong shape.

    Notes
    -----
    Central differences err by :math:`O(\varepsilon^2)` (the Taylor term
    :math:`\varepsilon^2 f'''/6`) plus the rounding of *f*,
    :math:`O(u |f| / \varepsilon)` with :math:`u \approx 1.1 \times 10^{-16}`.
    At :math:`\varepsilon = 10^{-5}` both are about :math:`10^{-10}` times the
    scale of *f* and its derivatives, so a correct gradient shows an error
    near :math:`10^{-10}`, while a wrong one (a missing factor or term, a
    wrong sign) shows an error of order 1. The threshold
    :math:`10^{-6}` sits between, with four orders of magnitude to spare on
    either side. The error is measured against the largest entry rather than
    entry by entry, because a tiny entry's numerical estimate is only
    rounding noise.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.5, -1.0])
    >>> gradcheck(lambda z: float(np.sum(np.exp(z))), np.exp, x) < 1e-9
    True
    >>> wrong = lambda z: 2 * np.exp(z)  # a factor 2 too many
    >>> round(gradcheck(lambda z: float(np.sum(np.exp(z))), wrong, x, tol=None), 6)
    0.5
    """
    if not callable(grad):
        raise TypeError(f"grad must be callable; got {type(grad).__name__}")
    num = numerical_gradient(f, x, eps)
    x = check_array("x", x)
    g = np.asarray(grad(x.copy()), dtype=np.float64)
    if g.shape != x.shape:
        raise ValueError(f"grad must return an array of shape {x.shape}; got {g.shape}")
    scale = max(np.abs(g).max(), np.abs(num).max())
    err = 0.0 if scale == 0 else float(np.abs(g - num).max() / scale)
    if tol is not None and not err <= tol:
        i = np.unravel_index(np.argmax(np.abs(g - num)), x.shape)
        raise AssertionError(f"gradient check failed: relative error {err:.3g} > tol {tol:g}; "
                             f"worst entry {tuple(int(k) for k in i)}: grad {g[i]!r}, "
                             f"numerical {num[i]!r}")
    return err
