"""MNIST in: find, download, verify and read the four standard IDX files.

This module plays the part of "Assignment 1's MNISTtools": :func:`load` returns
images as a 784×N ``uint8`` array and labels as a vector, :func:`normalize` maps
pixels to [-1, 1] and :func:`show` draws one digit. :func:`load_tensors` does all of
that and the reshaping in one call, for pages that are not about data preparation.

Where the files are looked for, first match wins:

1. the ``path`` argument;
2. the environment variable ``MNISTCNN_DATA``;
3. ``mnist/`` in the cache folder, :func:`mnistcnn.cache.cache_dir`
   (``MNISTCNN_CACHE``, by default ``~/.cache/mnistcnn``).

Each file counts in its gzip form, as distributed, or decompressed. Missing files are
downloaded from the public mirrors in :data:`MIRRORS`, tried in turn, and kept only if
their MD5 matches the official one; :func:`check_mirrors` proves that every mirror
still serves them.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import torch

from .cache import cache_dir

__all__ = [
    "FILES",
    "MIRRORS",
    "MNISTError",
    "check_mirrors",
    "data_dir",
    "fetch",
    "read_idx",
    "load",
    "normalize",
    "load_tensors",
    "show",
]

#: The four standard files and the MD5 of each, as published with the dataset.
FILES = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}

#: MD5 of each file after decompression, for folders that hold the raw IDX files.
RAW_FILES = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}

#: Public mirrors of the original files, tried in this order. (yann.lecun.com no longer
#: serves them.)
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

_SPLITS = {
    "training": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "testing": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

# IDX magic numbers: two zero bytes, the type code 0x08 (unsigned byte), the rank.
_MAGIC_IMAGES = 0x00000803
_MAGIC_LABELS = 0x00000801


class MNISTError(RuntimeError):
    """The MNIST files are missing, unreadable or not what they claim to be."""


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """The folder that holds (or will hold) the four MNIST files."""
    if path is not None:
        return Path(path).expanduser()
    env = os.environ.get("MNISTCNN_DATA")
    if env:
        return Path(env).expanduser()
    return cache_dir() / "mnist"


def _idx_file(folder: Path, stem: str) -> tuple[Path, str]:
    """The file that holds the IDX data ``stem`` in ``folder``, and its official MD5.

    The gzip file as distributed if it is there, else the decompressed file if that is
    there, else the gzip file's path, where a download puts it.
    """
    raw = folder / stem
    if raw.is_file() and not (folder / f"{stem}.gz").is_file():
        return raw, RAW_FILES[stem]
    return folder / f"{stem}.gz", FILES[f"{stem}.gz"]


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _download(url: str, target: Path, md5: str, timeout: float) -> None:
    """Download ``url`` to ``target`` through a temporary file; keep it only if it checks out."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            expected = response.headers.get("Content-Length")
            for chunk in iter(lambda: response.read(1 << 16), b""):
                out.write(chunk)
        if expected is not None and tmp.stat().st_size != int(expected):
            raise MNISTError(f"{url}: download stopped after {tmp.stat().st_size} of {expected} bytes")
        actual = _md5(tmp)
        if actual != md5:
            raise MNISTError(f"{url}: MD5 is {actual}, expected {md5}")
        os.replace(tmp, target)  # atomic: the name appears only once the content is right
    finally:
        tmp.unlink(missing_ok=True)


def _mirrors(mirrors: tuple[str, ...] | list[str] | None) -> tuple[str, ...] | list[str]:
    """The mirrors given, else those of ``MNISTCNN_MIRRORS`` (comma-separated), else :data:`MIRRORS`."""
    if mirrors is not None:
        return mirrors
    env = os.environ.get("MNISTCNN_MIRRORS")
    return [m.strip() for m in env.split(",") if m.strip()] if env else MIRRORS


def _url(mirror: str, name: str) -> str:
    return mirror.rstrip("/") + "/" + name


def fetch(
    path: str | os.PathLike | None = None,
    *,
    mirrors: tuple[str, ...] | list[str] | None = None,
    timeout: float = 30.0,
    verify: bool = True,
) -> Path:
    """Make sure the four MNIST files are in the data folder, downloading what is missing.

    A file counts as present in its gzip form (as distributed) or decompressed.

    Parameters
    ----------
    path
        The data folder; see the module documentation for the default.
    mirrors
        Base URLs to try in turn for each missing file. Default: the
        comma-separated list in ``MNISTCNN_MIRRORS``, else :data:`MIRRORS`.
    timeout
        Seconds to wait for a mirror before trying the next one.
    verify
        Also check the MD5 of files that are already there.

    Returns
    -------
    pathlib.Path
        The data folder.

    Raises
    ------
    MNISTError
        A file is missing and no mirror could provide it, or a present file fails
        its MD5 check.
    """
    folder = data_dir(path)
    mirrors = _mirrors(mirrors)
    for name in FILES:
        target, md5 = _idx_file(folder, name.removesuffix(".gz"))
        if target.is_file():
            if verify and _md5(target) != md5:
                raise MNISTError(
                    f"{target} is not the official MNIST file (MD5 mismatch). "
                    "Delete it and run `python -m mnistcnn fetch` to download it again."
                )
            continue
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise MNISTError(f"cannot create the data folder {folder}: {err}") from err
        failures = []
        for mirror in mirrors:
            url = _url(mirror, name)
            print(f"Downloading {url}", file=sys.stderr)
            try:
                _download(url, target, md5, timeout)
                break
            except (OSError, http.client.HTTPException, MNISTError) as err:
                failures.append(f"  {url}: {err}")
        else:
            raise MNISTError(
                f"could not download {name} into {folder}:\n"
                + "\n".join(failures)
                + "\nCopy the four MNIST files ("
                + ", ".join(FILES)
                + ") into that folder, or point MNISTCNN_DATA at a folder that has them."
            )
    return folder


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file of unsigned bytes, gzip-compressed if its name ends in ``.gz``.

    Returns an array of shape ``(count,)`` for labels or ``(count, rows, cols)``
    for images. The header is checked against the file's size, so a wrong magic
    number or a truncated file raises :class:`MNISTError` naming the file.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise MNISTError(f"{path}: cannot read it ({err}). Delete it and fetch the data again.") from err
    if len(data) < 4:
        raise MNISTError(f"{path}: too short to be an IDX file ({len(data)} bytes)")
    magic = int.from_bytes(data[:4], "big")
    if magic not in (_MAGIC_IMAGES, _MAGIC_LABELS):
        raise MNISTError(
            f"{path}: wrong magic number 0x{magic:08x} (expected 0x{_MAGIC_IMAGES:08x} for "
            f"images or 0x{_MAGIC_LABELS:08x} for labels); this is not an MNIST IDX file"
        )
    rank = magic & 0xFF
    header = 4 + 4 * rank
    if len(data) < header:
        raise MNISTError(f"{path}: truncated header")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank))
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        raise MNISTError(
            f"{path}: size is {len(data)} bytes but its header {shape} needs {expected}; "
            "the file is truncated or corrupt. Delete it and fetch the data again."
        )
    # A bytearray makes the array writeable, like any array a user creates (torch.from_numpy
    # warns about read-only ones).
    return np.frombuffer(bytearray(data), dtype=np.uint8, offset=header).reshape(shape)


