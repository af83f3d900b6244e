"""``python -m mnistcnn check``: grade completed exercises with their pages' own checks.

An exercise is a question page with its answer code replaced by ``...  # COMPLETE: hint``
lines. The page ends with a ``Check`` section whose code proves the answer, and may check a
step right where it happens, with code the page hides; both exercise forms keep every check
at its place: the ``.py`` between the page's ``# sphinx_gallery_start_ignore`` and
``# sphinx_gallery_end_ignore`` lines, the notebook in a code cell of its own that opens with
``# Check of the step above``. To grade a file, :func:`check_file` runs it from the top in a
fresh process (a script) or a fresh Jupyter kernel (a notebook), each check one statement at
a time where it stands, then the Check code, and gives one verdict:

* ``not attempted``: a ``COMPLETE`` line is still there (the file is not run);
* ``error``: the student's code raised;
* ``wrong``: a check failed; the message says which, with the student's values;
* ``timed out``: the file ran longer than the time limit;
* ``passed``.

The written answers are never graded: the report lists the solution pages to compare with.
"""

from __future__ import annotations

import argparse
import ast
import json
import operator
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from . import points, sandbox

PASSED, WRONG, ERROR, NOT_ATTEMPTED, TIMED_OUT = "passed", "wrong", "error", "not attempted", "timed out"
DEFAULT_TIMEOUT = 300.0

BLANK = re.compile(r"^[ \t]*\.\.\.[ \t]*#[ \t]*COMPLETE:[ \t]*(?P<hint>.*?)[ \t]*$", re.MULTILINE)
SCRIPT_CHECK_HEADING = re.compile(r"^# Check[ \t]*\n# -{3,}[ \t]*\n", re.MULTILINE)
NOTEBOOK_CHECK_HEADING = re.compile(r"\A\s*(?:#+[ \t]*Check[ \t]*|Check[ \t]*\n-{3,}[ \t]*)(?:\n|\Z)")
# A check in the middle of the code: hidden on the page, kept at its place in the exercises.
INLINE_CHECK = re.compile(
    r"^# sphinx_gallery_start_ignore[ \t]*\n(?P<check>(?:.*\n)*?)# sphinx_gallery_end_ignore[ \t]*(?:\n|\Z)",
    re.MULTILINE,
)
INLINE_CHECK_CELL = "# Check of the step above"  # the first line of such a check's notebook cell
# A .py exercise names its solution page in this line (a notebook, in its metadata): a copy
# graded away from its section folder, without the page sources, still names the right page.
SOLUTION_PAGE_LINE = "# The solution page, in the site: "
SOLUTION_PAGE = re.compile(rf"^{re.escape(SOLUTION_PAGE_LINE)}(?P<page>\S+\.html)[ \t]*$", re.MULTILINE)
QUESTION_IN_NAME = re.compile(r"^q(\d\d)_")
QUESTION_IN_TITLE = re.compile(r"^#*\s*Q(\d+) ·", re.MULTILINE)
PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # the folder that holds mnistcnn/
PAGES = PACKAGE_ROOT / "examples"  # the page sources, in a checkout of the project


@dataclass
class Cell:
    """Code of an exercise, where it is (``cell 7`` or ``line 47``), its first line number, and
    whether it is a check of the step before it."""

    source: str
    where: str
    first_line: int = 1
    check: bool = False

    def at(self, line: int) -> str:
        """Where line ``line`` of this code is: a line of the script, or a line of the notebook's cell."""
        if self.where.startswith("line"):
            return f"line {self.first_line + line - 1}"
        return f"{self.where}, line {line}"


@dataclass
class Exercise:
    """An exercise file, read: its question, the student's code and the page's checks."""

    path: Path
    question: int | None
    page: str
    code: list[Cell]  # the student's code, with the checks of its steps in between
    checks: list[Cell]  # the Check section
    blanks: list[tuple[str, str]] = field(default_factory=list)  # (where, hint)


@dataclass
class Result:
    """One file's verdict, as written to ``--json``."""

    file: str
    question: int | None
    verdict: str
    message: str
    seconds: float
    page: str
    points: float = 0  # its page's points when it passed (see mnistcnn.points), else 0
    max_points: float = 1


