"""Rendering of what a view model returns: charts, tables, KPIs, downloads, messages.

Tables go through `st.dataframe`, which renders cell text as text (never HTML), so notes
and names from uploads cannot inject markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from lib.core.labels import tr
from lib.output.images import figure_png, slide_figure
from lib.services.views.elements import (
    MISSING_TEXT,
    STATUS_LABEL_COLORS,
    ChartView,
    Choices,
    Download,
    Kpi,
    TableView,
)
from lib.services.views.overview import StatusCount
from lib.services.views.supervision import DocumentsView, StepOutcome
from lib.services.views.upload import CheckedUploadView

PLOTLY_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "width": 1920, "height": 1080, "scale": 1},
}


def chart(view: ChartView) -> None:
    """Render a figure full width, with a slide-ready PNG download rendered on click."""
    st.plotly_chart(view.figure, key=view.key, config=PLOTLY_CONFIG, width="stretch")
    stamp = view.stamp

    def slide_png() -> bytes:
        slide = slide_figure(
            view.figure,
            as_of_label=stamp.as_of_label,
            source_line=stamp.source_line,
            lang=stamp.lang,
        )
        return figure_png(slide)

    st.download_button(
        tr("chart_png", stamp.lang),
        data=slide_png,
        file_name=f"{view.key}_{stamp.period}.png",
        mime="image/png",
        key=f"png_{view.key}",
        on_click="ignore",
        icon=":material/image:",
    )


def table(view: TableView) -> None:
    """Show a table as the view shaped it: as tall as its rows (scrolling past about 40),
    its id and name pinned, 0-100 columns as progress bars, statuses as chips in their
    colour, long text wrapped, a missing value as "—"."""
    frame = view.frame
    config: dict[str, object] = {
        heading: st.column_config.Column(heading, pinned=True) for heading in view.pinned_columns
    }
    for heading in view.wrapped_columns:
        config[heading] = st.column_config.TextColumn(heading, width="large")
    for heading in view.progress_columns:
        config[heading] = st.column_config.ProgressColumn(
            heading, min_value=0, max_value=100, format="%.1f%%"
        )
    if view.status_columns:
        # a read-only multiselect cell draws each value as a chip in its option's colour;
        # its text is drawn as text, like every other cell (no HTML from the data)
        frame = frame.assign(
            **{heading: frame[heading].map(_status_chips) for heading in view.status_columns}
        )
        for heading in view.status_columns:
            shown = set(view.frame[heading].dropna())
            labels = [label for label in STATUS_LABEL_COLORS if label in shown]
            config[heading] = st.column_config.MultiselectColumn(
                heading,
                options=labels,
                color=[STATUS_LABEL_COLORS[label] for label in labels] or None,
            )
    for heading, width in view.column_widths.items():
        config[heading] = {**config.get(heading, st.column_config.Column(heading)), "width": width}
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        height=view.fitted_height,
        row_height=view.row_height,
        placeholder=MISSING_TEXT,
        key=view.key,
        column_config=config,
    )


def _status_chips(label: object) -> list[str]:
    """A status cell as the list a multiselect cell draws: its label, or none."""
    return [label] if isinstance(label, str) and label not in ("", MISSING_TEXT) else []


def metric(target: DeltaGenerator, kpi: Kpi) -> None:
    """One KPI in a column (or any container)."""
    target.metric(kpi.label, kpi.value, kpi.delta)


def download(item: Download, target: DeltaGenerator | None = None) -> None:
    """A download button, in `target` (a column) or in the page; a callable is called on
    click."""
    (target or st).download_button(
        item.label,
        item.data,
        item.file_name,
        mime=item.mime,
        key=item.key,
        on_click="rerun" if item.rerun_on_click else "ignore",
        icon=item.icon,
    )


def show_problems(messages: Iterable[str]) -> None:
    """One error box per problem."""
    for message in messages:
        st.error(message)


def show_validation_report(checked: CheckedUploadView) -> None:
    """Verdict, every problem with row and column, and the report as CSV/XLSX downloads."""
    if checked.verdict_ok:
        st.success(checked.verdict)
    else:
        st.error(checked.verdict)
    if checked.warnings_note:
        st.warning(checked.warnings_note)
    if checked.problems is None:
        return
    table(checked.problems)
    for column, item in zip(st.columns(2), checked.report_downloads, strict=True):
        download(item, column)


def table_or_note(view: TableView | None, note: str | None) -> None:
    """The table, or the note said instead of it when there is none."""
    if view is not None:
        table(view)
    elif note:
        st.caption(note)


def choose(label: str, choices: Choices, key: str) -> object:
    """A selectbox of `choices`, their default chosen at first; the option chosen."""
    options = list(choices.options)
    first = options.index(choices.default) if choices.default in options else 0
    return st.selectbox(label, options, first, format_func=choices.label_of, key=key)


def documents(made: DocumentsView | None) -> None:
    """A download per document, and the zip of them all when there are several."""
    if made is not None:
        for item in (*made.files, *([made.zip] if made.zip else [])):
            download(item)


def show_outcome(outcome: StepOutcome) -> None:
    """What a step said: its success, or its problems (as a table of row, column and
    message when they are about rows of a file)."""
    if outcome.ok:
        st.success(outcome.message)
    elif outcome.problem_table is not None:
        st.error(outcome.refusal or "")
        table(outcome.problem_table)
    else:
        show_problems(outcome.problems)


# Markdown's ASCII punctuation, escaped where text that is not markup goes into st.markdown
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain_markdown(text: str) -> str:
    """`text` with every Markdown and directive character escaped, so st.markdown shows it
    as written (a name with "*" or "<b>" stays text)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def status_links(
    counts: Sequence[StatusCount], page: str, query_params: dict[str, str], help_text: str
) -> None:
    """One line of status counts, each a chip in its status colour; a count whose statuses
    `page` lists links there with `statuses=<link>` added to `query_params`."""
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        for item in counts:
            colors = f'foreground="{item.text_color}" background="{item.color}"'
            label = f":color[**{item.count}** {item.label}]{{{colors}}}"
            if item.link is None:  # muted like a caption: not a link
                st.caption(label, width="content")
            else:
                st.page_link(
                    page,
                    label=label,
                    query_params={**query_params, "statuses": item.link},
                    help=help_text,
                )
