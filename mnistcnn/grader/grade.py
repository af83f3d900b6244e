"""Grading files: each in a sandboxed process of its own, with the book's checks.

For each file, :func:`check_file` finds its question by its content
(:func:`~mnistcnn.grader.reading.match`), lays out the plan (the student's code cells, with the
book's checks in place of the file's own) and runs it with :mod:`mnistcnn.grader.runner` in
a process of its own, within the limits of :mod:`mnistcnn.grader.sandbox`: on Linux forked from
a process that has imported torch once (:mod:`mnistcnn.grader.preload`), else a new ``python``. Verdicts:

* ``not attempted``: a ``COMPLETE`` line is still there (the file is not run);
* ``error``: the student's code raised, the process ended without a verdict, or the file
  answers no question of the book;
* ``wrong``: a check failed; the message says which, with the student's values;
* ``timed out``: the file ran longer than the time limit; the message says where it was;
* ``passed``.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from . import book, preload, sandbox
from .format import INLINE_CHECK
from .reading import Cell, Submission, match, read
from .results import CHECKS_EDITED, ERROR, NOT_ATTEMPTED, PASSED, TIMED_OUT, Result, label

DEFAULT_TIMEOUT = 300.0
EXERCISE_SUFFIXES = (".py", ".ipynb")


def site_url() -> str:
    """The published site's address with a final ``/``, when known (``MNISTCNN_SITE_URL``, or GitHub Pages
    of ``GITHUB_REPOSITORY``); else ``""``, and page addresses stay relative."""
    url = os.environ.get("MNISTCNN_SITE_URL")
    if not url and "/" in os.environ.get("GITHUB_REPOSITORY", ""):
        owner, name = os.environ["GITHUB_REPOSITORY"].split("/", 1)
        url = f"https://{owner}.github.io/{name}"
    return url.rstrip("/") + "/" if url else ""


def find_exercises(paths: list[str | Path]) -> list[Path]:
    """The files to grade: the files given, and in the folders given every notebook and script
    (hidden ones left out); which question each answers is decided by its content."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += [
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in EXERCISE_SUFFIXES
                and not any(part.startswith((".", "__")) for part in p.relative_to(path).parts)
            ]
        elif path.is_file():
            found.append(path)
        else:
            raise ValueError(f"no such file or folder: {path}")
    return found