# Reading exercises ---------------------------------------------------------------


def _question(path: Path, text: str) -> int | None:
    match = QUESTION_IN_NAME.match(path.name) or QUESTION_IN_TITLE.search(text)
    return int(match.group(1)) if match else None


def _page_source(question: int | None) -> Path | None:
    """The source of the question's page, in a checkout of the project; else None."""
    sources = sorted(PAGES.glob(f"*/q{question:02d}_*.py")) if question is not None else []
    return sources[0] if sources else None


def _page(path: Path, question: int | None) -> str:
    """The solution page's path in the site, e.g. ``auto_examples/01_tensors/q05_stack_and_cat.html``."""
    stem = path.stem.removesuffix("_exercise")
    folder = path.parent.name
    source = None if re.match(r"^\d\d_", folder) else _page_source(question)
    if source is not None:
        stem, folder = source.stem, source.parent.name
    page = f"auto_examples/{folder}/{stem}.html" if re.match(r"^\d\d_", folder) else f"{stem}.html"
    return site_url() + page


def site_url() -> str:
    """The published site's address with a final ``/``, when known (``MNISTCNN_SITE_URL``, or GitHub Pages
    of ``GITHUB_REPOSITORY``); else ``""``, and page addresses stay relative."""
    url = os.environ.get("MNISTCNN_SITE_URL")
    if not url and "/" in os.environ.get("GITHUB_REPOSITORY", ""):
        owner, name = os.environ["GITHUB_REPOSITORY"].split("/", 1)
        url = f"https://{owner}.github.io/{name}"
    return url.rstrip("/") + "/" if url else ""


def _page_checks(question: int | None) -> list[Cell]:
    """The Check code of the question's page source, for a copy that lost its own."""
    source = _page_source(question)
    return read_exercise(source).checks if source is not None else []


def _blanks(cells: list[Cell]) -> list[tuple[str, str]]:
    found = []
    for cell in cells:
        for match in BLANK.finditer(cell.source):
            found.append((cell.at(cell.source.count("\n", 0, match.start()) + 1), match.group("hint")))
    return found


def _script_cells(text: str, start: int, end: int) -> list[Cell]:
    """``text[start:end]`` as cells of code and of inline checks, each with its first line."""
    cells = []

    def add(a: int, b: int, check: bool = False) -> None:
        line = text.count("\n", 0, a) + 1
        if text[a:b].strip():
            cells.append(Cell(text[a:b], f"line {line}", line, check))

    position = start
    for match in INLINE_CHECK.finditer(text, start, end):
        add(position, match.start())
        add(match.start("check"), match.end("check"), check=True)
        position = match.end()
    add(position, end)
    return cells


def _read_script(path: Path) -> Exercise:
    text = path.read_text(encoding="utf-8")
    question = _question(path, text)
    heading = SCRIPT_CHECK_HEADING.search(text)
    split = heading.start() if heading else len(text)
    code = _script_cells(text, 0, split)
    checks = _script_cells(text, split, len(text)) if heading else _page_checks(question)
    named = SOLUTION_PAGE.search(text)
    page = site_url() + named["page"] if named else _page(path, question)
    return Exercise(path, question, page, code, checks, _blanks(code))


# A cell where the student runs this grader on the notebook itself: left out of grading,
# which would otherwise start the grader again from inside itself.
GRADER_CALL = re.compile(r"^\s*[!%].*\bmnistcnn\s+check\b", re.MULTILINE)


def _require_check_extra() -> None:
    """Stop with how to install what grading a notebook needs, when it is missing."""
    import importlib.util

    missing = [name for name in ("nbformat", "nbclient", "ipykernel") if importlib.util.find_spec(name) is None]
    if missing:
        raise ModuleNotFoundError(
            f"grading a notebook needs {', '.join(missing)}: pip install 'mnistcnn[check]' "
            "(or grade the exercise's .py script, which needs nothing more)"
        )


