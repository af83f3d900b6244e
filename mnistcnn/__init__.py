"""mnistcnn: MNIST, LeNet and its training, as used by the executable textbook.

The modules follow the data: :mod:`~mnistcnn.data` (MNIST in), :mod:`~mnistcnn.model`
(LeNet), :mod:`~mnistcnn.train` (training, evaluation and the textbook's trained networks),
:mod:`~mnistcnn.checkpoint` (networks on disk), :mod:`~mnistcnn.cache` (where downloads and
trained networks are kept, and the fingerprint that names them), :mod:`~mnistcnn.device`
(where it runs), :mod:`~mnistcnn.cli` (``python -m mnistcnn``) and :mod:`~mnistcnn.bench`
(how fast). The subpackage :mod:`~mnistcnn.grader` grades students' exercises:
``python -m mnistcnn check``.
"""

from .checkpoint import load as load_net
from .checkpoint import save as save_net
from .data import MNISTError, data_dir, fetch, load, load_tensors, normalize, read_idx, show
from .device import DeviceError, describe, describe_line, pick_device
from .model import LeNet
from .train import accuracy, backprop_deep, predict, save_trained, textbook_backprop_deep, trained_lenet

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
