"""Grading a class: one score per student and question, the same in the gradebook, the Canvas
export and the Gradescope reports; out of the book's questions; students graded side by side."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import threading
import zipfile
from pathlib import Path

import pytest

from mnistcnn import cli
from mnistcnn.cli import main
from mnistcnn.grader import ERROR, PASSED, WRONG, Result, book, check_file, gradebook, points, spreadsheets, submissions
from mnistcnn.grader.scores import Scores, score

from .helpers import PAGES, completed, page, solution_code, write

QUESTIONS = [f"Q{q:02d}" for q in range(1, 34)]


def exercise(question: int, edit=lambda answer: answer) -> str:
    return completed(page(question).read_text(encoding="utf-8"), edit)


def exercise_name(question: int) -> str:
    return page(question).stem + "_exercise.py"


def zipped(path: Path, files: dict[str, str], dates: dict[str, tuple] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, (dates or {}).get(name, (2026, 11, 1, 12, 0, 0))), text)
    return path


def student_folder(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    return folder


def written(path: Path, text: str, seconds: float) -> Path:
    """``path`` with ``text`` in it, last modified at ``seconds`` since the epoch."""
    path.write_text(text, encoding="utf-8")
    os.utime(path, (seconds, seconds))
    return path


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def missing(*handed_in: int) -> str:
    return "missing: " + " ".join(q for q in QUESTIONS if int(q[1:]) not in handed_in)


def test_the_book_has_33_questions_and_each_is_worth_what_its_page_declares():
    worth = book.question_points()
    assert list(worth) == list(range(1, 34))
    assert worth == {int(p.name[1:3]): points.of_page(p.read_text(encoding="utf-8")) for p in PAGES}


# A class graded for real ---------------------------------------------------------


@pytest.fixture
def submissions_folder(tmp_path) -> Path:
    """Six students: right (with a copy), partly right, wrong (a notebook), broken, a zip that escapes, hostile."""
    root = tmp_path / "submissions"
    ana = student_folder(root, "ana")
    written(ana / exercise_name(5), exercise(5), 1_000_000)
    written(ana / "q05_copy.py", exercise(5), 2_000_000)
    write(ana, 9, exercise(9))
    zipped(
        root / "ben.zip",
        {
            f"ben/{exercise_name(5)}": exercise(5),
            f"ben/{exercise_name(9)}": exercise(9, lambda a: a.replace("view(2, 8)", "view(-1, 4)")),
        },
    )
    cleo = student_folder(root, "cleo")
    write(cleo, 5, exercise(5, lambda a: a.replace("(x, y), 0)", "(x, y), 1)")), ".ipynb")
    dan = student_folder(root, "dan")
    write(dan, 5, exercise(5, lambda a: a.replace("cols = torch.cat((x, y), 1)", "cols = (x, y")))
    (dan / exercise_name(9)).write_text("{", encoding="utf-8")
    zipped(root / "eli.zip", {f"../{exercise_name(5)}": exercise(5)})
    fay = student_folder(root, "fay")
    write(fay, 5, exercise(5, lambda a: f"open({str(tmp_path / 'planted.txt')!r}, 'w').write('x')\n" + a))
    write(fay, 9, exercise(9))
    (root / "notes.txt").write_text("not a submission", encoding="utf-8")
    return root


def test_a_class_is_graded_into_a_gradebook_and_a_report_per_student(submissions_folder, tmp_path, capsys):
    grades = tmp_path / "grades.csv"
    command = ["check", str(submissions_folder), "--gradebook", str(grades), "--timeout", "120", "--jobs", "2"]
    status = main(command)
    out, err = capsys.readouterr()
    assert status == 1, "eli's zip could not be graded"
    header, *table = read_csv(grades)
    assert header == ["student", "ID", *QUESTIONS, "total", "out of", "notes"]
    rows = {row[0]: dict(zip(header, row)) for row in table}
    assert list(rows) == ["ana", "ben", "cleo", "dan", "eli", "fay"]
    assert [rows[s]["ID"] for s in rows] == list(rows), "without a roster, the folder name is the ID"
    assert [rows[s]["Q05"] for s in rows] == ["1", "1", "0", "0", "0", "0"], "ana's copy is not counted twice"
    assert [rows[s]["Q09"] for s in rows] == ["1", "0", "0", "0", "0", "1"]
    assert all(rows[s][q] == "0" for s in rows for q in QUESTIONS if q not in ("Q05", "Q09"))
    assert [rows[s]["total"] for s in rows] == ["2", "1", "0", "0", "0", "1"]
    assert {rows[s]["out of"] for s in rows} == {"33"}, "out of the book's questions, not only those handed in"
    assert rows["ana"]["notes"] == f"{missing(5, 9)}; not counted: {exercise_name(5)} (Q05: q05_copy.py counts)"
    assert rows["ben"]["notes"] == rows["fay"]["notes"] == missing(5, 9)
    assert rows["dan"]["notes"] == f"{missing(5)}; not counted: {exercise_name(9)} (not a question of the book)", (
        "a file that answers no question is named in the notes, never made a column"
    )
    assert rows["cleo"]["notes"] == missing(5)
    assert rows["eli"]["notes"].startswith("cannot grade the submission: the zip holds '../q05_")
    assert not (submissions_folder.parent / exercise_name(5)).exists()
    assert not (tmp_path / "planted.txt").exists()

    reports = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "grades").glob("*.json")}
    assert sorted(reports) == ["ana", "ben", "cleo", "dan", "fay"], "eli has nothing graded to keep"
    for name, report in reports.items():
        assert report["score"] == float(rows[name]["total"])
        assert [t["score"] for t in report["tests"]] == [float(rows[name][q]) for q in QUESTIONS]
    ana = reports["ana"]
    assert ana["output"] == f"2 of 33 questions passed.\nNot counted: {exercise_name(5)} (Q05: q05_copy.py counts)."
    assert ana["tests"][4]["output"].startswith("passed: q05_copy.py\n")
    ben = reports["ben"]
    assert ben["score"] == 1 and ben["visibility"] == "visible" and ben["execution_time"] >= 0
    assert ben["output"] == "1 of 33 questions passed."
    assert [(t["name"], t["number"], t["score"], t["max_score"], t["status"]) for t in ben["tests"][4:9:4]] == [
        ("Q05", "5", 1, 1, "passed"),
        ("Q09", "9", 0, 1, "failed"),
    ]
    assert ben["tests"][0]["output"] == "no file of this question in the submission"
    feedback = ben["tests"][8]["output"]
    assert feedback.startswith("wrong: q09_") and "z_explicit.shape is (4, 4); expected (2, 8)" in feedback
    assert "solution page" in feedback
    for line in solution_code(9):
        assert line not in feedback, "the solution code is never shown"
    assert reports["dan"]["tests"][4]["extra_data"]["mnistcnn"]["verdict"] == ERROR
    no_file = "no file of this question in the submission"
    assert reports["dan"]["tests"][8]["output"] == no_file, "'{' answers no question"
    assert "SyntaxError" in reports["dan"]["tests"][4]["output"]
    assert reports["cleo"]["tests"][4]["extra_data"]["mnistcnn"]["verdict"] == WRONG
    fay = reports["fay"]["tests"][4]
    assert fay["status"] == "failed" and "PermissionError" in fay["output"]
    assert ben["tests"][4]["extra_data"]["mnistcnn"]["file"] == f"ben.zip/ben/{exercise_name(5)}"

    assert "6/6 students" in err and "eli: cannot grade" in err
    assert "limited to: the time limit, no core dump, CPU time" in err
    assert out.splitlines()[0].split() == ["ana", "2", "of", "33"]


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
    (root / "ben" / exercise_name(5)).write_text(exercise(5, lambda a: a.replace("0)", "1)")))
    log = io.StringIO()
    gradebook.grade_class(root, grades, stream=log)
    assert graded_files == ["ana", "ben", "ben"], "only the changed submission is graded again"
    assert "ana: 1 of 33 passed, files unchanged since the last grading" in log.getvalue()
    assert "ben: 0 of 33 passed  (" in log.getvalue()
    assert [row[-3] for row in read_csv(grades)[1:]] == ["1", "0"]
    gradebook.grade_class(root, grades, regrade=True, stream=io.StringIO())
    assert graded_files == ["ana", "ben", "ben", "ana", "ben"]


def test_one_submission_with_three_copies_of_a_question_scores_it_once_for_gradescope(tmp_path, capsys):
    submission = student_folder(tmp_path, "submission")
    for number, copy in enumerate(["", " (1)", " (2)"]):
        written(submission / exercise_name(5).replace(".py", f"{copy}.py"), exercise(5), 1_000_000 + number)
    write(submission, 9, exercise(9, lambda a: a.replace("view(2, 8)", "view(-1, 4)")))
    results = tmp_path / "results" / "results.json"
    assert main(["check", str(submission), "--gradescope", str(results)]) == 1
    report = json.loads(results.read_text(encoding="utf-8"))
    assert set(report) >= {"score", "execution_time", "output", "tests", "visibility", "stdout_visibility"}
    assert report["score"] == 1, "three copies of Q05 score it once"
    assert [t["name"] for t in report["tests"]] == QUESTIONS
    assert [(t["score"], t["max_score"], t["status"]) for t in report["tests"][4:9:4]] == [
        (1, 1, "passed"),
        (0, 1, "failed"),
    ]
    newest = exercise_name(5).replace(".py", " (2).py")
    assert report["tests"][4]["output"].startswith(f"passed: {newest}\n")
    assert report["output"].splitlines()[1:] == [
        f"Not counted: {exercise_name(5).replace('.py', ' (1).py')} (Q05: {newest} counts).",
        f"Not counted: {exercise_name(5)} (Q05: {newest} counts).",
    ]
    assert "z_explicit.shape is (4, 4)" in report["tests"][8]["output"]
    assert capsys.readouterr().out.splitlines()[0].split() == ["Q", "file", "verdict", "points", "time"]


# The rule, field by field, with the grading of each file faked -------------------


def fake_check_files(paths, *args, **kwargs) -> list[Result]:
    """Grade by what a file says: PASS passes, WRONG is wrong, else an error; each claims 5 points."""
    results = []
    for path in map(Path, paths):
        text = path.read_text(encoding="utf-8")
        verdict = PASSED if "PASS" in text else WRONG if "WRONG" in text else ERROR
        results.append(Result(str(path), int(path.name[1:3]), verdict, f"{verdict}!", 0.1, "page.html", 5, 5))
    return results


ROSTER = """folder,Student,ID,SIS User ID,SIS Login ID,Section
ana,"Lima, Ana",1001,S1001,alima,Section A
ben,"Ng, Ben",1002,S1002,bng,Section B
cleo,"Roy, Cleo",1003,S1003,croy,Section A
dan,"Diaz, Dan",1004,S1004,ddiaz,Section B
zoe,"Zhu, Zoe",1005,S1005,zzhu,Section B
"""


@pytest.fixture
def tricky_class(tmp_path) -> Path:
    """Copies (ana), a leftover draft (ben), a renamed file and dated zip members (cleo), two
    failed files of one question (dan), a question not in the book and no roster row (eli)."""
    root = tmp_path / "class"
    ana = student_folder(root, "ana")
    for seconds, name in enumerate([exercise_name(5), "q05_stack_and_cat_exercise (1).py", "q05_final.py"]):
        written(ana / name, "PASS", 1_000_000 + seconds)
    (ana / "q09_view_reshape_exercise.py").write_text("PASS", encoding="utf-8")
    ben = student_folder(root, "ben")
    written(ben / exercise_name(9), "PASS", 1_000_000)
    written(ben / "q09_draft.py", "WRONG", 2_000_000)  # the draft is newer, and fails: the passing file counts
    zipped(
        root / "cleo.zip",
        {"cleo/homework/q05_mine.py": "PASS", "cleo/q13_new.py": "WRONG", "cleo/old/q13_old.py": "ERROR"},
        {"cleo/q13_new.py": (2026, 11, 2, 9, 0, 0), "cleo/old/q13_old.py": (2026, 11, 1, 9, 0, 0)},
    )
    dan = student_folder(root, "dan")
    written(dan / "q13_a.py", "WRONG", 1_000_000)
    written(dan / "q13_b.py", "ERROR", 2_000_000)
    eli = student_folder(root, "eli")
    (eli / "q05_x.py").write_text("PASS", encoding="utf-8")
    (eli / "q99_bonus.py").write_text("PASS", encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return root


def parse(argv: list[str]) -> argparse.Namespace:
    """``check``'s options, as the command line reads them."""
    return cli._parser().parse_args(["check", *argv])


