"""Training and evaluation on a real subset of MNIST."""

from __future__ import annotations

import contextlib

import pytest
import torch

from mnistcnn import (
    DeviceError,
    LeNet,
    accuracy,
    backprop_deep,
    load_net,
    predict,
    save_net,
    textbook_backprop_deep,
    trained_lenet,
)
from mnistcnn import train as train_module
from mnistcnn.cache import trained_path

from .closeness import assert_losses_close, assert_parameters_close
from .helpers import run_quietly


def test_training_lowers_the_loss_and_prints_the_assignments_lines(small_tensors):
    (x, labels), _ = small_tensors
    torch.manual_seed(0)
    net = LeNet()
    history, printed = run_quietly(backprop_deep, x, labels, net, 3, B=10, gamma=0.01, seed=1)
    assert len(history) == 3 * 200
    assert sum(history[-100:]) / 100 < 0.6 * sum(history[:100]) / 100
    lines = [line for line in printed.splitlines() if line.startswith("[")]
    assert lines[0].startswith("[1,   100] loss: 2.")
    assert len(lines) == 6 and lines[-1].startswith("[3,   200] loss: ")
    assert "epoch 3/3 done in" in printed


def test_training_is_bit_reproducible_with_the_same_seed(small_tensors):
    (x, labels), _ = small_tensors
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        net = LeNet()
        history, _ = run_quietly(backprop_deep, x, labels, net, 1, B=50, seed=7)
        runs.append((history, [p.clone() for p in net.parameters()]))
    assert runs[0][0] == runs[1][0]
    assert all(torch.equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))


def test_a_different_seed_shuffles_differently(small_tensors):
    (x, labels), _ = small_tensors
    histories = []
    for seed in (1, 2):
        torch.manual_seed(0)
        histories.append(run_quietly(backprop_deep, x, labels, LeNet(), 1, B=50, seed=seed)[0])
    assert histories[0] != histories[1]


def test_on_the_cpu_the_package_computes_the_textbook_loops_losses_and_weights_to_the_bit(mnist_dir):
    from mnistcnn import load_tensors

    x, labels = load_tensors("training", mnist_dir)
    x, labels = x[:30000], labels[:30000]
    histories, weights = [], []
    for train in (textbook_backprop_deep, backprop_deep):
        torch.manual_seed(0)
        net = LeNet()
        torch.manual_seed(1)  # both loops draw the shuffle from torch's global generator
        histories.append(run_quietly(train, x, labels, net, 1)[0])
        weights.append(torch.cat([p.detach().flatten() for p in net.parameters()]))
    assert len(histories[0]) == 300
    assert histories[1] == histories[0]
    assert torch.equal(weights[1], weights[0])


def test_wrong_data_is_rejected_before_training(small_tensors):
    (x, labels), _ = small_tensors
    with pytest.raises(TypeError, match="int64"):
        backprop_deep(x, labels.to(torch.uint8), LeNet(), 1)
    with pytest.raises(ValueError, match="larger than the 100 training images"):
        backprop_deep(x[:100], labels[:100], LeNet(), 1, B=200)
    with pytest.raises(ValueError, match="labels"):
        backprop_deep(x, labels[:10], LeNet(), 1)


def test_accuracy_of_a_net_that_always_answers_three_is_the_share_of_threes(small_tensors):
    _, (x, labels) = small_tensors
    net = LeNet()
    with torch.no_grad():
        net.fc3.weight.zero_()
        net.fc3.bias.copy_(torch.arange(10) == 3)
    expected = 100.0 * (labels == 3).double().mean().item()
    assert accuracy(net, x, labels) == pytest.approx(expected)


def test_batched_prediction_equals_one_forward_pass(small_tensors):
    _, (x, _) = small_tensors
    torch.manual_seed(0)
    net = LeNet()
    with torch.no_grad():
        expected = net(x).argmax(1)
    assert torch.equal(predict(net, x, batch_size=64), expected)
    assert net.training, "predict() must leave the net in the mode it found it in"


