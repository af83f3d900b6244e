"""The runner: in the student's process, run a submission's code, then the book's checks.

The grader (:mod:`mnistcnn.grader.grade`) starts ``python -m mnistcnn.grader.runner`` in the
sandbox and writes on its standard input a random token, then the plan: the student's code
cells and the book's checks in the order they run. The runner reads both and closes its input,
keeps its standard output for the verdict and sends the student's own output to ``os.devnull``,
takes a :class:`~mnistcnn.grader.guard.Snapshot`, and only then runs the student's code: a
script's cells with ``exec``, a notebook's with IPython's ``InteractiveShell.run_cell`` (no
Jupyter kernel). Each check runs on the snapshot's libraries and plain values. The verdict is
one line, the token then JSON; a process that ends without it (``os._exit``, a crash) gets an
error, and a line without the token is not a verdict.
"""

from __future__ import annotations

import ast
import json
import os
import re
import signal
import sys
import traceback
import warnings

from .explain import describe_value, explain
from .guard import Snapshot
from .results import ERROR, PASSED, TIMED_OUT, WRONG

# Warnings that announce a change of the libraries: with ``--warnings-are-errors`` the code that
# raises one fails, as in the textbook's own build.
STRICT_WARNINGS = (DeprecationWarning, FutureWarning, UserWarning)
# IPython's own machinery, which is not the notebook's code.
MACHINERY = r"(IPython|traitlets|matplotlib_inline|asyncio|jedi|parso)\b"
_INPUT = re.compile(r"<ipython-input-(\d+)-")  # the file name IPython gives the code of a cell


def _compiled_checks(cells: list[dict]) -> list[tuple[dict, ast.stmt, object]]:
    """Each statement of the check ``cells``, compiled before any student code runs."""
    statements = []
    for cell in cells:
        for node in ast.parse(cell["source"]).body:
            code = compile(ast.Module([node], []), cell["where"], "exec")
            test = compile(ast.Expression(node.test), cell["where"], "eval") if isinstance(node, ast.Assert) else None
            statements.append((cell, node, code, test))
    return statements


def _at(cell: dict, line: int) -> str:
    if cell["where"].startswith("line"):
        return f"line {cell['first_line'] + line - 1}"
    return f"{cell['where']}, line {line}" if cell["where"].startswith("cell") else cell["where"]


def _run_checks(statements: list, namespace: dict) -> dict:
    """Run compiled check statements in ``namespace``; the first failure is the verdict."""
    for cell, node, code, test in statements:
        where = _at(cell, node.lineno)
        shown = " ".join(ast.get_source_segment(cell["source"], node).split())
        shown = shown if len(shown) <= 100 else shown[:99] + "…"
        try:
            if test is not None:
                if value := eval(test, namespace):
                    continue
                try:
                    why = explain(node.test, cell["source"], namespace)
                except Exception:
                    why = describe_value(value)
                note = eval(compile(ast.Expression(node.msg), "<check>", "eval"), namespace) if node.msg else None
                if isinstance(note, str):  # the check's own words
                    why = f"{note}: {why}"
                return {"verdict": WRONG, "message": f"check failed at {where}: {shown}\n{why}"}
            exec(code, namespace)
        except Exception as err:
            why = f"{type(err).__name__}: {err}"
            return {"verdict": WRONG, "message": f"check could not run at {where}: {shown}\n{why}"}
    return {"verdict": PASSED, "message": ""}


def _error(where: str, err: BaseException, line: str | None) -> dict:
    if isinstance(err, KeyboardInterrupt):  # the time limit: the grader interrupted it
        return {"verdict": TIMED_OUT, "message": where}
    message = f"{where}: {type(err).__name__}: {err.msg if isinstance(err, SyntaxError) else err}"
    return {"verdict": ERROR, "message": message + (f"\n    {line.strip()}" if line and line.strip() else "")}


def _line(source: str, number: int | None) -> str | None:
    lines = source.splitlines()
    return lines[number - 1] if number and 0 < number <= len(lines) else None


class _Script:
    """Runs a script's cells with ``exec``, each compiled at its own lines of the file."""

    def __init__(self, plan: dict, namespace: dict):
        self.file, self.namespace = plan["file"], namespace

    def run(self, cell: dict) -> dict | None:
        """Run one cell of the student's code; None, or the verdict when it raised."""
        try:
            code = compile("\n" * (cell["first_line"] - 1) + cell["source"], self.file, "exec")
            exec(code, self.namespace)
        except SyntaxError as err:
            return _error(f"line {err.lineno}", err, err.text)
        except BaseException as err:
            frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename == self.file]
            where = f"line {frames[-1].lineno}" if frames else cell["where"]
            return _error(where, err, frames[-1].line if frames else None)
        return None


