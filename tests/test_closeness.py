"""The GPU tests' assertions: a failure says, in its first line, where two runs differ most and by how much."""

import math

import pytest
import torch
import torch.nn as nn

from .closeness import assert_losses_close, assert_parameters_close


def test_losses_within_the_tolerance_pass():
    assert_losses_close([2.3, 1.0, 0.5], [2.3001, 1.0, 0.50001], steps_per_epoch=2, rtol=1e-4, atol=1e-5, what="run")


def test_a_loss_apart_is_named_by_epoch_and_minibatch_with_both_values_and_the_tolerance():
    expected = [2.3, 2.0, 1.5, 1.2, 1.0, 0.9]
    actual = [2.3, 2.0, 1.501, 1.4, 1.0, 0.9]
    with pytest.raises(AssertionError) as failure:
        assert_losses_close(actual, expected, steps_per_epoch=3, rtol=1e-4, atol=1e-5, what="transposed network")
    message = str(failure.value)
    assert "\n" not in message
    assert message.startswith("transposed network: losses differ most at epoch 2, minibatch 1 (step 4 of 6): ")
    assert "1.4 against 1.2" in message
    assert "rtol=0.0001, atol=1e-05" in message
    assert "2 of 6 losses outside, the first at epoch 1, minibatch 3 (step 3 of 6)" in message


def test_a_nan_loss_is_a_difference():
    with pytest.raises(AssertionError, match=r"differ most at epoch 1, minibatch 2 \(step 2 of 2\): nan against 1"):
        assert_losses_close([2.0, math.nan], [2.0, 1.0], steps_per_epoch=2, rtol=1e-3, atol=1e-4, what="run")


def test_a_weight_apart_is_named_by_parameter_and_index():
    torch.manual_seed(0)
    expected = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    actual = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    actual.load_state_dict(expected.state_dict())
    assert_parameters_close(actual, expected, rtol=1e-3, atol=1e-5, what="same")
    with torch.no_grad():
        actual[1].weight[1, 2] += 0.5
        actual[0].bias[0] += 1e-3
    with pytest.raises(AssertionError) as failure:
        assert_parameters_close(actual, expected, rtol=1e-3, atol=1e-5, what="graphed")
    message = str(failure.value)
    assert message.startswith("graphed: weights differ most at 1.weight[1, 2]: ")
    assert "rtol=0.001, atol=1e-05" in message
    assert message.endswith("2 of 26 weights outside (0.bias 1, 1.weight 1)")
