"""
Q03 · Converting to double precision
====================================

**The question.** Convert the tensors ``x`` of Q01 and ``y`` of Q02 with ``.double()``
and print them. What type does the printout show now?

The page converts both tensors, reads the type in the printout and in the tensors' own
attributes, and shows what the extra precision buys and costs.
"""

# %%
# The two tensors, as Q01 and Q02 made them
# -----------------------------------------
# ``x`` is uninitialised again, so its values are arbitrary; ``y`` is seeded random.
import torch

torch.manual_seed(0)
x = torch.Tensor(5, 3)
y = torch.rand(5, 3)
print(x.dtype, y.dtype)

# %%
# Both hold 32-bit floats, and the printout of a ``float32`` tensor does not mention its
# type at all, because ``float32`` is the default.
#
# Conversion
# ----------
# ``.double()`` returns a tensor with the same values stored as 64-bit floats.

# sphinx_gallery_answer = "Convert x and y to double precision."
x = x.double()
y = y.double()
# sphinx_gallery_answer_end
print(x)
print(y)

# %%
# .. answer-reading: What does the printout tell about the type?
#
# Each printout now ends with ``dtype=torch.float64``: PyTorch names the type as soon as
# it differs from the default.
#
# .. answer-reading-end
#
# Asked for their type, the tensors say the same thing:
print(x.dtype, x.type())
print(y.dtype, y.type())

# %%
# A second ``.double()`` costs nothing: on a tensor that is already ``float64`` there is
# nothing to convert, and it returns the tensor itself. ``.float()`` converts back to
# ``float32``, into a new tensor.
print("x.double() is x:", x.double() is x)
print("x.float() is x: ", x.float() is x)

# %%
# What the extra bits hold
# ------------------------
# The printout rounds to four decimals, which hides the difference. A ``float32`` keeps
# about 7 significant decimal digits and a ``float64`` about 16, at twice the memory per
# element.
third = torch.tensor(1 / 3, dtype=torch.float64)
print(f"float32: {third.float().item():.20f}   {third.float().element_size()} bytes")
print(f"float64: {third.double().item():.20f}   {third.double().element_size()} bytes")

# %%
# The single-precision third agrees with 1/3 to 7 decimals, the double-precision one to
# 16.
#
# .. dropdown:: Answer
#
#    After ``.double()`` both printouts end with ``dtype=torch.float64``: ``x`` and
#    ``y`` now hold **64-bit (double-precision) floats**, and their legacy type string
#    is ``torch.DoubleTensor`` instead of ``torch.FloatTensor``. Before the conversion
#    no type was printed, because ``torch.float32`` is PyTorch's default floating-point
#    type and the printout only names a type that differs from the default.
#
#    ``.double()`` (short for ``.to(torch.float64)``) does not change a tensor in place:
#    it returns a converted copy, which is why the result is assigned back to ``x`` and
#    ``y`` (on a tensor that is already ``float64`` it returns the tensor itself). The
#    values themselves are unchanged: ``x`` is still uninitialised garbage, now in
#    double precision. Double precision roughly doubles the accuracy in digits and the
#    memory, and on most consumer GPUs runs at a small fraction of float32's speed, by
#    their makers' specifications; deep learning almost always uses
#    ``float32`` (or less), while ``float64`` is the tool for numerical checks such as
#    comparing gradients with finite differences.

# %%
# Check
# -----
assert x.dtype == torch.float64 and y.dtype == torch.float64
assert x.double() is x and y.double() is y and x.float() is not x
# sphinx_gallery_start_ignore
# Each tensor converted from itself: y holds Q02's seeded numbers, and x is not y.
torch.manual_seed(0)
assert torch.equal(y, torch.rand(5, 3).double()) and not torch.equal(x, y)
# sphinx_gallery_end_ignore
assert x.type() == "torch.DoubleTensor" == y.type()
assert "dtype=torch.float64" in repr(y)
assert "dtype" not in repr(torch.rand(2))
assert abs(third.float().item() - 1 / 3) > 1e-9 > abs(third.item() - 1 / 3)
