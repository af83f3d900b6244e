"""Where a page's answer and the package implement the same thing, they agree.

The pages are scripts; these tests take the answer's definition out of the page's
source (without running the rest of the page) and compare it with the package.
"""

from __future__ import annotations

import ast
import contextlib
import io

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import mnistcnn

from .conftest import ROOT

EXAMPLES = ROOT / "examples"


def definition_from_page(pattern: str, name: str):
    """Execute only the top-level definition ``name`` of the page matching ``pattern``."""
    (page,) = EXAMPLES.glob(pattern)
    module = ast.parse(page.read_text(encoding="utf-8"))
    nodes = [n for n in module.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == name]
    assert len(nodes) == 1, f"{page.name} must define {name} once at top level"
    namespace = {"np": np, "torch": torch, "nn": nn, "F": F}
    exec(compile(ast.Module(body=nodes, type_ignores=[]), str(page), "exec"), namespace)
    return namespace[name]


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
        torch.manual_seed(0)
        net = mnistcnn.LeNet()
        torch.manual_seed(1)
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            history = train(x, labels, net, 1, B=10)
        results.append((history, printed.getvalue(), [p.detach().clone() for p in net.parameters()]))
    (page_history, page_out, page_weights), (package_history, package_out, package_weights) = results
    assert page_history == package_history
    assert page_out == package_out and page_out.startswith("[1,   100] loss: ")
    assert all(torch.equal(a, b) for a, b in zip(page_weights, package_weights))
