"""Every plausible single mistake in an answer is caught by the page's checks, as a student's file is graded.

For each answer block of each page, each mutant of :mod:`.mutants` is written into the
page's exercise notebook, the other blanks filled with the page's answers, and graded with
``mnistcnn check``. A mutant must be graded ``wrong``, ``error`` or ``timed out``, unless it
is listed in ``EQUIVALENT`` with the reason it changes no result that a check could see; a
listed mutant must pass, so that the list stays true.

Run with ``nox -s mutants`` (``pytest tests/mutation``); ``MNISTCNN_MUTANT_JOBS`` sets how
many notebooks are graded at once (default: the number of CPUs).
"""

from __future__ import annotations

import os
import textwrap

import nbformat
import pytest
import torch
from exercises import CODE_ANSWER, make_exercise
from notebooks import exercise_notebook

from mnistcnn.grader import PASSED, check_files
from mnistcnn.grader.format import BLANK

from ..helpers import PAGES
from .mutants import Mutant, mutants

OUTPUT_ONLY = "the block only shows something to the reader; no later code or check reads a value from it"
CPU_ONLY = "on a CPU build every tensor is in main memory already; on a GPU the same mistake raises an error"
SAME_NUMBER = "the same percentage, held in float64 or in a one-element tensor, which prints and compares as it"
SHARED = "the value asked for, True, is the same: NumPy reads a tensor without a copy, and an array overlaps itself"
# (page, mutant name): why the mutant changes no result a check can see.
EQUIVALENT = {
    (
        "q08",
        "step dropped: print('s1 equals s2:', torch.equal(s1, s2), '  s1 equals s3:', torch.equal(s1, s3)) → pass",
    ): OUTPUT_ONLY,
    ("q08", "step dropped: print('x has changed:', not torch.equal(x, x_before)) → pass"): OUTPUT_ONLY,
    ("q08", "step dropped: print('same memory as before:', x.data_ptr() == address) → pass"): OUTPUT_ONLY,
    ("q11", "step dropped: print(type(a), type(b)) → pass"): OUTPUT_ONLY,
    ("q11", "twin: print(type(a), type(b)) → print(type(b), type(b))"): OUTPUT_ONLY,
    ("q11", "twin: print(type(a), type(b)) → print(type(a), type(a))"): OUTPUT_ONLY,
    ("q12", "call dropped: shared = np.shares_memory(a.numpy(), b) → shared = np.shares_memory(a, b)"): SHARED,
    ("q12", "twin: shared = np.shares_memory(a.numpy(), b) → shared = np.shares_memory(a.numpy(), a)"): SHARED,
    ("q17", "step dropped: print(y.requires_grad, y.grad_fn.name()) → pass"): OUTPUT_ONLY,
    ("q17", "step dropped: print(x.grad) → pass"): OUTPUT_ONLY,
    ("q19", "step dropped: print(x.grad) → pass"): OUTPUT_ONLY,
    (
        "q23",
        "constant: ax = mnistcnn.show(xtrain[42, 0, :, :], title=f'ltrain[42] = {ltrain[42]}') → ax = mnistcnn.show(xtrain[42, 0, :, :], title=f'ltrain[42] = {ltrain[43]}')",
    ): OUTPUT_ONLY,
    ("q23", "step dropped: print(f'ltrain[42] = {ltrain[42]}') → pass"): OUTPUT_ONLY,
    ("q23", "constant: print(f'ltrain[42] = {ltrain[42]}') → print(f'ltrain[42] = {ltrain[43]}')"): OUTPUT_ONLY,
    (
        "q28",
        "dtype: acc = 100 * (yinit.argmax(1) == ltest).float().mean() → acc = 100 * (yinit.argmax(1) == ltest).double().mean()",
    ): SAME_NUMBER,
    (
        "q31",
        "call dropped: acc_trained = 100 * (ltest == lpred).float().mean().item() → acc_trained = 100 * (ltest == lpred).float().mean()",
    ): SAME_NUMBER,
    (
        "q31",
        "dtype: acc_trained = 100 * (ltest == lpred).float().mean().item() → acc_trained = 100 * (ltest == lpred).double().mean().item()",
    ): SAME_NUMBER,
}
if not torch.cuda.is_available():
    EQUIVALENT |= {
        (
            "q15",
            "twin: device = 'cuda' if torch.cuda.is_available() else 'cpu' → device = 'cpu' if torch.cuda.is_available() else 'cpu'",
        ): CPU_ONLY,
        (
            "q32",
            "call dropped: xtrain, ltrain = (xtrain.to(device), ltrain.to(device)) → xtrain, ltrain = (xtrain, ltrain.to(device))",
        ): CPU_ONLY,
        (
            "q32",
            "call dropped: xtrain, ltrain = (xtrain.to(device), ltrain.to(device)) → xtrain, ltrain = (xtrain.to(device), ltrain)",
        ): CPU_ONLY,
        ("q32", "call dropped: net = mnistcnn.LeNet().to(device) → net = mnistcnn.LeNet()"): CPU_ONLY,
    }


