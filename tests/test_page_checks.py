"""A page's checks catch a plausible wrong answer where it is made, and say what is wrong with it.

Each entry fills one blank of a page's exercise with a student's code (the other blanks with
the page's answers) and grades the file as a student's. A right answer written another way
must pass; a wrong one must fail with a message that names the wrong quantity and shows the
student's own value, never a memory address.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from mnistcnn.grader import PASSED, WRONG, check_file

from .helpers import completed, page, write

# (question, blank, the student's code, verdict, what the message must contain, why)
ANSWERS = [
    (7, 0, "across = z[:, 4, 2]\n", PASSED, "", "the page's view"),
    (
        7,
        0,
        "across = torch.stack((z[0, 4, 2], z[1, 4, 2]))\n",
        WRONG,
        "across should be a view of z",
        "the right numbers, copied",
    ),
    (16, 0, "z_np = np.asarray(z.cpu())\n", PASSED, "", "asarray of the CPU tensor"),
    (16, 0, "z_np = z.numpy(force=True)\n", PASSED, "", "numpy's own copy to the CPU"),
    (16, 0, "z_np = z.numpy()\n", WRONG, "['numpy']", ".cpu() left out, which a CPU does not notice"),
    (20, 0, "by_hand = 3 * (x.detach() + 2) / 2\n", PASSED, "", "the same formula, another order"),
    (
        20,
        0,
        "by_hand = 1.5 * x.detach().add_(2)\n",
        WRONG,
        "computing by_hand must leave x as it was",
        "an in-place add on a detached view, which moves x itself",
    ),
    (20, 0, "by_hand = 2 * (x.detach() + 2)\n", WRONG, "by_hand should equal autograd's", "3/4 forgotten"),
    (
        22,
        0,
        "xtrain = np.moveaxis(xtrain.reshape(28, 28, 60000), 2, 0)\n"
        "xtest = np.moveaxis(xtest.reshape(28, 28, 10000), 2, 0)\n",
        WRONG,
        "(60000, 28, 28)",
        "no channel axis",
    ),
    (23, 0, "ax = mnistcnn.show(xtrain[42, 0])\nprint(ltrain[42])\n", PASSED, "", "the image without the slices"),
    (
        23,
        0,
        "ax = mnistcnn.show(xtrain[43, 0])\nprint(ltrain[42])\n",
        WRONG,
        "ax should show image 42",
        "the image next to it",
    ),
    (
        23,
        0,
        "ax = mnistcnn.show(xtrain[42, 0].T)\nprint(ltrain[42])\n",
        WRONG,
        "ax should show image 42",
        "the image transposed",
    ),
]


@pytest.mark.parametrize(
    ("question", "blank", "code", "verdict", "message", "why"),
    ANSWERS,
    ids=[f"q{q:02d}-{why}" for q, _, _, _, _, why in ANSWERS],
)
def test_a_wrong_answer_fails_with_its_own_value(
    question, blank, code, verdict, message, why, tmp_path, mnist_dir, monkeypatch
):
    monkeypatch.setenv("MNISTCNN_DATA", str(mnist_dir))
    index = iter(range(100))

    def student(answer):
        if next(index) != blank:
            return answer
        return textwrap.indent(code, answer[: len(answer) - len(answer.lstrip())])

    text = completed(page(question).read_text(encoding="utf-8"), student)
    result = check_file(write(tmp_path, question, text))
    assert result.verdict == verdict, result.message
    assert message in result.message, result.message
    assert not re.search(r"0x[0-9a-f]{6,}|\b\d{12,}\b", result.message), f"an address: {result.message}"


def test_q23_is_checked_in_its_notebook_where_the_figure_is_closed_after_each_cell(tmp_path, mnist_dir, monkeypatch):
    monkeypatch.setenv("MNISTCNN_DATA", str(mnist_dir))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    right = completed(page(23).read_text(encoding="utf-8"))
    assert check_file(write(tmp_path, 23, right, ".ipynb")).verdict == PASSED
    wrong = right.replace("ax = mnistcnn.show(xtrain[42", "ax = mnistcnn.show(xtrain[43")
    result = check_file(write(tmp_path, 23, wrong, ".ipynb"))
    assert result.verdict == WRONG and "ax should show image 42" in result.message, result.message
