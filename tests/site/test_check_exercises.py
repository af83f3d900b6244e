"""``mnistcnn check`` on the built site's exercises: graded as they stand, and as completed.

That the 33 solution notebooks pass ``check`` is proven by ``nox -s notebooks``, in a
student's environment, with the oldest and the newest torch.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import zipfile

import pytest
from exercises import CODE_ANSWER, make_exercise

from mnistcnn.grader import NOT_ATTEMPTED, PASSED, check_files
from mnistcnn.grader.format import BLANK

from ..helpers import GALLERY, QUESTIONS, ROOT


def _answers(question: int) -> list[re.Match]:
    page = next((ROOT / "examples").glob(f"*/q{question:02d}_*.py"))
    _, answers = make_exercise(page.read_text(encoding="utf-8"))
    return [CODE_ANSWER.match(a) for a in answers if CODE_ANSWER.match(a)]


@pytest.fixture(scope="module")
def exercises(tmp_path_factory):
    """The exercise notebooks of the site's zip, unzipped, by question."""
    folder = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(GALLERY / "mnistcnn_exercises.zip") as archive:
        archive.extractall(folder)
    found = {int(p.name[1:3]): p for p in folder.rglob("q[0-9][0-9]_*.ipynb")}
    assert sorted(found) == QUESTIONS
    return folder, found


def test_the_unzipped_exercises_are_33_questions_not_attempted_with_their_hints(exercises, tmp_path):
    folder, _ = exercises
    report = tmp_path / "grades.json"
    run = subprocess.run(
        [sys.executable, "-m", "mnistcnn", "check", str(folder), "--json", str(report)],
        capture_output=True,
        text=True,
        env=os.environ,
        timeout=300,
    )
    assert run.returncode == 1, run.stderr
    records = json.loads(report.read_text(encoding="utf-8"))
    assert [r["question"] for r in records] == QUESTIONS
    for record in records:
        hints = [ast.literal_eval(m.group("hint")) for m in _answers(record["question"])]
        assert record["verdict"] == NOT_ATTEMPTED
        assert [line.split(": ", 1)[1] for line in record["message"].splitlines()[1:]] == hints
        assert record["page"].endswith(".html")
    table = run.stdout.split("\n\n")[0]
    assert len(re.findall(r"^Q\d\d  ", table, re.MULTILINE)) == 33
    assert "0 of 33 passed; 33 not attempted" in run.stdout


# One cheap question of each section: every solution notebook passes in `nox -s notebooks`.
ONE_PER_SECTION = (5, 13, 19, 23, 26)


def test_the_unzipped_exercises_completed_with_the_answers_pass(exercises):
    """The exercise notebooks as students get them, blanks filled with the pages' answers."""
    import nbformat

    _, found = exercises
    completed = []
    for question in ONE_PER_SECTION:
        notebook = nbformat.read(found[question], as_version=4)
        bodies = iter(m.group("body").removesuffix("\n") for m in _answers(question))
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.source = BLANK.sub(lambda _, answers=bodies: next(answers), cell.source)
        assert next(bodies, None) is None
        nbformat.write(notebook, found[question])
        completed.append(found[question])
    results = check_files(completed, timeout=300)
    assert [(r.question, r.verdict, r.message) for r in results if r.verdict != PASSED] == []
