"""Every check a page runs holds in both exercise forms, and an answer hides no name the rest needs."""

from __future__ import annotations

import ast
import io
import itertools
import re
import tokenize

import nbformat
import pytest
from exercises import CODE_ANSWER, make_exercise
from notebooks import exercise_notebook

from mnistcnn.grader import PASSED, WRONG, book, check_file, reading
from mnistcnn.grader.format import BLANK, INLINE_CHECK, INLINE_CHECK_CELL, SCRIPT_CHECK_HEADING
from mnistcnn.grader.grade import plan

from .helpers import PAGES, completed, page, write


def statements(code: str) -> list[str]:
    """The statements of ``code``, each written out the same way whatever its layout."""
    return [ast.unparse(node) for node in ast.parse(code).body]


def hidden_checks(source: str) -> list[list[str]]:
    """The page's hidden checks, in order: inline ones and those of its Check section."""
    return [statements(match["check"]) for match in INLINE_CHECK.finditer(source)]


def checks_run(path) -> list[list[str]]:
    """The checks ``mnistcnn check`` runs for the exercise ``path``, in order, each as its statements."""
    submission = reading.read(path)
    question, _ = reading.match(submission)
    the_plan, edited = plan(submission, book.load()[question], strict=False)
    assert not edited, "the exercise as published holds the book's checks"
    return [statements(cell["source"]) for step in the_plan["steps"] if "check" in step for cell in step["check"]]


def exercise_script(source, folder):
    """The page's exercise script, as the site publishes it, written into ``folder``."""
    script = folder / f"{source.stem}_exercise.py"
    script.write_text(make_exercise(source.read_text(encoding="utf-8"))[0], encoding="utf-8")
    return script


@pytest.mark.parametrize("source", PAGES, ids=lambda p: p.stem[:3])
def test_each_hidden_check_of_the_page_is_run_by_check_in_both_exercise_forms(source, tmp_path):
    text = source.read_text(encoding="utf-8")
    script = exercise_script(source, tmp_path)
    notebook = script.with_suffix(".ipynb")
    nbformat.write(exercise_notebook(source), notebook)
    hidden = hidden_checks(text)
    for form in (script, notebook):
        run = [s for checks in checks_run(form) for s in checks]
        for statement in (s for block in hidden for s in block):
            assert statement in run, f"{form.suffix}: hidden check not run by mnistcnn check: {statement}"


@pytest.mark.parametrize("source", PAGES, ids=lambda p: p.stem[:3])
def test_an_inline_check_stands_right_after_the_step_it_checks_in_both_forms(source, tmp_path):
    text = source.read_text(encoding="utf-8")
    script = exercise_script(source, tmp_path)
    heading = SCRIPT_CHECK_HEADING.search(text)
    inline = [statements(m["check"]) for m in INLINE_CHECK.finditer(text, 0, heading.start())]
    cells = exercise_notebook(source).cells
    after_step = [
        statements(cell.source)
        for before, cell in itertools.pairwise(cells)
        if cell.cell_type == "code" and cell.source.startswith(INLINE_CHECK_CELL) and before.cell_type == "code"
    ]
    assert after_step == inline, "each inline check is a cell of its own, right after its step's code cell"
    code = [c for c in reading.read(script).cells if c.kind != "final"]
    assert [statements(c.source) for c in code if c.kind == "check"] == inline
    for before, cell in itertools.pairwise(code):
        if cell.kind == "check":
            assert before.kind == "code" and before.first_line < cell.first_line


def test_q13_adding_one_out_of_place_where_add_is_asked_is_wrong_in_both_forms(tmp_path):
    answers = iter(["a = a + 1\n", None, None])

    def first_out_of_place(answer):
        replacement = next(answers)
        return replacement or answer

    text = completed(page(13).read_text(encoding="utf-8"), first_out_of_place)
    for suffix in (".py", ".ipynb"):
        result = check_file(write(tmp_path, 13, text, suffix))
        assert result.verdict == WRONG, (suffix, result.message)
        assert "np.shares_memory(a.numpy(), b) is False" in result.message
        where = re.match(r"check failed at (line \d+|cell \d+, line \d+): ", result.message).group(1)
        lines = text.splitlines()
        if suffix == ".py":  # the check right after the first way, not the Check section's
            assert lines.index("a = a + 1") < int(where.split()[1]) < lines.index("# Check")


# No hidden names -------------------------------------------------------------


def assigned(code: str) -> set[str]:
    """The names that ``code`` binds."""
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def read(code: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Name)}


def hidden_names(source: str) -> list[str]:
    """Names an answer block binds that code outside the answers uses, though neither its hint nor
    the text the student reads names them, and no visible code binds them: a student who solves the
    question another way lacks them."""
    exercise, answers = make_exercise(source)
    outside = BLANK.sub(lambda blank: blank[0].split("...")[0] + "pass", exercise)
    uses, visible = read(outside), assigned(outside)
    text = "\n".join(
        token.string
        for token in tokenize.generate_tokens(io.StringIO(outside).readline)
        if token.type in PROSE and not F_STRING.match(token.string)
    )
    found = []
    for answer in filter(None, map(CODE_ANSWER.match, answers)):
        hint = ast.literal_eval(answer["hint"])
        for name in sorted(assigned(_dedented(answer["body"])) & uses - visible):
            if not any(re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", words) for words in (hint, text)):
                found.append(f"{name} (hint: {hint})")
    return found


PROSE = (tokenize.COMMENT, tokenize.STRING)  # the question, the text cells and the comments
F_STRING = re.compile(r"[rRbB]?[fF]")  # code, not prose: Python 3.12 and later make it tokens of its own


def _dedented(code: str) -> str:
    """``code`` made parseable on its own: an indented answer block sits inside a function or a class."""
    lines = code.splitlines()
    indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return "\n".join(line[indent:] if line.strip() else "" for line in lines) + "\n"


@pytest.mark.parametrize("source", PAGES, ids=lambda p: p.stem[:3])
def test_an_answer_binds_no_name_that_the_rest_of_the_page_needs_and_its_hint_does_not_name(source):
    assert hidden_names(source.read_text(encoding="utf-8")) == []


def test_a_name_only_the_hidden_solution_binds_is_found():
    source = (
        '"""\nQ28 · A question\n================\n"""\nimport torch\nscores = torch.rand(4, 10)\n'
        "labels = torch.arange(4)\n\n"
        '# sphinx_gallery_answer = "The accuracy acc of the scores."\n'
        "_, lpred = scores.max(1)\nacc = (lpred == labels).float().mean()\n# sphinx_gallery_answer_end\n"
        "print(acc, lpred)\n"
    )
    assert hidden_names(source) == ["lpred (hint: The accuracy acc of the scores.)"]
    named = source.replace("The accuracy acc of the scores.", "lpred, the best digits, and the accuracy acc.")
    assert hidden_names(named) == []


def test_the_hint_of_each_q28_blank_names_what_the_rest_of_the_page_uses(tmp_path):
    """A correct Q28 written without the page's own intermediate names passes."""
    source = page(28).read_text(encoding="utf-8")
    text = completed(source, lambda _: "acc = 100 * (yinit.argmax(1) == ltest).float().mean()\n")
    result = check_file(write(tmp_path, 28, text))
    assert result.verdict == PASSED, result.message
