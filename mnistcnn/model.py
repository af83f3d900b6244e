"""The model: LeNet for 28×28 MNIST digits, exactly the network of the assignment."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["LeNet"]


class LeNet(nn.Module):
    """LeNet-5 as the assignment builds it.

    conv 1→6 (5×5), ReLU, 2×2 max-pool; conv 6→16 (5×5), ReLU, 2×2 max-pool;
    fully connected 256→120→84→10 with ReLU between. For a 28×28 input the
    feature maps are 6×24×24 → 6×12×12 → 16×8×8 → 16×4×4, so the first fully
    connected layer has 16·4·4 = 256 inputs. 44,426 parameters in all.

    The input must be a float tensor of shape N×1×28×28; the output holds one
    score (logit) per digit, shape N×10.
    """

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The ten class scores (logits, before softmax) of each image of an N×1×28×28 batch: N×10."""
        if x.dim() != 4 or tuple(x.shape[1:]) != (1, 28, 28):
            raise ValueError(
                f"LeNet expects a batch of shape N×1×28×28 (N images, 1 channel, 28×28 pixels); "
                f"got {tuple(x.shape)}. Reshape a single image with x.view(1, 1, 28, 28)."
            )
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)
