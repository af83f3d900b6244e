"""How many points a question is worth: 1, unless its page says otherwise.

A page declares them with a configuration comment, which sphinx-gallery leaves out of the
rendered page and of the notebooks::

    # sphinx_gallery_points = 2

The book (:mod:`mnistcnn.grader.book`) keeps each question's points, read from its page with
:func:`of_page`; a question scores them when every check passes, and 0 otherwise. What a
submission says about its own points is never read.
"""

from __future__ import annotations

from .format import POINTS

DEFAULT = 1


def declared(text: str) -> float | None:
    """The points a page's text declares, or None."""
    match = POINTS.search(text)
    if match is None:
        return None
    points = float(match.group("points"))
    return int(points) if points.is_integer() else points


def of_page(text: str) -> float:
    """The points of a question whose page source is ``text``."""
    points = declared(text)
    return DEFAULT if points is None else points
