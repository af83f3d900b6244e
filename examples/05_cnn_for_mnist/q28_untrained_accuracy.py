"""
Q28 · Accuracy of the untrained network
=======================================

**The question.** Before any training, run the network on the 10,000 test images
(without recording anything for gradients) and measure the percentage of images it
classifies correctly. Interpret the number.

This is the baseline that training has to beat, and it says what a network "knows" when
its weights are random.
"""

# %%
# A freshly initialised network
# -----------------------------
# PyTorch initialises the weights of every layer at random; seeding the generator makes
# this particular network reproducible. The data and the network go to the same device.
import copy

import matplotlib.pyplot as plt
import numpy as np
import torch

import mnistcnn

device = mnistcnn.pick_device()
xtest, ltest = mnistcnn.load_tensors("testing", device=device)
torch.manual_seed(0)
net = mnistcnn.LeNet().to(device)
print("device:", device)

# %%
# One forward pass over the test set
# ----------------------------------
# ``net(xtest)`` calls ``net.forward(xtest)`` on all 10,000 images at once.
# ``torch.no_grad()`` tells autograd not to record the operations, since we will not
# differentiate anything: that saves the memory and time the record would take.
with torch.no_grad():
    yinit = net(xtest)
print("scores:", tuple(yinit.shape), " tracked by autograd:", yinit.requires_grad)

# %%
# Ten scores per image. The predicted digit is the one with the highest score:
# ``yinit.argmax(1)`` returns the position of the maximum of each row (``yinit.max(1)``
# returns the maximum and its position), and the position is the digit. Comparing with
# the labels gives a vector of ``True``/``False`` whose mean is the fraction of correct
# answers.

# sphinx_gallery_answer = "acc: % of images whose best-scoring digit matches ltest."
acc = 100 * (yinit.argmax(1) == ltest).float().mean()
# sphinx_gallery_answer_end
print(f"Accuracy of the untrained network: {acc.item():.2f}%")

# %%
# The package's ``mnistcnn.accuracy`` computes the same thing, the way later pages
# evaluate trained networks: also without autograd, and in batches (of 1,000 images on
# a CPU, all 10,000 at once on a GPU). The two must agree:
package_acc = mnistcnn.accuracy(net, xtest, ltest)
print(f"mnistcnn.accuracy: {package_acc:.2f}%")

# %%
# Where the number comes from
# ---------------------------
# There are ten digits, and the random weights know nothing about them: the scores
# change a little from one image to the next, but nothing has made the right digit's
# score the largest. The network is right only when its answer happens to match the
# label, and since the digits are nearly equally frequent (Q21), that is about one time
# in ten, a little more or a little less depending on which digits it favours. Which
# digits does it answer?
lpred = yinit.argmax(1)  # the predicted digit of every test image
counts = torch.bincount(lpred, minlength=10).cpu().numpy()
true_counts = torch.bincount(ltest, minlength=10).cpu().numpy()
favourite = int(counts.argmax())
print(f"most frequent answer: {favourite}, "
      f"given for {counts[favourite]:,} of 10,000 images")
print(f"share of {favourite}s among the test labels: "
      f"{true_counts[favourite] / 100:.2f}%")

digits = np.arange(10)
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
ax.bar(digits - 0.2, counts, width=0.4, label="predicted by the untrained network")
ax.bar(digits + 0.2, true_counts, width=0.4, label="true labels")
ax.set_xticks(digits)
ax.set_xlabel("digit")
ax.set_ylabel("test images")
ax.set_title("What an untrained LeNet answers")
ax.legend()
plt.show()

# %%
# Far from spreading its answers evenly, this untrained network gives (nearly) the same
# answer to every image. Its scores show why: averaged over the test set, the ten
# outputs sit at different levels, while from one image to the next each of them
# hardly moves.
print("test-set average:  ", np.round(yinit.mean(0).cpu().numpy(), 2))
print("test-set std. dev.:", np.round(yinit.std(0).cpu().numpy(), 2))

# %%
# The scores vary by about 0.01 from image to image, while the ten averages differ from
# each other by up to 0.25. So the digit with the highest average wins almost
# everywhere, and when a single digit is answered for every image, the accuracy is
# exactly that digit's share of the test set.
#
# The cause: the initialisation
# -----------------------------
# The different levels do not come from the background, set to -1 in four pixels out
# of five (Q21): rescaled to [0, 1], with a background of 0, the images get the same
# single answer. They come from the initial parameters: PyTorch draws the
# weights and biases of a layer uniformly between :math:`\pm 1/\sqrt{n}`, where
# :math:`n` is the layer's *fan-in*, the number of inputs that one output sums (Q21):
# 256 for ``fc1``, and for ``conv2`` its 6 input channels times its 5×5 window, 150.
fan_in = {"fc1": 16 * 4 * 4, "conv2": 6 * 5 * 5}
for name, n in fan_in.items():
    largest = getattr(net, name).weight.abs().max().item()
    print(f"{name}: largest |weight| {largest:.4f}, 1/sqrt({n}) = {n ** -0.5:.4f}")

