"""Print the drafter's precision and recall on every test document, as a Markdown table.

Usage: python tools/drafting_scores.py [--details]

Drafts each document of tests/data/documents/ that has a hand-checked answer in
tests/data/drafting/<stem>.expected.yaml, scores the draft against it
(lib.drafting.scoring) and prints one row per document: tasks, leads, units and targets,
precision (P) and recall (R) with the counts behind them, and how many target deadlines
agree. --details adds, per document, every task, lead, unit or target missed or added.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lib.drafting.draft import draft_plan  # noqa: E402
from lib.drafting.scoring import (  # noqa: E402
    DocumentScores,
    document_scores,
    findings_text,
    read_expected,
    scores_table,
)

DOCUMENTS = REPO / "tests" / "data" / "documents"
EXPECTED = REPO / "tests" / "data" / "drafting"


def measured_scores(documents: Path = DOCUMENTS, expected: Path = EXPECTED) -> list[DocumentScores]:
    """Each answered document's scores, in file-name order."""
    rows = []
    for answer_path in sorted(expected.glob("*.expected.yaml")):
        answer = read_expected(answer_path)
        rows.append(document_scores(draft_plan(documents / answer["document"]), answer))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=Path, default=DOCUMENTS)
    parser.add_argument("--expected", type=Path, default=EXPECTED)
    parser.add_argument("--details", action="store_true", help="list every difference")
    args = parser.parse_args(argv)
    rows = measured_scores(args.documents, args.expected)
    print(scores_table(rows), end="")
    if args.details:
        for row in rows:
            print()
            print(findings_text(row), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
