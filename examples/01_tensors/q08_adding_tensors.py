"""
Q08 · Four ways to add two tensors
==================================

**The question.** Add the tensors ``x`` and ``y`` of Q04 in four spellings: ``x + y``,
``torch.add(x, y)``, ``x.add(y)``, and ``torch.add(x, y, out=x)`` followed by printing
``x``. Do the four print the same thing? Are they equivalent?

The page compares the four results, then looks at what each spelling does to ``x``
itself, down to the memory address of its numbers.
"""

# %%
# The tensors of Q04
# ------------------
import textwrap

import torch

x = torch.tensor([[-0.1859, 1.3970, 0.5236],
                  [2.3854, 0.0707, 2.1970],
                  [-0.3587, 1.2359, 1.8951],
                  [-0.1189, -0.1376, 0.4647],
                  [-1.8968, 2.0164, 0.1092]])
y = torch.tensor([[0.4838, 0.5822, 0.2755],
                  [1.0982, 0.4932, -0.6680],
                  [0.7915, 0.6580, -0.5819],
                  [0.3825, -1.1822, 1.5217],
                  [0.6042, -0.2280, 1.3210]])

# %%
# Three spellings that return a new tensor
# ----------------------------------------
# The operator, the function and the method.
s1 = x + y
s2 = torch.add(x, y)
s3 = x.add(y)
print(s1)

# %%
# Printing all three would show the same table three times; comparing them is shorter.

# sphinx_gallery_answer = "Check whether s1, s2 and s3 are exactly equal."
print("s1 equals s2:", torch.equal(s1, s2), "  s1 equals s3:", torch.equal(s1, s3))
# sphinx_gallery_answer_end

# %%
# .. answer-reading: How do the three sums compare, and why?
#
# They are equal to the last bit: ``x + y`` is only a shorter way of writing
# ``torch.add(x, y)``, and ``x.add(y)`` is the same function called as a method of
# ``x``.
#
# .. answer-reading-end
#
# The fourth spelling writes into ``x``
# -------------------------------------
# Before running it, keep a copy of ``x`` (``clone`` copies the numbers) and the address
# where ``x`` keeps its numbers (``data_ptr``).
x_before = x.clone()
address = x.data_ptr()

torch.add(x, y, out=x)
print(x)

# %%
# The printout matches the three sums. But compare ``x`` with the copy taken before:

# sphinx_gallery_answer = "Has x changed? Is it still in the same memory?"
print("x has changed:", not torch.equal(x, x_before))
print("same memory as before:", x.data_ptr() == address)
# sphinx_gallery_answer_end

# %%
# .. answer-reading: What happened to x?
#
# ``out=x`` asks ``torch.add`` to write its result into the memory of ``x``: the old
# values of ``x`` are gone, overwritten in place. The three other spellings left ``x``
# alone and put the sum in freshly allocated memory, as the addresses show.
#
# .. answer-reading-end
print("s1, s2, s3 in new memory:", [s.data_ptr() != address for s in (s1, s2, s3)])

# %%
# So the cell is not repeatable
# -----------------------------
# Running the same four lines again now adds ``y`` to the *new* ``x``: the result is
# ``x_before + 2 y``, no longer the sum of Q04's tensors.
print("x + y is now x_before + 2 y:", torch.allclose(x + y, x_before + 2 * y))

# %%
# The everyday in-place spelling
# ------------------------------
# PyTorch marks in-place methods with a trailing underscore: ``x.add_(y)`` (or
# ``x += y``) does what ``torch.add(x, y, out=x)`` did, more readably. ``out=`` is meant
# for writing a result into a tensor that was allocated beforehand, for instance to
# reuse memory in a loop.
x = x_before.clone()
x.add_(y)
print("x.add_(y) left the sum in x:", torch.equal(x, s1))

# %%
# Adding tensors of different shapes
# ----------------------------------
# The three spellings that return a new tensor also add tensors whose shapes differ,
# when the two shapes can be *broadcast* to a common one. The rule: align the two
# shapes from the right; a missing dimension counts as 1; in each aligned pair the
# sizes must be equal, or one of them 1, which is repeated to match the other. A row
# of three numbers, shape (3,), aligns with the 3 of 5×3 and is added to every row:
row = torch.tensor([0.0, 10.0, 100.0])
print(x_before + row)
broadcast_row = row.expand(5, 3)
print("the row, broadcast:", tuple(broadcast_row.shape), broadcast_row.stride())

