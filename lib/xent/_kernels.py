"""Private numerical kernels: an exact row-wise log-sum-exp, exact row sums, reductions.

For a row ``s`` with maximum ``m`` at index ``k``, every quantity of the
softmax family follows from ``x = s - m`` and ``T = sum_{j != k} exp(x_j)``:
``logsumexp(s) = m + log1p(T)`` and ``log_softmax(s) = x - log1p(T)``.
Three details make these exact to a few ulp rather than merely stable:

* ``T`` leaves out the maximum's own term (exactly 1), so ``log1p(T)`` keeps
  every digit of a tiny ``T`` (``log(1 + T)`` would round ``1 + 4e-18`` to 1);
* the subtraction ``s_j - m`` rounds, and ``exp`` turns an absolute rounding
  error ``delta`` of its argument into a relative error ``delta``, which
  for ``|x_j| = 40`` is about 16 ulp. The exact rounding error ``lo_j`` is
  recovered with Knuth's TwoSum and added back to first order:
  ``exp(x_j + lo_j) = exp(x_j) (1 + lo_j)``;
* NumPy's pairwise sum of ``C`` positive terms can err by several ulp (by
  about 3 for 100 equal terms); :func:`row_sum` splits every term at a
  per-row power of two into a high part, whose sum is exact, and a tiny low
  part, which leaves a sum correct to about half an ulp.

These corrections cost passes over the data. :meth:`LseBlock.run_quick`
therefore first computes ``T`` with NumPy's sum together with
``B = sum_j e_j |x_j|``, which bounds the effect of the rounding of ``x``
(at most ``u |x_j|`` on each ``exp``, ``u = 2**-53``). NumPy's sum errs by
at most ``d u T``, ``d = pairwise_depth(C)`` (21 for C = 1000), but that bound
needs every rounding to go the same way: measured over thousands of rows,
the error has a spread of about ``u T`` and stays below ``6 u T`` (the worst
being rows of equal terms). The caller applies the exact corrections
(:meth:`LseBlock.exact_t`) to every row where ``B + 4 T`` exceeds
``(1 + T)`` times the loss, so that the skipped corrections cost at most
about ``1.5 u`` of it: the corrected rows are those whose loss is small
beside ``T``, such as every confidently right prediction. The accuracy tests
check both kinds of rows against mpmath.

``_ce_blocks.labels_block`` (plain labels) avoids the first correction where
it can: for rows of logits within +-600, or whose maximum lies in [0, 600]
(see ``_ce_blocks._unshifted_rows``), it takes ``exp`` of the logits themselves,
whose arguments are exact, and scales the sum by ``exp(-m)``; only the exact
sum is left to pay for there. These kernels serve the other cases.

Rows are processed in blocks of about 64k numbers, which stay in cache, so
that the extra elementwise passes cost little beside ``exp``. Inside a block,
:func:`row_broadcasts` keeps NumPy's operations with one number per row (a
column ``m[:, None]``) as fast as those with one number.
"""

import contextlib
import math

import numpy as np

__all__ = ["BLOCK", "row_blocks", "row_broadcasts", "row_sum", "low_sum_factor", "window_bits",
           "pairwise_depth", "LseBlock", "reduce_loss"]

#: Target number of float64 entries in one block of rows (512 KB).
BLOCK = 1 << 16


