"""
Q23 · Looking at a digit
========================

**The question.** Check the reorganised data by eye: draw training image number 42,
``xtrain[42, 0, :, :]``, with the ``show`` function of the first assignment, and make
sure the digit you see is the one that ``ltrain[42]`` names.

A shape check cannot catch a scrambled pixel order (Q22 showed a transposed digit with a
perfectly good shape); a picture next to its label can.
"""

# %%
# The data of Q22
# ---------------
# Load, rescale to [-1, 1] and rearrange into images × channels × height × width.
import matplotlib.pyplot as plt
import numpy as np

import mnistcnn

xtrain, ltrain = mnistcnn.load("training")
xtrain = np.moveaxis(mnistcnn.normalize(xtrain).reshape(28, 28, 1, -1), [3, 2], [0, 1])
print(xtrain.shape)

# %%
# Image 42 and its label
# ----------------------
# ``xtrain[42, 0, :, :]`` is the 28 × 28 grid of image 42's only channel;
# ``mnistcnn.show`` plays the part of ``MNISTtools.show`` and draws it, and returns the
# matplotlib axes it drew in, which we keep as ``ax``. We put the label in the title.

# sphinx_gallery_answer = "Draw image 42 with mnistcnn.show into ax; print its label."
ax = mnistcnn.show(xtrain[42, 0, :, :], title=f"ltrain[42] = {ltrain[42]}")
print(f"ltrain[42] = {ltrain[42]}")
# sphinx_gallery_answer_end
plt.show()
# sphinx_gallery_start_ignore
shown = ax.images[0].get_array()
assert np.array_equal(shown, xtrain[42, 0]), "ax should show image 42: xtrain[42, 0]"
# sphinx_gallery_end_ignore

# %%
# .. answer-reading: Which digit do you see, and does the label agree?
#
# The picture is a seven and the label says 7: image and label belong together, and the
# rows and columns are the right way round.
#
# .. answer-reading-end
#
# More than one witness
# ---------------------
# One digit could agree by luck (some digits look alike when mirrored), so here are the
# first sixteen training images, each titled with its label.
fig, axes = plt.subplots(2, 8, figsize=(6, 2), layout="constrained")
for i, ax in enumerate(axes.flat):
    mnistcnn.show(xtrain[i, 0], ax=ax, title=str(ltrain[i]))
fig.suptitle("Training images 0 to 15 with their labels")
plt.show()

# %%
# Every digit reads as its label, upright and not mirrored.
#
# .. dropdown:: Answer
#
#    ``mnistcnn.show(xtrain[42, 0, :, :])`` draws an upright, handwritten 7, and
#    ``ltrain[42]`` is 7. The index ``[42, 0, :, :]`` picks image 42, its single
#    channel, and all of its rows and columns, so the drawing confirms the whole chain:
#    the images and the labels are in the same order, each image sits on the first axis,
#    and its pixels fill the 28 × 28 grid row by row. Had the pixels been read column by
#    column, the same call would show the 7 mirrored across its diagonal; had the axes
#    been left in the order (image, row, column, channel), ``xtrain[42, 0, :, :]`` would
#    hold only the 28 pixels of the image's top row, and ``show`` would refuse them.

# %%
# Check
# -----
assert ltrain[42] == 7
# sphinx_gallery_start_ignore
reference, labels = mnistcnn.load_tensors("training")
assert np.array_equal(xtrain[42, 0], reference[42, 0].numpy()) and labels[42] == 7
# sphinx_gallery_end_ignore