def _read_notebook(path: Path) -> Exercise:
    _require_check_extra()
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    info = notebook.metadata.get("mnistcnn", {})
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    question = info.get("question", _question(path, text))
    page = site_url() + info["page"] if "page" in info else _page(path, question)
    code, checks, in_checks = [], [], False
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "markdown" and NOTEBOOK_CHECK_HEADING.match(cell.source):
            in_checks = True
        elif cell.cell_type == "code" and not GRADER_CALL.search(cell.source):
            inline = not in_checks and cell.source.lstrip().startswith(INLINE_CHECK_CELL)
            (checks if in_checks else code).append(Cell(cell.source, f"cell {number}", check=inline))
    if not in_checks:
        checks = _page_checks(question)
    return Exercise(path, question, page, code, checks, _blanks(code))


def read_exercise(path: str | Path) -> Exercise:
    """Read an exercise notebook (``.ipynb``) or script (``.py``)."""
    path = Path(path)
    return _read_notebook(path) if path.suffix == ".ipynb" else _read_script(path)


def find_exercises(paths: list[str | Path]) -> list[Path]:
    """The files to grade: the files given, and in the folders given, every question notebook or script."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += [
                p
                for p in sorted(path.rglob("*"))
                if p.suffix in (".ipynb", ".py")
                and QUESTION_IN_NAME.match(p.name)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            ]
        elif path.is_file():
            found.append(path)
        else:
            raise ValueError(f"no such file or folder: {path}")
    return found


# Explaining a failed check -----------------------------------------------------

_COMPARE = {
    ast.Eq: (operator.eq, "=="),
    ast.NotEq: (operator.ne, "!="),
    ast.Lt: (operator.lt, "<"),
    ast.LtE: (operator.le, "<="),
    ast.Gt: (operator.gt, ">"),
    ast.GtE: (operator.ge, ">="),
    ast.Is: (operator.is_, "is"),
    ast.IsNot: (operator.is_not, "is not"),
    ast.In: (lambda a, b: a in b, "in"),
    ast.NotIn: (lambda a, b: a not in b, "not in"),
}


def show(value, width: int = 70) -> str:
    """A short, one-line description of a value: shapes as tuples, long tensors by their shape."""
    if type(value).__name__ == "Size":
        return str(tuple(value))
    if isinstance(value, float):
        return repr(round(value, 4)) if 1e-3 <= abs(value) < 1e6 else f"{value:.4g}"
    text = " ".join(repr(value).split())
    shape = getattr(value, "shape", None)
    if len(text) > width and shape is not None and hasattr(value, "dtype"):
        return f"{type(value).__name__} of shape {tuple(shape)} ({str(value.dtype).removeprefix('torch.')})"
    return text if len(text) <= width else text[: width - 1] + "…"


def _is_literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True


def explain(test: ast.expr, source: str, namespace: dict) -> str:
    """Why the expression ``test`` (of the check code ``source``) is false, with the values involved."""

    def text(node):
        return " ".join(ast.get_source_segment(source, node).split())

    def value(node):
        return eval(compile(ast.Expression(node), "<check>", "eval"), namespace)

    def named(node):
        return f"{text(node)} is {show(value(node))}"

    def expected(node, got):
        return text(node) if _is_literal(node) else f"{text(node)} = {show(got)}"

    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return next((explain(v, source, namespace) for v in test.values if not value(v)), named(test))
    if isinstance(test, ast.BoolOp):
        return "; ".join(explain(v, source, namespace) for v in test.values)
    if isinstance(test, ast.Compare):
        left, left_value = test.left, value(test.left)
        for op, right in zip(test.ops, test.comparators):
            right_value = value(right)
            compare, symbol = _COMPARE[type(op)]
            if not compare(left_value, right_value):
                if isinstance(op, ast.Eq):
                    if _is_literal(left) and not _is_literal(right):
                        left, left_value, right, right_value = right, right_value, left, left_value
                    return f"{text(left)} is {show(left_value)}; expected {expected(right, right_value)}"
                return f"{text(left)} is {show(left_value)}; expected {symbol} {expected(right, right_value)}"
            left, left_value = right, right_value
    if isinstance(test, ast.Call):
        values = [named(arg) for arg in test.args if not _is_literal(arg)]
        return "; ".join([named(test), *values])
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return f"{named(test.operand)}; expected it to be false"
    return named(test)


def run_checks(checks: list[dict], namespace: dict) -> dict:
    """Run the Check code in ``namespace`` one statement at a time; the first failure is the verdict."""
    for cell in (Cell(**c) for c in checks):
        try:
            tree = ast.parse(cell.source)
        except SyntaxError as err:
            return {"verdict": ERROR, "message": f"the check code at {cell.where} is not valid Python: {err.msg}"}
        for node in tree.body:
            where = cell.at(node.lineno)
            check = " ".join(ast.get_source_segment(cell.source, node).split())
            check = check if len(check) <= 100 else check[:99] + "…"
            try:
                if isinstance(node, ast.Assert):
                    if value := eval(compile(ast.Expression(node.test), cell.where, "eval"), namespace):
                        continue
                    try:
                        why = explain(node.test, cell.source, namespace)
                    except Exception:
                        why = f"{show(value)}"
                    note = eval(compile(ast.Expression(node.msg), cell.where, "eval"), namespace) if node.msg else None
                    if isinstance(note, str):  # the check's own words
                        why = f"{note}: {why}"
                    return {"verdict": WRONG, "message": f"check failed at {where}: {check}\n{why}"}
                exec(compile(ast.Module([node], []), cell.where, "exec"), namespace)
            except Exception as err:
                return {
                    "verdict": WRONG,
                    "message": f"check could not run at {where}: {check}\n{type(err).__name__}: {err}",
                }
    if not checks:
        return {"verdict": ERROR, "message": "no Check section in this file, and no page to take it from"}
    return {"verdict": PASSED, "message": ""}


# Running a script ---------------------------------------------------------------


def _error(where: str, err: BaseException, line: str | None) -> dict:
    message = f"{where}: {type(err).__name__}: {err.msg if isinstance(err, SyntaxError) else err}"
    return {"verdict": ERROR, "message": message + (f"\n    {line.strip()}" if line and line.strip() else "")}


def run_script(path: str, result_file: str) -> None:
    """In a fresh process: run the student's part of an exercise script, then its checks."""
    exercise = _read_script(Path(path))
    namespace = {"__name__": "__main__", "__file__": path}
    sys.argv = [path]
    try:
        result = None
        for cell in exercise.code:
            if cell.check:
                result = run_checks([asdict(cell)], namespace)
                if result["verdict"] != PASSED:
                    break
            else:  # compiled at its own lines of the file, so that errors say where
                exec(compile("\n" * (cell.first_line - 1) + cell.source, path, "exec"), namespace)
        else:
            result = run_checks([asdict(c) for c in exercise.checks], namespace)
    except SyntaxError as err:
        result = _error(f"line {err.lineno}", err, err.text)
    except BaseException as err:
        frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename == path]
        where = f"line {frames[-1].lineno}" if frames else None
        if isinstance(err, KeyboardInterrupt):  # the time limit: the grader interrupted it
            result = {"verdict": TIMED_OUT, "message": where or ""}
        else:
            result = _error(where or path, err, frames[-1].line if frames else None)
    Path(result_file).write_text(json.dumps(result), encoding="utf-8")


