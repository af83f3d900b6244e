"""The book's rules for grading: each question's checks, points and identity, from its page.

A submission supplies values, never the rules it is judged by. :func:`build` reads every
question page of ``examples/`` into one record per question; the docs build writes them to
``book.json`` in this package (:func:`write`, called by ``docs/_ext/exercise_files.py``), so an
installed package grades without the page sources, and ``tests/test_book.py`` proves the
committed file is what the pages give now.
"""

from __future__ import annotations

import ast
import functools
import json
from pathlib import Path

from . import points
from .format import QUESTION_FILE, SCRIPT_CHECK_HEADING, code_lines, make_exercise, split_checks

BOOK_FILE = Path(__file__).with_name("book.json")
GALLERY = "auto_examples"  # where sphinx-gallery puts the pages in the site (docs/conf.py's gallery_dirs)


def _imports(code: str) -> list[str]:
    """The import statements at the top level of ``code``, as source lines."""
    return [ast.unparse(node) for node in ast.parse(code).body if isinstance(node, (ast.Import, ast.ImportFrom))]


def question_record(source: Path) -> dict:
    """The record of one question page ``examples/<section>/qNN_topic.py``: what grading it needs.

    ``steps`` is the exercise's code cut at its inline checks (``{"code": ...}`` or ``{"check": ...}``),
    ``checks`` the code of its Check section, ``imports`` the import statements of the exercise
    (the checks get these names from the grader, never from the student).
    """
    text = source.read_text(encoding="utf-8")
    exercise = make_exercise(text)[0]
    heading = SCRIPT_CHECK_HEADING.search(exercise)
    if heading is None:
        raise ValueError(f"{source.name} has no Check section (# Check / # -----)")
    code, checks = exercise[: heading.start()], exercise[heading.end() :]
    steps = [{"check" if check else "code": piece} for piece, check in split_checks(code)]
    title = ast.get_docstring(ast.parse(text)) or ""
    return {
        "question": int(QUESTION_FILE.match(source.name).group(1)),
        "title": title.splitlines()[0] if title else source.stem,
        "page": f"{GALLERY}/{source.parent.name}/{source.stem}.html",
        "points": points.of_page(text),
        "steps": steps,
        "checks": checks,
        "imports": _imports(exercise),
    }


def build(examples: Path) -> dict[str, dict]:
    """Every question of the pages in ``examples``, by number (``"5"``), in order."""
    sources = sorted(p for p in Path(examples).rglob("q*.py") if QUESTION_FILE.match(p.name))
    records = [question_record(p) for p in sources]
    numbers = [r["question"] for r in records]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"two pages for one question in {examples}")
    return {str(r["question"]): r for r in sorted(records, key=lambda r: r["question"])}


def dumps(book: dict) -> str:
    """The text of ``book.json`` for ``book``."""
    return json.dumps(book, indent=1, ensure_ascii=False) + "\n"


def write(examples: Path, path: Path = BOOK_FILE) -> bool:
    """Write the book of ``examples`` to ``path`` unless it holds it already; whether it wrote."""
    text = dumps(build(examples))
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


@functools.cache
def load() -> dict[int, dict]:
    """The book shipped with this package, by question number."""
    return {int(n): record for n, record in json.loads(BOOK_FILE.read_text(encoding="utf-8")).items()}


def question_points() -> dict[int, float]:
    """Each question of the book, in order, and what it is worth: what every gradebook is out of."""
    return {number: record["points"] for number, record in sorted(load().items())}


def exercise_code(record: dict) -> str:
    """The code a student gets for the question of ``record``, its inline checks and Check section included."""
    return "".join(step.get("code") or step["check"] for step in record["steps"]) + record["checks"]


def check_lines(record: dict) -> list[str]:
    """The statements of the question's checks, inline and final, in order."""
    pieces = [step["check"] for step in record["steps"] if "check" in step] + [record["checks"]]
    return [line for piece in pieces for line in code_lines(piece)]
