"""
Q10 · A row vector times a matrix
=================================

**The question.** Draw two random tensors, ``x`` of size 10×10 and ``y`` of size 2×100.
Reshape them so that ``torch.mm(x, y)`` becomes the product of a row vector and a
matrix, whose result is a 1×2 row vector.

The page finds the shapes that ``torch.mm`` needs, compares the two ways of getting
``y`` into shape (``view`` or transpose), and checks the result against an independent
computation.
"""

# %%
# As drawn, the shapes do not fit
# -------------------------------
# ``torch.mm`` multiplies an n×m matrix by an m×p matrix: the inner sizes must agree.
# Here they are 10 and 2.
import torch

torch.manual_seed(0)
x = torch.randn(10, 10)
y = torch.randn(2, 100)
try:
    torch.mm(x, y)
except RuntimeError as error:
    print("RuntimeError:", error)

# %%
# Choosing the shapes
# -------------------
# A 1×2 result needs a 1×m row vector times an m×2 matrix. Both tensors hold 100
# numbers, so m = 100: ``x`` becomes a 1×100 row (``view``, as in Q09), and ``y``, which
# is 2×100, must become 100×2. Transposing it with ``.t()`` does that, each row of ``y``
# becoming a column.

# sphinx_gallery_answer = "Multiply x, viewed as a 1×100 row, by the transpose of y."
row = torch.mm(x.view(1, 100), y.t())
# sphinx_gallery_answer_end
print(row)
print(row.shape)

# %%
# .. answer-reading: What is the result, entry by entry?
#
# A 1×2 row vector. Its entry k is the dot product of the 100 numbers of ``x`` with row
# k of ``y``.
#
# .. answer-reading-end
#
# An independent computation confirms it: ``torch.einsum`` spells out the sum over the
# shared index.
reference = torch.einsum("i,ki->k", x.flatten(), y)
print(reference)
print("agrees with torch.mm:", torch.allclose(row, reference.view(1, 2)))

# %%
# ``view`` would also fit, but means something else
# -------------------------------------------------
# ``y.view(100, 2)`` has the right shape too, and ``torch.mm`` accepts it.
row_view = torch.mm(x.view(1, 100), y.view(100, 2))
print(row_view)

# %%
# The numbers differ. ``view`` refills 100×2 row by row from ``y``'s memory, so column 0
# collects the elements at even positions of ``y`` (read row by row), column 1 those at
# odd positions, mixing the two rows of ``y``. The picture shows which entries of ``y``
# feed entry 0 of the result in each case.
import matplotlib.pyplot as plt

column_0 = torch.zeros(100, 2)
column_0[:, 0] = 1  # the entries of the 100×2 matrix that entry 0 of the result uses

fig, axes = plt.subplots(2, 1, figsize=(6, 2.6))
for ax, mask, title in zip(axes, (column_0.t(), column_0.view(2, 100)),
                           ("y.t(): entry 0 uses row 0 of y",
                            "y.view(100, 2): entry 0 uses every other element of y")):
    ax.imshow(mask.numpy(), cmap="Blues", vmin=0, vmax=1.4, aspect="auto")
    ax.set_title(title, fontsize=9)
    ax.set_yticks([0, 1], ["row 0", "row 1"], fontsize=7)
    ax.set_xticks([0, 25, 50, 75, 99])
axes[1].set_xlabel("column of y (2×100); dark = used for entry 0 of the result")
fig.tight_layout()
plt.show()

# %%
# Column 0 of the 100×2 matrix, mapped back to ``y``'s 2×100 layout by undoing each
# operation, tells the story: the transpose keeps the rows of ``y`` whole, ``view``
# interleaves them.
#
# This is what a linear layer computes
# ------------------------------------
# A fully connected layer with 100 inputs and 2 outputs stores its weights as a 2×100
# matrix and computes the input times the transposed weights: exactly ``row``.
layer_output = torch.nn.functional.linear(x.view(1, 100), y)
print("linear layer agrees:", torch.allclose(row, layer_output))

# %%
# The assignment's own words
# --------------------------
# The assignment asks to resize ``x`` and ``y`` so that the instruction
# ``torch.mm(x, y)``, exactly as written, gives the row vector. Binding the two names to
# the reshaped tensors does that, and leaves the drawn numbers untouched:
x_drawn, y_drawn = x, y
x, y = x.view(1, 100), y.t()
print("x:", tuple(x.shape), " y:", tuple(y.shape))
print(torch.mm(x, y))
print("same as row:", torch.equal(torch.mm(x, y), row))

# %%
# .. dropdown:: Answer
#
#    ``torch.mm`` multiplies an n×m matrix by an m×p one, so a 1×2 result needs a 1×m
#    row times an m×2 matrix. Both tensors have 100 elements, so m = 100: flatten ``x``
#    into a 1×100 row with ``x.view(1, 100)`` (or ``x.view(1, -1)``), and turn ``y``
#    into 100×2 with its transpose ``y.t()``. Then ``torch.mm(x.view(1, 100), y.t())``
#    has shape ``torch.Size([1, 2])``; its two entries are the dot products of the
#    flattened ``x`` with the two rows of ``y``, as the ``einsum`` check confirms. In
#    the assignment's words: after ``x = x.view(1, 100)`` and ``y = y.t()``, the
#    instruction ``torch.mm(x, y)`` gives that row vector.
#
#    ``y.view(100, 2)`` also gives a valid 100×2 matrix and a 1×2 result, but different
#    numbers: ``view`` does not transpose, it re-reads the same memory in a new shape,
#    so each column mixes elements of both rows of ``y``. When the rows of ``y`` are two
#    vectors to be matched against ``x`` (as the weights of a layer with two outputs
#    are), the transpose is the right choice. ``x.resize_`` would change the shape too,
#    but it modifies the tensor in place and may reallocate it; ``view`` and ``reshape``
#    are the safe tools. ``x.view(1, 100) @ y.t()`` and ``torch.matmul`` give the same
#    product with shorter notation.

# %%
# Check
# -----
assert row.shape == (1, 2) and row_view.shape == (1, 2)
assert torch.allclose(row, x_drawn.flatten() @ y_drawn.t())
assert torch.allclose(
    row_view, torch.einsum("i,ik->k", x_drawn.flatten(), y_drawn.view(100, 2))
)
assert not torch.allclose(row, row_view)
assert torch.equal(torch.mm(x, y), row)
