r"""SM-Softmax (Liang et al., 2017): a margin subtracted from the plain target logit.

The logits are those of a linear layer, :math:`z_j = x \cdot w_j`, with the
target's lowered by :math:`m \ge 0`: the loss is small only when the target
logit beats every other by at least :math:`m`. No normalisation and no angle:
the margin only shifts the logits, so the gradient with respect to the
features and the weights is that of the plain layer.

Examples
--------
>>> import numpy as np
>>> from xent import soft_margin_logits, cross_entropy_with_logits
>>> x, W, y = np.array([[2.0, 1.0]]), np.eye(2), np.array([0])
>>> [round(float(cross_entropy_with_logits(soft_margin_logits(x, W, y, m=m), y)), 6)
...  for m in (0.0, 1.0, 2.0)]
[0.313262, 0.693147, 1.313262]
"""

import numpy as np

from ._angles import add_to_target, check_grad_logits, check_margin, checked_logits, prepare

__all__ = ["soft_margin_logits", "soft_margin_logits_grad"]


def soft_margin_logits(x, W, target, m=1.0):
    r"""Logits of SM-Softmax (Liang et al., 2017): ``x @ W`` with ``m`` subtracted at the target.

    Parameters
    ----------
    x : array_like, shape (N, d)
        Features, finite.
    W : array_like, shape (d, C)
        Class weights, finite.
    target : array_like of int, shape (N,)
        Class labels in ``[0, C)``.
    m : float, default 1.0
        The margin, finite and :math:`\ge 0`; ``m=0`` gives ``x @ W``. The paper
        tunes *m* per data set and gives no universal value; the default 1 is
        the unit margin of the multiclass hinge loss (Crammer and Singer, 2001),
        in the same units, those of the logits.

    Returns
    -------
    numpy.ndarray, shape (N, C)
        :math:`z_{nj} = x_n \cdot w_j - m\,[j = y_n]`.

    Raises
    ------
    TypeError, ValueError
        For bad *x*, *W* or labels (as :func:`xent.chunked_cross_entropy`), or a
        negative or non-finite *m*, or logits that overflow float64. Zero rows
        and columns are allowed: no angle is used.

    Notes
    -----
    The loss :math:`-\log\big(e^{z_y - m} / (e^{z_y - m} + \sum_{j \ne y} e^{z_j})\big)`
    is small only when :math:`z_y \ge z_j + m` for every :math:`j`. The margin
    is a constant shift, so the gradient is that of plain softmax, evaluated at
    the shifted logits.

    Examples
    --------
    >>> import numpy as np
    >>> soft_margin_logits(np.array([[1.0, 2.0]]), np.eye(2), np.array([1]), m=0.5)
    array([[1. , 1.5]])
    """
    geo = prepare(x, W, target, angles=False)
    m = check_margin("m", m)
    with np.errstate(over="ignore", invalid="ignore"):  # refused just below
        z = add_to_target(geo.x @ geo.W, geo.y, -m)
    return checked_logits(z)


def soft_margin_logits_grad(x, W, target, grad_logits, m=1.0):
    r"""Gradient of ``sum(grad_logits * soft_margin_logits(...))``: ``(G W^T, x^T G)``.

    Same parameters and errors as :func:`soft_margin_logits`; *m* does not enter.

    Examples
    --------
    >>> import numpy as np
    >>> gx, gW = soft_margin_logits_grad(np.array([[1.0, 2.0]]), np.eye(2), np.array([1]),
    ...                                  np.array([[0.5, -0.5]]))
    >>> gx, gW
    (array([[ 0.5, -0.5]]), array([[ 0.5, -0.5],
           [ 1. , -1. ]]))
    """
    geo = prepare(x, W, target, angles=False)
    check_margin("m", m)
    G = check_grad_logits(grad_logits, (geo.x.shape[0], geo.W.shape[1]))
    return G @ geo.W.T, geo.x.T @ G
