"""The benchmark's pieces: LeNet's FLOPs per image, calls taking turns, the CPU step profile."""

import itertools

import pytest
import torch
from torch.utils import benchmark

from mnistcnn.bench import _first_run, _timer, cpu_step_profile, in_turns, lenet_flops_per_image


def test_the_flop_counter_finds_the_flops_of_lenets_layers_worked_out_by_hand():
    # A multiply-add is 2 FLOPs. Forward: conv1 2·(6·24·24)·(1·5·5), conv2 2·(16·8·8)·(6·5·5),
    # the fully connected layers 2·(256·120 + 120·84 + 84·10). Backward: twice the forward
    # (gradients of the weights and of the inputs), less conv1's input gradient, not needed.
    conv1 = 2 * (6 * 24 * 24) * (1 * 5 * 5)
    forward = conv1 + 2 * (16 * 8 * 8) * (6 * 5 * 5) + 2 * (256 * 120 + 120 * 84 + 84 * 10)
    assert lenet_flops_per_image() == (forward, 3 * forward - conv1)


def test_timers_take_turns_and_each_gets_one_time_per_round():
    calls = []
    cpu = torch.device("cpu")
    timers = [_timer(lambda name=name: calls.append(name), name, "turns", cpu) for name in ("a", "b")]
    measurements = in_turns(timers, rounds=3)
    assert [name for name, _ in itertools.groupby(calls)] == ["a", "b"] * 3
    assert {m.task_spec.sub_label: len(m.times) for m in measurements} == {"a": 3, "b": 3}


def test_a_first_run_is_timed_once_without_warm_up_and_fits_in_the_tables(capsys):
    calls = []
    measurement = _first_run(lambda: calls.append(print("hidden")), "q32", "Q32, ten epochs", torch.device("cpu"))
    assert len(calls) == 1 and "hidden" not in capsys.readouterr().out
    assert (measurement.task_spec.label, measurement.task_spec.sub_label) == ("Q32, ten epochs", "q32")
    assert len(measurement.times) == 1 and measurement.times[0] > 0
    assert "Q32, ten epochs" in str(benchmark.Compare([measurement]))


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
