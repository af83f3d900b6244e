"""Where mnistcnn keeps things, and the fingerprint that names them."""

import shutil
from pathlib import Path

import torch

import mnistcnn
from mnistcnn import cache


def test_the_cache_is_mnistcnn_cache_else_xdg_else_the_home_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("MNISTCNN_CACHE", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("MNISTCNN_CACHE")
    assert cache.cache_dir() == tmp_path / "xdg" / "mnistcnn"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "mnistcnn"


def test_mnist_and_the_trained_networks_are_kept_in_the_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("MNISTCNN_CACHE", str(tmp_path))
    monkeypatch.delenv("MNISTCNN_DATA", raising=False)
    assert mnistcnn.data_dir() == tmp_path / "mnist"
    assert cache.models_dir() == tmp_path / "models"
    code = cache.source_fingerprint("model", "train")
    assert cache.trained_path(3, seed=2, device="cpu") == tmp_path / "models" / f"lenet-3epochs-seed2-cpu-{code}.pt"


def test_a_trained_network_is_saved_where_trained_path_says(monkeypatch, tmp_path):
    monkeypatch.setenv("MNISTCNN_CACHE", str(tmp_path))
    path = mnistcnn.save_trained(mnistcnn.LeNet(), 1, seed=4)
    assert path == cache.trained_path(1, seed=4, device="cpu") and path.is_file()


def test_the_fingerprint_changes_with_the_torch_version_and_with_the_named_sources_only(monkeypatch, tmp_path):
    copy = tmp_path / "mnistcnn"
    shutil.copytree(cache.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    whole, recipe = cache.source_fingerprint(), cache.source_fingerprint("model", "train")
    assert len(whole) == 16 and int(whole, 16) >= 0
    monkeypatch.setattr(cache, "PACKAGE_DIR", copy)
    assert (cache.source_fingerprint(), cache.source_fingerprint("model", "train")) == (whole, recipe)

    (copy / "cli.py").write_text((copy / "cli.py").read_text() + "\n# changed\n")
    assert cache.source_fingerprint() != whole
    assert cache.source_fingerprint("model", "train") == recipe
    (copy / "train.py").write_text((copy / "train.py").read_text() + "\n# changed\n")
    assert cache.source_fingerprint("model", "train") != recipe

    monkeypatch.setattr(cache, "PACKAGE_DIR", Path(cache.__file__).resolve().parent)
    monkeypatch.setattr(torch, "__version__", torch.__version__ + ".other")
    assert cache.source_fingerprint("model", "train") != recipe


def test_the_fingerprint_covers_modules_in_subpackages(monkeypatch, tmp_path):
    copy = tmp_path / "mnistcnn"
    shutil.copytree(cache.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE_DIR", copy)
    whole = cache.source_fingerprint()
    (copy / "sub").mkdir(exist_ok=True)
    (copy / "sub" / "extra.py").write_text("X = 1\n")
    assert cache.source_fingerprint() != whole
