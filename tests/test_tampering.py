"""A student who wants points without the work gets none: the book's checks, run on values the
student's code cannot disarm, decide. Each tampering below comes with a wrong answer, so that only
the tampering could make it pass; right answers written another way still pass."""

from __future__ import annotations

import textwrap

import nbformat
import pytest

from mnistcnn.grader import ERROR, PASSED, WRONG, check_file, check_files, find_exercises
from mnistcnn.grader.format import INLINE_CHECK, INLINE_CHECK_CELL, NOTEBOOK_CHECK_HEADING, SCRIPT_CHECK_HEADING

from .helpers import completed, page, write

WRONG_Q05 = {"cat((x, y), 0)": "cat((y, x), 0)"}  # the right shapes, the wrong order: only torch.equal sees it


def q05(edit: dict | None = None, before: str = "", after: str = "") -> str:
    """The Q05 exercise completed with ``edit`` applied to the answer, ``before``/``after`` it."""
    edit = WRONG_Q05 if edit is None else edit

    def answer(code):
        for old, new in edit.items():
            code = code.replace(old, new)
        return before + code + after

    return completed(page(5).read_text(encoding="utf-8"), answer)


def no_credit(result) -> None:
    assert result.verdict != PASSED and result.points == 0, (result.verdict, result.message)


def test_the_wrong_answer_used_below_is_wrong_on_its_own(tmp_path):
    result = check_file(write(tmp_path, 5, q05()))
    assert result.verdict == WRONG and "torch.equal(rows[:5], x) is False" in result.message, result.message


def test_a_check_section_whose_asserts_became_pass_is_graded_with_the_books(tmp_path):
    text = q05()
    heading = SCRIPT_CHECK_HEADING.search(text).end()
    text = text[:heading] + text[heading:].replace("assert ", "pass  # ")
    result = check_file(write(tmp_path, 5, text))
    no_credit(result)
    assert result.message.startswith("checks edited")


def test_a_notebooks_check_cells_replaced_by_assert_true_are_graded_with_the_books(tmp_path):
    path = write(tmp_path, 5, q05(), ".ipynb")
    notebook = nbformat.read(path, as_version=4)
    heading = next(i for i, c in enumerate(notebook.cells) if NOTEBOOK_CHECK_HEADING.match(c.source))
    for cell in notebook.cells[heading:]:
        if cell.cell_type == "code":
            cell.source = "assert True"
    nbformat.write(notebook, path)
    result = check_file(path)
    no_credit(result)
    assert "checks edited" in result.message


def q02_wrong() -> str:
    return completed(page(2).read_text(encoding="utf-8"), lambda a: a.replace("torch.rand(5, 3)", "torch.rand(3, 5)"))


def test_an_inline_check_edited_to_assert_true_still_checks_its_step(tmp_path):
    text = INLINE_CHECK.sub("# sphinx_gallery_start_ignore\nassert True\n# sphinx_gallery_end_ignore\n", q02_wrong())
    result = check_file(write(tmp_path, 2, text))
    no_credit(result)
    assert result.message.startswith("checks edited") and "y.shape" in result.message


def test_an_inline_check_cell_deleted_is_run_after_the_step_it_checks(tmp_path):
    path = write(tmp_path, 2, q02_wrong(), ".ipynb")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells = [c for c in notebook.cells if not c.source.startswith(INLINE_CHECK_CELL)]
    nbformat.write(notebook, path)
    result = check_file(path)
    no_credit(result)
    # Without its only inline check, the file has the form of a solution notebook, which shows no hidden
    # check: not called an edit, and graded with the book's check all the same, after its step.
    assert "after cell" in result.message, result.message


@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_patching_torch_equal_allclose_and_tensor_eq_does_not_pass(suffix, tmp_path):
    patch = (
        "torch.equal = lambda *a, **k: True\n"
        "torch.allclose = lambda *a, **k: True\n"
        "torch.Tensor.__eq__ = lambda self, other: torch.ones((), dtype=torch.bool)\n"
        "torch.Tensor.equal = lambda self, other: True\n"
    )
    result = check_file(write(tmp_path, 5, q05(after=patch), suffix))
    no_credit(result)
    assert "torch.equal(rows[:5], x) is False" in result.message


