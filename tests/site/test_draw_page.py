"""The *Draw a digit* page ships the network that Q31 evaluates, real test digits, and little else."""

from __future__ import annotations

import os
from pathlib import Path

import draw_data
import numpy as np
import pytest
import torch

import mnistcnn
from mnistcnn import checkpoint

from ..helpers import BUILD

BUDGET = 400 * 1024  # what the page may add to the site, in bytes
# The build's cache, where it stored the network it wrote into the site: the docs session's
# MNISTCNN_CACHE, read when this module is collected (tests/conftest.py then gives each test an
# empty cache of its own), or where `nox -s docs` puts it.
BUILD_CACHE = Path(os.environ.get("MNISTCNN_CACHE") or BUILD / "cache")


def _shipped(html_dir):
    data = draw_data.read(html_dir / draw_data.TARGET)
    assert data is not None, "the site holds no network: was it built with --no-exec?"
    return data


def _stored_network(data, cache: Path = BUILD_CACHE) -> Path:
    """The network file the build stored in its cache and named in the site; never a network
    trained here, which on CUDA would differ in its rounding."""
    stored = cache / "models" / data["provenance"]["network"]
    assert stored.is_file(), (
        f"the network the site was built with, {stored.name}, is not in the build's cache {stored.parent}: "
        "run these checks with the MNISTCNN_CACHE of the build that wrote the site (nox -s docs sets it)"
    )
    return stored


def test_the_page_ships_the_weights_of_the_network_q31_evaluates_bit_for_bit(html_dir):
    data = _shipped(html_dir)
    stored = _stored_network(data)
    device = os.environ.get("MNISTCNN_EXPECT_DEVICE", "")
    assert stored.name.startswith(f"lenet-{draw_data.EPOCHS}epochs-seed0-{device}")
    net = checkpoint.load(stored, "cpu")
    shipped = data["state"]
    assert list(shipped) == list(net.state_dict())
    for name, tensor in net.state_dict().items():
        assert torch.equal(torch.from_numpy(shipped[name].copy()), tensor), name


def test_a_network_missing_from_the_builds_cache_fails_the_check_with_its_name(html_dir, tmp_path):
    data = _shipped(html_dir)
    with pytest.raises(AssertionError, match=f"{data['provenance']['network']}, is not in the build's cache"):
        _stored_network(data, tmp_path)
    assert not (tmp_path / "models").exists()  # nothing was trained to take its place


def test_the_page_ships_five_test_images_of_each_digit_and_their_labels(html_dir):
    data = _shipped(html_dir)
    pixels, labels = mnistcnn.load("testing")
    indices = data["indices"]
    assert indices == draw_data.offered(labels.tolist())
    assert np.array_equal(data["images"], pixels.T[indices])
    assert data["labels"] == labels[indices].tolist()
    assert np.bincount(data["labels"], minlength=10).min() >= draw_data.PER_DIGIT == 5
    assert len(indices) == 50  # as the page says


def test_the_page_says_when_and_where_its_network_was_trained(html_dir):
    provenance = _shipped(html_dir)["provenance"]
    assert provenance["epochs"] == 3
    assert provenance["torch"] == torch.__version__
    assert provenance["trained"].endswith(" UTC") and provenance["where"]


def test_the_page_adds_at_most_400_kb_to_the_site(html_dir):
    files = [html_dir / "draw.html", *sorted((html_dir / "_static" / "draw").iterdir())]
    sizes = {path.name: path.stat().st_size for path in files}
    assert sum(sizes.values()) <= BUDGET, sizes
