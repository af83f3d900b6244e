"""
Q22 · From one image per column to N × 1 × 28 × 28
==================================================

**The question.** A convolutional layer in PyTorch takes its input as a four-dimensional
array laid out as *batch size × input channels × image height × image width*. MNIST
digits are grey-level images, so they have a single channel (a colour image would have
three, and deeper in a network the channels are the feature maps of the layer before).
Rearrange ``xtrain`` and ``xtest`` into that layout, by reshaping them to (28, 28, 1, N)
first and then moving axes with ``np.moveaxis``.

The reshaping is two lines, but it is easy to get subtly wrong: the result can have the
right shape and still hold scrambled images. We do it, then prove it right.
"""

# %%
# The starting point
# ------------------
# As in Q21: load both sets and rescale them to [-1, 1].
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import torch

import mnistcnn

xtrain, ltrain = mnistcnn.load("training")
xtest, ltest = mnistcnn.load("testing")
xtrain, xtest = mnistcnn.normalize(xtrain), mnistcnn.normalize(xtest)
print(xtrain.shape, xtest.shape)

# %%
# Each column is one image whose 784 pixels are stored **row by row**: pixel ``k`` of a
# column sits in row ``k // 28`` and column ``k % 28`` of the picture. That is NumPy's
# default (C) order, so ``reshape`` with its default order cuts the 784 values into 28
# rows of 28, which is what we need.
#
# Reshape, then move the axes
# ---------------------------
# After ``reshape(28, 28, 1, N)`` the axes are (row, column, channel, image).
# ``np.moveaxis`` takes the image axis (3) to position 0 and the channel axis (2) to
# position 1; the two remaining axes, row and column, keep their order behind them.

# sphinx_gallery_answer = "Reshape to (28, 28, 1, N); image axis first, channel second."
xtrain = np.moveaxis(xtrain.reshape(28, 28, 1, 60000), [3, 2], [0, 1])
xtest = np.moveaxis(xtest.reshape(28, 28, 1, 10000), [3, 2], [0, 1])
# sphinx_gallery_answer_end
print("xtrain:", xtrain.shape)
print("xtest: ", xtest.shape)
# sphinx_gallery_start_ignore
assert xtrain.shape == (60000, 1, 28, 28), "xtrain: images × channels × rows × columns"
assert xtest.shape == (10000, 1, 28, 28), "xtest: images × channels × rows × columns"
# sphinx_gallery_end_ignore

# %%
# A classic slip: moving only the last axis
# -----------------------------------------
# ``np.moveaxis(a, -1, 0)`` alone moves the image axis to the front but leaves the
# channel axis at the end. The shape looks plausible, yet a convolution reads the wrong
# axis as its channels:
columns, _ = mnistcnn.load("testing")
channels_last = np.moveaxis(mnistcnn.normalize(columns).reshape(28, 28, 1, -1), -1, 0)
print("shape:", channels_last.shape)
conv = torch.nn.Conv2d(1, 6, 5)
try:
    conv(torch.from_numpy(channels_last[:2]))
except RuntimeError as err:
    print(textwrap.fill(f"RuntimeError: {err}", 80))

# %%
# PyTorch takes the 28 image rows for 28 channels and refuses. That slip announces
# itself; the next one does not.
#
# Right shape, wrong picture
# --------------------------
# Reshaping in Fortran order (``order="F"``) gives exactly the same shape, but fills the
# 28 × 28 grid column by column, so every image comes out transposed:
by_columns = mnistcnn.normalize(columns).reshape(28, 28, 1, 10000, order="F")
transposed = np.moveaxis(by_columns, [3, 2], [0, 1])
print("shape:", transposed.shape, "  same as xtest:", transposed.shape == xtest.shape)

fig, axes = plt.subplots(1, 2, figsize=(4.4, 2.6), layout="constrained")
mnistcnn.show(xtest[0, 0], ax=axes[0], title="row by row (correct)")
mnistcnn.show(transposed[0, 0], ax=axes[1], title="column by column")
fig.suptitle(f"Test image 0, labelled {ltest[0]}")
plt.show()

# %%
# Only the pixel order tells them apart, which is why the result needs an independent
# check.
#
# Proof against the package
# -------------------------
# ``mnistcnn.load_tensors`` builds the same N × 1 × 28 × 28 arrays in its own way,
# independently of our two lines. If the two agree on every one of the 55 million
# pixels, the layout is right in both places:
xref_train, _ = mnistcnn.load_tensors("training")
xref_test, _ = mnistcnn.load_tensors("testing")
print("xtrain matches the package: ", np.array_equal(xtrain, xref_train.numpy()))
print("xtest matches the package:  ", np.array_equal(xtest, xref_test.numpy()))
print("the F-order version matches:", np.array_equal(transposed, xref_test.numpy()))

# %%
# The C-order reshape matches exactly; the transposed one does not. Q23 checks the
# result once more by eye, on a digit whose label we know.
#
# .. dropdown:: Answer
#
#    ``xtrain`` goes from 784 × 60000 to 60000 × 1 × 28 × 28 and ``xtest`` from 784 ×
#    10000 to 10000 × 1 × 28 × 28:
#
#    1. ``reshape(28, 28, 1, N)`` splits the 784 pixels of each column into 28 rows of
#       28. This is right because the pixels are stored row by row, which is the default
#       (C) order of ``reshape``; the size-1 axis is the single grey-level channel.
#    2. ``np.moveaxis(..., [3, 2], [0, 1])`` reorders (row, column, channel, image) into
#       (image, channel, row, column), the *N × C × H × W* layout of ``nn.Conv2d``.
#
#    Moving only the last axis to the front gives N × 28 × 28 × 1, a "channels-last"
#    layout that a convolution rejects (it would see 28 channels). Reshaping in Fortran
#    order gives the right shape with transposed images, which nothing would reject: a
#    network trained and tested on them would even score as well, since every image is
#    mirrored alike, but every digit drawn from them would look wrong and the network
#    would fail on digits prepared any other way. Comparing with the package's
#    ``load_tensors`` shows that the C-order version is the right one, pixel for pixel.

# %%
# Check
# -----
assert xtrain.shape == (60000, 1, 28, 28) and xtest.shape == (10000, 1, 28, 28)
assert np.array_equal(xtrain, xref_train.numpy())
assert np.array_equal(xtest, xref_test.numpy())
# sphinx_gallery_start_ignore
assert not np.array_equal(transposed, xtest)
assert np.array_equal(transposed[0, 0], xtest[0, 0].T)
assert channels_last.shape == (10000, 28, 28, 1)
# sphinx_gallery_end_ignore
