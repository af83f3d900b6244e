"""Every question's exercise is derived from its solution page, and gives it back."""

from __future__ import annotations

import ast
import re
import sys

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "docs" / "_ext"))
from exercises import code_lines, make_exercise, restore

PAGES = sorted((ROOT / "examples").rglob("q[0-9][0-9]_*.py"))


def test_there_is_one_page_per_question_q1_to_q33():
    numbers = [int(page.name[1:3]) for page in PAGES]
    assert numbers == list(range(1, 34))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_exercise_is_valid_python_with_every_answer_blanked(page):
    source = page.read_text(encoding="utf-8")
    exercise, answers = make_exercise(source)
    ast.parse(exercise)
    code_answers = [a for a in answers if "sphinx_gallery_answer" in a]
    prose_answers = [a for a in answers if a.startswith("# .. dropdown:: Answer")]
    assert code_answers, "every question needs some answer code to blank out"
    assert prose_answers, "every question needs a prose answer"
    assert exercise.count("COMPLETE") == len(answers)
    assert "sphinx_gallery_answer" not in exercise
    outside = source
    for answer in answers:
        outside = outside.replace(answer, "")
    for answer in code_answers:
        for line in code_lines(answer):
            if line not in outside:
                assert line not in exercise, f"solution code left in the exercise: {line}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_putting_the_answers_back_gives_the_solution_exactly(page):
    source = page.read_text(encoding="utf-8")
    assert restore(*make_exercise(source)) == source


def test_marker_mistakes_are_caught():
    with pytest.raises(ValueError, match="one-line string"):
        make_exercise("# sphinx_gallery_answer = 3\nx = 1\n# sphinx_gallery_answer_end\n")
    exercise, answers = make_exercise('# sphinx_gallery_answer = "set x"\nx = 1\n# sphinx_gallery_answer_end\n')
    assert exercise == "...  # COMPLETE: set x\n"
    with pytest.raises(ValueError, match="fewer placeholders"):
        restore("", answers)
    with pytest.raises(ValueError, match="more placeholders"):
        restore(exercise + exercise, answers)


def test_an_indented_answer_keeps_its_block_valid():
    source = (
        "def f(x):\n"
        '    # sphinx_gallery_answer = "double it"\n'
        "    y = 2 * x\n"
        "    return y\n"
        "    # sphinx_gallery_answer_end\n"
    )
    exercise, _ = make_exercise(source)
    assert re.fullmatch(r"def f\(x\):\n    \.\.\.  # COMPLETE: double it\n", exercise)
    ast.parse(exercise)
