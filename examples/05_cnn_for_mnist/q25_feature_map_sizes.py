"""
Q25 · Feature-map sizes through LeNet
=====================================

**The question.** Our LeNet has two convolution blocks, each a 5 × 5 convolution
followed by ReLU and 2 × 2 max-pooling (the first turns the image into 6 feature maps,
the second turns those into 16), and then three fully connected layers of 120, 84 and 10
units. Work out the size of the feature maps after each convolution and each pooling,
and the number of inputs of the first fully connected layer.

We do the arithmetic by hand, then push a real digit through the layers of a LeNet and
watch the shapes, and the pictures, shrink.
"""

# %%
# Two rules
# ---------
# A convolution with a :math:`K \times K` kernel and no padding fits the kernel into a
# :math:`W \times H` image in :math:`(W - K + 1) \times (H - K + 1)` positions. A
# max-pooling over non-overlapping :math:`L \times L` windows keeps one value per
# window:
#
# .. math::
#
#    W \;\xrightarrow{\text{conv } K}\; W - K + 1,
#    \qquad
#    W \;\xrightarrow{\text{pool } L}\; \lfloor W / L \rfloor .
#
# The number of feature maps is set by the layer (6, then 16), whatever the image size.
# The code names the sides ``after_conv1``, ``after_pool1``, ``after_conv2`` and
# ``after_pool2``, and the inputs of the first fully connected layer ``fc1_inputs``.

# sphinx_gallery_answer = "W - K + 1 for each convolution, W // 2 for each pooling."
after_conv1 = 28 - 5 + 1
after_pool1 = after_conv1 // 2
after_conv2 = after_pool1 - 5 + 1
after_pool2 = after_conv2 // 2
fc1_inputs = 16 * after_pool2 * after_pool2
# sphinx_gallery_answer_end
print(f"conv1: 6 maps of {after_conv1} × {after_conv1}")
print(f"pool1: 6 maps of {after_pool1} × {after_pool1}")
print(f"conv2: 16 maps of {after_conv2} × {after_conv2}")
print(f"pool2: 16 maps of {after_pool2} × {after_pool2}")
print(f"fc1 input features: {fc1_inputs}")

# %%
# .. answer-reading: Which sizes, and how many inputs for fc1?
#
# The image goes 28 → 24 → 12 → 8 → 4, and the sixteen final 4 × 4 maps, laid end to
# end, make 16 · 4 · 4 = 256 numbers: the inputs of the first fully connected layer.
#
# .. answer-reading-end
#
# Checking with a real digit
# --------------------------
# ``mnistcnn.LeNet`` is this network. Its weights are still random, which does not
# matter for the shapes. We take the first test image as a batch of one and apply the
# layers one at a time, as the network's ``forward`` does.
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

import mnistcnn

device = mnistcnn.pick_device()
xtest, ltest = mnistcnn.load_tensors("testing", device=device)
torch.manual_seed(0)
net = mnistcnn.LeNet().to(device)
x = xtest[:1]

with torch.no_grad():
    conv1 = F.relu(net.conv1(x))
    pool1 = F.max_pool2d(conv1, 2)
    conv2 = F.relu(net.conv2(pool1))
    pool2 = F.max_pool2d(conv2, 2)
    flat = pool2.flatten(1)

# %%
# Each tensor is *batch × channels × height × width*; after flattening, *batch ×
# features*.
for name, t in [
    ("input", x),
    ("conv1 + ReLU", conv1),
    ("pool1", pool1),
    ("conv2 + ReLU", conv2),
    ("pool2", pool2),
    ("flattened", flat),
]:
    print(f"{name:13} {tuple(t.shape)}")
print("fc1 expects", net.fc1.in_features, "inputs")

# %%
# The measured shapes are the ones computed by hand, and ``fc1`` was built for exactly
# the 256 values it receives.
#
# What the feature maps look like
# -------------------------------
# Below, every stage is drawn at the same scale (one square per value), each map scaled
# to its own brightest value. The maps shrink at every step while their number grows
# from 1 to 6 to 16, and after the second pooling the whole digit is summed up in 256
# numbers.


