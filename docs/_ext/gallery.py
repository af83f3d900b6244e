"""The question pages: their sources in the examples folder, and where sphinx-gallery puts them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mnistcnn.grader.format import QUESTION_FILE

DOCS = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Page:
    """One question page.

    ``source`` is ``examples/<section>/qNN_topic.py``; ``target`` is sphinx-gallery's copy
    of it in the gallery folder, beside the page's generated rST, outputs and notebook;
    ``html`` is the page's path in the site.
    """

    question: int
    source: Path
    target: Path
    html: str


def is_question_page(docname: str) -> bool:
    """Whether the document ``docname`` (``auto_examples/01_tensors/q05_stack_and_cat``) is a question's page."""
    return bool(QUESTION_FILE.match(docname.rsplit("/", 1)[-1] + ".py"))


def write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` unless ``path`` holds it already: an unchanged file keeps its time,
    and Sphinx sees nothing new."""
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def page_of(source: Path, gallery_conf: dict) -> Page:
    """The page of ``source``, a question file in the examples folder."""
    match = QUESTION_FILE.match(source.name)
    if match is None:
        raise ValueError(f"{source.name} is not a question page (qNN_topic.py)")
    relative = source.resolve().relative_to((DOCS / gallery_conf["examples_dirs"]).resolve())
    return Page(
        question=int(match.group(1)),
        # Normalised as sphinx-gallery names examples (gallery_conf["titles"], ["failing_examples"]).
        source=Path(os.path.normpath(source.resolve())),
        target=DOCS / gallery_conf["gallery_dirs"] / relative,
        html=f"{gallery_conf['gallery_dirs']}/{relative.with_suffix('.html').as_posix()}",
    )


def pages(gallery_conf: dict) -> list[Page]:
    """Every question page, in the order of the questions."""
    examples = DOCS / gallery_conf["examples_dirs"]
    found = [page_of(s, gallery_conf) for s in examples.rglob("q*.py") if QUESTION_FILE.match(s.name)]
    return sorted(found, key=lambda page: page.question)
