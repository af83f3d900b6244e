"""
Q26 · The LeNet class
=====================

**The question.** The assignment gives the skeleton of a ``LeNet`` class, a subclass of
``nn.Module``, with a few lines left blank. Explain what each part of the class does and
fill in the blanks.

We complete the class, print it, and then prove it is the same network as the package's
``mnistcnn.LeNet``: same parameters, and, given the same weights, the same outputs.
"""

# %%
# How an ``nn.Module`` is organised
# ---------------------------------
# A network in PyTorch is a class derived from ``nn.Module`` with two methods:
#
# * ``__init__`` creates the layers that hold learnable weights (here two convolutions
#   and three fully connected layers) and stores them as attributes, which registers
#   them with the module;
# * ``forward`` says how an input batch flows through those layers. ReLU and max-pooling
#   have no weights, so they are simply called as functions from
#   ``torch.nn.functional``.
#
# There is no backward method to write: autograd records the operations of ``forward``
# and differentiates them. The blanks are the second convolution, the first fully
# connected layer, and the two steps of ``forward`` that use them. Their sizes come from
# Q25.
import textwrap

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import mnistcnn


class LeNet(nn.Module):
    """LeNet for 28 × 28 digits: two convolution blocks, three linear layers."""

    # The layers with learnable weights, created once.
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        # sphinx_gallery_answer = "conv2: 6 → 16 maps, 5 × 5; fc1: 16 · 4 · 4 → 120."
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
        # sphinx_gallery_answer_end
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    # One forward pass: an N × 1 × 28 × 28 batch in, N × 10 scores out.
    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        # sphinx_gallery_answer = "The second block: conv2, ReLU, 2 × 2 max-pooling."
        x = F.max_pool2d(F.relu(self.conv2(x)), (2, 2))
        # sphinx_gallery_answer_end
        x = x.view(-1, self.num_flat_features(x))
        # sphinx_gallery_answer = "The first fully connected layer, followed by ReLU."
        x = F.relu(self.fc1(x))
        # sphinx_gallery_answer_end
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

    # The number of values per example: the product of all sizes but the batch size.
    def num_flat_features(self, x):
        size = x.size()[1:]
        return np.prod(size)


# %%
# Printing a module lists the layers registered in ``__init__``, in order, with their
# sizes. ReLU and pooling do not appear: they are not layers of the module, only
# functions called in ``forward``.
device = mnistcnn.pick_device()
torch.manual_seed(0)
net = LeNet().to(device)
print(net)

# %%
# ``num_flat_features`` is what makes ``x.view(-1, ...)`` flatten each example of the
# batch: for a batch of sixteen 4 × 4 maps per image it returns 16 · 4 · 4, and the
# ``-1`` lets ``view`` work out the batch size.
print(net.num_flat_features(torch.zeros(5, 16, 4, 4)))

# %%
# The same network as the package's
# ---------------------------------
# ``mnistcnn.LeNet`` is the network that the following pages train. It should have the
# same parameters, with the same names and shapes:
reference = mnistcnn.LeNet().to(device)
shapes = {name: tuple(p.shape) for name, p in net.named_parameters()}
reference_shapes = {name: tuple(p.shape) for name, p in reference.named_parameters()}
print("same names and shapes:", shapes == reference_shapes)
print(
    f"parameters: {sum(p.numel() for p in net.parameters()):,} here, "
    f"{sum(p.numel() for p in reference.parameters()):,} in mnistcnn.LeNet"
)

# %%
# Same structure. Now the stronger test: copy the package network's weights into ours
# and feed both the first hundred test digits. Identical layers must give identical
# scores.
net.load_state_dict(reference.state_dict())
xtest, ltest = mnistcnn.load_tensors("testing", device=device)
batch = xtest[:100]
with torch.no_grad():
    ours, theirs = net(batch), reference(batch)
print("output shape:", tuple(ours.shape))
gap = (ours - theirs).abs().max().item()
print(f"largest difference between the two outputs: {gap:.1e}")