def check_mirrors(mirrors: tuple[str, ...] | list[str] | None = None, *, timeout: float = 30.0) -> list[str]:
    """Download the four files from every mirror and check their MD5; keep nothing.

    Parameters
    ----------
    mirrors
        Base URLs to check; default as for :func:`fetch`.
    timeout
        Seconds to wait for a mirror.

    Returns
    -------
    list of str
        One line per file that a mirror failed to serve intact (URL and reason);
        empty when every mirror serves every file with its official MD5.
    """
    failures = []
    with tempfile.TemporaryDirectory(prefix="mnistcnn-mirrors-") as tmp:
        for mirror in _mirrors(mirrors):
            for name, md5 in FILES.items():
                url = _url(mirror, name)
                print(f"Checking {url}", file=sys.stderr)
                try:
                    _download(url, Path(tmp) / name, md5, timeout)
                except (OSError, http.client.HTTPException, MNISTError) as err:
                    failures.append(f"{url}: {err}")
    return failures


def _read_split(dataset: str, path: str | os.PathLike | None) -> tuple[np.ndarray, np.ndarray]:
    """One split as read from its files: images N×28×28 and labels N, both ``uint8``."""
    try:
        stems = _SPLITS[dataset]
    except KeyError:
        raise ValueError(f"dataset must be 'training' or 'testing', not {dataset!r}") from None
    folder = data_dir(path)
    if not all(_idx_file(folder, stem)[0].is_file() for stem in stems):
        fetch(folder, verify=False)
    images_file, labels_file = (_idx_file(folder, stem)[0] for stem in stems)
    images = read_idx(images_file)
    labels = read_idx(labels_file)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise MNISTError(f"{images_file}: expected images of 28×28, found shape {images.shape}")
    if labels.ndim != 1:
        raise MNISTError(f"{labels_file}: expected a vector of labels, found shape {labels.shape}")
    if len(images) != len(labels):
        raise MNISTError(
            f"{images_file} holds {len(images)} images but {labels_file} holds {len(labels)} "
            "labels; the two files do not belong together."
        )
    return images, labels


def load(dataset: str = "training", path: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Load one split of MNIST the way Assignment 1 did.

    Parameters
    ----------
    dataset
        ``"training"`` (60,000 images) or ``"testing"`` (10,000 images).
    path
        The data folder; missing files are downloaded into it.

    Returns
    -------
    images : numpy.ndarray
        ``uint8`` array of shape 784×N: one column per image, pixels row by row.
    labels : numpy.ndarray
        ``uint8`` vector of N digits.
    """
    images, labels = _read_split(dataset, path)
    return images.reshape(len(images), 784).T, labels


def normalize(images: np.ndarray) -> np.ndarray:
    """Map ``uint8`` pixels from [0, 255] to ``float32`` values in [-1, 1]."""
    return images.astype(np.float32) * np.float32(2 / 255) - np.float32(1)


def load_tensors(
    dataset: str = "training",
    path: str | os.PathLike | None = None,
    device: torch.device | str | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One split of MNIST, ready for a CNN.

    Returns
    -------
    images : torch.Tensor
        ``float32``, shape N×1×28×28, values in [-1, 1].
    labels : torch.Tensor
        ``int64`` class indices, the dtype :class:`torch.nn.CrossEntropyLoss` wants.
    """
    images, labels = _read_split(dataset, path)
    x = torch.from_numpy(normalize(images)).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))
    if device is not None:
        x, y = x.to(device), y.to(device)
    return x, y


def show(image, ax=None, title: str | None = None):
    """Draw one digit in grey levels and return the matplotlib axes.

    ``image`` may be a NumPy array or a tensor of 784 values, 28×28 or 1×28×28,
    in [0, 255] or in [-1, 1].
    """
    import matplotlib.pyplot as plt

    if isinstance(image, torch.Tensor):
        image = image.detach().cpu().numpy()
    image = np.asarray(image)
    if image.size != 784:
        raise ValueError(f"show() draws one 28×28 digit; got an array of shape {image.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(2.5, 2.5))
    ax.imshow(image.reshape(28, 28), cmap="gray")
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return ax
