"""
Q30 · The training loop
=======================

**The question.** Finish ``backprop_deep``: every epoch, shuffle the training set, cut
it into minibatches, and for each one run the forward pass, back-propagate the loss and
update the parameters, printing the average loss every 100 minibatches. Then train a
fresh LeNet for 3 epochs. The printed loss should start near 2.30 and fall to about 0.2;
if it does not, something is wrong.

This page writes the whole function, trains the network with it, and plots the loss of
every minibatch.
"""

# %%
# Anatomy of one step
# -------------------
# Each minibatch goes through the same five moves, and their order matters:
#
# 1. ``optimizer.zero_grad()`` clears the gradients, because PyTorch *adds* each new
#    gradient to the ``.grad`` already stored in a parameter;
# 2. the forward pass computes the ten scores of each image;
# 3. the criterion compares them with the labels (the cross-entropy of Q29);
# 4. the backward pass fills every parameter's ``.grad`` with the gradient of that loss;
# 5. ``optimizer.step()`` moves every parameter by the momentum rule of Q29.
#
# Around them, each epoch starts by drawing a fresh random order of the :math:`N` images
# (``torch.randperm``); minibatch :math:`k` is then positions :math:`kB` to
# :math:`(k+1)B` of that order. Reshuffling every epoch keeps the minibatches, and so
# the gradient noise, different from one epoch to the next.
#
# The complete function
# ---------------------
# The lines that fill in the assignment's blanks are the answer; the rest is the
# assignment's own code. The function also returns the loss of every minibatch, for the
# plot further down.
import math
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, RandomSampler, TensorDataset

import mnistcnn


def backprop_deep(xtrain, ltrain, net, T, B=100, gamma=.001, rho=.9):
    N = xtrain.size()[0]  # Training set size
    # sphinx_gallery_answer = "NB, the number of minibatches (Q29)."
    NB = N // B  # Number of minibatches
    # sphinx_gallery_answer_end
    criterion = nn.CrossEntropyLoss()
    # sphinx_gallery_answer = "The optimizer of Q29: SGD, step gamma, momentum rho."
    optimizer = torch.optim.SGD(net.parameters(), lr=gamma, momentum=rho)
    # sphinx_gallery_answer_end
    history = []  # the loss of every minibatch
    for epoch in range(T):
        running_loss = 0.0
        # sphinx_gallery_answer = "A new random order of the N training images."
        shuffled_indices = torch.randperm(N)
        # sphinx_gallery_answer_end
        for k in range(NB):
            # Extract k-th minibatch from xtrain and ltrain
            # sphinx_gallery_answer = "Minibatch k: its indices, inputs and labels."
            minibatch_indices = shuffled_indices[B * k : B * (k + 1)]
            inputs = xtrain[minibatch_indices]
            labels = ltrain[minibatch_indices]
            # sphinx_gallery_answer_end
            # Initialize the gradients to zero
            optimizer.zero_grad()
            # Forward propagation
            outputs = net(inputs)
            # Error evaluation
            loss = criterion(outputs, labels)
            # Back propagation
            # sphinx_gallery_answer = "The gradient of the loss, for every parameter."
            loss.backward()
            # sphinx_gallery_answer_end
            # Parameter update
            optimizer.step()
            # Compute and print statistics
            with torch.no_grad():
                running_loss += loss.item()
            history.append(loss.item())
            # Print averaged loss per minibatch every 100 mini-batches
            if k % 100 == 99:
                print('[%d, %5d] loss: %.3f' % (epoch + 1, k + 1, running_loss / 100))
                running_loss = 0.0
    return history