def _statements(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def _book_check(source: str, where: str) -> dict:
    return {"source": source, "where": f"the page's check {where}", "first_line": 1}


def _own(cells: list[Cell]) -> list[dict]:
    return [{"source": c.source, "where": c.where, "first_line": c.first_line} for c in cells]


def _place_inline_checks(record: dict, cells: list[Cell]) -> tuple[list[dict], bool]:
    """The plan's steps: the student's code cells, with the book's inline checks where they belong;
    and whether the file's inline checks differ from the book's."""
    book_checks = [(i, step["check"]) for i, step in enumerate(record["steps"]) if "check" in step]
    theirs = [c for c in cells if c.kind == "check"]
    code = [c for c in cells if c.kind == "code"]
    steps, edited = [], False
    if len(theirs) == len(book_checks):  # each at the file's own check cell
        pairs = iter(book_checks)
        for cell in (c for c in cells if c.kind != "final"):
            if cell.kind == "code":
                steps.append(_own([cell])[0])
                continue
            source = next(pairs)[1]
            same = _statements(cell.source) == _statements(source)
            edited |= not same
            steps.append({"check": _own([cell]) if same else [_book_check(source, f"at {cell.where}")]})
        return steps, edited
    # Cells were added or deleted: each check goes after the cell that holds the last line the file
    # kept of the book's step before it (the last lines of a step may be an answer, written anew).
    after, start = {}, 0
    for index, source in book_checks:
        step_before = _statements(record["steps"][index - 1].get("code", "")) if index else []
        best = next(
            (
                number
                for line in reversed(step_before)
                for number in range(start, len(code))
                if line.strip() in {kept.strip() for kept in _statements(code[number].source)}
            ),
            len(code) - 1,
        )
        after.setdefault(best, []).append(source)
        start = best + 1  # the next check stands after a later cell
    for number, cell in enumerate(code):
        steps.append(_own([cell])[0])
        for source in after.get(number, []):
            steps.append({"check": [_book_check(source, f"after {cell.where}")]})
    return steps, True


def plan(submission: Submission, record: dict, strict: bool) -> tuple[dict, bool]:
    """What the runner does for ``submission`` of the book's question ``record``, and whether its
    checks differ from the book's: the file's own check cells run only where their statements are the book's."""
    steps, edited = _place_inline_checks(record, submission.cells)
    final = [c for c in submission.cells if c.kind == "final"]
    theirs = _statements("\n".join(c.source for c in final))
    if final and theirs == _statements(record["checks"]):
        steps.append({"check": _own(final)})
    else:
        edited = True
        steps.append({"check": [_book_check(record["checks"], "(its Check section)")]})
    # A solution notebook shows the checks as the page does, without the hidden ones: not an edit.
    shown = _statements(INLINE_CHECK.sub("", record["checks"]))
    if theirs and theirs == shown and not any(c.kind == "check" for c in submission.cells):
        edited = False
    steps = [s for s in steps if "check" in s or s["source"].strip()]
    the_plan = {"file": submission.path.name, "notebook": submission.notebook, "steps": steps}
    return {**the_plan, "imports": record["imports"], "strict": strict}, edited


def _run(the_plan: dict, folder: Path, timeout: float) -> dict:
    """Run ``the_plan`` in the sandbox of ``folder``; the verdict the runner wrote, or why there is none."""
    token = secrets.token_hex(16)
    argv = [sys.executable, "-m", "mnistcnn.grader.runner"]
    env = {**sandbox.environment(folder), "MPLBACKEND": "Agg"}
    # Forked from a process that has imported torch already, where one can run here; else a new Python.
    process = preload.start(sandbox.launcher_options(folder), folder, env) or subprocess.Popen(
        sandbox.command(argv, folder),
        cwd=folder,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **sandbox.popen_options(),
    )
    timed_out = False
    try:
        out, err = process.communicate(token + "\n" + json.dumps(the_plan), timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        if os.name == "posix":
            process.send_signal(signal.SIGINT)  # the runner says where the code was
        try:
            out, err = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
    verdict = _verdict(out, token)
    if timed_out and (verdict is None or verdict["verdict"] == TIMED_OUT):
        return _timed_out(timeout, verdict["message"] if verdict else None)
    if verdict is None:
        tail = "\n".join(err.strip().splitlines()[-3:])
        stopped = f"Python stopped before its checks gave a verdict (exit status {process.returncode})"
        return {"verdict": ERROR, "message": f"{stopped}\n{tail}".rstrip()}
    return verdict


def _verdict(out: str, token: str) -> dict | None:
    """The runner's verdict in its output: the line that opens with ``token``."""
    lines = [line[len(token) + 1 :] for line in out.splitlines() if line.startswith(token + " ")]
    try:
        verdict = json.loads(lines[-1]) if lines else None
    except ValueError:
        return None
    return verdict if isinstance(verdict, dict) and {"verdict", "message"} <= verdict.keys() else None


def _timed_out(timeout: float, where: str | None) -> dict:
    at = f" at {where}" if where else ""
    return {"verdict": TIMED_OUT, "message": f"still running{at} after {timeout:g} s (the time limit: --timeout)"}


def _no_question(path: Path, share: float) -> Result:
    why = f"it has {share:.0%} of the lines of the closest question's exercise"
    message = f"this file answers no question of the book ({why}): grade a completed exercise"
    return Result(str(path), None, ERROR, message, 0.0, "", 0, 0)


def check_file(
    path: str | Path,
    timeout: float = DEFAULT_TIMEOUT,
    warnings_are_errors: bool = False,
    limits: sandbox.Limits | None = None,
) -> Result:
    """Grade one exercise file: see the module's docstring for the verdicts.

    With ``warnings_are_errors``, a DeprecationWarning, FutureWarning or UserWarning raised by
    the file's code or the libraries it calls is an error. The file runs in a temporary folder
    of its own, within ``limits`` (by default :class:`~mnistcnn.grader.sandbox.Limits` with ``timeout``).
    """
    start = time.perf_counter()
    path = Path(path)
    try:
        submission = read(path)
    except Exception as err:
        return Result(str(path), None, ERROR, f"cannot read the file: {err}", 0.0, "", 0, 0)
    question, share = match(submission)
    if question is None:
        return _no_question(path, share)
    record = book.load()[question]
    page, worth = site_url() + record["page"], record["points"]
    if submission.blanks:
        count = "1 blank" if len(submission.blanks) == 1 else f"{len(submission.blanks)} blanks"
        left = "\n".join(f"{where}: {hint}" for where, hint in submission.blanks)
        return Result(str(path), question, NOT_ATTEMPTED, f"{count} left to complete:\n{left}", 0.0, page, 0, worth)
    if submission.notebook:
        _require_ipython()
    the_plan, edited = plan(submission, record, warnings_are_errors)
    limits = limits or sandbox.Limits(seconds=timeout)
    with tempfile.TemporaryDirectory(prefix="mnistcnn-check-") as folder, sandbox.Cage(Path(folder), limits):
        outcome = _run(the_plan, Path(folder), timeout)
    message = "\n".join(filter(None, [CHECKS_EDITED if edited else "", outcome["message"]]))
    earned = worth if outcome["verdict"] == PASSED else 0
    seconds = round(time.perf_counter() - start, 2)
    return Result(str(path), question, outcome["verdict"], message, seconds, page, earned, worth)


def _require_ipython() -> None:
    """Stop with how to install what grading a notebook needs, when it is missing."""
    import importlib.util

    if importlib.util.find_spec("IPython") is None:
        raise ModuleNotFoundError(
            "grading a notebook needs IPython: pip install 'mnistcnn[check]' "
            "(or grade the exercise's .py script, which needs nothing more)"
        )


def count_once(results: list[Result]) -> list[Result]:
    """``results`` with each question counted once: where several files answer one question, the
    first that passed (else the first) keeps its points, and the others say so and count 0 of 0."""
    counted = {}
    for result in results:
        if result.question is not None:
            kept = counted.get(result.question)
            if kept is None or (kept.verdict != PASSED and result.verdict == PASSED):
                counted[result.question] = result
    out = []
    for result in results:
        kept = counted.get(result.question)
        if kept is None or kept is result:
            out.append(result)
            continue
        note = f"another file also answers {label(result)}; counted once, with {Path(kept.file).name}"
        out.append(replace(result, message="\n".join(filter(None, [note, result.message])), points=0, max_points=0))
    return out


def check_files(
    paths: list[Path],
    timeout: float = DEFAULT_TIMEOUT,
    jobs: int = 1,
    progress=None,
    warnings_are_errors: bool = False,
    memory: int | None = None,
) -> list[Result]:
    """Grade ``paths``, ``jobs`` at a time; ``progress(done, total, result)`` after each. A question
    answered by several files counts once (:func:`count_once`).

    ``memory``: the MiB each process of a file may use (default: :class:`~mnistcnn.grader.sandbox.Limits`'s).
    """
    done = []
    # Files run side by side share the cores: torch would start a thread per core in each.
    threads = max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else 0
    limits = sandbox.Limits(seconds=timeout, threads=threads)
    limits = limits if memory is None else replace(limits, memory=memory)

    def one(path):
        result = check_file(path, timeout, warnings_are_errors, limits)
        done.append(result)
        if progress:
            progress(len(done), len(paths), result)
        return result

    if jobs == 1:
        return count_once([one(path) for path in paths])
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return count_once(list(pool.map(one, paths)))