def test_an_int_whose_eq_is_always_true_is_compared_by_its_value(tmp_path, mnist_dir, monkeypatch):
    monkeypatch.setenv("MNISTCNN_DATA", str(mnist_dir))
    fake = textwrap.dedent(
        """\
        class _Any(int):
            def __eq__(self, other):
                return True
            __hash__ = int.__hash__
        after_conv1 = after_pool1 = after_conv2 = after_pool2 = _Any(10)
        fc1_inputs = _Any(10)
        """
    )
    text = completed(page(25).read_text(encoding="utf-8"), lambda a: fake if "after_conv1 =" in a else a)
    result = check_file(write(tmp_path, 25, text))
    no_credit(result)
    assert "is (10, 10, 10, 10); expected (24, 12, 8, 4)" in result.message


def test_a_tensor_subclass_that_answers_true_to_torch_equal_is_a_plain_tensor_to_the_checks(tmp_path):
    subclass = textwrap.dedent(
        """\
        class _Any(torch.Tensor):
            @classmethod
            def __torch_function__(cls, func, types, args=(), kwargs=None):
                if func is torch.equal:
                    return True
                return super().__torch_function__(func, types, args, kwargs or {})
            def __eq__(self, other):
                return True
        rows, cols = rows.as_subclass(_Any), cols.as_subclass(_Any)
        """
    )
    no_credit(check_file(write(tmp_path, 5, q05(after=subclass))))


def test_a_notebook_that_replaces_the_graders_own_functions_does_not_pass(tmp_path):
    patch = (
        "import sys\n"
        "for name, module in list(sys.modules.items()):\n"
        "    if name.startswith('mnistcnn'):\n"
        "        for function in ('_run_checks', 'run_checks', 'explain', 'run'):\n"
        "            if hasattr(module, function):\n"
        "                setattr(module, function, lambda *a, **k: {'verdict': 'passed', 'message': ''})\n"
    )
    no_credit(check_file(write(tmp_path, 5, q05(after=patch), ".ipynb")))


@pytest.mark.parametrize(
    "escape",
    [
        'import os\nopen(\'result.json\', \'w\').write(\'{"verdict": "passed", "message": ""}\')\nos._exit(0)\n',
        "import sys\nsys.exit(0)\n",
        # A verdict forged on every descriptor the process may hold, then a quiet end.
        "import os\n"
        "for fd in range(1, 64):\n"
        "    try:\n"
        '        os.write(fd, b\'passed {"verdict": "passed", "message": ""}\\n\')\n'
        "    except OSError:\n"
        "        pass\n"
        "os._exit(0)\n",
    ],
    ids=["result-file-and-os-exit", "sys-exit", "forged-verdict-line"],
)
@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_leaving_early_or_forging_a_verdict_is_an_error(escape, suffix, tmp_path):
    result = check_file(write(tmp_path, 5, q05(before=escape), suffix))
    no_credit(result)
    assert result.verdict == ERROR, result.message


def test_names_the_checks_import_come_from_the_book_not_the_student(tmp_path):
    fake = "import types\ntorch = types.SimpleNamespace(equal=lambda *a, **k: True, stack=torch.stack)\n"
    no_credit(check_file(write(tmp_path, 5, q05(after=fake))))


def test_the_question_and_points_come_from_the_content_not_the_name_or_metadata(tmp_path):
    """A Q01 exercise saved as Q33's, with metadata that says Q33 and 100 points, is Q01, worth 1."""
    path = write(tmp_path, 1, completed(page(1).read_text(encoding="utf-8")), ".ipynb")
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["mnistcnn"] = {"question": 33, "points": 100, "page": "q33.html"}
    renamed = tmp_path / "q33_ten_epochs_or_three_exercise.ipynb"
    nbformat.write(notebook, renamed)
    path.unlink()
    result = check_file(renamed)
    assert (result.question, result.verdict, result.points, result.max_points) == (1, PASSED, 1, 1), result.message
    assert result.page.endswith("q01_uninitialised_tensor.html")


