"""
Q01 · An uninitialised tensor
=============================

**The question.** Build a 5×3 tensor with the old constructor ``torch.Tensor(5, 3)`` and
print it. What values does it start with, and what type does it have?

The page prints such a tensor, reads off its type, and compares it with the two modern
ways of asking for a 5×3 tensor: ``torch.empty`` and ``torch.zeros``.
"""

# %%
# The constructor of the question
# -------------------------------
# Given integers, ``torch.Tensor`` reads them as a shape: five rows and three columns.
import torch

# sphinx_gallery_answer = "Make a 5×3 tensor with the torch.Tensor constructor."
x = torch.Tensor(5, 3)
# sphinx_gallery_answer_end
print(x)

# %%
# .. answer-reading: What are these numbers, and where do they come from?
#
# Nobody chose these numbers. PyTorch reserved room for 15 floats and did not write
# anything into it, so ``x`` shows whatever bytes were there before: tiny numbers, huge
# numbers, zeros, sometimes ``nan``. Run the page again and you will likely see
# different ones.
#
# .. answer-reading-end
#
# The type of ``x``
# -----------------
# "Type" can mean three things here: the Python class of the object, the data type of
# its elements, and the legacy type string that combines the element type with the
# device.
print(type(x))
print(x.dtype)
print(x.type())
print(x.shape)

# %%
# ``x`` is a ``torch.Tensor`` whose elements are 32-bit floats (``torch.float32``,
# PyTorch's default floating-point type), on the CPU, which the legacy name
# ``torch.FloatTensor`` says in one word.
#
# The modern spellings
# --------------------
# ``torch.empty`` does exactly what ``torch.Tensor(5, 3)`` did: it allocates and leaves
# the memory as it is. ``torch.zeros`` allocates *and* fills, which costs a pass over
# the memory but gives numbers you can rely on.
e = torch.empty(5, 3)
zeros = torch.zeros(5, 3)
print("empty:", e.shape, e.dtype)
print(zeros)

# %%
# All three give the same shape and type; only ``zeros`` promises the values.
#
# .. dropdown:: Answer
#
#    ``x`` was **not initialised**. ``torch.Tensor(5, 3)`` allocates memory for 5×3
#    numbers and returns it as it is, so the printed values are leftovers of whatever
#    used that memory before. They are meaningless, differ from run to run and from
#    machine to machine, and may even contain ``inf`` or ``nan``. Never read such a
#    tensor before writing into it.
#
#    ``x`` is a ``torch.Tensor`` of shape ``torch.Size([5, 3])`` holding 32-bit floats:
#    ``x.dtype`` is ``torch.float32`` and ``x.type()`` is ``'torch.FloatTensor'``, the
#    default for floating-point tensors on the CPU.
#
#    Today one writes ``torch.empty(5, 3)`` for the same uninitialised allocation (it is
#    slightly faster when every element will be overwritten anyway), or
#    ``torch.zeros(5, 3)`` when the tensor must start at a known value. Keep the
#    capitalised ``torch.Tensor`` constructor for reading old code: with integers it
#    takes a *shape*, which is easy to confuse with the lower-case ``torch.tensor`` of
#    Q04, which takes *values*.

# %%
# Check
# -----
# Only the shape and the type can be checked: the values are, by design, unknown.
assert x.shape == (5, 3) and e.shape == (5, 3)
assert x.dtype == torch.float32 == e.dtype == zeros.dtype
assert x.type() == "torch.FloatTensor"
assert torch.count_nonzero(zeros) == 0
