"""The rules for each cell of an upload's rows, checked against the plan.

Owns what a cell may hold: an indicator id the plan has, a period inside the plan period,
a value (a number, 1,234, 83%, a unit suffix, or a milestone word for a milestone; finite,
not negative, 0-100 for a percentage, and no bare fraction such as 0.812 for a 0-100
indicator; a figure in another unit, in the cell or the value heading, converted exactly
into the indicator's unit with a warning, or refused), a reporter that is a registered unit
(refused otherwise, with the names it may mean) answerable for the task (a warning
otherwise), notes as written, and no (indicator, period, reporter) given twice.
Each rule is decided once per distinct text (or pair of texts) and spread to the cells by
their codes; only the cells that break a rule are worded one by one.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import numpy as np
import pandas as pd

from lib.core.errors import Problem
from lib.core.labels import MILESTONE_WORDS
from lib.core.periods import parse_period, period_hint, periods_between
from lib.core.text import clean_text
from lib.ingest.coded import Coded
from lib.ingest.trend import FigureKeys
from lib.ingest.value_units import (
    conversion_factor,
    converted,
    decimal_text,
    split_number_and_unit,
)
from lib.plan.model import Plan
from lib.plan.units import resolve_unit

ROW_COLUMNS = ["row", "indicator_id", "period", "value", "note", "reporter", "reporter_raw"]

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_DIGIT_UNIT = re.compile(r"[0-9.]+")
_NOT_FINITE_WORDS = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan"}


@dataclass(frozen=True)
class CheckedRows:
    """The normalised rows (ROW_COLUMNS; value NaN where it is wrong), every problem found in
    their cells, the rows with an error, and each row's indicator and period as codes."""

    rows: pd.DataFrame
    problems: list[Problem]
    error_rows: set[int]
    keys: FigureKeys
    reporters: Coded  # each row's reporter (registered name, "" none) as codes


def cleaned_note(text: str) -> str:
    """A note or a reporter as written: stray and zero-width spaces gone, no NFKC (it would
    turn Chinese punctuation into ASCII)."""
    return clean_text(text, nfkc=False)


def checked_rows(
    plan: Plan,
    headers: dict[str, str],
    raw: dict[str, Coded],
    cells: dict[str, Coded],
    numbers: np.ndarray,
    formula_cells: frozenset[tuple[int, str]],
    value_unit: str | None = None,
) -> CheckedRows:
    """Check every cell: `raw` as read and `cells` normalised (per input column), `numbers`
    the spreadsheet rows, `headers` the headings as written (problems name them),
    `formula_cells` the (row, column) of formulas whose result was never saved,
    `value_unit` the unit the value heading names (完成值（万元）), if any."""
    checker = _RowChecker(plan, headers, raw, formula_cells, value_unit)
    rows, keys, reporters = checker.checked_rows(cells, numbers)
    return CheckedRows(rows, checker.problems, checker.error_rows, keys, reporters)