def page_mutants(source) -> list[tuple[int, Mutant]]:
    """(index of the answer block, mutant) for every mutant of every answer block of the page."""
    _, answers = make_exercise(source.read_text(encoding="utf-8"))
    bodies = [m["body"] for m in map(CODE_ANSWER.match, answers) if m]
    return [(index, mutant) for index, body in enumerate(bodies) for mutant in mutants(body)]


def completed_with(source, index: int, mutant: Mutant) -> str:
    """The page's exercise, every blank filled with the page's answer but blank ``index``, filled with ``mutant``."""
    exercise, answers = make_exercise(source.read_text(encoding="utf-8"))
    bodies = [m["body"] for m in map(CODE_ANSWER.match, answers) if m]
    bodies[index] = mutant.body
    filled = iter(bodies)
    return BLANK.sub(lambda _: next(filled).removesuffix("\n"), exercise)


CASES = [(source, index, mutant) for source in PAGES for index, mutant in page_mutants(source)]
IDS = [f"{s.stem[:3]}-{n:02d}-{m.kind}" for s in PAGES for n, (_, m) in enumerate(page_mutants(s))]


@pytest.fixture(scope="session")
def verdicts(tmp_path_factory):
    """Grade the exercise notebook of every mutant of a page, the first time a test of that page asks."""
    graded = {}

    def verdict(source, index, mutant):
        if source not in graded:
            folder = tmp_path_factory.mktemp(source.stem[:3])
            cache = folder / "cache"  # the page's trained networks: trained once, by its first mutants
            cases = [(i, m) for s, i, m in CASES if s == source]
            paths = []
            for number, (i, m) in enumerate(cases):
                path = folder / f"{source.stem}_mutant{number:02d}.ipynb"
                nbformat.write(exercise_notebook(source, exercise=completed_with(source, i, m)), path)
                paths.append(path)
            jobs = int(os.environ.get("MNISTCNN_MUTANT_JOBS", os.cpu_count() or 1))
            with pytest.MonkeyPatch.context() as env:
                env.setenv("MNISTCNN_CACHE", str(cache))
                env.setenv("MNISTCNN_DEVICE", "cpu")
                env.setenv("OMP_NUM_THREADS", "1")  # several notebooks at once, one thread each
                results = check_files(paths, timeout=600, jobs=jobs)
            graded[source] = {(i, m): r for (i, m), r in zip(cases, results)}
        return graded[source][index, mutant]

    return verdict


@pytest.mark.parametrize(("source", "index", "mutant"), CASES, ids=IDS)
def test_a_mistake_in_an_answer_is_caught_unless_it_changes_no_result(verdicts, source, index, mutant):
    result = verdicts(source, index, mutant)
    reason = EQUIVALENT.get((source.stem[:3], mutant.name))
    if reason is None:
        assert result.verdict != PASSED, f"not caught: {mutant.name}"
    else:
        assert result.verdict == PASSED, f"listed as changing no result, but {result.verdict}: {result.message}"


def test_every_listed_equivalent_mutant_is_one_of_the_mutants():
    names = {(s.stem[:3], m.name) for s, _, m in CASES}
    assert set(EQUIVALENT) <= names, sorted(set(EQUIVALENT) - names)


def test_the_mutants_cover_every_kind_of_mistake_and_nearly_every_answer_block():
    kinds = {m.kind for _, _, m in CASES}
    assert {"constant", "out of place", "no transpose", "reduction"} <= kinds
    blocks = {(s, i) for s, i, _ in CASES}
    total = sum(
        len([a for a in make_exercise(s.read_text(encoding="utf-8"))[1] if CODE_ANSWER.match(a)]) for s in PAGES
    )
    assert len(blocks) >= total - 1, textwrap.shorten(f"{total - len(blocks)} answer blocks without a mutant", 80)
