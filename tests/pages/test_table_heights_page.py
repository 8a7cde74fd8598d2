"""AppTest of tables as drawn: the at-risk list fitted to its rows with id and name pinned and
statuses as coloured chips, "—" for missing values, the upload ledger on the office's clock
with 有效, and the file chooser explained in Chinese."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from lib.core.labels import STATUS_COLORS
from lib.services.views.elements import ROW_HEIGHT, fitted_height, table_view
from lib.ui import components

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def page(path: str, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    return at.run().switch_page(path).run()


def test_the_upload_ledger_is_on_the_office_clock_with_its_state_in_words(sample_store):
    at = page("pages/upload.py")
    assert not at.exception, at.exception
    ledger = next(d.value for d in at.dataframe if "批次状态" in d.value.columns)
    # the sample was imported at 2014-10-15 00:00 UTC: 08:00 in the offices (UTC+8)
    assert ledger[["上传时间", "批次状态"]].values.tolist() == [["2014-10-15 08:00", "有效"]]
    hint = [c.value for c in at.caption if "Drag and drop a file here" in c.value]
    assert hint and "每个文件不超过 10 MB" in hint[0]


def test_the_risk_table_fits_its_rows_pins_id_and_name_and_colours_statuses(sample_store):
    at = page("pages/risks.py")
    assert not at.exception, at.exception
    shown = next(d for d in at.dataframe if "状态" in d.value.columns and "原因" in d.value.columns)
    rows = len(shown.value)
    proto = shown.proto
    config = json.loads(proto.columns)
    assert config["指标编号"]["pinned"] is True and config["指标名称"]["pinned"] is True
    chips = config["状态"]["type_config"]
    assert chips["type"] == "multiselect"
    colours = {option["value"]: option["color"] for option in chips["options"]}
    assert colours.get("落后") == STATUS_COLORS["behind"]
    assert {tuple(cell) for cell in shown.value["状态"]} <= {(label,) for label in colours}
    assert rows and proto.placeholder == "—"


def test_table_passes_the_fitted_height_and_the_columns_config(monkeypatch):
    drawn: dict[str, object] = {}
    monkeypatch.setattr(
        components.st, "dataframe", lambda frame, **kw: drawn.update(kw, frame=frame)
    )
    rows = pd.DataFrame(
        {
            "indicator_id": ["T01-1", "T01-2"],
            "name": ["A项目", None],
            "status_label": ["落后", None],
            "progress_pct": [40.0, float("nan")],
        }
    )
    keys = ["indicator_id", "name", "status_label", "progress_pct"]
    view = table_view(rows, keys, "zh", key="fit", height=600)
    components.table(view)
    # the view's 600 px is the most it takes: two rows take only what they need
    assert drawn["height"] == fitted_height(2, ROW_HEIGHT, 600) == 35 + 2 * 35 + 3
    assert drawn["row_height"] == ROW_HEIGHT and drawn["placeholder"] == "—"
    frame = drawn["frame"]
    assert frame["状态"].tolist() == [["落后"], []]  # a chip, or none where none is known
    assert frame["指标名称"].tolist() == ["A项目", "—"]
    config = drawn["column_config"]
    assert config["指标编号"]["pinned"] is True and config["指标名称"]["pinned"] is True
    assert config["完成进度"]["type_config"]["type"] == "progress"
    assert config["状态"]["type_config"]["options"] == [
        {"value": "落后", "color": STATUS_COLORS["behind"]}
    ]
    assert view.frame["状态"].tolist() == ["落后", "—"]  # the view's own frame stays text


def test_no_table_says_none(sample_store):
    for path in ("pages/risks.py", "pages/sections.py", "pages/tasks.py", "pages/upload.py"):
        for lang in ("zh", "en"):
            at = page(path, lang)
            assert not at.exception, (path, at.exception)
            for table in at.dataframe:
                frame = table.value
                texts = frame.select_dtypes(include=["object", "string"])
                said = {str(v) for column in texts for v in texts[column] if isinstance(v, str)}
                assert not said & {"None", "nan", "NaN", "<NA>"}, (path, lang, list(frame.columns))
