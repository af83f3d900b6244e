"""Assertions that two training runs agree, whose message alone says where and by how much they do not.

A GPU test's log may be all that comes back from a machine lent for minutes: its first
line must name the largest difference, where it is (epoch and minibatch, or parameter
and index), the two values and the tolerance.
"""

from __future__ import annotations

import torch
import torch.nn as nn


def _outside(actual: torch.Tensor, expected: torch.Tensor, rtol: float, atol: float):
    """Which elements are not close, and how far each is from its allowance (>1: outside; NaN counts as outside)."""
    allowed = atol + rtol * expected.abs()
    outside = ~torch.isclose(actual, expected, rtol=rtol, atol=atol)
    excess = ((actual - expected).abs() / allowed).nan_to_num(nan=float("inf"))
    return outside, excess, allowed


def _tolerance(rtol: float, atol: float) -> str:
    return f"rtol={rtol:g}, atol={atol:g}"


def assert_losses_close(actual, expected, *, steps_per_epoch: int, rtol: float, atol: float, what: str) -> None:
    """Two loss histories (one loss per minibatch) agree within ``rtol`` and ``atol``, minibatch by minibatch."""
    actual = torch.as_tensor(actual, dtype=torch.float64).cpu().flatten()
    expected = torch.as_tensor(expected, dtype=torch.float64).cpu().flatten()
    assert actual.shape == expected.shape, f"{what}: {actual.numel()} losses against {expected.numel()}"
    outside, excess, allowed = _outside(actual, expected, rtol, atol)
    if not outside.any():
        return

    def where(i: int) -> str:
        epoch, k = divmod(i, steps_per_epoch)
        return f"epoch {epoch + 1}, minibatch {k + 1} (step {i + 1} of {actual.numel()})"

    worst, first = int(excess.argmax()), int(outside.nonzero()[0])
    raise AssertionError(
        f"{what}: losses differ most at {where(worst)}: {actual[worst].item():.6g} against "
        f"{expected[worst].item():.6g}, a difference of {abs(actual[worst] - expected[worst]).item():.3g} "
        f"where {allowed[worst].item():.3g} is allowed ({_tolerance(rtol, atol)}); "
        f"{int(outside.sum())} of {actual.numel()} losses outside, the first at {where(first)}"
    )


def assert_parameters_close(actual: nn.Module, expected: nn.Module, *, rtol: float, atol: float, what: str) -> None:
    """Two networks of the same class have the same weights within ``rtol`` and ``atol``, parameter by parameter."""
    expected_parameters = dict(expected.named_parameters())
    worst = None  # (excess, name, index, actual, expected, allowed)
    counts = {}
    total = 0
    for name, parameter in actual.named_parameters():
        a = parameter.detach().double().cpu()
        e = expected_parameters[name].detach().double().cpu()
        outside, excess, allowed = _outside(a, e, rtol, atol)
        total += a.numel()
        if outside.any():
            counts[name] = int(outside.sum())
            flat = int(excess.flatten().argmax())
            index = tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), a.shape))
            candidate = (excess.flatten()[flat].item(), name, index, a[index].item(), e[index].item(), allowed[index])
            if worst is None or candidate[0] > worst[0]:
                worst = candidate
    if worst is None:
        return
    _, name, index, a, e, allowed = worst
    spread = ", ".join(f"{name} {count}" for name, count in counts.items())
    raise AssertionError(
        f"{what}: weights differ most at {name}[{', '.join(map(str, index))}]: {a:.6g} against {e:.6g}, "
        f"a difference of {abs(a - e):.3g} where {allowed.item():.3g} is allowed ({_tolerance(rtol, atol)}); "
        f"{sum(counts.values())} of {total} weights outside ({spread})"
    )