# Warnings that announce a change of the libraries: with ``--warnings-are-errors`` the code that
# raises one fails, as in the textbook's own build.
STRICT_WARNINGS = ("DeprecationWarning", "FutureWarning", "UserWarning")
# The same, run first in a notebook's kernel; the kernel's own machinery is not the notebook's code.
STRICT_WARNINGS_CELL = (
    "import warnings\n"
    f"for _category in ({', '.join(STRICT_WARNINGS)}):\n"
    '    warnings.filterwarnings("error", category=_category)\n'
    'warnings.filterwarnings("default", module=r"(ipykernel|jupyter_client|zmq|tornado|IPython|traitlets|comm"\n'
    '                        r"|asyncio)\\b")\n'
)


def _check_script(exercise: Exercise, timeout: float, result_file: Path, warnings_are_errors: bool) -> dict:
    strict = [f"-Werror::{category}" for category in STRICT_WARNINGS] if warnings_are_errors else []
    command = [sys.executable, *strict, "-c", "import sys, mnistcnn.check as c; c.run_script(*sys.argv[1:])"]
    folder = result_file.parent
    env = {**sandbox.environment(folder), "MPLBACKEND": "Agg"}
    process = subprocess.Popen(
        sandbox.command([*command, str(sandbox.admit(exercise.path, folder)), str(result_file)], folder),
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        **sandbox.popen_options(),
    )
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if os.name == "posix":
            process.send_signal(signal.SIGINT)  # the script says where it was
        try:
            process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
        result = json.loads(result_file.read_text()) if result_file.is_file() else {}
        if result.get("verdict") not in (None, TIMED_OUT):  # it had just finished
            return result
        return _timed_out(timeout, result.get("message"))
    if not result_file.is_file():
        tail = "\n".join(stderr.strip().splitlines()[-3:])
        return {"verdict": ERROR, "message": f"Python stopped with exit status {process.returncode}\n{tail}"}
    return json.loads(result_file.read_text(encoding="utf-8"))


