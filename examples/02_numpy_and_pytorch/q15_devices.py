"""
Q15 · Devices: where a tensor lives
===================================

**The question.** Pick the GPU when PyTorch can use one, and the CPU otherwise. Then
make two random 5×3 tensors on that device in two ways: ``x`` is created on the CPU and
then moved with ``.to``, while ``y`` is created on the device directly, through the
``device`` argument. Add them. Explain each step. Which of the two ways of allocating is
the more efficient?

The page runs the steps, looks at where each tensor ends up, and times both ways of
allocating on the machine that built it.
"""

# %%
# Choosing the device
# -------------------
# ``torch.cuda.is_available()`` is true when PyTorch was built with CUDA support and
# sees a usable NVIDIA GPU. A device is then named by a string: ``"cuda"`` for the
# current GPU, ``"cpu"`` for the main memory and processor.
import timeit

import torch

torch.manual_seed(0)

# sphinx_gallery_answer = "device: the GPU's name if CUDA is available, else the CPU's."
device = "cuda" if torch.cuda.is_available() else "cpu"
# sphinx_gallery_answer_end
print(device)

# %%
# Two ways onto the device
# ------------------------
# ``x`` is drawn in CPU memory and ``.to(device)`` returns it on the device (``.cuda()``
# and ``.cpu()`` are shorthands for the two directions). ``y`` is drawn where it is
# going to live. An operation runs on the device of its operands, and its result stays
# there.
x = torch.randn(5, 3).to(device)
y = torch.randn(5, 3, device=device)
z = x + y
print("x on", x.device, "| y on", y.device, "| z on", z.device)
print(z)

# %%
# The printed values of ``z`` depend on the machine that built this page: a GPU has its
# own random number generator, which draws other numbers than the CPU's from the same
# seed.
#
# What ``.to`` costs
# ------------------
# ``.to`` returns its tensor unchanged when it is already on the requested device.
# Otherwise it allocates memory on the device and copies the numbers over, which leaves
# the CPU original behind as wasted work.
t = torch.randn(5, 3)
print(f"t.to({device!r}) is t itself:", t.to(device) is t)

# %%
# Timing both ways
# ----------------
# A 5×3 tensor is too small to time, so each function below makes a 500×500 one (a
# megabyte) in one of the two ways. GPU work is queued and runs later, so on a GPU each
# function waits for it to finish (``torch.cuda.synchronize``); otherwise only the
# queueing would be timed.


def wait_for_device():
    if device == "cuda":
        torch.cuda.synchronize()


def made_then_moved():
    t = torch.randn(500, 500).to(device)
    wait_for_device()
    return t


def made_on_device():
    t = torch.randn(500, 500, device=device)
    wait_for_device()
    return t


# %%
# The first call of each pays one-off costs (starting the GPU's random generator, for
# instance), so it is made once before the clock starts. Each time reported is the best
# of three rounds of ten calls.
timings = {}
ways = {"made on the CPU, then moved": made_then_moved,
        "made on the device": made_on_device}
for name, make in ways.items():
    make()

    # sphinx_gallery_answer = "timings[name]: one call of make, best of 3 rounds of 10."
    timings[name] = min(timeit.repeat(make, number=10, repeat=3)) / 10
    # sphinx_gallery_answer_end
    print(f"{name:>27}: {timings[name] * 1e3:6.3f} ms")
ratio = timings["made on the CPU, then moved"] / timings["made on the device"]
print(f"time ratio, made then moved / made on the device: {ratio:.2f}")

# %%
# .. answer-reading: Which way is faster, and why?
#
# On a CPU-only machine the two ways do exactly the same work, because moving to
# ``"cpu"`` does nothing: neither is more efficient, and whatever separates their times
# comes from the machine (its caches, its clock, other programs running), not from the
# code. Timings of calls this short can scatter widely. On a GPU the tensor made in
# place skips the slow random draw on the CPU and the copy across the bus, and wins by
# a wide margin.
#
# .. answer-reading-end
#
# .. note::
#
#    Later pages choose the device with ``mnistcnn.pick_device()``, which makes the same
#    choice and also obeys the environment variable ``MNISTCNN_DEVICE``, so that a build
#    can be forced onto the CPU.
#
# .. dropdown:: Answer
#
#    - The first line sets ``device`` to ``"cuda"`` when PyTorch can use a GPU and to
#      ``"cpu"`` otherwise, and prints the choice.
#    - ``x`` is drawn from the normal distribution in CPU memory, then ``.to(device)``
#      returns a copy of it in the device's memory (or, on a CPU-only machine, the same
#      tensor).
#    - ``y`` is drawn directly in the device's memory: ``device=`` tells the factory
#      function where to allocate.
#    - ``z = x + y`` adds them on that device; the sum lives there too. Both operands
#      must be on the same device (a 0-dimensional CPU tensor, which acts as a plain
#      number, is the one exception), or PyTorch raises an error instead of copying
#      behind your back.
#
#    The allocation of ``y`` is the more efficient. Making ``x`` on a GPU machine costs
#    a CPU allocation, random numbers drawn by the CPU, a GPU allocation, a copy from
#    CPU to GPU memory over the PCIe bus, and a CPU tensor thrown away at the end.
#    Making ``y`` costs one GPU allocation, filled in place by the GPU. On a CPU-only
#    machine the two are the same, since ``.to("cpu")`` has nothing to do: any gap
#    between their timings there is the machine's noise, not a difference of method.

# %%
# Check
# -----
# Where the tensors live; the timings are printed, never checked, as they depend on the
# machine.
assert x.device.type == y.device.type == z.device.type == device
assert z.shape == (5, 3)
assert (t.to(device) is t) == (device == "cpu")
assert set(timings) == {"made on the CPU, then moved", "made on the device"}
