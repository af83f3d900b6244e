"""Plausible single mistakes in an answer block: each changes one place of the page's own answer.

The kinds, each a student's typical slip:

* ``constant``: a number one higher (a dimension, a size, an index, a factor);
* ``out of place``: an in-place step made out of place (``a.add_(1)`` becomes
  ``a = a.add(1)``, ``a[:] += 1`` becomes ``a = a + 1``);
* ``no transpose``: a transpose or a move of axes dropped (``y.t()`` becomes ``y``);
* ``call dropped``: a step applied to a value left out (``F.relu(z)``, ``z.cpu()``,
  ``net.to(device)`` become ``z``, ``z``, ``net``);
* ``operator``: floor division made true division (``N // B`` becomes ``N / B``);
* ``no shuffle``: ``torch.randperm(N)`` becomes ``torch.arange(N)``;
* ``reduction``: a reduction swapped for its twin (``sum``/``mean``, ``max``/``min``,
  ``argmax``/``argmin``; Python's ``sum`` for ``max``);
* ``twin``: a name taken for its twin that the block also uses (``x``/``y``,
  ``xtrain``/``xtest``, ``gamma``/``rho``, ``net3``/``net10``), or ``"training"`` for
  ``"testing"``;
* ``dtype``: the other precision (``double``/``float``, ``int64``/``int32``);
* ``step dropped``: a statement made for its effect (``loss.backward()``, ``print(x)``) left
  out.

A block with many numbers (a table of values) gets at most three ``constant`` mutants per
statement: its first, middle and last number.
"""

from __future__ import annotations

import ast
import copy
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

TWINS = {"sum": "mean", "mean": "sum", "max": "min", "min": "max", "argmax": "argmin", "argmin": "argmax"}
BUILTIN_TWINS = {"sum": "max", "max": "min", "min": "max"}
TRANSPOSES = {"t", "transpose", "permute", "moveaxis", "swapaxes", "T", "mT"}
TWIN_PARTS = [("x", "y"), ("train", "test"), ("gamma", "rho"), ("3", "10"), ("a", "b")]
TWIN_STRINGS = {"training": "testing", "testing": "training", "cuda": "cpu", "cpu": "cuda"}
WRAPPERS = {"relu", "sigmoid", "detach", "cpu", "cuda", "to", "numpy", "item", "float"}
DTYPES = {"double": "float", "float": "double", "int64": "int32", "float64": "float32", "float32": "float64"}


@dataclass(frozen=True)
class Mutant:
    kind: str
    original: str  # the statement changed, as written in the answer
    mutated: str  # the same statement, changed
    body: str  # the whole answer block with the change, indented as the block was

    @property
    def name(self) -> str:
        """The mistake in a line: the kind, and the statement before and after (long ones shortened)."""

        def short(code: str) -> str:
            return code if len(code) <= 100 else code[:99] + "…"

        return f"{self.kind}: {short(self.original)} → {short(self.mutated)}"


def _twin(name: str, names: set[str]) -> str | None:
    """The twin of ``name`` among ``names``: the same name with one part swapped for its pair."""
    for one, other in TWIN_PARTS:
        for a, b in ((one, other), (other, one)):
            if a in name and (twin := name.replace(a, b, 1)) in names and twin != name:
                return twin
    return None


def _sites(tree: ast.Module) -> Iterator[tuple[str, ast.stmt, ast.AST]]:
    """(kind, statement, node) for every place a mutation applies, in reading order."""
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    for statement in tree.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            yield "step dropped", statement, statement
        numbers = [n for n in ast.walk(statement) if isinstance(n, ast.Constant) and type(n.value) in (int, float)]
        chosen = {id(n) for n in (numbers[:1] + numbers[len(numbers) // 2 :][:1] + numbers[-1:])}
        for node in ast.walk(statement):
            if id(node) in chosen:
                yield "constant", statement, node
            elif (isinstance(node, ast.Expr) and _in_place_call(node.value)) or isinstance(node, ast.AugAssign):
                yield "out of place", statement, node
            elif _transpose(node) is not None:
                yield "no transpose", statement, node
            elif _wrapped(node) is not None:
                yield "call dropped", statement, node
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.FloorDiv):
                yield "operator", statement, node
            elif isinstance(node, ast.Call) and _name(node.func) == "randperm":
                yield "no shuffle", statement, node
            elif (isinstance(node, ast.Attribute) and node.attr in TWINS) or _builtin(node) in BUILTIN_TWINS:
                yield "reduction", statement, node
            elif (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and _twin(node.id, names)) or (
                isinstance(node, ast.Constant) and node.value in TWIN_STRINGS
            ):
                yield "twin", statement, node
            elif isinstance(node, ast.Attribute) and node.attr in DTYPES:
                yield "dtype", statement, node


def _wrapped(node: ast.AST) -> ast.AST | None:
    """The value the call ``node`` applies a wrapper to (``F.relu(z)``, ``z.cpu()``), or None."""
    if not isinstance(node, ast.Call) or _name(node.func) not in WRAPPERS:
        return None
    if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id == "F":
        return node.args[0] if node.args else None
    return node.func.value if isinstance(node.func, ast.Attribute) else None


def _builtin(node: ast.AST) -> str | None:
    return node.id if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) else None


def _name(node: ast.AST) -> str | None:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)


