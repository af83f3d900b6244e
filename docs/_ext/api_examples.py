"""The API page and the question pages, linked both ways.

sphinx-gallery links each name of ``mnistcnn`` in a page's code to its API entry, and
records which page uses which name. The pages write the names as they are imported,
``mnistcnn.load``, while the API page documents each object in its module,
``mnistcnn.data.load``. This extension

* registers each object that ``mnistcnn`` re-exports under its short name too, so that
  the code links find it;
* adds sphinx-gallery's ``minigallery`` under every function and class of the API
  page: the pages that use it, by either name (nothing where no page does).
"""

from __future__ import annotations

import importlib

from sphinx import addnodes

PACKAGE = "mnistcnn"


def _public_name(module: str, name: str) -> str | None:
    """``mnistcnn.<name>`` where the package re-exports ``module.name`` as that; else None."""
    if module == PACKAGE or "." in name:
        return None
    package = importlib.import_module(PACKAGE)
    obj = getattr(importlib.import_module(module), name, None)
    return f"{PACKAGE}.{name}" if obj is not None and getattr(package, name, None) is obj else None


def note_public_names(app, doctree) -> None:
    """doctree-read: ``mnistcnn.load`` names the entry of ``mnistcnn.data.load``."""
    domain = app.env.domains["py"]
    for signature in doctree.findall(addnodes.desc_signature):
        module, name = signature.get("module"), signature.get("fullname")
        if not module or not name or not signature["ids"] or not module.startswith(PACKAGE):
            continue
        public = _public_name(module, name)
        if public is not None:
            domain.note_object(public, signature.parent["objtype"], signature["ids"][0], aliased=True)


def add_minigallery(app, what, name, obj, options, lines) -> None:
    """autodoc-process-docstring: append the pages that use ``name``."""
    if what not in ("function", "class") or not name.startswith(PACKAGE + "."):
        return
    module, short = name.rsplit(".", 1)
    names = " ".join(filter(None, (name, _public_name(module, short))))
    lines += ["", f".. minigallery:: {names}", f"   :add-heading: Pages that use ``{short}``", ""]
