r"""The multiplicative angular margin of L-Softmax.

L-Softmax (and SphereFace, :mod:`xent.sphereface`, with unit weight columns)
replaces the target cosine :math:`\cos\theta_y` by

.. math:: \psi(\theta) = (-1)^k \cos(m\theta) - 2k, \qquad
          \theta \in \Big[\frac{k\pi}{m}, \frac{(k+1)\pi}{m}\Big],\ k = 0, \dots, m - 1,

continuous and decreasing on :math:`[0, \pi]`, with :math:`\psi(\theta) \le \cos\theta`:
the target class must win with the angle :math:`m\theta` instead of
:math:`\theta`. Since :math:`\cos(m\theta) = T_m(\cos\theta)`, the Chebyshev
polynomial, :math:`\psi` is a polynomial in :math:`c = \cos\theta` on each piece,
and its derivative :math:`\psi'(c) = (-1)^k m\, U_{m-1}(c)` is bounded (it is
:math:`m^2` at :math:`c = \pm 1` and 0 at the piece boundaries): the gradients
below are exact and continuous everywhere, :math:`\theta = 0` and :math:`\pi`
included, with no :math:`1/\sin\theta`.

Examples
--------
>>> import numpy as np
>>> from xent import lsoftmax_logits
>>> x, W = np.array([[3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 2.0]])
>>> lsoftmax_logits(x, W, np.array([1]), m=2)  # x @ w_0; |x| |w_1| cos(2 theta_1) = 5 * 2 * 0.28
array([[3. , 2.8]])
"""

import numpy as np

from ._angles import (check_grad_logits, check_integer_margin, checked_logits, prepare,
                      target_correction)
from ._validation import check_array

__all__ = ["lsoftmax_psi", "lsoftmax_logits", "lsoftmax_logits_grad"]


def lsoftmax_psi(c, m):
    r"""The margin function :math:`\psi` of L-Softmax as a function of :math:`c = \cos\theta`.

    Parameters
    ----------
    c : array_like
        Cosines, finite, any shape; clipped to [-1, 1].
    m : int
        The angular margin, a positive integer.

    Returns
    -------
    psi, dpsi : numpy.ndarray
        :math:`\psi = (-1)^k T_m(c) - 2k` and :math:`d\psi/dc = (-1)^k m\, U_{m-1}(c)`,
        of the shape of *c*.

    Raises
    ------
    TypeError, ValueError
        For a non-numeric or non-finite *c*, or an *m* that is not a positive integer.

    Notes
    -----
    :math:`k` counts the boundaries :math:`\cos(j\pi/m)`, :math:`j = 1, \dots, m-1`,
    above :math:`c` (:math:`\theta \in [k\pi/m, (k+1)\pi/m]`). :math:`T_m` and
    :math:`U_{m-1}` come from the recurrence :math:`P_{i+1} = 2c P_i - P_{i-1}`
    (:math:`T_0 = 1, T_1 = c`; :math:`U_{-1} = 0, U_0 = 1`), and
    :math:`T_m' = m U_{m-1}`. At a boundary both pieces give
    :math:`\psi = 1 - 2j` and :math:`\psi' = 0`.

    Examples
    --------
    >>> import numpy as np
    >>> psi, dpsi = lsoftmax_psi(np.cos(np.array([0.0, np.pi / 2, np.pi])), 2)
    >>> psi.round(12), dpsi.round(12)
    (array([ 1., -1., -3.]), array([4., 0., 4.]))
    """
    return _psi(check_array("c", c), check_integer_margin("m", m))


def _psi(c, m):
    c = np.clip(c, -1.0, 1.0)
    k = np.zeros(c.shape)
    for j in range(1, m):  # theta >= j pi / m  <=>  c <= cos(j pi / m)
        k += c < np.cos(j * np.pi / m)
    t_prev, t = np.ones_like(c), c  # T_0, T_1; T_{i+1} = 2 c T_i - T_{i-1}
    u_prev, u = np.zeros_like(c), np.ones_like(c)  # U_{-1}, U_0; same recurrence
    for _ in range(m - 1):
        t_prev, t = t, 2.0 * c * t - t_prev
        u_prev, u = u, 2.0 * c * u - u_prev
    sign = 1.0 - 2.0 * (k % 2)
    return sign * t - 2.0 * k, sign * m * u


def _target(geo, m):
    psi, dpsi = _psi(geo.ct, m)
    return psi - geo.ct, dpsi[:, None] * geo.p, dpsi[:, None] * geo.r


