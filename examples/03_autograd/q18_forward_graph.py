"""
Q18 · The forward pass and its graph
====================================

**The question.** Continue from ``x`` and ``y = x + 2`` of Q17: compute ``z`` as three
times ``y`` times ``y``, elementwise, and ``f`` as the mean of ``z``, and print ``z``
and ``f``. Then write ``f`` as a function of the four entries :math:`x_1, x_2, x_3, x_4`
of ``x``.

The page runs the forward pass, draws the graph autograd recorded along the way, and
checks the formula for :math:`f` against PyTorch, at the ones and at another point.
"""

# %%
# The forward pass
# ----------------
import torch

x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
f = z.mean()
print(z, f)

# %%
# Every entry of ``z`` is :math:`3 \cdot 3^2 = 27`, so their mean ``f`` is 27 as well.
# ``f`` is a single number, a 0-dimensional tensor, and it too carries a ``grad_fn``:
# the mean.
#
# The recorded graph
# ------------------
# Each ``grad_fn`` links to the nodes of its inputs through ``next_functions``. Walking
# those links from ``f`` prints the graph that ``backward()`` will travel (a constant
# such as the 3 has no node, and ``AccumulateGrad`` is the node that will store a
# gradient in ``x.grad``).


def print_graph(node, depth=0):
    print("    " * depth + type(node).__name__)
    for parent, _ in node.next_functions:
        if parent is not None:
            print_graph(parent, depth + 1)


print_graph(f.grad_fn)

# %%
# ``AddBackward0`` is printed twice, yet it is a single node: ``y * y`` uses ``y``
# twice, so the node of that product has two edges to the node that made ``y``, and the
# walk follows both. Asking the product's node where its two edges lead shows it:
square = z.grad_fn.next_functions[0][0]  # the node of y * y
(first, _), (second, _) = square.next_functions
print("both edges lead to the node of y:", first is second is y.grad_fn)

# %%
# Both paths end at ``x``: when gradients flow back, the shares that reach
# ``AddBackward0`` along its two edges are added up before they go on to ``x``.
#
# The formula
# -----------
# Following the graph from ``x`` up to ``f``, one entry at a time, turns it into a
# formula in :math:`x_1, \dots, x_4` (the answer below writes it in mathematical
# notation). In code, it is a function of four plain Python numbers that uses no tensor
# operation at all.


def f_formula(x1, x2, x3, x4):
    # sphinx_gallery_answer = "Return f from x1, ..., x4 in plain arithmetic."
    return 3 / 4 * ((x1 + 2) ** 2 + (x2 + 2) ** 2 + (x3 + 2) ** 2 + (x4 + 2) ** 2)
    # sphinx_gallery_answer_end


print("formula:", f_formula(*x.flatten().tolist()))
print("PyTorch:", f.item())

# %%
# At the ones every term is the same, so a wrong formula could agree by luck. A second
# point with four different entries rules that out.
x_other = torch.tensor([[0.5, -1.0], [2.0, 3.0]], requires_grad=True)
y_other = x_other + 2
f_other = (y_other * y_other * 3).mean()
print("formula:", f_formula(*x_other.flatten().tolist()))
print("PyTorch:", f_other.item())

# %%
# .. dropdown:: Answer
#
#    ``z`` is the 2×2 tensor of 27s, with ``grad_fn=<MulBackward0>``, and ``f`` is
#    ``tensor(27., grad_fn=<MeanBackward0>)``, a scalar. Entry by entry, the forward
#    pass computes
#
#    .. math::
#
#       y_i = x_i + 2, \qquad z_i = 3\,y_i^2, \qquad
#       f = \frac{1}{4} \sum_{i=1}^{4} z_i ,
#
#    so that, written with the entries of ``x`` alone,
#
#    .. math::
#
#       f(x_1, x_2, x_3, x_4) = \frac{1}{4} \sum_{i=1}^{4} 3\,(x_i + 2)^2
#       = \frac{3}{4} \left[ (x_1 + 2)^2 + (x_2 + 2)^2
#       + (x_3 + 2)^2 + (x_4 + 2)^2 \right],
#
#    which gives :math:`\frac{3}{4} \cdot 4 \cdot 9 = 27` at
#    :math:`x_1 = x_2 = x_3 = x_4 = 1`. Each entry of ``x`` appears in exactly one term
#    of the sum: ``f`` mixes the entries only by averaging them.

# %%
# Check
# -----
assert z.grad_fn.name() == "MulBackward0" and f.grad_fn.name() == "MeanBackward0"
assert f.dim() == 0 and f.item() == 27.0 == f_formula(1, 1, 1, 1)
assert torch.equal(z.detach(), torch.full((2, 2), 27.0))
assert f_other.item() == 36.1875 == f_formula(0.5, -1.0, 2.0, 3.0)
assert first is second is y.grad_fn