def row_blocks(n_rows, n_cols):
    """Yield slices of rows covering ``range(n_rows)`` in cache-sized blocks."""
    step = max(1, BLOCK // max(1, n_cols))
    for start in range(0, n_rows, step):
        yield slice(start, min(n_rows, start + step))


#: NumPy's ufunc buffer size inside :func:`row_broadcasts` (a multiple of 16, as NumPy asks).
ROW_BUFSIZE = 1024


@contextlib.contextmanager
def row_broadcasts():
    """Within this context, ``e *= col[:, None]`` on rows of about 1000 numbers runs at the
    speed of ``e *= 2.0``.

    With NumPy's default ufunc buffer of 8192 elements, an operation with a column
    broadcast along rows shorter than the buffer costs about 2.5 times one with a single
    number (measured with NumPy 2.4 on AVX-512 for 65 rows of 1000: 0.60 and 0.22 ns per
    element); with a buffer of 1024 elements it costs 0.26 ns, and no row length measured
    (3 to 20000) was slower. The buffer size changes no result: elementwise operations
    round each element alone, and NumPy's sums of contiguous rows (``sum(axis=1)``,
    ``einsum``) were checked bit for bit against the default, since the
    pairwise sum of a row is taken over the whole row in both cases.
    """
    old = np.setbufsize(ROW_BUFSIZE)
    try:
        yield
    finally:
        np.setbufsize(old)


def _fsum(row):
    try:
        return math.fsum(row)
    except OverflowError:  # an intermediate sum beyond 1.8e308: the sum is infinite
        return math.copysign(math.inf, float(np.sum(row)))


def row_sum(v, tmp, t0=None):
    """Sum each row of the 2-D array *v*, whose entries share one sign, almost exactly.

    With ``2**e`` above the row's magnitude, adding and subtracting
    ``sigma = 1.5 * 2**(e + b - 1)`` (``2**b > 2 C``) rounds every entry to a
    multiple of ``q = 2**(e + b - 53)``: these high parts sum exactly, in any
    order, and the remainders (at most ``q / 2`` each) are so small that their
    rounding no longer matters. *tmp* is scratch of the shape of *v*; *t0*, if
    given, is a sum of the rows (NumPy's, or any with a relative error far
    below 1).

    Five passes over the rows, the two sums by :func:`numpy.einsum`, which
    runs at about half the time of NumPy's pairwise ``sum(axis=1)``: its order
    does not matter for the exact sum of the high parts, and for the
    remainders' it is allowed for by :func:`low_sum_factor`. One ``sigma``
    serves all rows where every row lies within ``2**window_bits(C)`` of the
    largest (see :func:`window_bits`), the common case of a block of similar
    rows; otherwise each row gets its own ``sigma``, a column (called inside
    :func:`row_broadcasts`, that costs no more). Rows whose sum is infinite or
    beyond ``2**1000`` fall back to :func:`math.fsum`.
    """
    n = v.shape[1]
    t0 = np.einsum("ij->i", v) if t0 is None else t0
    b = n.bit_length() + 1
    sigma, special = _shared_sigma(t0, n, b), None
    if sigma is None:  # zero, infinite or huge sums, or rows far apart
        _, ex = np.frexp(t0)
        special = ~np.isfinite(t0) | (ex > 1000 - b)
        live = ex[~special & (t0 != 0.0)]  # a zero row (all terms 0) sums to 0 with any sigma
        if live.size and live.max() - live.min() <= window_bits(n):
            sigma = math.ldexp(1.5, int(live.max()) + b - 1)  # one number: the fast scalar loops
        else:
            sigma = np.ldexp(1.5, np.where(special, 0, ex + b - 1))[:, None]
    with np.errstate(invalid="ignore", over="ignore"):  # rows with inf: redone below
        np.add(v, sigma, out=tmp)
        tmp -= sigma  # the high parts: their sum is exact in any order
        total = np.einsum("ij->i", tmp)
        np.subtract(v, tmp, out=tmp)  # the low parts, exactly
        total += np.einsum("ij->i", tmp) if n <= EINSUM_LOW_MAX else tmp.sum(axis=1)
    if special is not None:
        for i in np.flatnonzero(special):
            total[i] = _fsum(v[i])
    return total


def _shared_sigma(t0, n, b):
    """:func:`row_sum`'s one ``sigma`` in the common case, found with two reductions: every
    row's sum *t0* nonzero, of one sign, below ``2**(1000 - b)`` and within
    ``window_bits(n)`` binades of the largest; None otherwise."""
    lo, hi = float(t0.min()), float(t0.max())
    if hi < 0.0:  # rows of non-positive terms: their magnitudes
        lo, hi = -hi, -lo
    if not (0.0 < lo and hi < math.ldexp(1.0, 1000 - b)):  # NaN fails here too
        return None
    top = math.frexp(hi)[1]
    if top - math.frexp(lo)[1] > window_bits(n):
        return None
    return math.ldexp(1.5, top + b - 1)


#: Up to this many columns :func:`row_sum` sums the remainders with :func:`numpy.einsum`, whose
#: order is not pairwise; beyond, with NumPy's pairwise sum (see :func:`low_sum_factor`).
EINSUM_LOW_MAX = 4096


def low_sum_factor(n):
    """A bound ``f`` on the error of :func:`row_sum`'s sum of *n* remainders: at most
    ``f u`` times the sum of their magnitudes, ``u = 2**-53``.

    Up to :data:`EINSUM_LOW_MAX` columns that sum is :func:`numpy.einsum`'s, in an order
    that is not pairwise: ``f = n - 1`` holds for any order of additions. Beyond,
    NumPy's pairwise sum: ``f = pairwise_depth(n)``.
    """
    return max(n - 1, 1) if n <= EINSUM_LOW_MAX else pairwise_depth(n)


def window_bits(n):
    """How many binades below the largest row a row may lie and share its ``sigma`` in
    :func:`row_sum`, for rows of *n* terms (negative: never).

    With ``sigma`` set for a row of sum near ``2**E``, a row whose sum is near
    ``2**(E - g)`` keeps remainders of at most ``q / 2 = 2**(E + b - 54)``
    each; their sum errs by at most ``low_sum_factor(n) u`` times the sum of
    their magnitudes, an absolute error below
    ``low_sum_factor(n) n 2**(E + b - 54) u``, that is
    ``low_sum_factor(n) n 2**(g + b - 53) u`` relative to the row's sum.
    The window keeps that below ``u / 64``, as negligible as for the row of
    ``sigma`` itself: ``g <= 47 - b - log2(low_sum_factor(n) n)`` (16 binades
    for n = 1000).
    """
    b = n.bit_length() + 1
    return math.floor(47 - b - math.log2(low_sum_factor(n) * n))


def pairwise_depth(n):
    """How many roundings a term can pass through in NumPy's sum of *n* numbers.

    NumPy sums a contiguous row pairwise: blocks of at most 128 numbers go to
    8 accumulators (16 terms each), which are combined in 3 levels, plus at
    most 7 leftover terms; longer rows are halved recursively. The relative
    error of a sum of non-negative terms is at most ``pairwise_depth(n) * u``,
    ``u = 2**-53`` (21 u for n = 1000).
    """
    if n < 8:
        return max(n - 1, 1)
    if n <= 128:
        return (n // 8 - 1) + 3 + n % 8
    half = n // 2 - (n // 2) % 8
    return 1 + max(pairwise_depth(half), pairwise_depth(n - half))


class LseBlock:
    """Scratch buffers and the exact log-sum-exp of a block of rows.

    ``run(s, e)`` takes a 2-D float64 block ``s`` (no NaN, no ``+inf``, a
    finite entry in every row) and an output array ``e`` of the same shape.
    It fills ``e = exp(s - m)`` (of the rounded ``x = s - m``), ``self.x``
    with ``x`` and ``self.lo`` with its rounding error, and returns
    ``(k, m, T)``: the arg max and max of each row, and
    ``T = sum_{j != k} exp(s_j - m)`` to about an ulp. A caller that has
    already found the arg max *k* and the maximum *m* of the rows passes them.
    """

    def __init__(self, n_cols):
        rows = max(1, BLOCK // max(1, n_cols))
        self._x = np.empty((rows, n_cols))
        self._lo = np.empty((rows, n_cols))
        self._tmp = np.empty((rows, n_cols))
        self.rows = np.arange(rows)  #: row indices of a block, for fancy indexing
        self.x = self.lo = self.tmp = None

    def scratch(self, r):
        """Three scratch arrays of *r* rows of a block (overwritten by the next run)."""
        return self._x[:r], self._tmp[:r], self._lo[:r]

    def run(self, s, e, k=None, m=None):
        r = s.shape[0]
        x, lo, tmp = self._x[:r], self._lo[:r], self._tmp[:r]
        k, m = self._shift_exp(s, x, e, k, m)
        t = _exact_t(s, m, k, x, e, lo, tmp)
        self.x, self.lo, self.tmp = x, lo, tmp
        return k, m, t

    def run_quick(self, s, e, k=None, m=None):
        """Like :meth:`run` without the corrections: ``(k, m, T, B)``.

        ``T`` is NumPy's sum; ``B = sum_{j != k} e_j |x_j|`` (NaN where a row
        holds ``-inf`` or its range overflows). ``self.x`` holds ``x``;
        ``self.lo`` is not computed.
        """
        r = s.shape[0]
        x, tmp = self._x[:r], self._tmp[:r]
        rows = np.arange(r)
        k, m = self._shift_exp(s, x, e, k, m)
        with np.errstate(invalid="ignore"):
            bound = -np.einsum("ij,ij->i", e, x)
        e[rows, k] = 0.0
        t = e.sum(axis=1)
        e[rows, k] = 1.0
        self.x, self.lo, self.tmp = x, None, tmp
        return k, m, t, bound

    def exact_t(self, s, m, k, e, t, rows):
        """The corrected ``T`` of :meth:`run` for the *rows* of the block last given
        to :meth:`run_quick` (*s*, *m*, *k*, *e*, *t* as there), reusing its ``exp``."""
        r = s.shape[0]
        if len(rows) == r:  # the whole block: work in place, with the block's buffers
            return _exact_t(s, m, k, self.x, e, self._lo[:r], self._tmp[:r], t)
        s, x, e = s[rows], self.x[rows], e[rows]  # copies of the few rows
        return _exact_t(s, m[rows], k[rows], x, e, np.empty_like(x), np.empty_like(x), t[rows])

    def restore_shift(self, s, m, e, lo=None):
        """Multiply ``e = exp(x)`` of the block last run by ``1 + lo`` in place, ``lo`` the
        rounding error of ``x = s - m`` (computed here unless given): then ``e`` holds
        ``exp(s - m)`` to about an ulp however large ``|x|`` is, for the gradient."""
        r = s.shape[0]
        tmp = self._tmp[:r]
        if lo is None:
            lo = self._lo[:r]
            with np.errstate(over="ignore", invalid="ignore"):
                _two_sum_lo(s, m, self.x, lo, tmp)
        with np.errstate(invalid="ignore"):
            np.multiply(e, lo, out=tmp)
        if not np.isfinite(tmp).all():  # NaN lo where exp(x) is 0: irrelevant there
            np.copyto(tmp, 0.0, where=(e == 0.0))
        e += tmp

    @staticmethod
    def _shift_exp(s, x, e, k=None, m=None):
        if k is None:
            k = s.argmax(axis=1)
            m = s[np.arange(s.shape[0]), k]
        with np.errstate(over="ignore", invalid="ignore"):  # -inf entries, huge ranges
            np.subtract(s, m[:, None], out=x)
            np.exp(x, out=e)
        return k, m


def _two_sum_lo(s, m, x, lo, tmp):
    """TwoSum(s, -m) = (x, lo) exactly: fill *lo* = (s - (x - (x - s))) + (-m - (x - s))."""
    np.subtract(x, s, out=tmp)
    np.subtract(x, tmp, out=lo)
    np.subtract(s, lo, out=lo)
    np.subtract((-m)[:, None], tmp, out=tmp)
    lo += tmp


def _exact_t(s, m, k, x, e, lo, tmp, t0=None):
    """``sum_{j != k} exp(s_j - m)``, corrected for the rounding of ``x = s - m``
    and summed by :func:`row_sum`; fills *lo* with that rounding error."""
    with np.errstate(over="ignore", invalid="ignore"):
        _two_sum_lo(s, m, x, lo, tmp)
        corr = np.einsum("ij,ij->i", e, lo)
    if not np.isfinite(corr).all():  # where exp(x) is 0, lo may be NaN: it is irrelevant
        np.copyto(lo, 0.0, where=(e == 0.0))
        corr = np.einsum("ij,ij->i", e, lo)
    rows = np.arange(s.shape[0])
    e[rows, k] = 0.0
    t = row_sum(e, tmp, t0)
    e[rows, k] = 1.0
    return t + corr


def reduce_loss(values, reduction, denominator=None):
    """Reduce per-sample *values*: ``"none"`` keeps them, ``"sum"`` adds them,
    ``"mean"`` divides the sum by *denominator* (default: their number).

    A zero denominator (a total target weight of 0) gives NaN without a
    warning, whatever the sum: the mean of nothing.
    """
    if reduction == "none":
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    denominator = values.size if denominator is None else denominator
    if denominator == 0:
        return np.float64(np.nan)
    return np.float64(total) / np.float64(denominator)
