"""
Q11 · From a tensor to a NumPy array
====================================

**The question.** Create a tensor ``a`` holding five ones, turn it into a NumPy array
``b`` with the tensor's ``numpy()`` method, and print both. What are the types of ``a``
and ``b``?

The page converts the tensor, then asks Python and both libraries what each object is.
"""

# %%
# A tensor of five ones
# ---------------------
# ``torch.ones`` makes a new tensor filled with ones, in PyTorch's default element type,
# 32-bit floating point.
import numpy as np
import torch

a = torch.ones(5)
print(a)

# %%
# Converting it
# -------------
# Every tensor that lives in CPU memory has a ``numpy()`` method, which hands its
# numbers to NumPy as an ``ndarray``.

# sphinx_gallery_answer = "Convert the tensor a into a NumPy array called b."
b = a.numpy()
# sphinx_gallery_answer_end
print(b)

# %%
# .. answer-reading: How do the two printouts differ?
#
# The two printouts differ only in dress: PyTorch writes ``tensor([...])`` with commas,
# NumPy a bare bracketed list.
#
# .. answer-reading-end
#
# Python's ``type`` tells the two objects apart for certain.

# sphinx_gallery_answer = "Print the Python type of a and the Python type of b."
print(type(a), type(b))
# sphinx_gallery_answer_end

# %%
# The element type
# ----------------
# Both hold 32-bit floats. That is worth a look, because NumPy left to itself would have
# chosen 64-bit floats for an array of ones.
print("a holds", a.dtype)
print("b holds", b.dtype)
print("NumPy's own default:", np.ones(5).dtype)

# %%
# ``b`` kept the tensor's ``float32`` rather than NumPy's ``float64``: the conversion
# reinterprets the tensor's numbers, it does not re-create them. Q12 shows how far that
# goes.
#
# .. dropdown:: Answer
#
#    ``a`` is a ``torch.Tensor`` and ``b`` is a ``numpy.ndarray``: two types from two
#    libraries. They hold the same five ones, with the same shape ``(5,)`` and the same
#    element type, 32-bit float (``torch.float32`` and ``numpy.float32``), even though
#    NumPy would have picked ``float64`` for ``np.ones(5)``. The element type carries
#    over exactly because ``numpy()`` does not copy the numbers into a fresh array: it
#    gives NumPy a view of the tensor's own memory, as the next question proves.

# %%
# Check
# -----
# What the answer rests on; a failure here fails the build of this page.
assert isinstance(a, torch.Tensor)
assert isinstance(b, np.ndarray)
assert a.dtype == torch.float32 and b.dtype == np.float32
assert b.shape == tuple(a.shape) == (5,)
assert (b == 1).all()
