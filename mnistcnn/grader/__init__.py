"""The grader of ``python -m mnistcnn check``: completed exercises, graded by the book's rules.

Its modules, in the order a file meets them:

* :mod:`~mnistcnn.grader.format`: the exercise format, shared with the docs build (blanks,
  hints, check cells, inline checks, points);
* :mod:`~mnistcnn.grader.book`: each question's checks, points and identity, from its page,
  shipped as ``book.json``; :mod:`~mnistcnn.grader.points` reads a page's points;
* :mod:`~mnistcnn.grader.reading`: a submission's cells, and which question it answers;
* :mod:`~mnistcnn.grader.grade`: each file in a sandboxed process, with the book's checks;
  :mod:`~mnistcnn.grader.sandbox` and :mod:`~mnistcnn.grader.launcher` hold the process within
  its limits, and :mod:`~mnistcnn.grader.preload` forks it from a process that has imported torch;
* :mod:`~mnistcnn.grader.runner` and :mod:`~mnistcnn.grader.guard`: in that process, the
  student's code, then the checks, on libraries and values the code cannot disarm;
* :mod:`~mnistcnn.grader.explain`: why a check failed, with the student's values;
* :mod:`~mnistcnn.grader.results`: a file's result, and the text report;
* :mod:`~mnistcnn.grader.gradebook`: a class at once, with :mod:`~mnistcnn.grader.submissions`
  (its folders and zips), :mod:`~mnistcnn.grader.scores` (one score per question),
  :mod:`~mnistcnn.grader.spreadsheets` (the CSV gradebook, the Canvas export) and
  :mod:`~mnistcnn.grader.gradescope` (Gradescope's ``results.json``).

The names a caller needs are here: :func:`check_files`, :func:`check_file`,
:func:`find_exercises`, :class:`Result` and the verdicts.
"""

from .grade import DEFAULT_TIMEOUT, check_file, check_files, find_exercises
from .results import ERROR, NOT_ATTEMPTED, PASSED, TIMED_OUT, WRONG, Result, label, summary, table

__all__ = [
    "DEFAULT_TIMEOUT",
    "ERROR",
    "NOT_ATTEMPTED",
    "PASSED",
    "TIMED_OUT",
    "WRONG",
    "Result",
    "check_file",
    "check_files",
    "find_exercises",
    "label",
    "summary",
    "table",
]
