"""
Q12 · Shared memory between a tensor and its array
==================================================

**The question.** Start again from ``a``, a tensor of five ones, and ``b``, its NumPy
version. Add one to the first element of ``a`` and print both. Do ``a`` and ``b`` still
agree? Do they share the memory that holds their numbers?

The page changes ``a``, watches ``b`` follow, and then proves that the two objects read
the very same bytes.
"""

# %%
# The starting point of Q11: a tensor and the array made from it.
import numpy as np
import torch

a = torch.ones(5)
b = a.numpy()

# %%
# Changing the tensor
# -------------------
# Only the first entry of ``a`` is changed; no line below writes to ``b``.

# sphinx_gallery_answer = "Add one to the first element of a."
a[0] += 1
# sphinx_gallery_answer_end
print(a)
print(b)

# %%
# .. answer-reading: What became of b?
#
# ``b`` changed too.
#
# .. answer-reading-end
#
# Equal values alone do not prove shared memory, though: two separate copies could hold
# the same numbers. So we ask about the memory itself.
#
# Proof: the same bytes
# ---------------------
# ``np.shares_memory`` tells whether two arrays overlap in memory (``a.numpy()`` gives
# NumPy a look at ``a``). The start addresses agree too: ``data_ptr()`` for a tensor,
# ``ctypes.data`` for an array. The addresses change from run to run; their equality
# does not.

# sphinx_gallery_answer = "Ask NumPy whether a, as an array, overlaps b in memory."
shared = np.shares_memory(a.numpy(), b)
# sphinx_gallery_answer_end
print("a and b share memory:", shared)
print(f"a's numbers start at {a.data_ptr():#x}")
print(f"b's numbers start at {b.ctypes.data:#x}")

# %%
# The link works both ways
# ------------------------
# Writing through the array changes the tensor as well.
b[1] = 10
print(a)

# %%
# A copy breaks the link
# ----------------------
# When an independent snapshot is wanted, copy explicitly: ``.copy()`` on the NumPy
# side, ``.clone()`` on the PyTorch side. The copy has memory of its own and stops
# following ``a``.
snapshot = a.numpy().copy()
a[2] = -1
print("a        =", a)
print("snapshot =", snapshot)
print("snapshot shares memory with a:", np.shares_memory(snapshot, a.numpy()))

# %%
# .. dropdown:: Answer
#
#    They match: after the change both print ``2, 1, 1, 1, 1``, although only ``a`` was
#    written to. They match because they share their memory. ``numpy()`` does not copy:
#    it wraps the tensor's own buffer in an ``ndarray``, so ``a`` and ``b`` are two
#    names for one block of five floats, and ``np.shares_memory`` and the equal start
#    addresses confirm it. A change made in place through either name is seen through
#    the other (``b[1] = 10`` showed up in ``a``).
#
#    This makes the conversion free, whatever the size of the tensor, but it also means
#    that ``b`` is not a snapshot. Take ``.copy()`` (or ``.clone()`` on the tensor) when
#    you need numbers that stay put.

# %%
# Check
# -----
assert shared
assert a.data_ptr() == b.ctypes.data
assert b.tolist() == [2.0, 10.0, -1.0, 1.0, 1.0] == a.tolist()
assert snapshot.tolist() == [2.0, 10.0, 1.0, 1.0, 1.0]
assert not np.shares_memory(snapshot, b)
