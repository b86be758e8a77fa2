r"""SphereFace's A-Softmax: L-Softmax's multiplicative margin with unit weight columns.

The logits are :math:`\|x_n\| \cos\theta_{nj}`, and the target's
:math:`\cos\theta_y` is replaced by L-Softmax's :math:`\psi(\theta_y)`
(:mod:`xent.lsoftmax`): only the angle decides, not the length of :math:`w_j`.

Examples
--------
>>> import numpy as np
>>> from xent import sphereface_logits
>>> x, W = np.array([[3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 2.0]])
>>> sphereface_logits(x, W, np.array([1]), m=2)  # |x| cos(theta_0), |x| cos(2 theta_1)
array([[3. , 1.4]])
"""

import numpy as np

from ._angles import (check_grad_logits, check_integer_margin, checked_logits, prepare,
                      target_correction, through_norm)
from .lsoftmax import _target

__all__ = ["sphereface_logits", "sphereface_logits_grad"]


def sphereface_logits(x, W, target, m=4):
    r"""Logits of SphereFace's A-Softmax (Liu et al., 2017): L-Softmax with unit weight columns.

    Parameters, errors and *m* as for :func:`lsoftmax_logits` (SphereFace uses ``m=4``).

    Returns
    -------
    numpy.ndarray, shape (N, C)
        :math:`z_{nj} = \|x_n\| \cos\theta_{nj}` for :math:`j \ne y_n`, and
        :math:`z_{n y_n} = \|x_n\|\,\psi(\theta_{n y_n})`.

    Notes
    -----
    Equal to ``lsoftmax_logits(x, W / ‖W‖, target, m)`` (columns normalised).
    The paper trains with :math:`(\lambda\cos\theta_y + \psi(\theta_y))/(1 + \lambda)`
    and :math:`\lambda` annealed towards 0; that schedule is left to the caller,
    who can mix these logits with those of ``m=1``.

    Examples
    --------
    >>> import numpy as np
    >>> x, W = np.array([[3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> sphereface_logits(x, W, np.array([1]), m=2)
    array([[3. , 1.4]])
    >>> from xent import lsoftmax_logits
    >>> lsoftmax_logits(x, W / [1.0, 2.0], np.array([1]), m=2)  # the same
    array([[3. , 1.4]])
    """
    geo = prepare(x, W, target)
    m = check_integer_margin("m", m)
    z = geo.x @ geo.V
    z[np.arange(z.shape[0]), geo.y] += geo.nx * _target(geo, m)[0]
    return checked_logits(z)


def sphereface_logits_grad(x, W, target, grad_logits, m=4):
    r"""Gradient of ``sum(grad_logits * sphereface_logits(x, W, target, m))``: ``(grad_x, grad_W)``.

    As :func:`lsoftmax_logits_grad`, with :math:`\|w_y\|` replaced by 1 in the
    logits and the chain rule through :math:`w \mapsto w/\|w\|`:
    :math:`\partial/\partial w = (I - v v^\top)\, \partial/\partial v \,/\, \|w\|`.

    Examples
    --------
    >>> import numpy as np
    >>> x, W = np.array([[3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> gx, gW = sphereface_logits_grad(x, W, np.array([1]), np.array([[0.0, 1.0]]), m=2)
    >>> gx.round(12), gW.round(12)  # gW: |x| psi'(c) (u - c v) / |w| = 5 * 3.2 * (0.6, 0) / 2
    (array([[-1.368,  1.376]]), array([[0. , 4.8],
           [0. , 0. ]]))
    """
    geo = prepare(x, W, target)
    m = check_integer_margin("m", m)
    G = check_grad_logits(grad_logits, (geo.x.shape[0], geo.W.shape[1]))
    grad_x = G @ geo.V.T  # the plain logits x @ V, V = W / ‖W‖
    grad_W = through_norm(geo.V, geo.nw, geo.x.T @ G, axis=0)
    delta, kp, kr = _target(geo, m)
    one, nx = np.ones_like(geo.nx), geo.nx
    return target_correction(geo, G, delta, kp, kr, one, one, np.zeros_like(nx),
                             nx / geo.nw[geo.y], grad_x, grad_W)
