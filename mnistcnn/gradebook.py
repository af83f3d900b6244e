"""Grading a class: one folder or zip per student, a CSV gradebook, Gradescope's ``results.json``.

``python -m mnistcnn check submissions/ --gradebook grades.csv`` grades every student of
``submissions/`` (``alice/``, ``bob.zip``, ...) with :func:`mnistcnn.check.check_files`, and
writes one row per student: the points of each question, the total, and what went wrong
with the submission itself (an unreadable zip, no exercise in it). Each student's results
are kept beside the gradebook (``grades/alice.json``, in Gradescope's format, with the hash
of the files graded), so that grading again skips the students whose files did not change.

``--gradescope results.json`` writes one submission's results as Gradescope's autograder
reads them: a test per question, its score and feedback (the failed check with the
student's values, never the solution).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .grader import PASSED, Result, check_files, find_exercises

# A zip is unpacked only within these bounds: a student's 33 notebooks take a few MB.
MAX_UNPACKED_BYTES = 200 << 20
MAX_MEMBERS = 2000


@dataclass
class Student:
    """One student's graded submission."""

    name: str
    results: list[Result] = field(default_factory=list)
    problem: str = ""  # why the submission could not be graded, if it could not
    digest: str = ""
    unchanged: bool = False  # its results are those of an earlier grading of the same files


# Gradescope's format ------------------------------------------------------------


def label(result: Result) -> str:
    """What a result is called in Gradescope's tests and the gradebook's columns: ``Q05``, or the file's name."""
    return f"Q{result.question:02d}" if result.question else Path(result.file).name


def _feedback(result: Result) -> str:
    lines = [f"{result.verdict}: {Path(result.file).name}"]
    lines += result.message.splitlines()
    if result.page:
        lines.append(f"Compare your written answers with the solution page: {result.page}")
    return "\n".join(lines)


def gradescope(results: list[Result], seconds: float, digest: str = "") -> dict:
    """``results`` as Gradescope's ``results.json``: a test per file, the total score."""
    tests = [
        {
            "name": label(r),
            "number": str(r.question or ""),
            "score": r.points,
            "max_score": r.max_points,
            "status": "passed" if r.verdict == PASSED else "failed",
            "output": _feedback(r),
            "visibility": "visible",
            "extra_data": {"mnistcnn": asdict(r)},
        }
        for r in results
    ]
    passed = sum(r.verdict == PASSED for r in results)
    return {
        "score": sum(r.points for r in results),
        "execution_time": round(seconds),
        "output": f"{passed} of {len(results)} questions passed.",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"mnistcnn": {"sha256": digest}},
    }