def _timed_out(timeout: float, where: str | None) -> dict:
    at = f" at {where}" if where else ""
    return {"verdict": TIMED_OUT, "message": f"still running{at} after {timeout:g} s (the time limit: --timeout)"}


# Running a notebook -------------------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _check_notebook(exercise: Exercise, timeout: float, result_file: Path, warnings_are_errors: bool) -> dict:
    try:
        return _run_notebook(exercise, timeout, result_file, warnings_are_errors)
    finally:
        if threading.current_thread() is not threading.main_thread():
            _close_event_loop()


def _close_event_loop() -> None:
    """Close the event loop that nbclient ran on in this thread (jupyter_core 5.1 and later make
    one per thread): a worker thread of ``--jobs`` would leave it open when it ends. The next
    notebook in the thread gets a new one."""
    try:
        from jupyter_core.utils import ensure_event_loop
    except ImportError:  # an older jupyter_core, which keeps its loops itself
        return
    ensure_event_loop().close()


def _run_notebook(exercise: Exercise, timeout: float, result_file: Path, warnings_are_errors: bool) -> dict:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    def grader(checks: list[Cell]):
        """A cell that runs ``checks`` in the kernel and writes the verdict to ``result_file``."""
        return nbformat.v4.new_code_cell(
            "import json as _json, mnistcnn.check as _check\n"
            f"_result = _check.run_checks(_json.loads({json.dumps([asdict(c) for c in checks])!r}), globals())\n"
            f"open({str(result_file)!r}, 'w', encoding='utf-8').write(_json.dumps(_result))\n"
        )

    cells = [grader([c]) if c.check else nbformat.v4.new_code_cell(c.source) for c in exercise.code]
    cells.append(grader(exercise.checks))
    # The filter of warnings is a cell of the notebook's own: nbclient runs each index once.
    setup = [nbformat.v4.new_code_cell(STRICT_WARNINGS_CELL)] if warnings_are_errors else []
    notebook = nbformat.v4.new_notebook(cells=setup + cells)
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(exercise.path.parent)}},
    )
    deadline = time.monotonic() + timeout
    client.km = sandbox.kernel_manager(result_file.parent)
    with client.setup_kernel(
        env=sandbox.environment(result_file.parent), cwd=str(result_file.parent), stderr=subprocess.DEVNULL
    ):
        for cell in setup:
            client.execute_cell(cell, 0)
        for index, cell in enumerate(cells):
            where = exercise.code[index].where if index < len(exercise.code) else "the Check cell"
            client.timeout = max(1, round(deadline - time.monotonic()))
            try:
                client.execute_cell(cell, len(setup) + index)
            except CellTimeoutError:
                return _timed_out(timeout, where)
            except DeadKernelError:
                return {"verdict": ERROR, "message": f"{where}: the kernel died"}
            except CellExecutionError as err:
                return _cell_error(exercise, cells, where, err)
            if index < len(exercise.code) and exercise.code[index].check:
                result = json.loads(result_file.read_text(encoding="utf-8"))
                if result["verdict"] != PASSED:
                    return result
    return json.loads(result_file.read_text(encoding="utf-8"))


