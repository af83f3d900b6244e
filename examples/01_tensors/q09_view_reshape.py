"""
Q09 · Reshaping with view
=========================

**The question.** Take a random 4×4 tensor ``x`` and reshape it twice with ``view``:
once into ``x.view(16)`` and once into ``x.view(-1, 8)``. Print the three sizes. What
does each instruction do, and what does the ``-1`` stand for?

The page prints the sizes, follows the numbers into their new places, proves that a view
shares the memory of the original, and shows when ``view`` refuses and ``reshape`` must
be used.
"""

# %%
# The three tensors of the question
# ---------------------------------
import textwrap

import torch

torch.manual_seed(0)
x = torch.randn(4, 4)
y = x.view(16)
z = x.view(-1, 8)
print(x.size(), y.size(), z.size())

# %%
# Sixteen numbers in three shapes: 4×4, a flat line of 16, and 2×8. The ``2`` was never
# written: PyTorch worked it out.
#
# What the ``-1`` means
# ---------------------
# A ``-1`` in a shape says "whatever size makes the total come out right". With 16
# elements and 8 per row, that is 16 / 8 = 2 rows. Writing the size out gives the same
# tensor.

# sphinx_gallery_answer = "z_explicit: x reshaped like z, both sizes written out."
z_explicit = x.view(2, 8)
# sphinx_gallery_answer_end
print(z_explicit.shape, "equal to z:", torch.equal(z, z_explicit))

# %%
# Only one size may be left to PyTorch, and the total must divide evenly: 16 numbers
# cannot fill rows of 5.
try:
    x.view(-1, 5)
except RuntimeError as error:
    print("RuntimeError:", error)

# %%
# Where the numbers go
# --------------------
# With the numbers 0 to 15 in place of random ones, the order is easy to follow:
# ``view`` reads the elements row by row (the order in which they sit in memory) and
# refills the new shape row by row.
a = torch.arange(16).view(4, 4)
print(a)
print(a.view(16))
print(a.view(-1, 8))

# %%
# No number moves: only the way of counting rows and columns changes.
#
# A view shares memory
# --------------------
# ``view`` copies nothing. ``y`` and ``z`` are new *descriptions* (shape and strides) of
# the memory of ``x``, so writing through one of them changes the others.
y[0] = 100.0
print("x[0, 0] =", x[0, 0].item(), " z[0, 0] =", z[0, 0].item())
print("same memory:", x.data_ptr() == y.data_ptr() == z.data_ptr())

# %%
# When ``view`` refuses
# ---------------------
# The transpose ``x.t()`` is itself a view: its rows are the columns of ``x``. The
# *strides* say how many elements to skip in memory to move one step along each
# dimension; for the transpose they are swapped, so reading it row by row jumps around
# in memory: it is *not contiguous*. ``view`` only ever writes new strides, so it works
# on such a tensor whenever strides can describe the new shape, as when a dimension is
# split in two. Flattening it is another matter: its 16 numbers, in row order, are not
# evenly spaced in memory, no single stride reaches them, and ``view`` refuses.
t = x.t()
print("strides of x:", x.stride(), " strides of x.t():", t.stride())
print("contiguous:", t.is_contiguous())
print("t.view(2, 2, 4) has strides", t.view(2, 2, 4).stride())
try:
    t.view(16)
except RuntimeError as error:
    flatten_error = error
    print(textwrap.fill(f"RuntimeError: {error}", 80))

# %%
# ``reshape`` returns a view when it can and a copy when it must, as here.

# sphinx_gallery_answer = "Flatten the transposed tensor t to 16 elements."
flat = t.reshape(16)
# sphinx_gallery_answer_end
print(flat.shape, "copied:", flat.data_ptr() != x.data_ptr())

# %%
# .. dropdown:: Answer
#
#    ``x = torch.randn(4, 4)`` creates a 4×4 tensor of standard normal numbers.
#    ``y = x.view(16)`` presents the same 16 numbers as a 1d tensor, read row by row.
#    ``z = x.view(-1, 8)`` presents them as a 2d tensor with 8 columns; the ``-1`` lets
#    PyTorch infer that dimension from the number of elements, here 16 / 8 = 2. The
#    print shows ``torch.Size([4, 4]) torch.Size([16]) torch.Size([2, 8])``.
#
#    ``view`` never copies data: the result shares the memory of ``x`` and only changes
#    how it is indexed, so changing ``y`` changes ``x`` and ``z`` too. The new shape
#    must have the same number of elements (at most one ``-1``, which must divide out
#    evenly), and strides over the existing memory must be able to describe the new
#    shape. ``view`` therefore fails to flatten a transpose (``x.t().view(16)``), while
#    ``x.t().view(2, 2, 4)``, which only splits a dimension, works. ``reshape`` accepts
#    every case, returning a view when possible and a copy otherwise;
#    ``.contiguous().view(...)`` is the explicit form of that copy. Flattening with
#    ``view(-1, ...)`` is what LeNet does between its convolution and fully connected
#    layers (Q26).

# %%
# Check
# -----
assert x.shape == (4, 4) and y.shape == (16,) and z.shape == (2, 8)
assert z_explicit.shape == (2, 8) and torch.equal(z_explicit, z)
assert x[0, 0] == 100.0 == z[0, 0]
assert torch.equal(flat, t.contiguous().view(16))
assert isinstance(flatten_error, RuntimeError) and not t.is_contiguous()
assert t.view(2, 2, 4).data_ptr() == x.data_ptr()
assert torch.equal(a.view(-1, 8)[1], torch.arange(8, 16))
