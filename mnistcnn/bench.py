"""How fast: the textbook's plain loop against the package's training path.

Run ``python -m mnistcnn.bench`` (or ``nox -s bench``). On the real MNIST it measures,
in one process, with PyTorch's own tools: :class:`torch.utils.benchmark.Timer` times
every call (it warms up first, synchronises CUDA and fixes the number of threads) and
:class:`~torch.utils.benchmark.Compare` prints the tables;
:class:`~torch.utils.flop_counter.FlopCounterMode` counts LeNet's FLOPs on the real model.

* reading and parsing the four MNIST files;
* one epoch of :func:`~mnistcnn.textbook_backprop_deep` (the assignment's loop) and one
  of :func:`~mnistcnn.backprop_deep` (on CUDA also one without its CUDA graph), in
  turns, for several rounds, so that a noisy machine slows all alike: medians of
  seconds per epoch and images per second, their ratio, and the fraction of the
  machine's arithmetic limit each reaches (LeNet's FLOPs per epoch divided by the
  FLOP/s of a large matrix product measured on the same device);
* evaluation of the 10,000 test images: one forward pass over all of them against
  :func:`~mnistcnn.predict`, in turns too;
* on CUDA, the wall time of Q32: 10 epochs of each training loop, from a new network, run
  once without warm-up, since what Q32 reports is what a first run costs;
* on the CPU, where a minibatch of the package path spends its time: its wall time, and
  the milliseconds of each kind of PyTorch operator (convolutions, pooling, ...) in it,
  from ``torch.profiler``.

It prints the tables and writes the results as JSON (``--json``). Nothing here is a
test: timings vary from run to run, so read ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import io
import json
import sys
import time
from datetime import datetime, timezone

import torch
import torch.nn.functional as F
from torch.utils import benchmark
from torch.utils.benchmark.utils.common import TaskSpec
from torch.utils.flop_counter import FlopCounterMode

from . import data
from .device import describe, format_where, pick_device
from .model import LeNet
from .train import backprop_deep, predict, textbook_backprop_deep


def lenet_flops_per_image(batch: int = 100) -> tuple[int, int]:
    """FLOPs of LeNet for one 28×28 image, counted on the model: (forward, forward + backward).

    :class:`~torch.utils.flop_counter.FlopCounterMode` counts the matrix products and
    convolutions (a multiply-add is 2 FLOPs) of one forward pass, then of one training
    step's forward and backward passes, on a minibatch of ``batch`` images.
    """
    net = LeNet()
    images = torch.zeros(batch, 1, 28, 28)
    labels = torch.zeros(batch, dtype=torch.int64)
    with torch.no_grad(), FlopCounterMode(display=False) as forward:
        net(images)
    with FlopCounterMode(display=False) as step:
        F.cross_entropy(net(images), labels).backward()
    return forward.get_total_flops() // batch, step.get_total_flops() // batch


def _quietly(fn):
    """``fn``, with what it prints discarded."""

    def call():
        with contextlib.redirect_stdout(io.StringIO()):
            fn()

    return call


def _row(name: str, label: str, device: torch.device) -> dict:
    """Where a measurement goes in the printed tables: ``label``'s table, row ``name``, column the device."""
    return {"label": label, "sub_label": name, "description": device.type, "num_threads": torch.get_num_threads()}


def _timer(fn, name: str, label: str, device: torch.device) -> benchmark.Timer:
    """A Timer of ``fn()`` (printed output discarded), in ``label``'s table, row ``name``."""
    return benchmark.Timer(stmt="quietly()", globals={"quietly": _quietly(fn)}, **_row(name, label, device))


def _first_run(fn, name: str, label: str, device: torch.device) -> benchmark.Measurement:
    """One call of ``fn()`` (printed output discarded), timed without the Timer's warm-up, which
    would hide what a first run costs; a Measurement in ``label``'s table, row ``name``."""
    synchronize = torch.cuda.synchronize if device.type == "cuda" else lambda: None
    synchronize()
    start = time.perf_counter()
    _quietly(fn)()
    synchronize()
    seconds = time.perf_counter() - start
    return benchmark.Measurement(1, [seconds], TaskSpec(stmt=name, setup="", **_row(name, label, device)))


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def matmul_flops(device: torch.device, n: int = 2048) -> float:
    """FLOP/s of a large float32 matrix product on ``device``: the arithmetic limit."""
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    timer = benchmark.Timer("a @ b", globals={"a": a, "b": b}, num_threads=torch.get_num_threads())
    return 2 * n**3 / timer.blocked_autorange(min_run_time=1.0).median