# %%
# Training for three epochs
# -------------------------
# The data and the network go to the same device (a GPU when there is one). One seed
# fixes the whole run: it sets the initial weights, and the shuffling then draws from
# the same global random generator. On the CPU the run is therefore the same, bit for
# bit, every time the page is built on the same machine, with the same PyTorch build
# and number of threads; another processor, build or thread count may add partial sums
# in another order, and the numbers then agree up to rounding only. On a GPU the run
# agrees up to rounding even on one machine, because the fastest convolution kernels
# may add their partial sums in a different order from one run to the next, and by
# PyTorch's default float32 convolutions compute in TF32, with 10 mantissa bits
# instead of 23.
device = mnistcnn.pick_device()
xtrain, ltrain = mnistcnn.load_tensors("training", device=device)
torch.manual_seed(0)  # the initial weights, then the order of the minibatches
net = mnistcnn.LeNet().to(device)
start = time.perf_counter()
history = backprop_deep(xtrain, ltrain, net, T=3)
seconds = time.perf_counter() - start
print(f"3 epochs ({len(history)} minibatches) on {device.type} in {seconds:.0f} s")

# %%
# Each line is the mean loss over the last 100 minibatches. It starts at
# :math:`\ln 10 \approx 2.30` and hardly moves during the first epoch; in the second it
# drops steeply, and by the end of the third it is down to about a quarter, close to the
# 0.22 the assignment announces.
#
# The loss curve
# --------------
# The losses of single minibatches are noisy, so we draw them faintly and add their
# running mean over 100 minibatches, the quantity printed above.
steps_per_epoch = len(history) // 3
epochs = np.arange(1, len(history) + 1) / steps_per_epoch
running = np.convolve(history, np.ones(100) / 100, mode="valid")
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
ax.plot(epochs, history, color="tab:blue", alpha=0.3, lw=0.5, label="one minibatch")
ax.plot(epochs[99:], running, color="tab:blue", label="mean of the last 100")
ax.axhline(math.log(10), color="gray", ls="--", lw=1, label="ln 10: a uniform guess")
ax.set(xlabel="epoch", ylabel="cross-entropy loss",
       title="Training LeNet on MNIST (lr 0.001, momentum 0.9)")
ax.legend()
plt.show()

# %%
# The curve has three phases: a plateau at :math:`\ln 10`, a steep fall in the middle of
# the second epoch, and a long, slowly descending tail.
#
# The same loop with a ``DataLoader``
# -----------------------------------
# The shuffling and slicing that the assignment writes by hand is what PyTorch's
# ``torch.utils.data`` does for any dataset: a ``TensorDataset`` pairs each image with
# its label, a ``RandomSampler`` draws a new order every epoch (with
# ``torch.randperm``), and a ``DataLoader`` cuts that order into minibatches, leaving
# out a last, incomplete one with ``drop_last=True`` as ``NB = N // B`` does. The loop
# keeps only the five moves:


def train_with_loader(loader, net, T, gamma=.001, rho=.9):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=gamma, momentum=rho)
    history = []
    for _ in range(T):  # each pass over the loader is an epoch, in a new order
        for inputs, labels in loader:
            optimizer.zero_grad()
            loss = criterion(net(inputs), labels)
            loss.backward()
            optimizer.step()
            history.append(loss.item())
    return history


# %%
# Do the two loops take the same steps? Each trains a network drawn with seed 0 on the
# first 2,000 images, for one epoch. The sampler gets a generator of its own, set to
# the state of the global generator that ``backprop_deep`` draws its order from. (Give
# the generator to the sampler: ``DataLoader(generator=...)`` would first draw a number
# from it to seed its worker processes, and the orders would differ.)
subset = TensorDataset(xtrain[:2000], ltrain[:2000])
torch.manual_seed(0)
net_by_hand = mnistcnn.LeNet().to(device)
order_generator = torch.Generator()
order_generator.set_state(torch.get_rng_state())
by_hand = backprop_deep(xtrain[:2000], ltrain[:2000], net_by_hand, T=1)
torch.manual_seed(0)
net_by_loader = mnistcnn.LeNet().to(device)
loader = DataLoader(subset, batch_size=100, drop_last=True,
                    sampler=RandomSampler(subset, generator=order_generator))
