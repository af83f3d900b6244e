"""
Q02 · Random tensors: rand and randn
====================================

**The question.** Fill a 5×3 tensor with ``torch.rand`` and print it. How are its values
distributed, and what is its type? What changes with ``torch.randn``?

The page prints both kinds of random tensor, then draws many samples of each and plots
their histograms, so that the two distributions can be seen rather than guessed from 15
numbers.
"""

# %%
# A random 5×3 tensor
# -------------------
# Random numbers in PyTorch come from a generator that we seed, so that this page prints
# the same values every time it is built.
import torch

torch.manual_seed(0)

# sphinx_gallery_answer = "Fill a 5×3 tensor with uniform random numbers."
y = torch.rand(5, 3)
# sphinx_gallery_answer_end
print(y)
print(y.dtype, y.type())
# sphinx_gallery_start_ignore
assert y.shape == (5, 3) and y.dtype == torch.float32 and 0 <= y.min() and y.max() < 1
# sphinx_gallery_end_ignore

# %%
# .. answer-reading: Which values and which element type did you get?
#
# Every value lies between 0 and 1, and the tensor holds 32-bit floats, like the one of
# Q01.
#
# .. answer-reading-end
#
# The same with ``randn``
# -----------------------
# ``randn`` has the same signature; only the distribution changes.
y = torch.randn(5, 3)
print(y)
print(y.dtype, y.type())

# %%
# Now some values are negative and some exceed 1: the numbers are no longer confined to
# an interval.
#
# Many samples, two histograms
# ----------------------------
# Fifteen numbers say little about a distribution. A hundred thousand of each do, once
# counted into bins.
import matplotlib.pyplot as plt

u = torch.rand(100_000)
g = torch.randn(100_000)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7, 3))
ax1.hist(u.numpy(), bins=50, density=True, color="tab:blue")
ax1.set_title("torch.rand: uniform on [0, 1)")
ax2.hist(g.numpy(), bins=50, density=True, color="tab:orange")
xs = torch.linspace(-4, 4, 200)
density = torch.exp(-xs**2 / 2) / (2 * torch.pi) ** 0.5
ax2.plot(xs.numpy(), density.numpy(), "k", label="N(0, 1) density")
ax2.set_title("torch.randn: standard normal")
ax2.legend(fontsize=8)
for ax in (ax1, ax2):
    ax.set(xlabel="value", ylabel="density")
fig.tight_layout()
plt.show()

# %%
# The left histogram is flat: every value in [0, 1) is equally likely. The right one is
# the bell curve of the standard normal distribution, centred on 0 with a spread of 1.
#
# The sample statistics agree with the theory: a uniform variable on [0, 1) has mean 1/2
# and standard deviation :math:`1/\sqrt{12} \approx 0.2887`, a standard normal one has
# mean 0 and standard deviation 1.
for name, t in (("rand ", u), ("randn", g)):
    print(f"{name}: min {t.min():.6f}  max {t.max():.6f}  "
          f"mean {t.mean():.4f}  std {t.std():.4f}")
print(f"share of randn samples within [-1, 1]: {(g.abs() <= 1).float().mean():.4f}")

# %%
# .. dropdown:: Answer
#
#    ``torch.rand(5, 3)`` draws each of its 15 entries independently from the **uniform
#    distribution on** :math:`[0, 1)`: every value in that interval is equally likely, 0
#    can occur but 1 cannot. ``torch.randn(5, 3)`` draws them from the **standard normal
#    (Gaussian) distribution** :math:`\mathcal{N}(0, 1)`, with mean 0 and standard
#    deviation 1: values cluster around 0, about 68% fall in :math:`[-1, 1]`, and any
#    real number is possible, so negative values and values above 1 are common.
#
#    Both return a ``torch.Tensor`` of 32-bit floats (``torch.float32``, shown by the
#    legacy type string ``torch.FloatTensor``). Unlike the ``torch.Tensor(5, 3)`` of
#    Q01, the values are written on creation; they are reproducible once the generator
#    is seeded with ``torch.manual_seed``.

# %%
# Check
# -----
# The checks are loose on purpose: they hold for any seed, not just for the numbers
# above.
assert y.shape == (5, 3) and y.dtype == torch.float32
assert 0.0 <= u.min() and u.max() < 1.0
assert abs(u.mean() - 0.5) < 0.01 and abs(u.std() - 12**-0.5) < 0.01
assert abs(g.mean()) < 0.02 and abs(g.std() - 1.0) < 0.02
assert g.min() < 0 < 1 < g.max()
assert abs((g.abs() <= 1).float().mean() - 0.6827) < 0.01
