"""Grading a class: one folder or zip per student, a CSV gradebook, a Canvas export, Gradescope's reports.

``python -m mnistcnn check submissions/ --gradebook grades.csv`` grades every student of
``submissions/`` (``alice/``, ``bob.zip``, ...) with :func:`mnistcnn.grader.check_files`.
Every exercise file of a student is graded; then one file counts for each question of the
book, by the rule of :mod:`mnistcnn.grader.scores` (a file that passed; then the newest); copies
and drafts are named in the notes, never added up. From these scores come, all alike:

* the gradebook, one row per student (columns: :mod:`mnistcnn.grader.spreadsheets`), out of the
  points of the book's questions (:func:`~mnistcnn.grader.book.question_points`), not only of those handed in;
* with ``--canvas canvas.csv``, each student's total as Canvas's gradebook import reads it,
  the student found by ID through ``--roster`` (:mod:`mnistcnn.grader.spreadsheets`);
* each student's report, kept beside the gradebook (``grades/alice.json``, in Gradescope's
  format, :mod:`mnistcnn.grader.gradescope`) with the hash of the files graded, so that grading
  again skips the students whose files did not change.

``--jobs N`` runs N files at a time across the class: up to N students are unpacked and
graded at once, their files sharing one pool of N workers, so that a class of many
students keeps every worker busy, and a single student's files still run side by side.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .book import question_points
from .grade import DEFAULT_TIMEOUT, check_files, find_exercises
from .gradescope import read_back, results_json, write_json
from .results import Result
from .scores import Student, score
from .spreadsheets import number, read_roster, write_canvas, write_gradebook
from .submissions import digest, students, unpack


def modification_times(paths: list[Path]) -> dict[str, float]:
    """Each file of ``paths`` that exists, by its name as given, and its modification time."""
    return {str(path): path.stat().st_mtime for path in map(Path, paths) if path.is_file()}


def gradescope(results: list[Result], seconds: float, digest: str = "") -> dict:
    """One submission's graded files as Gradescope's ``results.json``, out of the book's questions.

    Parameters
    ----------
    results : list of Result
        Every file of the submission, graded; where several answer one question, one counts
        (:mod:`mnistcnn.grader.scores`), their files' modification times breaking ties; the report
        is out of the book's questions (:func:`~mnistcnn.grader.book.question_points`).
    seconds : float
        How long grading took.
    digest : str
        The hash of the files graded.

    Returns
    -------
    dict
        The report (:func:`mnistcnn.grader.gradescope.results_json`).
    """
    modified = modification_times([Path(r.file) for r in results])
    return results_json(score(results, question_points(), modified), seconds, digest)


# A class folder -----------------------------------------------------------------


def grade_student(
    name: str, submission: Path, kept: Path, *, grade, worth: dict[int, float], regrade: bool = False
) -> Student:
    """Grade one student's submission, unless an earlier grading of the same files is kept.

    Parameters
    ----------
    name : str
        The student's name, as in the gradebook.
    submission : Path
        The student's folder or zip.
    kept : Path
        The student's report from an earlier grading (read, if there), and where to keep this one's.
    grade : callable
        ``grade(paths)``: a :class:`~mnistcnn.grader.Result` for each exercise file in ``paths``.
    worth : dict[int, float]
        The book's questions and their points (:func:`~mnistcnn.grader.book.question_points`).
    regrade : bool
        Grade even when the files did not change since the kept report.

    Returns
    -------
    Student
        Its scores; or its ``problem`` when the submission cannot be graded (nothing is kept then).
    """
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
            return Student(name, score([], worth, {}), problem=f"cannot grade the submission: {err}")
        if kept.is_file() and not regrade:
            report = json.loads(kept.read_text(encoding="utf-8"))
            earlier = read_back(report)
            if earlier is not None and report["extra_data"]["mnistcnn"]["sha256"] == files:
                results, modified = earlier
                return Student(name, score(results, worth, modified), digest=files, unchanged=True)

        def shown(path: str | Path) -> str:  # as the student named it, not where it was unpacked
            return str(Path(submission.name) / Path(path).relative_to(folder))

        modified = {shown(path): mtime for path, mtime in modification_times(paths).items()}
        start = time.perf_counter()
        results = grade(paths)
        for result in results:
            result.file = shown(result.file)
        scores = score(results, worth, modified)
        write_json(kept, results_json(scores, time.perf_counter() - start, files))
        return Student(name, scores, digest=files)


class ProgressBar:
    """``[#####-----] 5/10 students  alice: 31 of 33 passed  (12 min, about 12 min left)`` on
    stderr: redrawn in place on a terminal, one line per student elsewhere (a log). The time
    left assumes the students still to come take as long as those graded so far, a student in
    progress counting for the share of its files graded; a student whose files did not change
    since the last grading takes no time, and is said so. Threads may call it at once."""

    def __init__(self, total: int, stream=None):
        self.total, self.done, self.graded, self.stream = total, 0, 0, stream or sys.stderr
        self.start = time.monotonic()
        self.files: dict[str, tuple[int, int]] = {}  # (graded, all) files of each student in progress
        self.lock = threading.Lock()

    def _bar(self) -> str:
        filled = round(20 * self.done / self.total)
        return f"[{'#' * filled}{'-' * (20 - filled)}] {self.done}/{self.total} students"

    def _times(self) -> str:
        elapsed = time.monotonic() - self.start
        # Students in progress count for the share of their files graded: with --jobs, several are.
        started = sum(done / total for done, total in self.files.values())
        if not self.graded + started or self.done == self.total:
            return f"({_minutes(elapsed)})"
        left = elapsed / (self.graded + started) * (self.total - self.done - started)
        return f"({_minutes(elapsed)}, about {_minutes(left)} left)"

    def file(self, name: str, total: int) -> None:
        """One more of the ``total`` files of the student ``name`` is graded: shown on a terminal only."""
        with self.lock:
            done = self.files.get(name, (0, total))[0] + 1
            self.files[name] = (done, total)
            if self.stream.isatty():
                self.stream.write(f"\r\x1b[K{self._bar()}  {name}: {done}/{total} files  {self._times()}")
                self.stream.flush()

    def step(self, student: Student) -> None:
        """The student is done: a line with the outcome."""
        with self.lock:
            self.files.pop(student.name, None)
            self.done += 1
            self.graded += not student.unchanged
            scores = student.scores
            outcome = student.problem or f"{scores.passed} of {len(scores.worth)} passed"
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
    timeout: float = DEFAULT_TIMEOUT,
    jobs: int = 1,
    warnings_are_errors: bool = False,
    memory: int | None = None,
    *,
    roster: Path | None = None,
    canvas: Path | None = None,
    canvas_assignment: str = "mnistcnn",
    stream=None,
) -> list[Student]:
    """Grade every student of ``folder`` and write the gradebook (and the Canvas export).

    Parameters
    ----------
    folder : Path
        The class: one folder or zip per student.
    gradebook : Path
        The gradebook CSV to write; each student's report is kept in the folder of its name
        without ``.csv``.
    regrade : bool
        Grade again the students whose files did not change since their kept report.
    timeout, warnings_are_errors, memory
        As for :func:`mnistcnn.grader.check_files`, for each file.
    jobs : int
        Files graded at the same time, across students (the module's docstring).
    roster : Path, optional
        The students' Canvas names and IDs (:func:`mnistcnn.grader.spreadsheets.read_roster`).
    canvas : Path, optional
        Where to write the Canvas export (:func:`mnistcnn.grader.spreadsheets.write_canvas`).
    canvas_assignment : str
        The Canvas export's assignment column.
    stream : file, optional
        Where the progress bar goes (default: the standard error).

    Returns
    -------
    list of Student
        The students, in the gradebook's order.
    """
    found = students(folder)
    if not found:
        raise ValueError(f"no student folder or zip in {folder}")
    if jobs < 1:
        raise ValueError(f"--jobs must be at least 1, not {jobs}")
    worth = question_points()
    who = read_roster(Path(roster)) if roster else {}
    kept = Path(gradebook).with_suffix("")  # grades.csv keeps its students' reports in grades/
    bar = ProgressBar(len(found), stream)
    files = ThreadPoolExecutor(jobs, thread_name_prefix="mnistcnn-file") if jobs > 1 else None

    def grade(name: str, paths: list[Path]) -> list[Result]:
        def one(path: Path) -> Result:
            # jobs tells check_files how many files share the cores, hence each one's torch threads.
            result = check_files([path], timeout, jobs, None, warnings_are_errors, memory)[0]
            bar.file(name, len(paths))
            return result

        return list(files.map(one, paths)) if files else [one(path) for path in paths]

    def one_student(entry: tuple[str, Path]) -> Student:
        name, submission = entry
        try:
            student = grade_student(
                name,
                submission,
                kept / f"{name}.json",
                grade=lambda paths: grade(name, paths),
                worth=worth,
                regrade=regrade,
            )
        except Exception as err:  # a fault of the grader on one submission: the others are still graded
            student = Student(
                name, score([], worth, {}), problem=f"the grader failed on it: {type(err).__name__}: {err}"
            )
        bar.step(student)
        return student

    if files is None:  # one student after the other, in this thread
        graded = [one_student(entry) for entry in found]
    else:
        with files, ThreadPoolExecutor(jobs, thread_name_prefix="mnistcnn-student") as class_pool:
            graded = list(class_pool.map(one_student, found))
    write_gradebook(Path(gradebook), graded, who)
    if canvas:
        write_canvas(Path(canvas), graded, canvas_assignment, who)
    return graded


def summary(graded: list[Student], gradebook: Path) -> str:
    """The class at a glance: each student's total, then where the gradebook and the reports are."""
    width = max(len(s.name) for s in graded)
    lines = []
    for student in graded:
        scores = student.scores
        total = f"{number(scores.total)} of {number(scores.out_of)}"
        lines.append(f"{student.name.ljust(width)}  {total}  {student.problem}".rstrip())
    lines += ["", f"Gradebook: {gradebook}; each student's results: {Path(gradebook).with_suffix('')}/"]
    return "\n".join(lines)
