"""Each question's exercise, beside its page: files, downloads, and one zip for a course.

After sphinx-gallery, every page gets ``qNN_topic_exercise.py`` (see :mod:`exercises`; after
its question, it says how to check it and names its solution page, as the notebook's first
cell and metadata do) and ``qNN_topic_exercise.ipynb`` (see :mod:`notebooks`) beside its own
downloads, and its solution notebook is finished (:func:`notebooks.finish_solution_notebook`).
All exercise notebooks go into ``mnistcnn_exercises.zip``, at the top of the gallery. The
grader's book of checks, points and questions (:mod:`mnistcnn.grader.book`) is written again
where the pages changed it.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import nbformat
from exercises import make_exercise
from gallery import DOCS, Page, is_question_page, pages, write_if_changed
from notebooks import exercise_notebook, finish_solution_notebook

from mnistcnn.grader import book
from mnistcnn.grader.format import SOLUTION_PAGE_LINE

EXERCISE_ZIP = "mnistcnn_exercises.zip"
# The last download link sphinx-gallery writes on a page (gen_rst.ZIP_DOWNLOAD).
ZIP_DOWNLOAD_LINE = re.compile(r"(      :download:`Download zipped: .*\n)")
DOCSTRING = re.compile(r'\Ar?""".*?"""\n', re.DOTALL)


def exercise_script(page: Page) -> str:
    """The page's exercise as a script: its question, how to check it, its solution page, its blanks."""
    exercise = make_exercise(page.source.read_text(encoding="utf-8"))[0]
    question = DOCSTRING.match(exercise)
    if question is None:
        raise ValueError(f"{page.source.name} does not open with its question, in a docstring")
    name = page.target.stem + "_exercise.py"
    how_to = (
        "\n# This is an exercise. Replace every `...  # COMPLETE: hint` line with your code and write\n"
        "# your answers where the text says COMPLETE. To check your code, run\n#\n"
        f"#     python -m mnistcnn check {name}\n#\n"
        "# The checks are the page's: the code after the heading Check, and the code between a\n"
        "# `sphinx_gallery_start_ignore` line and its `sphinx_gallery_end_ignore`. The grader runs\n"
        "# the book's own, whatever this file says.\n"
        f"{SOLUTION_PAGE_LINE}{page.html}\n"
    )
    return question.group(0) + how_to + exercise[question.end() :]


def write_exercise(page: Page, gallery_conf: dict) -> Path:
    """Write the page's exercise script and notebook beside it; return the notebook's path."""
    exercise = page.target.with_name(page.target.stem + "_exercise.py")
    write_if_changed(exercise, exercise_script(page))
    notebook = exercise.with_suffix(".ipynb")
    write_if_changed(notebook, nbformat.writes(exercise_notebook(page.source, gallery_conf)) + "\n")
    return notebook


def write_exercises(app) -> None:
    """builder-inited, after sphinx-gallery: the exercises, the finished solution notebooks, the zip,
    and the grader's book (``mnistcnn/grader/book.json``) where the pages changed it."""
    gallery_conf = app.config.sphinx_gallery_conf
    book.write(DOCS / gallery_conf["examples_dirs"])
    notebooks = []
    for page in pages(gallery_conf):
        if page.target.with_suffix(".ipynb").is_file():
            finish_solution_notebook(page)
        notebooks.append(write_exercise(page, gallery_conf))
    gallery = Path(app.srcdir, gallery_conf["gallery_dirs"])
    with zipfile.ZipFile(gallery / EXERCISE_ZIP, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for notebook in notebooks:
            archive.write(notebook, f"mnistcnn-exercises/{notebook.parent.name}/{notebook.name}")


def add_downloads(app, docname, source) -> None:
    """source-read: the exercise downloads, after the page's own."""
    if not is_question_page(docname):
        return
    stem = docname.rsplit("/", 1)[-1]
    downloads = (
        "\n    .. container:: sphx-glr-download sphx-glr-download-jupyter\n\n"
        f"      :download:`Download exercise notebook: {stem}_exercise.ipynb <{stem}_exercise.ipynb>`\n"
        "\n    .. container:: sphx-glr-download sphx-glr-download-python\n\n"
        f"      :download:`Download exercise source code: {stem}_exercise.py <{stem}_exercise.py>`\n"
    )
    source[0] = ZIP_DOWNLOAD_LINE.sub(lambda m: m.group(1) + downloads, source[0], count=1)
