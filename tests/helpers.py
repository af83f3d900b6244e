"""What several test modules share: paths, quiet calls, IDX writers, and the pages' exercises as a
student completes them. Test modules import from here, never from one another or from a conftest."""

from __future__ import annotations

import ast
import contextlib
import gzip
import io
import os
from pathlib import Path

import nbformat
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from exercises import CODE_ANSWER, code_lines, make_exercise
from notebooks import exercise_notebook

from mnistcnn.grader.format import BLANK

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PAGES = sorted(EXAMPLES.rglob("q[0-9][0-9]_*.py"))

# The built site that tests/site and tests/browser read back: MNISTCNN_SITE names another build.
BUILD = Path(os.environ.get("MNISTCNN_SITE", ROOT / "docs" / "_build"))
HTML = BUILD / "html"
GALLERY = ROOT / "docs" / "auto_examples"
QUESTIONS = list(range(1, 34))


def downloaded(soup, page_dir: Path, name: str) -> Path:
    """The file behind the one download link of a page (in ``page_dir``) to ``name``."""
    links = [a["href"] for a in soup.select("a.download, a.reference.download") if a["href"].endswith(f"/{name}")]
    assert len(links) == 1, f"{len(links)} download links to {name}"
    return (page_dir / links[0]).resolve()


def run_quietly(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, and what it printed."""
    with contextlib.redirect_stdout(io.StringIO()) as out:
        result = fn(*args, **kwargs)
    return result, out.getvalue()


def subprocess_env() -> dict[str, str]:
    """This environment, with this checkout's ``mnistcnn`` importable in a new Python process."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def write_idx(path: Path, array: np.ndarray, magic: int | None = None, compress: bool = True) -> Path:
    """Write ``array`` (uint8) as an IDX file, gzip-compressed when the name ends in .gz."""
    magic = magic if magic is not None else 0x00000800 | array.ndim
    header = magic.to_bytes(4, "big") + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    payload = header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


def page(question: int) -> Path:
    return next(p for p in PAGES if p.name.startswith(f"q{question:02d}_"))


def completed(source: str, edit=lambda answer: answer) -> str:
    """The exercise of ``source`` as a student completes it: each code blank filled with the
    page's answer, passed through ``edit``; the written answer is left as it is."""
    exercise, answers = make_exercise(source)
    bodies = iter(edit(CODE_ANSWER.match(a).group("body")) for a in answers if CODE_ANSWER.match(a))
    return BLANK.sub(lambda _: next(bodies).removesuffix("\n"), exercise)


def write(folder: Path, question: int, text: str, suffix: str = ".py") -> Path:
    """``text`` as the student's exercise of ``question`` in ``folder``: a script, or a notebook."""
    path = folder / f"{page(question).stem}_exercise{suffix}"
    if suffix == ".ipynb":
        nbformat.write(exercise_notebook(page(question), exercise=text), path)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def solution_code(question: int) -> list[str]:
    _, answers = make_exercise(page(question).read_text(encoding="utf-8"))
    return [line for a in answers if CODE_ANSWER.match(a) for line in code_lines(a)]


def definition_from_page(pattern: str, name: str):
    """Execute only the top-level definition ``name`` of the page matching ``pattern``."""
    (source,) = EXAMPLES.glob(pattern)
    module = ast.parse(source.read_text(encoding="utf-8"))
    nodes = [n for n in module.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == name]
    assert len(nodes) == 1, f"{source.name} must define {name} once at top level"
    namespace = {"np": np, "torch": torch, "nn": nn, "F": F}
    exec(compile(ast.Module(body=nodes, type_ignores=[]), str(source), "exec"), namespace)
    return namespace[name]
