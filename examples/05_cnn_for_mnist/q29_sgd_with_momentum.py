"""
Q29 · SGD with momentum and the cross-entropy loss
==================================================

**The question.** The network will be trained by minibatch stochastic gradient descent
(SGD) with momentum on the cross-entropy loss. Begin the training function
``backprop_deep(xtrain, ltrain, net, T, B=100, gamma=.001, rho=.9)``, where ``T`` is the
number of epochs, ``B`` the minibatch size, ``gamma`` the step size and ``rho`` the
momentum: how many minibatches does one pass over the training set hold, and what step
size does the optimizer get?

This page takes the two ingredients, the optimizer and the loss, one at a time, checks
each on a tiny example, and then writes the first lines of the function. Q30 adds the
loop.
"""

# %%
# Minibatch SGD with momentum
# ---------------------------
# The gradient of the loss over all 60,000 training images is expensive, and it is not
# needed: the gradient over a random *minibatch* of :math:`B` images points roughly the
# same way at a fraction of the cost. SGD takes one step per minibatch; one pass over
# the shuffled training set, :math:`N/B` steps, is an *epoch*. Momentum adds a velocity
# :math:`v` (zero at the start) that remembers past gradients:
#
# .. math::
#
#    v \leftarrow \rho\, v + \nabla_w \ell_{\text{minibatch}}(w), \qquad
#    w \leftarrow w - \gamma\, v .
#
# This is the rule ``torch.optim.SGD`` implements (with its defaults ``dampening=0`` and
# ``nesterov=False``). We check it on the smallest problem there is, one weight
# :math:`w` and the loss :math:`w^2/2`, whose gradient is :math:`w` itself.
import math

import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F

import mnistcnn

w = torch.tensor([1.0], requires_grad=True)
sgd = torch.optim.SGD([w], lr=0.1, momentum=0.9)
w_hand, v_hand = 1.0, 0.0
for step in range(1, 4):
    sgd.zero_grad()
    (0.5 * w**2).sum().backward()  # the gradient of w²/2 is w
    sgd.step()
    v_hand = 0.9 * v_hand + w_hand  # v ← ρ v + ∇
    w_hand = w_hand - 0.1 * v_hand  # w ← w − γ v
    print(f"step {step}:  torch w = {w.item():.4f}   by hand w = {w_hand:.4f}")

# %%
# The two columns agree: PyTorch keeps one velocity buffer per parameter and follows the
# rule above.
#
# Why momentum helps
# ------------------
# Where the gradient keeps pointing the same way, the velocity grows towards
# :math:`\nabla/(1-\rho)`, ten times the gradient for :math:`\rho = 0.9`, so the
# effective step size becomes :math:`\gamma/(1-\rho) = 0.01`. Where successive gradients
# disagree, as noisy minibatch gradients often do, they partly cancel in :math:`v`. With
# the small step size used below, :math:`\gamma = 0.001`, the difference is large even
# on :math:`w^2/2`:


def descend(rho, gamma=0.001, steps=600):
    """Minimise w²/2 from w = 1 with SGD; return |w| after every step."""
    w = torch.tensor([1.0], requires_grad=True)
    opt = torch.optim.SGD([w], lr=gamma, momentum=rho)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * w**2).sum().backward()
        opt.step()
        path.append(abs(w.item()))
    return path


plain, heavy = descend(rho=0.0), descend(rho=0.9)
print(f"after 600 steps: |w| = {plain[-1]:.4f} without momentum, "
      f"{heavy[-1]:.6f} with rho = 0.9")
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
ax.semilogy(plain, label="SGD, no momentum")
ax.semilogy(heavy, label="SGD, momentum ρ = 0.9")
ax.set(xlabel="step", ylabel="distance |w| to the minimum",
       title="Minimising w²/2 with γ = 0.001")
ax.legend()
plt.show()

# %%
# In 600 steps, the length of one epoch on MNIST, plain SGD covers less than half the
# way to the minimum, while momentum gets about 400 times closer.
#
# The cross-entropy loss
# ----------------------
# The network returns ten scores (logits) :math:`z_0, \dots, z_9` per image. Softmax
# turns them into probabilities, and the cross-entropy of an image whose true digit is
# :math:`y` is minus the log of the probability given to :math:`y`:
#
# .. math::
#
#    \ell(z, y) = -\log \frac{e^{z_y}}{\sum_{k} e^{z_k}}
#    = -z_y + \log \sum_{k} e^{z_k} .
#
# ``nn.CrossEntropyLoss`` computes exactly that from raw scores, log-softmax followed by
# the negative log-likelihood, and averages it over the minibatch. Three ways of
# computing it on two made-up images with three classes give the same number:
criterion = nn.CrossEntropyLoss()
scores = torch.tensor([[2.0, 0.5, -1.0],  # fairly sure of class 0, and right
                       [0.1, 0.2, 3.0]])  # sure of class 2, but the truth is class 1