def test_one_rule_decides_each_question_alike_in_the_gradebook_canvas_and_gradescope(tricky_class, monkeypatch):
    monkeypatch.setattr(gradebook, "check_files", fake_check_files)
    out = tricky_class.parent
    canvas = ["--canvas", str(out / "canvas.csv"), "--canvas-assignment", "Exercises (12345)"]
    roster = ["--roster", str(out / "roster.csv")]
    args = parse([str(tricky_class), "--gradebook", str(out / "grades.csv"), *roster, *canvas, "--jobs", "2"])
    gradebook.grade_class(
        Path(args.paths[0]),
        Path(args.gradebook),
        regrade=args.regrade,
        timeout=args.timeout,
        jobs=args.jobs,
        warnings_are_errors=args.warnings_are_errors,
        memory=args.memory,
        roster=args.roster,
        canvas=args.canvas,
        canvas_assignment=args.canvas_assignment,
        stream=io.StringIO(),
    )

    def row(student, ident, total, notes, **scores):
        return [student, ident, *(scores.get(q, "0") for q in QUESTIONS), total, "33", notes]

    ana_kept = "Q05: q05_final.py counts"
    assert read_csv(out / "grades.csv") == [
        ["student", "ID", *QUESTIONS, "total", "out of", "notes"],
        row(
            "ana",
            "1001",
            "2",
            f"{missing(5, 9)}; not counted: q05_stack_and_cat_exercise (1).py ({ana_kept}); "
            f"not counted: {exercise_name(5)} ({ana_kept})",
            Q05="1",
            Q09="1",
        ),
        row("ben", "1002", "1", f"{missing(9)}; not counted: q09_draft.py (Q09: {exercise_name(9)} counts)", Q09="1"),
        row("cleo", "1003", "1", f"{missing(5, 13)}; not counted: q13_old.py (Q13: q13_new.py counts)", Q05="1"),
        row("dan", "1004", "0", f"{missing(13)}; not counted: q13_a.py (Q13: q13_b.py counts)"),
        row(
            "eli",
            "eli",
            "1",
            f"{missing(5)}; not counted: q99_bonus.py (not a question of the book); not in the roster",
            Q05="1",
        ),
    ]
    assert read_csv(out / "canvas.csv") == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Exercises (12345)"],
        ["    Points Possible", "", "", "", "", "33"],
        ["Lima, Ana", "1001", "S1001", "alima", "Section A", "2"],
        ["Ng, Ben", "1002", "S1002", "bng", "Section B", "1"],
        ["Roy, Cleo", "1003", "S1003", "croy", "Section A", "1"],
        ["Diaz, Dan", "1004", "S1004", "ddiaz", "Section B", "0"],
        ["eli", "eli", "", "", "", "1"],
    ]

    reports = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (out / "grades").glob("*.json")}
    expected = {  # each student's counted file per question, and its status
        "ana": {5: ("ana/q05_final.py", "passed"), 9: ("ana/q09_view_reshape_exercise.py", "passed")},
        "ben": {9: (f"ben/{exercise_name(9)}", "passed")},
        "cleo": {5: ("cleo.zip/cleo/homework/q05_mine.py", "passed"), 13: ("cleo.zip/cleo/q13_new.py", "failed")},
        "dan": {13: ("dan/q13_b.py", "failed")},
        "eli": {5: ("eli/q05_x.py", "passed")},
    }
    gradebook_rows = {r[0]: r for r in read_csv(out / "grades.csv")[1:]}
    for name, counted in expected.items():
        report = reports[name]
        assert report["score"] == float(gradebook_rows[name][-3]), "the report's total is the gradebook's"
        assert [t["name"] for t in report["tests"]] == QUESTIONS
        for number, test in enumerate(report["tests"], start=1):
            assert test["max_score"] == 1, "the book's points, not what a file claims"
            assert test["score"] == float(gradebook_rows[name][1 + number])
            if number not in counted:
                assert (test["status"], test["output"]) == ("failed", "no file of this question in the submission")
                continue
            file, status = counted[number]
            assert (test["extra_data"]["mnistcnn"]["file"], test["status"]) == (file, status)
            assert test["output"].splitlines()[0] == f"{test['extra_data']['mnistcnn']['verdict']}: {Path(file).name}"
    assert reports["ben"]["tests"][8]["output"].splitlines()[-1] == (
        f"Not counted: q09_draft.py (Q09: {exercise_name(9)} counts)"
    )
    assert (
        reports["ben"]["output"]
        == f"1 of 33 questions passed.\nNot counted: q09_draft.py (Q09: {exercise_name(9)} counts)."
    )
    assert reports["ana"]["output"].count("Not counted") == 2


