"""The exercise format: how a page marks its answers and checks, and how its exercises keep them.

The docs build (``docs/_ext``) writes exercises with these rules and the grader reads them with
the same ones. A page marks its answer code between two comment lines::

    # sphinx_gallery_answer = "a short hint"
    z = torch.stack((x, y))
    # sphinx_gallery_answer_end

its prose answer as the body of a ``.. dropdown:: Answer`` directive in a text cell, and the
prose that reads off a result between two rST comments in a text cell::

    # .. answer-reading: a one-line hint
    #
    # 10×3 and 5×6: the number of dimensions stays two, one of them doubles.
    #
    # .. answer-reading-end

:func:`make_exercise` replaces each marked piece with a ``COMPLETE`` placeholder (a *blank*);
:func:`restore` puts the answers back, so that ``restore(*make_exercise(page)) == page`` holds
for every page. The page ends with a ``Check`` section, and may check a step where it happens
between ``# sphinx_gallery_start_ignore`` and ``# sphinx_gallery_end_ignore`` (an *inline
check*); the exercise notebook keeps such a check in a cell of its own that opens with
:data:`INLINE_CHECK_CELL`. A page declares its points with ``# sphinx_gallery_points = 2``.
"""

from __future__ import annotations

import ast
import re

# A question page's file: examples/<section>/qNN_topic.py
QUESTION_FILE = re.compile(r"^q(\d\d)_\w+(?<!_exercise)\.py$")

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
# A blank of the code, as a student finds it (any spacing).
BLANK = re.compile(r"^[ \t]*\.\.\.[ \t]*#[ \t]*COMPLETE:[ \t]*(?P<hint>.*?)[ \t]*$", re.MULTILINE)

SCRIPT_CHECK_HEADING = re.compile(r"^# Check[ \t]*\n# -{3,}[ \t]*\n", re.MULTILINE)
NOTEBOOK_CHECK_HEADING = re.compile(r"\A\s*(?:#+[ \t]*Check[ \t]*|Check[ \t]*\n-{3,}[ \t]*)(?:\n|\Z)")
# A check in the middle of the code: hidden on the page, kept at its place in the exercises.
INLINE_CHECK = re.compile(
    r"^# sphinx_gallery_start_ignore[ \t]*\n(?P<check>(?:.*\n)*?)# sphinx_gallery_end_ignore[ \t]*(?:\n|\Z)",
    re.MULTILINE,
)
INLINE_CHECK_CELL = "# Check of the step above"  # the first line of such a check's notebook cell
# A .py exercise names its solution page in this line (a notebook, in its metadata).
SOLUTION_PAGE_LINE = "# The solution page, in the site: "
# A cell where the student runs the grader on the notebook itself: never graded, for it would
# start the grader again from inside itself.
GRADER_CALL = re.compile(r"^\s*[!%].*\bmnistcnn\s+check\b", re.MULTILINE)
POINTS = re.compile(r"^#[ \t]*sphinx_gallery_points[ \t]*=[ \t]*(?P<points>\d+(?:\.\d+)?)[ \t]*$", re.MULTILINE)


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
    """Return the exercise version of the page ``source`` and the answers taken out, in order."""
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


def code_lines(code: str) -> list[str]:
    """The statements of a piece of code, one per line: its lines that are neither blank nor comments."""
    return [line.strip() for line in code.splitlines() if line.strip() and not line.strip().startswith("#")]


def split_checks(code: str) -> list[tuple[str, bool]]:
    """``code`` cut at its inline checks: ``(piece, is_check)`` in order, empty pieces left out."""
    pieces, position = [], 0
    for match in INLINE_CHECK.finditer(code):
        pieces += [(code[position : match.start()], False), (match["check"], True)]
        position = match.end()
    pieces.append((code[position:], False))
    return [(text, check) for text, check in pieces if text.strip()]
