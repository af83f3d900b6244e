"""``python -m mnistcnn`` end to end, on a small real subset of MNIST.

The commands run in-process through :func:`mnistcnn.cli.main`; one test starts the real
``python -m mnistcnn`` to prove the entry point itself works.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from mnistcnn.cli import main

from .helpers import ROOT, subprocess_env


def run(capsys, *args) -> tuple[int, str, str]:
    """Exit status, standard output and standard error of ``python -m mnistcnn ARGS``, run in-process."""
    try:
        status = main(list(args))
    except SystemExit as exit_:  # argparse exits on --help and on wrong usage
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(autouse=True)
def _on_the_cpu(monkeypatch):
    monkeypatch.setenv("MNISTCNN_DEVICE", "cpu")


def test_python_dash_m_mnistcnn_help_lists_the_commands():
    result = subprocess.run(
        [sys.executable, "-m", "mnistcnn", "--help"], capture_output=True, text=True, env=subprocess_env(), timeout=120
    )
    assert result.returncode == 0, result.stderr
    for command in ("fetch", "train", "evaluate"):
        assert command in result.stdout


def test_version_prints_the_packages_version(capsys):
    import mnistcnn

    status, out, _ = run(capsys, "--version")
    assert (status, out.split()[-1]) == (0, mnistcnn.__version__)


@pytest.mark.parametrize(
    ("argv0", "typed"), [("/venv/bin/mnistcnn", "mnistcnn"), ("/src/mnistcnn/__main__.py", "python -m mnistcnn")]
)
def test_the_usage_names_the_command_as_it_was_typed(argv0, typed, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", [argv0])
    status, out, _ = run(capsys, "check", "--help")
    assert status == 0 and out.startswith(f"usage: {typed} check ")


@pytest.mark.parametrize("option", ["--help", "--version"])
def test_help_and_version_import_neither_torch_nor_the_commands_modules(option):
    """As a newcomer runs it: the package as it is, ``python -m mnistcnn --help``, without torch."""
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['mnistcnn', {option!r}]\n"
        "try:\n"
        "    runpy.run_module('mnistcnn', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('torch', 'numpy', 'mnistcnn')))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "['mnistcnn', 'mnistcnn.cli']"


def test_every_public_name_of_the_package_is_imported_when_first_used():
    import mnistcnn

    assert sorted(mnistcnn.__all__) == sorted(mnistcnn._PUBLIC)
    for name in mnistcnn.__all__:
        value = getattr(mnistcnn, name)
        assert getattr(value, "__name__", name) in (name, name.removesuffix("_net")), name
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        mnistcnn.nothing  # noqa: B018


def test_the_check_defaults_the_help_shows_are_the_graders():
    from mnistcnn import cli
    from mnistcnn.grader import DEFAULT_TIMEOUT, sandbox

    assert (DEFAULT_TIMEOUT, sandbox.Limits.memory) == (cli.DEFAULT_TIMEOUT, cli.DEFAULT_MEMORY)


def test_train_prints_the_loss_lines_saves_and_evaluate_reads_it_back(small_mnist, tmp_path, capsys):
    model = tmp_path / "lenet.pt"
    status, out, err = run(
        capsys,
        *("train", "--epochs", "2", "--batch-size", "10", "--lr", "0.01"),
        *("--data", str(small_mnist), "--save", str(model)),
    )
    assert status == 0, err
    assert "[1,   100] loss: " in out and "[2,   200] loss: " in out
    accuracy_line = next(line for line in out.splitlines() if line.startswith("Test accuracy: "))
    assert float(accuracy_line.split()[-1].rstrip("%")) > 50
    assert model.is_file()
    status, out, err = run(capsys, "evaluate", str(model), "--data", str(small_mnist))
    assert status == 0, err
    assert out.strip() == accuracy_line


def test_train_with_the_default_options_trains_the_network_of_trained_lenet(small_mnist, tmp_path, capsys):
    import mnistcnn

    model = tmp_path / "lenet.pt"
    status, _, err = run(capsys, "train", "--epochs", "1", "--data", str(small_mnist), "--save", str(model))
    assert status == 0, err
    expected = mnistcnn.trained_lenet(1, data=small_mnist, device="cpu")
    saved = mnistcnn.load_net(model, device="cpu")
    assert all(torch.equal(a, b) for a, b in zip(saved.state_dict().values(), expected.state_dict().values()))


def test_fetch_verifies_files_that_are_already_there(mnist_dir, capsys):
    status, out, _ = run(capsys, "fetch", "--data", str(mnist_dir))
    assert status == 0
    assert "all four files verified" in out


def test_missing_data_offline_exits_with_status_3_and_says_what_to_do(tmp_path, capsys):
    status, _, err = run(capsys, "train", "--data", str(tmp_path / "empty"))
    assert status == 3
    assert "MNISTCNN_DATA" in err and "Traceback" not in err


def test_an_unreadable_model_file_exits_with_status_4(tmp_path, small_mnist, capsys):
    bad = tmp_path / "bad.pt"
    bad.write_text("nonsense")
    status, _, err = run(capsys, "evaluate", str(bad), "--data", str(small_mnist))
    assert status == 4
    assert "bad.pt" in err and "Traceback" not in err


@pytest.mark.parametrize("args", [["train", "--epochs", "0"], ["train", "--lr", "-1"], ["evaluate"], ["bogus"]])
def test_wrong_usage_exits_with_status_2(args, capsys):
    status, _, err = run(capsys, *args)
    assert status == 2
    assert "usage:" in err


def test_asking_for_a_gpu_that_is_not_there_exits_with_status_5(small_mnist, monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    status, _, err = run(capsys, "train", "--device", "cuda", "--data", str(small_mnist))
    assert status == 5
    assert "no CUDA GPU" in err
