"""
Q06 · Reading one element
=========================

**The question.** What is the element in the 5th row and 3rd column of the 2d tensor
``y`` of Q04? Then find the same element inside the 3d tensor
``z = torch.stack((x, y))`` of Q05.

The page translates "5th row, 3rd column" into indices, reads the element from ``y`` and
from ``z``, and shows the mistake to avoid when a tensor gains a dimension.
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
# In the 2d tensor
# ----------------
# Indices count from 0, as in NumPy and in Python lists: the 5th row has index 4 and the
# 3rd column index 2. One pair of brackets takes both, separated by a comma.

# sphinx_gallery_answer = "Read the element of y in the 5th row and 3rd column."
element = y[4, 2]
# sphinx_gallery_answer_end
print(element)
print(element.shape, element.item())

# %%
# .. answer-reading: What did you get: a number or a tensor, and which value?
#
# The result is still a tensor, with no dimensions at all (shape ``[]``); ``.item()``
# turns it into a plain Python number. Its long tail of digits is the nearest
# ``float32`` to 1.3210.
#
# .. answer-reading-end
#
# In the 3d tensor
# ----------------
# ``z`` has one more dimension, in front: ``z[0]`` is ``x`` and ``z[1]`` is ``y``. So
# the element needs three indices, the first choosing ``y``.

# sphinx_gallery_answer = "element_in_z: the same element, read through z."
element_in_z = z[1, 4, 2]
# sphinx_gallery_answer_end
print(element_in_z)

# %%
# .. answer-reading: Is it the element you read in y?
#
# The same 1.3210.
#
# .. answer-reading-end
#
# Keeping the old two indices does not work: the first index now selects among only two
# matrices, and 4 is out of range.
try:
    z[4, 2]
except IndexError as error:
    print("IndexError:", error)

# %%
# .. dropdown:: Answer
#
#    Counting from zero, the 5th row and 3rd column of ``y`` is ``y[4, 2]``, which is
#    ``tensor(1.3210)``: a tensor with zero dimensions, whose ``.item()`` is the Python
#    float 1.3209999799728394 (the ``float32`` closest to 1.321).
#
#    In ``z = torch.stack((x, y))`` the tensor ``y`` is the second slice along the new
#    first dimension, so the same element is ``z[1, 4, 2]``, again ``tensor(1.3210)``.
#    Writing ``z[4, 2]`` fails with an ``IndexError``, because the first index of ``z``
#    only takes the values 0 and 1. ``z[0, 4, 2]`` would give the element of ``x`` at
#    the same place, 0.1092 (see Q07).
#
#    ``y[4][2]`` and ``z[1][4][2]`` give the same values too, but they index one
#    dimension at a time and create an intermediate tensor each time; the comma form is
#    the NumPy-like way.

# %%
# Check
# -----
assert element.shape == () and element_in_z.shape == ()
assert element == element_in_z == torch.tensor(1.3210)
assert y[4][2] == element and y[-1, -1] == element
# sphinx_gallery_start_ignore
assert z[0, 4, 2] == torch.tensor(0.1092)
# sphinx_gallery_end_ignore
