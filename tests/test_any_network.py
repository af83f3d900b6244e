"""The package runs the student's own network: the assignment's Q26 class, and others like it.

Every public function that takes a network (``accuracy``, ``predict``, ``backprop_deep``,
``save_net``) is given the assignment's class exactly as the assignment writes it
(``x.view(-1, self.num_flat_features(x))``), a network that transposes its input first,
and the package's own LeNet. Each must work, and hand the network back as it came in:
the same device, dtype, memory layout and train/eval mode.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

import mnistcnn

from . import assignment_code
from .helpers import definition_from_page, run_quietly


class TransposedLeNet(assignment_code.LeNet):
    """The assignment's network reading every digit transposed: ``view`` after a ``transpose``."""

    def forward(self, x):
        return super().forward(x.transpose(2, 3))


NETWORKS = {
    "assignment": assignment_code.LeNet,
    "transposed": TransposedLeNet,
    "package": mnistcnn.LeNet,
}


def _looks(net: nn.Module) -> dict:
    """What a public function must not change about a caller's network (its weights aside)."""
    return {
        "training": [m.training for m in net.modules()],
        "parameters": [(p.device, p.dtype, p.shape, p.stride(), p.requires_grad) for p in net.parameters()],
    }


def _weights(net: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in net.parameters()]


@pytest.fixture(params=list(NETWORKS), ids=list(NETWORKS))
def network(request) -> type[nn.Module]:
    return NETWORKS[request.param]


@pytest.mark.parametrize("training", [True, False], ids=["train-mode", "eval-mode"])
def test_an_untrained_network_is_right_about_one_time_in_ten_and_comes_back_unchanged(network, training, small_tensors):
    _, (xtest, ltest) = small_tensors
    torch.manual_seed(0)
    net = network().train(training)
    before, weights = _looks(net), _weights(net)
    assert 2 < mnistcnn.accuracy(net, xtest, ltest) < 25
    assert _looks(net) == before
    assert all(torch.equal(a, b) for a, b in zip(weights, net.parameters()))


def test_predict_is_the_argmax_of_the_networks_own_forward_pass(network, small_tensors):
    _, (xtest, _) = small_tensors
    torch.manual_seed(0)
    net = network()
    before = _looks(net)
    with torch.no_grad():
        expected = net(xtest).argmax(1)
    assert torch.equal(mnistcnn.predict(net, xtest, batch_size=64), expected)
    assert _looks(net) == before


@pytest.mark.parametrize("training", [True, False], ids=["train-mode", "eval-mode"])
def test_training_changes_the_weights_and_nothing_else(network, training, small_tensors):
    (x, labels), _ = small_tensors
    torch.manual_seed(0)
    net = network().train(training)
    before, weights = _looks(net), _weights(net)
    history, _ = run_quietly(mnistcnn.backprop_deep, x[:1000], labels[:1000], net, 1, B=50, seed=0)
    assert len(history) == 20
    assert _looks(net) == before
    assert not any(torch.equal(a, b) for a, b in zip(weights, net.parameters()))


def test_a_channels_last_network_stays_channels_last(small_tensors):
    (x, labels), (xtest, ltest) = small_tensors
    torch.manual_seed(0)
    net = mnistcnn.LeNet().to(memory_format=torch.channels_last)
    before = _looks(net)
    run_quietly(mnistcnn.backprop_deep, x[:500], labels[:500], net, 1, B=50, seed=0)
    mnistcnn.accuracy(net, xtest, ltest)
    assert _looks(net) == before
    assert net.conv1.weight.is_contiguous(memory_format=torch.channels_last)


def test_a_float64_network_is_trained_in_float64(small_tensors):
    (x, labels), _ = small_tensors
    torch.manual_seed(0)
    net = assignment_code.LeNet().double()
    history, _ = run_quietly(mnistcnn.backprop_deep, x[:500].double(), labels[:500], net, 1, B=50, seed=0)
    assert all(p.dtype == torch.float64 for p in net.parameters())
    assert len(history) == 10


@pytest.mark.parametrize("name", ["assignment", "transposed"])
def test_the_package_trains_exactly_as_the_assignments_own_loop(name, small_tensors):
    """Same random state, same network: the same loss lines and, on the CPU, the same weights to the bit."""
    (x, labels), _ = small_tensors
    runs = []
    for train in (assignment_code.backprop_deep, mnistcnn.backprop_deep):
        torch.manual_seed(0)
        net = NETWORKS[name]()
        _, printed = run_quietly(train, x[:1000], labels[:1000], net, 2, B=10)
        loss_lines = [line for line in printed.splitlines() if line.startswith("[")]
        runs.append((loss_lines, _weights(net)))
    (textbook_lines, textbook_weights), (package_lines, package_weights) = runs
    assert textbook_lines[0].startswith("[1,   100] loss: 2.") and textbook_lines[1].startswith("[2,   100] loss: ")
    assert package_lines == textbook_lines
    assert all(torch.equal(a, b) for a, b in zip(package_weights, textbook_weights))


