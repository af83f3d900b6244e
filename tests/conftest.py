"""Shared fixtures: the real MNIST files, small real subsets of them, a CUDA device, an isolated cache.

Functions and constants that test modules share are in :mod:`tests.helpers`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from .helpers import write_idx


def pytest_configure(config):
    """Under pytest-xdist (``-n``), each worker's torch takes its share of the cores, not all of them."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        torch.set_num_threads(max(1, torch.get_num_threads() // workers))


def real_mnist_dir() -> Path | None:
    folder = os.environ.get("MNISTCNN_DATA")
    if folder and (Path(folder) / "train-images-idx3-ubyte.gz").is_file():
        return Path(folder)
    return None


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder with the four real MNIST files: MNISTCNN_DATA."""
    folder = real_mnist_dir()
    if folder is None:
        if os.environ.get("CI"):
            pytest.fail("the real MNIST files are needed: set MNISTCNN_DATA")
        pytest.skip("the real MNIST files are not here: set MNISTCNN_DATA to run this test")
    return folder


@pytest.fixture(scope="session")
def mnist_arrays(mnist_dir):
    from mnistcnn.data import read_idx

    return {
        name: read_idx(mnist_dir / f"{name}.gz")
        for name in (
            "train-images-idx3-ubyte",
            "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte",
        )
    }


@pytest.fixture(scope="session")
def small_mnist(tmp_path_factory, mnist_arrays) -> Path:
    """A real subset of MNIST in the standard file layout: the first 2,000 training and 500 test images."""
    folder = tmp_path_factory.mktemp("small-mnist")
    for name, count in (("train", 2000), ("t10k", 500)):
        write_idx(folder / f"{name}-images-idx3-ubyte.gz", mnist_arrays[f"{name}-images-idx3-ubyte"][:count])
        write_idx(folder / f"{name}-labels-idx1-ubyte.gz", mnist_arrays[f"{name}-labels-idx1-ubyte"][:count])
    return folder


@pytest.fixture(scope="session")
def small_tensors(small_mnist):
    from mnistcnn import load_tensors

    return load_tensors("training", small_mnist), load_tensors("testing", small_mnist)


@pytest.fixture
def cuda_device() -> torch.device:
    """The GPU, for the tests that must run there: skipped without one, failed under ``nox -s tests-cuda``."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if os.environ.get("MNISTCNN_REQUIRE_CUDA") == "1":
        pytest.fail(f"CUDA is required here, but torch {torch.__version__} sees no usable GPU")
    pytest.skip("no CUDA GPU here")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """Every test gets its own cache folder, and no test reaches the network."""
    monkeypatch.setenv("MNISTCNN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MNISTCNN_MIRRORS", "http://127.0.0.1:9/")
