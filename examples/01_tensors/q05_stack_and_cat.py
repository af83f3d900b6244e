"""
Q05 · Stacking and concatenating tensors
========================================

**The question.** Combine the two 5×3 tensors ``x`` and ``y`` of Q04 into one 3d tensor
with ``torch.stack((x, y))``. What is its shape? How does it compare with joining them
by ``torch.cat`` along dimension 0, and along dimension 1?

The page prints the three shapes, draws where each entry of the two ``cat`` results
comes from, and sums up the rule: ``stack`` adds a dimension, ``cat`` lengthens an
existing one.
"""

# %%
# The tensors of Q04
# ------------------
import torch

x = torch.tensor([[-0.1859, 1.3970, 0.5236],
                  [2.3854, 0.0707, 2.1970],
                  [-0.3587, 1.2359, 1.8951],
                  [-0.1189, -0.1376, 0.4647],
                  [-1.8968, 2.0164, 0.1092]])
y = torch.tensor([[0.4838, 0.5822, 0.2755],
                  [1.0982, 0.4932, -0.6680],
                  [0.7915, 0.6580, -0.5819],
                  [0.3825, -1.1822, 1.5217],
                  [0.6042, -0.2280, 1.3210]])

# %%
# Stacking
# --------
# ``torch.stack`` puts the tensors side by side along a *new* first dimension.
z = torch.stack((x, y))
print(z.shape)

# %%
# Two 5×3 matrices, one behind the other: ``z[0]`` is ``x`` and ``z[1]`` is ``y``.
print("z[0] is x:", torch.equal(z[0], x), "  z[1] is y:", torch.equal(z[1], y))

# %%
# Concatenating
# -------------
# ``torch.cat`` glues the tensors end to end along a dimension they already have: 0
# joins the rows (``y`` below ``x``), 1 joins the columns (``y`` to the right of ``x``).

# sphinx_gallery_answer = "rows: x and y joined along dimension 0; cols: along 1."
rows = torch.cat((x, y), 0)
cols = torch.cat((x, y), 1)
# sphinx_gallery_answer_end
print(rows.shape)
print(cols.shape)

# %%
# .. answer-reading: Which two shapes, and what changed?
#
# 10×3 and 5×6: the number of dimensions stays two, one of them doubles.
#
# .. answer-reading-end
#
# Where every entry comes from
# ----------------------------
# Joining a tensor of 0s shaped like ``x`` with a tensor of 1s shaped like ``y`` in the
# same way labels every entry of the result with its origin; the colours show those
# labels.
import matplotlib.pyplot as plt

origin_rows = torch.cat((torch.zeros(5, 3), torch.ones(5, 3)), 0)
origin_cols = torch.cat((torch.zeros(5, 3), torch.ones(5, 3)), 1)

fig, axes = plt.subplots(1, 2, figsize=(5.5, 4.6), width_ratios=[3, 6])
for ax, t, origin, dim in zip(axes, (rows, cols), (origin_rows, origin_cols), (0, 1)):
    ax.imshow(origin.numpy(), cmap="coolwarm", vmin=-0.5, vmax=1.5)
    for i in range(t.shape[0]):
        for j in range(t.shape[1]):
            ax.text(j, i, f"{t[i, j]:.2f}", ha="center", va="center", fontsize=7)
    ax.set_title(f"torch.cat((x, y), {dim})\nshape {tuple(t.shape)}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("blue: entries of x, red: entries of y", fontsize=9)
fig.tight_layout()
plt.show()

# %%
# ``cat`` along 0 piles ``y`` under ``x``; along 1 it sets ``y`` beside ``x``.
#
# ``stack`` is ``cat`` plus a new dimension
# -----------------------------------------
# Giving each tensor a leading dimension of length 1 (``unsqueeze(0)``) and
# concatenating along it gives exactly ``z``.
print("same as stack:", torch.equal(z, torch.cat((x.unsqueeze(0), y.unsqueeze(0)), 0)))

# %%
# .. dropdown:: Answer
#
#    ``z = torch.stack((x, y))`` has shape ``torch.Size([2, 5, 3])``: ``stack`` creates
#    a **new** dimension (here the first) and places the tensors along it, so ``z[0]``
#    is ``x`` and ``z[1]`` is ``y``. All the tensors given to ``stack`` must have the
#    same shape.
#
#    ``torch.cat`` creates no dimension; it **joins along an existing one**.
#    ``torch.cat((x, y), 0)`` puts the rows of ``y`` after those of ``x``, giving
#    ``torch.Size([10, 3])``; ``torch.cat((x, y), 1)`` puts the columns of ``y`` after
#    those of ``x``, giving ``torch.Size([5, 6])``. The tensors must agree on every
#    dimension except the one they are joined along.
#
#    The three results hold the same 30 numbers, arranged differently. ``stack`` is
#    ``cat`` of the tensors after ``unsqueeze`` has given each of them a new dimension
#    of length 1; ``torch.stack((x, y), dim=1)`` or ``dim=2`` would insert that new
#    dimension elsewhere, giving shapes 5×2×3 and 5×3×2.

# %%
# Check
# -----
assert z.shape == (2, 5, 3)
assert rows.shape == (10, 3) and cols.shape == (5, 6)
assert torch.equal(rows[:5], x) and torch.equal(cols[:, :3], x)
assert torch.equal(rows[5:], y) and torch.equal(cols[:, 3:], y)
assert torch.stack((x, y), dim=1).shape == (5, 2, 3)
assert torch.stack((x, y), dim=2).shape == (5, 3, 2)
