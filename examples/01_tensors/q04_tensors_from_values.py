r"""
Q04 · Tensors from given values
===============================

**The question.** Create two tensors ``x`` and ``y`` directly from the values below,
five rows of three numbers each, and report their shapes.

.. math::

   x = \begin{pmatrix}
   -0.1859 & 1.3970 & 0.5236 \\
   2.3854 & 0.0707 & 2.1970 \\
   -0.3587 & 1.2359 & 1.8951 \\
   -0.1189 & -0.1376 & 0.4647 \\
   -1.8968 & 2.0164 & 0.1092
   \end{pmatrix},
   \qquad
   y = \begin{pmatrix}
   0.4838 & 0.5822 & 0.2755 \\
   1.0982 & 0.4932 & -0.6680 \\
   0.7915 & 0.6580 & -0.5819 \\
   0.3825 & -1.1822 & 1.5217 \\
   0.6042 & -0.2280 & 1.3210
   \end{pmatrix}

The page types the values in, prints the shapes, and explains why ``torch.tensor``
(lower case) is the constructor to use for this, rather than the ``torch.Tensor`` of
Q01.
"""

# %%
# Writing the values in
# ---------------------
# A nested Python list becomes a tensor: the outer list holds the rows, each inner list
# the entries of one row. These two tensors come back in Q05 to Q08.
import torch

# sphinx_gallery_answer = "Create x and y from the two 5×3 tables of values."
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
# sphinx_gallery_answer_end
print(x)
print(y)

# %%
# Their shapes
# ------------
# ``.shape`` (or the equivalent method ``.size()``) lists the length of every dimension.
print(x.shape, y.shape)
print(x.size(0), "rows,", x.size(1), "columns,", x.numel(), "numbers,", x.dtype)

# %%
# Both are 5×3 tensors of 32-bit floats: the length of the outer list gives the first
# dimension, the length of each row the second.
#
# ``torch.tensor`` or ``torch.Tensor``?
# -------------------------------------
# The assignment wrote ``torch.Tensor([[...]])``, which gives the same two tensors here.
# The two names are easy to confuse but do different things. ``torch.tensor`` is a
# function that copies *data* and infers the element type from it; ``torch.Tensor`` is
# the class, whose constructor always makes the default floating-point type
# (``float32``, unless ``torch.set_default_dtype`` changed it) and reads bare integers
# as a *shape*.
print(torch.tensor([1, 2, 3]), torch.tensor([1, 2, 3]).dtype)
print(torch.Tensor([1, 2, 3]), torch.Tensor([1, 2, 3]).dtype)
print("torch.tensor(3).shape =", torch.tensor(3).shape, "  (a single number, 3)")
print("torch.Tensor(3).shape =", torch.Tensor(3).shape, "  (3 uninitialised numbers)")

# %%
# Integers stay integers (``int64``) with ``torch.tensor`` and silently become floats
# with ``torch.Tensor``; and ``torch.Tensor(3)`` is not the number 3 at all.
# ``torch.tensor`` also accepts ``dtype=`` and ``device=``, so it says exactly what it
# makes.
#
# .. dropdown:: Answer
#
#    Both tensors have shape ``torch.Size([5, 3])``: five rows of three entries, 15
#    numbers each, stored as ``torch.float32``.
#
#    Literal values are best given to ``torch.tensor`` (lower case), which copies the
#    data and infers the type from it (floats give the default floating-point type,
#    ``float32``, integers ``int64``), or takes an explicit ``dtype=``. The capitalised
#    ``torch.Tensor``, used in the assignment, is the tensor class itself: given a list
#    it produces the same ``float32`` tensor, but it converts a list of integers to the
#    default floating-point type; given a tensor, it returns one of that tensor's own
#    type (``torch.Tensor(torch.tensor([1, 2]))`` stays ``int64``); and given integers
#    instead of a list, it reads them as a shape and returns uninitialised memory, as
#    in Q01. The PyTorch
#    documentation recommends ``torch.tensor`` for data and
#    ``torch.empty``/``torch.zeros`` for shapes.

# %%
# Check
# -----
assert x.shape == (5, 3) and y.shape == (5, 3)
assert x.dtype == torch.float32 == y.dtype
assert x[0, 0] == torch.tensor(-0.1859) and y[4, 2] == torch.tensor(1.3210)
# sphinx_gallery_start_ignore
# Every entry as the tables give it: an entry typed wrong changes this weighted sum.
weights = torch.arange(1, 16).view(5, 3)
assert abs((x.double() * weights).sum().item() - 59.7712) < 1e-4
assert abs((y.double() * weights).sum().item() - 44.4517) < 1e-4
# sphinx_gallery_end_ignore
assert torch.equal(x, torch.Tensor(x.tolist()))
assert torch.tensor([1, 2, 3]).dtype == torch.int64
assert torch.Tensor([1, 2, 3]).dtype == torch.get_default_dtype() == torch.float32
assert torch.Tensor(torch.tensor([1, 2])).dtype == torch.int64
assert torch.tensor(3).shape == () and torch.Tensor(3).shape == (3,)
