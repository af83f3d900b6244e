"""
Q14 · From a NumPy array to a tensor
====================================

**The question.** Go the other way: make a NumPy array ``a`` of five ones, build a
tensor ``b`` from it with ``torch.from_numpy``, and then add one to ``a`` in place with
NumPy's ``np.add`` and its ``out`` argument. Print both and explain the output. The
source adds that every CPU tensor except a ``CharTensor`` converts to NumPy and back: is
that still so?

The page shows that ``from_numpy`` shares memory just as ``numpy()`` does, then tries
the round trip on a few kinds of tensors to see which ones really cannot make it.
"""

# %%
# From array to tensor
# --------------------
# ``torch.from_numpy`` wraps an existing array; the in-place ``np.add(..., out=a)`` then
# changes the array only.
import textwrap

import numpy as np
import torch

a = np.ones(5)

# sphinx_gallery_answer = "Make a tensor b from the NumPy array a, without copying."
b = torch.from_numpy(a)
# sphinx_gallery_answer_end
np.add(a, 1, out=a)
print(a)
print(b)

# %%
# .. answer-reading: Did the tensor see the change, and which type does it hold?
#
# The tensor saw the change: it is a view of the array's memory, the mirror image of
# Q12. It also says ``dtype=torch.float64``. NumPy's ones are 64-bit floats, and
# ``from_numpy`` keeps the element type rather than converting to PyTorch's usual
# ``float32``.
#
# .. answer-reading-end
print("share memory:", np.shares_memory(a, b.numpy()))
print("same start address:", a.ctypes.data == b.data_ptr())

# %%
# Sharing or copying, on purpose
# ------------------------------
# ``torch.from_numpy`` (and ``torch.as_tensor``) share when they can. ``torch.tensor``
# always copies, so its result does not follow later changes to the array.
copied = torch.tensor(a)
np.add(a, 1, out=a)
print("the array      :", a)
print("from_numpy view:", b)
print("torch.tensor   :", copied)

# %%
# What cannot make the round trip
# -------------------------------
# The remark about ``CharTensor`` does not hold for today's PyTorch. A ``CharTensor`` is
# the old name of an 8-bit signed integer tensor, ``torch.int8``, and it converts both
# ways like the others.
chars = torch.tensor([1, -2, 3], dtype=torch.int8)
print(repr(chars.numpy()))
print(torch.from_numpy(chars.numpy()))

# %%
# What does fail today is a tensor whose numbers NumPy cannot hold or reach. Each
# attempt below is caught and its error printed:
#
# - ``bfloat16``, a 16-bit float format common in deep learning, has no NumPy dtype;
# - a tensor that records gradients (see Q17) must be detached first;
# - a *sparse* tensor, which stores only its non-zero entries and their positions, has
#   no array layout;
# - a complex tensor whose conjugation is pending (``conj()`` only sets a flag, the
#   *conjugate bit*, and leaves the numbers as they were) cannot be read as they stand;
# - in the other direction, an array walked backwards (a negative stride) has no tensor
#   layout.
attempts = {
    "bfloat16 tensor": lambda: torch.ones(3, dtype=torch.bfloat16).numpy(),
    "tensor that requires grad": lambda: torch.ones(3, requires_grad=True).numpy(),
    "sparse tensor": lambda: torch.eye(2).to_sparse().numpy(),
    "conjugate bit set": lambda: torch.tensor([1 + 2j]).conj().numpy(),
    "array with a negative stride": lambda: torch.from_numpy(np.arange(3.0)[::-1]),
}
errors = {}
for what, attempt in attempts.items():
    try:
        attempt()
    except (TypeError, RuntimeError, ValueError) as err:
        errors[what] = err
        message = " ".join(str(err).split())
        print(textwrap.fill(f"{what}: {type(err).__name__}: {message}", 80))

# %%
# Each has a one-step fix, which most of PyTorch's own messages name (how a sparse
# tensor's message says it depends on the torch version):
# ``.float()`` converts to a type NumPy knows (a copy), ``.detach()`` gives a view of
# the same numbers that autograd does not watch (no copy), ``.to_dense()`` writes out
# every entry, ``.resolve_conj()`` carries out the pending conjugation, and ``.copy()``
# lays the array out afresh. Tensors on a GPU fail too; Q16 is about them.
print(torch.ones(3, dtype=torch.bfloat16).float().numpy())
print(torch.ones(3, requires_grad=True).detach().numpy())
print(torch.eye(2).to_sparse().to_dense().numpy())
print(torch.tensor([1 + 2j]).conj().resolve_conj().numpy())
print(torch.from_numpy(np.arange(3.0)[::-1].copy()))

# %%
# A float64 tensor in a float32 network
# -------------------------------------
# The ``float64`` that ``from_numpy`` keeps causes an error as soon as NumPy data goes
# into a network: layers hold ``float32`` weights, and PyTorch does not mix
# the two types in a layer. Here ``b``, five numbers, goes through a layer with five
# inputs; the exact wording of the error depends on the PyTorch version.
torch.manual_seed(0)
layer = torch.nn.Linear(5, 1)
print("weights:", layer.weight.dtype, " input:", b.dtype)
try:
    layer(b)
except RuntimeError as err:
    dtype_error = err
    print(textwrap.fill(f"RuntimeError: {err}", 80))

# %%
# The fix is one conversion, ``b.float()`` (a ``float32`` copy), or ``float32`` from the
# start: ``np.ones(5, dtype=np.float32)``, or ``torch.tensor(a, dtype=torch.float32)``.
with torch.no_grad():
    print(layer(b.float()))

# %%
# .. dropdown:: Answer
#
#    ``np.add(a, 1, out=a)`` changes only the array, yet both print twos: ``a`` shows
#    ``[2. 2. 2. 2. 2.]`` and ``b`` shows
#    ``tensor([2., 2., 2., 2., 2.], dtype=torch.float64)``. ``torch.from_numpy`` does
#    not copy: the tensor is built on the array's own memory, so a change made in place
#    through either one is seen through the other, exactly as with ``numpy()`` in Q12.
#    The element type is kept too, which is why ``b`` is ``float64``, the type of
#    NumPy's ones. Use ``torch.tensor(a)`` when an independent copy is wanted.
#
#    The ``CharTensor`` exception is out of date: ``int8`` tensors convert both ways.
#    What cannot convert today is a tensor whose element type NumPy lacks
#    (``bfloat16``), a tensor that requires gradients (detach it first), a sparse
#    tensor (``.to_dense()`` first), a complex tensor with its conjugate bit set
#    (``.resolve_conj()`` first), a tensor that is not in CPU memory (move it with
#    ``.cpu()`` first, Q16) and, from the NumPy side, an array with negative strides.

# %%
# Check
# -----
assert b.dtype == torch.float64
assert np.shares_memory(a, b.numpy())
assert b.tolist() == [3.0] * 5 and copied.tolist() == [2.0] * 5
assert chars.numpy().dtype == np.int8
assert isinstance(errors["bfloat16 tensor"], TypeError)
assert isinstance(errors["tensor that requires grad"], RuntimeError)
assert isinstance(errors["sparse tensor"], TypeError)
assert isinstance(errors["conjugate bit set"], RuntimeError)
assert np.array_equal(torch.eye(2).to_sparse().to_dense().numpy(), np.eye(2))
assert "resolve_conj" in str(errors["conjugate bit set"])
assert isinstance(errors["array with a negative stride"], ValueError)
assert isinstance(dtype_error, RuntimeError)
assert layer(b.float()).dtype == torch.float32
