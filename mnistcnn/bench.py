"""How fast: the textbook's plain loop against the package's training path.

Run ``python -m mnistcnn.bench`` (or ``nox -s bench``). On the real MNIST it measures,
in one process and interleaved so that a noisy machine slows both alike:

* reading and parsing the four MNIST files;
* one epoch of :func:`~mnistcnn.textbook_backprop_deep` (the assignment's loop) and one
  of :func:`~mnistcnn.backprop_deep`, in turns, for several rounds: medians of
  seconds per epoch and images per second, their ratio, and the fraction of the
  machine's arithmetic limit each reaches (LeNet's FLOPs per epoch divided by the
  FLOP/s of a large matrix product measured on the same device);
* evaluation of the 10,000 test images: one forward pass over all of them against
  :func:`~mnistcnn.predict`;
* on CUDA, the wall time of Q32: 10 epochs of the package path.

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

    torch.manual_seed(0)
    plain_net, fast_net = LeNet().to(dev), LeNet().to(dev)
    times = {"textbook loop": [], "mnistcnn.backprop_deep": []}
    # One warm-up epoch each, then alternate, so both see the same machine.
    _timed(dev, lambda: textbook_backprop_deep(xtrain, ltrain, plain_net, 1))
    _timed(dev, lambda: backprop_deep(xtrain, ltrain, fast_net, 1, seed=0, verbose=False))
    for round_ in range(epochs):
        times["textbook loop"].append(_timed(dev, lambda: textbook_backprop_deep(xtrain, ltrain, plain_net, 1)))
        times["mnistcnn.backprop_deep"].append(
            _timed(dev, lambda r=round_: backprop_deep(xtrain, ltrain, fast_net, 1, seed=r + 1, verbose=False))
        )
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
            fast_net(xtest).argmax(1)

    evaluation = {}
    for name, fn in (("one batch", one_batch), ("mnistcnn.predict", lambda: predict(fast_net, xtest))):
        fn()
        median = statistics.median(_timed(dev, fn) for _ in range(5))
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
        torch.manual_seed(0)
        net = LeNet().to(dev)
        results["q32_ten_epochs_seconds"] = _timed(
            dev, lambda: backprop_deep(xtrain, ltrain, net, 10, seed=0, verbose=False)
        )
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
        lines.append(f"Q32, 10 epochs with mnistcnn.backprop_deep: {results['q32_ten_epochs_seconds']:.2f} s")
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
