"""Every page's downloads run on their own: the notebook in a fresh Jupyter kernel, the script with Python.

They run with the environment of the docs build (MNISTCNN_DATA, and MNISTCNN_CACHE, so that
trained networks are reused rather than trained again), in a folder of their own.

A download that passed is not run again while nothing it depends on changed: the stamp of a
pass covers the file itself, the torch version, the device and, for the pages that use it,
the mnistcnn sources: the key of the build's own cache. ``nox -s docs -- --force`` (or
MNISTCNN_DOCS_FORCE=1) runs them all.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from .conftest import BUILD, GALLERY, ROOT

sys.path.insert(0, str(ROOT / "docs" / "_ext"))
from textbook import example_key

STAMPS = BUILD / "download-checks"
FORCE = os.environ.get("MNISTCNN_DOCS_FORCE") == "1"

PAGES = sorted(p for p in GALLERY.rglob("q[0-9][0-9]_*.py") if not p.stem.endswith("_exercise"))


def test_the_gallery_holds_the_33_pages():
    assert len(PAGES) == 33, "build the site first: nox -s docs"


def _already_passed(download, page) -> tuple[bool, object]:
    """Whether ``download`` (of ``page``) passed before with the same inputs; and how to record a pass."""
    digest = hashlib.sha256(download.read_bytes())
    digest.update(example_key(page.read_text(encoding="utf-8")).encode())
    stamp = STAMPS / (download.name + ".passed")
    passed = not FORCE and stamp.is_file() and stamp.read_text() == digest.hexdigest()

    def record():
        STAMPS.mkdir(parents=True, exist_ok=True)
        stamp.write_text(digest.hexdigest())

    return passed, record


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem[:3])
def test_the_notebook_runs_top_to_bottom_in_a_fresh_kernel(page, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    passed, record = _already_passed(page.with_suffix(".ipynb"), page)
    if passed:
        return
    notebook = nbformat.read(page.with_suffix(".ipynb"), as_version=4)
    assert "MNISTCNN_DATA" in notebook.cells[0].source, "the first cell says how to point at the data"
    # The kernel inherits this process's environment: MNISTCNN_DATA and MNISTCNN_CACHE.
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    errors = [
        o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"
    ]
    assert not errors
    record()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem[:3])
def test_the_script_runs_with_plain_python(page, tmp_path):
    passed, record = _already_passed(page, page)
    if passed:
        return
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", str(page)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    record()
