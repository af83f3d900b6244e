"""Devices: the one place that decides where tensors live, and says what ran where."""

from __future__ import annotations

import os
import platform
from datetime import datetime, timezone

import torch

__all__ = ["DeviceError", "pick_device", "describe", "describe_line", "format_where"]


class DeviceError(RuntimeError):
    """The requested device does not exist or is not usable here."""


def pick_device(device: str | torch.device | None = None) -> torch.device:
    """Choose the device to compute on.

    The argument wins, then the environment variable ``MNISTCNN_DEVICE``, then
    ``"auto"``: CUDA when a GPU is usable, else the CPU. Asking for CUDA where
    there is none is an error rather than a silent fall-back to the CPU.
    """
    choice = device if device is not None else os.environ.get("MNISTCNN_DEVICE", "auto")
    if isinstance(choice, torch.device):
        chosen = choice
    elif str(choice).strip().lower() == "auto":
        chosen = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    else:
        try:
            chosen = torch.device(str(choice).strip().lower())
        except RuntimeError as err:
            raise DeviceError(f"unknown device {choice!r}; use 'auto', 'cpu' or 'cuda'") from err
    if chosen.type == "cuda" and not torch.cuda.is_available():
        build = f"CUDA {torch.version.cuda}" if torch.version.cuda else "a CPU-only build"
        raise DeviceError(
            f"device {str(chosen)!r} was asked for, but no CUDA GPU is usable "
            f"(torch {torch.__version__} is {build}). Use --device cpu or 'auto'."
        )
    return chosen


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe(device: str | torch.device | None = None) -> dict:
    """Provenance of a run: when, on what, with which versions."""
    dev = pick_device(device)
    info = {
        "time": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "device": dev.type,
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cpu": _cpu_model(),
        "threads": torch.get_num_threads(),
        "python": platform.python_version(),
    }
    if dev.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(dev)
    return info


def format_where(info: dict) -> str:
    """Where a run described by :func:`describe` computed, in words: the GPU, or the CPU and its threads."""
    if info.get("device") == "cuda":
        return f"CUDA GPU {info['gpu']}"
    return f"CPU {info['cpu']} ({info['threads']} threads)"


def describe_line(device: str | torch.device | None = None) -> str:
    """:func:`describe` as one readable line."""
    info = describe(device)
    return f"{info['time']} · {format_where(info)} · torch {info['torch']} · Python {info['python']}"
