"""A page runs again when torch, the device, the mnistcnn sources or its notebook's first cell change."""

from __future__ import annotations

from stale_examples import example_key, invalidate_stale_examples


def test_only_the_examples_that_use_mnistcnn_depend_on_its_sources():
    assert "mnistcnn=" in example_key("import mnistcnn\n")
    assert "mnistcnn=" not in example_key("import torch\n")
    assert example_key("import torch\n").startswith("torch=")


def test_an_example_whose_key_changed_loses_its_md5_once(tmp_path):
    examples, gallery = tmp_path / "examples" / "01_section", tmp_path / "gallery" / "01_section"
    examples.mkdir(parents=True)
    gallery.mkdir(parents=True)
    (examples / "q01_one.py").write_text("import mnistcnn\n", encoding="utf-8")
    md5 = gallery / "q01_one.py.md5"
    md5.write_text("0123", encoding="utf-8")
    conf = {
        "examples_dirs": str(tmp_path / "examples"),
        "gallery_dirs": str(tmp_path / "gallery"),
        "first_notebook_cell": "%pip install mnistcnn",
    }

    assert invalidate_stale_examples(conf) == ["q01_one.py"]
    assert not md5.exists()
    assert (gallery / "q01_one.py.key").read_text(encoding="utf-8").startswith(example_key("import mnistcnn\n"))

    md5.write_text("0123", encoding="utf-8")  # sphinx-gallery ran it again
    assert invalidate_stale_examples(conf) == []
    assert md5.exists()

    (gallery / "q01_one.py.key").write_text("torch=an older one", encoding="utf-8")
    assert invalidate_stale_examples(conf) == ["q01_one.py"]
    assert not md5.exists()

    md5.write_text("0123", encoding="utf-8")
    conf["first_notebook_cell"] = "%pip install mnistcnn @ git+https://example.org/mnistcnn"
    assert invalidate_stale_examples(conf) == ["q01_one.py"], "the notebook must be written again"