def test_copies_under_any_name_are_found_and_a_file_of_no_question_is_reported(tmp_path):
    right = q05({})
    (tmp_path / "Copy of q05_stack_and_cat_exercise.py").write_text(right, encoding="utf-8")
    (tmp_path / "Q09_view.py").write_text(completed(page(9).read_text(encoding="utf-8")), encoding="utf-8")
    (tmp_path / "helpers.py").write_text("def helper():\n    return 1\n", encoding="utf-8")
    paths = find_exercises([tmp_path])
    assert sorted(p.name for p in paths) == ["Copy of q05_stack_and_cat_exercise.py", "Q09_view.py", "helpers.py"]
    results = {r.file.rsplit("/", 1)[-1]: r for r in check_files(paths)}
    assert (results["Copy of q05_stack_and_cat_exercise.py"].question, results["Q09_view.py"].question) == (5, 9)
    assert results["Copy of q05_stack_and_cat_exercise.py"].verdict == PASSED
    assert results["Q09_view.py"].verdict == PASSED
    helpers = results["helpers.py"]
    assert (helpers.question, helpers.verdict, helpers.max_points) == (None, ERROR, 0)
    assert "answers no question of the book" in helpers.message


@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_right_answers_written_another_way_pass(suffix, tmp_path):
    other = {"torch.cat((x, y), 0)": "torch.vstack([x, y])", "torch.cat((x, y), 1)": "torch.hstack([x, y])"}
    helper = "def joined(a, b, dim):\n    return torch.cat((a, b), dim)\n\n\n"
    result = check_file(write(tmp_path, 5, q05(other, before=helper), suffix))
    assert (result.verdict, result.points, result.message) == (PASSED, 1, ""), result.message


def test_a_right_answer_that_calls_its_own_function_passes_the_inline_checks(tmp_path):
    text = completed(
        page(2).read_text(encoding="utf-8"),
        lambda a: a.replace(
            "y = torch.rand(5, 3)", "def uniform(*shape):\n    return torch.rand(*shape)\n\n\ny = uniform(5, 3)"
        ),
    )
    result = check_file(write(tmp_path, 2, text, ".ipynb"))
    assert result.verdict == PASSED, result.message
    assert result.points == 1


def test_a_snapshot_puts_back_what_code_patched_and_gives_it_back_after_the_check():
    import torch

    from mnistcnn.grader.guard import Snapshot

    snapshot, equal = Snapshot(), torch.equal
    try:
        torch.equal = lambda *a, **k: True
        torch.Tensor.__eq__ = lambda self, other: True  # torch.Tensor inherits __eq__: an added attribute
        changes = snapshot.restore()
        assert torch.equal is equal and "__eq__" not in vars(torch.Tensor)
        assert not torch.equal(torch.zeros(1), torch.ones(1))
        snapshot.undo(changes)
        assert torch.equal(torch.zeros(1), torch.ones(1)), "the student's code sees its own patches again"
    finally:
        snapshot.restore()
    assert torch.equal is equal and "__eq__" not in vars(torch.Tensor)


def test_inline_checks_deleted_still_stand_after_their_own_steps(tmp_path):
    """Q13's four inline checks follow four steps that all end with the same line: each finds its own."""
    right = completed(page(13).read_text(encoding="utf-8"))
    wrong = completed(page(13).read_text(encoding="utf-8"), lambda a: a.replace("a[:] += 1", "a = a + 1"))
    verdicts = []
    for name, text in (("right", right), ("wrong", wrong)):
        (tmp_path / name).mkdir()
        path = write(tmp_path / name, 13, text, ".ipynb")
        notebook = nbformat.read(path, as_version=4)
        notebook.cells = [c for c in notebook.cells if not c.source.startswith(INLINE_CHECK_CELL)]
        nbformat.write(notebook, path)
        verdicts.append(check_file(path))
    assert (verdicts[0].verdict, verdicts[0].points) == (PASSED, 1), verdicts[0].message
    assert verdicts[1].verdict == WRONG, verdicts[1].message
    assert "after cell" in verdicts[1].message and "b is array([1., 1., 1., 1., 1.]" in verdicts[1].message
