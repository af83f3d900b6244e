"""``mnistcnn check`` grades exercises, made from the real pages, with the pages' own checks."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from exercise_files import exercise_script
from exercises import CODE_ANSWER, make_exercise
from gallery import page_of
from notebooks import site_gallery_conf

from mnistcnn.grader import (
    ERROR,
    NOT_ATTEMPTED,
    PASSED,
    TIMED_OUT,
    WRONG,
    book,
    check_file,
    check_files,
    preload,
    reading,
    runner,
)
from mnistcnn.grader.explain import explain
from mnistcnn.grader.format import BLANK, NOTEBOOK_CHECK_HEADING

from .helpers import PAGES, ROOT, completed, page, solution_code, subprocess_env, write


@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_untouched_exercises_are_not_attempted_and_name_every_hint_and_its_place(suffix, tmp_path):
    for source in PAGES:
        exercise, answers = make_exercise(source.read_text(encoding="utf-8"))
        path = write(tmp_path, int(source.name[1:3]), exercise, suffix)
        result = check_file(path)
        assert result.verdict == NOT_ATTEMPTED, (path.name, result.message)
        hints = [ast.literal_eval(CODE_ANSWER.match(a).group("hint")) for a in answers if CODE_ANSWER.match(a)]
        listed = result.message.splitlines()[1:]
        assert [line.split(": ", 1)[1] for line in listed] == hints
        if suffix == ".py":
            lines = exercise.splitlines()
            for entry in listed:
                number = int(re.match(r"line (\d+): ", entry).group(1))
                assert lines[number - 1].lstrip().startswith("...  # COMPLETE:")
        else:
            assert all(re.match(r"cell \d+, line \d+: ", entry) for entry in listed)
        assert result.seconds < 5, "a file with blanks left is not run"


def test_a_written_answer_left_blank_does_not_make_a_question_not_attempted(tmp_path):
    text = completed(page(5).read_text(encoding="utf-8"))
    assert "COMPLETE: write your answer here" in text
    assert check_file(write(tmp_path, 5, text)).verdict == PASSED


@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_q05_cat_along_the_wrong_dimension_is_wrong_with_the_students_shape(suffix, tmp_path):
    text = completed(page(5).read_text(encoding="utf-8"), lambda a: a.replace("(x, y), 0)", "(x, y), 1)"))
    result = check_file(write(tmp_path, 5, text, suffix))
    assert result.verdict == WRONG, result.message
    assert "rows.shape is (5, 6); expected (10, 3)" in result.message
    assert result.question == 5
    assert result.page == "q05_stack_and_cat.html" or result.page.endswith("01_tensors/q05_stack_and_cat.html")
    for line in solution_code(5):
        assert line not in result.message, "the solution code is never shown"


def test_q09_view_minus_one_four_is_wrong_with_the_students_shape(tmp_path):
    text = completed(page(9).read_text(encoding="utf-8"), lambda a: a.replace("x.view(2, 8)", "x.view(-1, 4)"))
    result = check_file(write(tmp_path, 9, text))
    assert result.verdict == WRONG, result.message
    assert "z_explicit.shape is (4, 4); expected (2, 8)" in result.message


def test_q30_without_backward_is_wrong_and_shows_the_loss_that_did_not_fall(mnist_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("MNISTCNN_DATA", str(mnist_dir))
    monkeypatch.setenv("MNISTCNN_DEVICE", "cpu")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # 1,800 small forward passes: one thread wastes least on a busy machine
    text = completed(page(30).read_text(encoding="utf-8"), lambda a: a.replace("loss.backward()", "pass"))
    result = check_file(write(tmp_path, 30, text))
    assert result.verdict == WRONG, result.message
    last_loss = float(re.search(r"printed\[-1\] is ([\d.]+); expected < 0.4", result.message).group(1))
    assert last_loss > 2.2, "without gradients the loss stays at ln 10"


def test_syntax_errors_and_exceptions_are_errors_of_their_own_question_only(tmp_path):
    q05 = page(5).read_text(encoding="utf-8")
    broken = write(tmp_path, 5, completed(q05, lambda a: a.replace("cols = torch.cat((x, y), 1)", "cols = (x, y")))
    line = broken.read_text(encoding="utf-8").splitlines().index("cols = (x, y") + 1
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    write(notebooks, 5, completed(q05, lambda a: a.replace("(x, y), 1)", "(x, y), 2)")), ".ipynb")
    write(tmp_path, 9, completed(page(9).read_text(encoding="utf-8")))
    report = tmp_path / "report.json"
    run = subprocess.run(
        [sys.executable, "-m", "mnistcnn", "check", str(tmp_path), "--json", str(report)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=300,
    )
    assert run.returncode == 1, run.stderr
    records = {(r["question"], Path(r["file"]).suffix): r for r in json.loads(report.read_text())}
    assert set(records) == {(5, ".py"), (5, ".ipynb"), (9, ".py")}
    assert set(records[5, ".py"]) == {
        "file",
        "question",
        "verdict",
        "message",
        "seconds",
        "page",
        "points",
        "max_points",
    }
    syntax = records[5, ".py"]
    assert (
        syntax["verdict"] == ERROR
        and syntax["message"]
        == "another file also answers Q05; counted once, with q05_stack_and_cat_exercise.ipynb\n"
        f"line {line}: SyntaxError: '(' was never closed\n    cols = (x, y"
    )
    assert (syntax["points"], syntax["max_points"]) == (0, 0), "a question answered twice counts once"
    raised = records[5, ".ipynb"]
    assert raised["verdict"] == ERROR
    assert re.match(r"cell \d+, line 2: IndexError: Dimension out of range", raised["message"])
    assert raised["message"].splitlines()[1].strip() == "cols = torch.cat((x, y), 2)"
    assert records[9, ".py"]["verdict"] == PASSED and records[9, ".py"]["seconds"] > 0
    table = run.stdout.split("\n\n")[0].splitlines()
    assert table[0].split() == ["Q", "file", "verdict", "points", "time"]
    rows = [line for line in table if line.startswith("Q0")]
    assert [row.split("  ")[0] for row in rows] == ["Q05", "Q05", "Q09"]
    assert "1 of 3 passed; 2 error: 1 of 2 points" in run.stdout
    assert "q09_view_reshape.html" in run.stdout, "the written answers are listed with their pages"
    assert "[3/3]" in run.stderr


@pytest.fixture(params=["heeded", "ignored"])
def interrupts(request):
    """The grader's interrupts as it starts, and as the processes it starts inherit them: heeded,
    or ignored, as a shell's ``nohup … &`` starts it."""
    if request.param == "heeded":
        yield request.param
        return
    preload._close_all()  # the preloaded runners start anew, inheriting what is ignored
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield request.param
    finally:
        signal.signal(signal.SIGINT, previous)
        preload._close_all()


