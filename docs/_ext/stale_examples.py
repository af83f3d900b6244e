"""Rerun a page when anything that decides its output changed, not only its source.

sphinx-gallery reruns an example when the MD5 of its source changed. Before it runs the
examples, this extension deletes the MD5 of every example whose wider key changed: the
torch version, the device and, for the examples that import it, the source of
``mnistcnn`` (:func:`example_key`), and the notebooks' first cell, which names the
repository the build knows. It also sets the config value
``textbook_fingerprint`` to the same key for the package, so that Sphinx reads every
document again (the API page, the executed MyST pages) when it changes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from gallery import pages


def environment_key() -> str:
    """What, besides an example's own source and the package, decides its output."""
    import torch

    from mnistcnn.device import pick_device

    return f"torch={torch.__version__};device={pick_device().type}"


def example_key(source: str) -> str:
    """The key of an example's outputs besides its source: the package counts for the examples that use it."""
    from mnistcnn.cache import source_fingerprint

    return environment_key() + (f";mnistcnn={source_fingerprint()}" if "mnistcnn" in source else "")


def invalidate_stale_examples(gallery_conf: dict) -> list[str]:
    """Delete sphinx-gallery's MD5 of every example whose key changed; return their names.

    Without its MD5, sphinx-gallery runs an example again. The key is stored beside the
    example's copy in the gallery (``qNN_topic.py.key``) for the next build.
    """
    first_cell = hashlib.sha256(str(gallery_conf["first_notebook_cell"]).encode()).hexdigest()[:16]
    invalidated = []
    for page in pages(gallery_conf):
        key = f"{example_key(page.source.read_text(encoding='utf-8'))};first_cell={first_cell}"
        key_file = Path(f"{page.target}.key")
        md5_file = Path(f"{page.target}.md5")
        if key_file.is_file() and key_file.read_text(encoding="utf-8") == key:
            continue
        if md5_file.is_file():
            md5_file.unlink()
            invalidated.append(page.source.name)
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(key, encoding="utf-8")
    return invalidated


def rerun_stale_examples(app) -> None:
    """builder-inited, before sphinx-gallery runs the examples: forget the MD5 of the stale ones."""
    if app.config.sphinx_gallery_conf["plot_gallery"]:
        invalidate_stale_examples(app.config.sphinx_gallery_conf)


def set_fingerprint(app, config) -> None:
    """config-inited: ``textbook_fingerprint``, an ``env`` config value, changes with the package."""
    from mnistcnn.cache import source_fingerprint

    config.textbook_fingerprint = f"{environment_key()};mnistcnn={source_fingerprint()}"