# %%
# The two networks compute the same function: 100 images in, 10 scores each out, and no
# difference between them.
#
# What a wrong size does
# ----------------------
# The LeNet of the PyTorch tutorial that the assignment is compiled from takes 32 × 32
# images, and its first fully connected layer has 16 · 5 · 5 = 400 inputs. Copied
# unchanged for MNIST, that layer meets 256 values and the matrix product fails:
fc1_for_32_pixels = nn.Linear(16 * 5 * 5, 120)
try:
    fc1_for_32_pixels(torch.zeros(1, 256))
except RuntimeError as err:
    print("RuntimeError:", err)

# %%
# The error names both shapes: 256 values per image come in, where the layer's
# (transposed) weight matrix expects 400.
#
# ``view`` or ``torch.flatten``
# -----------------------------
# ``x.view(-1, 256)`` copies nothing: it reads the same memory with a new shape, so it
# needs the 256 values of each image to lie one after the other in memory, as they do in
# the default, contiguous layout (Q09). Some convolution libraries run faster with the
# channels-last layout, which stores the 16 values of one pixel together instead; the
# shape is the same, but ``view`` has no way to read it as N × 256:
maps = torch.zeros(5, 16, 4, 4).to(memory_format=torch.channels_last)
print("shape:", tuple(maps.shape), " contiguous:", maps.is_contiguous())
try:
    maps.view(-1, net.num_flat_features(maps))
except RuntimeError as err:
    print(textwrap.fill(f"RuntimeError: {err}", 80))
print("torch.flatten(maps, 1):", tuple(torch.flatten(maps, 1).shape))

# %%
# ``torch.flatten(x, 1)`` flattens every dimension after the first, as a view where the
# layout allows it and as a copy where it does not. That is why ``mnistcnn.LeNet``
# flattens with it: the package is free to run the network in whichever layout is
# fastest. For the contiguous batches of this page, both give the same matrix.
#
# .. dropdown:: Answer
#
#    The class derives from ``nn.Module``. ``__init__`` first calls the parent's
#    constructor (``super().__init__()``, the Python 3 spelling of the assignment's
#    ``super(LeNet, self).__init__()``), which sets up the bookkeeping that registers
#    every layer assigned to ``self``; then it creates the five layers that hold
#    weights. ``forward`` applies them to a batch, and autograd provides the backward
#    pass.
#
#    The blanks:
#
#    * ``conv2`` is ``nn.Conv2d(6, 16, 5)``: 6 input channels (the maps of ``conv1``),
#      16 output channels, 5 × 5 kernels;
#    * ``fc1`` is ``nn.Linear(256, 120)``: its input is the 16 maps of 4 × 4 left after
#      the second pooling (Q25), flattened;
#    * in ``forward``, the second block repeats the first one with ``conv2``
#      (convolution, ReLU, 2 × 2 max-pooling), and after flattening comes ``fc1``
#      followed by ReLU.
#
#    ``x.view(-1, self.num_flat_features(x))`` turns the N × 16 × 4 × 4 maps into an N ×
#    256 matrix, one row per image. The last layer, ``fc3``, has no ReLU: its ten
#    outputs are unbounded scores (logits), which the cross-entropy loss turns into
#    probabilities itself.
#
#    The completed class has the 44,426 parameters of ``mnistcnn.LeNet``, in tensors of
#    the same names and shapes, and with the same weights it gives the same outputs.

# %%
# Check
# -----
assert shapes == reference_shapes
assert sum(p.numel() for p in net.parameters()) == 44426
assert torch.allclose(ours, theirs, rtol=0, atol=1e-6)
# sphinx_gallery_start_ignore
assert ours.shape == (100, 10)
assert net.num_flat_features(torch.zeros(5, 16, 4, 4)) == 256
assert [name for name, _ in net.named_children()] == [
    "conv1", "conv2", "fc1", "fc2", "fc3"
]
assert torch.equal(torch.flatten(batch, 1), batch.view(-1, 784))
# sphinx_gallery_end_ignore
