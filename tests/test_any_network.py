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
from .closeness import assert_losses_close, assert_parameters_close
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
        "train/eval mode": {name or "the network": m.training for name, m in net.named_modules()},
        "device, dtype, shape, strides, requires_grad": {
            name: (p.device, p.dtype, p.shape, p.stride(), p.requires_grad) for name, p in net.named_parameters()
        },
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


def _assert_comes_back_as_it_came(net: nn.Module, before: dict, what: str) -> None:
    after = _looks(net)
    for aspect, items in before.items():
        changed = [name for name in items if after[aspect][name] != items[name]]
        assert not changed, (
            f"{what}: the {aspect} of {changed[0]} changed from {items[changed[0]]} to {after[aspect][changed[0]]}"
            f" ({len(changed)} changed: {', '.join(changed)})"
        )


# Where a training run with the CUDA graph and one without it are compared. On a GPU the
# two differ by rounding: cuDNN may sum in another order from run to run, and by PyTorch's
# default it computes float32 convolutions in TF32 (10 bits of mantissa), where a value a
# rounding apart can round to the next TF32 number. At the assignment's rate the
# difference stays at the level of float32 rounding; at a rate high enough to learn in
# 80 steps it grows, within those steps, into different trajectories
# (test_the_gpu_comparisons_tolerance_holds_against_tf32_rounding_at_the_assignments_rate_only).
COMPARISON_RATE = 0.001
LOSS_TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}
WEIGHT_TOLERANCE = {"rtol": 1e-3, "atol": 1e-5}
# 80 steps at a rate high enough for 80 steps to learn (about 85 % on the CPU).
LEARNING_RATE = 0.05


@pytest.mark.parametrize("name", ["assignment", "transposed"])
def test_the_assignments_network_trains_and_evaluates_on_the_gpu_unchanged(name, cuda_device, small_tensors):
    (x, labels), (xtest, ltest) = small_tensors
    x, labels = x.to(cuda_device), labels.to(cuda_device)
    for cuda_graph in (False, True):
        what = f"{name} network, cuda_graph={cuda_graph}"
        torch.manual_seed(0)
        net = NETWORKS[name]().to(cuda_device).eval()
        before = _looks(net)
        run_quietly(mnistcnn.backprop_deep, x, labels, net, 2, B=50, gamma=LEARNING_RATE, seed=3, cuda_graph=cuda_graph)
        _assert_comes_back_as_it_came(net, before, what)
        score = mnistcnn.accuracy(net, xtest, ltest)
        assert score > 50, f"{what}: {score:.1f} % right after 80 steps at gamma={LEARNING_RATE}, not more than 50 %"


@pytest.mark.parametrize("name", ["assignment", "transposed"])
def test_the_assignments_network_gives_the_same_losses_on_the_gpu_with_and_without_the_graph(
    name, cuda_device, small_tensors
):
    (x, labels), _ = small_tensors
    x, labels = x.to(cuda_device), labels.to(cuda_device)
    runs = []
    for cuda_graph in (False, True):
        torch.manual_seed(0)
        net = NETWORKS[name]().to(cuda_device)
        history, _ = run_quietly(
            mnistcnn.backprop_deep, x, labels, net, 2, B=50, gamma=COMPARISON_RATE, seed=3, cuda_graph=cuda_graph
        )
        runs.append((history, net))
    (eager, eager_net), (graphed, graphed_net) = runs
    what = f"{name} network on {torch.cuda.get_device_name(cuda_device)}, CUDA graph against eager steps"
    assert_losses_close(graphed, eager, steps_per_epoch=40, what=what, **LOSS_TOLERANCE)
    assert_parameters_close(graphed_net, eager_net, what=what, **WEIGHT_TOLERANCE)