def lsoftmax_logits(x, W, target, m=4):
    r"""Logits of L-Softmax (Liu et al., 2016): the target cosine replaced by :math:`\psi`.

    Parameters
    ----------
    x : array_like, shape (N, d)
        Features, finite, no zero row.
    W : array_like, shape (d, C)
        Class weights, one column per class, finite, no zero column.
    target : array_like of int, shape (N,)
        Class labels in ``[0, C)``.
    m : int, default 4
        The angular margin, a positive integer; ``m=1`` gives the plain logits ``x @ W``.
        (Liu et al. try ``m`` = 1 to 4; SphereFace uses 4.)

    Returns
    -------
    numpy.ndarray, shape (N, C)
        :math:`z_{nj} = x_n \cdot w_j` for :math:`j \ne y_n`, and
        :math:`z_{n y_n} = \|w_{y_n}\|\,\|x_n\|\,\psi(\theta_{n y_n})`.

    Raises
    ------
    TypeError, ValueError
        For non-numeric, empty, non-finite or mis-shaped *x* or *W*, a zero
        row of *x* or column of *W* (the angle is undefined), labels that are
        not integers in ``[0, C)``, an *m* that is not a positive integer, or
        logits that overflow float64.

    Notes
    -----
    .. math:: \psi(\theta) = (-1)^k \cos(m\theta) - 2k, \quad
              \theta \in [k\pi/m, (k+1)\pi/m].

    The non-target logits are computed as ``x @ W``; the target one as
    :math:`x \cdot w_y + \|x\|\|w_y\|(\psi - \cos\theta)`, so that ``m=1``
    returns ``x @ W`` exactly. See :func:`lsoftmax_psi` for the evaluation.

    Examples
    --------
    >>> import numpy as np
    >>> x, W = np.array([[3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> lsoftmax_logits(x, W, np.array([1]), m=1)  # x @ W
    array([[3., 8.]])
    >>> lsoftmax_logits(x, W, np.array([1]), m=2)  # cos(theta) = 0.8, cos(2 theta) = 0.28
    array([[3. , 2.8]])
    >>> lsoftmax_logits(x, W, np.array([1]), m=4)  # cos(4 theta) = T_4(0.8) = -0.8432
    array([[ 3.   , -8.432]])
    """
    geo = prepare(x, W, target)
    m = check_integer_margin("m", m)
    delta = _target(geo, m)[0]
    with np.errstate(over="ignore", invalid="ignore"):  # refused just below
        z = geo.x @ geo.W
        z[np.arange(z.shape[0]), geo.y] += geo.nx * geo.nw[geo.y] * delta
    return checked_logits(z)


def lsoftmax_logits_grad(x, W, target, grad_logits, m=4):
    r"""Gradient of ``sum(grad_logits * lsoftmax_logits(x, W, target, m))``: ``(grad_x, grad_W)``.

    Same parameters and errors as :func:`lsoftmax_logits`, and *grad_logits*
    of shape (N, C), finite. With :math:`G` = *grad_logits*, :math:`g_n = G_{n y_n}`:

    .. math:: \frac{\partial}{\partial x_n} = \sum_{j \ne y_n} G_{nj} w_j
              + g_n \|w_y\| \big(\psi\, u_n + \psi'(c)\,(v - c\, u_n)\big),

    with :math:`u_n = x_n/\|x_n\|`, :math:`v = w_y/\|w_y\|`, :math:`c = u_n \cdot v`,
    and symmetrically for :math:`w_y` (swap the roles of :math:`x_n` and :math:`w_y`).
    :math:`\psi'(c)` is a polynomial, so the gradient exists and is continuous
    at :math:`\theta = 0` and :math:`\theta = \pi` too.

    Examples
    --------
    >>> import numpy as np
    >>> x, W = np.array([[3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> gx, gW = lsoftmax_logits_grad(x, W, np.array([1]), np.array([[0.0, 1.0]]), m=2)
    >>> gx, gW  # 2 (0.28 u + 3.2 p), u = (0.6, 0.8), p = v - 0.8 u = (-0.48, 0.36)
    (array([[-2.736,  2.752]]), array([[0. , 9.6],
           [0. , 1.4]]))
    """
    geo = prepare(x, W, target)
    m = check_integer_margin("m", m)
    G = check_grad_logits(grad_logits, (geo.x.shape[0], geo.W.shape[1]))
    grad_x, grad_W = G @ geo.W.T, geo.x.T @ G  # the plain logits x @ W
    nwy = geo.nw[geo.y]
    delta, kp, kr = _target(geo, m)
    return target_correction(geo, G, delta, kp, kr, nwy, nwy, geo.nx, geo.nx, grad_x, grad_W)
