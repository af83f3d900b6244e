"""
Q27 · The learnable parameters
==============================

**The question.** ``net.parameters()`` gives the learnable parameters of a network, and
``net.named_parameters()`` gives them with their names. List them with their sizes and
their ``requires_grad`` flag. What are these parameters, and will autograd compute
gradients for all of them?

We list them, count them layer by layer, and check the answer to the second question
with one backward pass.
"""

# %%
# The list
# --------
# A fresh LeNet, with the loop of the assignment.
import matplotlib.pyplot as plt
import torch
import torch.nn as nn

import mnistcnn

device = mnistcnn.pick_device()
torch.manual_seed(0)
net = mnistcnn.LeNet().to(device)

for name, param in net.named_parameters():
    print(name, param.size(), param.requires_grad)

# %%
# Ten tensors: a ``weight`` and a ``bias`` for each of the five layers, all with
# ``requires_grad=True``. The weight of a convolution has the shape *output channels ×
# input channels × kernel height × kernel width*; the weight of a fully connected layer
# is *outputs × inputs*; each bias has one value per output.
#
# How many numbers is that?
# -------------------------
# ``numel()`` gives the number of elements of a tensor.

# sphinx_gallery_answer = "total: the number of elements of all parameter tensors."
total = sum(param.numel() for param in net.parameters())
# sphinx_gallery_answer_end
print(f"learnable parameters: {total:,}")

# %%
# Per layer, with the weights and biases apart:
per_layer = {}
for name, param in net.named_parameters():
    layer, kind = name.split(".")
    per_layer.setdefault(layer, {})[kind] = param.numel()

print(f"{'layer':6} {'weights':>8} {'biases':>7} {'total':>7} {'share':>6}")
for layer, n in per_layer.items():
    size = n["weight"] + n["bias"]
    share = 100 * size / total
    print(f"{layer:6} {n['weight']:8,} {n['bias']:7,} {size:7,} {share:5.1f}%")

# %%
# Every count follows from the shapes: a convolution from :math:`C_\text{in}` to
# :math:`C_\text{out}` channels with :math:`K \times K` kernels has
# :math:`C_\text{out} C_\text{in} K^2 + C_\text{out}` parameters, a fully connected
# layer from :math:`M` inputs to :math:`N` outputs has :math:`NM + N`. For ``conv2``:
# :math:`16 \cdot 6 \cdot 25 + 16 = 2416`.
sizes = [n["weight"] + n["bias"] for n in per_layer.values()]
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
bars = ax.barh(list(per_layer), sizes, color=["tab:orange"] * 2 + ["tab:blue"] * 3)
ax.bar_label(bars, labels=[f"{s:,}" for s in sizes], padding=3)
ax.invert_yaxis()
ax.set_xlim(0, 1.2 * max(sizes))
ax.set_xlabel("learnable parameters")
ax.set_title(f"Parameters per layer ({total:,} in all)")
plt.show()

# %%
# The two convolutions (in orange) hold under 6% of the parameters: a 5 × 5 filter is
# reused at every position of the image, so it needs only 25 weights per input channel
# however large the image is. The first fully connected layer alone holds more than two
# thirds, since each of its 120 units has a weight for every one of the 256 values it
# receives.
#
# Are the gradients tracked?
# --------------------------
# ``requires_grad=True`` means that autograd records how each parameter enters a
# computation, so that ``backward`` can fill its ``.grad``. One loss on ten test digits
# and one backward pass show it for all ten tensors:
xtest, ltest = mnistcnn.load_tensors("testing", device=device)
print("before backward, any gradient:",
      any(p.grad is not None for p in net.parameters()))
loss = nn.CrossEntropyLoss()(net(xtest[:10]), ltest[:10])
loss.backward()
for name, param in net.named_parameters():
    print(f"{name:12} grad shape {tuple(param.grad.shape)}")

# %%
# Every parameter now has a gradient of its own shape, ready for an optimiser step.
#
# .. dropdown:: Answer
#
#    The learnable parameters are the weights and biases of the five layers, ten tensors
#    in all:
#
#    * ``conv1.weight`` 6 × 1 × 5 × 5 and ``conv1.bias`` 6: six 5 × 5 filters on the
#      single input channel;
#    * ``conv2.weight`` 16 × 6 × 5 × 5 and ``conv2.bias`` 16: sixteen filters, each
#      looking at all six maps of the first block;
#    * ``fc1.weight`` 120 × 256 and ``fc1.bias`` 120, ``fc2.weight`` 84 × 120 and
#      ``fc2.bias`` 84, ``fc3.weight`` 10 × 84 and ``fc3.bias`` 10.
#
#    Together they are 156 + 2,416 + 30,840 + 10,164 + 850 = 44,426 numbers. ReLU and
#    max-pooling have none, which is why they do not appear. Every parameter has
#    ``requires_grad=True`` (the default for parameters created by ``nn`` layers), so
#    autograd tracks all of them: after ``loss.backward()`` each one has a ``.grad`` of
#    its own shape, and the optimiser can update all 44,426 numbers.

# %%
# Check
# -----
assert total == 44426
assert all(param.requires_grad for param in net.parameters())
assert all(param.grad is not None for param in net.parameters())
# sphinx_gallery_start_ignore
assert sizes == [156, 2416, 30840, 10164, 850]
assert len(list(net.parameters())) == 10
# sphinx_gallery_end_ignore
