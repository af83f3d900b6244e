"""The key numbers the site checks are checked by their pages, with the very same assertions."""

from __future__ import annotations

import ast
import itertools

import pytest
from key_numbers import KEY_NUMBERS, failed_checks, read

from mnistcnn.grader.format import SCRIPT_CHECK_HEADING

from ..helpers import page


def claims_of_the_check_cell(source: str) -> set[str]:
    """What the asserts of a page's Check cell claim: each assert, each part of an ``and``, and
    each pair of a chain of ``==`` (``a == b == 256`` claims ``a == 256``), normalised by ast."""
    check = source[SCRIPT_CHECK_HEADING.search(source).end() :]
    claims = set()
    for node in ast.walk(ast.parse(check)):
        if not isinstance(node, ast.Assert):
            continue
        conjunction = isinstance(node.test, ast.BoolOp) and isinstance(node.test.op, ast.And)
        tests = node.test.values if conjunction else [node.test]
        for test in tests:
            claims.add(ast.unparse(test))
            if isinstance(test, ast.Compare) and all(isinstance(op, ast.Eq) for op in test.ops):
                terms = [test.left, *test.comparators]
                claims.update(f"{ast.unparse(a)} == {ast.unparse(b)}" for a, b in itertools.combinations(terms, 2))
    return claims


@pytest.mark.parametrize("question", sorted(KEY_NUMBERS))
def test_every_check_of_a_key_number_is_an_assert_of_its_page(question):
    claims = claims_of_the_check_cell(page(question).read_text(encoding="utf-8"))
    for check in KEY_NUMBERS[question].checks:
        assert ast.unparse(ast.parse(check)) in claims, (
            f"Q{question}'s Check cell does not assert `{check}`: make docs/_ext/key_numbers.py state the page's check"
        )


@pytest.mark.parametrize("question", sorted(KEY_NUMBERS))
def test_every_subject_is_checked_and_every_check_has_a_subject(question):
    page = KEY_NUMBERS[question]
    subjects = {n.subject for n in page.numbers if n.subject}
    for check in page.checks:
        names = {ast.unparse(node) for node in ast.walk(ast.parse(check, mode="eval"))}
        assert names & subjects, f"Q{question}: `{check}` checks none of the key numbers"
    for subject in subjects:
        assert any(subject in {ast.unparse(n) for n in ast.walk(ast.parse(c))} for c in page.checks), subject


def test_the_numbers_are_read_where_the_page_prints_them_and_checked_with_the_page_checks():
    output = "torch.Size([2, 5, 3])\nz[0] is x: True\ntorch.Size([10, 3])\ntorch.Size([5, 6])\n"
    assert read(5, output) == {
        "stack_shape": "torch.Size([2, 5, 3])",
        "cat0_shape": "torch.Size([10, 3])",
        "cat1_shape": "torch.Size([5, 6])",
    }
    assert failed_checks(5, read(5, output)) == []
    wrong = read(5, output.replace("[10, 3]", "[5, 6]"))
    assert failed_checks(5, wrong) == ["rows.shape == (10, 3)  with  rows.shape = torch.Size([5, 6])"]
    assert read(28, "Accuracy of the untrained network: 9.80%\n") == {"untrained_accuracy": "9.80"}
    assert failed_checks(28, {"untrained_accuracy": "9.80"}) == []
    assert failed_checks(28, {"untrained_accuracy": "24.00"}) == ["5 <= acc.item() <= 20  with  acc.item() = 24.00"]
    assert read(31, "Untrained accuracy: 9.80%\n") == {"untrained_accuracy": "9.80", "accuracy_3_epochs": None}
    assert failed_checks(30, {"first_loss": "2.302", "last_loss": "0.150"}) == []
    assert failed_checks(30, {"first_loss": "2.102", "last_loss": "0.150"}) != []