targets = torch.tensor([0, 1])
by_hand = -torch.log(torch.softmax(scores, dim=1))[torch.arange(2), targets]
print("per image, -log softmax at the true class:", by_hand)
print(f"their mean:                  {by_hand.mean().item():.4f}")
nll = F.nll_loss(F.log_softmax(scores, dim=1), targets)
print(f"nll_loss(log_softmax(z), y): {nll.item():.4f}")
print(f"CrossEntropyLoss()(z, y):    {criterion(scores, targets).item():.4f}")

# %%
# The confidently wrong second image costs twelve times more than the first: the loss
# punishes assigning a low probability to the true class. Note that the network must
# *not* apply a softmax itself; ``CrossEntropyLoss`` wants the raw scores, which is why
# LeNet's last layer has no activation.
#
# A network that knows nothing gives equal scores to the ten digits, so every digit gets
# probability 1/10 and the loss is :math:`\ln 10`. This is where training will start:
equal_scores_loss = criterion(torch.zeros(1, 10), torch.tensor([3])).item()
print(f"loss of equal scores: {equal_scores_loss:.4f}")
print(f"ln 10               : {math.log(10):.4f}")

# %%
# The first lines of ``backprop_deep``
# ------------------------------------
# The function now reads the training set size, derives the number of minibatches, and
# builds the loss and the optimizer. Until Q30 writes the loop, it returns what it
# built, so that we can look at it.

def backprop_deep(xtrain, ltrain, net, T, B=100, gamma=.001, rho=.9):
    N = xtrain.size()[0]  # Training set size
    # sphinx_gallery_answer = "How many whole minibatches of B images fit in N."
    NB = N // B  # Number of minibatches
    # sphinx_gallery_answer_end
    criterion = nn.CrossEntropyLoss()
    # sphinx_gallery_answer = "SGD over the parameters: step gamma, momentum rho."
    optimizer = torch.optim.SGD(net.parameters(), lr=gamma, momentum=rho)
    # sphinx_gallery_answer_end
    # Q30 writes the training loop here; until then, return what was built.
    return NB, criterion, optimizer


# %%
# We call it on the real training set and a fresh LeNet.
device = mnistcnn.pick_device()
xtrain, ltrain = mnistcnn.load_tensors("training", device=device)
torch.manual_seed(0)
net = mnistcnn.LeNet().to(device)
NB, criterion, optimizer = backprop_deep(xtrain, ltrain, net, T=3)
print(f"{xtrain.size(0)} training images in minibatches of 100: "
      f"{NB} minibatches per epoch")
print(criterion)
print(optimizer)

# %%
# .. answer-reading: How many minibatches, and what does the optimizer hold?
#
# One epoch is 600 steps, and the optimizer holds one parameter group (all ten weight
# and bias tensors of LeNet) with step size 0.001 and momentum 0.9.
#
# .. answer-reading-end
#
# .. dropdown:: Answer
#
#    The number of minibatches is the integer quotient of the training set size by the
#    minibatch size, :math:`\lfloor N/B \rfloor`: 600 for :math:`N = 60{,}000` and
#    :math:`B = 100`. The floor matters only when :math:`B` does not divide :math:`N`;
#    the leftover images are then skipped for that epoch, and since the order is
#    reshuffled every epoch, a different few are skipped each time.
#
#    The optimizer's learning rate is the step size ``gamma`` and its momentum is
#    ``rho``. ``torch.optim.SGD`` then applies :math:`v \leftarrow \rho v + \nabla`,
#    :math:`w \leftarrow w - \gamma v` to every parameter at each call of ``step()``,
#    which is ordinary SGD with a memory of past gradients: with :math:`\rho = 0.9` it
#    moves up to ten times further than plain SGD along directions where the gradients
#    agree.
#
#    ``CrossEntropyLoss`` is log-softmax followed by the negative log-likelihood of the
#    true class, averaged over the minibatch. It takes the raw scores of the network and
#    the labels as ``int64`` class indices (Q24), and it equals
#    :math:`\ln 10 \approx 2.303` when the network gives all ten digits the same score.

# %%
# Check
# -----
assert abs(w.item() - w_hand) < 1e-6
assert heavy[-1] < plain[-1] / 100
# sphinx_gallery_start_ignore
assert plain[-1] > 0.5, "plain SGD covers less than half the way"
assert 300 < plain[-1] / heavy[-1] < 500, "momentum gets about 400 times closer"
# sphinx_gallery_end_ignore
assert torch.allclose(criterion(scores, targets), by_hand.mean())
assert abs(equal_scores_loss - math.log(10)) < 1e-6
assert NB == 600 and isinstance(NB, int)
assert len(optimizer.param_groups) == 1
assert len(optimizer.param_groups[0]["params"]) == len(list(net.parameters())) == 10
assert optimizer.param_groups[0]["lr"] == 0.001
assert optimizer.param_groups[0]["momentum"] == 0.9