def _cell_error(exercise: Exercise, cells: list, where: str, err) -> dict:
    """A failed cell, in a few lines: the student's cell and line that raised, the exception, the line."""
    frames = re.findall(r"Cell In\[(\d+)\], line (\d+)", ANSI.sub("", str(err.traceback)))
    count, line = map(int, frames[-1]) if frames else (None, None)
    ran = [i for i, cell in enumerate(cells[: len(exercise.code)]) if cell.get("execution_count") == count]
    source = exercise.code[ran[0]].source if ran else ""
    where = exercise.code[ran[0]].where if ran else where
    text = source.splitlines()[line - 1] if ran and line <= len(source.splitlines()) else None
    at = f"{where}, line {line}" if ran else where
    message = f"{at}: {err.ename}: {err.evalue}"
    return {"verdict": ERROR, "message": message + (f"\n    {text.strip()}" if text and text.strip() else "")}


# Grading ----------------------------------------------------------------------


def check_file(
    path: str | Path,
    timeout: float = DEFAULT_TIMEOUT,
    warnings_are_errors: bool = False,
    limits: sandbox.Limits | None = None,
) -> Result:
    """Grade one exercise file: see the module's docstring for the verdicts.

    With ``warnings_are_errors``, a DeprecationWarning, FutureWarning or UserWarning raised by
    the file's code or the libraries it calls is an error. The file runs in a temporary folder
    of its own, within ``limits`` (by default :class:`~mnistcnn.sandbox.Limits` with ``timeout``):
    see :mod:`mnistcnn.sandbox`.
    """
    start = time.perf_counter()
    path = Path(path)
    try:
        exercise = read_exercise(path)
    except Exception as err:
        return Result(str(path), None, ERROR, f"cannot read the file: {err}", 0.0, "")
    if exercise.blanks:
        count = "1 blank" if len(exercise.blanks) == 1 else f"{len(exercise.blanks)} blanks"
        left = "\n".join(f"{where}: {hint}" for where, hint in exercise.blanks)
        outcome = {"verdict": NOT_ATTEMPTED, "message": f"{count} left to complete:\n{left}"}
    else:
        limits = limits or sandbox.Limits(seconds=timeout)
        with tempfile.TemporaryDirectory(prefix="mnistcnn-check-") as folder, sandbox.Cage(Path(folder), limits):
            result_file = Path(folder) / "result.json"
            run = _check_notebook if path.suffix == ".ipynb" else _check_script
            outcome = run(exercise, timeout, result_file, warnings_are_errors)
    seconds = round(time.perf_counter() - start, 2)
    worth = points.of_file(path, _page_source(exercise.question))
    earned = worth if outcome["verdict"] == PASSED else 0
    verdict, message = outcome["verdict"], outcome["message"]
    return Result(str(path), exercise.question, verdict, message, seconds, exercise.page, earned, worth)


def check_files(
    paths: list[Path],
    timeout: float = DEFAULT_TIMEOUT,
    jobs: int = 1,
    progress=None,
    warnings_are_errors: bool = False,
    memory: int | None = None,
) -> list[Result]:
    """Grade ``paths``, ``jobs`` at a time; ``progress(done, total, result)`` after each.

    ``memory``: the MiB each process of a file may use (default: :class:`~mnistcnn.sandbox.Limits`'s).
    """
    results = []
    # Files run side by side share the cores: torch would start a thread per core in each.
    threads = max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else 0
    limits = sandbox.Limits(seconds=timeout, threads=threads)
    limits = limits if memory is None else replace(limits, memory=memory)

    def one(path):
        result = check_file(path, timeout, warnings_are_errors, limits)
        results.append(result)
        if progress:
            progress(len(results), len(paths), result)
        return result

    if jobs == 1:  # in this thread: nbclient's event loop stays the caller's
        return [one(path) for path in paths]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, paths))


