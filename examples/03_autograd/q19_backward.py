"""
Q19 · Back-propagation with backward()
======================================

**The question.** ``f`` of Q18 is a single number, so autograd can back-propagate from
it: call ``f.backward()``. What is the gradient of ``f`` with respect to ``x``, and
where does PyTorch store it?

The page runs the backward pass, reads the gradient, and then shows the two rules that
surprise people most: gradients start only from a scalar, and they accumulate.
"""

# %%
# The forward pass of Q18
# -----------------------
import textwrap

import torch

x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
f = z.mean()
print(f)

# %%
# Only from a scalar
# ------------------
# A gradient is the derivative of *one* number with respect to many. ``z`` holds four
# numbers, so ``z.backward()`` without further instructions is refused.
try:
    z.backward()
except RuntimeError as err:
    scalar_error = err
    print(f"RuntimeError: {err}")

# %%
# The backward pass
# -----------------
# ``f`` holds one number, and ``backward()`` needs no argument. It walks the graph of
# Q18 from ``f`` back to ``x``, applying the chain rule at each node, and stores the
# result in the ``.grad`` attribute of the leaf ``x``.
f.backward()

# sphinx_gallery_answer = "Print the gradient that backward() stored for x."
print(x.grad)
# sphinx_gallery_answer_end

# %%
# .. answer-reading: Where is the gradient stored, and what is it?
#
# The gradient has the shape of ``x``: one partial derivative
# :math:`\partial f / \partial x_i` per entry, all equal to 4.5 here. Q20 derives that
# 4.5 by hand.
#
# .. answer-reading-end
#
# Gradients accumulate
# --------------------
# ``backward()`` *adds* to ``.grad`` instead of overwriting it. A second forward and
# backward pass through the same function doubles the stored values.
f_again = ((x + 2) * (x + 2) * 3).mean()
f_again.backward()
print("after two backward passes:", x.grad)

# %%
# This is deliberate, for gradients summed over several pieces of a computation, but it
# means that a training loop must reset them before each step. ``optimizer.zero_grad()``
# does that in the training loop of Q30; by hand it is ``x.grad.zero_()`` or
# ``x.grad = None``.
x.grad.zero_()
print("after zero_():", x.grad)

# %%
# Twice through one graph
# -----------------------
# Why did the second pass build a new ``f_again``? Each backward pass frees the
# intermediate values that its graph saved (here ``y``, which the product needs for its
# derivative), so a second ``f.backward()`` on the same ``f`` is refused:
try:
    f.backward()
except RuntimeError as err:
    second_pass_error = err
    print(textwrap.fill(f"RuntimeError: {err}", 80))

# %%
# The message names the remedy. ``retain_graph=True`` keeps the saved values, at the
# cost of their memory, so that the same graph can be walked again; the second walk
# adds its gradient to the first, as before. A fresh leaf ``w``, equal to ``x``, keeps
# the gradient of ``x`` out of it.
w = torch.ones(2, 2, requires_grad=True)
f_kept = ((w + 2) * (w + 2) * 3).mean()
f_kept.backward(retain_graph=True)
f_kept.backward()
print("two passes through one graph:", w.grad)

# %%
# Retaining a graph is for the rare case of two backward passes through a shared part;
# a training loop builds a new graph at every step and never needs it.
#
# .. dropdown:: Answer
#
#    After ``f.backward()`` the gradient is stored in ``x.grad`` (the tensor we
#    differentiate *with respect to*, not the one we differentiate), and it is
#
#    .. math::
#
#       \nabla_{\boldsymbol{x}} f(\boldsymbol{x}) = (4.5,\ 4.5,\ 4.5,\ 4.5)^T,
#
#    printed by PyTorch in the 2×2 shape of ``x`` as
#    ``tensor([[4.5000, 4.5000], [4.5000, 4.5000]])``. Autograd could start from ``f``
#    because it is a scalar; from a tensor such as ``z`` it would first need to be told
#    how to weigh its entries. The gradient is added to whatever ``x.grad`` already
#    holds, so it must be reset between independent computations.

# %%
# Check
# -----
assert "scalar outputs" in str(scalar_error)
assert isinstance(second_pass_error, RuntimeError)
assert torch.equal(w.grad, torch.full((2, 2), 9.0)), "two passes through one graph"
assert torch.equal(x.grad, torch.zeros(2, 2))
# sphinx_gallery_start_ignore
# Replay from scratch: one pass gives 4.5 everywhere, a second one adds another 4.5.
x_check = torch.ones(2, 2, requires_grad=True)
((x_check + 2) * (x_check + 2) * 3).mean().backward()
assert torch.equal(x_check.grad, torch.full((2, 2), 4.5))
((x_check + 2) * (x_check + 2) * 3).mean().backward()
assert torch.equal(x_check.grad, torch.full((2, 2), 9.0))
# sphinx_gallery_end_ignore
