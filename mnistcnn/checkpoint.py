"""Trained networks on disk: save, load, and a cache of the textbook's trained LeNets.

Pages that need a network trained by an earlier page (Q31 needs Q30's, Q33 needs
Q32's) call :func:`trained_lenet`, which returns the cached network or trains it,
deterministically, when it is missing. So every page also runs on its own.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch

from .data import cache_dir, load_tensors
from .device import pick_device, source_fingerprint
from .model import LeNet
from .train import backprop_deep

__all__ = ["save", "load", "trained_lenet", "save_trained", "trained_path"]


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


def load(path: str | os.PathLike, device: str | torch.device | None = "cpu") -> LeNet:
    """Read a :class:`LeNet` saved by :func:`save`; only tensors are unpickled."""
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
    return net.to(pick_device(device))


def trained_path(epochs: int, seed: int = 0, device: str | torch.device | None = None) -> Path:
    """Where :func:`trained_lenet` keeps the network for these settings."""
    dev = pick_device(device)
    code = source_fingerprint("model", "train")
    return cache_dir() / "models" / f"lenet-{epochs}epochs-seed{seed}-{dev.type}-{code}.pt"


def save_trained(net: torch.nn.Module, epochs: int, seed: int = 0) -> Path:
    """Put a network trained as :func:`trained_lenet` would train it into the cache."""
    return save(net, trained_path(epochs, seed, next(net.parameters()).device))


def trained_lenet(
    epochs: int,
    seed: int = 0,
    device: str | torch.device | None = None,
    data: str | os.PathLike | None = None,
) -> LeNet:
    """A LeNet trained for ``epochs`` epochs with the assignment's hyperparameters.

    The network is initialised after ``torch.manual_seed(seed)`` and trained with
    :func:`~mnistcnn.backprop_deep` (B=100, gamma=0.001, rho=0.9, shuffling seeded
    with ``seed``) on the full training set. The result is cached (see
    :func:`trained_path`); a missing entry is trained and stored first.

    On the CPU the same arguments give the same weights bit for bit. On CUDA they
    agree to float tolerance only: cuDNN's fastest convolution kernels add their
    partial sums in an order that can change from run to run.
    """
    dev = pick_device(device)
    path = trained_path(epochs, seed, dev)
    if path.is_file():
        return load(path, dev)
    print(f"No cached network at {path.name}; training one for {epochs} epochs on {dev.type}.")
    xtrain, ltrain = load_tensors("training", data, device=dev)
    torch.manual_seed(seed)
    net = LeNet().to(dev)
    backprop_deep(xtrain, ltrain, net, epochs, seed=seed)
    save(net, path)
    return net