def in_turns(timers: list[benchmark.Timer], rounds: int, number: int = 1) -> list[benchmark.Measurement]:
    """Time each timer once per round, in turns, so that all see the same machine.

    Each round is one :meth:`~torch.utils.benchmark.Timer.timeit` of ``number`` runs (after
    the Timer's own warm-up); the rounds of one timer are merged into one measurement.
    """
    measurements = [timer.timeit(number) for _ in range(rounds) for timer in timers]
    return benchmark.Measurement.merge(measurements)


# What each kind of ATen operator computes in LeNet's training step, by a fragment of its name.
_OPERATOR_KINDS = {
    "convolutions": ("convolution",),
    "max-pooling": ("max_pool",),
    "ReLU": ("relu", "clamp_min", "threshold_backward"),
    "fully connected": ("addmm", "aten::mm"),
    "loss": ("log_softmax", "nll_loss"),
}


def _kind(event) -> str:
    """The kind of work of one profiled ATen operator: what it computes, or the update it is part of."""
    parent = event.cpu_parent
    while parent is not None:
        if parent.name.startswith("Optimizer.step"):
            return "SGD update"
        parent = parent.cpu_parent
    return next(
        (kind for kind, fragments in _OPERATOR_KINDS.items() if any(f in event.name for f in fragments)),
        "other operators",
    )