def test_saved_weights_load_back_identical(tmp_path):
    torch.manual_seed(0)
    net = LeNet()
    path = save_net(net, tmp_path / "nets" / "lenet.pt")
    again = load_net(path, device="cpu")
    assert all(torch.equal(a, b) for a, b in zip(net.state_dict().values(), again.state_dict().values()))
    assert [p.name for p in path.parent.iterdir()] == ["lenet.pt"], "no temporary file may be left"


def test_loading_follows_the_default_device_like_everything_else(tmp_path, monkeypatch):
    path = save_net(LeNet(), tmp_path / "lenet.pt")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("MNISTCNN_DEVICE", "cuda")
    with pytest.raises(DeviceError, match="no CUDA GPU"):
        load_net(path)
    monkeypatch.setenv("MNISTCNN_DEVICE", "auto")
    assert next(load_net(path).parameters()).device.type == "cpu"


def test_a_file_that_is_not_a_network_is_rejected_clearly(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a network")
    with pytest.raises(ValueError, match="bad.pt: not a readable network file"):
        load_net(bad)
    torch.save({"weight": torch.zeros(3)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="does not hold LeNet weights"):
        load_net(tmp_path / "other.pt")
    with pytest.raises(FileNotFoundError, match="missing.pt"):
        load_net(tmp_path / "missing.pt")


def test_trained_lenet_trains_once_then_reuses_the_cache(small_mnist, monkeypatch):
    first, printed = run_quietly(trained_lenet, 1, seed=3, data=small_mnist)
    assert "training one for 1 epochs" in printed
    assert trained_path(1, 3).is_file()

    def no_training(*args, **kwargs):
        raise AssertionError("the cached network should have been used")

    monkeypatch.setattr(train_module, "backprop_deep", no_training)
    second = trained_lenet(1, seed=3, data=small_mnist)
    assert all(torch.equal(a, b) for a, b in zip(first.state_dict().values(), second.state_dict().values()))


def test_trained_lenet_is_bit_for_bit_deterministic_on_the_cpu(small_mnist, tmp_path, monkeypatch):
    first, _ = run_quietly(trained_lenet, 1, seed=5, device="cpu", data=small_mnist)
    monkeypatch.setenv("MNISTCNN_CACHE", str(tmp_path / "elsewhere"))
    second, _ = run_quietly(trained_lenet, 1, seed=5, device="cpu", data=small_mnist)
    assert all(torch.equal(a, b) for a, b in zip(first.state_dict().values(), second.state_dict().values()))


def test_training_and_evaluation_run_on_the_gpu(cuda_device, small_tensors):
    (x, labels), (xt, lt) = small_tensors
    torch.manual_seed(0)
    net = LeNet().to(cuda_device)
    history, _ = run_quietly(backprop_deep, x.to(cuda_device), labels.to(cuda_device), net, 3, B=10, gamma=0.01, seed=1)
    first, last = sum(history[:100]) / 100, sum(history[-100:]) / 100
    assert last < 0.6 * first, f"the mean loss of the last 100 of 600 steps is {last:.4f}, not below 0.6 × {first:.4f}"
    assert predict(net, xt).device.type == "cuda", "predict must answer on the network's device"
    score = accuracy(net, xt.to(cuda_device), lt.to(cuda_device))
    assert score > 50, f"{score:.1f} % of the test images right after 3 epochs on the GPU, not more than 50 %"


def test_gpu_fast_path_matches_the_textbook_loop_on_the_gpu(cuda_device, small_tensors):
    (x, labels), _ = small_tensors
    x, labels = x.to(cuda_device), labels.to(cuda_device)
    histories = []
    for train in (textbook_backprop_deep, backprop_deep):
        torch.manual_seed(0)
        net = LeNet().to(cuda_device)
        torch.manual_seed(1)
        histories.append(run_quietly(train, x, labels, net, 2)[0])
    textbook, package = histories
    what = f"backprop_deep against the textbook loop on {torch.cuda.get_device_name(cuda_device)}"
    assert_losses_close(package, textbook, steps_per_epoch=20, rtol=1e-3, atol=1e-4, what=what)


def test_the_cuda_graph_replays_every_step_on_the_gpu_after_the_warm_up(cuda_device, small_tensors, monkeypatch):
    from mnistcnn.train import _GraphedStep

    (x, labels), _ = small_tensors
    x, labels = x.to(cuda_device), labels.to(cuda_device)
    replays = []
    replay = torch.cuda.CUDAGraph.replay
    monkeypatch.setattr(torch.cuda.CUDAGraph, "replay", lambda graph: replays.append(1) or replay(graph))
    runs = []
    for cuda_graph in (False, True):
        torch.manual_seed(0)
        net = LeNet().to(cuda_device)
        runs.append((run_quietly(backprop_deep, x, labels, net, 2, B=50, seed=3, cuda_graph=cuda_graph)[0], net))
    expected = 2 * 40 - _GraphedStep.WARMUP
    assert len(replays) == expected, (
        f"{len(replays)} replays of the graph, expected one per minibatch after the warm-up: {expected}"
    )
    (eager, eager_net), (graphed, graphed_net) = runs
    what = f"LeNet on {torch.cuda.get_device_name(cuda_device)}, CUDA graph against eager steps"
    assert_losses_close(graphed, eager, steps_per_epoch=40, rtol=1e-4, atol=1e-5, what=what)
    assert_parameters_close(graphed_net, eager_net, rtol=1e-3, atol=1e-5, what=what)


def test_a_cuda_graph_run_on_the_gpu_is_reproducible_and_leaves_usable_gradients(cuda_device, small_tensors):
    # cuDNN's fastest kernels may sum in a different order from run to run: equal to float tolerance.
    (x, labels), _ = small_tensors
    x, labels = x.to(cuda_device), labels.to(cuda_device)
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        net = LeNet().to(cuda_device)
        runs.append((run_quietly(backprop_deep, x, labels, net, 1, B=20, seed=4)[0], net))
    what = f"two CUDA graph runs of LeNet on {torch.cuda.get_device_name(cuda_device)}"
    assert_losses_close(runs[1][0], runs[0][0], steps_per_epoch=100, rtol=1e-4, atol=1e-5, what=what)
    unusable = [name for name, p in runs[1][1].named_parameters() if p.grad is None or not torch.isfinite(p.grad).all()]
    assert not unusable, f"after a CUDA graph run these parameters have no finite gradient: {', '.join(unusable)}"


def test_a_step_that_cannot_be_captured_falls_back_to_eager_steps_with_one_notice(small_tensors, monkeypatch, capsys):
    """The CUDA graph step's decisions, on the CPU: the streams are faked as no-ops and the capture
    raises, as it does on a GPU for a network that reads a value back. The warm-up steps and every
    step after the failed capture are then plain steps: the losses and weights of the plain step, to
    the bit, after one notice that names the network and the first line of the reason."""
    from mnistcnn.train import _GraphedStep, _Step

    class NoStream:
        def __init__(self, device=None):
            pass

        def wait_stream(self, other):
            pass

    @contextlib.contextmanager
    def failing_capture(graph):
        raise RuntimeError("operation not permitted when stream is capturing\nCUDA's details")
        yield

    monkeypatch.setattr(torch.cuda, "current_stream", NoStream)
    monkeypatch.setattr(torch.cuda, "Stream", NoStream)
    monkeypatch.setattr(torch.cuda, "stream", lambda stream: contextlib.nullcontext())
    monkeypatch.setattr(torch.cuda, "CUDAGraph", object)
    monkeypatch.setattr(torch.cuda, "graph", failing_capture)
    (x, labels), _ = small_tensors
    order = torch.randperm(1000, generator=torch.Generator().manual_seed(0))
    runs = []
    for kind in (_Step, _GraphedStep):
        torch.manual_seed(0)
        net = LeNet()
        step = kind(net, torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9), x[:1000], labels[:1000])
        runs.append(([step(order[k * 50 : (k + 1) * 50]).item() for k in range(20)], net))
    (plain, plain_net), (fallen_back, fallen_back_net) = runs
    assert fallen_back == plain
    assert all(torch.equal(a, b) for a, b in zip(fallen_back_net.parameters(), plain_net.parameters()))
    notices = capsys.readouterr().err.splitlines()
    assert notices == [
        "note: LeNet cannot be captured as a CUDA graph (operation not permitted when stream is capturing); "
        "training it without one"
    ]
