"""The key numbers of the pages: where each page prints them, and the page's own checks of them.

A key number is read from the printed output of its page by a pattern whose one group is
the number as printed, a Python expression (``92.80``, ``torch.Size([2, 5, 3])``,
``tensor([0.1092, 1.3210])``). What it must be is the page's to say: the ``checks`` below
are copies of assertions of the page's own Check cell, in which the ``subject`` of each
number stands for it. They are copies, chosen by hand, because a Check cell also asserts
what the printed numbers cannot show (Q19 checks a gradient again after a second
``backward``). ``tests/ext/test_key_numbers.py`` proves that every copy is an assertion of
its page, so a page whose check changes fails that test until its copy here follows; the
site tests run the copies on the numbers the built pages show.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class KeyNumber:
    name: str
    pattern: str  # where the page prints it; group 1 is the number as printed
    subject: str | None = None  # the expression of the page's checks that the number stands for
    occurrence: int = 0  # which match of the pattern, counting from 0


@dataclass(frozen=True)
class PageNumbers:
    numbers: tuple[KeyNumber, ...]
    checks: tuple[str, ...] = ()  # the page's own checks of its numbers, verbatim from its Check cell


SIZE = r"^(torch\.Size\(\[[\d, ]*\]\))$"
PERCENT = r"([\d.]+)%"

KEY_NUMBERS = {
    5: PageNumbers(
        (
            KeyNumber("stack_shape", SIZE, "z.shape"),
            KeyNumber("cat0_shape", SIZE, "rows.shape", occurrence=1),
            KeyNumber("cat1_shape", SIZE, "cols.shape", occurrence=2),
        ),
        ("z.shape == (2, 5, 3)", "rows.shape == (10, 3)", "cols.shape == (5, 6)"),
    ),
    7: PageNumbers(
        (KeyNumber("across", r"^(tensor\(\[[-\d., ]*\]\))$", "across"),),
        ("torch.equal(across, torch.tensor([0.1092, 1.3210]))",),
    ),
    18: PageNumbers((KeyNumber("f", r"^PyTorch: ([\d.]+)$", "f.item()"),), ("f.item() == 27.0",)),
    19: PageNumbers(
        (KeyNumber("grad", r"^(tensor\(\[\[[\d., ]*\],\s+\[[\d., ]*\]\]\))$", "x_check.grad"),),
        ("torch.equal(x_check.grad, torch.full((2, 2), 4.5))",),
    ),
    23: PageNumbers((KeyNumber("label_42", r"^ltrain\[42\] = (\d+)$", "ltrain[42]"),), ("ltrain[42] == 7",)),
    25: PageNumbers((KeyNumber("fc1_inputs", r"^fc1 input features: (\d+)$", "fc1_inputs"),), ("fc1_inputs == 256",)),
    28: PageNumbers(
        (KeyNumber("untrained_accuracy", r"^Accuracy of the untrained network: " + PERCENT, "acc.item()"),),
        ("5 <= acc.item() <= 20",),
    ),
    30: PageNumbers(
        (
            KeyNumber("first_loss", r"^\[1,\s+100\] loss: ([\d.]+)$", "printed[0]"),
            KeyNumber("last_loss", r"^\[3,\s+600\] loss: ([\d.]+)$", "printed[-1]"),
        ),
        ("abs(printed[0] - math.log(10)) < 0.05", "printed[-1] < 0.4"),
    ),
    31: PageNumbers(
        (
            KeyNumber("untrained_accuracy", r"^Untrained accuracy: " + PERCENT, "acc_untrained"),
            KeyNumber("accuracy_3_epochs", r"^Test accuracy after 3 epochs: " + PERCENT, "acc_trained"),
        ),
        ("5 <= acc_untrained <= 20", "acc_trained >= 90"),
    ),
    32: PageNumbers(
        (
            KeyNumber("train_seconds", r"^Trained 10 epochs on \w+ in ([\d.]+) s$"),
            KeyNumber("device", r"^Trained 10 epochs on (\w+) in"),
        ),
    ),
    33: PageNumbers(
        (
            KeyNumber("accuracy_3_epochs", r"^Test accuracy after 3 epochs: " + PERCENT, "acc3"),
            KeyNumber("accuracy_10_epochs", r"^Test accuracy after 10 epochs: " + PERCENT, "acc10"),
        ),
        ("acc10 >= 97", "4 <= acc10 - acc3 <= 7"),
    ),
}


def read(question: int, output: str) -> dict[str, str | None]:
    """The key numbers of a page as its ``output`` prints them; None for each one not found."""
    found = {}
    for number in KEY_NUMBERS[question].numbers if question in KEY_NUMBERS else ():
        matches = re.findall(number.pattern, output, flags=re.MULTILINE)
        found[number.name] = matches[number.occurrence] if len(matches) > number.occurrence else None
    return found


def failed_checks(question: int, printed: dict[str, str]) -> list[str]:
    """The checks of a page that the ``printed`` key numbers fail, each with the numbers it was given."""
    import torch

    namespace = {"math": math, "torch": torch, "tensor": torch.tensor}
    values = {n.subject: printed[n.name] for n in KEY_NUMBERS[question].numbers if n.subject}

    class Substitute(ast.NodeTransformer):
        def visit(self, node):
            if isinstance(node, ast.expr) and ast.unparse(node) in values:
                return ast.parse(values[ast.unparse(node)], mode="eval").body
            return super().visit(node)

    failed = []
    for check in KEY_NUMBERS[question].checks:
        tree = ast.fix_missing_locations(Substitute().visit(ast.parse(check, mode="eval")))
        if not eval(compile(tree, f"<Q{question} check>", "eval"), namespace):
            failed.append(f"{check}  with  {', '.join(f'{s} = {v}' for s, v in values.items() if s in check)}")
    return failed
