r"""The output object of an explorable figure: sliders over precomputed data.

An :class:`Explorable` holds everything a reader can see: sliders, each over
a fixed list of positions, and *fields*, arrays computed in Python with one
axis per slider they depend on. ``_repr_html_`` writes the controls, the
readouts at the initial positions and the data as JSON; the book's script
``explorables.js`` (book_ext/static) only looks values up and draws them, it
computes nothing. ``_repr_png_`` draws the initial positions with
:mod:`xent.plotting`, for print and PDF. The HTML is deterministic: fixed
element ids (from the name), numbers rounded to fixed significant digits.

Panels are dicts: ``{"type": "lines", "title", "xlabel", "ylabel", "xlim",
"ylim", "ylog", "series": [{"x", "y", "label", "color", "dash", "marker"}]}``
or ``{"type": "bars", "title", "ylabel", "ylim", "labels", "series": [...]}``;
``x`` and ``y`` name fields. A series may instead be ``{"vline": field}``
(a vertical line) or ``{"band": field}`` (a shaded interval ``[x0, x1]``);
one with ``"reveal": True`` is drawn again point by point when the reader
presses the figure's button. Readouts are ``(field, label, format[, missing])``
with a format ``"f3"`` (fixed, 3 decimals), ``"e3"`` (exponent) or ``"s"``
(text), and the text shown for a missing value (NaN or None).
"""

import html
import io
import json

import numpy as np

from . import plotting

__all__ = ["Explorable", "fmt_value"]


def fmt_value(v, fmt, missing="none"):
    """Format a readout value as the script does (``f3``, ``e3``, ``s``)."""
    if v is None:
        return missing
    if isinstance(v, str):
        return v
    if np.isnan(v):
        return missing
    if fmt.startswith("f"):
        return f"{v:.{int(fmt[1:])}f}"
    if fmt.startswith("e"):
        return f"{v:.{int(fmt[1:])}e}"
    return str(v)


def _num(v, digits):
    if isinstance(v, str) or v is None:
        return v
    v = float(v)
    if np.isnan(v):
        return None
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    r = float(f"{v:.{digits}g}")
    return 0.0 if r == 0 else r  # no "-0.0"


def _entry(a, digits):
    if isinstance(a, np.ndarray) and a.ndim:
        return [_entry(x, digits) for x in a]
    return _num(a.item() if isinstance(a, np.generic) else a, digits)


