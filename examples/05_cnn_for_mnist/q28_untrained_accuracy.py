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
# ``yinit.max(1)`` returns the maximum of each row and its position, and the position is
# the digit. Comparing with the labels gives a vector of ``True``/``False`` whose mean
# is the fraction of correct answers.

# sphinx_gallery_answer = "Best-scoring digit per image; percentage matching ltest."
_, lpred = yinit.max(1)
acc = 100 * (ltest == lpred).float().mean()
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
# There are ten digits, and the random weights have nothing to do with them: whatever
# the network answers, its answer does not depend on which digit is in the image. It is
# right only when its answer happens to match the label, and since the digits are
# nearly equally frequent (Q21), that is about one time in ten, a little more or a
# little less depending on which digits it favours. Which digits does it answer?
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
# Far from spreading its answers evenly, the untrained network gives (nearly) the same
# answer to every image. That is typical, and the reason is in the data: four pixels out
# of five are background, set to -1 by the normalisation (Q21), so to random filters all
# digits look much alike. Compare the scores of an image with no ink at all with the
# average scores over the test set:
blank = torch.full((1, 1, 28, 28), -1.0, device=device)
with torch.no_grad():
    print("blank image:       ", np.round(net(blank)[0].cpu().numpy(), 2))
print("test-set average:  ", np.round(yinit.mean(0).cpu().numpy(), 2))
print("test-set std. dev.:", np.round(yinit.std(0).cpu().numpy(), 2))

# %%
# The scores hardly move from one image to the next (standard deviations of about 0.01),
# while the ten outputs differ from each other by up to 0.25. So the digit whose output
# is largest on the shared background wins almost everywhere, and when a single digit is
# answered for every image, the accuracy is exactly that digit's share of the test set.
#
# .. dropdown:: Answer
#
#    ``net(xtest)`` computes ten scores for each of the 10,000 test images, inside
#    ``torch.no_grad()`` because no gradient is needed for an evaluation.
#    ``yinit.max(1)`` picks the highest score of each image; its index is the predicted
#    digit, and ``100 * (ltest == lpred).float().mean()`` is the percentage of correct
#    predictions.
#
#    For the untrained network it is about 10%, the accuracy of guessing: with ten
#    roughly equally frequent classes and weights that know nothing about digits, a
#    prediction is right about one time in ten. This network does not even guess at
#    random; it gives (nearly) the same digit for every image, so its accuracy is the
#    share of that digit among the test labels. Either way, about 10% is the floor that
#    training must raise, and the number to remember when judging the accuracy after
#    training (Q31).

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
# sphinx_gallery_end_ignore
