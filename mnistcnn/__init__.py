"""mnistcnn: MNIST, LeNet and its training, as used by the executable textbook.

The modules follow the data: :mod:`~mnistcnn.data` (MNIST in), :mod:`~mnistcnn.model`
(LeNet), :mod:`~mnistcnn.train` (training, evaluation and the textbook's trained networks),
:mod:`~mnistcnn.checkpoint` (networks on disk), :mod:`~mnistcnn.cache` (where downloads and
trained networks are kept, and the fingerprint that names them), :mod:`~mnistcnn.device`
(where it runs), :mod:`~mnistcnn.cli` (``python -m mnistcnn``) and :mod:`~mnistcnn.bench`
(how fast). The subpackage :mod:`~mnistcnn.grader` grades students' exercises:
``python -m mnistcnn check``.
"""

import importlib

# Each public name and the module that defines it (under another name for load_net, save_net).
# They are imported when first used, so that `mnistcnn --help` and `--version` answer without
# importing torch (`tests/test_cli.py`).
_PUBLIC = {
    "load_net": ("checkpoint", "load"),
    "save_net": ("checkpoint", "save"),
    **{name: ("data", name) for name in ("MNISTError", "data_dir", "fetch", "load", "load_tensors", "normalize")},
    **{name: ("data", name) for name in ("read_idx", "show")},
    **{name: ("device", name) for name in ("DeviceError", "describe", "describe_line", "pick_device")},
    "LeNet": ("model", "LeNet"),
    **{name: ("train", name) for name in ("accuracy", "backprop_deep", "predict", "save_trained")},
    **{name: ("train", name) for name in ("textbook_backprop_deep", "trained_lenet")},
}

__version__ = "1.0.0"

__all__ = [
    "DeviceError",
    "LeNet",
    "MNISTError",
    "accuracy",
    "backprop_deep",
    "data_dir",
    "describe",
    "describe_line",
    "fetch",
    "load",
    "load_net",
    "load_tensors",
    "normalize",
    "pick_device",
    "predict",
    "read_idx",
    "save_net",
    "save_trained",
    "show",
    "textbook_backprop_deep",
    "trained_lenet",
]


def __getattr__(name: str):
    """A public name, imported from its module the first time it is asked for."""
    if name not in _PUBLIC:
        raise AttributeError(f"module 'mnistcnn' has no attribute {name!r}")
    module, attribute = _PUBLIC[name]
    value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
