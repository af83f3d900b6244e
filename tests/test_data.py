"""The IDX reader and loaders, on the real MNIST files and on broken copies of them."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil

import numpy as np
import pytest
import torch

from mnistcnn import MNISTError, load, load_tensors, normalize, read_idx, show
from mnistcnn.data import FILES, RAW_FILES, data_dir

from .helpers import write_idx

STANDARD_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def test_real_training_files_have_the_standard_shapes_and_dtypes(mnist_arrays):
    images, labels = mnist_arrays["train-images-idx3-ubyte"], mnist_arrays["train-labels-idx1-ubyte"]
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (60000,) and labels.dtype == np.uint8
    assert mnist_arrays["t10k-images-idx3-ubyte"].shape == (10000, 28, 28)
    assert mnist_arrays["t10k-labels-idx1-ubyte"].shape == (10000,)


def test_training_image_42_is_a_seven_and_class_counts_are_the_standard_ones(mnist_arrays):
    labels = mnist_arrays["train-labels-idx1-ubyte"]
    assert labels[42] == 7
    assert np.bincount(labels).tolist() == STANDARD_TRAIN_COUNTS
    # Published pixel sums of three training images pin the image order to the label order.
    images = mnist_arrays["train-images-idx3-ubyte"].astype(np.int64)
    assert [images[0].sum(), images[1].sum(), images[59999].sum()] == [27525, 31095, 20920]


def test_load_returns_one_column_per_image_like_assignment_one(mnist_dir, mnist_arrays):
    images, labels = load("testing", mnist_dir)
    assert images.shape == (784, 10000) and images.dtype == np.uint8
    assert np.array_equal(images[:, 3], mnist_arrays["t10k-images-idx3-ubyte"][3].ravel())
    assert np.array_equal(labels, mnist_arrays["t10k-labels-idx1-ubyte"])


def test_uncompressed_idx_files_are_read_too(tmp_path, mnist_arrays):
    raw = write_idx(tmp_path / "t10k-labels-idx1-ubyte", mnist_arrays["t10k-labels-idx1-ubyte"], compress=False)
    assert np.array_equal(read_idx(raw), mnist_arrays["t10k-labels-idx1-ubyte"])


def test_normalize_maps_0_to_minus_1_and_255_to_1():
    pixels = np.array([0, 51, 255], dtype=np.uint8)
    out = normalize(pixels)
    assert out.dtype == np.float32
    assert out.tolist() == pytest.approx([-1.0, -0.6, 1.0], abs=1e-6)


def test_load_tensors_gives_normalised_nchw_float32_and_int64_labels(mnist_dir, mnist_arrays):
    x, labels = load_tensors("testing", mnist_dir)
    assert x.shape == (10000, 1, 28, 28) and x.dtype == torch.float32
    assert labels.dtype == torch.int64
    assert x.min().item() == -1.0 and x.max().item() == 1.0
    expected = normalize(mnist_arrays["t10k-images-idx3-ubyte"][7])
    assert np.array_equal(x[7, 0].numpy(), expected)


def test_moveaxis_reshaping_of_the_assignment_agrees_with_load_tensors(small_mnist):
    images, _ = load("training", small_mnist)
    # Each column holds one image row by row, so (28, 28, 1, N) indexes [row, col, channel, image];
    # moving the image axis first and the channel axis second gives N×1×28×28.
    by_hand = np.moveaxis(normalize(images).reshape(28, 28, 1, -1), (3, 2), (0, 1))
    x, _ = load_tensors("training", small_mnist)
    assert np.array_equal(by_hand, x.numpy())


@pytest.mark.parametrize("dataset", ["validation", "train"])
def test_unknown_dataset_names_are_rejected(dataset, small_mnist):
    with pytest.raises(ValueError, match="'training' or 'testing'"):
        load(dataset, small_mnist)


def _broken_copy(small_mnist, tmp_path, name, damage):
    folder = tmp_path / "broken"
    shutil.copytree(small_mnist, folder)
    damage(folder / name)
    return folder


def test_wrong_magic_number_is_rejected_with_the_file_name(small_mnist, tmp_path, mnist_arrays):
    name = "train-images-idx3-ubyte.gz"
    folder = _broken_copy(
        small_mnist, tmp_path, name, lambda p: write_idx(p, mnist_arrays["train-images-idx3-ubyte"][:10], magic=0x0C03)
    )
    with pytest.raises(MNISTError, match=rf"{name}.*wrong magic number 0x00000c03"):
        load("training", folder)


def test_truncated_images_file_is_rejected_with_its_name(small_mnist, tmp_path):
    name = "train-images-idx3-ubyte.gz"

    def truncate(path):
        raw = gzip.decompress(path.read_bytes())
        path.write_bytes(gzip.compress(raw[: len(raw) // 2]))

    folder = _broken_copy(small_mnist, tmp_path, name, truncate)
    with pytest.raises(MNISTError, match=rf"{name}.*truncated or corrupt"):
        load("training", folder)


def test_cut_off_gzip_stream_is_rejected_with_its_name(small_mnist, tmp_path):
    name = "t10k-labels-idx1-ubyte.gz"
    folder = _broken_copy(small_mnist, tmp_path, name, lambda p: p.write_bytes(p.read_bytes()[:-20]))
    with pytest.raises(MNISTError, match=rf"{name}: cannot read it"):
        load("testing", folder)


def test_images_and_labels_of_different_counts_are_rejected(small_mnist, tmp_path, mnist_arrays):
    folder = _broken_copy(
        small_mnist,
        tmp_path,
        "t10k-labels-idx1-ubyte.gz",
        lambda p: write_idx(p, mnist_arrays["t10k-labels-idx1-ubyte"][:499]),
    )
    with pytest.raises(MNISTError, match="500 images but .*499 labels"):
        load("testing", folder)


def test_missing_files_offline_give_an_error_that_says_what_to_do(tmp_path):
    with pytest.raises(MNISTError) as error:
        load("training", tmp_path / "nowhere")
    message = str(error.value)
    assert "train-images-idx3-ubyte.gz" in message
    assert "MNISTCNN_DATA" in message and "127.0.0.1:9" in message
    assert not any((tmp_path / "nowhere").glob("*ubyte*")), "nothing that passes for data may be left"


def test_reading_never_writes_into_the_data_folder(small_mnist, tmp_path):
    folder = tmp_path / "readonly"
    shutil.copytree(small_mnist, folder)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir())
    folder.chmod(0o555)
    try:
        load("training", folder)
        load_tensors("testing", folder)
    finally:
        folder.chmod(0o755)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir()) == before


def test_data_folder_comes_from_argument_then_environment_then_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MNISTCNN_DATA", str(tmp_path / "env"))
    assert data_dir(tmp_path / "arg") == tmp_path / "arg"
    assert data_dir() == tmp_path / "env"
    monkeypatch.delenv("MNISTCNN_DATA")
    assert data_dir() == tmp_path / "cache" / "mnist"


def test_the_checksums_are_those_of_the_real_files_compressed_and_decompressed(mnist_dir):
    assert sorted(RAW_FILES) == sorted(name.removesuffix(".gz") for name in FILES)
    for name, md5 in FILES.items():
        compressed = (mnist_dir / name).read_bytes()
        assert hashlib.md5(compressed).hexdigest() == md5, name
        assert hashlib.md5(gzip.decompress(compressed)).hexdigest() == RAW_FILES[name.removesuffix(".gz")], name


def test_a_folder_of_decompressed_files_is_read_like_the_distributed_one(tmp_path, mnist_dir):
    for name in FILES:
        (tmp_path / name.removesuffix(".gz")).write_bytes(gzip.decompress((mnist_dir / name).read_bytes()))
    images, labels = load("testing", tmp_path)
    expected_images, expected_labels = load("testing", mnist_dir)
    assert np.array_equal(images, expected_images) and np.array_equal(labels, expected_labels)


def test_the_distributed_file_wins_over_a_decompressed_one_beside_it(small_mnist, tmp_path, mnist_arrays):
    folder = tmp_path / "both"
    shutil.copytree(small_mnist, folder)
    write_idx(folder / "t10k-labels-idx1-ubyte", mnist_arrays["t10k-labels-idx1-ubyte"][:7], compress=False)
    _, labels = load("testing", folder)
    assert len(labels) == 500


def test_a_raw_file_named_like_a_gzip_file_is_rejected_with_its_name(tmp_path, mnist_arrays):
    path = write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", mnist_arrays["t10k-labels-idx1-ubyte"], compress=False)
    with pytest.raises(MNISTError, match=r"t10k-labels-idx1-ubyte\.gz: cannot read it"):
        read_idx(path)


def test_show_draws_a_digit_headless_and_returns_its_axes(small_mnist):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, labels = load_tensors("training", small_mnist)
    ax = show(x[42, 0], title=f"label {labels[42].item()}")
    assert ax.get_title() == "label 7"
    assert ax.images[0].get_array().shape == (28, 28)
    plt.close("all")
    with pytest.raises(ValueError, match="one 28×28 digit"):
        show(np.zeros(100))


def test_environment_paths_with_a_tilde_are_expanded(monkeypatch):
    monkeypatch.setenv("MNISTCNN_DATA", "~/mnist-here")
    assert data_dir() == data_dir(os.path.expanduser("~/mnist-here"))
