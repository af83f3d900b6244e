"""The notebooks of a question, edited with nbformat.

The solution notebook is sphinx-gallery's; :func:`finish_solution_notebook` folds its
prose answer into ``<details>``, as the page folds it, and drops the answer-reading
markers. :func:`exercise_notebook` builds the exercise notebook of a page from the page's
source alone, without a running Sphinx, as sphinx-gallery builds the solution's, except
that

* its first cell says how to check the exercise (``python -m mnistcnn check FILE``), in Jupyter
  and in Colab, where the notebook must first be saved onto the machine that runs it;
* the prose answer is an open markdown cell for the student to write in;
* it keeps every check the page hides (what stands between ``# sphinx_gallery_start_ignore``
  and ``# sphinx_gallery_end_ignore``), where the page runs it, for the checker grades a
  notebook with those cells: in the cells after the ``Check`` heading, and, for a check in
  the middle of the page, in a code cell of its own right after the step it checks, which
  opens with ``mnistcnn.grader.format.INLINE_CHECK_CELL``.

Both carry ``metadata["mnistcnn"] = {"question": N, "page": "<the page's html in the site>", "points": P}``
(P: see :mod:`mnistcnn.grader.points`). The grader reads none of it: it takes a
file's question, points and checks from the book (:mod:`mnistcnn.grader.book`).
"""

from __future__ import annotations

import functools
import re
import runpy
import tempfile
from pathlib import Path

import nbformat
from exercises import PROSE_PLACEHOLDER, make_exercise
from gallery import DOCS, Page, page_of
from sphinx_gallery import py_source_parser
from sphinx_gallery.notebook import jupyter_notebook

from mnistcnn.grader.format import INLINE_CHECK, INLINE_CHECK_CELL
from mnistcnn.grader.points import of_page

FOLDED_ANSWER = re.compile(r"^\.\. dropdown:: Answer[ \t]*\n((?:[ \t]*\n|   .*\n?)*)", re.MULTILINE)
READING_MARKER = re.compile(r"^\.\. answer-reading(?::.*|-end[ \t]*)\n(?:[ \t]*\n)?", re.MULTILINE)
# The prose placeholder of the exercise, as it reads in a text block (comment marks removed).
PROSE_PLACEHOLDER_TEXT = re.sub(r"^#(?: |$)", "", PROSE_PLACEHOLDER, flags=re.MULTILINE)
OPEN_ANSWER = (
    "**Your answer.** COMPLETE: write your answer in this cell, in place of this line, "
    "then compare it with the Answer on the solution page."
)
CHECK_HEADING = re.compile(r"\ACheck\n-+\n")
HIDDEN_MARKER = re.compile(
    rf"{py_source_parser.START_IGNORE_FLAG}[ \t]*\n|{py_source_parser.END_IGNORE_FLAG}[ \t]*\n", re.MULTILINE
)


@functools.cache
def site_gallery_conf() -> dict:
    """sphinx-gallery's configuration of the site, from ``docs/conf.py``, over sphinx-gallery's defaults."""
    from sphinx_gallery.gen_gallery import DEFAULT_GALLERY_CONF

    return {**DEFAULT_GALLERY_CONF, **runpy.run_path(str(DOCS / "conf.py"))["sphinx_gallery_conf"]}


def _metadata(notebook, page: Page) -> None:
    points = of_page(page.source.read_text(encoding="utf-8"))
    notebook.metadata["mnistcnn"] = {"question": page.question, "page": page.html, "points": points}


