"""
Q21 · Loading and normalising MNIST
===================================

**The question.** Read the MNIST training and test sets with the loading code of the
first assignment, and rescale their pixel values from the integers 0 to 255 to real
numbers between -1 and 1.

In this textbook the package ``mnistcnn`` plays the part of the first assignment's
``MNISTtools`` module: ``mnistcnn.load`` reads the four standard MNIST files and
``mnistcnn.normalize`` rescales the pixels. We load both sets, look at what comes back,
and count how many examples of each digit there are.
"""

# %%
# Reading the files
# -----------------
# ``load`` returns the images as one big matrix with **one image per column**: each
# column holds the 28 × 28 = 784 pixels of one digit, row after row. The labels come as
# a vector with one digit (0 to 9) per image.
import matplotlib.pyplot as plt
import numpy as np

import mnistcnn

# sphinx_gallery_answer = "xtrain, ltrain and xtest, ltest, read with mnistcnn.load."
xtrain, ltrain = mnistcnn.load("training")
xtest, ltest = mnistcnn.load("testing")
# sphinx_gallery_answer_end
print(f"xtrain: {xtrain.shape} {xtrain.dtype}    ltrain: {ltrain.shape} {ltrain.dtype}")
print(f"xtest:  {xtest.shape} {xtest.dtype}    ltest:  {ltest.shape} {ltest.dtype}")

# %%
# .. answer-reading: How many images, in which layout and type?
#
# That is 60,000 training and 10,000 test images, stored as ``uint8``: unsigned bytes,
# exactly as in the files.
#
# .. answer-reading-end
#
# What values do the pixels take?
print(f"pixel values from {xtrain.min()} to {xtrain.max()}")
print(f"pixels at 0 (background):        {100 * np.mean(xtrain == 0):.1f}%")
print(f"pixels at 255 (ink at full tone): {100 * np.mean(xtrain == 255):.1f}%")

# %%
# Grey levels run over the whole byte range, and four pixels out of five are background.
#
# Rescaling to [-1, 1]
# --------------------
# The normalisation is the affine map that sends 0 to -1 and 255 to 1:
#
# .. math::
#
#    x \mapsto \frac{2x}{255} - 1 .
#
# It also converts the bytes to ``float32``, the type in which PyTorch's layers compute.

# sphinx_gallery_answer = "xtrain and xtest rescaled with mnistcnn.normalize."
xtrain = mnistcnn.normalize(xtrain)
xtest = mnistcnn.normalize(xtest)
# sphinx_gallery_answer_end
print(f"xtrain: {xtrain.dtype}, values from {xtrain.min()} to {xtrain.max()}")
print(f"xtest:  {xtest.dtype}, values from {xtest.min()} to {xtest.max()}")

# %%
# .. answer-reading: Which range do the pixels span now?
#
# Both sets now span exactly [-1, 1].
#
# .. answer-reading-end
#
# Here is the map applied to a few grey levels:
for level in (0, 127, 128, 255):
    value = mnistcnn.normalize(np.array([level], dtype=np.uint8))[0]
    print(f"{level:3d} -> {value:+.4f}")

# %%
# Background becomes -1, ink at full tone becomes +1, and mid-grey lands near 0 (never
# exactly on it, since 255 is odd). The price of ``float32`` is four bytes per pixel
# instead of one:
print(f"training images as float32: {xtrain.nbytes / 1e6:.0f} MB")

# %%
# How many of each digit?
# -----------------------
# ``np.bincount`` counts how often each label occurs. Shown as percentages, the two sets
# can be compared directly.
counts_train = np.bincount(ltrain, minlength=10)
counts_test = np.bincount(ltest, minlength=10)
print("training:", counts_train)
print("test:    ", counts_test)

digits = np.arange(10)
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
share_train = 100 * counts_train / counts_train.sum()
share_test = 100 * counts_test / counts_test.sum()
ax.bar(digits - 0.2, share_train, width=0.4, label="training set")
ax.bar(digits + 0.2, share_test, width=0.4, label="test set")
ax.axhline(10, color="black", linewidth=0.8, linestyle="--")
ax.set_xticks(digits)
ax.set_xlabel("digit")
ax.set_ylabel("share of the set (%)")
ax.set_ylim(0, 14)
ax.set_title("MNIST is nearly balanced: every digit is close to 10%")
ax.legend(loc="upper center", ncols=2)
plt.show()

# %%
# No digit is rare: the shares run from about 9% (fives) to about 11% (ones), in both
# sets alike. A classifier that guesses at random will therefore be right about one time
# in ten, a baseline we meet again in Q28.
#
# .. dropdown:: Answer
#
#    ``mnistcnn.load("training")`` and ``mnistcnn.load("testing")`` return the images as
#    784 × 60000 and 784 × 10000 arrays of ``uint8`` (one column per image, its 28 rows
#    of 28 pixels one after the other) and the labels as vectors of 60,000 and 10,000
#    digits. ``mnistcnn.normalize`` maps every pixel :math:`x \in \{0, \dots, 255\}` to
#    :math:`2x/255 - 1`, a ``float32`` in [-1, 1]: background pixels become -1 and ink
#    at full tone +1.
#
#    Why bother? PyTorch draws a layer's initial weights uniformly between
#    :math:`\pm 1/\sqrt{n}`, where :math:`n` is the number of inputs of one unit (25
#    for ``conv1``, 256 for ``fc1``). A weighted sum of :math:`n` inputs then comes out
#    at about :math:`1/\sqrt{3}` of their size, and ReLU sets the negative half to
#    zero, so the signal shrinks from layer to layer: from inputs of the order of 1,
#    the fresh LeNet's ten scores are only about ±0.1 (Q28). Raw values up to 255 would
#    make the activations tens to a hundred times larger, and the first layers'
#    gradients with them, which would call for a much smaller step size. The same map
#    is applied to the training and the test images, so the network sees both on the
#    same scale.
#
#    The ten digits are about equally frequent (each makes up between 8.9% and 11.4% of
#    a set), so the accuracy of a network can be read against a chance level of about
#    10%.

# %%
# Check
# -----
assert xtrain.shape == (784, 60000) and xtest.shape == (784, 10000)
assert ltrain.shape == (60000,) and ltest.shape == (10000,)
assert xtrain.dtype == np.float32 and xtest.dtype == np.float32
assert xtrain.min() == -1.0 and xtrain.max() == 1.0
assert xtest.min() == -1.0 and xtest.max() == 1.0
assert counts_train.sum() == 60000 and counts_test.sum() == 10000
# sphinx_gallery_start_ignore
raw, _ = mnistcnn.load("training")
assert np.allclose(xtrain[:, :1000], raw[:, :1000] / 127.5 - 1, atol=1e-6)
assert ltrain.min() == 0 and ltrain.max() == 9
assert (counts_train / 60000).min() > 0.09 and (counts_train / 60000).max() < 0.115
# sphinx_gallery_end_ignore