class _Notebook:
    """Runs a notebook's cells with IPython's ``InteractiveShell``, as Jupyter would, without a kernel."""

    def __init__(self, plan: dict, namespace: dict):
        from IPython.core.interactiveshell import InteractiveShell

        class Shell(InteractiveShell):
            def enable_gui(self, gui=None):  # ``%matplotlib inline`` asks for no window
                pass

        self.shell = Shell.instance(user_ns=namespace)
        self.namespace = namespace
        self.ran = {}  # execution count: the cell it ran, so that a traceback names the student's cell

    def run(self, cell: dict) -> dict | None:
        """Run one cell of the student's code as Jupyter would; None, or the verdict when it raised."""
        self.ran[self.shell.execution_count] = cell
        result = self.shell.run_cell(cell["source"], store_history=True)
        err = result.error_before_exec or result.error_in_exec
        if err is None:
            return None
        if isinstance(err, SyntaxError):
            return _error(f"{cell['where']}, line {err.lineno}", err, err.text)
        frames = [(f, _INPUT.match(f.filename)) for f in traceback.extract_tb(err.__traceback__)]
        frames = [(f, self.ran[int(m[1])]) for f, m in frames if m and int(m[1]) in self.ran]
        if not frames:
            return _error(cell["where"], err, None)
        frame, where = frames[-1]
        return _error(f"{where['where']}, line {frame.lineno}", err, _line(where["source"], frame.lineno))


def run(plan: dict) -> dict:
    """Run the plan (see the module's docstring) in this process; the verdict."""
    for statement in plan["imports"]:  # the book's libraries, loaded before the student can change them
        try:
            exec(statement, {})
        except Exception:  # a library missing here fails where the student imports it
            continue
    checks = [_compiled_checks(step["check"]) if "check" in step else None for step in plan["steps"]]
    namespace = {"__name__": "__main__", "__file__": plan["file"]}
    runner = (_Notebook if plan["notebook"] else _Script)(plan, namespace)
    snapshot = Snapshot()
    if plan["strict"]:
        for category in STRICT_WARNINGS:
            warnings.filterwarnings("error", category=category)
        warnings.filterwarnings("default", module=MACHINERY)
    sys.argv = [plan["file"]]
    try:
        return _run_steps(plan, runner, checks, snapshot)
    finally:  # the verdict is written with the libraries as they were
        snapshot.restore()


def _run_steps(plan: dict, runner, checks: list, snapshot: Snapshot) -> dict:
    import torch

    guarded = torch._C.DisableTorchFunctionSubclass
    namespace = runner.namespace
    kept = {}  # what the checks themselves define, for the checks after them (as on the page)
    for step, statements in zip(plan["steps"], checks):
        if statements is None:
            failed = runner.run(step)
        else:
            changes = snapshot.restore()
            try:
                with guarded():
                    checked = snapshot.namespace(namespace, plan["imports"])
                    checked.update({name: value for name, value in kept.items() if name not in namespace})
                    given = dict(checked)
                    failed = _run_checks(statements, checked)
                    kept.update({k: v for k, v in checked.items() if k not in given or v is not given[k]})
            except KeyboardInterrupt:
                failed = {"verdict": TIMED_OUT, "message": "the checks"}
            changes += snapshot.restore()
            failed = None if failed["verdict"] == PASSED else failed
            snapshot.undo(changes)
        if failed:
            return failed
    return {"verdict": PASSED, "message": ""}


def main() -> None:
    """Read the token and the plan, run it, write the verdict on the kept standard output, and exit."""
    # The grader interrupts a file at its time limit, to learn where it was: even where the
    # grader was started with interrupts ignored (`nohup … &`), which its children inherit.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    token = sys.stdin.readline().strip()
    plan = json.loads(sys.stdin.read())
    sys.stdin.close()  # the token is not there for the student's code to read
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - the process reads from it until it ends
    channel = os.dup(1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    write, dumps, exit_now = os.write, json.dumps, os._exit
    try:
        verdict = run(plan)
    except BaseException as err:  # the runner's own failure, or the time limit while it set up
        verdict = _error("the grader's runner", err, None)
    write(channel, (token + " " + dumps(verdict) + "\n").encode())
    exit_now(0)  # no exit handler of the student's code runs after the verdict


if __name__ == "__main__":
    main()
