"""A class's scores as spreadsheets: the gradebook CSV, and a CSV that Canvas imports.

Both are made from the same :class:`~mnistcnn.grader.scores.Scores` of each student, so that a
student's total is the same number in each (and in the student's Gradescope report).

The gradebook (``--gradebook grades.csv``) has one row per submission::

    student, ID, Q01, ..., Q33, total, out of, notes

``student`` is the submission's folder or zip name; ``ID`` the student's Canvas ID from the
roster, else the folder name; a column per question of the book with the points scored;
``total``; ``out of``, the points of all the book's questions; and ``notes``: why a
submission could not be graded, the questions without a file, the files not counted.

The Canvas export (``--canvas canvas.csv``) holds what Canvas's gradebook import reads and
nothing more, so that no column becomes an assignment by mistake::

    Student, ID, SIS User ID, SIS Login ID, Section, mnistcnn

then a ``Points Possible`` row (as in Canvas's own export), then one row per submission
with its total in the one assignment column. Name that column as Canvas does, with the
assignment's ID (``--canvas-assignment "Exercises (12345)"``), and Canvas updates that
assignment; a name without an ID makes a new assignment. The per-question detail stays in
the gradebook.

Canvas finds a student by ``ID``, ``SIS User ID`` or ``SIS Login ID``. Without a roster,
the folder name is put in ``Student`` and ``ID``: name the folders by Canvas ID, or give a
roster (``--roster roster.csv``): a CSV with the columns ``Student``, ``ID``, ``SIS User ID``,
``SIS Login ID``, ``Section`` (any of them; Canvas's own gradebook export has them all) and a
column ``folder`` with each student's folder or zip name, or without it, folders named by
``SIS Login ID``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .results import question_label as label
from .scores import Student

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "    Points Possible"  # the first cell of that row, as Canvas writes it


def read_roster(path: Path) -> dict[str, dict[str, str]]:
    """The students of a roster CSV, by the name of their folder or zip.

    Parameters
    ----------
    path : Path
        A CSV with a ``folder`` or a ``SIS Login ID`` column, and any of :data:`CANVAS_COLUMNS`.

    Returns
    -------
    dict[str, dict[str, str]]
        For each folder name, the student's value in each of :data:`CANVAS_COLUMNS` ("" if absent).

    Raises
    ------
    ValueError
        When the roster has no column to find folders by, or names a folder twice.
    """
    with open(path, newline="", encoding="utf-8-sig") as file:  # utf-8-sig: Excel's CSV starts with a BOM
        reader = csv.DictReader(file)
        columns = reader.fieldnames or []
        key = "folder" if "folder" in columns else "SIS Login ID" if "SIS Login ID" in columns else None
        if key is None:
            raise ValueError(f"{path}: a roster needs a 'folder' or a 'SIS Login ID' column; it has {columns}")
        roster: dict[str, dict[str, str]] = {}
        for row in reader:
            folder = (row.get(key) or "").strip()
            if not folder or (row.get("Student") or "").strip() == POINTS_POSSIBLE.strip():
                continue
            if folder in roster:
                raise ValueError(f"{path}: two rows for the folder {folder!r}")
            roster[folder] = {column: (row.get(column) or "").strip() for column in CANVAS_COLUMNS}
    return roster


def identity(name: str, roster: dict[str, dict[str, str]]) -> dict[str, str]:
    """A submission's student as Canvas knows them: the roster's row, else the folder ``name``
    as ``Student`` and ``ID``."""
    return roster.get(name) or {"Student": name, "ID": name, "SIS User ID": "", "SIS Login ID": "", "Section": ""}


def number(value: float) -> str:
    """Points as a spreadsheet shows them: ``1``, ``2.5``."""
    return f"{value:g}"


def notes(student: Student, roster: dict[str, dict[str, str]] | None = None) -> str:
    """What the gradebook says of a submission beyond its points: its problem, its questions
    without a file, its files not counted, and whether the roster lacks it."""
    said = [student.problem] if student.problem else []
    scores = student.scores
    if scores.missing and not student.problem:
        said.append(f"missing: {' '.join(label(q) for q in scores.missing)}")
    said += scores.notes()
    if roster and student.name not in roster:
        said.append("not in the roster")
    return "; ".join(said)


def write_gradebook(path: Path, graded: list[Student], roster: dict[str, dict[str, str]] | None = None) -> None:
    """Write the gradebook CSV (columns: the module's docstring) of the students ``graded``.

    Parameters
    ----------
    path : Path
        The CSV to write.
    graded : list of Student
        The class, in the order of its rows.
    roster : dict, optional
        :func:`read_roster`'s students, for the ``ID`` column.
    """
    roster = roster or {}
    worth = graded[0].scores.worth if graded else {}
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["student", "ID", *map(label, worth), "total", "out of", "notes"])
        for student in graded:
            scores = student.scores
            row = [student.name, identity(student.name, roster)["ID"]]
            row += [number(scores.points(question)) for question in worth]
            row += [number(scores.total), number(scores.out_of), notes(student, roster)]
            writer.writerow(row)


def write_canvas(
    path: Path, graded: list[Student], assignment: str, roster: dict[str, dict[str, str]] | None = None
) -> None:
    """Write the Canvas gradebook import (columns: the module's docstring): each student's total.

    Parameters
    ----------
    path : Path
        The CSV to write.
    graded : list of Student
        The class, in the order of its rows.
    assignment : str
        The assignment column's name, as Canvas names it: ``Exercises (12345)``.
    roster : dict, optional
        :func:`read_roster`'s students; without one, each folder name is the student's ``ID``.
    """
    roster = roster or {}
    out_of = graded[0].scores.out_of if graded else 0
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([*CANVAS_COLUMNS, assignment])
        writer.writerow([POINTS_POSSIBLE, "", "", "", "", number(out_of)])
        for student in graded:
            who = identity(student.name, roster)
            writer.writerow([*(who[column] for column in CANVAS_COLUMNS), number(student.scores.total)])