def test_the_rule_prefers_a_pass_then_the_newest_then_the_last_name():
    def result(file, verdict):
        return Result(file, 5, verdict, "", 0.0, "")

    worth = {5: 1, 9: 2}
    passed_old, wrong_new = result("a.py", PASSED), result("b.py", WRONG)
    assert score([passed_old, wrong_new], worth, {"a.py": 1, "b.py": 2}).counted[5] is passed_old
    wrong_old = result("c.py", WRONG)
    assert score([wrong_old, wrong_new], worth, {"b.py": 2, "c.py": 1}).counted[5] is wrong_new
    same_time = [result("x/q05_a.py", PASSED), result("x/q05_b.py", PASSED)]
    assert score(same_time, worth, {}).counted[5].file == "x/q05_b.py"
    scores = score([passed_old, result("a (1).py", PASSED)], worth, {})
    assert (scores.total, scores.out_of, scores.missing, scores.passed) == (1, 3, [9], 1)
    assert Scores(worth).total == 0


# Students side by side -----------------------------------------------------------


def test_with_two_jobs_two_students_are_graded_at_the_same_time(tmp_path, monkeypatch):
    root = tmp_path / "class"
    for name in ("ana", "ben"):
        (student_folder(root, name) / "q05_x.py").write_text("PASS", encoding="utf-8")
    events = []
    together = threading.Barrier(2, timeout=60)  # passes only when two files are in flight at once

    def graded_side_by_side(paths, *args, **kwargs):
        student = Path(paths[0]).parent.name
        events.append(("start", student))
        together.wait()
        events.append(("end", student))
        return fake_check_files(paths)

    monkeypatch.setattr(gradebook, "check_files", graded_side_by_side)
    log = io.StringIO()
    graded = gradebook.grade_class(root, tmp_path / "grades.csv", jobs=2, stream=log)
    assert [(s.name, s.problem, s.scores.total) for s in graded] == [("ana", "", 1), ("ben", "", 1)]
    assert sorted(events[:2]) == [("start", "ana"), ("start", "ben")], "both started before either ended"
    assert [line.split("  ")[0] for line in log.getvalue().splitlines()] == [
        "[##########----------] 1/2 students",
        "[####################] 2/2 students",
    ]
    assert sorted(line.split("  ")[1].split(":")[0] for line in log.getvalue().splitlines()) == ["ana", "ben"]
    assert {p.name for p in (tmp_path / "grades").iterdir()} == {"ana.json", "ben.json"}, "each report whole"

    events.clear()
    monkeypatch.setattr(
        gradebook, "check_files", lambda paths, *a, **k: events.append(paths) or fake_check_files(paths)
    )
    gradebook.grade_class(root, tmp_path / "grades.csv", regrade=False, jobs=2, stream=io.StringIO())
    assert events == [], "the unchanged students are not graded again"


