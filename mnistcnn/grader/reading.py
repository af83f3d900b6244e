"""Reading a submission: its cells, its blanks left, and which question of the book it answers.

A file is a completed exercise (``.py`` or ``.ipynb``) under any name. Its question is the one
whose exercise code it shares most lines with (:func:`match`): the name, title and metadata of
a file are never trusted, so ``Copy of q05_…`` and ``Q05_…`` are found, and a Q01 exercise
renamed ``q33_…`` is still Q01.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import book
from .format import (
    BLANK,
    GRADER_CALL,
    INLINE_CHECK,
    INLINE_CHECK_CELL,
    NOTEBOOK_CHECK_HEADING,
    SCRIPT_CHECK_HEADING,
    code_lines,
)

DOCSTRING = re.compile(r'\A[rR]?""".*?"""', re.DOTALL)  # a page's question: a notebook's text, not its code
# The share of a question's own lines (those of no other question) a file must hold to answer it.
MATCH_THRESHOLD = 0.5


@dataclass
class Cell:
    """Code of a submission, where it is (``cell 7`` or ``line 47``), its first line, and its kind:
    the student's ``code``, an inline ``check`` of the step before it, or part of the ``final`` checks."""

    source: str
    where: str
    first_line: int = 1
    kind: str = "code"

    def at(self, line: int) -> str:
        """Where line ``line`` of this code is: a line of the script, or a line of the notebook's cell."""
        if self.where.startswith("line"):
            return f"line {self.first_line + line - 1}"
        return f"{self.where}, line {line}"


@dataclass
class Submission:
    """A file as read: its cells in order, and the blanks left in its code as ``(where, hint)``."""

    path: Path
    cells: list[Cell]
    blanks: list[tuple[str, str]] = field(default_factory=list)

    @property
    def notebook(self) -> bool:
        """Whether the file is a notebook (its cells run as IPython runs them)."""
        return self.path.suffix.lower() == ".ipynb"

    def code(self) -> str:
        """All its code, checks included, as one text."""
        return "\n".join(cell.source for cell in self.cells)


def _blanks(cells: list[Cell]) -> list[tuple[str, str]]:
    found = []
    for cell in cells:
        if cell.kind == "code":
            for match in BLANK.finditer(cell.source):
                found.append((cell.at(cell.source.count("\n", 0, match.start()) + 1), match.group("hint")))
    return found


def _script_cells(text: str, start: int, end: int, final: bool) -> list[Cell]:
    """``text[start:end]`` as cells of code and of inline checks, each with its first line."""
    cells = []

    def add(a: int, b: int, kind: str) -> None:
        line = text.count("\n", 0, a) + 1
        if text[a:b].strip():
            cells.append(Cell(text[a:b], f"line {line}", line, "final" if final else kind))

    position = start
    for match in INLINE_CHECK.finditer(text, start, end):
        add(position, match.start(), "code")
        add(match.start("check"), match.end("check"), "check")
        position = match.end()
    add(position, end, "code")
    return cells


def read_script(path: Path) -> Submission:
    """Read a ``.py`` exercise."""
    text = path.read_text(encoding="utf-8")
    heading = SCRIPT_CHECK_HEADING.search(text)
    split = heading.start() if heading else len(text)
    cells = _script_cells(text, 0, split, final=False) + _script_cells(text, split, len(text), final=True)
    return Submission(path, cells, _blanks(cells))


def read_notebook(path: Path) -> Submission:
    """Read an ``.ipynb`` exercise (a notebook's JSON, read without Jupyter)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells, in_checks = [], False
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "markdown" and NOTEBOOK_CHECK_HEADING.match(source):
            in_checks = True
        elif cell.get("cell_type") == "code" and not GRADER_CALL.search(source):
            inline = source.lstrip().startswith(INLINE_CHECK_CELL)
            kind = "final" if in_checks else "check" if inline else "code"
            cells.append(Cell(source, f"cell {number}", kind=kind))
    return Submission(path, cells, _blanks(cells))


def read(path: str | Path) -> Submission:
    """Read an exercise notebook (``.ipynb``) or script (``.py``)."""
    path = Path(path)
    return read_notebook(path) if path.suffix.lower() == ".ipynb" else read_script(path)


@functools.cache
def _own_lines() -> dict[int, frozenset[str]]:
    """Each question's code lines that no other question's exercise has."""
    lines = {n: set(code_lines(DOCSTRING.sub("", book.exercise_code(r)))) for n, r in book.load().items()}
    return {n: frozenset(own - set().union(*(o for m, o in lines.items() if m != n))) for n, own in lines.items()}


def match(submission: Submission) -> tuple[int | None, float]:
    """The question ``submission`` answers and the share of that question's own lines it holds;
    ``(None, best share)`` when it answers none (no question reaches :data:`MATCH_THRESHOLD`)."""
    have = set(code_lines(submission.code()))
    shares = {n: len(own & have) / len(own) for n, own in _own_lines().items() if own}
    best = max(shares, key=shares.get)
    return (best, shares[best]) if shares[best] >= MATCH_THRESHOLD else (None, shares[best])
