"""The grader's book (``mnistcnn/grader/book.json``) is what the pages give now: it cannot drift."""

from __future__ import annotations

from mnistcnn.grader import book
from mnistcnn.grader.format import code_lines

from .helpers import ROOT


def test_the_committed_book_is_the_one_the_pages_give():
    assert book.BOOK_FILE.read_text(encoding="utf-8") == book.dumps(book.build(ROOT / "examples")), (
        "the pages changed: build the docs, or run "
        "python -c 'from pathlib import Path; from mnistcnn.grader import book; book.write(Path(\"examples\"))'"
    )


def test_the_book_holds_every_question_with_its_checks_points_and_page():
    questions = book.load()
    assert sorted(questions) == list(range(1, 34))
    for number, record in questions.items():
        assert record["title"].startswith(f"Q{number:02d} ·")
        assert record["page"].endswith(".html") and f"/q{number:02d}_" in record["page"]
        assert record["points"] > 0
        assert any(line.startswith("assert") for line in code_lines(record["checks"])), number


def test_the_wheel_ships_the_grader_and_its_book():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # tomllib is not in Python 3.10
    assert 'packages = ["mnistcnn", "mnistcnn.grader"]' in pyproject
    assert f'[tool.setuptools.package-data]\n"mnistcnn.grader" = ["{book.BOOK_FILE.name}"]' in pyproject