def cpu_step_profile(xtrain: torch.Tensor, ltrain: torch.Tensor, steps: int = 50, B: int = 100) -> dict:
    """Where a minibatch of :func:`~mnistcnn.backprop_deep` on the CPU spends its time.

    One epoch of ``steps`` minibatches is timed (after the Timer's warm-up) and run once
    under the profiler, which sums each ATen operator's own time. Returns the timed
    run's seconds per minibatch, and the operators' seconds per minibatch by kind. The
    two do not add up exactly: the profiler slows every operator a little, and the step
    also spends time outside the operators (Python, autograd's bookkeeping).
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

    wall = _timer(epoch, "backprop_deep", "one epoch", torch.device("cpu")).timeit(1).median
    # One run, one cycle: keep all of its events. Some torch releases warn, without
    # acc_events, that events of earlier cycles are dropped (pytorch/pytorch#180387);
    # torch 2.4 has neither the option nor the warning.
    keep_events = {"acc_events": True} if "acc_events" in inspect.signature(profile).parameters else {}
    with profile(activities=[ProfilerActivity.CPU], **keep_events) as profiler:
        epoch()
    spent = dict.fromkeys([*_OPERATOR_KINDS, "SGD update", "other operators"], 0.0)
    for event in profiler.events():
        if event.name.startswith("aten::"):
            spent[_kind(event)] += event.self_cpu_time_total / 1e6
    return {"minibatch": wall / steps, "operators": {kind: seconds / steps for kind, seconds in spent.items()}}


def run(epochs: int = 3, device: str | None = None, path: str | None = None) -> tuple[dict, str]:
    """Measure everything; the results as a dictionary, and the Timer tables as text."""
    dev = pick_device(device)
    cpu = torch.device("cpu")
    parse = _timer(lambda: (data.load("training", path), data.load("testing", path)), "parse", "MNIST", cpu)
    _progress("parsing the four MNIST files")
    parse_seconds = parse.timeit(1).median
    xtrain, ltrain = data.load_tensors("training", path, device=dev)
    xtest, _ = data.load_tensors("testing", path, device=dev)
    images = (xtrain.size(0) // 100) * 100
    forward, train_flops = lenet_flops_per_image()
    peak = matmul_flops(dev)

    train = {
        "textbook loop": lambda net, T: textbook_backprop_deep(xtrain, ltrain, net, T),
        "mnistcnn.backprop_deep": lambda net, T: backprop_deep(xtrain, ltrain, net, T, verbose=False),
    }
    if dev.type == "cuda":
        train["backprop_deep, no graph"] = lambda net, T: backprop_deep(
            xtrain, ltrain, net, T, verbose=False, cuda_graph=False
        )
    torch.manual_seed(0)
    nets = {name: LeNet().to(dev) for name in train}
    timers = [
        _timer(lambda fn=fn, net=nets[name]: fn(net, 1), name, "training, one epoch", dev) for name, fn in train.items()
    ]
    _progress(f"training: {epochs} round(s) of one epoch of each of {len(timers)} loops, each after a warm-up")
    epoch_measurements = in_turns(timers, epochs)
    training = {}
    for m in epoch_measurements:
        training[m.task_spec.sub_label] = {
            "seconds_per_epoch": m.times,
            "median_seconds_per_epoch": m.median,
            "images_per_second": images / m.median,
            "fraction_of_arithmetic_limit": images * train_flops / m.median / peak,
        }
    speedup = (
        training["textbook loop"]["median_seconds_per_epoch"]
        / training["mnistcnn.backprop_deep"]["median_seconds_per_epoch"]
    )

    trained = nets["mnistcnn.backprop_deep"]

    def one_batch():
        with torch.no_grad():
            trained(xtest).argmax(1)

    _progress("evaluation of the 10,000 test images")
    eval_measurements = in_turns(
        [
            _timer(one_batch, "one batch", "evaluation, 10,000 images", dev),
            _timer(lambda: predict(trained, xtest), "mnistcnn.predict", "evaluation, 10,000 images", dev),
        ],
        rounds=5,
        number=3,
    )
    evaluation = {
        m.task_spec.sub_label: {"median_seconds": m.median, "images_per_second": xtest.size(0) / m.median}
        for m in eval_measurements
    }

    results = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": describe(dev),
        "parse_mnist_seconds": parse_seconds,
        "arithmetic_limit_flops": peak,
        "lenet_flops_per_image": {"forward": forward, "train": train_flops},
        "training": training,
        "training_speedup": speedup,
        "evaluation": evaluation,
        "evaluation_speedup": evaluation["one batch"]["median_seconds"]
        / evaluation["mnistcnn.predict"]["median_seconds"],
    }
    measurements = [*epoch_measurements, *eval_measurements]
    if dev.type == "cuda":
        # Q32 as the page runs it: a new LeNet, 10 epochs, every cost (CUDA graph capture too) included.
        results["q32_ten_epochs_seconds"] = {}

        def q32(fn):
            torch.manual_seed(0)
            fn(LeNet().to(dev), 10)

        for name, fn in train.items():
            _progress(f"Q32: {name}, ten epochs from a new network")
            measurement = _first_run(lambda fn=fn: q32(fn), name, "Q32, ten epochs", dev)
            results["q32_ten_epochs_seconds"][name] = measurement.median
            measurements.append(measurement)
    if dev.type == "cpu":
        _progress("profiling one epoch of 50 minibatches on the CPU")
        results["cpu_step_profile_seconds"] = cpu_step_profile(xtrain, ltrain)
    return results, str(benchmark.Compare(measurements))


def report(results: dict, tables: str) -> str:
    """The results as a short readable text: where, the Timer tables, ratios and limits."""
    m = results["machine"]
    lines = [
        f"{results['date']} · {format_where(m)} · torch {m['torch']}",
        f"parse the four MNIST files: {results['parse_mnist_seconds']:.2f} s",
        f"arithmetic limit (float32 matmul): {results['arithmetic_limit_flops'] / 1e9:.0f} GFLOP/s",
        f"LeNet per image (FlopCounterMode): {results['lenet_flops_per_image']['forward']:,} FLOPs forward, "
        f"{results['lenet_flops_per_image']['train']:,} to train",
        tables,
        f"{'training, one epoch':<26}{'images/s':>11}{'of limit':>10}",
    ]
    for name, row in results["training"].items():
        lines.append(f"{name:<26}{row['images_per_second']:>11,.0f}{row['fraction_of_arithmetic_limit']:>10.1%}")
    lines += [
        f"training speed-up: {results['training_speedup']:.2f}×",
        f"evaluation speed-up: {results['evaluation_speedup']:.2f}×",
    ]
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
    """``python -m mnistcnn.bench``: measure on this machine, print the report, optionally save JSON."""
    parser = argparse.ArgumentParser(prog="python -m mnistcnn.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs of each loop (default: 3)")
    parser.add_argument("--device", help="auto, cpu or cuda (default: $MNISTCNN_DEVICE, else auto)")
    parser.add_argument("--data", metavar="DIR", help="the MNIST folder (default: $MNISTCNN_DATA, else the cache)")
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE as JSON")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    results, tables = run(args.epochs, args.device, args.data)
    print(report(results, tables))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