@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_an_endless_loop_times_out_and_says_where(suffix, interrupts, tmp_path):
    text = completed(page(5).read_text(encoding="utf-8"), lambda a: "while True:\n    pass\n" + a)
    path = write(tmp_path, 5, text, suffix)
    if suffix == ".ipynb":
        where = next(c.where for c in reading.read(path).cells if "while True" in c.source) + ", line [12]"
    else:
        line = text.splitlines().index("while True:") + 1
        where = f"line ({line}|{line + 1})"
    # A busy machine may still be importing torch when the time is up: then the limit grows, until
    # the loop is reached, so that the test proves the place without depending on the machine's speed.
    for timeout in (10, 40, 160):
        result = check_file(path, timeout=timeout)
        assert result.verdict == TIMED_OUT, result.message
        if " at " in result.message:
            break
    assert re.fullmatch(rf"still running at {where} after {timeout} s \(the time limit: --timeout\)", result.message)


def test_a_file_graded_with_the_installed_package_alone_names_its_solution_page(tmp_path):
    """As an instructor grades with the package from a wheel: no page sources, a student's own folder."""
    package = tmp_path / "site-packages"
    shutil.copytree(ROOT / "mnistcnn", package / "mnistcnn", ignore=shutil.ignore_patterns("__pycache__"))
    script = exercise_script(page_of(page(5), site_gallery_conf()))
    assert script.startswith('"""\nQ05 · Stacking')
    assert "python -m mnistcnn check q05_stack_and_cat_exercise.py" in script
    _, answers = make_exercise(page(5).read_text(encoding="utf-8"))
    bodies = iter(CODE_ANSWER.match(a).group("body") for a in answers if CODE_ANSWER.match(a))
    student = tmp_path / "student"
    student.mkdir()
    (student / "my answers.py").write_text(BLANK.sub(lambda _: next(bodies).removesuffix("\n"), script))
    env = {**subprocess_env(), "PYTHONPATH": str(package)}
    for variable in ("MNISTCNN_SITE_URL", "GITHUB_REPOSITORY"):
        env.pop(variable, None)
    report = tmp_path / "report.json"
    run = subprocess.run(
        [sys.executable, "-m", "mnistcnn", "check", str(student), "--json", str(report)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    [record] = json.loads(report.read_text())
    assert (record["question"], record["verdict"]) == (5, PASSED), record["message"]
    assert record["page"] == "auto_examples/01_tensors/q05_stack_and_cat.html"


def test_files_graded_side_by_side_share_the_cores_and_one_alone_has_them_all(tmp_path, monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    cores = os.cpu_count() or 1
    source = completed(page(5).read_text(encoding="utf-8"))
    files = []
    for name, threads in (("alone", cores), ("first", max(1, cores // 2)), ("second", max(1, cores // 2))):
        # The student's code raises when torch does not have the threads expected.
        check_threads = f"assert torch.get_num_threads() == {threads}, torch.get_num_threads()\n"
        (tmp_path / name).mkdir()
        files.append(write(tmp_path / name, 5, source.replace("import torch\n", "import torch\n" + check_threads, 1)))
    assert [r.verdict for r in check_files(files[:1], jobs=1)] == [PASSED]
    results = check_files(files[1:], jobs=2)
    assert [r.verdict for r in results] == [PASSED, PASSED], [r.message for r in results]
    assert [r.points for r in results] == [1, 0], "one question, answered twice, counts once"
    assert "counted once" in results[1].message


def test_changing_a_pages_check_changes_what_check_enforces(tmp_path, monkeypatch):
    source = page(5).read_text(encoding="utf-8")
    changed = source.replace("assert rows.shape == (10, 3)", "assert rows.shape == (3, 10)")
    assert changed != source
    assert check_file(write(tmp_path, 5, completed(source))).verdict == PASSED
    examples = tmp_path / "examples" / "01_tensors"
    examples.mkdir(parents=True)
    (examples / page(5).name).write_text(changed, encoding="utf-8")
    changed_book = {**book.load(), 5: book.build(examples.parent)["5"]}
    monkeypatch.setattr(book, "load", lambda: changed_book)
    result = check_file(write(tmp_path, 5, completed(source)))
    assert result.verdict == WRONG
    assert "rows.shape is (10, 3); expected (3, 10)" in result.message
    assert result.message.startswith("checks edited"), "the file's checks are not the book's any more"


def test_a_copy_that_lost_its_check_cells_is_graded_with_the_pages_checks(tmp_path):
    text = completed(page(5).read_text(encoding="utf-8"), lambda a: a.replace("(x, y), 0)", "(x, y), 1)"))
    path = write(tmp_path, 5, text, ".ipynb")
    notebook = nbformat.read(path, as_version=4)
    heading = next(i for i, c in enumerate(notebook.cells) if NOTEBOOK_CHECK_HEADING.match(c.source))
    notebook.cells = notebook.cells[:heading]
    nbformat.write(notebook, path)
    assert not any(cell.kind == "final" for cell in reading.read(path).cells)
    result = check_file(path)
    assert result.verdict == WRONG and "rows.shape is (5, 6)" in result.message
    assert result.message.startswith("checks edited")


def test_a_cell_that_runs_check_on_the_notebook_itself_is_left_out_of_grading(tmp_path):
    path = write(tmp_path, 5, completed(page(5).read_text(encoding="utf-8")), ".ipynb")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(f"!python -m mnistcnn check {path.name}"))
    nbformat.write(notebook, path)
    cells = reading.read(path).cells
    assert not any("mnistcnn check" in cell.source for cell in cells)
    assert any("torch.cat" in cell.source for cell in cells)
    assert check_file(path).verdict == PASSED


@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_with_warnings_as_errors_a_deprecation_warning_fails_the_file(suffix, tmp_path):
    source = completed(page(5).read_text(encoding="utf-8"))
    warning = "import warnings\nwarnings.warn('old', DeprecationWarning)\n"
    warned = source.replace("import torch\n", "import torch\n" + warning, 1)
    assert warned != source
    path = write(tmp_path, 5, warned, suffix)
    assert check_file(path).verdict == PASSED
    result = check_file(path, warnings_are_errors=True)
    assert result.verdict == ERROR and "DeprecationWarning" in result.message, result.message


def failure(check_source: str, **namespace) -> str:
    test = ast.parse(check_source).body[0].test
    return explain(test, check_source, namespace)


def test_explanations_show_the_value_that_failed_and_what_was_expected():
    import torch

    assert failure("assert a == 3 and b == (1, 2)", a=3, b=(2, 1)) == "b is (2, 1); expected (1, 2)"
    assert failure("assert 100.0 == z", z=0.5) == "z is 0.5; expected 100.0"
    assert failure("assert x == 1 == y", x=1, y=2) == "y is 2; expected 1"
    assert failure("assert abs(p) < 0.05", p=-0.25) == "abs(p) is 0.25; expected < 0.05"
    assert failure("assert top < low", top=2.3, low=2.0) == "top is 2.3; expected < low = 2.0"
    assert failure("assert t.shape == (10, 3)", t=torch.zeros(5, 6)) == "t.shape is (5, 6); expected (10, 3)"
    message = failure("assert torch.equal(a, b)", torch=torch, a=torch.zeros(2), b=torch.ones(2))
    assert message == "torch.equal(a, b) is False; a is tensor([0., 0.]); b is tensor([1., 1.])"
    assert failure("assert not ok", ok=True) == "ok is True; expected it to be false"
    copy, z = torch.zeros(2), torch.zeros(2)
    message = failure("assert copy.untyped_storage().data_ptr() == z.untyped_storage().data_ptr()", copy=copy, z=z)
    assert message == "copy.untyped_storage() and z.untyped_storage() do not share their memory", "no raw address"


def test_a_failed_assert_with_a_message_says_it_in_words():
    cells = [{"source": 'assert a < 1, "the loss fell"\nassert b < 1, b\n', "where": "line 10", "first_line": 10}]
    checks = runner._compiled_checks(cells)
    assert runner._run_checks(checks, {"a": 2, "b": 0}) == {
        "verdict": WRONG,
        "message": 'check failed at line 10: assert a < 1, "the loss fell"\nthe loss fell: a is 2; expected < 1',
    }
    result = runner._run_checks(checks, {"a": 0, "b": 3})
    assert result["message"] == "check failed at line 11: assert b < 1, b\nb is 3; expected < 1"
    result = runner._run_checks(checks, {"b": 0})
    assert (
        result["message"]
        == "check could not run at line 10: assert a < 1, \"the loss fell\"\nNameError: name 'a' is not defined"
    )


def test_an_exception_raised_in_a_function_of_an_earlier_cell_names_that_cell_and_line(tmp_path):
    text = completed(page(5).read_text(encoding="utf-8"), lambda a: a.replace("(x, y), 1)", "(x, y), ratio(1, 0))"))
    path = write(tmp_path, 5, text, ".ipynb")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(2, nbformat.v4.new_code_cell("def ratio(a, b):\n    return a / b"))
    nbformat.write(notebook, path)
    result = check_file(path)
    assert (result.question, result.verdict) == (5, ERROR)
    assert result.message == "cell 3, line 2: ZeroDivisionError: division by zero\n    return a / b"
