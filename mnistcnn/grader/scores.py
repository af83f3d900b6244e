"""One score per question: which of a submission's files counts, when several answer one question.

A student may hand in two files of one question: a copy (``q05_... (1).py``), a leftover
draft, a renamed file (``q05_mine.ipynb``). Every file is graded; then, for each question of
the book, one file counts, by one rule that the gradebook, the Canvas export and the
Gradescope report all follow:

1. a file that passed, over one that did not;
2. then the newest file (its modification time; a zip's own date for its members);
3. then the last by name.

A question scores its points from the book when the file that counts passed, and 0 otherwise:
files are never added up. The other files of the question are reported as not counted, with
the file that counts; so is a file whose question is not one of the book's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .results import PASSED, Result
from .results import question_label as label


@dataclass
class Scores:
    """The outcome of the rule for one submission: what counts, what does not, and the score.

    Attributes
    ----------
    worth : dict[int, float]
        The book's questions and their points, in order.
    results : list of Result
        Every file of the submission, graded.
    modified : dict[str, float]
        Each file's modification time, which broke the ties.
    counted : dict[int, Result]
        For each question with a file, the result of the file that counts.
    not_counted : list[tuple[Result, str]]
        Every other file's result, with why it does not count.
    """

    worth: dict[int, float]
    results: list[Result] = field(default_factory=list)
    modified: dict[str, float] = field(default_factory=dict)
    counted: dict[int, Result] = field(default_factory=dict)
    not_counted: list[tuple[Result, str]] = field(default_factory=list)

    def points(self, question: int) -> float:
        """The points the submission scores for ``question``: the book's when its file passed, else 0."""
        result = self.counted.get(question)
        return self.worth[question] if result is not None and result.verdict == PASSED else 0

    @property
    def total(self) -> float:
        """The submission's score: the sum of :meth:`points` over the book's questions."""
        return sum(self.points(question) for question in self.worth)

    @property
    def out_of(self) -> float:
        """What the total is out of: the points of every question of the book."""
        return sum(self.worth.values())

    @property
    def missing(self) -> list[int]:
        """The book's questions without a file in the submission."""
        return [question for question in self.worth if question not in self.counted]

    @property
    def passed(self) -> int:
        """How many of the book's questions passed."""
        return sum(result.verdict == PASSED for result in self.counted.values())

    def notes(self) -> list[str]:
        """One line per file not counted, naming it (and the file that counts instead)."""
        return [f"not counted: {Path(result.file).name} ({why})" for result, why in self.not_counted]


def score(results: list[Result], worth: dict[int, float], modified: dict[str, float]) -> Scores:
    """Choose, by the module's rule, the file that counts for each question of the book.

    Parameters
    ----------
    results : list of Result
        Every file of one submission, graded.
    worth : dict[int, float]
        The book's questions and their points.
    modified : dict[str, float]
        Each result's file (as in ``Result.file``) and its modification time; a file missing
        here is the oldest.

    Returns
    -------
    Scores
        The result that counts per question, the others with why, and the score.
    """
    scores = Scores(dict(worth), list(results), dict(modified))
    by_question: dict[int, list[Result]] = {}
    for result in results:
        if result.question in worth:
            by_question.setdefault(result.question, []).append(result)
        else:
            scores.not_counted.append((result, "not a question of the book"))
    for question in sorted(by_question):

        def rank(result: Result) -> tuple:
            return result.verdict == PASSED, modified.get(result.file, 0.0), result.file

        ranked = sorted(by_question[question], key=rank, reverse=True)
        scores.counted[question] = ranked[0]
        scores.not_counted += [(r, f"{label(question)}: {Path(ranked[0].file).name} counts") for r in ranked[1:]]
    return scores


@dataclass
class Student:
    """One student's graded submission: its scores by the rule of this module."""

    name: str
    scores: Scores
    problem: str = ""  # why the submission could not be graded, if it could not
    digest: str = ""
    unchanged: bool = False  # its results are those of an earlier grading of the same files
