"""Gradescope's ``results.json``: one submission's scores, as Gradescope's autograder reads them.

One test per question of the book, in order: the score of the file that counts (see
:mod:`mnistcnn.grader.scores`), its verdict, and feedback (the failed check with the student's
values, never the solution; the solution page to compare the written answers with). A
question without a file is a failed test that says so. The files not counted are named in
the report's ``output`` and in their question's feedback. ``extra_data`` keeps every file's
result and modification time, and the hash of the files graded, so that the gradebook can
be made again from the report without grading again.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from .results import PASSED, Result
from .results import question_label as label
from .scores import Scores


def _feedback(result: Result, others: list[str]) -> str:
    lines = [f"{result.verdict}: {Path(result.file).name}", *result.message.splitlines()]
    if result.page:
        lines.append(f"Compare your written answers with the solution page: {result.page}")
    return "\n".join(lines + others)


def _test(question: int, scores: Scores) -> dict:
    result = scores.counted.get(question)
    test = {"name": label(question), "number": str(question), "score": scores.points(question)}
    test["max_score"] = scores.worth[question]
    if result is None:
        return {
            **test,
            "status": "failed",
            "output": "no file of this question in the submission",
            "visibility": "visible",
        }
    others = [f"Not counted: {Path(r.file).name} ({why})" for r, why in scores.not_counted if r.question == question]
    return {
        **test,
        "status": "passed" if result.verdict == PASSED else "failed",
        "output": _feedback(result, others),
        "visibility": "visible",
        "extra_data": {"mnistcnn": asdict(result)},
    }


def results_json(scores: Scores, seconds: float, digest: str = "") -> dict:
    """One submission's scores as Gradescope's ``results.json``.

    Parameters
    ----------
    scores : Scores
        The submission's graded files, and which counts for each question
        (:func:`mnistcnn.grader.scores.score`).
    seconds : float
        How long grading took.
    digest : str
        The hash of the files graded, kept to skip them when they have not changed.

    Returns
    -------
    dict
        The report, ready for :func:`write_json`.
    """
    output = [f"{scores.passed} of {len(scores.worth)} questions passed."]
    output += [f"{note[0].upper()}{note[1:]}." for note in scores.notes()]
    return {
        "score": scores.total,
        "execution_time": round(seconds),
        "output": "\n".join(output),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [_test(question, scores) for question in scores.worth],
        "extra_data": {
            "mnistcnn": {
                "sha256": digest,
                "results": [asdict(r) for r in scores.results],
                "modified": scores.modified,
            }
        },
    }


def read_back(report: dict) -> tuple[list[Result], dict[str, float]] | None:
    """The results and modification times kept in a report of :func:`results_json`; None for
    a report without them (one written by an earlier version, to grade again)."""
    kept = report.get("extra_data", {}).get("mnistcnn", {})
    if "results" not in kept or "modified" not in kept:
        return None
    return [Result(**r) for r in kept["results"]], kept["modified"]


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` whole or not at all: an interrupted run leaves no half file to trust."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(partial, path)
