"""Grading a class: a gradebook row per student, Gradescope's results.json, points, and no second grading."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from mnistcnn import gradebook, points
from mnistcnn.check import ERROR, PASSED, WRONG, Result, check_file
from mnistcnn.cli import main

from .helpers import completed, page, solution_code, write


def exercise(question: int, edit=lambda answer: answer) -> str:
    return completed(page(question).read_text(encoding="utf-8"), edit)


def zipped(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def student_folder(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def submissions(tmp_path) -> Path:
    """Six students: right, partly right, wrong (a notebook), broken, a zip that escapes, hostile."""
    root = tmp_path / "submissions"
    q05, q09 = page(5).stem + "_exercise.py", page(9).stem + "_exercise.py"
    ana = student_folder(root, "ana")
    write(ana, 5, exercise(5))
    write(ana, 9, exercise(9))
    zipped(
        root / "ben.zip",
        {f"ben/{q05}": exercise(5), f"ben/{q09}": exercise(9, lambda a: a.replace("view(2, 8)", "view(-1, 4)"))},
    )
    cleo = student_folder(root, "cleo")
    write(cleo, 5, exercise(5, lambda a: a.replace("(x, y), 0)", "(x, y), 1)")), ".ipynb")
    dan = student_folder(root, "dan")
    write(dan, 5, exercise(5, lambda a: a.replace("cols = torch.cat((x, y), 1)", "cols = (x, y")))
    (dan / q09).write_text("{", encoding="utf-8")
    zipped(root / "eli.zip", {f"../{q05}": exercise(5)})
    fay = student_folder(root, "fay")
    write(fay, 5, exercise(5, lambda a: f"open({str(tmp_path / 'planted.txt')!r}, 'w').write('x')\n" + a))
    write(fay, 9, exercise(9))
    (root / "notes.txt").write_text("not a submission", encoding="utf-8")
    return root


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_a_class_is_graded_into_a_gradebook_and_a_report_per_student(submissions, tmp_path, capsys):
    grades = tmp_path / "grades.csv"
    status = main(["check", str(submissions), "--gradebook", str(grades), "--timeout", "120", "--jobs", "2"])
    out, err = capsys.readouterr()
    assert status == 1, "eli's zip could not be graded"
    rows = {row["student"]: row for row in read_csv(grades)}
    assert list(rows) == ["ana", "ben", "cleo", "dan", "eli", "fay"]
    assert list(rows["ana"]) == ["student", "Q05", "Q09", "total", "out of", "notes"]
    assert [rows[s]["Q05"] for s in rows] == ["1", "1", "0", "0", "0", "0"]
    assert [rows[s]["Q09"] for s in rows] == ["1", "0", "0", "0", "0", "1"]
    assert [rows[s]["total"] for s in rows] == ["2", "1", "0", "0", "0", "1"]
    assert {rows[s]["out of"] for s in rows} == {"2"}
    assert rows["ana"]["notes"] == rows["ben"]["notes"] == rows["fay"]["notes"] == ""
    assert rows["cleo"]["notes"] == "missing: Q09"
    assert rows["eli"]["notes"].startswith("cannot grade the submission: the zip holds '../q05_")
    assert not (submissions.parent / page(5).name.replace(".py", "_exercise.py")).exists()
    assert not (tmp_path / "planted.txt").exists()

    reports = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "grades").glob("*.json")}
    assert sorted(reports) == ["ana", "ben", "cleo", "dan", "fay"], "eli has nothing graded to keep"
    ben = reports["ben"]
    assert ben["score"] == 1 and ben["visibility"] == "visible" and ben["execution_time"] >= 0
    assert ben["output"] == "1 of 2 questions passed."
    assert [(t["name"], t["number"], t["score"], t["max_score"], t["status"]) for t in ben["tests"]] == [
        ("Q05", "5", 1, 1, "passed"),
        ("Q09", "9", 0, 1, "failed"),
    ]
    feedback = ben["tests"][1]["output"]
    assert feedback.startswith("wrong: q09_") and "z_explicit.shape is (4, 4); expected (2, 8)" in feedback
    assert "solution page" in feedback
    for line in solution_code(9):
        assert line not in feedback, "the solution code is never shown"
    assert [t["extra_data"]["mnistcnn"]["verdict"] for t in reports["dan"]["tests"]] == [ERROR, ERROR]
    assert "SyntaxError" in reports["dan"]["tests"][0]["output"]
    assert reports["cleo"]["tests"][0]["extra_data"]["mnistcnn"]["verdict"] == WRONG
    fay = reports["fay"]["tests"][0]
    assert fay["status"] == "failed" and "PermissionError" in fay["output"]
    assert (
        reports["ben"]["tests"][0]["extra_data"]["mnistcnn"]["file"] == "ben.zip/ben/" + page(5).stem + "_exercise.py"
    )

    assert "6/6 students" in err and "eli: cannot grade" in err
    assert "limited to: the time limit, no core dump, CPU time" in err
    assert out.splitlines()[0].split() == ["ana", "2", "of", "2"]


def test_grading_again_skips_the_unchanged_students_unless_asked(tmp_path, monkeypatch):
    root = tmp_path / "submissions"
    write(student_folder(root, "ana"), 5, exercise(5))
    write(student_folder(root, "ben"), 5, exercise(5))
    grades = tmp_path / "grades.csv"
    graded_files = []

    def counting(paths, *args, **kwargs):
        graded_files.extend(Path(p).parent.name for p in paths)
        return [check_file(p, 120) for p in paths]

    monkeypatch.setattr(gradebook, "check_files", counting)
    gradebook.grade_class(root, grades, stream=io.StringIO())
    assert graded_files == ["ana", "ben"]
    (root / "ben" / (page(5).stem + "_exercise.py")).write_text(exercise(5, lambda a: a.replace("0)", "1)")))
    log = io.StringIO()
    gradebook.grade_class(root, grades, stream=log)
    assert graded_files == ["ana", "ben", "ben"], "only the changed submission is graded again"
    assert "ana: 1 of 1 passed, files unchanged since the last grading" in log.getvalue()
    assert "ben: 0 of 1 passed  (" in log.getvalue()
    assert [row["total"] for row in read_csv(grades)] == ["1", "0"]
    gradebook.grade_class(root, grades, regrade=True, stream=io.StringIO())
    assert graded_files == ["ana", "ben", "ben", "ana", "ben"]


def test_one_submission_in_gradescopes_format(tmp_path, capsys):
    submission = student_folder(tmp_path, "submission")
    write(submission, 5, exercise(5))
    write(submission, 9, exercise(9, lambda a: a.replace("view(2, 8)", "view(-1, 4)")))
    results = tmp_path / "results" / "results.json"
    assert main(["check", str(submission), "--gradescope", str(results)]) == 1
    report = json.loads(results.read_text(encoding="utf-8"))
    assert set(report) >= {"score", "execution_time", "output", "tests", "visibility", "stdout_visibility"}
    assert report["score"] == 1
    assert [(t["name"], t["score"], t["max_score"], t["visibility"]) for t in report["tests"]] == [
        ("Q05", 1, 1, "visible"),
        ("Q09", 0, 1, "visible"),
    ]
    assert "z_explicit.shape is (4, 4)" in report["tests"][1]["output"]
    out = capsys.readouterr().out
    assert "1 of 2 passed; 1 wrong: 1 of 2 points" in out
    assert out.splitlines()[0].split() == ["Q", "file", "verdict", "points", "time"]


def test_a_page_declares_its_points_and_a_copy_keeps_them(tmp_path):
    text = exercise(9).replace('"""\n', '"""\n# sphinx_gallery_points = 3\n', 1)
    (tmp_path / "my_answer.py").write_text(text, encoding="utf-8")
    assert points.of_file(tmp_path / "my_answer.py") == 3
    assert points.of_file(tmp_path / "my_answer.py", page(9)) == 1, "the page source, where at hand, decides"
    assert points.of_page("# sphinx_gallery_points = 2.5\n") == 2.5
    notebook = write(tmp_path, 9, exercise(9), ".ipynb")
    data = json.loads(notebook.read_text(encoding="utf-8"))
    assert data["metadata"]["mnistcnn"]["points"] == 1
    data["metadata"]["mnistcnn"]["points"] = 4
    notebook.write_text(json.dumps(data), encoding="utf-8")
    assert points.of_file(notebook) == 4
    del data["metadata"]["mnistcnn"]
    notebook.write_text(json.dumps(data), encoding="utf-8")
    assert points.of_file(notebook) == 1, "a copy that lost its metadata is worth the default"
    result = check_file(write(tmp_path, 9, exercise(9)))
    assert (result.verdict, result.points, result.max_points) == (PASSED, 1, 1)


def test_a_zip_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(gradebook, "MAX_UNPACKED_BYTES", 1000)
    archive = zipped(tmp_path / "big.zip", {"q05_x.py": "#" * 2000})
    with pytest.raises(ValueError, match="more than"):
        gradebook.unpack(archive, tmp_path / "out")


def test_the_progress_bar_names_each_student_and_the_time_left():
    log = io.StringIO()  # not a terminal: one line per student
    bar = gradebook.ProgressBar(5, log)
    results = [Result(f"q0{q}.py", q, verdict, "", 1.0, "") for q, verdict in ((1, PASSED), (2, WRONG))]
    bar.step(gradebook.Student("ana", results, unchanged=True))
    bar.start -= 600  # ben took ten minutes
    bar.step(gradebook.Student("ben", results))
    bar.step(gradebook.Student("cleo", problem="no exercise in it"))
    bar.done = 4
    bar.step(gradebook.Student("dan", results[:1]))
    assert log.getvalue().splitlines() == [
        "[####----------------] 1/5 students  ana: 1 of 2 passed, files unchanged since the last grading  (0 s)",
        "[########------------] 2/5 students  ben: 1 of 2 passed  (10 min, about 30 min left)",
        "[############--------] 3/5 students  cleo: no exercise in it  (10 min, about 10 min left)",
        "[####################] 5/5 students  dan: 1 of 1 passed  (10 min)",
    ]
