"""Legends never over the data: xent.plotting.legends_over_data and XENT_CHECK_LEGENDS.

Each figure here is built so that the answer is known from its geometry: a
legend placed where a line, its segments, points, bars, a filled area or an
image are drawn must be found; one placed in an empty corner or outside the
axes must not.
"""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.figure  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from xent import plotting  # noqa: E402


@pytest.fixture
def fig_ax():
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    yield fig, ax
    plt.close(fig)


def _labels(found):
    return [labels for labels, _ in found]


def test_a_legend_over_a_line_is_found(fig_ax):
    fig, ax = fig_ax
    x = np.linspace(0, 1, 200)
    ax.plot(x, x, label="diagonal")
    ax.legend(loc="center")
    found = plotting.legends_over_data(fig)
    assert _labels(found) == [["diagonal"]]
    assert "line 'diagonal'" in found[0][1][0]


def test_a_segment_crossing_the_legend_counts_without_a_vertex_in_it(fig_ax):
    fig, ax = fig_ax
    ax.plot([0, 1], [0, 1], label="two points")  # no vertex near the centre
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.05, 1.05)
    ax.legend(loc="center")
    box = ax.get_legend().get_window_extent(fig.canvas.get_renderer())
    ends = ax.transData.transform([[0, 0], [1, 1]])
    assert not any(box.contains(*p) for p in ends)
    assert _labels(plotting.legends_over_data(fig)) == [["two points"]]


def test_a_legend_in_an_empty_corner_is_not_found(fig_ax):
    fig, ax = fig_ax
    x = np.linspace(0, 1, 200)
    ax.plot(x, x ** 4, label="flat, then rising")  # the upper-left corner stays empty
    ax.plot(x, 0.1 * x, label="low")
    ax.legend(loc="upper left")
    assert plotting.legends_over_data(fig) == []
    ax.legend(loc="lower right")  # where both lines are
    assert _labels(plotting.legends_over_data(fig)) == [["flat, then rising", "low"]]


def test_a_gap_in_a_line_is_not_data(fig_ax):
    fig, ax = fig_ax
    ax.plot([0, 0.5, 1], [0, np.nan, 1], "-", label="gap")  # the diagonal is never drawn
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.05, 1.05)
    ax.legend(loc="center")
    assert plotting.legends_over_data(fig) == []


def test_a_step_line_is_drawn_as_steps(fig_ax):
    fig, ax = fig_ax
    # as steps, the line runs along the bottom and the right edge: the centre stays empty
    ax.plot([0, 1], [0, 1], drawstyle="steps-post", label="steps")
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.05, 1.05)
    ax.legend(loc="center")
    assert plotting.legends_over_data(fig) == []
    ax.legend(loc="lower center")
    assert _labels(plotting.legends_over_data(fig)) == [["steps"]]


@pytest.mark.parametrize("draw", ["scatter", "bar", "fill_between", "markers", "errorbar", "hist"])
def test_points_bars_and_areas_are_data(fig_ax, draw):
    fig, ax = fig_ax
    if draw == "scatter":
        ax.scatter([0.5], [0.5], s=30, label="one point")
    elif draw == "bar":
        ax.bar([0.5], [0.6], width=0.2, label="one bar")
    elif draw == "fill_between":
        ax.fill_between([0, 1], [0.45, 0.45], [0.55, 0.55], label="a band")
    elif draw == "markers":
        ax.plot([0.5], [0.5], "o", label="a marker")
    elif draw == "errorbar":
        ax.errorbar([0.5], [0.5], yerr=[0.3], fmt="none", label="an error bar")
    else:
        ax.hist([0.5, 0.5, 0.52], bins=[0.45, 0.55], label="a histogram")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="center")
    assert len(plotting.legends_over_data(fig)) == 1, draw
    ax.legend(loc="upper left")
    assert plotting.legends_over_data(fig) == [], draw


def test_an_image_is_data_unless_the_legend_is_outside_the_axes(fig_ax):
    fig, ax = fig_ax
    ax.imshow(np.random.default_rng(0).random((8, 8)), extent=(0, 1, 0, 1), aspect="auto")
    ax.plot([0.2, 0.3], [0.2, 0.3], label="short")
    ax.legend(loc="upper right")  # over the heatmap, away from the line
    found = plotting.legends_over_data(fig)
    assert len(found) == 1 and found[0][1] == ["image of 'an axes'"]
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    assert plotting.legends_over_data(fig) == []


