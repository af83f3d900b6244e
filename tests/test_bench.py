"""The benchmark's pieces: LeNet's FLOPs per image, calls taking turns, the CPU step profile."""

import pytest
import torch

from mnistcnn.bench import _in_turns, cpu_step_profile, lenet_flops_per_image


def test_lenet_costs_563280_flops_forward_and_1517040_to_train_per_image():
    assert lenet_flops_per_image() == (563_280, 1_517_040)


def test_calls_take_turns_after_an_untimed_warm_up_round():
    calls = []
    times = _in_turns(
        torch.device("cpu"), {"a": lambda r: calls.append(("a", r)), "b": lambda r: calls.append(("b", r))}, 2
    )
    assert calls == [("a", 0), ("b", 0), ("a", 1), ("b", 1), ("a", 2), ("b", 2)]
    assert {name: len(seconds) for name, seconds in times.items()} == {"a": 2, "b": 2}


def test_the_cpu_profile_accounts_for_every_kind_of_work_in_a_training_step(small_tensors):
    (x, labels), _ = small_tensors
    profile = cpu_step_profile(x, labels, steps=10)
    assert profile["minibatch"] > 0
    operators = profile["operators"]
    assert set(operators) == {
        "convolutions",
        "max-pooling",
        "ReLU",
        "fully connected",
        "loss",
        "SGD update",
        "other operators",
    }
    # Every kind LeNet's step uses is found among the profiled operators.
    assert all(seconds > 0 for seconds in operators.values())
    # Convolutions do most of LeNet's arithmetic: more than the loss on 10 scores per image.
    assert operators["convolutions"] > operators["loss"]


def test_the_cpu_profile_refuses_too_few_images(small_tensors):
    (x, labels), _ = small_tensors
    with pytest.raises(ValueError, match="need 5000 images"):
        cpu_step_profile(x, labels, steps=50)
