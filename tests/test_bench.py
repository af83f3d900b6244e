"""The benchmark's arithmetic: LeNet's FLOPs per image."""

from mnistcnn.bench import lenet_flops_per_image


def test_lenet_costs_563280_flops_forward_and_1517040_to_train_per_image():
    assert lenet_flops_per_image() == (563_280, 1_517_040)


def test_calls_take_turns_after_an_untimed_warm_up_round():
    import torch

    from mnistcnn.bench import _in_turns

    calls = []
    times = _in_turns(
        torch.device("cpu"), {"a": lambda r: calls.append(("a", r)), "b": lambda r: calls.append(("b", r))}, 2
    )
    assert calls == [("a", 0), ("b", 0), ("a", 1), ("b", 1), ("a", 2), ("b", 2)]
    assert {name: len(seconds) for name, seconds in times.items()} == {"a": 2, "b": 2}