def test_a_network_that_cannot_be_captured_is_trained_on_the_gpu_without_a_graph_after_a_notice(
    cuda_device, small_tensors, capsys
):
    (x, labels), _ = small_tensors
    x, labels = x.to(cuda_device), labels.to(cuda_device)
    histories = []
    for cuda_graph in (False, True):
        torch.manual_seed(0)
        net = _WaitsForTheGPU().to(cuda_device)
        histories.append(mnistcnn.backprop_deep(x, labels, net, 1, B=50, seed=3, cuda_graph=cuda_graph, verbose=False))
    err = capsys.readouterr().err
    notices = [line for line in err.splitlines() if "cannot be captured as a CUDA graph" in line]
    assert len(notices) == 1 and notices[0].startswith("note: _WaitsForTheGPU"), (
        f"expected one notice naming _WaitsForTheGPU on stderr, got {len(notices)} in: {err[-2000:]!r}"
    )
    eager, fallen_back = histories
    assert_losses_close(
        fallen_back, eager, steps_per_epoch=40, what="_WaitsForTheGPU, eager after the notice", **LOSS_TOLERANCE
    )


def _tf32(t: torch.Tensor) -> torch.Tensor:
    """``t`` rounded to the nearest TF32 number (float32 with 10 of its 23 mantissa bits), as tensor cores read it."""
    bits = t.contiguous().view(torch.int32)
    return ((bits + 0x0FFF + ((bits >> 13) & 1)) & ~0x1FFF).view(torch.float32)


class _TF32Convolution(torch.autograd.Function):
    """A convolution whose products read their operands in TF32, forward and backward, as cuDNN's do by default."""

    @staticmethod
    def forward(ctx, x, weight, bias, *geometry):
        ctx.save_for_backward(x, weight)
        ctx.geometry, ctx.has_bias = geometry, bias is not None
        return torch.conv2d(_tf32(x), _tf32(weight), bias, *geometry)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        needs_x = ctx.needs_input_grad[0]
        grad_x = torch.nn.grad.conv2d_input(x.shape, _tf32(weight), _tf32(grad), *ctx.geometry) if needs_x else None
        grad_weight = torch.nn.grad.conv2d_weight(_tf32(x), weight.shape, _tf32(grad), *ctx.geometry)
        grad_bias = grad.sum((0, 2, 3)) if ctx.has_bias else None
        return (grad_x, grad_weight, grad_bias) + (None,) * len(ctx.geometry)


def _tf32_conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _TF32Convolution.apply(x, weight, bias, stride, padding, dilation, groups)


def test_the_gpu_comparisons_tolerance_holds_against_tf32_rounding_at_the_assignments_rate_only(
    small_tensors, monkeypatch
):
    """The GPU comparison above, emulated on the CPU: both runs convolve in TF32, and one run's gradients
    carry float32 rounding noise, as a sum taken in another order does. At the comparison's rate the
    two runs stay within its tolerance; at the rate that learns in 80 steps they do not."""
    (x, labels), _ = small_tensors
    monkeypatch.setattr(torch.nn.functional, "conv2d", _tf32_conv2d)

    def train(gamma: float, rounding_noise: bool):
        torch.manual_seed(0)
        net = assignment_code.LeNet()
        if rounding_noise:
            noise = torch.Generator().manual_seed(1)
            for p in net.parameters():
                p.register_hook(lambda g: g * (1 + 2**-24 * torch.randn(g.shape, generator=noise)))
        history, _ = run_quietly(mnistcnn.backprop_deep, x[:2000], labels[:2000], net, 2, B=50, gamma=gamma, seed=3)
        return history, net

    def compare(gamma: float) -> None:
        (reference, reference_net), (noisy, noisy_net) = train(gamma, False), train(gamma, True)
        what = f"TF32 emulated on the CPU, gamma={gamma}"
        assert_losses_close(noisy, reference, steps_per_epoch=40, what=what, **LOSS_TOLERANCE)
        assert_parameters_close(noisy_net, reference_net, what=what, **WEIGHT_TOLERANCE)

    compare(COMPARISON_RATE)
    with pytest.raises(AssertionError, match="differ most at"):
        compare(LEARNING_RATE)
