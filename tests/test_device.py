"""Where things run: one place decides, and says so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import torch

from mnistcnn import DeviceError, describe, describe_line, pick_device


def test_an_explicit_device_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("MNISTCNN_DEVICE", "cuda")
    assert pick_device("cpu") == torch.device("cpu")


def test_the_environment_variable_is_used_when_no_device_is_given(monkeypatch):
    monkeypatch.setenv("MNISTCNN_DEVICE", "CPU")
    assert pick_device() == torch.device("cpu")


@pytest.mark.parametrize("available, expected", [(False, "cpu"), (True, "cuda")])
def test_auto_means_cuda_when_a_gpu_is_usable_else_cpu(monkeypatch, available, expected):
    monkeypatch.delenv("MNISTCNN_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: available)
    assert pick_device().type == expected
    assert pick_device("auto").type == expected


def test_asking_for_cuda_without_a_gpu_is_an_error_not_a_silent_cpu_run(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(DeviceError, match="no CUDA GPU is usable"):
        pick_device("cuda")


def test_an_unknown_device_name_is_rejected():
    with pytest.raises(DeviceError, match="unknown device 'gpu'"):
        pick_device("gpu")


def test_describe_gives_the_provenance_of_a_run():
    info = describe("cpu")
    assert info["device"] == "cpu"
    assert info["torch"] == torch.__version__
    assert info["threads"] == torch.get_num_threads()
    assert info["cpu"]
    line = describe_line("cpu")
    assert f"torch {torch.__version__}" in line and "threads" in line and "UTC" in line


def test_auto_picks_the_real_gpu_where_there_is_one(cuda_device, monkeypatch):
    monkeypatch.delenv("MNISTCNN_DEVICE", raising=False)
    picked = pick_device()
    assert picked.type == "cuda", f"'auto' chose {picked} although torch sees {torch.cuda.get_device_name(cuda_device)}"
    named = describe().get("gpu")
    assert named == torch.cuda.get_device_name(cuda_device), f"describe() names the GPU {named!r}"


def test_every_test_that_needs_a_gpu_says_gpu_in_its_name():
    """So that ``nox -s tests-cuda -- -k gpu`` runs all of them first, before the rest of the suite."""
    needing = {
        f"{path.name}::{node.name}"
        for path in Path(__file__).parent.rglob("test_*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and "cuda_device" in [a.arg for a in node.args.args]
    }
    assert len(needing) >= 8, f"found only {sorted(needing)}: has the cuda_device fixture been renamed?"
    unnamed = sorted(name for name in needing if "gpu" not in name.split("::")[1])
    assert not unnamed, f"tests that need a GPU without 'gpu' in their names: {unnamed}"
