"""``python -m mnistcnn``: fetch the data, train a LeNet, evaluate a saved one, grade exercises.

Exit status: 0 success, 1 (``check``) a question did not pass, 2 wrong usage, 3 the
MNIST data is missing or damaged, 4 a saved network cannot be read, 5 the requested
device is not available.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

# torch and the modules that import it are imported by the commands that need them: `--help`
# and `--version` answer at once.

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


def program_name(argv0: str | None = None) -> str:
    """The command as the user typed it: ``python -m mnistcnn`` when run as a module, else the
    console script's name (``mnistcnn``)."""
    name = Path(sys.argv[0] if argv0 is None else argv0).name
    return "python -m mnistcnn" if name in ("__main__.py", "-m", "-c", "") else name


def _version() -> str:
    from . import __version__

    return __version__


def _parser() -> argparse.ArgumentParser:
    prog = program_name()
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Train and evaluate the textbook's LeNet on MNIST.",
        epilog=f"Run `{prog} COMMAND --help` for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
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
        description="Run each exercise (notebook or script) in a fresh process, within limits, then its "
        "page's checks, taken from the book, and give each question a verdict (passed, wrong, error, not attempted or "
        "timed out) and its points. A file's question is found by its content, whatever its name. With --gradebook, "
        "grade a folder of submissions, one folder or zip per student.",
    )
    _add_check_arguments(grade)
    return parser


DEFAULT_TIMEOUT = 300.0  # mnistcnn.grader.DEFAULT_TIMEOUT, without importing the grader for --help
DEFAULT_MEMORY = 4096  # mnistcnn.grader.sandbox.Limits.memory, likewise (tests/test_cli.py proves they agree)


def _add_check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="exercise notebooks or scripts, or folders of them; with --gradebook, a folder of submissions",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"time limit for each file (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--json", metavar="FILE", help="also write one record per file to FILE")
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="files run at the same time (with --gradebook, across students too) (default: 1)",
    )
    parser.add_argument(
        "--warnings-are-errors",
        action="store_true",
        help="a DeprecationWarning, FutureWarning or UserWarning fails the file, as in the textbook's build",
    )
    parser.add_argument(
        "--memory",
        type=int,
        default=DEFAULT_MEMORY,
        metavar="MIB",
        help=f"memory each process of a file may use, on Linux (default: {DEFAULT_MEMORY}; 0: no limit)",
    )
    grading = parser.add_argument_group("grading a class")
    grading.add_argument(
        "--gradebook",
        metavar="CSV",
        help="PATH is a folder with one folder or zip per student: write one row per student to CSV, "
        "and keep each student's results in a folder beside it",
    )
    grading.add_argument("--regrade", action="store_true", help="grade again the students already in the gradebook")
    grading.add_argument("--gradescope", metavar="FILE", help="write the results in Gradescope's results.json format")
    grading.add_argument(
        "--roster",
        metavar="CSV",
        help="the students' Canvas names and IDs: columns Student, ID, SIS User ID, SIS Login ID, Section, "
        "and 'folder' (each student's folder or zip name; without it, folders are named by SIS Login ID)",
    )
    grading.add_argument(
        "--canvas", metavar="CSV", help="also write each student's total as Canvas's gradebook import reads it"
    )
    grading.add_argument(
        "--canvas-assignment",
        default="mnistcnn",
        metavar="NAME",
        help="the Canvas assignment of the totals, as Canvas names it with its ID: 'Exercises (12345)' "
        "(default: mnistcnn, which Canvas makes a new assignment of)",
    )


def _check(args: argparse.Namespace) -> int:
    """Grade the files of ``args``, print the table; 0 when every question passed, else 1.

    With ``--gradebook``, grade a class: 0 when every submission could be graded, else 1.
    """
    from .grader import PASSED, check_files, find_exercises, summary, table

    if args.gradebook:
        return _grade_class(args)
    paths = find_exercises(args.paths)
    if not paths:
        raise ValueError(f"no exercise notebook or script in {' '.join(args.paths)}")
    start = time.perf_counter()

    def progress(done, total, result):
        if total > 1:
            print(f"[{done}/{total}] {Path(result.file).name}: {result.verdict}", file=sys.stderr, flush=True)

    results = check_files(paths, args.timeout, args.jobs, progress, args.warnings_are_errors, args.memory)
    print(table(results))
    print()
    print(summary(results, time.perf_counter() - start))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=1) + "\n", encoding="utf-8")
    if args.gradescope:
        from .grader.gradebook import gradescope, write_json

        write_json(Path(args.gradescope), gradescope(results, time.perf_counter() - start))
    return 0 if all(r.verdict == PASSED for r in results) else 1


def _grade_class(args: argparse.Namespace) -> int:
    from .grader import sandbox
    from .grader.gradebook import grade_class
    from .grader.gradebook import summary as class_summary

    if len(args.paths) != 1 or not Path(args.paths[0]).is_dir():
        raise ValueError("--gradebook grades one folder of submissions: one folder or zip per student")
    if args.gradescope or args.json:
        raise ValueError("--gradescope and --json describe one submission; the gradebook keeps each student's")
    print(f"Each file runs in a folder of its own, limited to: {', '.join(sandbox.protections())}.", file=sys.stderr)
    gradebook = Path(args.gradebook)
    graded = grade_class(
        Path(args.paths[0]),
        gradebook,
        regrade=args.regrade,
        timeout=args.timeout,
        jobs=args.jobs,
        warnings_are_errors=args.warnings_are_errors,
        memory=args.memory,
        roster=args.roster and Path(args.roster),
        canvas=args.canvas and Path(args.canvas),
        canvas_assignment=args.canvas_assignment,
    )
    print(class_summary(graded, gradebook))
    return 0 if not any(student.problem for student in graded) else 1


def _positive(parser: argparse.ArgumentParser, args: argparse.Namespace, *names: str) -> None:
    for name in names:
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive, not {getattr(args, name)}")


def _train(args: argparse.Namespace) -> int:
    import torch

    from . import checkpoint, data
    from .device import describe_line, pick_device
    from .model import LeNet
    from .train import accuracy, backprop_deep

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
    from . import checkpoint, data
    from .device import pick_device
    from .train import accuracy

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
    """Run ``python -m mnistcnn`` with the arguments ``argv`` (default: the command line's); the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "train":
        _positive(parser, args, "epochs", "batch_size", "lr")
    from . import data
    from .device import DeviceError

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
            return _check(args)
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