def tile(maps, ncols):
    """Lay C maps of H × W side by side, ncols per row, one blank pixel between them."""
    c, h, w = maps.shape
    nrows = -(-c // ncols)
    out = np.full((nrows * (h + 1) - 1, ncols * (w + 1) - 1), np.nan)
    for i, fmap in enumerate(maps):
        top, left = (i // ncols) * (h + 1), (i % ncols) * (w + 1)
        out[top : top + h, left : left + w] = fmap / max(fmap.max(), 1e-6)
    return out


stages = [
    ("input", x, 1),
    ("conv1 + ReLU", conv1, 3),
    ("pool1", pool1, 3),
    ("conv2 + ReLU", conv2, 4),
    ("pool2", pool2, 4),
]
mosaics = [tile(t[0].cpu().numpy(), ncols) for _, t, ncols in stages]
widths = [m.shape[1] for m in mosaics]  # width in proportion: one scale for all stages
fig, axes = plt.subplots(1, len(stages), figsize=(8, 2.6), layout="constrained",
                         width_ratios=widths)
for ax, (name, t, _), mosaic in zip(axes, stages, mosaics, strict=True):
    ax.imshow(mosaic, cmap="gray", interpolation="nearest")
    ax.set_title(f"{name}\n{' × '.join(map(str, t.shape[1:]))}", fontsize=9)
    ax.set_axis_off()
fig.suptitle(f"A test digit ({ltest[0].item()}) going through LeNet (random weights)")
plt.show()

# %%
# Even with random weights, the first maps are recognisable, filtered copies of the
# digit: a convolution is a local weighted sum, so it keeps the picture's geometry.
# Each pooling halves the resolution, and by the last stage each 4 × 4 map tells only
# roughly where in the digit its filter responded.
#
# Floor or ceiling?
# -----------------
# The assignment's text gives the pooled size as :math:`\lceil W/L \rceil`, the ceiling.
# PyTorch's ``max_pool2d`` rounds **down** unless asked otherwise (``ceil_mode=False``):
# a leftover row or column that does not fill a whole window is dropped. On a 5 × 5
# input the two differ:
odd = torch.arange(25.0).view(1, 1, 5, 5)
print("input:\n", odd[0, 0])
print("floor (default):\n", F.max_pool2d(odd, 2)[0, 0])
print("ceil_mode=True:\n", F.max_pool2d(odd, 2, ceil_mode=True)[0, 0])

# %%
# Rounding down drops the last row and column (values 20 to 24 and 4, 9, 14, 19);
# rounding up keeps them in half-empty windows. For the sizes LeNet meets, both give the
# same result, because 24 and 8 are even:
for width in (24, 8, 5):
    ones = torch.ones(1, 1, width, width)
    floor = F.max_pool2d(ones, 2).shape[-1]
    ceil = F.max_pool2d(ones, 2, ceil_mode=True).shape[-1]
    print(f"W = {width:2d}:  floor {floor:2d}   ceil {ceil:2d}")

# %%
# So the assignment's formula and PyTorch agree here, and the answer does not depend on
# the convention.
#
# .. dropdown:: Answer
#
#    With no padding, a 5 × 5 convolution shrinks each side by 4 pixels and a 2 × 2
#    max-pooling halves it:
#
#    =======================  ====================
#    after                    feature maps
#    =======================  ====================
#    input                    1 × 28 × 28
#    conv1 (5 × 5) and ReLU   6 × 24 × 24
#    max-pooling (2 × 2)      6 × 12 × 12
#    conv2 (5 × 5) and ReLU   16 × 8 × 8
#    max-pooling (2 × 2)      16 × 4 × 4
#    =======================  ====================
#
#    The third layer, the first fully connected one, therefore has
#    :math:`16 \cdot 4 \cdot 4 = 256` input units (and 120 outputs). ReLU changes no
#    sizes.
#
#    PyTorch's ``max_pool2d`` rounds the pooled size down, :math:`\lfloor W/L \rfloor`,
#    where the assignment writes :math:`\lceil W/L \rceil`; they agree whenever
#    :math:`W` is a multiple of :math:`L`, as 24 and 8 are. (The LeNet of the PyTorch
#    tutorial takes 32 × 32 images, hence 16 · 5 · 5 = 400 inputs there; MNIST's 28 × 28
#    digits give 256.)

# %%
# Check
# -----
assert (after_conv1, after_pool1, after_conv2, after_pool2) == (24, 12, 8, 4)
assert fc1_inputs == flat.shape[1] == net.fc1.in_features == 256
sizes = (after_conv1, after_pool1, after_conv2, after_pool2, fc1_inputs)
assert all(isinstance(size, int) for size in sizes), "sizes are whole numbers: W // 2"
# sphinx_gallery_start_ignore
assert conv1.shape == (1, 6, 24, 24) and pool1.shape == (1, 6, 12, 12)
assert conv2.shape == (1, 16, 8, 8) and pool2.shape == (1, 16, 4, 4)
with torch.no_grad():
    by_hand = net.fc3(F.relu(net.fc2(F.relu(net.fc1(flat)))))
    assert torch.allclose(by_hand, net(x), atol=1e-6, rtol=0)
assert F.max_pool2d(odd, 2).shape[-1] == 2
assert F.max_pool2d(odd, 2, ceil_mode=True).shape[-1] == 3
# sphinx_gallery_end_ignore
