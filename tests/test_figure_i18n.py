"""Figure text from a catalogue: xent.plotting translates every figure when XENT_LANG is set."""

import io
import json
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.figure  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import polib  # noqa: E402
import pytest  # noqa: E402

from xent import _figure_i18n, plotting  # noqa: E402

ENTRIES = {
    "Loss of one sample": "单个样本的损失",
    "predicted probability $p$": "预测概率 $p$",
    "loss (nats)": "损失（奈特）",
    "cross entropy": "交叉熵",
    "confidently wrong": "自信地犯错",
    "Two panels": "两个子图",
    "mean squared error": "均方误差",
    "softmax loss": "softmax 损失",
    "right from epoch {0}, loss {1}": "从第 {0} 轮起正确，损失 {1}",
}


@pytest.fixture
def catalogue(tmp_path, monkeypatch):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for msgid, msgstr in ENTRIES.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    folder = tmp_path / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po.save_as_mofile(str(folder / "figures.mo"))
    log = tmp_path / "figure-strings.jsonl"
    monkeypatch.setenv("XENT_LANG", "zh_CN")
    monkeypatch.setenv("XENT_LOCALE_DIR", str(tmp_path))
    monkeypatch.setenv("XENT_FIGURE_LOG", str(log))
    original = matplotlib.figure.Figure.draw
    family = list(matplotlib.rcParams["font.family"])
    yield log
    matplotlib.figure.Figure.draw = original if _figure_i18n._state["original_draw"] is None \
        else _figure_i18n._state["original_draw"]
    _figure_i18n._state.update(catalogue=None, log=None, original_draw=None)
    matplotlib.rcParams["font.family"] = family
    plt.close("all")


def _texts(fig):
    return {t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()}


def test_every_kind_of_text_is_translated_when_drawn(catalogue):
    fig, ax = plotting.figure("Loss of one sample", xlabel="predicted probability $p$",
                              ylabel="loss (nats)")
    ax.plot([0, 1], [1, 0], label="cross entropy")
    ax.annotate("confidently wrong", xy=(0.1, 0.9))
    ax.legend()
    fig.suptitle("Two panels")
    assert "Loss of one sample" in _texts(fig)  # nothing changes before the figure is drawn
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn ("Glyph ... missing")
        fig.savefig(io.BytesIO(), format="png")
    texts = _texts(fig)
    used = set(ENTRIES) - {"mean squared error", "softmax loss", "right from epoch {0}, loss {1}"}
    assert {ENTRIES[k] for k in used} <= texts
    assert not used & texts
    assert ax.get_legend().get_texts()[0].get_text() == "交叉熵"


def test_tick_labels_given_as_strings_are_translated(catalogue):
    fig, ax = plotting.figure("Loss of one sample", xlabel="loss (nats)", ylabel="y")
    ax.bar([0, 1], [1, 2])
    ax.set_xticks([0, 1, 2], ["cross entropy", "mean squared error", "softmax loss"])
    fig.savefig(io.BytesIO(), format="png")
    fig.savefig(io.BytesIO(), format="png")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["交叉熵", "均方误差", "softmax 损失"]
    entries = [json.loads(line) for line in catalogue.read_text(encoding="utf-8").splitlines()]
    assert all(e["translated"] for e in entries), "a translation was looked up as a new string"


def test_untranslated_strings_are_logged_and_kept(catalogue):
    fig, ax = plotting.figure("A title nobody translated", xlabel="cross entropy", ylabel="0.5")
    fig.savefig(io.BytesIO(), format="png")
    fig.savefig(io.BytesIO(), format="png")  # drawn twice: looked up once
    entries = [json.loads(line) for line in catalogue.read_text(encoding="utf-8").splitlines()]
    assert {"msgid": "A title nobody translated", "translated": False} in entries
    assert {"msgid": "cross entropy", "translated": True} in entries
    assert all(e["msgid"] != "0.5" for e in entries), "numbers are not looked up"
    assert len(entries) == len({e["msgid"] for e in entries})
    assert ax.get_title() == "A title nobody translated"
    assert ax.get_xlabel() == "交叉熵"


def test_text_with_computed_numbers_is_translated_through_its_template(catalogue):
    fig, ax = plotting.figure("right from epoch 17, loss 0.25", xlabel="loss of float16 -3", ylabel="y")
    fig.savefig(io.BytesIO(), format="png")
    assert ax.get_title() == "从第 17 轮起正确，损失 0.25"  # the values put back in the translation
    assert ax.get_xlabel() == "loss of float16 -3"  # no template entry: kept
    entries = [json.loads(line) for line in catalogue.read_text(encoding="utf-8").splitlines()]
    assert {"msgid": "right from epoch {0}, loss {1}", "translated": True} in entries
    assert {"msgid": "loss of float{0} {1}", "translated": False} not in entries  # names keep digits
    assert {"msgid": "loss of float16 {0}", "translated": False} in entries


def test_cjk_font_fallback_is_configured(catalogue):
    plotting.use_book_style()
    family = matplotlib.rcParams["font.family"]
    assert family[0] == "DejaVu Sans" and any("CJK" in f for f in family[1:]), family


def test_nothing_changes_without_xent_lang(monkeypatch):
    monkeypatch.delenv("XENT_LANG", raising=False)
    draw = matplotlib.figure.Figure.draw
    assert _figure_i18n.install_from_env() is None
    fig, ax = plotting.figure("Loss of one sample", xlabel="x", ylabel="y")
    fig.savefig(io.BytesIO(), format="png")
    assert ax.get_title() == "Loss of one sample"
    assert matplotlib.figure.Figure.draw is draw
    plt.close(fig)


def test_missing_catalogue_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("XENT_LANG", "zh_CN")
    monkeypatch.setenv("XENT_LOCALE_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="figures.mo"):
        _figure_i18n.install_from_env()


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="text must be a str"):
        _figure_i18n.needs_translation(3)
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        _figure_i18n.translate_figure("not a figure", None)