class _RowChecker:
    """Per-row rules; collects problems and the rows that had errors."""

    def __init__(
        self,
        plan: Plan,
        headers: dict[str, str],
        raw: dict[str, Coded],
        formula_cells: frozenset[tuple[int, str]],
        value_unit: str | None = None,
    ) -> None:
        self.plan = plan
        self.value_unit = value_unit
        self.formula_cells = formula_cells
        self.headers = headers
        self.raw = raw
        self.plan_periods = periods_between(plan.period_start, plan.period_end)
        self.problems: list[Problem] = []
        self.error_rows: set[int] = set()

    def add(
        self,
        index: int,
        row: int,
        column: str,
        code: str,
        zh: str,
        en: str,
        severity: Literal["error", "warning"] = "error",
        value: str | None = None,
    ) -> None:
        """Record a problem in a cell (index into the checked rows, spreadsheet row); `value`
        shown instead of the cell's text."""
        self.problems.append(
            Problem(
                code,
                zh,
                en,
                severity=severity,
                row=row,
                column=self.headers[column],
                value=value if value is not None else _short(str(self.raw[column].text(index))),
            )
        )
        if severity == "error":
            self.error_rows.add(row)

    def checked_rows(
        self, cells: dict[str, Coded], numbers: np.ndarray
    ) -> tuple[pd.DataFrame, FigureKeys, Coded]:
        """The normalised rows, their keys and their reporters; problems are collected."""
        ids = cells["indicator_id"]
        info = self.plan.indicators.set_index("indicator_id")[["kind", "unit", "task_id"]]
        info = info.reindex(ids.texts)
        known_by_id = info["kind"].notna().to_numpy()  # NaN for an unknown indicator
        kinds_by_id = np.where(known_by_id, info["kind"].to_numpy(dtype=object), None)
        units_by_id = np.where(known_by_id, info["unit"].to_numpy(dtype=object), None)
        tasks_by_id = np.where(known_by_id, info["task_id"].to_numpy(dtype=object), None)

        for index in np.flatnonzero(~known_by_id[ids.codes]).tolist():
            self._indicator_problem(index, int(numbers[index]), ids.text(index))

        periods = cells["period"].mapped(parse_period)
        plan_periods = set(self.plan_periods)
        in_plan = periods.where(lambda period: period in plan_periods)
        for index in np.flatnonzero(~in_plan).tolist():
            period = periods.text(index)
            period = period if isinstance(period, str) else None
            self._period_problem(index, int(numbers[index]), cells["period"].text(index), period)

        values = self._checked_values(cells["value"], ids, kinds_by_id, units_by_id, numbers)
        reporters = self._checked_reporters(cells["reporter"], ids, tasks_by_id, numbers)
        rows = pd.DataFrame(
            {
                "row": pd.Series(numbers, dtype="int64"),
                "indicator_id": ids.series(),
                "period": periods.series(),
                "value": pd.Series(values, dtype="float64"),
                "note": cells["note"].series(),
                "reporter": reporters.series(),
                "reporter_raw": self.raw["reporter"].mapped(cleaned_note).series(),
            },
            columns=ROW_COLUMNS,
        )
        return rows, self._checked_duplicates(ids, periods, reporters, numbers), reporters

    def _indicator_problem(self, index: int, row: int, indicator_id: str) -> None:
        if indicator_id == "":
            zh, en = "指标编号为空", "the indicator id is empty"
            self.add(index, row, "indicator_id", "indicator_missing", zh, en)
            return
        self.add(
            index,
            row,
            "indicator_id",
            "unknown_indicator",
            f"计划中没有指标“{indicator_id}”（编号形如 T01-1，见模板）",
            f"no indicator '{indicator_id}' in the plan (ids look like T01-1; see the template)",
        )

    def _period_problem(self, index: int, row: int, text: str, period: str | None) -> None:
        """Word the problem of a period cell outside the plan (`period` None: unreadable)."""
        if period is None:
            forms = "2014Q2、2014-Q2、2014年第二季度"
            zh, en = (
                (f"报告期“{text}”无法识别（应如 {forms}）", f"period '{text}' is not recognised")
                if text
                else (f"报告期为空（应如 {forms}）", "the period is empty")
            )
            en += " (use e.g. 2014Q2)"
            if text and (hint := period_hint(text)):  # a near miss: say why it is refused
                zh = f"报告期“{text}”无法识别：{hint[0]}（报告期应如 {forms}）"
                en = f"period '{text}': {hint[1]} (periods look like 2014Q2)"
            self.add(index, row, "period", "bad_period", zh, en)
            return
        allowed = f"{self.plan_periods[0]}..{self.plan_periods[-1]}" if self.plan_periods else "-"
        self.add(
            index,
            row,
            "period",
            "period_outside_plan",
            f"报告期 {period} 不在计划期内（{allowed}）",
            f"period {period} is outside the plan period ({allowed})",
        )

    def _checked_values(
        self,
        texts: Coded,
        ids: Coded,
        kinds_by_id: np.ndarray,
        units_by_id: np.ndarray,
        numbers: np.ndarray,
    ) -> np.ndarray:
        """Per cell the value (NaN where it is wrong, with the problem recorded; converted
        into the indicator's unit where the figure was written in another, with a warning)."""
        values, codes = parsed_values(texts, ids, kinds_by_id, units_by_id, self.value_unit)
        by_heading: dict[str, list[int]] = {}  # indicator unit -> cells converted by heading
        for index, code in codes.items():
            unit = units_by_id[ids.codes[index]]
            if code == "heading_unit_converted":
                by_heading.setdefault(unit, []).append(index)
                continue
            row = int(numbers[index])
            if code == "value_unit_converted":
                written = texts.text(index)
                source = _written_unit(written, unit)
                zh, en = _conversion_messages(written, source, values[index], unit)
                self.add(index, row, "value", code, zh, en, severity="warning")
                continue
            zh, en = _value_messages(code, texts.text(index), unit, self.value_unit)
            if code == "heading_unit_not_convertible":
                heading = self.headers["value"]
                zh = f"列标题“{heading}”的{zh}"
                en = f"heading '{heading}': {en}"
            if code == "value_missing" and (row, "value") in self.formula_cells:
                zh = "完成值单元格是公式，但文件中没有保存计算结果；"
                zh += "请在 Excel 中打开并保存，或改填数值"
                en = "the value cell holds a formula whose result was never saved; open and "
                en += "save the file in Excel, or type the number"
            self.add(index, row, "value", code, zh, en)
        for unit, indices in by_heading.items():
            self._heading_conversion_warning(unit, indices, texts, values, numbers)
        return values

    def _heading_conversion_warning(
        self,
        unit: str,
        indices: list[int],
        texts: Coded,
        values: np.ndarray,
        numbers: np.ndarray,
    ) -> None:
        """One warning for the cells of indicators in `unit` that the value heading's unit
        converted, located at the first of them, with it as the example."""
        first = min(indices, key=lambda index: int(numbers[index]))
        row, heading, written = int(numbers[first]), self.headers["value"], self.value_unit
        example = f"{texts.text(first)} {written}"
        zh, en = _conversion_messages(example, written or "", values[first], unit)
        self.add(
            first,
            row,
            "value",
            "heading_unit_converted",
            f"“{heading}”列中单位为“{unit}”的指标共 {len(indices)} 行{zh}（如第 {row} 行）",
            f"column '{heading}': {len(indices)} row(s) of indicators in '{unit}' {en} "
            f"(e.g. row {row})",
            severity="warning",
            value=heading,
        )

    def _checked_reporters(
        self, written: Coded, ids: Coded, tasks_by_id: np.ndarray, numbers: np.ndarray
    ) -> Coded:
        """Canonical unit names (or the text as written when unknown), warnings added."""
        canonical = written.mapped(lambda text: resolve_unit(self.plan, text) if text else None)
        has_text = np.array([text != "" for text in written.texts], dtype=bool)
        unknown = has_text & pd.isna(canonical.texts)
        # whether the unit answers for the task, once per (indicator, unit) pair
        check = (has_text & ~unknown)[written.codes] & pd.notna(tasks_by_id)[ids.codes]
        pairs = ids.codes[check].astype(np.int64) * len(written.texts) + written.codes[check]
        which, distinct = pd.factorize(pairs)
        per_id = max(len(written.texts), 1)
        answerable = _responsible_pairs(self.plan)
        responsible = np.array(
            [
                pair in answerable
                for pair in zip(
                    tasks_by_id[distinct // per_id].tolist(),
                    canonical.texts[distinct % per_id].tolist(),
                    strict=True,
                )
            ],
            dtype=bool,
        )
        stray = np.zeros(len(written.codes), dtype=bool)
        stray[check] = ~responsible[which]
        stray |= unknown[written.codes]
        for index in np.flatnonzero(stray).tolist():
            self._reporter_warning(
                index,
                int(numbers[index]),
                written.text(index),
                canonical.text(index),
                tasks_by_id[ids.codes[index]],
            )
        shown = np.where(has_text, np.where(unknown, written.texts, canonical.texts), "")
        return written.with_texts(shown.tolist())

    def _reporter_warning(
        self, index: int, row: int, written: str, canonical: str | None, task_id: str
    ) -> None:
        """Word the problem of a reporter that is no registered unit (`canonical` None: an
        error) or not answerable for the task (a warning)."""
        if canonical is None:
            # whose figure it is decides what it counts for: a unit the registry does not
            # know cannot be placed, so the row is refused with the names it may have meant
            near = _close_unit_names(self.plan, written)
            hint_zh = f"，是否为：{'、'.join(near)}" if near else "，请使用单位名录中的名称或简称"
            hint_en = f"; did you mean {', '.join(near)}" if near else "; use a registered name"
            zh = f"填报单位“{written}”不在单位名录中{hint_zh}"
            en = f"reporter '{written}' is not a registered unit{hint_en}"
            self.add(index, row, "reporter", "unknown_reporter", zh, en)
            return
        else:
            zh = f"填报单位“{canonical}”不是任务 {task_id} 的责任单位"
            en = f"reporter '{canonical}' is not responsible for task {task_id}"
        self.add(index, row, "reporter", "reporter_not_responsible", zh, en, severity="warning")

    def _checked_duplicates(
        self, ids: Coded, periods: Coded, reporters: Coded, numbers: np.ndarray
    ) -> FigureKeys:
        """The rows' keys; an (indicator, period, reporter) given again below its first row
        is an error on that row (one file may hold a city figure and its counties')."""
        (id_keys, id_names), (period_keys, period_names) = ids.keys(), periods.keys()
        keyed = np.flatnonzero(ids.where(lambda text: text != "") & (period_keys >= 0))
        key = id_keys[keyed].astype(np.int64) * (len(period_names) or 1) + period_keys[keyed]
        keys = FigureKeys(id_keys, id_names, period_keys, period_names)
        # a key repeated with its unit is repeated without it: the usual file, one figure
        # per indicator and period, is cleared by counting alone
        if not _repeats(key, len(id_names) * (len(period_names) or 1)).any():
            return keys
        unit_keys, unit_names = reporters.keys()
        units = max(len(unit_names), 1)
        key = key * units + np.maximum(unit_keys[keyed], 0)
        repeated = _repeats(key, len(id_names) * (len(period_names) or 1) * units)
        if not repeated.any():
            return keys
        distinct, first = np.unique(key, return_index=True)
        for position in np.flatnonzero(repeated).tolist():
            index = int(keyed[position])
            row = int(numbers[index])
            first_row = int(numbers[keyed[first[np.searchsorted(distinct, key[position])]]])
            indicator_id, period = ids.text(index), periods.text(index)
            unit = reporters.text(index)
            of_zh, of_en = (f"（{unit}）", f" ({unit})") if unit else ("", "")
            self.add(
                index,
                row,
                "indicator_id",
                "duplicate_row",
                f"第 {row} 行与第 {first_row} 行重复："
                f"指标 {indicator_id} 的报告期 {period}{of_zh}出现两次",
                f"row {row} repeats row {first_row}: indicator {indicator_id}, period {period}"
                f"{of_en} appears twice",
            )
        return keys


def _repeats(key: np.ndarray, key_space: int) -> np.ndarray:
    """Per key, whether an earlier one equals it. Keys lie in range(key_space): when that is
    not much larger than their number they are counted (one pass) before any is looked up."""
    if key_space <= 4 * len(key) + 1024 and not (np.bincount(key, minlength=1) > 1).any():
        return np.zeros(len(key), dtype=bool)
    return pd.Series(key).duplicated().to_numpy()


def _close_unit_names(plan: Plan, written: str) -> list[str]:
    """Up to three registered unit names close to what was written."""
    names = plan.units["unit"].tolist()
    return difflib.get_close_matches(clean_text(written), names, n=3, cutoff=0.5)


def _responsible_pairs(plan: Plan) -> set[tuple[str, str]]:
    """(task_id, unit) for every unit answerable for a task: listed units plus members of
    listed groups."""
    listed = plan.responsibilities[["task_id", "unit"]]
    members = listed.merge(plan.group_members, left_on="unit", right_on="group")
    return set(zip(listed["task_id"].tolist(), listed["unit"].tolist(), strict=True)) | set(
        zip(members["task_id"].tolist(), members["member"].tolist(), strict=True)
    )


def parsed_values(
    texts: Coded,
    ids: Coded,
    kinds_by_id: np.ndarray,
    units_by_id: np.ndarray,
    column_unit: str | None = None,
) -> tuple[np.ndarray, dict[int, str]]:
    """Per cell what `parsed_value` makes of its text for its indicator (`ids`: per cell a
    code into `kinds_by_id` and `units_by_id`, None for an unknown indicator) under a value
    heading naming `column_unit`: the values (NaN where wrong), and the code of each cell
    that is wrong or was converted, by its index.

    Plain decimals (1234, 12.5) are read in one pass: they need no rule beyond the 0-100
    range of a percentage and no unit suffix to strip (units made of digits would be
    stripped, so theirs are left out). A fraction for a 0-100 indicator (0.812) and a figure
    of an indicator whose unit differs from the heading's are left out too. Every other text
    goes through `parsed_value` once per (text, indicator) pair.
    """
    plain = _PLAIN_DECIMAL.fullmatch
    per_text = np.array(
        [float(text) if plain(text) else math.nan for text in texts.texts], dtype=np.float64
    )
    values = per_text[texts.codes] if len(texts.texts) else np.full(len(texts.codes), np.nan)
    units = units_by_id.tolist()
    percent = np.array([unit == "%" for unit in units], dtype=bool)
    hundred = percent | np.array([kind == "milestone" for kind in kinds_by_id], dtype=bool)
    leave = np.array(
        [
            isinstance(unit, str)
            and (_DIGIT_UNIT.fullmatch(unit) is not None or column_unit not in (None, unit))
            for unit in units
        ],
        dtype=bool,
    )
    percent, hundred, leave = percent[ids.codes], hundred[ids.codes], leave[ids.codes]
    fraction = hundred & (values > 0) & (values <= 1)
    values[~np.isfinite(values) | (percent & (values > 100)) | fraction | leave] = np.nan
    doubtful = np.flatnonzero(np.isnan(values))
    if not len(doubtful):
        return values, {}
    pairs = texts.codes[doubtful].astype(np.int64) * len(ids.texts) + ids.codes[doubtful]
    which, distinct = pd.factorize(pairs)
    per_id = len(ids.texts)
    parsed = [
        parsed_value(texts.texts[pair // per_id], kinds_by_id[pair % per_id], unit, column_unit)
        for pair in distinct.tolist()
        for unit in [units_by_id[pair % per_id]]
    ]
    read = np.array([math.nan if v is None else v for v, _ in parsed], dtype=np.float64)
    values[doubtful] = read[which]
    noted = np.array([code is not None for _, code in parsed], dtype=bool)[which]
    codes = {
        int(doubtful[position]): parsed[which[position]][1]
        for position in np.flatnonzero(noted).tolist()
    }
    return values, codes  # type: ignore[return-value]


def parsed_value(
    text: str, kind: str | None, unit: str | None, column_unit: str | None = None
) -> tuple[float | None, str | None]:
    """(value, None) or (None, error code) for a 完成值 cell; `kind` None = unknown indicator.

    A figure written in another unit than the indicator's (in the cell, or in the heading:
    `column_unit`) is converted when that is exact, and then comes with the warning code
    `value_unit_converted` (the cell's unit) or `heading_unit_converted` (the heading's).
    """
    if text == "":
        return None, "value_missing"
    if text in MILESTONE_WORDS:
        if kind == "quantity":
            return None, "value_not_numeric"
        return MILESTONE_WORDS[text], None
    number = text.replace(" ", "")
    percent = number.endswith("%")
    written: str | None = None  # the unit written in the cell, "%" aside
    if percent:
        number = number[:-1]
    elif (split := split_number_and_unit(number, (unit,))) is not None:
        number, written = split
    elif unit and unit != "%" and number.endswith(unit):  # a unit of digits, say
        number, written = number[: -len(unit)], unit
    if _GROUPED_NUMBER.match(number):
        number = number.replace(",", "")
    if not _NUMBER.match(number):
        code = "value_not_finite" if number.lower() in _NOT_FINITE_WORDS else "value_not_numeric"
        return None, code
    value = float(number)
    if not math.isfinite(value):
        return None, "value_not_finite"
    if percent and unit is not None and unit != "%":
        return None, "value_unit_mismatch"
    if written is not None and unit is None:
        return None, "value_not_numeric"  # no unit to convert into: read as before
    if value < 0:
        return None, "value_negative"
    source = "%" if percent else written if written is not None else column_unit
    warning = None
    if unit is not None and source is not None and source != unit:
        factor = conversion_factor(source, unit)
        if factor is None:
            code = "value_unit_not_convertible" if written else "heading_unit_not_convertible"
            return None, code
        value = converted(number, factor)
        if not math.isfinite(value):
            return None, "value_not_finite"
        warning = "value_unit_converted" if written is not None else "heading_unit_converted"
    if unit == "%" and value > 100:
        return None, "percent_out_of_range"
    if (unit == "%" or kind == "milestone") and not percent and written is None and 0 < value <= 1:
        return None, "fraction_for_percent"
    return value, warning


def _written_unit(text: str, unit: str | None) -> str:
    """The unit written after the number in a 完成值 cell ("" when there is none)."""
    split = split_number_and_unit(text.replace(" ", ""), (unit,))
    return split[1] if split else ""


def _conversion_messages(written: str, source: str, value: float, unit: str) -> tuple[str, str]:
    shown = f"{decimal_text(value)} {unit}"
    return (
        f"按“{source}”换算为“{unit}”：{written} = {shown}",
        f"converted from '{source}' to '{unit}': {written} = {shown}",
    )


def _percent_suggestion(text: str) -> str:
    """A fraction written for a percentage as that percentage: "0.812" -> "81.2"."""
    return decimal_text(Decimal(text.replace(" ", "").replace(",", "")) * 100)


def _value_messages(
    code: str, text: str, unit: str | None, column_unit: str | None = None
) -> tuple[str, str]:
    words = "、".join(MILESTONE_WORDS)
    if code == "value_not_numeric" and text in MILESTONE_WORDS:
        return (
            f"“{text}”只能用于节点类指标；本指标为数量指标，请填写数字（单位：{unit}）",
            f"'{text}' is only for milestones; this is a quantity indicator, enter a number "
            f"(unit: {unit})",
        )
    if code == "fraction_for_percent":
        percent = _percent_suggestion(text)
        return (
            f"{text} 看起来是 {percent}%：请填写 {percent} 或 {percent}%"
            f"（若确为 {text}%，请填写 {text}%）",
            f"{text} looks like {percent}%: write {percent} or {percent}% "
            f"(if it really is {text}%, write {text}%)",
        )
    if code == "value_unit_not_convertible":
        written = _written_unit(text, unit)
        return (
            f"完成值“{text}”的单位“{written}”无法换算为本指标的单位“{unit}”；请按“{unit}”填写",
            f"value '{text}' is in '{written}', which does not convert to this indicator's "
            f"unit '{unit}'; give the figure in {unit}",
        )
    if code == "heading_unit_not_convertible":
        return (
            f"单位“{column_unit}”无法换算为本指标的单位“{unit}”；请按“{unit}”填写"
            f"（或在数字后写明单位）",
            f"its unit '{column_unit}' does not convert to this indicator's unit '{unit}'; "
            f"give the figure in {unit} (or write the unit after the number)",
        )
    messages = {
        "value_missing": ("完成值为空", "the value is empty"),
        "value_not_numeric": (
            f"完成值“{text}”不是数字（可填 1234、1,234、83%；节点类指标可填 {words}）",
            f"value '{text}' is not a number (use 1234, 1,234 or 83%; milestones also accept "
            f"{words})",
        ),
        "value_not_finite": (
            f"完成值“{text}”不是有限数值",
            f"value '{text}' is not a finite number",
        ),
        "value_negative": (f"完成值“{text}”不能为负数", f"value '{text}' must not be negative"),
        "value_unit_mismatch": (
            f"本指标单位为“{unit}”，不能填写百分数",
            f"this indicator is measured in '{unit}', not in percent",
        ),
        "percent_out_of_range": (
            f"完成值“{text}”超出 0-100%",
            f"value '{text}' is outside 0-100%",
        ),
    }
    return messages[code]


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."