by_loader = train_with_loader(loader, net_by_loader, T=1)
gap = max(abs(a - b) for a, b in zip(by_hand, by_loader))
print(f"{len(by_hand)} and {len(by_loader)} minibatches; "
      f"largest difference between their losses: {gap:.1e}")

# %%
# The same minibatches, hence the same losses, step for step: the ``DataLoader`` is the
# assignment's loop written with PyTorch's parts. Over more epochs the two would part
# ways, since the sampler draws from its generator differently from the loop (a
# second, empty draw for the remainder of each epoch), but in both each epoch is a new
# random order. It pays off when the data does not
# fit in memory as one tensor, or needs loading and transforming on the fly
# (``num_workers`` then prepares minibatches in parallel).
#
# Saving and loading a trained network
# ------------------------------------
# What training has learned is the network's ``state_dict``: a dictionary from the name
# of each parameter to its tensor.
state = net.state_dict()
for name, tensor in state.items():
    print(f"{name:>12}: {tuple(tensor.shape)}")

# %%
# ``torch.save`` writes that dictionary to a file, and ``torch.load`` reads it back.
# With ``weights_only=True`` it unpickles tensors and plain containers only, so that a
# file from elsewhere cannot run code while it loads. ``map_location`` says where the
# tensors go: weights saved from a GPU carry the device ``cuda``, and
# ``map_location="cpu"`` reads them on a machine without one. ``load_state_dict`` then
# copies the numbers into a new network of the same class.
with tempfile.TemporaryDirectory() as folder:
    file = Path(folder) / "lenet.pt"
    torch.save(net.state_dict(), file)
    size = file.stat().st_size
    loaded = torch.load(file, map_location="cpu", weights_only=True)
restored = mnistcnn.LeNet()
restored.load_state_dict(loaded)
same = all(torch.equal(a.cpu(), b)
           for a, b in zip(state.values(), restored.state_dict().values()))
devices = sorted({t.device.type for t in loaded.values()})
print(f"{size:,} bytes; loaded onto {devices}; the same weights: {same}")

# %%
# Keeping the network
# -------------------
# This is the network that the package's ``mnistcnn.trained_lenet(3)`` stands for: the
# same seed and, step for step, the same computation as the package's training loop,
# hence the same minibatches and the same weights (on a GPU, equal up to rounding).
# ``mnistcnn.save_trained`` stores it in that function's cache, as above (its
# ``state_dict``, moved to the CPU, through ``torch.save``), and ``trained_lenet``
# reads it back with ``torch.load(..., map_location="cpu", weights_only=True)``, so
# that Q31 and Q33 evaluate this very network instead of training another.
path = mnistcnn.save_trained(net, 3)
print(f"saved as {path.name}")

# %%
# .. dropdown:: Answer
#
#    Four blanks complete the loop. The shuffled order is a random permutation of
#    ``0, …, N-1`` drawn once per epoch. The indices of minibatch :math:`k` are its
#    slice from :math:`Bk` to :math:`B(k+1)`, and those indices select the images from
#    ``xtrain`` and the labels from ``ltrain``. Back-propagation is the ``backward()``
#    call on the loss, which must come after the forward pass and before
#    ``optimizer.step()``.
#
#    **The plateau.** A fresh LeNet gives nearly equal scores to all digits, so its loss
#    is :math:`\ln 10 \approx 2.303`, the loss of a uniform guess (Q29). Its gradients
#    are small: the default initialisation keeps the scores close to zero, and every
#    layer the gradient flows back through shrinks it further. With a step size of only
#    0.001, it takes several hundred steps, and the velocity that momentum builds up,
#    before the weights have moved enough for the scores to depend on the image.
#
#    **The fall.** Once the convolution filters start to respond to strokes, the
#    gradients become large and consistent, momentum amplifies them up to tenfold, and
#    the loss falls from above 2 to about 0.5 within a few hundred minibatches. After
#    that the easy digits are classified well, and the remaining progress, on the hard
#    ones, is slow: the loss ends at about a quarter.
#
#    The assignment's own run left the plateau sooner (its loss was already 1.07 at the
#    seventh line, where ours is still above 2): how long the plateau lasts depends on
#    the random initial weights and order of the minibatches, and it is the most
#    variable part of the curve. That is why the assignment calls its numbers
#    approximate; the end point, about 0.2 after three epochs, is what to compare.

