"""The *Draw a digit* page ships the network that Q31 evaluates, real test digits, and little else."""

from __future__ import annotations

import draw_data
import numpy as np
import torch

import mnistcnn

BUDGET = 400 * 1024  # what the page may add to the site, in bytes


def _shipped(html_dir):
    data = draw_data.read(html_dir / draw_data.TARGET)
    assert data is not None, "the site holds no network: was it built with --no-exec?"
    return data


def test_the_page_ships_the_weights_of_the_network_q31_evaluates_bit_for_bit(html_dir):
    # The docs session points MNISTCNN_CACHE at the build's cache, where Q30 stored the network.
    net = mnistcnn.trained_lenet(draw_data.EPOCHS)
    shipped = _shipped(html_dir)["state"]
    assert list(shipped) == list(net.state_dict())
    for name, tensor in net.state_dict().items():
        assert torch.equal(torch.from_numpy(shipped[name].copy()), tensor.cpu()), name


def test_the_page_ships_the_first_test_images_and_their_labels(html_dir):
    data = _shipped(html_dir)
    pixels, labels = mnistcnn.load("testing")
    n = len(data["labels"])
    assert n == draw_data.IMAGES
    assert np.array_equal(data["images"], pixels.T[:n])
    assert data["labels"] == labels[:n].tolist()


def test_the_page_says_when_and_where_its_network_was_trained(html_dir):
    provenance = _shipped(html_dir)["provenance"]
    assert provenance["epochs"] == 3
    assert provenance["torch"] == torch.__version__
    assert provenance["trained"].endswith(" UTC") and provenance["where"]


def test_the_page_adds_at_most_400_kb_to_the_site(html_dir):
    files = [html_dir / "draw.html", *sorted((html_dir / "_static" / "draw").iterdir())]
    sizes = {path.name: path.stat().st_size for path in files}
    assert sum(sizes.values()) <= BUDGET, sizes
