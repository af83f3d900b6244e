"""Derive a question's exercise from its solution page, and put the answers back.

A page marks its answer code between two comment lines::

    # sphinx_gallery_answer = "a short hint"
    z = torch.stack((x, y))
    # sphinx_gallery_answer_end

its prose answer as the body of a ``.. dropdown:: Answer`` directive in a text
cell, and the prose that reads off a result the answer code produces between two rST
comments (invisible on the page) in a text cell::

    # .. answer-reading: a one-line hint
    #
    # 10×3 and 5×6: the number of dimensions stays two, one of them doubles.
    #
    # .. answer-reading-end

:func:`make_exercise` replaces each marked piece with a ``COMPLETE`` placeholder, as
the assignment did for its blanks; :func:`restore` puts the answers back, so that
``restore(*make_exercise(page)) == page`` holds for every page.

The rules themselves live in :mod:`mnistcnn.grader.format`, with which the grader reads the
exercises; this module gives them to the docs build.
"""

from mnistcnn.grader.format import (
    CODE_ANSWER,
    PLACEHOLDER,
    PROSE_ANSWER,
    PROSE_PLACEHOLDER,
    READING_ANSWER,
    code_lines,
    make_exercise,
    restore,
)

__all__ = [
    "CODE_ANSWER",
    "PLACEHOLDER",
    "PROSE_ANSWER",
    "PROSE_PLACEHOLDER",
    "READING_ANSWER",
    "code_lines",
    "make_exercise",
    "restore",
]
