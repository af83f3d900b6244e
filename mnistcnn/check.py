"""The grader's public names under their former module: see :mod:`mnistcnn.grader`.

Kept so that code written against ``mnistcnn.check`` (``from mnistcnn.check import
check_files``) still runs; new code imports :mod:`mnistcnn.grader`.
"""

from .grader import (
    DEFAULT_TIMEOUT,
    ERROR,
    NOT_ATTEMPTED,
    PASSED,
    TIMED_OUT,
    WRONG,
    Result,
    check_file,
    check_files,
    find_exercises,
)
from .grader.explain import explain
from .grader.format import (
    BLANK,
    INLINE_CHECK,
    INLINE_CHECK_CELL,
    NOTEBOOK_CHECK_HEADING,
    SCRIPT_CHECK_HEADING,
    SOLUTION_PAGE_LINE,
)

__all__ = [
    "BLANK",
    "DEFAULT_TIMEOUT",
    "ERROR",
    "INLINE_CHECK",
    "INLINE_CHECK_CELL",
    "NOTEBOOK_CHECK_HEADING",
    "NOT_ATTEMPTED",
    "PASSED",
    "SCRIPT_CHECK_HEADING",
    "SOLUTION_PAGE_LINE",
    "TIMED_OUT",
    "WRONG",
    "Result",
    "check_file",
    "check_files",
    "explain",
    "find_exercises",
]
