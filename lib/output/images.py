"""Slide-ready PNG images of plotly figures, rendered by one kaleido server per process.

`slide_figure` restyles a copy of any chart for a 16:9 slide (1920x1080, Noto Sans CJK,
a "数据截至 ..." stamp and a source line); `figure_png` renders a figure to PNG bytes through
kaleido and Debian's chromium. Starting chromium costs seconds, so the first export starts
kaleido's persistent sync server and every later export in the process reuses it; calls are
serialised by a lock (the server answers one request at a time) and bounded by a timeout, so
a missing or crashed browser raises `ExportError` instead of hanging a page.
"""

from __future__ import annotations

import atexit
import io
import os
import threading
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

import kaleido
import pandas as pd
import plotly.graph_objects as go
from choreographer.browsers.chromium import Chromium
from kaleido.errors import KaleidoError

from lib.output.fonts import FONT_FAMILY

SLIDE_WIDTH_PX, SLIDE_HEIGHT_PX = 1920, 1080
DEBIAN_CHROMIUM = "/usr/bin/chromium"
START_TIMEOUT_S = 60.0  # browser start on a busy 2-core machine, on top of the render
RENDER_TIMEOUT_S = 30.0
_GRACE_S = 10.0  # kaleido's own per-render timeout should fire first
_STOP_TIMEOUT_S = 5.0
# Room for the title + stamp line on top and the source line under the axis labels.
_MARGIN = {"t": 130, "b": 150, "l": 110, "r": 70}
_BARE_MARGIN = {"t": 40, "b": 60, "l": 110, "r": 70}
_PAD_PX = 18
# The least text size on a slide image at its native 1920x1080: what stays legible
# projected in a meeting room. A chart with more rows than fit at this size is split over
# several images (lib.output.charts.responsibility_heatmap_parts) rather than shrunk.
MIN_SLIDE_TEXT_PX = 14

_STAMP = ("数据截至 {}", "Data as of {}")
_SOURCE = ("来源：{}；{}", "Source: {}; {}")
_BATCHES = ("数据批次 {}", "upload batches {}")
_NO_BATCHES = ("暂无上报数据", "no uploaded figures")
_SAMPLE = ("示例数据，非真实统计", "sample data, not real statistics")
_MAX_BATCH_GROUPS = 10


