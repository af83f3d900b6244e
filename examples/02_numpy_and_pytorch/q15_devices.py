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
# How to time code
# ----------------
# A 5×3 tensor is too small to time, so each function below makes a 500×500 one (a
# megabyte) in one of the two ways. Four habits make a timing mean something:
#
# - **Warm up.** The first call pays one-off costs (starting the GPU's random
#   generator, for instance), so it runs before the clock starts.
# - **Repeat.** One short call is at the mercy of the machine's noise. Time many calls,
#   in several rounds, and report the *median* of the rounds with their spread, the
#   *interquartile range* (IQR): the middle half of the rounds lies within it.
# - **Interleave.** Time the two ways in turns, round after round, so that a busy
#   moment of the machine slows both alike instead of one.
# - **Synchronise.** GPU work is queued and runs later: read the clock only after
#   ``torch.cuda.synchronize()``, or only the queueing is timed (Q32 does this by hand).
#
# ``torch.utils.benchmark.Timer`` warms up before each measurement and synchronises a
# GPU before reading its clock; as the package's own benchmark (``mnistcnn.bench``)
# does, we give it every thread of the CPU (its default is one) and call it in turns.
from torch.utils import benchmark


def made_then_moved():
    return torch.randn(500, 500).to(device)


def made_on_device():
    return torch.randn(500, 500, device=device)


ways = {"made on the CPU, then moved": made_then_moved,
        "made on the device": made_on_device}
timers = {name: benchmark.Timer("make()", globals={"make": make}, description=name,
                                num_threads=torch.get_num_threads())
          for name, make in ways.items()}

# %%
# Seven rounds, each timing ten calls of each way in turn:
rounds = {name: [] for name in ways}
for _ in range(7):
    for name, timer in timers.items():

        # sphinx_gallery_answer = "Add to rounds[name] a measurement of 10 calls."
        rounds[name].append(timer.timeit(10))
        # sphinx_gallery_answer_end
timings = {name: benchmark.Measurement.merge(rounds[name])[0] for name in ways}
for name, m in timings.items():
    print(f"{name:>27}: median {m.median * 1e3:6.3f} ms, IQR {m.iqr * 1e3:6.3f} ms")
moved, made = (timings[name].median for name in ways)
print(f"ratio of the medians, made then moved / made on the device: {moved / made:.2f}")

# %%
# .. answer-reading: Which way is faster, and why?
#
# On a CPU-only machine the two ways do exactly the same work, because moving to
# ``"cpu"`` does nothing: neither is more efficient, and whatever separates their times
# comes from the machine (its caches, its clock, other programs running), not from the
# code: read a gap between the medians against the IQRs, the scatter of one way's own
# rounds. On a GPU the tensor made in place skips the random draw on the CPU and the
# copy across the bus; the medians printed above say by how much on the machine that
# built this page.
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
#    CPU to GPU memory, and a CPU tensor thrown away at the end.
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
assert all(len(r) == 7 for r in rounds.values()), "seven rounds of each way"
assert all(m.number_per_run == 10 for r in rounds.values() for m in r), rounds
assert all(len(m.times) == 7 for m in timings.values())
