"""
Q17 · Tracking gradients with requires_grad
===========================================

**The question.** Make a 2×2 tensor ``x`` of ones that asks autograd to track it
(``requires_grad=True``), compute ``y`` by adding 2 to it, and print both. What is the
``requires_grad`` attribute of ``y``? What are the ``grad`` attributes of ``x`` and
``y``?

The page inspects the two tensors before any gradient has been computed, including the
warning PyTorch gives when ``y.grad`` is read.
"""

# %%
# A tracked tensor and a result
# -----------------------------
# ``requires_grad=True`` marks ``x`` as a tensor we will want derivatives with respect
# to.
import textwrap
import warnings

import torch

x = torch.ones(2, 2, requires_grad=True)
print(x)
y = x + 2
print(y)

# %%
# ``x`` prints with its flag. ``y`` has no flag in its printout but a ``grad_fn``, the
# record of the operation that made it.
#
# The flag of ``y``
# -----------------
# Nobody asked for ``y`` to be tracked. Is it? Its flag answers, and ``grad_fn.name()``
# names the operation it recorded.

# sphinx_gallery_answer = "Print y's requires_grad and the name of its grad_fn."
print(y.requires_grad, y.grad_fn.name())
# sphinx_gallery_answer_end

# %%
# .. answer-reading: Is y tracked, and what does grad_fn record?
#
# The flag spreads: a result requires gradients as soon as one of its inputs does, and
# remembers in ``grad_fn`` how it was made, which is what autograd will need to send a
# gradient back through it to ``x``.
#
# .. answer-reading-end
#
# Without a tracked input nothing is recorded, and the flag stays at its default,
# ``False``.
untracked = torch.ones(2, 2) + 2
print(untracked.requires_grad, untracked.grad_fn)

# %%
# The gradient of ``x``
# ---------------------
# ``.grad`` is where ``backward()`` leaves gradients. What does it hold before any
# backward pass has run?

# sphinx_gallery_answer = "Print the grad attribute of x."
print(x.grad)
# sphinx_gallery_answer_end

# %%
# The gradient of ``y``, and a warning
# ------------------------------------
# Reading ``y.grad`` makes PyTorch issue a ``UserWarning``. The warning is the lesson
# here, so it is caught and its message printed below the value.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")

    # sphinx_gallery_answer = "Read the grad attribute of y into y_grad."
    y_grad = y.grad
    # sphinx_gallery_answer_end
print(y_grad)
for warning in caught:
    message = str(warning.message).split(" (Triggered internally")[0]
    print(textwrap.fill(f"{warning.category.__name__}: {message}", width=88))

# %%
# .. answer-reading: What do x.grad and y.grad hold?
#
# Both are ``None``.
#
# .. answer-reading-end
#
# The warning turns on the difference between *leaf* tensors and the intermediate
# results of a recorded computation. A tensor is a leaf when autograd has recorded no
# operation that made it: one that requires gradients because you asked for it, like
# ``x``, and every tensor that does not require gradients, like ``untracked``, even
# though an operation made it. A result of recorded operations, like ``y``, is not. By
# default only leaves that require gradients get a ``.grad``: ``x``, but not ``y``, and
# not ``untracked`` either, which autograd does not watch.
for name, t in {"x": x, "y": y, "untracked": untracked}.items():
    print(f"{name:>9}: leaf {t.is_leaf!s:5}  requires grad {t.requires_grad}")

# %%
# .. dropdown:: Answer
#
#    ``y.requires_grad`` is ``True``. Nobody set it: ``y`` was computed from ``x``,
#    which requires gradients, so autograd tracks ``y`` too and records how it was made
#    in ``y.grad_fn`` (an ``AddBackward0`` node).
#
#    ``x.grad`` is ``None``: gradients are computed only by ``backward()`` (Q19), and
#    none has run yet. After it, ``x.grad`` will hold a 2×2 tensor.
#
#    ``y.grad`` is ``None`` too, and will stay ``None`` even after ``backward()``. ``y``
#    is not a leaf but an intermediate result, and autograd, to save memory, keeps the
#    gradients of leaves only, and only of those that require gradients. PyTorch warns
#    on reading it because doing so is usually a mistake (the gradient wanted is the
#    leaf's). When an intermediate gradient is really wanted, call ``y.retain_grad()``
#    before ``backward()``; Q20 does that to follow the chain rule step by step.

# %%
# Check
# -----
assert y.requires_grad and y.grad_fn.name() == "AddBackward0"
assert x.grad is None and y_grad is None
assert [w.category for w in caught] == [UserWarning]
assert x.is_leaf and not y.is_leaf
assert untracked.is_leaf and not untracked.requires_grad
# sphinx_gallery_start_ignore
# After a backward pass, of two leaves only the one that requires gradients has a .grad.
tracked_leaf, untracked_leaf = torch.ones(2, requires_grad=True), torch.ones(2)
(tracked_leaf * untracked_leaf).sum().backward()
assert tracked_leaf.grad is not None and untracked_leaf.grad is None
# sphinx_gallery_end_ignore
assert not untracked.requires_grad
