"""``python -m mnistcnn``: fetch the data, train a LeNet, evaluate a saved one.

Exit status: 0 success, 1 (``check``) a question did not pass, 2 wrong usage, 3 the
MNIST data is missing or damaged, 4 a saved network cannot be read, 5 the requested
device is not available.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch

from . import check, checkpoint, data
from .device import DeviceError, describe_line, pick_device
from .model import LeNet
from .train import accuracy, backprop_deep

EXIT_USAGE, EXIT_DATA, EXIT_MODEL, EXIT_DEVICE = 2, 3, 4, 5


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        metavar="DIR",
        help="folder with the four MNIST files (default: $MNISTCNN_DATA, else ~/.cache/mnistcnn/mnist)",
    )
    parser.add_argument(
        "--device",
        default=None,
        help="auto, cpu, cuda or cuda:N (default: $MNISTCNN_DEVICE, else auto = CUDA when available)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mnistcnn",
        description="Train and evaluate the textbook's LeNet on MNIST.",
        epilog="Run `python -m mnistcnn COMMAND --help` for the options of one command.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    fetch = commands.add_parser("fetch", help="download the MNIST files (if missing) and verify their MD5")
    fetch.add_argument("--data", metavar="DIR", help="where to put them (default as for train)")
    fetch.add_argument(
        "--check-mirrors",
        action="store_true",
        help="instead, download every file from every mirror, check its MD5 and keep nothing",
    )

    train = commands.add_parser(
        "train",
        help="train a LeNet with minibatch SGD and momentum, then report its test accuracy",
        description="Train a LeNet on the 60,000 training images and report its accuracy on the 10,000 test images.",
    )
    train.add_argument("--epochs", type=int, default=3, help="number of passes over the training set (default: 3)")
    train.add_argument("--batch-size", type=int, default=100, help="minibatch size B (default: 100)")
    train.add_argument("--lr", type=float, default=0.001, help="step size gamma (default: 0.001)")
    train.add_argument("--momentum", type=float, default=0.9, help="momentum rho (default: 0.9)")
    train.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of torch's generator, which draws the initial weights and then the shuffles (default: 0)",
    )
    train.add_argument("--save", metavar="FILE", help="write the trained weights to FILE")
    _add_common(train)

    evaluate = commands.add_parser("evaluate", help="report the test accuracy of a saved network")
    evaluate.add_argument("model", metavar="FILE", help="weights written by `train --save`")
    _add_common(evaluate)

    grade = commands.add_parser(
        "check",
        help="grade completed exercises with their pages' own checks",
        description="Run each exercise (notebook or script) in a fresh kernel or process, within limits, then its "
        "page's checks, and give each question a verdict (passed, wrong, error, not attempted or timed out) and its "
        "points. With --gradebook, grade a folder of submissions, one folder or zip per student.",
    )
    check.add_arguments(grade)
    return parser


def _positive(parser: argparse.ArgumentParser, args: argparse.Namespace, *names: str) -> None:
    for name in names:
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive, not {getattr(args, name)}")


def _train(args: argparse.Namespace) -> int:
    device = pick_device(args.device)
    print(f"Running on {describe_line(device)}")
    xtrain, ltrain = data.load_tensors("training", args.data, device=device)
    xtest, ltest = data.load_tensors("testing", args.data, device=device)
    # The recipe of mnistcnn.trained_lenet: with the default options, the same network.
    torch.manual_seed(args.seed)
    net = LeNet().to(device)
    start = time.perf_counter()
    backprop_deep(xtrain, ltrain, net, args.epochs, B=args.batch_size, gamma=args.lr, rho=args.momentum)
    seconds = time.perf_counter() - start
    print(f"Trained {args.epochs} epochs in {seconds:.1f} s ({seconds / args.epochs:.2f} s/epoch)")
    print(f"Test accuracy: {accuracy(net, xtest, ltest):.2f}%")
    if args.save:
        print(f"Saved the weights to {checkpoint.save(net, args.save)}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    device = pick_device(args.device)
    try:
        net = checkpoint.load(args.model, device)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_MODEL
    xtest, ltest = data.load_tensors("testing", args.data, device=device)
    print(f"Test accuracy: {accuracy(net, xtest, ltest):.2f}%")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "train":
        _positive(parser, args, "epochs", "batch_size", "lr")
    try:
        if args.command == "fetch" and args.check_mirrors:
            failures = data.check_mirrors()
            for failure in failures:
                print(f"error: {failure}", file=sys.stderr)
            print("Every mirror serves the four files intact" if not failures else f"{len(failures)} failures")
            return EXIT_DATA if failures else 0
        if args.command == "fetch":
            folder = data.fetch(args.data)
            print(f"MNIST is ready in {folder} (all four files verified)")
            return 0
        if args.command == "train":
            return _train(args)
        if args.command == "check":
            return check.main(args)
        return _evaluate(args)
    except data.MNISTError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_DATA
    except DeviceError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_DEVICE
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
