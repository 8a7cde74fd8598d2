"""AppTest of the upload page: a good GB18030 file imports, a bad one stores nothing."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def upload_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    return at.switch_page("pages/upload.py").run()


def csv_gb18030(rows: list[str]) -> bytes:
    return ("指标编号,报告期,完成值,进展情况,填报单位\n" + "\n".join(rows) + "\n").encode("gb18030")


def test_good_file_previews_then_imports(sample_store):
    before = len(sample_store.uploads())
    at = upload_page()
    content = csv_gb18030(
        ["T16-1,2014年第四季度,81%,污水厂二期投运,市住建局", "T21-3,2014Q4,4700,,"]
    )
    at.file_uploader(key="progress_upload").set_value(("四季度.csv", content, "text/csv")).run()
    assert not at.exception
    assert any("校验通过" in s.value for s in at.success)
    assert at.button(key="confirm_import")
    at.button(key="confirm_import").click().run()
    assert any("已导入" in s.value for s in at.success)
    uploads = sample_store.uploads()
    assert len(uploads) == before + 1
    current = sample_store.current_values().set_index(["indicator_id", "period"])
    assert current.loc[("T16-1", "2014Q4"), "value"] == 81
    assert current.loc[("T21-3", "2014Q4"), "value"] == 4700


def test_bad_file_lists_errors_and_stores_nothing(sample_store):
    before = sample_store.current_values()
    at = upload_page()
    content = csv_gb18030(["T99-1,2014Q4,5,,", "T16-1,2015Q1,80,,", "T16-2,2014Q4,很多,,"])
    at.file_uploader(key="progress_upload").set_value(("bad.csv", content, "text/csv")).run()
    assert not at.exception
    assert any("3 个错误" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "confirm_import"]
    problems = at.dataframe[0].value
    assert set(problems.iloc[:, 0]) == {2, 3, 4}  # spreadsheet rows of the three bad lines
    assert sample_store.current_values().equals(before)


def test_unreadable_file_gets_a_clear_message(sample_store):
    at = upload_page()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    at.file_uploader(key="progress_upload").set_value(("fake.csv", png, "text/csv")).run()
    assert not at.exception
    assert at.error, "a renamed PNG must be rejected with a message"