def test_the_package_gives_the_losses_of_the_textbook_loop_minibatch_by_minibatch(small_tensors):
    (x, labels), _ = small_tensors
    histories = []
    for train in (mnistcnn.textbook_backprop_deep, mnistcnn.backprop_deep):
        torch.manual_seed(0)
        net = assignment_code.LeNet()
        histories.append(run_quietly(train, x, labels, net, 1, B=20)[0])
    assert len(histories[0]) == 100
    assert histories[1] == histories[0]


def test_the_q30_pages_loop_trains_the_network_that_trained_lenet_returns(small_mnist):
    """The contract Q30 and Q31 rest on: the page's own loop after the recipe's two lines is trained_lenet."""
    page_loop = definition_from_page("05_cnn_for_mnist/q30_*.py", "backprop_deep")
    xtrain, ltrain = mnistcnn.load_tensors("training", small_mnist)
    torch.manual_seed(0)
    net = mnistcnn.LeNet().to("cpu")
    run_quietly(page_loop, xtrain, ltrain, net, 1)
    packaged, printed = run_quietly(mnistcnn.trained_lenet, 1, data=small_mnist, device="cpu")
    assert "training one for 1 epochs" in printed
    assert all(torch.equal(a, b) for a, b in zip(net.state_dict().values(), packaged.state_dict().values()))


def test_any_network_saves_and_loads_its_weights(tmp_path):
    torch.manual_seed(0)
    net = assignment_code.LeNet()
    path = mnistcnn.save_net(net, tmp_path / "net.pt")
    again = mnistcnn.load_net(path, device="cpu")
    assert all(torch.equal(a, b) for a, b in zip(net.state_dict().values(), again.state_dict().values()))


def test_a_network_without_parameters_is_rejected_by_name(small_tensors):
    (x, labels), _ = small_tensors
    with pytest.raises(ValueError, match="Flatten has no parameters"):
        mnistcnn.backprop_deep(x, labels, nn.Flatten(), 1)


class _WaitsForTheGPU(assignment_code.LeNet):
    """A network that reads a value back to the host in every forward pass: it cannot be a CUDA graph."""

    def forward(self, x):
        self.last_mean = x.mean().item()
        return super().forward(x)


@pytest.mark.parametrize("name", ["assignment", "transposed"])
def test_the_assignments_network_trains_and_evaluates_on_the_gpu_unchanged(name, cuda_device, small_tensors):
    (x, labels), (xtest, ltest) = small_tensors
    x, labels = x.to(cuda_device), labels.to(cuda_device)
    results = []
    for cuda_graph in (False, True):
        torch.manual_seed(0)
        net = NETWORKS[name]().to(cuda_device).eval()
        before = _looks(net)
        # 80 steps at a rate high enough for 80 steps to learn (about 85 % on the CPU).
        history, _ = run_quietly(
            mnistcnn.backprop_deep, x, labels, net, 2, B=50, gamma=0.05, seed=3, cuda_graph=cuda_graph
        )
        assert _looks(net) == before
        results.append((torch.tensor(history, dtype=torch.float64), torch.cat([p.flatten() for p in _weights(net)])))
        assert mnistcnn.accuracy(net, xtest, ltest) > 50
    (eager, eager_weights), (graphed, graphed_weights) = results
    # cuDNN may sum in another order from run to run: equal to float tolerance, grown over 80 steps.
    assert torch.allclose(graphed, eager, rtol=1e-3, atol=1e-4), (graphed - eager).abs().max()
    assert torch.allclose(graphed_weights, eager_weights, rtol=1e-3, atol=1e-4)


def test_a_network_that_cannot_be_captured_is_trained_without_a_graph_after_a_notice(
    cuda_device, small_tensors, capsys
):
    (x, labels), _ = small_tensors
    x, labels = x.to(cuda_device), labels.to(cuda_device)
    histories = []
    for cuda_graph in (False, True):
        torch.manual_seed(0)
        net = _WaitsForTheGPU().to(cuda_device)
        histories.append(mnistcnn.backprop_deep(x, labels, net, 1, B=50, seed=3, cuda_graph=cuda_graph, verbose=False))
    notices = [line for line in capsys.readouterr().err.splitlines() if "cannot be captured as a CUDA graph" in line]
    assert len(notices) == 1 and notices[0].startswith("note: _WaitsForTheGPU")
    eager, fallen_back = (torch.tensor(h, dtype=torch.float64) for h in histories)
    assert torch.allclose(fallen_back, eager, rtol=1e-4, atol=1e-5), (fallen_back - eager).abs().max()
