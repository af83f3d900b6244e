"""Plausible students' answers, section by section, graded as a student's exercise notebook is.

Right answers written another way than the page's must pass; typical mistakes must be
caught: ``wrong`` where a check fails, ``error`` where the page's code cannot go on with them.
Each entry fills some blanks of a page's exercise (by their order on the page) with the
student's code, and the others with the page's answers.
"""

from __future__ import annotations

import textwrap

import pytest

from mnistcnn.grader import ERROR, PASSED, WRONG, check_file

from .helpers import completed, page, write

CAUGHT = (WRONG, ERROR)  # a mistake: a check fails, or the code after it cannot run
# The questions whose answers are graded as exercise notebooks; the others, as scripts (faster).
NOTEBOOKS = {13, 28}

# (question, {blank: the student's code}, verdict, why)
ANSWERS = [
    # Tensors
    (5, {0: "rows = torch.cat([x, y], dim=0)\ncols = torch.cat([x, y], dim=-1)\n"}, PASSED, "a list and dim="),
    (5, {0: "rows = torch.stack((x, y))\ncols = torch.cat((x, y), 1)\n"}, CAUGHT, "stack for cat"),
    (9, {0: "z_explicit = x.reshape(2, 8)\n"}, PASSED, "reshape where view fits"),
    (9, {1: "flat = t.view(16)\n"}, CAUGHT, "view on a transpose whose strides do not fit"),
    (10, {0: "row = x.view(1, 100) @ y.T\n"}, PASSED, "the @ operator and .T"),
    (10, {0: "row = torch.mm(x.view(1, 100), y.view(100, 2))\n"}, CAUGHT, "a view for the transpose"),
    # NumPy and PyTorch
    (13, {0: "a = a + 1\n"}, CAUGHT, "out of place where add_ is asked"),
    (13, {2: "a = a + 1\n"}, PASSED, "out of place written with +"),
    (14, {0: "b = torch.as_tensor(a)\n"}, PASSED, "as_tensor shares the array's memory too"),
    (14, {0: "b = torch.tensor(a)\n"}, CAUGHT, "torch.tensor copies"),
    # Autograd
    (18, {0: "return 0.75 * sum((xi + 2) ** 2 for xi in (x1, x2, x3, x4))\n"}, PASSED, "a sum over the four"),
    (20, {0: "by_hand = 3 * (x.detach() + 2) / 2\n"}, PASSED, "the same formula, another order"),
    (20, {0: "by_hand = 2 * (x.detach() + 2)\n"}, CAUGHT, "the derivative of the square, without 3/4"),
    # MNIST data preparation
    (
        22,
        {
            0: "xtrain = xtrain.reshape(28, 28, 1, 60000).transpose(3, 2, 0, 1)\n"
            "xtest = xtest.reshape(28, 28, 1, 10000).transpose(3, 2, 0, 1)\n"
        },
        PASSED,
        "transpose for moveaxis",
    ),
    (
        22,
        {0: "xtrain = xtrain.reshape(60000, 1, 28, 28)\nxtest = xtest.reshape(10000, 1, 28, 28)\n"},
        WRONG,
        "a reshape that scrambles the pixels",
    ),
    (
        24,
        {
            0: "xtrain = torch.from_numpy(xtrain_np)\nltrain = torch.from_numpy(ltrain_np)\n"
            "xtest = torch.from_numpy(xtest_np)\nltest = torch.from_numpy(ltest_np)\n"
        },
        WRONG,
        "labels left as uint8",
    ),
    # A CNN for MNIST
    (27, {0: "total = sum(p.numel() for p in net.parameters() if p.requires_grad)\n"}, PASSED, "trainable only"),
    (28, {0: "acc = 100 * (yinit.argmax(1) == ltest).float().mean()\n"}, PASSED, "argmax, no lpred"),
    (28, {0: "acc = (yinit.argmax(1) == ltest).float().mean()\n"}, CAUGHT, "a fraction, not a percentage"),
    (
        29,
        {1: "optimizer = torch.optim.SGD(params=net.parameters(), momentum=rho, lr=gamma)\n"},
        PASSED,
        "keywords in another order",
    ),
    (29, {1: "optimizer = torch.optim.SGD(net.parameters(), lr=gamma)\n"}, CAUGHT, "momentum forgotten"),
]


@pytest.mark.parametrize(
    ("question", "blanks", "verdict", "why"), ANSWERS, ids=[f"q{q:02d}-{why}" for q, _, _, why in ANSWERS]
)
def test_a_students_answer_is_graded_right(question, blanks, verdict, why, tmp_path, mnist_dir, monkeypatch):
    monkeypatch.setenv("MNISTCNN_DATA", str(mnist_dir))
    index = iter(range(100))

    def student(answer):
        code = blanks.get(next(index))
        return answer if code is None else textwrap.indent(code, answer[: len(answer) - len(answer.lstrip())])

    text = completed(page(question).read_text(encoding="utf-8"), student)
    result = check_file(write(tmp_path, question, text, ".ipynb" if question in NOTEBOOKS else ".py"))
    expected = verdict if isinstance(verdict, tuple) else (verdict,)  # one verdict, or any of CAUGHT
    assert result.verdict in expected, result.message
