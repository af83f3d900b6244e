"""Explaining a failed check: which part of the assertion is false, with the student's values."""

from __future__ import annotations

import ast
import operator

_COMPARE = {
    ast.Eq: (operator.eq, "=="),
    ast.NotEq: (operator.ne, "!="),
    ast.Lt: (operator.lt, "<"),
    ast.LtE: (operator.le, "<="),
    ast.Gt: (operator.gt, ">"),
    ast.GtE: (operator.ge, ">="),
    ast.Is: (operator.is_, "is"),
    ast.IsNot: (operator.is_not, "is not"),
    ast.In: (lambda a, b: a in b, "in"),
    ast.NotIn: (lambda a, b: a not in b, "not in"),
}


def describe_value(value, width: int = 70) -> str:
    """A short, one-line description of a value: shapes as tuples, long tensors by their shape."""
    if type(value).__name__ == "Size":
        return str(tuple(value))
    if isinstance(value, float):
        return repr(round(value, 4)) if 1e-3 <= abs(value) < 1e6 else f"{value:.4g}"
    text = " ".join(repr(value).split())
    shape = getattr(value, "shape", None)
    if len(text) > width and shape is not None and hasattr(value, "dtype"):
        return f"{type(value).__name__} of shape {tuple(shape)} ({str(value.dtype).removeprefix('torch.')})"
    return text if len(text) <= width else text[: width - 1] + "…"


def _is_literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True


def _is_address(node: ast.AST) -> bool:
    """Whether ``node`` asks where some memory is (``….data_ptr()``): a number that means nothing to read."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "data_ptr"


def explain(test: ast.expr, source: str, namespace: dict) -> str:
    """Why the expression ``test`` (of the check code ``source``) is false, with the values involved."""

    def text(node):
        return " ".join(ast.get_source_segment(source, node).split())

    def value(node):
        return eval(compile(ast.Expression(node), "<check>", "eval"), namespace)

    def named(node):
        return f"{text(node)} is {describe_value(value(node))}"

    def expected(node, got):
        return text(node) if _is_literal(node) else f"{text(node)} = {describe_value(got)}"

    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return next((explain(v, source, namespace) for v in test.values if not value(v)), named(test))
    if isinstance(test, ast.BoolOp):
        return "; ".join(explain(v, source, namespace) for v in test.values)
    if isinstance(test, ast.Compare):
        left, left_value = test.left, value(test.left)
        for op, right in zip(test.ops, test.comparators):
            right_value = value(right)
            compare, symbol = _COMPARE[type(op)]
            if not compare(left_value, right_value):
                if _is_address(left) and _is_address(right):
                    shared = "share" if isinstance(op, ast.NotEq) else "do not share"
                    return f"{text(left.func.value)} and {text(right.func.value)} {shared} their memory"
                if isinstance(op, ast.Eq):
                    if _is_literal(left) and not _is_literal(right):
                        left, left_value, right, right_value = right, right_value, left, left_value
                    return f"{text(left)} is {describe_value(left_value)}; expected {expected(right, right_value)}"
                got = describe_value(left_value)
                return f"{text(left)} is {got}; expected {symbol} {expected(right, right_value)}"
            left, left_value = right, right_value
    if isinstance(test, ast.Call):
        values = [named(arg) for arg in test.args if not _is_literal(arg)]
        return "; ".join([named(test), *values])
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return f"{named(test.operand)}; expected it to be false"
    return named(test)
