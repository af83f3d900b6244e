"""Where mnistcnn keeps what it downloads and computes, and the fingerprint that names it.

Everything lives under one folder, :func:`cache_dir`:

* ``mnist/``, the four MNIST files, unless a folder of your own holds them
  (see :func:`mnistcnn.data.data_dir`);
* ``models/``, the textbook's trained networks, one file per recipe (:func:`trained_path`).

A result that the package's code computed is named by :func:`source_fingerprint`, a
hash of that code and of the torch version, so that a change to either makes a new
entry instead of reusing a stale one. The site's build names its executed pages with
the same fingerprint.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import torch

from .device import pick_device

__all__ = ["cache_dir", "models_dir", "source_fingerprint", "trained_path"]

#: The folder of the package's own sources, which :func:`source_fingerprint` hashes.
PACKAGE_DIR = Path(__file__).resolve().parent


def cache_dir() -> Path:
    """The folder where mnistcnn keeps downloads and trained networks.

    Returns
    -------
    pathlib.Path
        ``$MNISTCNN_CACHE`` when it is set, else ``$XDG_CACHE_HOME/mnistcnn``, else
        ``~/.cache/mnistcnn``. The folder is not created here.
    """
    root = os.environ.get("MNISTCNN_CACHE")
    if root:
        return Path(root).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "mnistcnn"


def models_dir() -> Path:
    """The folder of the textbook's trained networks: ``models/`` in :func:`cache_dir`."""
    return cache_dir() / "models"


def source_fingerprint(*modules: str) -> str:
    """A short hash of the torch version and of the sources of ``mnistcnn`` modules.

    It changes whenever the code that produced a result may have changed: trained
    networks and the textbook's executed pages are cached under it.

    Parameters
    ----------
    *modules
        Names of modules of the package, such as ``"model"`` and ``"train"``; none
        means every Python file of the package.

    Returns
    -------
    str
        16 hexadecimal digits.
    """
    files = [PACKAGE_DIR / f"{name}.py" for name in modules] if modules else sorted(PACKAGE_DIR.rglob("*.py"))
    digest = hashlib.sha256(torch.__version__.encode())
    for path in files:
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def trained_path(epochs: int, seed: int = 0, device: str | torch.device | None = None) -> Path:
    """Where :func:`mnistcnn.trained_lenet` keeps the network it trains for these settings.

    Parameters
    ----------
    epochs, seed
        The recipe's number of epochs and random seed.
    device
        Where the network is trained: ``"cpu"``, ``"cuda"``, a :class:`torch.device`,
        or ``None`` for the default (see :func:`mnistcnn.pick_device`).

    Returns
    -------
    pathlib.Path
        ``lenet-<epochs>epochs-seed<seed>-<cpu|cuda>-<fingerprint>.pt`` in
        :func:`models_dir`, where the fingerprint is that of the modules ``model`` and
        ``train``: a change to the network or its training trains a new one.
    """
    kind = pick_device(device).type
    return models_dir() / f"lenet-{epochs}epochs-seed{seed}-{kind}-{source_fingerprint('model', 'train')}.pt"
