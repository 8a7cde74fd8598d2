"""Slide-ready PNGs: real kaleido renders, one renderer per process, stamp and source line."""

from __future__ import annotations

import struct
import sys
import threading
from collections.abc import Iterator

import kaleido
import pandas as pd
import plotly.graph_objects as go
import pytest

import lib.output.images as images
from lib.output.images import (
    FONT_FAMILY,
    ExportError,
    figure_png,
    renderer_starts,
    slide_figure,
    source_line,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk that follows the PNG signature."""
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def section_chart() -> go.Figure:
    fig = go.Figure(
        go.Bar(y=["一、产业转型升级", "二、城市扩容提质"], x=[45.0, 60.0], orientation="h"),
        layout={"title": {"text": "各节任务完成度"}},
    )
    fig.update_xaxes(title="完成度 (%)")
    return fig


@pytest.fixture(scope="module")
def slide() -> go.Figure:
    line = source_line("肇府办〔2014〕9号", [3, 5], "zh", sample=True)
    return slide_figure(section_chart(), as_of_label="2014年第二季度", source_line=line, lang="zh")


@pytest.fixture(scope="module")
def slide_png(slide: go.Figure) -> bytes:
    return figure_png(slide)


def test_export_is_a_1920x1080_png(slide_png: bytes) -> None:
    assert png_size(slide_png) == (1920, 1080)


def test_scale_multiplies_the_pixel_size() -> None:
    assert png_size(figure_png(section_chart(), width=400, height=300, scale=2)) == (800, 600)


def test_second_export_reuses_the_running_renderer(slide: go.Figure, slide_png: bytes) -> None:
    assert renderer_starts() == 1
    assert png_size(figure_png(slide)) == (1920, 1080)
    assert renderer_starts() == 1


def test_slide_figure_does_not_mutate_its_input() -> None:
    fig = section_chart()
    before = fig.to_json()
    slide_figure(fig, as_of_label="2014 Q2", source_line="Source: x", lang="en")
    assert fig.to_json() == before


def test_slide_figure_keeps_title_and_adds_stamp_and_source(slide: go.Figure) -> None:
    layout = slide.layout
    assert (layout.width, layout.height) == (1920, 1080)
    assert layout.title.text == "各节任务完成度"
    assert layout.font.family == FONT_FAMILY
    notes = {a.name: a for a in layout.annotations}
    assert notes["as_of_stamp"].text == "数据截至 2014年第二季度"
    assert notes["as_of_stamp"].xref == notes["as_of_stamp"].yref == "paper"
    assert notes["as_of_stamp"].x > 1 and notes["as_of_stamp"].y > 1  # top right, outside plot
    assert (
        notes["source_line"].text
        == "来源：肇府办〔2014〕9号；数据批次 #3, #5；示例数据，非真实统计"
    )
    assert notes["source_line"].y < 0  # below the plot area


def test_english_stamp() -> None:
    fig = slide_figure(section_chart(), as_of_label="2014 Q2", source_line="s", lang="en")
    assert {a.name: a.text for a in fig.layout.annotations}["as_of_stamp"] == "Data as of 2014 Q2"


@pytest.mark.parametrize(
    ("ids", "lang", "sample", "expected"),
    [
        ([5, 3, 3], "zh", False, "来源：肇府办〔2014〕9号；数据批次 #3, #5"),
        ([1, 2, 3, 7], "en", False, "Source: 肇府办〔2014〕9号; upload batches #1–#3, #7"),
        ([], "zh", True, "来源：肇府办〔2014〕9号；暂无上报数据；示例数据，非真实统计"),
        ([None, float("nan"), pd.NA, "", 4.0], "en", True,
         "Source: 肇府办〔2014〕9号; upload batches #4; sample data, not real statistics"),
    ],
)  # fmt: skip
def test_source_line(ids: list[object], lang: str, sample: bool, expected: str) -> None:
    assert source_line("肇府办〔2014〕9号", ids, lang, sample) == expected


class FakeKaleido:
    """Stand-ins for kaleido's server calls: records starts and stops; renders hang until
    released (a wedged browser) or return `png`."""

    def __init__(self) -> None:
        self.starts = 0
        self.stops = 0
        self.png: bytes | None = None
        self.released = threading.Event()

    def start_sync_server(self, **kwargs: object) -> None:
        self.starts += 1

    def stop_sync_server(self, **kwargs: object) -> None:
        self.stops += 1

    def calc_fig_sync(self, fig_dict: dict, opts: dict) -> bytes:
        if self.png is None:
            self.released.wait()
            raise RuntimeError("released at the end of the test")
        return self.png


@pytest.fixture
def fake_kaleido(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeKaleido]:
    """A process-local renderer state and a fake kaleido, so the real shared renderer that
    the other tests use is neither started nor stopped here."""
    fake = FakeKaleido()
    monkeypatch.setattr(images, "_state", {"starts": 0, "running": False, "ready": False})
    for name in ("start_sync_server", "stop_sync_server", "calc_fig_sync"):
        monkeypatch.setattr(kaleido, name, getattr(fake, name))
    yield fake
    fake.released.set()  # let the hung render thread finish


def test_missing_browser_raises_export_error(monkeypatch, fake_kaleido) -> None:
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(ExportError) as caught:
        figure_png(go.Figure())
    assert "No Chromium browser found" in caught.value.message_en
    assert "/nonexistent/chromium" in caught.value.message_en
    assert fake_kaleido.starts == 0  # refused before kaleido's server thread could die


def test_a_wedged_renderer_times_out_and_is_reset(monkeypatch, fake_kaleido) -> None:
    monkeypatch.setenv("BROWSER_PATH", sys.executable)  # any executable passes the check
    monkeypatch.setattr(images, "START_TIMEOUT_S", 0.0)
    monkeypatch.setattr(images, "RENDER_TIMEOUT_S", 0.05)
    monkeypatch.setattr(images, "_GRACE_S", 0.0)
    with pytest.raises(ExportError) as caught:
        figure_png(go.Figure())
    assert "timed out" in caught.value.message_en
    assert "超时" in caught.value.message_zh
    assert (fake_kaleido.starts, fake_kaleido.stops) == (1, 1)
    assert images._state["running"] is False
    # the next export starts a fresh renderer instead of queueing behind the wedged one
    fake_kaleido.png = PNG_SIGNATURE
    assert figure_png(go.Figure()) == PNG_SIGNATURE
    assert fake_kaleido.starts == 2
    assert renderer_starts() == 2
