"""
Q24 · Wrapping the data in tensors
==================================

**The question.** As the last step of the preparation, turn the four NumPy arrays
(training and test images, training and test labels) into PyTorch tensors with
``torch.from_numpy``.

The images go through as they are. The labels need one more thought: the loss function
that will train the network expects class indices of a particular integer type, and the
bytes read from the MNIST files are not quite it.
"""

# %%
# The arrays of Q21 to Q23
# ------------------------
# Loaded, rescaled to [-1, 1] and laid out as images × channels × height × width. They
# keep a ``_np`` suffix here, so that we can compare them with the tensors afterwards.
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import mnistcnn

xtrain_np, ltrain_np = mnistcnn.load("training")
xtest_np, ltest_np = mnistcnn.load("testing")
xtrain_np = np.moveaxis(mnistcnn.normalize(xtrain_np).reshape(28, 28, 1, 60000),
                        [3, 2], [0, 1])
xtest_np = np.moveaxis(mnistcnn.normalize(xtest_np).reshape(28, 28, 1, 10000),
                       [3, 2], [0, 1])
print("images:", xtrain_np.dtype, xtrain_np.shape, xtest_np.shape)
print("labels:", ltrain_np.dtype, ltrain_np.shape, ltest_np.shape)

# %%
# Which label types does the loss accept?
# ---------------------------------------
# The network will be trained with ``nn.CrossEntropyLoss``, which compares a batch of
# scores (one row of ten per image) with a batch of class indices. Let us hand it the
# first five training labels in several integer types. With all scores equal to zero,
# every class is equally likely and the loss should be :math:`\ln 10 \approx 2.3026`.
criterion = nn.CrossEntropyLoss()
scores = torch.zeros(5, 10)
for dtype in (torch.int8, torch.int32, torch.uint8, torch.int64):
    target = torch.tensor(ltrain_np[:5]).to(dtype)
    try:
        print(f"{dtype!s:12} loss = {criterion(scores, target).item():.4f}")
    except RuntimeError as err:
        print(f"{dtype!s:12} RuntimeError: {err}")

# %%
# Signed bytes and 32-bit integers are refused outright. Unsigned bytes (``uint8``, what
# ``load`` returns) happen to pass: PyTorch has accepted them in this loss since version
# 1.10 (2021), two years after the assignment was written, when only ``int64`` ("Long")
# worked. ``int64`` remains the type that PyTorch uses for indices everywhere else, and
# other functions are stricter, for instance the one-hot encoding:
try:
    F.one_hot(torch.tensor(ltrain_np[:5]), num_classes=10)
except RuntimeError as err:
    print("RuntimeError:", err)

# %%
# So the labels are converted to ``int64`` once, at the source, and nothing downstream
# has to care.

# %%
# Wrapping
# --------
# ``astype(np.int64)`` makes a fresh copy of each label vector in the right type;
# the images need no conversion.

# sphinx_gallery_answer = "Wrap the images as they are, the labels as int64."
xtrain = torch.from_numpy(xtrain_np)
ltrain = torch.from_numpy(ltrain_np.astype(np.int64))
xtest = torch.from_numpy(xtest_np)
ltest = torch.from_numpy(ltest_np.astype(np.int64))
# sphinx_gallery_answer_end
tensors = {"xtrain": xtrain, "ltrain": ltrain, "xtest": xtest, "ltest": ltest}
for name, tensor in tensors.items():
    print(f"{name:6} {tensor.dtype!s:14} {tuple(tensor.shape)}")

# %%
# .. answer-reading: Which types and shapes did you get?
#
# Four tensors with the types the network and the loss want: ``float32`` images in the
# N × 1 × 28 × 28 layout and ``int64`` labels.
#
# .. answer-reading-end
#
# No copy of the images
# ---------------------
# ``torch.from_numpy`` does not copy: the tensor is a second view of the array's memory,
# so wrapping 188 MB of images is instant and costs no memory. The label tensors, on the
# other hand, share memory with the ``int64`` copies, not with the original bytes.
print("xtrain shares memory with xtrain_np:",
      np.shares_memory(xtrain.numpy(), xtrain_np))
print("ltrain shares memory with ltrain_np:",
      np.shares_memory(ltrain.numpy(), ltrain_np))

# %%
# The flip side of sharing: writing into ``xtrain_np`` would change ``xtrain`` as well
# (Q14 shows this on a small example). The data is ready for the network of section 8.
#
# .. dropdown:: Answer
#
#    ``torch.from_numpy`` wraps each array into a tensor of the same type and shape,
#    without copying: ``xtrain`` and ``xtest`` become ``float32`` tensors of shape 60000
#    × 1 × 28 × 28 and 10000 × 1 × 28 × 28 that share their memory with the NumPy
#    arrays.
#
#    The labels are converted to ``int64`` first, giving tensors of shape (60000,) and
#    (10000,). ``nn.CrossEntropyLoss`` reads its targets as class indices and rejects
#    most integer types (``int8`` and ``int32`` raise a ``RuntimeError``).
#    Today's PyTorch also accepts ``uint8`` there, but the PyTorch of the assignment
#    accepted only ``int64``, and index-taking functions such as ``F.one_hot`` still do.
#    ``astype(np.int64)`` makes a copy, so the label tensors share memory with those
#    ``int64`` copies rather than with the arrays that were loaded.

# %%
# Check
# -----
assert xtrain.dtype == torch.float32 and xtest.dtype == torch.float32
assert ltrain.dtype == torch.int64 and ltest.dtype == torch.int64
assert xtrain.shape == (60000, 1, 28, 28) and xtest.shape == (10000, 1, 28, 28)
assert ltrain.shape == (60000,) and ltest.shape == (10000,)
# sphinx_gallery_start_ignore
reference_x, reference_l = mnistcnn.load_tensors("testing")
assert torch.equal(xtest, reference_x) and torch.equal(ltest, reference_l)
assert np.shares_memory(xtrain.numpy(), xtrain_np)
assert abs(criterion(scores, ltrain[:5]).item() - np.log(10)) < 1e-6
# sphinx_gallery_end_ignore
