"""Where pages, or a page and the package, hold the same thing, they agree.

The pages are scripts; these tests take a definition or typed values out of a page's
source (without running the rest of the page) and compare them with the package or
with the other pages that repeat them, since each page must run on its own.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re

import torch

import mnistcnn

from .helpers import ROOT, definition_from_page

EXAMPLES = ROOT / "examples"


def typed_tensors(page) -> dict[str, list]:
    """The values typed in the page's first top-level ``x = torch.tensor(...)`` and ``y = ...``."""
    values = {}
    for node in ast.parse(page.read_text(encoding="utf-8")).body:
        if (
            isinstance(node, ast.Assign)
            and [ast.unparse(t) for t in node.targets] in (["x"], ["y"])
            and isinstance(node.value, ast.Call)
            and ast.unparse(node.value.func) == "torch.tensor"
        ):
            values.setdefault(node.targets[0].id, ast.literal_eval(node.value.args[0]))
    return values


def stated_matrices(page) -> list[list[list[float]]]:
    """The ``pmatrix`` tables of the page's docstring, as lists of rows of numbers."""
    docstring = ast.get_docstring(ast.parse(page.read_text(encoding="utf-8")))
    tables = re.findall(r"\\begin\{pmatrix\}(.*?)\\end\{pmatrix\}", docstring, re.DOTALL)
    return [[[float(v) for v in row.split("&")] for row in table.split(r"\\")] for table in tables]


def test_the_tensors_of_q04_are_typed_alike_in_q05_to_q08():
    pages = [page for n in range(4, 9) for page in EXAMPLES.glob(f"01_tensors/q0{n}_*.py")]
    assert len(pages) == 5
    q04 = typed_tensors(pages[0])
    assert set(q04) == {"x", "y"}
    assert [len(q04["x"]), len(q04["x"][0])] == [5, 3]
    for page in pages[1:]:
        assert typed_tensors(page) == q04, f"{page.name} types x or y differently from Q04"


def test_q04_types_the_values_its_question_states():
    (page,) = EXAMPLES.glob("01_tensors/q04_*.py")
    typed = typed_tensors(page)
    assert stated_matrices(page) == [typed["x"], typed["y"]]


def test_the_lenet_of_q26_is_the_package_lenet(small_tensors):
    PageLeNet = definition_from_page("05_cnn_for_mnist/q26_*.py", "LeNet")
    page_net, package_net = PageLeNet(), mnistcnn.LeNet()
    assert [(n, p.shape) for n, p in page_net.named_parameters()] == [
        (n, p.shape) for n, p in package_net.named_parameters()
    ]
    page_net.load_state_dict(package_net.state_dict())
    _, (x, _) = small_tensors
    with torch.no_grad():
        assert torch.allclose(page_net(x[:100]), package_net(x[:100]), atol=1e-6)


def test_the_training_loop_of_q30_is_the_package_textbook_loop(small_tensors):
    page_loop = definition_from_page("05_cnn_for_mnist/q30_*.py", "backprop_deep")
    (x, labels), _ = small_tensors
    results = []
    for train in (page_loop, mnistcnn.textbook_backprop_deep):
        torch.manual_seed(0)  # as Q30 does: the initial weights, then the shuffle
        net = mnistcnn.LeNet()
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            history = train(x, labels, net, 1, B=10)
        results.append((history, printed.getvalue(), [p.detach().clone() for p in net.parameters()]))
    (page_history, page_out, page_weights), (package_history, package_out, package_weights) = results
    assert page_history == package_history
    assert page_out == package_out and page_out.startswith("[1,   100] loss: ")
    assert all(torch.equal(a, b) for a, b in zip(page_weights, package_weights))
