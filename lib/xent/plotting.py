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

Legends never cover the data: :func:`legends_over_data` lists the legends of a
drawn figure that overlap drawn data, and with the environment variable
``XENT_CHECK_LEGENDS=1`` every figure drawn after :func:`use_book_style` is
checked and refused with :class:`LegendOverDataError` (see
:func:`check_legends_from_env`).
"""

import os

try:
    import matplotlib
    import matplotlib.pyplot as plt
except ImportError as exc:  # the numerical library needs NumPy alone; figures need matplotlib
    raise ImportError("xent.plotting draws with matplotlib, which is not installed; install "
                      "the library with its extra: pip install 'cross-entropy-derived[plot]'",
                      name="matplotlib") from exc

import numpy as np
from matplotlib.cbook import STEP_LOOKUP_MAP
from matplotlib.path import Path
from matplotlib.transforms import Bbox

from . import _figure_i18n

__all__ = ["COLORS", "CYCLE", "STYLE", "use_book_style", "figure", "subplots",
           "LegendOverDataError", "legends_over_data", "check_legends", "check_legends_from_env"]

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
    check_legends_from_env()
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


# ---- legends never over the data -------------------------------------------------------------

class LegendOverDataError(ValueError):
    """A figure has a legend over its data; the message names the legend's labels."""


def _points_to_pixels(fig, points):
    return points * fig.dpi / 72.0


def _clip(artist, box):
    """The part of ``box`` where ``artist`` can be seen (its clip rectangle), or None."""
    if not artist.get_clip_on():
        return box
    clip = artist.get_clip_box()
    if clip is None and artist.get_clip_path() is not None:
        clip = artist.get_clip_path().get_fully_transformed_path().get_extents()
    return box if clip is None else Bbox.intersection(box, clip)