# %%
# Nothing is copied: broadcast to 5×3, the row has strides (0, 1), so going down a row
# stays at the same three numbers. Neither operand needs to be the larger one: a 5×1
# column and a 1×3 row both grow, into a 5×3 table, and ``torch.broadcast_shapes``
# applies the rule to shapes alone. Where a pair differs and neither size is 1, the
# shapes do not broadcast.
column = torch.arange(5.0).view(5, 1)
table = column + row.view(1, 3)
print("(5, 1) + (1, 3) ->", tuple(table.shape))
print("(2, 1, 4) and (3, 1) ->", tuple(torch.broadcast_shapes((2, 1, 4), (3, 1))))
try:
    torch.broadcast_shapes((5, 3), (5,))
except RuntimeError as err:
    mismatch_error = err
    print(textwrap.fill("(5, 3) and (5,): " + " ".join(str(err).split()), 80))

# %%
# The writing spellings are stricter: ``out=`` and an in-place method write into a
# tensor that already exists, which cannot grow. ``row`` can receive ``row + x`` only
# if the broadcast shape is its own shape (3,); here it is (5, 3):
for name, write in {"torch.add(row, x, out=row)": lambda: torch.add(row, x, out=row),
                    "row.add_(x)": lambda: row.add_(x)}.items():
    try:
        write()
    except RuntimeError as err:
        grow_error = err
        print(textwrap.fill(f"{name}: RuntimeError: {err}", 80))

# %%
# The other way round works, since a target of shape 5×3 already has the broadcast
# shape: ``add_`` adds the row to every one of its rows, in place.
grown = x_before.clone()
grown.add_(row)
print("added in place into a 5×3 target:", torch.equal(grown, x_before + row))

# %%
# A new result takes the broadcast shape; a target keeps its own shape, so writing
# into it works only when the broadcast shape is that shape.
#
# .. dropdown:: Answer
#
#    All four print the same 5×3 tensor, the element-wise sum of ``x`` and ``y``, and
#    the three returned sums are exactly equal (``torch.equal`` is ``True``). As values,
#    the four spellings agree: ``x + y`` is the operator form of ``torch.add(x, y)``,
#    and ``x.add(y)`` is its method form.
#
#    They are **not equivalent** in their effect, though. The first three leave ``x``
#    unchanged and return the sum in a new tensor. ``torch.add(x, y, out=x)`` stores the
#    sum *into* ``x``: the original values of ``x`` are overwritten, in the same memory
#    (its ``data_ptr`` is unchanged), and the last line only prints the modified ``x``.
#    A second run of the same code therefore adds ``y`` once more, and every other name
#    pointing at that tensor sees the change.
#
#    The idiomatic in-place addition is ``x.add_(y)`` or ``x += y``. In-place operations
#    save memory but destroy their input; autograd (Q17) refuses some of them, for
#    instance an in-place change of a leaf tensor that requires gradients, so when in
#    doubt, prefer ``x + y``.

# %%
# Check
# -----
assert torch.equal(s1, s2) and torch.equal(s1, s3)
assert torch.equal(x, s1) and not torch.equal(x_before, s1)
assert torch.allclose(s1, torch.tensor([[0.2979, 1.9792, 0.7991],
                                         [3.4836, 0.5639, 1.5290],
                                         [0.4328, 1.8939, 1.3132],
                                         [0.2636, -1.3198, 1.9864],
                                         [-1.2926, 1.7884, 1.4302]]), atol=1e-4)
assert torch.equal(x_before + row, x_before + broadcast_row)
assert broadcast_row.stride() == (0, 1) and broadcast_row.data_ptr() == row.data_ptr()
# sphinx_gallery_start_ignore
# The broadcasting rule, and the writing spellings that cannot grow their target.
assert table.shape == (5, 3)
assert torch.equal(table[4], torch.tensor([4.0, 14.0, 104.0]))
assert torch.broadcast_shapes((2, 1, 4), (3, 1)) == (2, 3, 4)
assert isinstance(mismatch_error, RuntimeError)
assert "doesn't match the broadcast shape" in str(grow_error), grow_error
assert torch.equal(row, torch.tensor([0.0, 10.0, 100.0])), "the writes left row alone"
assert torch.equal(grown, x_before + row)
# sphinx_gallery_end_ignore

