"""
Q20 · Checking autograd by hand
===============================

**The question.** Starting from the formula for ``f`` found in Q18, derive its partial
derivative with respect to each entry :math:`x_i` of ``x`` yourself. Does autograd's
gradient of Q19 agree with your derivation?

The page tests the derivation three ways: against autograd at a random point, against
finite differences that use no calculus at all, and node by node along the graph. The
derivation itself is the Answer at the end.
"""

# %%
# The formula to differentiate
# ----------------------------
# By Q18, :math:`f` is a sum in which each entry of :math:`\boldsymbol{x}` appears in
# one term only:
#
# .. math::
#
#    f(x_1, x_2, x_3, x_4) = \frac{3}{4} \sum_{j=1}^{4} (x_j + 2)^2 .
#
# Derive :math:`\partial f / \partial x_i` on paper first; the code below turns your
# formula into a tensor and sets it against autograd, and the Answer at the end of the
# page gives the derivation.
#
# At a random point
# -----------------
# At the ones all four partial derivatives are equal, which would hide a formula that
# mixed up the entries. At a random point they all differ. ``f_of`` is the forward pass
# of Q18, and ``entries`` lists a tensor's numbers rounded for printing.
import matplotlib.pyplot as plt
import torch


def f_of(x):
    y = x + 2
    z = y * y * 3
    return z.mean()


def entries(t):
    return [round(v, 6) for v in t.flatten().tolist()]


torch.manual_seed(0)
x = torch.randn(2, 2, requires_grad=True)
f_of(x).backward()
autograd_at_random = x.grad

# sphinx_gallery_answer = "by_hand: the gradient at x by your formula, no autograd."
by_hand = 1.5 * (x.detach() + 2)
# sphinx_gallery_answer_end
# sphinx_gallery_start_ignore
x_drawn = torch.randn(2, 2, generator=torch.Generator().manual_seed(0))
assert torch.equal(x.detach(), x_drawn), "computing by_hand must leave x as it was"
assert torch.allclose(by_hand, autograd_at_random), "by_hand should equal autograd's"
# sphinx_gallery_end_ignore
print("x        :", entries(x.detach()))
print("autograd :", entries(autograd_at_random))
print("formula  :", entries(by_hand))

# %%
# .. answer-reading: Do your formula and autograd agree?
#
# The derivation and autograd agree on all four entries, to the last digit printed.
#
# .. answer-reading-end
#
# Against finite differences
# --------------------------
# A derivative is a limit of slopes. The central difference
#
# .. math::
#
#    \frac{f(\boldsymbol{x} + h\,\boldsymbol{e}_i)
#          - f(\boldsymbol{x} - h\,\boldsymbol{e}_i)}{2h}
#
# estimates :math:`\partial f / \partial x_i` by evaluating ``f`` alone, with no
# derivative anywhere. It runs in 64-bit floats, so that rounding stays far below the
# digits printed.
h = 1e-6
x64 = x.detach().double()
finite_diff = torch.empty_like(x64)
for i in range(x64.numel()):
    step = torch.zeros_like(x64)
    step.view(-1)[i] = h
    finite_diff.view(-1)[i] = (f_of(x64 + step) - f_of(x64 - step)) / (2 * h)
print("finite differences:", entries(finite_diff))
gap = (finite_diff - autograd_at_random.double()).abs().max().item()
print(f"largest gap to autograd: {gap:.1e}")

# %%
# The largest gap is of the order of float32's rounding, the precision autograd worked
# in. PyTorch automates this test as ``torch.autograd.gradcheck``, which compares
# autograd with finite differences for every entry: it returns ``True`` when they agree
# within a tolerance, and raises an error that shows both when they do not. It wants
# 64-bit inputs, for the reason just seen.
passed = torch.autograd.gradcheck(f_of, (x64.requires_grad_(),))
print("gradcheck passed:", passed)

# %%
# How autograd got there: the chain rule, node by node
# ----------------------------------------------------
# Autograd never sees the formula. Back at the ones, it multiplies local derivatives
# along the graph of Q18: :math:`\partial f / \partial z_i = 1/4` for the mean,
# :math:`\partial z_i / \partial y_i = 6\,y_i = 18` for :math:`z = 3y^2`, and
# :math:`\partial y_i / \partial x_i = 1` for :math:`y = x + 2`. ``retain_grad()`` asks
# it to keep the gradients that pass through the intermediate tensors ``y`` and ``z``,
# so that each step can be seen.
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
y.retain_grad()
z.retain_grad()
z.mean().backward()
print("df/dz:", entries(z.grad))
print("df/dy:", entries(y.grad))
print("df/dx:", entries(x.grad))

# %%
# :math:`\frac14 \cdot 18 = 4.5` reaches ``y``, and the addition passes it on unchanged
# to ``x``: the same 4.5 as the derivation, reached one local step at a time.
#
# The gradient as a slope
# -----------------------
# Hold :math:`x_2, x_3, x_4` at 1 and let :math:`x_1` vary: ``f`` traces a parabola.
# Autograd's first partial derivative at the ones should be the slope of its tangent
# there.
slope = x.grad[0, 0].item()
t = torch.linspace(-5, 3, 81)
along_x1 = [f_of(torch.tensor([[v, 1.0], [1.0, 1.0]])).item() for v in t.tolist()]
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
ax.plot(t, along_x1, label="$f(x_1, 1, 1, 1)$")
ax.plot(t, 27 + slope * (t - 1), "--",
        label=f"tangent at $x_1 = 1$, slope {slope} (autograd)")
ax.plot([1], [27], "o", color="black")
ax.set(xlabel="$x_1$", ylabel="$f$", ylim=(0, 50),
       title="A partial derivative is a tangent's slope")
ax.legend(loc="upper left")
plt.show()

# %%
# .. dropdown:: Answer
#
#    Differentiating :math:`f = \frac{3}{4} \sum_{j} (x_j + 2)^2` with respect to
#    :math:`x_i`, every term with :math:`j \neq i` is a constant and drops out, and the
#    chain rule on :math:`(x_i + 2)^2` gives :math:`2\,(x_i + 2)`:
#
#    .. math::
#
#       \frac{\partial f}{\partial x_i} = \frac{3}{4} \cdot 2\,(x_i + 2)
#       = \frac{3}{2}\,(x_i + 2),
#       \qquad i = 1, \dots, 4.
#
#    At :math:`\boldsymbol{x} = (1, 1, 1, 1)` each partial derivative is
#    :math:`\frac{3}{2} \cdot 3 = 4.5`, so
#    :math:`\nabla_{\boldsymbol{x}} f = (4.5,\ 4.5,\ 4.5,\ 4.5)^T`: exactly what
#    autograd stored in ``x.grad`` in Q19. Autograd is right, and the tests above show
#    that it stays right away from the ones, where the four partial derivatives differ:
#    at a random point, against finite differences that use no derivative at all, and
#    step by step along the graph.

# %%
# Check
# -----
# The derivation agrees with autograd at the random point, and both with finite
# differences; at the ones, the chain rule's steps are the ones worked out above.
assert torch.allclose(autograd_at_random, by_hand)
assert not by_hand.requires_grad, "by the formula alone, outside autograd's graph"
assert torch.allclose(finite_diff, autograd_at_random.double(), atol=1e-5)
assert passed
assert z.grad.flatten().tolist() == [0.25] * 4
assert y.grad.flatten().tolist() == [4.5] * 4
assert slope == 4.5
# sphinx_gallery_start_ignore
assert len(set(by_hand.flatten().tolist())) == 4  # the point separates the entries
# sphinx_gallery_end_ignore