def test_with_one_job_the_students_are_graded_one_after_the_other(tmp_path, monkeypatch):
    root = tmp_path / "class"
    for name in ("ana", "ben"):
        folder = student_folder(root, name)
        (folder / "q05_x.py").write_text("PASS", encoding="utf-8")
        (folder / "q09_x.py").write_text("WRONG", encoding="utf-8")
    events = []

    def one_at_a_time(paths, *args, **kwargs):
        events.append(("start", Path(paths[0]).parent.name))
        events.append(("end", Path(paths[0]).parent.name))
        return fake_check_files(paths)

    monkeypatch.setattr(gradebook, "check_files", one_at_a_time)
    gradebook.grade_class(root, tmp_path / "grades.csv", jobs=1, stream=io.StringIO())
    assert [student for _, student in events] == ["ana"] * 4 + ["ben"] * 4


# The rest of a class folder -------------------------------------------------------


def test_a_roster_without_a_column_to_find_folders_by_is_refused(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID\nAna,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'folder' or a 'SIS Login ID' column"):
        spreadsheets.read_roster(roster)
    roster.write_text("Student,ID,SIS Login ID\nAna,1,ana\nAna again,2,ana\n", encoding="utf-8")
    with pytest.raises(ValueError, match="two rows for the folder 'ana'"):
        spreadsheets.read_roster(roster)


def test_a_zip_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(submissions, "MAX_UNPACKED_BYTES", 1000)
    archive = zipped(tmp_path / "big.zip", {"q05_x.py": "#" * 2000})
    with pytest.raises(ValueError, match="more than"):
        submissions.unpack(archive, tmp_path / "out")


def test_the_progress_bar_names_each_student_and_the_time_left():
    log = io.StringIO()  # not a terminal: one line per student
    bar = gradebook.ProgressBar(5, log)
    results = [Result(f"q0{q}.py", q, verdict, "", 1.0, "") for q, verdict in ((1, PASSED), (2, WRONG))]
    worth = book.question_points()
    bar.step(gradebook.Student("ana", score(results, worth, {}), unchanged=True))
    bar.start -= 600  # ben took ten minutes
    bar.step(gradebook.Student("ben", score(results, worth, {})))
    bar.step(gradebook.Student("cleo", score([], worth, {}), problem="no exercise in it"))
    bar.done = 4
    bar.step(gradebook.Student("dan", score(results[:1], worth, {})))
    assert log.getvalue().splitlines() == [
        "[####----------------] 1/5 students  ana: 1 of 33 passed, files unchanged since the last grading  (0 s)",
        "[########------------] 2/5 students  ben: 1 of 33 passed  (10 min, about 30 min left)",
        "[############--------] 3/5 students  cleo: no exercise in it  (10 min, about 10 min left)",
        "[####################] 5/5 students  dan: 1 of 33 passed  (10 min)",
    ]


def test_the_time_left_counts_the_students_in_progress_for_their_share_of_files_graded():
    log = io.StringIO()
    bar = gradebook.ProgressBar(3, log)
    bar.start -= 300  # five minutes in, ana and ben graded side by side, each 1 of 2 files done
    bar.file("ana", 2)
    bar.file("ben", 2)
    bar.step(gradebook.Student("ana", score([], book.question_points(), {})))
    # 1.5 students' work in 5 min; 1.5 left (half of ben, all of the third): about 5 min more
    assert log.getvalue() == "[#######-------------] 1/3 students  ana: 0 of 33 passed  (5 min, about 5 min left)\n"
