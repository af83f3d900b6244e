"""LeNet: the network of the assignment, with clear errors for wrong input."""

from __future__ import annotations

import re

import pytest
import torch

from mnistcnn import LeNet


def test_lenet_maps_a_batch_of_digits_to_ten_scores_each():
    assert LeNet()(torch.zeros(7, 1, 28, 28)).shape == (7, 10)


def test_lenet_has_the_44426_parameters_of_the_assignment():
    net = LeNet()
    shapes = {name: tuple(p.shape) for name, p in net.named_parameters()}
    assert shapes == {
        "conv1.weight": (6, 1, 5, 5),
        "conv1.bias": (6,),
        "conv2.weight": (16, 6, 5, 5),
        "conv2.bias": (16,),
        "fc1.weight": (120, 256),
        "fc1.bias": (120,),
        "fc2.weight": (84, 120),
        "fc2.bias": (84,),
        "fc3.weight": (10, 84),
        "fc3.bias": (10,),
    }
    assert sum(p.numel() for p in net.parameters()) == 44426


@pytest.mark.parametrize("shape", [(28, 28), (1, 28, 28), (4, 28, 28, 1), (4, 3, 28, 28), (4, 1, 32, 32)])
def test_a_wrong_input_shape_gets_an_error_that_says_what_is_expected(shape):
    with pytest.raises(ValueError, match=r"N×1×28×28.*got " + re.escape(str(shape))):
        LeNet()(torch.zeros(shape))