def _segments_meet(a, b, box):
    """Whether any segment a[i]-b[i] (display coordinates) meets ``box`` (Liang-Barsky)."""
    drawn = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)  # NaN: a gap in the line
    a, b = a[drawn], b[drawn]
    d = b - a
    t0, t1 = np.zeros(len(a)), np.ones(len(a))
    ok = np.ones(len(a), dtype=bool)
    for p, q in ((-d[:, 0], a[:, 0] - box.x0), (d[:, 0], box.x1 - a[:, 0]),
                 (-d[:, 1], a[:, 1] - box.y0), (d[:, 1], box.y1 - a[:, 1])):
        parallel = p == 0
        ok &= ~(parallel & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        t0 = np.where(~parallel & (p < 0), np.maximum(t0, t), t0)
        t1 = np.where(~parallel & (p > 0), np.minimum(t1, t), t1)
    return bool((ok & (t0 <= t1)).any())


def _path_meets(path, box, pad, filled):
    """Whether a path in display coordinates, drawn ``pad`` pixels wide, meets ``box``.

    The path is cut into polylines (curves flattened, a NaN ends a polyline); a
    filled path also meets a box that lies wholly inside it.
    """
    box = box.padded(pad)
    polygons = path.to_polygons(closed_only=filled)
    for poly in polygons:
        poly = np.asarray(poly, dtype=float)
        if len(poly) == 1:
            poly = np.vstack([poly, poly])
        if len(poly) and _segments_meet(poly[:-1], poly[1:], box):
            return True
    if filled:
        centre = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
        return any(Path(np.asarray(poly)).contains_point(centre) for poly in polygons if len(poly) > 2)
    return False


def _points_meet(xy, box, pad):
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    pad = np.broadcast_to(pad, len(xy))
    inside = ((xy[:, 0] >= box.x0 - pad) & (xy[:, 0] <= box.x1 + pad)
              & (xy[:, 1] >= box.y0 - pad) & (xy[:, 1] <= box.y1 + pad))
    return bool(inside.any())


def _filled(artist):
    face = artist.get_facecolor()
    face = np.atleast_2d(face) if len(np.shape(face)) else np.zeros((0, 4))
    return bool(len(face)) and bool((face[:, 3] > 0).any())


def _line_meets(fig, line, box):
    xy = np.asarray(line.get_xydata(), dtype=float)
    style = line.get_drawstyle()
    if style in STEP_LOOKUP_MAP and style != "default" and len(xy):
        xy = np.column_stack(STEP_LOOKUP_MAP[style](xy[:, 0], xy[:, 1]))
    xy = line.get_transform().transform(xy)
    if line.get_linestyle() not in ("None", "", " ", "none") and len(xy):
        pad = _points_to_pixels(fig, line.get_linewidth()) / 2
        if _path_meets(Path(xy), box, pad, False):
            return True
    if line.get_marker() not in (None, "None", "none", "", " "):
        return _points_meet(xy[np.isfinite(xy).all(axis=1)], box,
                            _points_to_pixels(fig, line.get_markersize()) / 2)
    return False


def _collection_meets(fig, coll, box):
    offsets = np.asarray(coll.get_offsets(), dtype=float).reshape(-1, 2)
    paths = coll.get_paths()
    if len(offsets) > 1 or (len(offsets) == 1 and offsets.any()):
        # markers (scatter): each path is drawn at each offset; its size in points
        sizes = coll.get_sizes() if hasattr(coll, "get_sizes") else np.array([])
        radius = _points_to_pixels(fig, np.sqrt(sizes) / 2) if len(sizes) else 0.0
        xy = coll.get_offset_transform().transform(offsets)
        good = np.isfinite(xy).all(axis=1)
        radius = np.resize(radius, len(xy))[good] if np.ndim(radius) else radius
        return _points_meet(xy[good], box, radius)
    widths = np.atleast_1d(coll.get_linewidth()) if len(np.atleast_1d(coll.get_linewidth())) else [0]
    pad = _points_to_pixels(fig, max(widths)) / 2
    transform, filled = coll.get_transform(), _filled(coll)
    return any(_path_meets(transform.transform_path(p), box, pad, filled) for p in paths)


def _patch_meets(fig, patch, box):
    if not patch.get_fill() and not patch.get_linewidth():
        return False
    path = patch.get_transform().transform_path(patch.get_path())
    pad = _points_to_pixels(fig, patch.get_linewidth()) / 2
    return _path_meets(path, box, pad, patch.get_fill())


def _data_artists(ax):
    """(kind, artist) of everything an axes draws as data."""
    for line in ax.lines:
        yield "line", line
    for coll in ax.collections:
        yield "collection", coll
    for patch in ax.patches:
        yield "patch", patch
    for image in ax.images:
        yield "image", image


def _meets(fig, kind, artist, box, renderer):
    if kind == "line":
        return _line_meets(fig, artist, box)
    if kind == "patch":
        return _patch_meets(fig, artist, box)
    if kind == "image":
        extent = artist.get_window_extent(renderer)
        return Bbox.intersection(box, extent) is not None
    return _collection_meets(fig, artist, box)


def _describe(kind, artist, ax):
    label = artist.get_label()
    where = ax.get_title() or ax.get_ylabel() or "an axes"
    named = f" {label!r}" if label and not label.startswith("_") else ""
    return f"{kind}{named} of {where!r}"


def legends_over_data(fig, renderer=None):
    """The legends of a drawn figure that overlap its drawn data.

    Every legend of the figure (of each axes, and the figure's own) is compared,
    in display coordinates, with what every axes of the figure draws as data:
    lines (their vertices and the segments between them, widened by the line's
    width, and their markers), scatter points (with their size), bars and other
    patches, filled areas and line collections, and images. An artist counts only
    where it is seen: inside its clip rectangle (for data, the axes), so an image
    is never "under" a legend placed outside its axes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; it is drawn first (without rendering) if ``renderer`` is None.
    renderer : matplotlib.backend_bases.RendererBase, optional
        The renderer of the figure's last draw (as passed to ``Figure.draw``).

    Returns
    -------
    list of (list of str, list of str)
        For each legend over data: its labels, and what it covers (for example
        ``"line 'cross entropy' of 'Loss'"``). Empty if no legend covers data.

    Examples
    --------
    >>> import numpy as np
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [1, 0], label="falling")
    >>> _ = ax.legend(loc="upper right")
    >>> legends_over_data(fig)
    []
    >>> _ = ax.legend(loc="upper left")
    >>> legends_over_data(fig)
    [(['falling'], ["line 'falling' of 'an axes'"])]
    >>> plt.close(fig)
    """
    import matplotlib.axes
    import matplotlib.figure
    import matplotlib.legend

    if not isinstance(fig, matplotlib.figure.Figure):
        raise TypeError(f"fig must be a matplotlib Figure, not {type(fig).__name__}")
    if renderer is None:
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
    found = []
    axes = [a for a in fig.findobj(matplotlib.axes.Axes) if a.get_visible()]
    for legend in fig.findobj(matplotlib.legend.Legend):
        if not legend.get_visible():
            continue
        box = legend.get_window_extent(renderer)
        covered = []
        for ax in axes:
            for kind, artist in _data_artists(ax):
                seen = _clip(artist, box) if artist.get_visible() else None
                if seen is not None and _meets(fig, kind, artist, seen, renderer):
                    covered.append(_describe(kind, artist, ax))
        if covered:
            found.append(([t.get_text() for t in legend.get_texts()], covered))
    return found


def check_legends(fig, renderer=None):
    """Raise :class:`LegendOverDataError` if a legend of ``fig`` is over its data.

    Parameters and the test are those of :func:`legends_over_data`.

    Returns
    -------
    None
    """
    found = legends_over_data(fig, renderer)
    if found:
        what = "; ".join(f"legend {labels} covers {', '.join(covered[:3])}"
                         + (f" and {len(covered) - 3} more" if len(covered) > 3 else "")
                         for labels, covered in found)
        titles = [fig._suptitle.get_text()] if getattr(fig, "_suptitle", None) else []
        titles = titles or [ax.get_title() for ax in fig.axes if ax.get_title()]
        raise LegendOverDataError(f"figure {' / '.join(titles)!r}: {what}; move the legend (loc=..., "
                                  "bbox_to_anchor outside the axes, or fig.legend(loc='outside ...'))")


_check_state = {"installed": False, "failures": []}


def _checked_draw(original):
    def draw(self, renderer):
        result = original(self, renderer)
        try:
            check_legends(self, renderer)
        except LegendOverDataError as exc:
            _check_state["failures"].append(str(exc))
            raise
        return result
    draw.__wrapped__ = original
    return draw


def _fail_cell(result):
    """IPython ``post_run_cell``: a cell whose figure failed the check fails.

    The inline backend draws figures after the cell's code, in display
    formatters that show an exception as a traceback without failing the cell;
    marking the cell's result as failed makes the kernel reply with an error,
    so that nbclient, nbval and the book's build stop there.
    """
    failures, _check_state["failures"] = _check_state["failures"], []
    if failures and result is not None and result.error_in_exec is None:
        result.error_in_exec = LegendOverDataError(" | ".join(failures))


def check_legends_from_env():
    """With ``XENT_CHECK_LEGENDS=1``, check every figure's legends when it is drawn.

    Wraps :meth:`matplotlib.figure.Figure.draw` (once): after each draw,
    :func:`check_legends` runs with the draw's renderer, so ``savefig``,
    ``canvas.draw()`` and the notebook's inline figures are all checked. In an
    IPython kernel, a cell whose figure fails also fails (see ``_fail_cell``).
    Called by :func:`use_book_style`.

    Returns
    -------
    bool
        Whether the check is on.
    """
    if os.environ.get("XENT_CHECK_LEGENDS", "") not in ("1", "true", "yes"):
        return False
    if not _check_state["installed"]:
        import matplotlib.figure

        matplotlib.figure.Figure.draw = _checked_draw(matplotlib.figure.Figure.draw)
        _check_state["installed"] = True
        try:
            from IPython import get_ipython
        except ImportError:
            shell = None
        else:
            shell = get_ipython()
        if shell is not None:
            shell.events.register("post_run_cell", _fail_cell)
    return True