# %%
# The largest weight of each layer comes close to its bound. Such small weights shrink
# the image's influence from layer to layer, while the biases add to each output a
# fixed offset of its own. A copy of the network with every bias set to zero has no
# offsets:


def answers(network, images):
    """How many of the images the network assigns to each digit."""
    with torch.no_grad():
        return torch.bincount(network(images).argmax(1), minlength=10).tolist()


unbiased = copy.deepcopy(net)
with torch.no_grad():
    for layer in unbiased.children():
        layer.bias.zero_()
    unbiased_scores = unbiased(xtest)
print("answers per digit, images in [-1, 1]:", answers(net, xtest))
print("answers per digit, images in [0, 1]: ", answers(net, (xtest + 1) / 2))
print("answers per digit, biases zeroed:    ", answers(unbiased, xtest))
spread = unbiased_scores.mean(0).max() - unbiased_scores.mean(0).min()
print(f"spread of the ten average scores, biases zeroed: {spread:.2f}")

# %%
# Without the biases, the ten averages lie much closer together, and the small
# differences between images decide: the answers spread over several digits.
#
# Other seeds, other networks
# ---------------------------
# Is this network's accuracy what an untrained LeNet always scores? Each seed draws
# other initial parameters; here are ten of them, with the share of the answers given
# to each digit that gets more than 1 % of them.
seed_accuracies, seed_answers = [], []
for seed in range(10):
    torch.manual_seed(seed)
    with torch.no_grad():
        digits = mnistcnn.LeNet().to(device)(xtest).argmax(1)
    seed_accuracies.append(100 * (digits == ltest).float().mean().item())
    seed_answers.append(torch.bincount(digits, minlength=10).tolist())
    shares = ", ".join(f"{d}: {n / 100:.0f}%"
                       for d, n in enumerate(seed_answers[-1]) if n > 100)
    print(f"seed {seed}: accuracy {seed_accuracies[-1]:5.2f}%   answers {shares}")

# %%
# Chance alone makes these networks right, and chance scatters: the accuracies lie
# below and above 10 %, and some seeds split their answers between several digits.
#
# .. dropdown:: Answer
#
#    ``net(xtest)`` computes ten scores for each of the 10,000 test images, inside
#    ``torch.no_grad()`` because no gradient is needed for an evaluation.
#    ``yinit.argmax(1)`` picks the position of the highest score of each image, the
#    predicted digit, and ``100 * (yinit.argmax(1) == ltest).float().mean()`` is the
#    percentage of correct predictions.
#
#    For the untrained network it is about 10%, what guessing scores: with ten roughly
#    equally frequent classes and weights that know nothing about digits, an answer is
#    right about one time in ten. This network does not even guess at random. Its
#    initial biases give each of its ten outputs a fixed offset, larger than the small
#    differences its random weights make between images, so it gives (nearly) the same
#    digit for every image, and its accuracy is the share of that digit among the test
#    labels. Another seed draws other parameters and scores more or less, as the ten
#    seeds above show. Whatever the draw, this is the level that training must raise,
#    and the number to remember when judging the accuracy after training (Q31).

# %%
# Check
# -----
assert 5 <= acc.item() <= 20
assert abs(acc.item() - package_acc) < 0.05
# sphinx_gallery_start_ignore
assert counts.sum() == 10000 and true_counts.sum() == 10000
assert counts.max() >= 9000, "(nearly) the same answer for every image"
mean_scores = yinit.mean(0)
assert yinit.std(0).max() < 0.02, "standard deviations of about 0.01"
assert 0.2 < mean_scores.max() - mean_scores.min() < 0.3, "differ by up to 0.25"
if counts.max() == 10000:
    assert abs(acc.item() - true_counts[favourite] / 100) < 1e-4
# The cause: one answer with the images in [0, 1] too, several once the biases are zero.
assert max(answers(net, (xtest + 1) / 2)) >= 9000
unbiased_answers = answers(unbiased, xtest)
assert max(unbiased_answers) < 9000 and sum(n > 10 for n in unbiased_answers) >= 3
assert spread < 0.1 < 0.2 < mean_scores.max() - mean_scores.min(), "much closer"
# The bound is 1/sqrt(fan-in), and the largest weight comes close to it.
for name, n in fan_in.items():
    largest = getattr(net, name).weight.abs().max().item()
    assert 0.95 * n**-0.5 < largest <= n**-0.5, (name, largest)
# Other seeds: accuracies below and above 10 %, some answers split between digits.
assert len(seed_accuracies) == 10 and abs(seed_accuracies[0] - acc.item()) < 1e-4
assert min(seed_accuracies) < 9 and max(seed_accuracies) > 11, seed_accuracies
assert sum(sorted(n)[-2] > 1000 for n in seed_answers) >= 2, seed_answers
# sphinx_gallery_end_ignore
