"""When, where and with which torch each page's outputs were produced, shown on the page.

:func:`reset_example` is in sphinx-gallery's ``reset_modules``: it gives every example the
same seeds and notes what ran. After sphinx-gallery, each page that ran gets a
``qNN_topic.provenance.json`` beside its outputs, and its page a line under the running
time: "Outputs produced: <time> on <device>, torch <version>, Python <version>."
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from gallery import Page, is_question_page, pages

# The line sphinx-gallery writes under a page that ran (gen_rst.TIMING_CONTENT).
TIMING_LINE = re.compile(r"(\*\*Total running time of the script:\*\*.*\n)")

_ran: dict[str, dict] = {}  # example file name -> provenance, for the examples run in this build


def reset_example(gallery_conf, fname, when):
    """sphinx-gallery ``reset_modules`` hook: same seeds for every example; note what ran."""
    if fname is None or when != "before":
        return
    import numpy as np
    import torch

    from mnistcnn.device import describe

    torch.manual_seed(0)
    np.random.seed(0)
    random.seed(0)
    _ran[Path(fname).name] = describe()


def ran_in_this_build(page: Page) -> bool:
    return page.target.name in _ran


def provenance_file(page: Page) -> Path:
    return page.target.with_name(page.target.stem + ".provenance.json")


def read(page: Page) -> dict:
    """The provenance of the page's outputs; empty when they were never produced."""
    path = provenance_file(page)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def record(app) -> None:
    """builder-inited, after sphinx-gallery: keep the provenance of every page that ran."""
    for page in pages(app.config.sphinx_gallery_conf):
        if ran_in_this_build(page):
            provenance_file(page).write_text(json.dumps(_ran[page.target.name], indent=1), encoding="utf-8")


def add_provenance_line(app, docname, source) -> None:
    """source-read: the provenance line under the page's running time."""
    if not is_question_page(docname):
        return
    path = Path(app.srcdir, docname + ".provenance.json")
    if not path.is_file():
        return
    from mnistcnn.device import format_where

    info = json.loads(path.read_text(encoding="utf-8"))
    line = (
        f"\n.. rst-class:: sphx-glr-timing\n\n   **Outputs produced:** {info['time']} on {format_where(info)}, "
        f"torch {info['torch']}, Python {info['python']}.\n"
    )
    source[0] = TIMING_LINE.sub(lambda m: m.group(1) + line, source[0], count=1)
