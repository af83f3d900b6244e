"""How fast: the textbook's plain loop against the package's training path.

Run ``python -m mnistcnn.bench`` (or ``nox -s bench``). On the real MNIST it measures,
in one process and interleaved so that a noisy machine slows both alike:

* reading and parsing the four MNIST files;
* one epoch of :func:`~mnistcnn.textbook_backprop_deep` (the assignment's loop) and one
  of :func:`~mnistcnn.backprop_deep` (on CUDA also one without its CUDA graph), in
  turns, for several rounds: medians of
  seconds per epoch and images per second, their ratio, and the fraction of the
  machine's arithmetic limit each reaches (LeNet's FLOPs per epoch divided by the
  FLOP/s of a large matrix product measured on the same device);
* evaluation of the 10,000 test images: one forward pass over all of them against
  :func:`~mnistcnn.predict`;
* on CUDA, the wall time of Q32: 10 epochs of each training loop, from a new network;
* on the CPU, where a minibatch of the package path spends its time: its wall time, and
  the milliseconds of each kind of PyTorch operator (convolutions, pooling, ...) in it,
  from ``torch.profiler``.

It prints a table and writes the results as JSON (``--json``). Nothing here is a test:
timings vary from run to run, so read ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import time
from datetime import datetime, timezone

import torch

from . import data
from .device import describe, pick_device
from .model import LeNet
from .train import backprop_deep, predict, textbook_backprop_deep


def lenet_flops_per_image() -> tuple[int, int]:
    """FLOPs of LeNet for one 28×28 image: (forward, forward + backward).

    A multiply-add counts as 2 FLOPs. The backward pass costs twice the forward
    (gradients with respect to weights and to inputs), except that the input image
    needs no gradient, which saves conv1's input-gradient product.
    """
    conv1 = 2 * (6 * 24 * 24) * (1 * 5 * 5)
    conv2 = 2 * (16 * 8 * 8) * (6 * 5 * 5)
    dense = 2 * (256 * 120 + 120 * 84 + 84 * 10)
    forward = conv1 + conv2 + dense
    return forward, forward + 2 * forward - conv1


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def matmul_flops(device: torch.device, n: int = 2048, repeats: int = 10) -> float:
    """FLOP/s of a large float32 matrix product on ``device``: the arithmetic limit."""
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    for _ in range(3):
        a @ b
    _sync(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        _sync(device)
        times.append(time.perf_counter() - start)
    return 2 * n**3 / statistics.median(times)


def _timed(device: torch.device, fn) -> float:
    _sync(device)
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        fn()
    _sync(device)
    return time.perf_counter() - start


def _in_turns(device: torch.device, calls: dict, rounds: int) -> dict[str, list[float]]:
    """Seconds of each call per round; they take turns, so that all see the same machine.

    Each call gets the round's number, and a first round warms them all up untimed.
    """
    times = {name: [] for name in calls}
    for round_ in range(rounds + 1):
        for name, call in calls.items():
            seconds = _timed(device, lambda call=call, r=round_: call(r))
            if round_ > 0:
                times[name].append(seconds)
    return times


# What each kind of ATen operator computes in LeNet's training step, by a fragment of its name.
_OPERATOR_KINDS = {
    "convolutions": ("convolution",),
    "max-pooling": ("max_pool",),
    "ReLU": ("relu", "clamp_min", "threshold_backward"),
    "fully connected": ("addmm", "aten::mm"),
    "loss": ("log_softmax", "nll_loss"),
    "SGD update": ("sgd",),
}


def _kind(operator: str) -> str:
    return next(
        (kind for kind, fragments in _OPERATOR_KINDS.items() if any(f in operator for f in fragments)),
        "other operators",
    )


def cpu_step_profile(xtrain: torch.Tensor, ltrain: torch.Tensor, steps: int = 50, B: int = 100) -> dict:
    """Where a minibatch of :func:`~mnistcnn.backprop_deep` on the CPU spends its time.

    One epoch of ``steps`` minibatches runs once to warm up, once timed, and once under
    the profiler, which sums each ATen operator's own time. Returns the timed run's
    seconds per minibatch, and the operators' seconds per minibatch by kind. The two do
    not add up exactly: the profiler slows every operator a little, and the step also
    spends time outside the operators (Python, autograd's bookkeeping).
    """
    from torch.profiler import ProfilerActivity, profile

    if xtrain.device.type != "cpu":
        raise ValueError(f"cpu_step_profile profiles the CPU path; the images are on {xtrain.device}")
    if xtrain.size(0) < steps * B:
        raise ValueError(f"{steps} minibatches of {B} need {steps * B} images, not {xtrain.size(0)}")
    x, labels = xtrain[: steps * B], ltrain[: steps * B]
    torch.manual_seed(0)
    net = LeNet()

    def epoch():
        backprop_deep(x, labels, net, 1, B, seed=0, verbose=False)

    epoch()
    wall = _timed(torch.device("cpu"), epoch)
    with profile(activities=[ProfilerActivity.CPU]) as profiler:
        epoch()
    spent = dict.fromkeys([*_OPERATOR_KINDS, "other operators"], 0.0)
    for event in profiler.key_averages():
        if event.key.startswith("aten::"):
            spent[_kind(event.key)] += event.self_cpu_time_total / 1e6
    return {"minibatch": wall / steps, "operators": {kind: seconds / steps for kind, seconds in spent.items()}}


def run(epochs: int = 3, device: str | None = None, path: str | None = None, q32: bool | None = None) -> dict:
    """Measure everything and return the results as a dictionary."""
    dev = pick_device(device)
    parse = [
        _timed(torch.device("cpu"), lambda: (data.load("training", path), data.load("testing", path))) for _ in range(3)
    ]
    xtrain, ltrain = data.load_tensors("training", path, device=dev)
    xtest, _ = data.load_tensors("testing", path, device=dev)
    images = (xtrain.size(0) // 100) * 100
    forward, train_flops = lenet_flops_per_image()
    peak = matmul_flops(dev)

    train = {
        "textbook loop": lambda net, r, T=1: textbook_backprop_deep(xtrain, ltrain, net, T),
        "mnistcnn.backprop_deep": lambda net, r, T=1: backprop_deep(xtrain, ltrain, net, T, seed=r, verbose=False),
    }
    if dev.type == "cuda":
        train["backprop_deep, no graph"] = lambda net, r, T=1: backprop_deep(
            xtrain, ltrain, net, T, seed=r, verbose=False, cuda_graph=False
        )
    torch.manual_seed(0)
    nets = {name: LeNet().to(dev) for name in train}
    times = _in_turns(dev, {name: lambda r, fn=fn, net=nets[name]: fn(net, r) for name, fn in train.items()}, epochs)
    training = {}
    for name, seconds in times.items():
        median = statistics.median(seconds)
        training[name] = {
            "seconds_per_epoch": seconds,
            "median_seconds_per_epoch": median,
            "images_per_second": images / median,
            "fraction_of_arithmetic_limit": images * train_flops / median / peak,
        }
    speedup = (
        training["textbook loop"]["median_seconds_per_epoch"]
        / training["mnistcnn.backprop_deep"]["median_seconds_per_epoch"]
    )

    def one_batch():
        with torch.no_grad():
            nets["mnistcnn.backprop_deep"](xtest).argmax(1)

    eval_times = _in_turns(
        dev,
        {
            "one batch": lambda r: one_batch(),
            "mnistcnn.predict": lambda r: predict(nets["mnistcnn.backprop_deep"], xtest),
        },
        7,
    )
    evaluation = {}
    for name, seconds in eval_times.items():
        median = statistics.median(seconds)
        evaluation[name] = {"median_seconds": median, "images_per_second": xtest.size(0) / median}

    results = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": describe(dev),
        "parse_mnist_seconds": statistics.median(parse),
        "arithmetic_limit_flops": peak,
        "lenet_flops_per_image": {"forward": forward, "train": train_flops},
        "training": training,
        "training_speedup": speedup,
        "evaluation": evaluation,
        "evaluation_speedup": evaluation["one batch"]["median_seconds"]
        / evaluation["mnistcnn.predict"]["median_seconds"],
    }
    if q32 if q32 is not None else dev.type == "cuda":
        # Q32 as the page runs it: a new LeNet, 10 epochs, every cost (CUDA graph capture too) included.
        results["q32_ten_epochs_seconds"] = {}
        for name, fn in train.items():
            torch.manual_seed(0)
            net = LeNet().to(dev)
            results["q32_ten_epochs_seconds"][name] = _timed(dev, lambda fn=fn, net=net: fn(net, 0, 10))
    if dev.type == "cpu":
        results["cpu_step_profile_seconds"] = cpu_step_profile(xtrain, ltrain)
    return results


def report(results: dict) -> str:
    """The results as a short readable table."""
    m = results["machine"]
    where = m.get("gpu") or f"{m['cpu']} ({m['threads']} threads)"
    lines = [
        f"{results['date']} · {m['device']} · {where} · torch {m['torch']}",
        f"parse the four MNIST files: {results['parse_mnist_seconds']:.2f} s",
        f"arithmetic limit (float32 matmul): {results['arithmetic_limit_flops'] / 1e9:.0f} GFLOP/s",
        "",
        f"{'training, one epoch':<26}{'median s':>10}{'images/s':>11}{'of limit':>10}",
    ]
    for name, row in results["training"].items():
        lines.append(
            f"{name:<26}{row['median_seconds_per_epoch']:>10.2f}{row['images_per_second']:>11,.0f}"
            f"{row['fraction_of_arithmetic_limit']:>10.1%}"
        )
    lines += [
        f"speed-up: {results['training_speedup']:.2f}×",
        "",
        f"{'evaluation, 10,000 images':<26}{'median s':>10}{'images/s':>11}",
    ]
    for name, row in results["evaluation"].items():
        lines.append(f"{name:<26}{row['median_seconds']:>10.3f}{row['images_per_second']:>11,.0f}")
    lines.append(f"speed-up: {results['evaluation_speedup']:.2f}×")
    if "q32_ten_epochs_seconds" in results:
        lines += ["", f"{'Q32, ten epochs':<26}{'s':>10}"]
        for name, seconds in results["q32_ten_epochs_seconds"].items():
            lines.append(f"{name:<26}{seconds:>10.2f}")
    if "cpu_step_profile_seconds" in results:
        profile = results["cpu_step_profile_seconds"]
        operators = profile["operators"]
        total = sum(operators.values())
        lines += [
            "",
            f"one minibatch of backprop_deep: {profile['minibatch'] * 1e3:.2f} ms; its operators, profiled:",
        ]
        for kind, seconds in sorted(operators.items(), key=lambda item: -item[1]):
            lines.append(f"{kind:<26}{seconds * 1e3:>8.2f} ms{seconds / total:>9.0%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mnistcnn.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs of each loop (default: 3)")
    parser.add_argument("--device", help="auto, cpu or cuda (default: $MNISTCNN_DEVICE, else auto)")
    parser.add_argument("--data", metavar="DIR", help="the MNIST folder (default: $MNISTCNN_DATA, else the cache)")
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE as JSON")
    parser.add_argument(
        "--q32",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also time Q32's 10 epochs (default: on CUDA only)",
    )
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    results = run(args.epochs, args.device, args.data, args.q32)
    print(report(results))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
