"""A graded file's result, and the text report of a set of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PASSED, WRONG, ERROR, NOT_ATTEMPTED, TIMED_OUT = "passed", "wrong", "error", "not attempted", "timed out"
VERDICTS = (PASSED, WRONG, ERROR, NOT_ATTEMPTED, TIMED_OUT)
# The first line of the message of a file whose checks differ from the book's.
CHECKS_EDITED = "checks edited: graded with the page's own checks"


@dataclass
class Result:
    """One file's verdict, as written to ``--json``."""

    file: str
    question: int | None
    verdict: str
    message: str
    seconds: float
    page: str
    points: float = 0  # its question's points (from the book) when it passed, else 0
    max_points: float = 1


def question_label(question: int) -> str:
    """How a question is named in reports, gradebook columns and Gradescope's tests: ``Q05`` for 5."""
    return f"Q{question:02d}"


def label(result: Result) -> str:
    """How a result is named in reports: its question (``Q05``), or its file's name when it answers none."""
    return question_label(result.question) if result.question else Path(result.file).name


def table(results: list[Result]) -> str:
    """The results as a text table, one row per file, each message's lines under its row."""
    header = ("Q", "file", "verdict", "points", "time")
    rows = [
        (
            label(r) if r.question else "-",
            Path(r.file).name,
            r.verdict,
            f"{r.points:g}/{r.max_points:g}",
            f"{r.seconds:.1f} s",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    for row, result in zip(rows, results):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        lines += [f"      {line}" for line in result.message.splitlines()]
    return "\n".join(lines)


def summary(results: list[Result], seconds: float) -> str:
    """Two lines on ``results``: how many passed and the points, then the solution pages to compare with."""
    counts = {v: sum(r.verdict == v for r in results) for v in VERDICTS}
    others = ", ".join(f"{n} {v}" for v, n in counts.items() if n and v != PASSED)
    score = f"{sum(r.points for r in results):g} of {sum(r.max_points for r in results):g} points"
    passed = f"{counts[PASSED]} of {len(results)} passed" + (f"; {others}" if others else "")
    lines = [f"{passed}: {score} ({seconds:.0f} s)."]
    pages = sorted({(r.question or 0, r.page) for r in results if r.page})
    if pages:
        lines += ["", "Written answers are not graded: compare yours with the solution page."]
        lines += [f"  Q{q:02d}  {page}" for q, page in pages]
    return "\n".join(lines)