def finish_solution_notebook(page: Page) -> None:
    """Fold the prose answer of sphinx-gallery's notebook of ``page``, drop the reading markers, add metadata."""
    path = page.target.with_suffix(".ipynb")
    notebook = nbformat.read(path, as_version=4)
    before = nbformat.writes(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = FOLDED_ANSWER.sub(_details, READING_MARKER.sub("", cell.source))
    _metadata(notebook, page)
    if nbformat.writes(notebook) != before:
        nbformat.write(notebook, path)


def _details(match: re.Match) -> str:
    body = re.sub(r"^   ", "", match.group(1), flags=re.MULTILINE).strip("\n")
    return f"<details><summary><b>Answer</b></summary>\n\n{body}\n\n</details>\n"


def _exercise_blocks(blocks: list) -> list:
    """The exercise's blocks as its notebook shows them: an open answer cell, the hidden checks kept."""
    Block = py_source_parser.Block
    shown, in_check = [], False
    for kind, text, line in blocks:
        if kind == "text":
            in_check = in_check or bool(CHECK_HEADING.match(text))
            if PROSE_PLACEHOLDER_TEXT in text:
                before, _, after = text.partition(PROSE_PLACEHOLDER_TEXT)
                parts = (before, OPEN_ANSWER, after)
            else:
                parts = (text,)
            shown += [Block(kind, part, line) for part in parts if part.strip()]
            continue
        if in_check:
            shown.append(Block(kind, py_source_parser.remove_config_comments(HIDDEN_MARKER.sub("", text)), line))
            continue
        position = 0
        for match in INLINE_CHECK.finditer(text):
            shown.append(Block(kind, py_source_parser.remove_config_comments(text[position : match.start()]), line))
            shown.append(Block(kind, f"{INLINE_CHECK_CELL}: the page's own check; keep it.\n{match['check']}", line))
            position = match.end()
        shown.append(Block(kind, py_source_parser.remove_config_comments(text[position:]), line))
    return [block for block in shown if block.content.strip()]


def _first_cell(name: str) -> str:
    return (
        f"**This is an exercise.** Replace every ``...  # COMPLETE: hint`` line with your code and write your "
        "answers where the text says COMPLETE. To check your code, run the notebook's first code cell (it "
        "installs ``mnistcnn`` where it is missing), then:\n\n"
        f"* **in Jupyter on your computer:** save this notebook, then run ``!python -m mnistcnn check {name}`` "
        f"in a cell of its own (or ``python -m mnistcnn check {name}`` in a terminal, in the notebook's folder);\n"
        "* **in Colab:** the notebook is kept in your Drive, not on the machine that runs it, so put a copy "
        f"there first: *File › Download › Download .ipynb*, then drag ``{name}`` onto the *Files* pane (the "
        f"folder icon on the left), and run ``!python -m mnistcnn check {name}`` in a cell of its own, with the "
        "name the download got (Colab names a copy ``Copy of …``; any name works).\n\n"
        "The grader runs the notebook from the top in a fresh process, without that cell, then the page's "
        f"checks: those of the book, whatever the cells after the heading *Check* and those that open with "
        f"``{INLINE_CHECK_CELL}`` say here. Delete the cell afterwards."
    )


def exercise_notebook(
    source: Path, gallery_conf: dict | None = None, exercise: str | None = None
) -> nbformat.NotebookNode:
    """The exercise notebook of the page ``source`` (``examples/<section>/qNN_topic.py``), as the site publishes it.

    ``gallery_conf`` is sphinx-gallery's configuration; by default the site's, read from
    ``docs/conf.py``. ``exercise`` is the text of the exercise script, as a student may have
    completed it; by default the page's exercise, untouched.
    """
    gallery_conf = site_gallery_conf() if gallery_conf is None else gallery_conf
    page = page_of(source, gallery_conf)
    name = f"{source.stem}_exercise"
    with tempfile.TemporaryDirectory() as folder:
        # sphinx-gallery parses files, not strings.
        exercise_file = Path(folder, name + ".py")
        if exercise is None:
            exercise = make_exercise(source.read_text(encoding="utf-8"))[0]
        exercise_file.write_text(exercise, encoding="utf-8")
        _, blocks = py_source_parser.split_code_and_text_blocks(exercise_file)
    first = [py_source_parser.Block("text", _first_cell(name + ".ipynb"), 0)]
    if gallery_conf["first_notebook_cell"] is not None:
        first.append(py_source_parser.Block("code", gallery_conf["first_notebook_cell"], 0))
    conf = {**gallery_conf, "first_notebook_cell": None}
    notebook = nbformat.from_dict(jupyter_notebook(first + _exercise_blocks(blocks), conf, page.target.parent))
    for cell in notebook.cells:
        cell.source = "".join(cell.source)  # as nbformat.read gives it
    _metadata(notebook, page)
    return notebook