class Explorable:
    """An interactive figure: sliders, panels and readouts over precomputed fields.

    Parameters
    ----------
    name : str
        Short identifier (letters and hyphens); element ids derive from it.
    title, caption, alt : str
        Shown above the figure, below it, and as the text alternative.
    sliders : list of dict
        ``{"id", "label", "labels": [str, ...], "init": int}``.
    fields : dict
        ``name -> (deps, array)``: ``array.shape[:len(deps)]`` are the
        lengths of the sliders *deps*; the rest is one entry.
    panels, readouts : list
        See the module docstring.
    digits : int
        Significant digits kept of every number.
    """

    def __init__(self, name, *, title, caption, alt, sliders, fields, panels, readouts, digits=4):
        if not name.replace("-", "").isalpha():
            raise ValueError(f"name must be letters and hyphens, got {name!r}")
        lengths = {s["id"]: len(s["labels"]) for s in sliders}
        for key, (deps, arr) in fields.items():
            shape = tuple(lengths[d] for d in deps)
            if np.shape(arr)[:len(deps)] != shape:
                raise ValueError(f"field {key!r} has shape {np.shape(arr)}, its sliders {shape}")
        self.name, self.title, self.caption, self.alt = name, title, caption, alt
        self.sliders, self.fields, self.panels, self.readouts = sliders, fields, panels, readouts
        self.digits = digits

    def value(self, field, **positions):
        """The entry of *field* at slider *positions* (indices; default: initial)."""
        deps, arr = self.fields[field]
        init = {s["id"]: s["init"] for s in self.sliders}
        return np.asarray(arr, dtype=object)[tuple(positions.get(d, init[d]) for d in deps)]

    def data(self):
        """The JSON-ready data: every field flattened, equal entries stored once."""
        fields, indexes = {}, []
        for key, (deps, arr) in self.fields.items():
            kind = np.asarray(arr).dtype.kind
            arr = np.asarray(arr, dtype=object if kind in "OU" else float)
            flat = arr.reshape((-1,) + arr.shape[len(deps):])
            entries = [_entry(e, self.digits) for e in flat]
            table, index, seen = [], [], {}
            for e in entries:
                index.append(seen.setdefault(json.dumps(e), len(table)))
                if index[-1] == len(table):
                    table.append(e)
            if index not in indexes:
                indexes.append(index)
            fields[key] = {"deps": list(deps), "table": table, "index": indexes.index(index)}
        return {"sliders": self.sliders, "fields": fields, "indexes": indexes,
                "panels": self.panels, "readouts": [list(r) for r in self.readouts]}

    def _readout(self, field, fmt, missing="none"):
        return fmt_value(_num(self.value(field), self.digits), fmt, missing)

    def __repr__(self):
        return f"<Explorable {self.name!r}: {self.title}>"

    def _repr_html_(self):
        e, uid = html.escape, f"xe-{self.name}"
        rows = []
        for s in self.sliders:
            sid, label = f"{uid}-{s['id']}", s["labels"][s["init"]]
            rows.append(f'<div class="xe-slider"><label for="{sid}">{e(s["label"])}</label>'
                        f'<input type="range" id="{sid}" min="0" '
                        f'max="{len(s["labels"]) - 1}" step="1" '
                        f'value="{s["init"]}" aria-valuetext="{e(label)}" data-slider="{s["id"]}">'
                        f'<output for="{sid}" data-for="{s["id"]}">{e(label)}</output></div>')
        reads = "".join(f'<div><dt>{e(r[1])}</dt><dd data-field="{r[0]}">'
                        f'{e(self._readout(r[0], *r[2:]))}</dd></div>' for r in self.readouts)
        play = ""
        if any(s.get("reveal") for p in self.panels for s in p["series"]):
            play = '<button type="button" class="xe-play">Run the training again</button>'
        payload = json.dumps(self.data(), separators=(",", ":"), ensure_ascii=False)
        payload = payload.replace("</", "<\\/")  # no "</script>" inside the data
        return (f'<figure class="xent-explorable" id="{uid}">'
                f'<div class="xe-title">{e(self.title)}</div>'
                f'<div class="xe-controls">{"".join(rows)}{play}</div>'
                f'<div class="xe-panels" role="img" aria-label="{e(self.alt)}"></div>'
                '<p class="xe-note">The sliders work on the book\'s site. In a notebook, '
                '<code>.figure()</code> draws this figure at the positions shown.</p>'
                f'<dl class="xe-readouts" aria-live="polite">{reads}</dl>'
                f'<figcaption>{e(self.caption)}</figcaption>'
                f'<script type="application/json" class="xe-data">{payload}</script></figure>')

    def figure(self):
        """The initial positions drawn with :mod:`xent.plotting` (Matplotlib figure)."""
        n = len(self.panels)
        fig, axes = plotting.subplots(1, n, title=self.title, figsize=(min(4.2 * n, 12), 3.9))
        for ax, panel in zip(np.atleast_1d(axes), self.panels):
            _draw_panel(ax, panel, self)
        text = "; ".join(f"{r[1]} {self._readout(r[0], *r[2:])}" for r in self.readouts)
        fig.supxlabel(text, fontsize=9, wrap=True)
        return fig

    def _repr_png_(self):
        fig = self.figure()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plotting.plt.close(fig)
        return buf.getvalue()


def _draw_panel(ax, panel, ex):
    ax.set_title(panel.get("title", ""), fontsize=10)
    ax.set_ylabel(panel.get("ylabel", ""))
    if panel["type"] == "bars":
        labels, series = panel["labels"], panel["series"]
        width = 0.8 / len(series)
        for k, s in enumerate(series):
            pos = np.arange(len(labels)) + (k - (len(series) - 1) / 2) * width
            ax.bar(pos, np.asarray(ex.value(s["y"]), float), width, color=s["color"],
                   label=s["label"])
        ax.set_xticks(np.arange(len(labels)), labels)
        ax.axhline(0, color="black", lw=0.8)
    else:
        ax.set_xlabel(panel.get("xlabel", ""))
        for s in panel["series"]:
            if "vline" in s or "band" in s:
                v = ex.value(s.get("vline") or s.get("band"))
                lo, hi = (v, v) if "vline" in s else v
                if lo is not None and np.isfinite(float(lo)):
                    ax.axvspan(lo, hi, color=s["color"], alpha=0.18, lw=0) if "band" in s else \
                        ax.axvline(lo, color=s["color"], ls="--", lw=1.2, label=s.get("label"))
                continue
            x = np.asarray([np.nan if v is None else v for v in np.ravel(ex.value(s["x"]))], float)
            y = np.asarray([np.nan if v is None else v for v in np.ravel(ex.value(s["y"]))], float)
            style = "o" if s.get("marker") else ("--" if s.get("dash") else "-")
            ax.plot(x, y, style, color=s["color"], label=s.get("label"), markersize=4)
        if panel.get("ylog"):
            ax.set_yscale("log")
        ax.set_xlim(*panel["xlim"])
    if "ylim" in panel:
        ax.set_ylim(*panel["ylim"])
    if any(s.get("label") for s in panel["series"]):
        ax.legend(fontsize=8)
