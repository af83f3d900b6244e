"""
Q16 · GPU tensors and NumPy
===========================

**The question.** Take the sum ``z`` of Q15, which lives on the GPU when there is one.
Convert it to NumPy in two ways: first bring it back to the CPU with ``.cpu()`` and then
call ``numpy()``, or call ``numpy()`` on it directly. What does each do, and why?

The page makes ``z`` again, converts it both ways, and shows the error that the direct
way raises on a GPU, or explains it where the page was built without one.
"""

# %%
# ``z`` as in Q15
# ---------------
import textwrap

import numpy as np
import torch

torch.manual_seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"
x = torch.randn(5, 3).to(device)
y = torch.randn(5, 3, device=device)
z = x + y
print("z lives on", z.device)
# sphinx_gallery_start_ignore
# On a CPU, z.numpy() gives the very array that z.cpu().numpy() gives: only the calls
# the answer below makes tell them apart, so they are noted while it runs.
from torch.overrides import TorchFunctionMode


class NotedCalls(TorchFunctionMode):
    def __init__(self):
        super().__init__()
        self.names = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", str(func))
        if name in ("to", "numpy") and (args[1:] or kwargs):
            name += f"({', '.join(map(str, [*args[1:], *kwargs.values()]))})"
        self.names.append(name)
        return func(*args, **kwargs)


noted = NotedCalls()
noted.__enter__()
# sphinx_gallery_end_ignore

# %%
# Back to the CPU, then to NumPy
# ------------------------------
# ``.cpu()`` returns the tensor in main memory, and ``numpy()`` then views that memory
# as an array. This works wherever ``z`` lives.

# sphinx_gallery_answer = "Bring z to main memory, then make it a NumPy array z_np."
z_np = z.cpu().numpy()
# sphinx_gallery_answer_end
# sphinx_gallery_start_ignore
noted.__exit__(None, None, None)
to_main_memory = {"cpu", "to(cpu)", "numpy(True)"} & set(noted.names)
assert to_main_memory, f"z_np made without .cpu(); its tensor calls: {noted.names}"
# sphinx_gallery_end_ignore
print(type(z_np), z_np.dtype, z_np.shape)
print(z_np)

# %%
# Whether ``z_np`` is a copy depends on where ``z`` was. From a GPU, ``.cpu()`` copies
# the numbers into main memory, so ``z_np`` is a snapshot. On the CPU, ``.cpu()``
# returns ``z`` itself and ``z_np`` is a view of ``z``'s memory, as in Q12.
print("z.cpu() is z itself:", z.cpu() is z)
if z.device.type == "cpu":
    print("z_np shares memory with z:", np.shares_memory(z_np, z.numpy()))

# %%
# Straight to NumPy
# -----------------
# A NumPy array can only point at main memory. On a GPU, ``numpy()`` therefore refuses,
# and its error message says what to do instead.
direct_error = None
if z.device.type == "cuda":
    try:
        z.numpy()
    except TypeError as err:
        direct_error = err
        print(textwrap.fill(f"TypeError: {err}", 80))
else:
    print("No usable GPU where this page was built: z is in main memory,")
    print("and z.numpy() works:")
    print(z.numpy())
    print("(On a GPU the same call raises a TypeError, which could not be shown here.)")

# %%
# Where ``z`` sits on a GPU, the output above is the ``TypeError`` itself. Where it sits
# on the CPU, the same refusal can still be watched on PyTorch's ``meta`` device, which
# every build has: its tensors carry a shape and a type but no numbers anywhere, and
# ``numpy()`` turns them down with the message it gives GPU tensors.
try:
    torch.empty(5, 3, device="meta").numpy()
except TypeError as err:
    meta_error = err
    print(textwrap.fill(f"TypeError: {err}", 80))

# %%
# .. note::
#
#    Copies between the GPU and main memory cost time that the GPU's arithmetic does not
#    (this page does not measure how much), and
#    ``.cpu()`` also waits until all the work queued on the GPU is done. Keep a
#    computation on the GPU from start to finish, and bring back only the few numbers
#    you need to print, plot or store, once, at the end.
#
# .. dropdown:: Answer
#
#    ``z.cpu().numpy()`` always works. ``.cpu()`` returns the tensor in main memory (a
#    new copy if ``z`` is on the GPU, ``z`` itself if it is already on the CPU), and
#    ``numpy()`` then wraps that memory in a NumPy array of the same ``float32``
#    numbers.
#
#    ``z.numpy()`` works only when ``z`` is on the CPU. On a GPU it raises a
#    ``TypeError``: "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu()
#    to copy the tensor to host memory first." NumPy arrays live in main memory and
#    NumPy knows nothing about GPU memory, so ``numpy()``, which never copies, has
#    nothing it could hand over; PyTorch refuses rather than copy silently, and leaves
#    the explicit, costly copy to you.

# %%
# Check
# -----
assert isinstance(z_np, np.ndarray)
assert z_np.dtype == np.float32 and z_np.shape == (5, 3)
assert np.allclose(z_np, (x + y).cpu().numpy())
assert isinstance(meta_error, TypeError) and "Tensor.cpu()" in str(meta_error)
if z.device.type == "cuda":
    assert isinstance(direct_error, TypeError) and "Tensor.cpu()" in str(direct_error)
else:
    assert np.shares_memory(z_np, z.numpy())
