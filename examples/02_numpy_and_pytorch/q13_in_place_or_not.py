"""
Q13 · In place or not: three ways to add one
============================================

**The question.** Take ``a``, a tensor of five ones, and its NumPy view ``b`` once more.
Add one to every entry of ``a`` in three different ways, each time from a fresh start:
with the in-place method ``add_``, by adding into the whole slice ``a[:]``, and with the
ordinary method ``add`` whose result is assigned back to the name ``a``. What are ``a``
and ``b`` afterwards? What do the three ways have in common, and where do they differ?

The page runs each way on its own fresh pair and checks with ``np.shares_memory``
whether ``a`` and ``b`` still sit on the same memory afterwards.
"""

# %%
# One small function prints the state of a pair: both values, and whether they share
# memory.
import numpy as np
import torch


def report(a, b):
    print("a =", a)
    print("b =", b)
    print("a and b share memory:", np.shares_memory(a.numpy(), b))


# %%
# First way: the in-place method
# -------------------------------
# A trailing underscore is PyTorch's mark for a method that overwrites its own tensor.
a = torch.ones(5)
b = a.numpy()

# sphinx_gallery_answer = "Add one to every entry of a with the in-place method."
a.add_(1)
# sphinx_gallery_answer_end
report(a, b)
# sphinx_gallery_start_ignore
assert np.shares_memory(a.numpy(), b) and b.tolist() == [2.0] * 5
# sphinx_gallery_end_ignore

# %%
# .. answer-reading: Does b see the change, and why?
#
# ``b`` shows the new values: the twos were written into the buffer that both names
# share.
#
# .. answer-reading-end
#
# Second way: adding into the whole slice
# ---------------------------------------
# ``a[:]`` names every element of the existing tensor, so the sum is stored back into
# it.
a = torch.ones(5)
b = a.numpy()

# sphinx_gallery_answer = "Add one to a by augmented assignment to its full slice."
a[:] += 1
# sphinx_gallery_answer_end
report(a, b)
# sphinx_gallery_start_ignore
assert np.shares_memory(a.numpy(), b) and b.tolist() == [2.0] * 5
# sphinx_gallery_end_ignore

# %%
# .. answer-reading: Does b see the change this time?
#
# Same outcome as the first way, for the same reason: the tensor object and its memory
# stay, only the numbers in it change.
#
# .. answer-reading-end
#
# Third way: out of place, then rebinding the name
# -------------------------------------------------
# This time we keep a second name, ``before``, on the tensor that ``a`` points to at the
# start, to see what becomes of it.
a = torch.ones(5)
b = a.numpy()
before = a

# sphinx_gallery_answer = "a plus one by the out-of-place method, bound to a."
a = a.add(1)
# sphinx_gallery_answer_end
report(a, b)
# sphinx_gallery_start_ignore
assert a.tolist() == [2.0] * 5 and b.tolist() == [1.0] * 5
assert not np.shares_memory(a.numpy(), b)
# sphinx_gallery_end_ignore

# %%
# .. answer-reading: What do a and b hold now, and why?
#
# ``a`` holds twos but ``b`` still holds ones, and they no longer share memory. The
# original tensor was never touched: the name ``a`` now points to a different, newly
# allocated one.
#
# .. answer-reading-end
print("a is the tensor it was at the start:", a is before)
print("before =", before)
print("before and b share memory:", np.shares_memory(before.numpy(), b))
# sphinx_gallery_start_ignore
assert a is not before and np.shares_memory(before.numpy(), b)
# sphinx_gallery_end_ignore

# %%
# .. note::
#
#    The plain augmented assignment ``a += 1``, without the slice, is in place too:
#    Python calls the tensor's ``__iadd__``, which PyTorch implements by writing into
#    the tensor. Only a spelled-out assignment such as ``a = a + 1`` creates a new
#    tensor.
a = torch.ones(5)
b = a.numpy()
a += 1
report(a, b)

# %%
# .. dropdown:: Answer
#
#    **In common.** All three leave ``a`` equal to ``[2, 2, 2, 2, 2]``.
#
#    **The difference is where the result is stored.**
#
#    - ``add_`` and the slice assignment into ``a[:]`` are *in place*: they write the
#      new numbers into the memory ``a`` already owns. That memory is also ``b``'s, so
#      ``b`` becomes ``[2. 2. 2. 2. 2.]`` too and the two still share memory.
#    - ``add`` (no underscore) is *out of place*: it allocates a new tensor for the
#      result and leaves its input alone. Assigning that result to ``a`` only moves the
#      *name* ``a`` to the new tensor. ``b`` still views the original memory, which
#      still holds ones, so ``b`` stays ``[1. 1. 1. 1. 1.]`` and ``a`` and ``b`` no
#      longer share anything.
#
#    The rule of thumb: an operation that writes into an existing tensor (a method
#    ending in ``_``, an indexed assignment, an augmented assignment such as ``+=``)
#    keeps every view of that tensor in step, while ``x = f(x)`` gives ``x`` a brand-new
#    tensor and leaves the old one, and its views, behind.

# %%
# Check
# -----
# The out-of-place way left the original tensor untouched; the plain ``+=`` of the note
# kept its pair in step.
assert before.tolist() == [1.0] * 5
assert np.shares_memory(a.numpy(), b) and b.tolist() == [2.0] * 5
