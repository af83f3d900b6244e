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
"""

from __future__ import annotations

import ast
import re

CODE_ANSWER = re.compile(
    r"^(?P<indent>[ \t]*)# sphinx_gallery_answer = (?P<hint>.+)\n"
    r"(?P<body>(?:.*\n)*?)"
    r"[ \t]*# sphinx_gallery_answer_end[ \t]*\n",
    re.MULTILINE,
)
PROSE_ANSWER = re.compile(
    r"^# \.\. dropdown:: Answer[ \t]*\n"
    r"(?P<body>(?:#[ \t]*\n|#    .*\n)*(?:#    .*\n))",
    re.MULTILINE,
)
PROSE_PLACEHOLDER = (
    "# .. dropdown:: Answer\n#\n#    COMPLETE: write your answer here, then compare it with the solution page.\n"
)
READING_ANSWER = re.compile(
    r"^# \.\. answer-reading: (?P<hint>.*)\n"
    r"(?P<body>(?:#(?! ?%%).*\n)*?)"  # within one text cell
    r"# \.\. answer-reading-end[ \t]*\n",
    re.MULTILINE,
)
PLACEHOLDER = re.compile(
    r"^[ \t]*\.\.\.  # COMPLETE: .*\n|^# COMPLETE: .*\n|^" + re.escape(PROSE_PLACEHOLDER),
    re.MULTILINE,
)


def _code_placeholder(match: re.Match) -> str:
    hint = ast.literal_eval(match.group("hint"))
    if not isinstance(hint, str) or "\n" in hint:
        raise ValueError(f"an answer hint must be a one-line string, not {match.group('hint')}")
    return f"{match.group('indent')}...  # COMPLETE: {hint}\n"


def _reading_placeholder(match: re.Match) -> str:
    hint = match.group("hint").strip()
    if not hint:
        raise ValueError("an answer reading needs a hint: # .. answer-reading: what to read off the output")
    return f"# COMPLETE: {hint}\n"


def make_exercise(source: str) -> tuple[str, list[str]]:
    """Return the exercise version of ``source`` and the answers taken out, in order."""
    pieces = sorted(
        [(m.start(), m.end(), m.group(0), _code_placeholder(m)) for m in CODE_ANSWER.finditer(source)]
        + [(m.start(), m.end(), m.group(0), PROSE_PLACEHOLDER) for m in PROSE_ANSWER.finditer(source)]
        + [(m.start(), m.end(), m.group(0), _reading_placeholder(m)) for m in READING_ANSWER.finditer(source)]
    )
    readings = len(READING_ANSWER.findall(source))
    for marker in ("answer-reading:", "answer-reading-end"):
        if len(re.findall(rf"^#[ \t]*\.\. {marker}", source, re.MULTILINE)) != readings:
            raise ValueError(f"an answer-reading marker without its pair, or indented: .. {marker}")
    exercise, answers, position = [], [], 0
    for start, end, answer, placeholder in pieces:
        if start < position:
            raise ValueError("answer markers overlap")
        exercise += [source[position:start], placeholder]
        answers.append(answer)
        position = end
    exercise.append(source[position:])
    return "".join(exercise), answers


def restore(exercise: str, answers: list[str]) -> str:
    """Put ``answers`` back into the placeholders of ``exercise``."""
    remaining = iter(answers)
    try:
        solution = PLACEHOLDER.sub(lambda _: next(remaining), exercise)
    except StopIteration:
        raise ValueError("the exercise has more placeholders than answers") from None
    if next(remaining, None) is not None:
        raise ValueError("the exercise has fewer placeholders than answers")
    return solution


def code_lines(answer: str) -> list[str]:
    """The statements of an answer block: its lines that are neither blank nor comments."""
    return [line.strip() for line in answer.splitlines() if line.strip() and not line.strip().startswith("#")]
