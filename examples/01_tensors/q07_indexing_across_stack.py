"""
Q07 · One position across the whole stack
=========================================

**The question.** Print every element of the 3d tensor ``z`` of Q05 that sits in the 5th
row and 3rd column, whichever matrix of the stack it belongs to. How many are there?

The page takes all of them in one indexing expression, draws where they sit, and counts
them.
"""

# %%
# The tensors of Q04 and Q05
# --------------------------
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
z = torch.stack((x, y))

# %%
# All matrices at once
# --------------------
# In Q06 the first index of ``z[1, 4, 2]`` picked one matrix. A colon in its place means
# "every index along this dimension", while row 4 and column 2 stay fixed.

# sphinx_gallery_answer = "Take row 4, column 2 of every matrix in z."
across = z[:, 4, 2]
# sphinx_gallery_answer_end
print(across)
print(across.shape, across.numel())

# %%
# .. answer-reading: What shape, and which two numbers?
#
# A 1d tensor with two entries: 0.1092 from ``x`` (``z[0]``) and 1.3210 from ``y``
# (``z[1]``).
#
# .. answer-reading-end
#
# Where they sit
# --------------
# Drawing the two matrices of ``z`` side by side, with the selected position outlined.
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

fig, axes = plt.subplots(1, 2, figsize=(6, 3))
for k, ax in enumerate(axes):
    ax.imshow(torch.zeros(5, 3).numpy(), cmap="Greys", vmin=0, vmax=1, aspect="auto")
    for i in range(5):
        for j in range(3):
            ax.text(j, i, f"{z[k, i, j]:.4f}", ha="center", va="center", fontsize=8)
    ax.add_patch(Rectangle((1.5, 3.5), 1, 1, facecolor="mistyrose",
                           edgecolor="tab:red", lw=2))
    ax.set_title(f"z[{k}]  ({'xy'[k]})", fontsize=10)
    ax.set_xticks(range(3), [f"col {j}" for j in range(3)], fontsize=7)
    ax.set_yticks(range(5), [f"row {i}" for i in range(5)], fontsize=7)
fig.suptitle("z[:, 4, 2] picks the outlined entry of each matrix", fontsize=10)
fig.tight_layout()
plt.show()

# %%
# There are as many such elements as matrices in the stack, the length of ``z``'s first
# dimension.
print(len(z), "matrices in z, so", len(z), "elements at row 4, column 2")

# %%
# .. dropdown:: Answer
#
#    ``z[:, 4, 2]`` prints ``tensor([0.1092, 1.3210])``: the element at the 5th row and
#    3rd column of ``x`` (that is, of ``z[0]``) followed by the one of ``y`` (``z[1]``).
#    There are **two** of them, one per matrix in the stack, because ``z`` has shape
#    2×5×3.
#
#    The colon is a slice over the whole first dimension, and the result keeps that
#    dimension: it is a 1d tensor of shape ``torch.Size([2])``, whereas fixing all three
#    indices, as in Q06, gives a single element with no dimensions. Indexing with slices
#    does not copy: ``z[:, 4, 2]`` is a *view* of two numbers inside ``z``'s memory.

# %%
# Check
# -----
assert across.shape == (2,)
assert torch.equal(across, torch.tensor([0.1092, 1.3210]))
assert across[0] == x[4, 2] and across[1] == y[4, 2]
# sphinx_gallery_start_ignore
assert across._base is z, "across should be a view of z, not a copy of its numbers"
# sphinx_gallery_end_ignore