def _in_place_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr.endswith("_")
        and not node.func.attr.startswith("_")
        and isinstance(node.func.value, ast.Name)
    )


def _root(node: ast.AST) -> ast.Name | None:
    while isinstance(node, ast.Subscript | ast.Attribute):
        node = node.value
    return node if isinstance(node, ast.Name) else None


def _transpose(node: ast.AST) -> ast.AST | None:
    """What the transpose ``node`` transposes, or None when ``node`` is no transpose."""
    if isinstance(node, ast.Attribute) and node.attr in {"T", "mT"}:
        return node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in TRANSPOSES:
        is_function = isinstance(node.func.value, ast.Name) and node.func.value.id in {"np", "numpy", "torch"}
        return node.args[0] if is_function and node.args else None if is_function else node.func.value
    return None


class _Change(ast.NodeTransformer):
    def __init__(self, kind: str, target: ast.AST, names: set[str]):
        self.kind, self.target, self.names = kind, target, names

    def visit(self, node):
        if node is not self.target:
            return self.generic_visit(node)
        changed = copy.copy(node)
        if self.kind == "step dropped":
            return ast.Pass()
        if self.kind == "constant":
            return ast.Constant(node.value + 1)
        if self.kind == "twin" and isinstance(node, ast.Constant):
            return ast.Constant(TWIN_STRINGS[node.value])
        if self.kind == "twin":
            changed.id = _twin(node.id, self.names)
            return changed
        if self.kind == "dtype":
            changed.attr = DTYPES[node.attr]
            return changed
        if self.kind == "reduction":
            if isinstance(node, ast.Attribute):
                changed.attr = TWINS[node.attr]
            else:
                changed.id = BUILTIN_TWINS[node.id]
            return changed
        if self.kind == "no transpose":
            return _transpose(node)
        if self.kind == "call dropped":
            return _wrapped(node)
        if self.kind == "operator":
            changed.op = ast.Div()
            return changed
        if self.kind == "no shuffle":
            changed.func = ast.Attribute(node.func.value, "arange", ast.Load())
            return changed
        if isinstance(node, ast.AugAssign):  # a[:] += 1  ->  a = a + 1
            name = _root(node.target)
            value = ast.BinOp(ast.Name(name.id, ast.Load()), node.op, node.value)
            return ast.Assign([ast.Name(name.id, ast.Store())], value)
        call = node.value  # a.add_(1)  ->  a = a.add(1)
        method = ast.Attribute(call.func.value, call.func.attr[:-1], ast.Load())
        return ast.Assign([ast.Name(call.func.value.id, ast.Store())], ast.Call(method, call.args, call.keywords))


def mutants(body: str) -> list[Mutant]:
    """Every mutant of the answer block ``body``, each different from the answer."""
    indent = body[: len(body) - len(body.lstrip())].rsplit("\n", 1)[-1]
    tree = ast.parse(textwrap.dedent(body))
    found, seen = [], {ast.unparse(tree)}
    for index, (kind, statement, _) in enumerate(_sites(tree)):
        changed = copy.deepcopy(tree)
        target = list(_sites(changed))[index][2]
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        changed = ast.fix_missing_locations(_Change(kind, target, names).visit(changed))
        code = ast.unparse(changed)
        if code in seen or (kind == "out of place" and _root(getattr(target, "target", None) or target) is None):
            continue
        seen.add(code)
        position = tree.body.index(statement)
        found.append(
            Mutant(
                kind,
                ast.unparse(statement),
                ast.unparse(changed.body[position]),
                textwrap.indent(code, indent) + "\n",
            )
        )
    return found
