"""``python -m mnistcnn`` end to end, on a small real subset of MNIST."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import ROOT


def run(*args, env=None):
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "MNISTCNN_DEVICE": "cpu", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mnistcnn", *args], capture_output=True, text=True, env=full_env, timeout=300
    )


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("fetch", "train", "evaluate"):
        assert command in result.stdout


def test_train_prints_the_loss_lines_saves_and_evaluate_reads_it_back(small_mnist, tmp_path):
    model = tmp_path / "lenet.pt"
    trained = run(
        "train", "--epochs", "2", "--batch-size", "10", "--lr", "0.01", "--data", str(small_mnist), "--save", str(model)
    )
    assert trained.returncode == 0, trained.stderr
    lines = trained.stdout.splitlines()
    assert "[1,   100] loss: " in trained.stdout and "[2,   200] loss: " in trained.stdout
    accuracy_line = next(line for line in lines if line.startswith("Test accuracy: "))
    assert float(accuracy_line.split()[-1].rstrip("%")) > 50
    assert model.is_file()
    evaluated = run("evaluate", str(model), "--data", str(small_mnist))
    assert evaluated.returncode == 0, evaluated.stderr
    assert evaluated.stdout.strip() == accuracy_line


def test_fetch_verifies_files_that_are_already_there(mnist_dir):
    result = run("fetch", "--data", str(mnist_dir))
    assert result.returncode == 0
    assert "all four files verified" in result.stdout


def test_missing_data_offline_exits_with_status_3_and_says_what_to_do(tmp_path):
    result = run("train", "--data", str(tmp_path / "empty"))
    assert result.returncode == 3
    assert "MNISTCNN_DATA" in result.stderr and "Traceback" not in result.stderr


def test_an_unreadable_model_file_exits_with_status_4(tmp_path, small_mnist):
    bad = tmp_path / "bad.pt"
    bad.write_text("nonsense")
    result = run("evaluate", str(bad), "--data", str(small_mnist))
    assert result.returncode == 4
    assert "bad.pt" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["train", "--epochs", "0"], ["train", "--lr", "-1"], ["evaluate"], ["bogus"]])
def test_wrong_usage_exits_with_status_2(args):
    assert run(*args).returncode == 2


def test_asking_for_a_gpu_that_is_not_there_exits_with_status_5(small_mnist):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    result = run("train", "--device", "cuda", "--data", str(small_mnist))
    assert result.returncode == 5
    assert "no CUDA GPU" in result.stderr
