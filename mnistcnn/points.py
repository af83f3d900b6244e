"""How many points a question is worth: 1, unless its page says otherwise.

A page declares them with a configuration comment, which sphinx-gallery leaves out of the
rendered page and of the notebooks::

    # sphinx_gallery_points = 2

The ``.py`` exercise keeps the line, the exercise and solution notebooks carry the number in
``metadata["mnistcnn"]["points"]``. A question scores its points when every check passes,
and 0 otherwise. Where the project's page sources are at hand (a checkout), they decide, so
that an edited copy cannot give itself more.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

DEFAULT = 1
DECLARED = re.compile(r"^#[ \t]*sphinx_gallery_points[ \t]*=[ \t]*(?P<points>\d+(?:\.\d+)?)[ \t]*$", re.MULTILINE)


def declared(text: str) -> float | None:
    """The points a page's (or a ``.py`` exercise's) text declares, or None."""
    match = DECLARED.search(text)
    if match is None:
        return None
    points = float(match.group("points"))
    return int(points) if points.is_integer() else points


def of_page(text: str) -> float:
    """The points of a question whose page source is ``text``."""
    points = declared(text)
    return DEFAULT if points is None else points


def of_file(path: Path, page_source: Path | None = None) -> float:
    """The points of the question of the exercise ``path``: its page source's, else the file's own, else 1."""
    if page_source is not None and page_source.is_file():
        return of_page(page_source.read_text(encoding="utf-8"))
    try:
        if path.suffix == ".ipynb":
            info = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("mnistcnn", {})
            points = info.get("points", DEFAULT)
            return points if isinstance(points, (int, float)) and points >= 0 else DEFAULT
        return of_page(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, AttributeError):
        return DEFAULT
