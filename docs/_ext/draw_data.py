"""The trained LeNet and some MNIST test digits, written into the site for the *Draw a digit* page.

At the end of every build, ``_static/draw/network.js`` receives the network that Q31
evaluates, ``mnistcnn.trained_lenet(3)`` on the build's device, from the same cache, as
float32 little-endian bytes, and the first :data:`PER_DIGIT` MNIST test images of each digit
as uint8 bytes with their labels and their places in the test set, both in base64: a script
rather than a file to fetch, so that the page works opened from the disk too. With the tensors
come their names and shapes and the provenance line: when and on what the network was
trained, with which torch, and the name of the network's file in the build's cache, which
``tests/site/test_draw_page.py`` compares with what the site ships.

A build that runs no code (``--no-exec``) trains nothing and keeps the file of an earlier
build; without one, it writes a file that holds no network, and the page says so.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from gallery import write_if_changed

EPOCHS = 3  # the network of Q30 and Q31
PER_DIGIT = 5  # test digits of each kind offered on the page: 50 in all, 39 KB, base64 52 KB
TARGET = Path("_static", "draw", "network.js")
ASSIGNMENT = "window.LENET_DATA = "  # what network.js opens with: the data is one JavaScript value


def offered(labels, per_digit: int = PER_DIGIT) -> list[int]:
    """The places in the test set of the first ``per_digit`` images of each digit, in test-set order."""
    chosen, seen = [], Counter()
    for i, label in enumerate(labels):
        if seen[label] < per_digit:
            seen[label] += 1
            chosen.append(i)
    return chosen


def network_data(epochs: int = EPOCHS, per_digit: int = PER_DIGIT) -> dict:
    """The trained network's tensors and provenance, and test images of each digit, as the page reads them."""
    import numpy as np

    import mnistcnn
    from mnistcnn.cache import trained_path
    from mnistcnn.data import load
    from mnistcnn.device import describe, format_where

    device = mnistcnn.pick_device()
    net = mnistcnn.trained_lenet(epochs, device=device)
    stored = trained_path(epochs, device=device)
    trained = stored.stat().st_mtime
    info = describe(device)
    state = {name: tensor.detach().cpu().float().contiguous() for name, tensor in net.state_dict().items()}
    weights = b"".join(tensor.numpy().astype("<f4").tobytes() for tensor in state.values())
    pixels, labels = load("testing")
    indices = offered(labels.tolist(), per_digit)
    digits = np.ascontiguousarray(pixels.T[indices], dtype=np.uint8)
    return {
        "provenance": {
            "epochs": epochs,
            "trained": datetime.fromtimestamp(trained, timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "where": format_where(info),
            "torch": info["torch"],
            "network": stored.name,
        },
        "tensors": [{"name": name, "shape": list(tensor.shape)} for name, tensor in state.items()],
        "weights": base64.b64encode(weights).decode("ascii"),
        "images": base64.b64encode(digits.tobytes()).decode("ascii"),
        "labels": labels[indices].tolist(),
        "indices": indices,
    }


def script(data: dict | None) -> str:
    """The JavaScript file that hands ``data`` (``None``: no network) to the page."""
    return f"{ASSIGNMENT}{json.dumps(data, separators=(',', ':'))};\n"


def read(path: Path) -> dict | None:
    """The data of a ``network.js`` written by :func:`script`, its tensors and images decoded:
    ``state`` (name to float32 array), ``images`` (N×784 uint8), ``labels``, ``indices`` (their
    places in the test set) and ``provenance``."""
    import numpy as np

    text = path.read_text(encoding="utf-8")
    if not text.startswith(ASSIGNMENT) or not text.endswith(";\n"):
        raise ValueError(f"{path} was not written by draw_data.script")
    data = json.loads(text[len(ASSIGNMENT) : -2])
    if data is None:
        return None
    flat = np.frombuffer(base64.b64decode(data["weights"]), dtype="<f4")
    state, offset = {}, 0
    for tensor in data["tensors"]:
        size = int(np.prod(tensor["shape"]))
        state[tensor["name"]] = flat[offset : offset + size].reshape(tensor["shape"])
        offset += size
    if offset != flat.size:
        raise ValueError(f"{path}: {flat.size} weights for tensors that hold {offset}")
    images = np.frombuffer(base64.b64decode(data["images"]), dtype=np.uint8).reshape(-1, 784)
    return {
        "state": state,
        "images": images,
        "labels": data["labels"],
        "indices": data["indices"],
        "provenance": data["provenance"],
    }


def write(app, exception) -> None:
    """build-finished: write the network and the digits into the built site."""
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.outdir, TARGET)
    if app.config.sphinx_gallery_conf["plot_gallery"]:
        text = script(network_data())
    elif path.is_file():
        return
    else:
        text = script(None)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_if_changed(path, text)