def table(results: list[Result]) -> str:
    """The results as a text table, one row per file, each message's lines under its row."""
    header = ("Q", "file", "verdict", "points", "time")
    rows = [
        (
            f"Q{r.question:02d}" if r.question else "Q?",
            Path(r.file).name,
            r.verdict,
            f"{r.points:g}/{r.max_points:g}",
            f"{r.seconds:.1f} s",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    for row, result in zip(rows, results):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        lines += [f"      {line}" for line in result.message.splitlines()]
    return "\n".join(lines)


def summary(results: list[Result], seconds: float) -> str:
    counts = {v: sum(r.verdict == v for r in results) for v in (PASSED, WRONG, ERROR, NOT_ATTEMPTED, TIMED_OUT)}
    others = ", ".join(f"{n} {v}" for v, n in counts.items() if n and v != PASSED)
    score = f"{sum(r.points for r in results):g} of {sum(r.max_points for r in results):g} points"
    passed = f"{counts[PASSED]} of {len(results)} passed" + (f"; {others}" if others else "")
    lines = [f"{passed}: {score} ({seconds:.0f} s)."]
    pages = sorted({(r.question or 0, r.page) for r in results if r.page})
    if pages:
        lines += ["", "Written answers are not graded: compare yours with the solution page."]
        lines += [f"  Q{q:02d}  {page}" for q, page in pages]
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="exercise notebooks or scripts, or folders of them; with --gradebook, a folder of submissions",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"time limit for each file (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--json", metavar="FILE", help="also write one record per file to FILE")
    parser.add_argument("--jobs", type=int, default=1, help="files run at the same time (default: 1)")
    parser.add_argument(
        "--warnings-are-errors",
        action="store_true",
        help="a DeprecationWarning, FutureWarning or UserWarning fails the file, as in the textbook's build",
    )
    parser.add_argument(
        "--memory",
        type=int,
        default=sandbox.Limits.memory,
        metavar="MIB",
        help=f"memory each process of a file may use, on Linux (default: {sandbox.Limits.memory}; 0: no limit)",
    )
    grading = parser.add_argument_group("grading a class")
    grading.add_argument(
        "--gradebook",
        metavar="CSV",
        help="PATH is a folder with one folder or zip per student: write one row per student to CSV, "
        "and keep each student's results in a folder beside it",
    )
    grading.add_argument("--regrade", action="store_true", help="grade again the students already in the gradebook")
    grading.add_argument("--gradescope", metavar="FILE", help="write the results in Gradescope's results.json format")


def main(args: argparse.Namespace) -> int:
    """Grade the files of ``args``, print the table; 0 when every question passed, else 1.

    With ``--gradebook``, grade a class: 0 when every submission could be graded, else 1.
    """
    if args.gradebook:
        return _grade_class(args)
    paths = find_exercises(args.paths)
    if not paths:
        raise ValueError(f"no exercise notebook or script in {' '.join(args.paths)}")
    start = time.perf_counter()

    def progress(done, total, result):
        if total > 1:
            print(f"[{done}/{total}] {Path(result.file).name}: {result.verdict}", file=sys.stderr, flush=True)

    results = check_files(paths, args.timeout, args.jobs, progress, args.warnings_are_errors, args.memory)
    print(table(results))
    print()
    print(summary(results, time.perf_counter() - start))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=1) + "\n", encoding="utf-8")
    if args.gradescope:
        from .gradebook import gradescope, write_json

        write_json(Path(args.gradescope), gradescope(results, time.perf_counter() - start))
    return 0 if all(r.verdict == PASSED for r in results) else 1


def _grade_class(args: argparse.Namespace) -> int:
    from .gradebook import grade_class
    from .gradebook import summary as class_summary

    if len(args.paths) != 1 or not Path(args.paths[0]).is_dir():
        raise ValueError("--gradebook grades one folder of submissions: one folder or zip per student")
    if args.gradescope or args.json:
        raise ValueError("--gradescope and --json describe one submission; the gradebook keeps each student's")
    print(f"Each file runs in a folder of its own, limited to: {', '.join(sandbox.protections())}.", file=sys.stderr)
    gradebook = Path(args.gradebook)
    graded = grade_class(
        Path(args.paths[0]), gradebook, args.regrade, args.timeout, args.jobs, args.warnings_are_errors, args.memory
    )
    print(class_summary(graded, gradebook))
    return 0 if not any(student.problem for student in graded) else 1
