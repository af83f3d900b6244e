"""Trained networks on disk: save a network's weights, load a LeNet back.

The cache of the textbook's trained LeNets, which pages share, is built on these two
(:func:`mnistcnn.train.trained_lenet`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch

from .device import pick_device
from .model import LeNet

__all__ = ["save", "load"]


def save(net: torch.nn.Module, path: str | os.PathLike) -> Path:
    """Write ``net``'s weights to ``path`` atomically (a crash never leaves half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        state = {k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()}
        torch.save(state, tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def load(path: str | os.PathLike, device: str | torch.device | None = None) -> LeNet:
    """Read a :class:`LeNet` saved by :func:`save` onto ``device`` (see :func:`~mnistcnn.pick_device`).

    Only tensors are unpickled.
    """
    dev = pick_device(device)
    path = Path(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{path}: no such trained network; train one with `python -m mnistcnn train --save {path}`"
        ) from None
    except Exception as err:  # torch raises several types for a damaged file
        raise ValueError(f"{path}: not a readable network file ({err})") from err
    net = LeNet()
    try:
        net.load_state_dict(state)
    except (RuntimeError, TypeError, AttributeError) as err:
        raise ValueError(f"{path}: does not hold LeNet weights ({err})") from err
    return net.to(dev)
