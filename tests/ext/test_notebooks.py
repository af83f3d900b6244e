"""The exercise notebook of every page, built from the page's source as the site builds it."""

from __future__ import annotations

import re

import nbformat
import pytest
from exercises import make_exercise
from gallery import page_of
from notebooks import exercise_notebook, finish_solution_notebook, site_gallery_conf
from sphinx_gallery import py_source_parser
from sphinx_gallery.notebook import jupyter_notebook, save_notebook

from mnistcnn.grader.format import BLANK, NOTEBOOK_CHECK_HEADING

from ..helpers import PAGES

CHECK_CELL = re.compile(r"^# Check\n# -+\n(?:#.*\n)*", re.MULTILINE)


def hidden_checks(source: str) -> list[str]:
    """The lines between the ignore markers of the page's Check cell(s)."""
    check = source[CHECK_CELL.search(source).end() :]
    blocks = re.findall(r"# sphinx_gallery_start_ignore\n(.*?)[ \t]*# sphinx_gallery_end_ignore", check, re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def check_cells(notebook) -> list[str]:
    """The code of the cells after the markdown heading ``Check``, as a checker finds them."""
    cells = notebook.cells
    start = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and NOTEBOOK_CHECK_HEADING.match(c.source))
    return [c.source for c in cells[start + 1 :] if c.cell_type == "code"]


@pytest.fixture(scope="module")
def notebooks():
    return {page: exercise_notebook(page) for page in PAGES}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem[:3])
def test_the_first_cell_says_how_to_check_the_exercise(notebooks, page):
    first = notebooks[page].cells[0]
    assert first.cell_type == "markdown"
    assert f"python -m mnistcnn check {page.stem}_exercise.ipynb" in first.source
    assert f"!python -m mnistcnn check {page.stem}_exercise.ipynb" in first.source
    colab = first.source.split("in Colab:", 1)[1]  # Colab keeps the notebook off the machine: save it there first
    assert "Download .ipynb" in colab and "*Files* pane" in colab
    assert notebooks[page].cells[1].source.startswith(site_gallery_conf()["first_notebook_cell"].strip())


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem[:3])
def test_the_notebook_names_its_question_and_its_page(notebooks, page):
    assert notebooks[page].metadata["mnistcnn"] == {
        "question": int(page.name[1:3]),
        "page": f"auto_examples/{page.parent.name}/{page.stem}.html",
        "points": 1,
    }


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem[:3])
def test_the_check_cells_keep_the_hidden_checks_of_the_page(notebooks, page):
    source = page.read_text(encoding="utf-8")
    code = "\n".join(check_cells(notebooks[page]))
    for line in hidden_checks(source):
        assert line.rstrip() in code, f"hidden check missing from the exercise notebook: {line}"
    assert not any("sphinx_gallery_" in c.source for c in notebooks[page].cells if c.cell_type == "code")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem[:3])
def test_the_answer_is_an_open_cell_and_every_blank_is_there(notebooks, page):
    cells = notebooks[page].cells
    markdown = [c.source for c in cells if c.cell_type == "markdown"]
    answer_cells = [m for m in markdown if m.startswith("**Your answer.** COMPLETE")]
    assert len(answer_cells) == 1
    assert not any("<details>" in m or "dropdown" in m for m in markdown)
    exercise, _ = make_exercise(page.read_text(encoding="utf-8"))
    blanks = [match.group(0) for match in BLANK.finditer(exercise)]
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    assert blanks and all(blank in code for blank in blanks)


def test_a_reading_is_hidden_in_the_exercise_and_shown_without_markers_in_the_solution(tmp_path):
    examples = tmp_path / "examples" / "01_section"
    examples.mkdir(parents=True)
    page = examples / "q05_reading.py"
    page.write_text(
        '"""\nQ05 · A reading\n===============\n"""\n\nimport torch\n\n'
        '# sphinx_gallery_answer = "Make x."\nx = torch.ones(10, 3)\n# sphinx_gallery_answer_end\nprint(x.shape)\n\n'
        "# %%\n# .. answer-reading: What shape has x?\n#\n# 10×3, as asked.\n#\n# .. answer-reading-end\n"
        "#\n# .. dropdown:: Answer\n#\n#    Ten rows.\n\n# %%\n# Check\n# -----\nassert x.shape == (10, 3)\n",
        encoding="utf-8",
    )
    conf = {**site_gallery_conf(), "examples_dirs": str(tmp_path / "examples"), "gallery_dirs": str(tmp_path / "out")}
    exercise = exercise_notebook(page, conf)
    markdown = "\n".join(c.source for c in exercise.cells if c.cell_type == "markdown")
    assert "COMPLETE: What shape has x?" in markdown and "10×3" not in markdown

    solution = page_of(page, conf)
    solution.target.parent.mkdir(parents=True)
    _, blocks = py_source_parser.split_code_and_text_blocks(page)
    save_notebook(jupyter_notebook(blocks, conf, solution.target.parent), solution.target.with_suffix(".ipynb"))
    finish_solution_notebook(solution)
    finished = nbformat.read(solution.target.with_suffix(".ipynb"), as_version=4)
    markdown = "\n".join(c.source for c in finished.cells if c.cell_type == "markdown")
    assert "10×3, as asked." in markdown and "answer-reading" not in markdown
    assert "<details><summary><b>Answer</b></summary>\n\nTen rows.\n\n</details>" in markdown
    assert finished.metadata["mnistcnn"] == {
        "question": 5,
        "page": f"{tmp_path / 'out'}/01_section/q05_reading.html",
        "points": 1,
    }
