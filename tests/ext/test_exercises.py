"""Every question's exercise is derived from its solution page, and gives it back."""

from __future__ import annotations

import ast
import re

import pytest
from exercises import code_lines, make_exercise, restore

from ..helpers import PAGES


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


READING_PAGE = (
    "# %%\n"
    "# Concatenating\n"
    "# -------------\n"
    "\n"
    '# sphinx_gallery_answer = "Concatenate x and y along dimension 0."\n'
    "rows = torch.cat((x, y), 0)\n"
    "# sphinx_gallery_answer_end\n"
    "print(rows.shape)\n"
    "\n"
    "# %%\n"
    "# .. answer-reading: What shape does rows have?\n"
    "#\n"
    "# 10×3: the rows of y come after those of x.\n"
    "#\n"
    "# .. answer-reading-end\n"
    "#\n"
    "# Where every entry comes from\n"
    "# ----------------------------\n"
)


def test_a_reading_of_the_answer_becomes_a_placeholder_with_its_hint():
    exercise, answers = make_exercise(READING_PAGE)
    assert "# COMPLETE: What shape does rows have?\n#\n# Where every entry comes from\n" in exercise
    assert "10×3" not in exercise and "answer-reading" not in exercise
    assert answers[1].startswith("# .. answer-reading: What shape") and "10×3" in answers[1]
    assert restore(exercise, answers) == READING_PAGE


def test_a_reading_marker_without_its_pair_is_an_error():
    unterminated = READING_PAGE.replace("# .. answer-reading-end\n", "")
    with pytest.raises(ValueError, match="without its pair"):
        make_exercise(unterminated)
    indented = READING_PAGE.replace("# .. answer-reading: ", "#    .. answer-reading: ")
    with pytest.raises(ValueError, match="without its pair, or indented"):
        make_exercise(indented)
    with pytest.raises(ValueError, match="needs a hint"):
        make_exercise(READING_PAGE.replace("answer-reading: What shape does rows have?", "answer-reading: "))


def test_the_reading_markers_are_invisible_on_the_page_and_its_prose_is_shown():
    from docutils.core import publish_doctree
    from docutils.nodes import comment, paragraph

    text_cell = re.sub(r"^# ?", "", READING_PAGE.split("# %%\n")[2], flags=re.MULTILINE)
    tree = publish_doctree(text_cell, settings_overrides={"halt_level": 2})
    shown = " ".join(p.astext() for p in tree.findall(paragraph))
    assert shown == "10×3: the rows of y come after those of x."
    comments = [c.astext() for c in tree.findall(comment)]
    assert comments == ["answer-reading: What shape does rows have?", "answer-reading-end"]
