"""Training and evaluation: minibatch SGD with momentum, batched accuracy, trained LeNets.

:func:`backprop_deep` is the assignment's training function: the same mathematics
(same hyperparameters, a fresh shuffle every epoch, N//B minibatches of cross-entropy
and one SGD-with-momentum step each), for any network that maps N×1×28×28 images to
N×10 scores, the assignment's own class included. It changes the network's weights
and nothing else about it: not its memory layout, dtype, device or train/eval mode.

* On the CPU it computes exactly what the assignment's loop computes, operation for
  operation: the same losses and weights, bit for bit, from the same random state.
* On CUDA the data stays on the GPU, each epoch's permutation is copied there once,
  and the host waits for the GPU only to print (a loss line, an epoch's time) and to
  return the losses; after a few warm-up minibatches, one whole training step (gather
  the minibatch, forward, backward, fused update) is captured as a CUDA graph and
  replayed for every further minibatch, so that Python launches one graph per step
  instead of each of its kernels. A network that cannot be captured is trained step by
  step instead, after a one-line notice. The losses and weights agree with the eager
  steps' to float tolerance, not to the bit: cuDNN may add in another order from run
  to run, and by PyTorch's default it computes float32 convolutions in TF32. The GPU
  tests (``tests/test_train.py``, ``tests/test_any_network.py``, run by
  ``nox -s tests-cuda``) check the replays, the fallback and that tolerance on a GPU.

:func:`textbook_backprop_deep` is the plain loop exactly as the assignment writes
it; the tests prove the two produce the same loss history, and the benchmark
(:mod:`mnistcnn.bench`) measures them side by side.

:func:`trained_lenet` is the recipe of the textbook's trained networks, which the pages
share through a cache on disk (:func:`save_trained`).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn

from . import checkpoint
from .cache import trained_path
from .data import load_tensors
from .device import pick_device
from .model import LeNet

__all__ = [
    "backprop_deep",
    "textbook_backprop_deep",
    "predict",
    "accuracy",
    "trained_lenet",
    "save_trained",
]


def _device_of(net: nn.Module) -> torch.device:
    parameter = next(net.parameters(), None)
    if parameter is None:
        raise ValueError(f"{type(net).__name__} has no parameters: there is nothing to train or to place on a device")
    return parameter.device


def _check_data(x: torch.Tensor, labels: torch.Tensor, device: torch.device) -> None:
    if x.dim() != 4 or tuple(x.shape[1:]) != (1, 28, 28):
        raise ValueError(f"expected images of shape N×1×28×28, got {tuple(x.shape)}")
    if labels.shape != (x.shape[0],):
        raise ValueError(f"expected {x.shape[0]} labels, got a tensor of shape {tuple(labels.shape)}")
    if labels.dtype != torch.int64:
        raise TypeError(f"labels must be int64 class indices (the type PyTorch uses for indices), not {labels.dtype}")
    if x.device != device or labels.device != device:
        raise ValueError(
            f"the network is on {device} but the images are on {x.device} and the labels on "
            f"{labels.device}; move them with .to(device) first"
        )


class _Progress:
    """An in-place progress bar on a terminal; nothing extra in captured output."""

    def __init__(self, epochs: int, steps: int, stream=None) -> None:
        self.stream = stream or sys.stdout
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.epochs, self.steps = epochs, steps

    def update(self, epoch: int, step: int) -> None:
        if self.live and step % 10 == 0:
            done = int(30 * step / self.steps)
            bar = "#" * done + "." * (30 - done)
            self.stream.write(f"\r  epoch {epoch + 1}/{self.epochs} [{bar}] {step}/{self.steps}")
            self.stream.flush()

    def print(self, line: str) -> None:
        prefix = "\r\033[K" if self.live else ""
        print(prefix + line, file=self.stream, flush=True)


class _Step:
    """One SGD step on one minibatch, given as the indices of its images; returns the loss."""

    def __init__(self, net, optimizer, xtrain, ltrain) -> None:
        self.net, self.optimizer = net, optimizer
        self.xtrain, self.ltrain = xtrain, ltrain
        self.criterion = nn.CrossEntropyLoss()

    def compute(self, batch: torch.Tensor) -> torch.Tensor:
        """Forward, backward and update; the gradients must be ``None`` beforehand."""
        inputs = self.xtrain.index_select(0, batch)
        loss = self.criterion(self.net(inputs), self.ltrain.index_select(0, batch))
        loss.backward()
        self.optimizer.step()
        return loss.detach()

    def __call__(self, batch: torch.Tensor) -> torch.Tensor:
        self.optimizer.zero_grad(set_to_none=True)
        return self.compute(batch)


class _GraphedStep(_Step):
    """The same step on CUDA, captured once as a CUDA graph and then replayed.

    The first minibatches run eagerly, on a side stream, as PyTorch's recipe for
    capturing a whole training step asks (they create the optimizer's momentum buffers
    and let the libraries choose their kernels); they are real training steps. The
    capture itself computes nothing: every later minibatch copies its indices into the
    graph's input and replays the recorded kernels, which read the same weights,
    gradients and momentum buffers in place.

    A network whose step cannot be captured (its ``forward`` waits for the GPU, for
    example to read a value with ``.item()``, or copies from the host) makes the capture
    raise; the capture recorded kernels without running them, so nothing has changed,
    and every later minibatch runs eagerly instead, after a one-line notice.
    """

    WARMUP = 3

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.eager_steps_left = self.WARMUP
        self.graph = None
        self.eager = False

    def __call__(self, batch: torch.Tensor) -> torch.Tensor:
        if self.graph is not None:
            self.batch.copy_(batch)
            self.graph.replay()
            return self.loss
        if self.eager:
            return super().__call__(batch)
        main = torch.cuda.current_stream(batch.device)
        side = torch.cuda.Stream(batch.device)
        side.wait_stream(main)
        with torch.cuda.stream(side):
            loss = super().__call__(batch)
        main.wait_stream(side)
        self.eager_steps_left -= 1
        if self.eager_steps_left == 0:
            self._capture(batch)
        return loss

    def _capture(self, batch: torch.Tensor) -> None:
        self.batch = batch.clone()
        # Gradients set to None now are created by the captured backward pass, in the
        # graph's own memory, and overwritten (not accumulated) by every replay.
        self.optimizer.zero_grad(set_to_none=True)
        graph = torch.cuda.CUDAGraph()
        try:
            with torch.cuda.graph(graph):
                loss = self.compute(self.batch)
        except Exception as err:  # whatever the network did that a graph cannot hold
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            print(
                f"note: {type(self.net).__name__} cannot be captured as a CUDA graph ({reason}); "
                "training it without one",
                file=sys.stderr,
                flush=True,
            )
            self.optimizer.zero_grad(set_to_none=True)
            self.eager = True
            return
        self.loss = loss
        self.graph = graph


def backprop_deep(
    xtrain: torch.Tensor,
    ltrain: torch.Tensor,
    net: nn.Module,
    T: int,
    B: int = 100,
    gamma: float = 0.001,
    rho: float = 0.9,
    *,
    seed: int | None = None,
    log_every: int = 100,
    verbose: bool = True,
    cuda_graph: bool = True,
) -> list[float]:
    """Train ``net`` for ``T`` epochs of minibatch SGD with momentum.

    Parameters
    ----------
    xtrain, ltrain
        Images (float, N×1×28×28) and int64 labels, on the same device as ``net``.
    net
        The network to train, in place.
    T
        Number of epochs.
    B
        Minibatch size; each epoch makes ``N // B`` steps.
    gamma
        Step size (learning rate).
    rho
        Momentum.
    seed
        Seeds the shuffling, which always draws from a CPU generator so that the
        same seed gives the same minibatches on every device. ``None`` draws from
        torch's global generator, as the assignment's loop does.
    log_every
        Print ``[epoch, minibatch] loss: x.xxx`` (the running mean) every this
        many minibatches, plus one line per epoch with its time.
    verbose
        Print nothing when ``False``.
    cuda_graph
        On CUDA, replay each training step as a captured CUDA graph (the default);
        ``False`` launches every kernel from Python. Ignored on the CPU.

    Returns
    -------
    list of float
        The loss of every minibatch, ``T * (N // B)`` values.
    """
    device = _device_of(net)
    _check_data(xtrain, ltrain, device)
    N = xtrain.size(0)
    NB = N // B
    if NB == 0:
        raise ValueError(f"minibatch size B={B} is larger than the {N} training images")
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    # float64 holds every loss exactly, whatever the network's dtype.
    losses = torch.empty(T * NB, dtype=torch.float64, device=device)
    progress = _Progress(T, NB)
    was_training = net.training
    net.train()
    try:
        # On CUDA the fused kernel updates all parameters in one launch; on the CPU the
        # optimizer's default is kept, so that the update is the assignment's to the bit.
        fused = True if device.type == "cuda" else None
        optimizer = torch.optim.SGD(net.parameters(), lr=gamma, momentum=rho, fused=fused)
        graphed = device.type == "cuda" and cuda_graph
        step = (_GraphedStep if graphed else _Step)(net, optimizer, xtrain, ltrain)
        for epoch in range(T):
            start = time.perf_counter()
            order = torch.randperm(N, generator=generator)
            if device.type == "cuda":
                # From pinned memory the copy is truly asynchronous: the host does not
                # wait here for the previous epoch to finish on the GPU.
                order = order.pin_memory()
            order = order.to(device, non_blocking=True)
            for k in range(NB):
                losses[epoch * NB + k] = step(order[k * B : (k + 1) * B])
                if not verbose:
                    continue
                progress.update(epoch, k + 1)
                if (k + 1) % log_every == 0:
                    # The only point where the host waits for the device.
                    running = losses[epoch * NB + k + 1 - log_every : epoch * NB + k + 1].mean()
                    progress.print("[%d, %5d] loss: %.3f" % (epoch + 1, k + 1, running.item()))
            if verbose:
                if device.type == "cuda":
                    torch.cuda.synchronize(device)
                seconds = time.perf_counter() - start
                progress.print(f"epoch {epoch + 1}/{T} done in {seconds:.1f} s ({NB * B / seconds:,.0f} images/s)")
    finally:
        net.train(was_training)
    return losses.tolist()


def textbook_backprop_deep(
    xtrain: torch.Tensor,
    ltrain: torch.Tensor,
    net: nn.Module,
    T: int,
    B: int = 100,
    gamma: float = 0.001,
    rho: float = 0.9,
) -> list[float]:
    """The assignment's training loop, completed and otherwise unchanged.

    It is the reference that :func:`backprop_deep` is tested and measured against.
    Returns the loss of every minibatch.
    """
    N = xtrain.size()[0]
    NB = N // B
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=gamma, momentum=rho)
    history = []
    for epoch in range(T):
        running_loss = 0.0
        shuffled_indices = torch.randperm(N)
        for k in range(NB):
            minibatch_indices = shuffled_indices[B * k : B * (k + 1)]
            inputs = xtrain[minibatch_indices]
            labels = ltrain[minibatch_indices]
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                running_loss += loss.item()
            history.append(loss.item())
            if k % 100 == 99:
                print("[%d, %5d] loss: %.3f" % (epoch + 1, k + 1, running_loss / 100))
                running_loss = 0.0
    return history


@torch.inference_mode()
def predict(net: nn.Module, x: torch.Tensor, batch_size: int | None = None) -> torch.Tensor:
    """Predicted digit for every image of ``x``, computed in batches without autograd.

    ``x`` may live on any device; the result is on the network's device. The default
    batch is 1,000 images on the CPU, where a batch's activations then stay in the
    caches, and 10,000 on a GPU, so that the whole test set takes one launch of each
    kernel (no batch size was timed against another on a GPU).
    """
    device = _device_of(net)
    if batch_size is None:
        batch_size = 1000 if device.type == "cpu" else 10_000
    was_training = net.training
    net.eval()
    try:
        predictions = [
            net(x[start : start + batch_size].to(device, non_blocking=True)).argmax(dim=1)
            for start in range(0, x.size(0), batch_size)
        ]
    finally:
        net.train(was_training)
    if not predictions:
        raise ValueError("cannot predict on an empty batch of images")
    return torch.cat(predictions)


def accuracy(net: nn.Module, x: torch.Tensor, labels: torch.Tensor, batch_size: int | None = None) -> float:
    """Percentage (0 to 100) of the images of ``x`` that ``net`` classifies as ``labels``."""
    if labels.shape != (x.shape[0],):
        raise ValueError(f"expected {x.shape[0]} labels, got a tensor of shape {tuple(labels.shape)}")
    predicted = predict(net, x, batch_size)
    return 100.0 * (predicted == labels.to(predicted.device)).double().mean().item()


def save_trained(net: nn.Module, epochs: int, seed: int = 0) -> Path:
    """Put a network trained as :func:`trained_lenet` would train it into the cache."""
    return checkpoint.save(net, trained_path(epochs, seed, _device_of(net)))


def trained_lenet(
    epochs: int,
    seed: int = 0,
    device: str | torch.device | None = None,
    data: str | os.PathLike | None = None,
) -> LeNet:
    """A LeNet trained for ``epochs`` epochs with the assignment's hyperparameters.

    The recipe is the assignment's: ``torch.manual_seed(seed)``, a new :class:`LeNet`
    moved to the device, then :func:`backprop_deep` (B=100, gamma=0.001, rho=0.9) on
    the full training set, its shuffles drawn from torch's global generator right after
    the initialisation. A page that runs its own copy of the assignment's loop after
    the same two lines trains the very same network. The result is cached (see
    :func:`mnistcnn.cache.trained_path`); a missing entry is trained and stored first.

    On the CPU the same arguments give the same weights bit for bit on the same machine,
    torch build and number of threads (elsewhere, equal up to rounding). On CUDA they
    agree to float tolerance only: cuDNN's fastest convolution kernels add their
    partial sums in an order that can change from run to run.
    """
    dev = pick_device(device)
    path = trained_path(epochs, seed, dev)
    if path.is_file():
        return checkpoint.load(path, dev)
    print(f"No cached network at {path.name}; training one for {epochs} epochs on {dev.type}.")
    xtrain, ltrain = load_tensors("training", data, device=dev)
    torch.manual_seed(seed)
    net = LeNet().to(dev)
    backprop_deep(xtrain, ltrain, net, epochs)
    checkpoint.save(net, path)
    return net
