r"""CosFace / AM-Softmax: an additive margin on the cosine.

Features and class weights are normalised, the logits are :math:`s\cos\theta_j`
with a scale :math:`s`, and the target's logit is lowered to
:math:`s(\cos\theta_y - m)`. (:mod:`xent.combined_margin` has it, ArcFace's and
SphereFace's as special cases.) ``cosface_logits`` returns the (N, C) logits for
:func:`xent.cross_entropy_with_logits`; ``cosface_logits_grad`` maps the
gradient with respect to the logits back to the features and the weights.

Examples
--------
>>> import numpy as np
>>> from xent import cosface_logits
>>> x, W = np.array([[1.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
>>> cosface_logits(x, W, np.array([0]), s=10.0, m=0.2)
array([[5.07106781, 7.07106781]])
"""

import numpy as np

from ._angles import (add_to_target, check_grad_logits, check_margin, checked_logits, cosine_grad,
                      prepare)
from ._validation import check_positive

__all__ = ["cosface_logits", "cosface_logits_grad"]


def cosface_logits(x, W, target, s=64.0, m=0.35):
    r"""Logits of CosFace / AM-Softmax (Wang et al., 2018): :math:`s(\cos\theta_j - m[j = y])`.

    Parameters
    ----------
    x : array_like, shape (N, d)
        Features, finite, no zero row.
    W : array_like, shape (d, C)
        Class weights, finite, no zero column.
    target : array_like of int, shape (N,)
        Class labels in ``[0, C)``.
    s : float, default 64.0
        The scale, positive (CosFace's value; AM-Softmax uses 30).
    m : float, default 0.35
        The cosine margin, finite and :math:`\ge 0` (CosFace's value).

    Returns
    -------
    numpy.ndarray, shape (N, C)
        :math:`z_{nj} = s\cos\theta_{nj}` for :math:`j \ne y_n`,
        :math:`z_{n y_n} = s(\cos\theta_{n y_n} - m)`.

    Raises
    ------
    TypeError, ValueError
        For non-numeric, empty, non-finite or mis-shaped *x* or *W*, a zero row
        of *x* or column of *W* (the angle is undefined), bad labels, a
        non-positive *s* or a negative *m*.

    Notes
    -----
    .. math:: \cos\theta_{nj} = \frac{x_n \cdot w_j}{\|x_n\|\,\|w_j\|},

    clipped to [-1, 1]. The target logit is linear in :math:`\cos\theta`, so the
    gradient has no singularity.

    Examples
    --------
    >>> import numpy as np
    >>> x, W = np.array([[3.0, 4.0]]), np.eye(2)
    >>> cosface_logits(x, W, np.array([1]), s=10.0, m=0.3)
    array([[6., 5.]])
    """
    geo = prepare(x, W, target)
    s, m = check_positive("s", s), check_margin("m", m)
    return checked_logits(add_to_target(s * geo.c, geo.y, -s * m))


def cosface_logits_grad(x, W, target, grad_logits, s=64.0, m=0.35):
    r"""Gradient of ``sum(grad_logits * cosface_logits(...))``: ``(grad_x, grad_W)``.

    Same parameters and errors as :func:`cosface_logits`; *m* does not enter.
    With :math:`u_n = x_n/\|x_n\|`, :math:`v_j = w_j/\|w_j\|`, :math:`c_{nj} = u_n \cdot v_j`:

    .. math:: \frac{\partial}{\partial x_n} = \frac{s}{\|x_n\|} \sum_j G_{nj} (v_j - c_{nj} u_n),
              \qquad
              \frac{\partial}{\partial w_j} = \frac{s}{\|w_j\|} \sum_n G_{nj} (u_n - c_{nj} v_j).

    Examples
    --------
    >>> import numpy as np
    >>> x, W = np.array([[3.0, 4.0]]), np.eye(2)
    >>> gx, gW = cosface_logits_grad(x, W, np.array([1]), np.array([[1.0, 0.0]]), s=10.0)
    >>> gx, gW
    (array([[ 1.28, -0.96]]), array([[0., 0.],
           [8., 0.]]))
    """
    geo = prepare(x, W, target)
    s = check_positive("s", s)
    check_margin("m", m)
    G = check_grad_logits(grad_logits, geo.c.shape)
    zero = np.zeros_like(geo.nx)
    return cosine_grad(geo, G, s, zero, geo.p, geo.r)