# %%
# Check
# -----
# The printed lines are the means of 100 consecutive losses of the history.
printed = [sum(history[i : i + 100]) / 100 for i in range(0, len(history), 100)]
assert len(history) == 3 * 600 and len(printed) == 18
assert abs(printed[0] - math.log(10)) < 0.05, printed[0]
assert printed[-1] < 0.4, printed[-1]
assert max(printed[-6:]) < min(printed[:6]), "the last epoch is below the first"
assert running[-1] < running[0] / 5, "the curve ends far below where it started"
# sphinx_gallery_start_ignore
# The run-specific numbers of the prose: on the plateau through the first epoch and
# still above 2 at the seventh line, about 0.5 by the start of the third epoch, and
# about a quarter at the end.
assert min(printed[:7]) > 2, printed[:7]
assert printed[12] < 0.6, printed[12]
assert 0.2 <= printed[-1] <= 0.3, printed[-1]
# sphinx_gallery_end_ignore
#
# The loop itself, on 300 images that carry their own index: each epoch visits every
# image once, in minibatches of B, and the two epochs in different random orders.
# sphinx_gallery_start_ignore


class Recorder(nn.Module):
    """A linear classifier that notes the indices of the images of each minibatch."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(28 * 28, 10)
        self.seen = []

    def forward(self, x):
        self.seen.append(x[:, 0, 0, 0].long().tolist())
        return self.fc(x.flatten(1))


indexed = torch.arange(300.0).view(300, 1, 1, 1).expand(300, 1, 28, 28).contiguous()
recorder = Recorder()
backprop_deep(indexed, torch.zeros(300, dtype=torch.long), recorder, T=2, B=100)
first, second = ([i for b in recorder.seen[e : e + 3] for i in b] for e in (0, 3))
assert [len(batch) for batch in recorder.seen] == [100] * 6, "6 minibatches of B = 100"
assert sorted(first) == sorted(second) == list(range(300)), "each image once per epoch"
assert first != second and first != list(range(300)), "a new random order each epoch"
# The DataLoader: the same order as randperm from the same generator state, epoch after
# epoch, hence the same minibatches and the same steps; and the saved weights load back.
generators = [torch.Generator().manual_seed(7) for _ in range(2)]
sampler = RandomSampler(subset, generator=generators[0])
epoch_1, epoch_2 = list(sampler), list(sampler)
assert epoch_1 == torch.randperm(2000, generator=generators[1]).tolist()
assert sorted(epoch_2) == list(range(2000)) and epoch_2 != epoch_1, "a new order"
order_generator.manual_seed(7)
inputs, labels = next(iter(loader))
order_of_seed_7 = torch.randperm(2000, generator=torch.Generator().manual_seed(7))
order = order_of_seed_7[:100]
assert torch.equal(inputs, xtrain[order]) and torch.equal(labels, ltrain[order])
assert len(by_hand) == len(by_loader) == 20 and gap < 1e-4, gap
# Given to DataLoader instead, the generator first seeds the workers: another order.
numbers = TensorDataset(torch.arange(2000))
seeded = DataLoader(numbers, batch_size=2000, shuffle=True,
                    generator=torch.Generator().manual_seed(7))
assert next(iter(seeded))[0].tolist() != order_of_seed_7.tolist()
assert same and size > 0
# sphinx_gallery_end_ignore
