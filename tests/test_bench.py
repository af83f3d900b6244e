"""The benchmark's arithmetic: LeNet's FLOPs per image."""

from mnistcnn.bench import lenet_flops_per_image


def test_lenet_costs_563280_flops_forward_and_1517040_to_train_per_image():
    assert lenet_flops_per_image() == (563_280, 1_517_040)