class ExportError(RuntimeError):
    """An image could not be rendered (no browser, browser crashed, render timed out)."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en


# --- slide styling ---------------------------------------------------------------------------


def source_line(document_number: str, upload_ids: Iterable[object], lang: str, sample: bool) -> str:
    """'来源：肇府办〔2014〕9号；数据批次 #3, #5' (+ '；示例数据，非真实统计' for sample data)."""
    i = 1 if lang == "en" else 0
    batches = upload_batches_text(upload_ids)
    batch_text = _BATCHES[i].format(batches) if batches else _NO_BATCHES[i]
    text = _SOURCE[i].format(document_number, batch_text)
    if sample:
        text += ("；", "; ")[i] + _SAMPLE[i]
    return text


def upload_batches_text(upload_ids: Iterable[object]) -> str:
    """'#1–#3, #7' from upload ids ('' for none); missing ids are skipped, runs become ranges."""
    ids = sorted({int(u) for u in upload_ids if not _is_missing(u)})
    groups: list[tuple[int, int]] = []
    for uid in ids:
        if groups and uid == groups[-1][1] + 1:
            groups[-1] = (groups[-1][0], uid)
        else:
            groups.append((uid, uid))
    shown = [f"#{a}" if a == b else f"#{a}–#{b}" for a, b in groups[:_MAX_BATCH_GROUPS]]
    if len(groups) > _MAX_BATCH_GROUPS:
        shown.append("…")
    return ", ".join(shown)


def _is_missing(value: object) -> bool:
    """None, NaN, pd.NA or blank text (the store's nullable ids come in all of these forms)."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or bool(pd.isna(value))


def slide_figure(
    fig: go.Figure, *, as_of_label: str, source_line: str, lang: str, bare: bool = False
) -> go.Figure:
    """A 1920x1080 copy of `fig` with its title, a data-as-of stamp and a source line; with
    `bare`, none of the three (for a slide whose own title and footer say them)."""
    slide = go.Figure(fig)  # deep copy: the caller's figure stays as it was
    width, height = SLIDE_WIDTH_PX, SLIDE_HEIGHT_PX
    margin = _BARE_MARGIN if bare else _MARGIN
    plot_w = width - margin["l"] - margin["r"]
    plot_h = height - margin["t"] - margin["b"]
    slide.update_layout(
        width=width,
        height=height,
        margin=dict(margin, autoexpand=True),
        font={"family": FONT_FAMILY, "size": 20},
        title={
            "x": _PAD_PX / width,
            "xanchor": "left",
            "xref": "container",
            "y": 1 - _PAD_PX / height,
            "yanchor": "top",
            "yref": "container",
            "font": {"family": FONT_FAMILY, "size": 32},
        },
    )
    rows = _category_rows(slide)
    if rows:  # one label per row: shrink the row labels rather than let plotly skip some
        size = max(MIN_SLIDE_TEXT_PX, min(20, int(plot_h / rows * 0.7)))
        slide.update_yaxes(tickfont={"size": size})
    if bare:
        slide.update_layout(title_text="")
        return slide
    stamp = _STAMP[1 if lang == "en" else 0].format(as_of_label)
    slide.add_annotation(
        name="as_of_stamp",
        text=stamp,
        xref="paper",
        yref="paper",
        x=1 + (_MARGIN["r"] - _PAD_PX) / plot_w,
        y=1 + (_MARGIN["t"] - _PAD_PX) / plot_h,
        xanchor="right",
        yanchor="top",
        showarrow=False,
        font={"family": FONT_FAMILY, "size": 22, "color": "#444444"},
    )
    slide.add_annotation(
        name="source_line",
        text=source_line,
        xref="paper",
        yref="paper",
        x=-(_MARGIN["l"] - _PAD_PX) / plot_w,
        y=-(_MARGIN["b"] - _PAD_PX) / plot_h,
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
        font={"family": FONT_FAMILY, "size": 18, "color": "#555555"},
    )
    return slide


def _category_rows(fig: go.Figure) -> int:
    """Rows of the tallest horizontal-bar or heatmap trace (0 if none): its y categories."""
    rows = [
        len(set(trace.y))
        for trace in fig.data
        if trace.type in ("bar", "heatmap")
        and trace.y is not None
        and (trace.type == "heatmap" or trace.orientation == "h")
    ]
    return max(rows, default=0)


def numbered_names(name: str, count: int) -> list[str]:
    """File names for `count` images of one chart: `name` itself for one, else
    'heatmap.png' -> 'heatmap-1.png', 'heatmap-2.png', …."""
    if count == 1:
        return [name]
    root, extension = os.path.splitext(name)
    return [f"{root}-{k}{extension}" for k in range(1, count + 1)]


def slide_pngs(
    figs: Sequence[go.Figure], *, as_of_label: str, source_line: str, lang: str
) -> list[bytes]:
    """Each figure as a 1920x1080 slide PNG with its stamp and source line, in order."""
    return [
        figure_png(slide_figure(f, as_of_label=as_of_label, source_line=source_line, lang=lang))
        for f in figs
    ]


def pngs_zip(name: str, pngs: Sequence[bytes]) -> bytes:
    """A zip of the images `pngs` named `numbered_names(name, len(pngs))`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # PNGs are compressed
        for file_name, png in zip(numbered_names(name, len(pngs)), pngs, strict=True):
            archive.writestr(file_name, png)
    return buffer.getvalue()


# --- rendering -------------------------------------------------------------------------------

_lock = threading.Lock()
_state: dict[str, Any] = {"starts": 0, "running": False, "ready": False}


def renderer_starts() -> int:
    """How many times this process has started the kaleido renderer (1 after any exports)."""
    return int(_state["starts"])


def figure_png(
    fig: go.Figure, *, width: int = SLIDE_WIDTH_PX, height: int = SLIDE_HEIGHT_PX, scale: float = 1
) -> bytes:
    """PNG bytes of `fig` at width x height (times scale), from the shared kaleido server."""
    opts = {"format": "png", "width": width, "height": height, "scale": scale}
    fig_dict = fig.to_dict()
    with _lock:
        first = _ensure_renderer()
        timeout = RENDER_TIMEOUT_S + _GRACE_S + (START_TIMEOUT_S if first else 0)
        png = _call_with_timeout(fig_dict, opts, timeout)
        _state["ready"] = True
    return png


def _ensure_renderer() -> bool:
    """Start the kaleido server unless running; True when this call must wait for the browser."""
    if _state["running"]:
        return not _state["ready"]
    if not os.environ.get("BROWSER_PATH") and os.path.exists(DEBIAN_CHROMIUM):
        os.environ["BROWSER_PATH"] = DEBIAN_CHROMIUM
    _check_browser()
    kaleido.start_sync_server(mathjax=False, timeout=RENDER_TIMEOUT_S, silence_warnings=True)
    _state.update(starts=_state["starts"] + 1, running=True, ready=False)
    return True


def _check_browser() -> None:
    """Fail fast without a browser: kaleido's server thread would die and leave callers waiting."""
    path = os.environ.get("BROWSER_PATH") or Chromium.find_browser(skip_local=False)
    if not path or not os.access(path, os.X_OK):
        raise ExportError(
            f"找不到可用于导出图片的 Chromium 浏览器（{path or '未设置 BROWSER_PATH'}）。",
            f"No Chromium browser found for image export ({path or 'BROWSER_PATH unset'}).",
        )


def _call_with_timeout(fig_dict: dict[str, Any], opts: dict[str, Any], timeout: float) -> bytes:
    """Run one render on the server, raising ExportError on failure or after `timeout` seconds."""
    outcome: dict[str, Any] = {}

    def call() -> None:
        try:
            outcome["png"] = kaleido.calc_fig_sync(fig_dict, opts=opts)
        except Exception as exc:  # handed back to the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=call, name="figure-png", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        _stop_renderer()
        raise ExportError(
            f"图片导出超时（{timeout:.0f} 秒），渲染浏览器已重置，请重试。",
            f"Image export timed out after {timeout:.0f} s; the renderer was reset, try again.",
        )
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, (KaleidoError, RuntimeError, TimeoutError)):
            raise ExportError(f"图片导出失败：{error}", f"Image export failed: {error}") from error
        raise error
    return outcome["png"]


def _stop_renderer() -> None:
    """Stop the server (bounded wait: a wedged browser must not hang the caller too)."""
    stopper = threading.Thread(
        target=kaleido.stop_sync_server, kwargs={"silence_warnings": True}, daemon=True
    )
    stopper.start()
    stopper.join(_STOP_TIMEOUT_S)
    _state.update(running=False, ready=False)


def _stop_at_exit() -> None:
    if _state["running"]:
        _stop_renderer()


atexit.register(_stop_at_exit)
