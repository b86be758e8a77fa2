"""One look for every figure of the book.

Every chapter draws through :func:`figure` (or calls :func:`use_book_style`
first), so that all figures share fonts, colours, sizes and an opaque white
background. The background is opaque on purpose: the site has a dark theme,
and black text on a transparent figure would vanish there. In a notebook,
figures are shown as PNGs of twice their pixel size ("retina"), so that they
are sharp on high-density screens; the notebook and the site show them at
their nominal size.

Examples
--------
>>> import numpy as np
>>> from xent import plotting
>>> fig, ax = plotting.figure("A parabola", xlabel="x", ylabel="x squared")
>>> _ = ax.plot(np.arange(3), np.arange(3) ** 2, color=plotting.COLORS["ce"])
>>> ax.get_title()
'A parabola'
"""

try:
    import matplotlib
    import matplotlib.pyplot as plt
except ImportError as exc:  # the numerical library needs NumPy alone; figures need matplotlib
    raise ImportError("xent.plotting draws with matplotlib, which is not installed; install "
                      "the library with its extra: pip install 'cross-entropy-derived[plot]'",
                      name="matplotlib") from exc

from . import _figure_i18n

__all__ = ["COLORS", "CYCLE", "STYLE", "use_book_style", "figure", "subplots"]

#: Named colours (Okabe-Ito, safe for colour-blind readers and in greyscale
#: print) so that a quantity keeps its colour from chapter to chapter.
COLORS = {
    "ce": "#0072B2",  # cross entropy: blue
    "mse": "#D55E00",  # mean squared error: vermillion
    "error": "#009E73",  # classification error: green
    "model1": "#E69F00",  # model 1 of the example: orange
    "model2": "#56B4E9",  # model 2 of the example: sky blue
    "neutral": "#555555",  # guides, reference lines
    "accent": "#CC79A7",  # a highlight: reddish purple
    "extra": "#F0E442",  # yellow, used last
}

#: The colour cycle of every axis, in the order above.
CYCLE = list(COLORS.values())

#: Matplotlib settings of the book's style.
STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "lines.linewidth": 2.0,
    "legend.frameon": False,
    "text.color": "black",
    "axes.labelcolor": "black",
    "xtick.color": "black",
    "ytick.color": "black",
    "figure.constrained_layout.use": True,
}


def use_book_style():
    """Apply the book's Matplotlib style to every later figure.

    With the environment variable ``XENT_LANG`` set (``zh_CN``), every later
    figure's text is also translated from the figure catalogue just before
    it is drawn, with a CJK font fallback (see :mod:`xent._figure_i18n`).

    Returns
    -------
    None
    """
    plt.rcParams.update(STYLE)
    _figure_i18n.install_from_env()
    _inline_retina()


def _inline_retina():
    """In an IPython kernel, show figures as PNGs of twice their pixel size."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # plain Python: no inline figures to format
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")


def subplots(nrows=1, ncols=1, *, title=None, figsize=None, **kwargs):
    """Create a figure with a grid of axes in the book's style.

    Parameters
    ----------
    nrows, ncols : int
        The grid of axes.
    title : str, optional
        The figure's overall title (``suptitle``).
    figsize : tuple of float, optional
        Width and height in inches; defaults to the style's width, and a
        height that grows with ``nrows``.
    **kwargs
        Passed to :func:`matplotlib.pyplot.subplots`.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : matplotlib.axes.Axes or numpy.ndarray of Axes
    """
    use_book_style()
    if figsize is None:
        width, height = STYLE["figure.figsize"]
        figsize = (width if ncols == 1 else min(3.6 * ncols, 11.0), height * max(1, nrows) * (0.9 if nrows > 1 else 1))
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, **kwargs)
    if title is not None:
        fig.suptitle(title, fontweight="bold")
    return fig, axes


def figure(title, *, xlabel, ylabel, figsize=None):
    """Create a single-axis figure with a title and labelled axes.

    Parameters
    ----------
    title : str
        The axis title.
    xlabel, ylabel : str
        The axis labels, with units where the quantity has one.
    figsize : tuple of float, optional
        Width and height in inches.

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes
    """
    fig, ax = subplots(figsize=figsize)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig, ax