def test_data_outside_the_view_is_not_drawn(fig_ax):
    fig, ax = fig_ax
    x = np.linspace(0, 3, 100)
    ax.plot(x, 0.5 + 0 * x, label="flat")  # continues to x = 3, beyond the axes' right edge
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))  # beside the axes, at y = 0.5
    assert plotting.legends_over_data(fig) == []


def test_a_legend_over_another_axes_data_is_found(fig_ax):
    fig, ax = fig_ax
    ax.plot([0, 1], [0, 0.1], label="low")
    twin = ax.twinx()
    twin.plot([0, 1], [1, 1], label="high on the twin")
    twin.set_ylim(0, 1.05)
    ax.legend(loc="upper center")
    found = plotting.legends_over_data(fig)
    assert len(found) == 1 and "line 'high on the twin'" in found[0][1][0]


def test_a_figure_legend_below_the_axes_is_not_over_the_data():
    fig, ax = plt.subplots(layout="constrained")
    x = np.linspace(0, 1, 50)
    ax.plot(x, x, label="up")
    ax.plot(x, 1 - x, label="down")
    fig.legend(loc="outside lower center", ncols=2)
    try:
        assert plotting.legends_over_data(fig) == []
    finally:
        plt.close(fig)


def test_check_legends_names_the_labels(fig_ax):
    fig, ax = fig_ax
    ax.plot([0, 1], [0, 1], label="cross entropy")
    ax.legend(loc="center")
    with pytest.raises(plotting.LegendOverDataError, match=r"\['cross entropy'\]"):
        plotting.check_legends(fig)
    with pytest.raises(TypeError, match="fig"):
        plotting.legends_over_data(ax)


@pytest.fixture
def checking(monkeypatch):
    """XENT_CHECK_LEGENDS=1, with Figure.draw restored afterwards."""
    monkeypatch.setattr(matplotlib.figure.Figure, "draw", matplotlib.figure.Figure.draw)
    monkeypatch.setitem(plotting._check_state, "installed", False)
    monkeypatch.setitem(plotting._check_state, "failures", [])
    monkeypatch.setenv("XENT_CHECK_LEGENDS", "1")
    monkeypatch.delenv("XENT_LANG", raising=False)


def test_with_the_variable_every_drawn_figure_is_checked(checking):
    plotting.use_book_style()
    fig, ax = plotting.figure("Loss", xlabel="x", ylabel="y")
    ax.plot([0, 1], [0, 1], label="cross entropy")
    ax.legend(loc="center")
    with pytest.raises(plotting.LegendOverDataError, match=r"'Loss'.*\['cross entropy'\]"):
        fig.savefig(io.BytesIO(), format="png")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))
    fig.savefig(io.BytesIO(), format="png")  # moved outside: accepted
    plt.close(fig)


def test_without_the_variable_nothing_is_checked(monkeypatch):
    monkeypatch.delenv("XENT_CHECK_LEGENDS", raising=False)
    monkeypatch.delenv("XENT_LANG", raising=False)
    draw = matplotlib.figure.Figure.draw
    assert plotting.check_legends_from_env() is False
    assert matplotlib.figure.Figure.draw is draw


def test_a_notebook_cell_with_a_covered_figure_fails(tmp_path):
    """In a kernel, the inline backend draws the figure after the cell (where a display
    formatter would only print the error): the cell itself must fail, so that the book's
    execution and nbval stop there."""
    nbclient = pytest.importorskip("nbclient")
    setup = ("import os; os.environ['XENT_CHECK_LEGENDS'] = '1'\n"
             "from xent import plotting\nplotting.use_book_style()")
    good = ("fig, ax = plotting.figure('Fine', xlabel='x', ylabel='y')\n"
            "ax.plot([0, 1], [0, 0.2], label='low')\nax.legend(loc='upper left')")
    bad = ("fig, ax = plotting.figure('Covered', xlabel='x', ylabel='y')\n"
           "ax.plot([0, 1], [0, 1], label='diagonal')\nax.legend(loc='center')")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in (setup, good, bad)])
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="diagonal"):
        client.execute()
    shown = [o.get("output_type") for o in nb.cells[1].outputs]
    assert "display_data" in shown, nb.cells[1].outputs  # the good figure was drawn and shown