def results_from(report: dict) -> list[Result]:
    """The results kept in a report written by :func:`gradescope`."""
    return [Result(**test["extra_data"]["mnistcnn"]) for test in report["tests"]]


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` whole or not at all: an interrupted run leaves no half file to trust."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(partial, path)


# A class folder -----------------------------------------------------------------


def students(folder: Path) -> list[tuple[str, Path]]:
    """The students of a class folder: each subfolder, and each ``.zip``, by name."""
    found = [
        (entry.stem if entry.suffix == ".zip" else entry.name, entry)
        for entry in sorted(Path(folder).iterdir())
        if not entry.name.startswith(".") and (entry.is_dir() or entry.suffix == ".zip")
    ]
    names = [name for name, _ in found]
    if len(set(names)) != len(names):
        raise ValueError(f"{folder}: two submissions of the same name (a folder and a zip?)")
    return found


def unpack(archive: Path, folder: Path) -> None:
    """Extract ``archive`` into ``folder``, refusing paths that leave it, links and oversized content."""
    with zipfile.ZipFile(archive) as zipped:
        members = zipped.infolist()
        if len(members) > MAX_MEMBERS:
            raise ValueError(f"{len(members)} files in the zip (at most {MAX_MEMBERS})")
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise ValueError(f"the zip unpacks to more than {MAX_UNPACKED_BYTES >> 20} MB")
        root = folder.resolve()
        for member in members:
            target = (folder / member.filename).resolve()
            is_link = (member.external_attr >> 16) & 0o170000 == 0o120000
            if is_link or not target.is_relative_to(root) or target == root:
                raise ValueError(f"the zip holds {member.filename!r}, which would land outside its folder")
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zipped.open(member) as source, open(target, "wb") as copy:
                copy.write(source.read(MAX_UNPACKED_BYTES + 1)[:MAX_UNPACKED_BYTES])


def digest(paths: list[Path], root: Path) -> str:
    """A hash of the files to grade, by name and content: what decides whether to grade again."""
    hashed = hashlib.sha256()
    for path in paths:
        hashed.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return hashed.hexdigest()


def grade_student(name: str, submission: Path, kept: Path, regrade: bool, grade) -> Student:
    """Grade one student's ``submission`` (a folder or a zip) with ``grade(paths)``, unless ``kept``
    holds results for the same files; keep the new results there."""
    with tempfile.TemporaryDirectory(prefix="mnistcnn-student-") as unpacked:
        try:
            folder = submission
            if submission.suffix == ".zip":
                folder = Path(unpacked)
                unpack(submission, folder)
            paths = find_exercises([folder])
            if not paths:
                raise ValueError("no exercise notebook or script (qNN_*.ipynb or qNN_*.py) in it")
            files = digest(paths, folder)
        except (OSError, ValueError, zipfile.BadZipFile) as err:
            return Student(name, problem=f"cannot grade the submission: {err}")
        if kept.is_file() and not regrade:
            report = json.loads(kept.read_text(encoding="utf-8"))
            if report["extra_data"]["mnistcnn"]["sha256"] == files:
                return Student(name, results_from(report), digest=files, unchanged=True)
        start = time.perf_counter()
        results = grade(paths)
        for result in results:  # as the student named them, not where they were unpacked
            result.file = str(Path(submission.name) / Path(result.file).relative_to(folder))
        write_json(kept, gradescope(results, time.perf_counter() - start, files))
        return Student(name, results, digest=files)


def questions_and_points(graded: list[Student]) -> dict[str, float]:
    """Each question of the class (``Q05``) and what it is worth, in order."""
    worth = {}
    for student in graded:
        for r in student.results:
            worth[label(r)] = r.max_points
    return dict(sorted(worth.items()))


def write_gradebook(path: Path, graded: list[Student]) -> None:
    """One row per student: points per question, total, out of, and what is missing or wrong."""
    worth = questions_and_points(graded)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["student", *worth, "total", "out of", "notes"])
        for student in graded:
            earned = {label(r): r.points for r in student.results}
            missing = [q for q in worth if q not in earned]
            notes = [student.problem] if student.problem else []
            notes += [f"missing: {' '.join(missing)}"] if missing and not student.problem else []
            row = [_number(earned.get(q, 0)) for q in worth]
            writer.writerow(
                [student.name, *row, _number(sum(earned.values())), _number(sum(worth.values())), "; ".join(notes)]
            )


def _number(value: float) -> str:
    return f"{value:g}"


class ProgressBar:
    """``[#####-----] 5/10 students  alice: 31 of 33 passed  (12 min, about 12 min left)`` on
    stderr: redrawn in place on a terminal, one line per student elsewhere (a log). The time
    left assumes the students still to come take as long as those graded so far; a student
    whose files did not change since the last grading takes no time, and is said so."""

    def __init__(self, total: int, stream=None):
        self.total, self.done, self.graded, self.stream = total, 0, 0, stream or sys.stderr
        self.start = time.monotonic()

    def _bar(self) -> str:
        filled = round(20 * self.done / self.total)
        return f"[{'#' * filled}{'-' * (20 - filled)}] {self.done}/{self.total} students"

    def _times(self) -> str:
        elapsed = time.monotonic() - self.start
        if not self.graded or self.done == self.total:
            return f"({_minutes(elapsed)})"
        return f"({_minutes(elapsed)}, about {_minutes(elapsed / self.graded * (self.total - self.done))} left)"

    def file(self, name: str, done: int, total: int) -> None:
        """A file of the student ``name`` is graded: shown on a terminal only."""
        if self.stream.isatty():
            self.stream.write(f"\r\x1b[K{self._bar()}  {name}: {done}/{total} files  {self._times()}")
            self.stream.flush()

    def step(self, student: Student) -> None:
        self.done += 1
        self.graded += not student.unchanged
        passed = sum(r.verdict == PASSED for r in student.results)
        outcome = student.problem or f"{passed} of {len(student.results)} passed"
        outcome += ", files unchanged since the last grading" if student.unchanged else ""
        line = f"{self._bar()}  {student.name}: {outcome}  {self._times()}"
        if self.stream.isatty():
            end = "\n" if self.done == self.total else ""
            self.stream.write(f"\r\x1b[K{line}{end}")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 60 else f"{seconds / 60:.0f} min"


def grade_class(
    folder: Path,
    gradebook: Path,
    regrade: bool = False,
    timeout: float = 300.0,
    jobs: int = 1,
    warnings_are_errors: bool = False,
    memory: int | None = None,
    stream=None,
) -> list[Student]:
    """Grade every student of ``folder``, write the gradebook; the graded students, in order."""
    found = students(folder)
    if not found:
        raise ValueError(f"no student folder or zip in {folder}")
    kept = gradebook.with_suffix("")  # grades.csv keeps its students' results in grades/
    bar = ProgressBar(len(found), stream)
    graded = []

    def grade(name, paths):
        def progress(done, total, _):
            bar.file(name, done, total)

        return check_files(paths, timeout, jobs, progress, warnings_are_errors, memory)

    for name, submission in found:
        try:
            student = grade_student(
                name, submission, kept / f"{name}.json", regrade, lambda paths, name=name: grade(name, paths)
            )
        except Exception as err:  # a fault of the grader on one submission: the others are still graded
            student = Student(name, problem=f"the grader failed on it: {type(err).__name__}: {err}")
        graded.append(student)
        bar.step(student)
    write_gradebook(gradebook, graded)
    return graded


def summary(graded: list[Student], gradebook: Path) -> str:
    """The class at a glance: each student's total, then where the gradebook and the reports are."""
    worth = sum(questions_and_points(graded).values())
    width = max(len(s.name) for s in graded)
    lines = []
    for student in graded:
        total = sum(r.points for r in student.results)
        lines.append(f"{student.name.ljust(width)}  {_number(total)} of {_number(worth)}  {student.problem}".rstrip())
    lines += ["", f"Gradebook: {gradebook}; each student's results: {gradebook.with_suffix('')}/"]
    return "\n".join(lines)
