"""The grader's side of the sandbox: the folder, environment, limits and cgroups of each
graded file, and the command that starts it through the launcher (:mod:`mnistcnn.grader.launcher`,
whose docstring says what each layer does and how it falls back).

:func:`protections` says, in words, what holds on this machine and why a layer does not.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import ClassVar

from . import launcher
from .launcher import DEV, PACKAGE, Limits

# The launcher runs as a file, in isolated mode: importing the package would import torch,
# whose threads forbid a process to enter new namespaces.
LAUNCHER = [sys.executable, "-I", str(Path(launcher.__file__).resolve())]
# What the code of an exercise may keep from the grader's environment; everything else
# (tokens, keys, the grader's own settings) is dropped.
KEPT_VARIABLES = (
    "PATH",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "SYSTEMROOT",  # Windows cannot start Python without it
    "LD_LIBRARY_PATH",
    "CUDA_VISIBLE_DEVICES",
    "CUDA_HOME",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "MNISTCNN_DEVICE",
    "MNISTCNN_MIRRORS",
    "MNISTCNN_SITE_URL",
    "MPLBACKEND",
)
# The variables of a submission's environment that name its own folder: the rest is the same for every file.
FOLDER_VARIABLES = ("HOME", "TMPDIR", "MNISTCNN_CACHE", "MPLCONFIGDIR")


def _own_cgroups() -> dict[str, str]:
    """This process's cgroup in each cgroup v1 hierarchy, by controller (``/proc/self/cgroup``)."""
    own = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(","):
                own[controller] = path
    return own


def cgroup_parent(controller: str, root: Path = Path("/sys/fs/cgroup"), own: dict | None = None) -> Path | None:
    """Where a cgroup with ``controller`` (``pids``, ``memory``) can be made: beneath this process's
    own cgroup in cgroup v1's hierarchy of that controller, or at cgroup v2's root when it hands
    the controller to the cgroups made in it (v2 forbids it beneath a cgroup with processes)."""
    if (root / controller).is_dir():
        own = _own_cgroups() if own is None else own
        return root / controller / own.get(controller, "/").lstrip("/")
    with contextlib.suppress(OSError):
        if controller in (root / "cgroup.subtree_control").read_text().split():
            return root
    return None


def environment(folder: Path) -> dict[str, str]:
    """The environment of a submission that runs in ``folder``, with that folder made ready:
    the few variables the code needs, its home and temporary files in ``folder``, the data,
    this package and the trained networks where the grader has them. Calling it again for the
    same folder gives the same environment."""
    from ..cache import cache_dir
    from ..data import data_dir

    env = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
    threads = Cage.of(folder).limits.threads
    if threads and "OMP_NUM_THREADS" not in env:  # the grader's own setting wins
        env["OMP_NUM_THREADS"] = str(threads)
    if gpu_refused():
        env["MNISTCNN_DEVICE"] = "cpu"
    cache = Path(folder) / "cache"
    _borrow_trained_networks(cache_dir(), cache)
    env.update(
        HOME=str(folder),
        TMPDIR=str(folder),
        MNISTCNN_DATA=str(data_dir().resolve()),
        MNISTCNN_CACHE=str(cache),
        MPLCONFIGDIR=str(Path(folder) / "matplotlib"),
        PYTHONPATH=str(package_path()),
    )
    return env


def _borrow_trained_networks(shared: Path, cache: Path) -> None:
    """Link the trained networks of the grader's cache into the submission's own cache: read,
    never written. A network missing there is trained by the submission, and forgotten with it."""
    (cache / "models").mkdir(parents=True, exist_ok=True)
    for network in sorted((shared / "models").glob("*.pt")):
        link = cache / "models" / network.name
        if not link.is_symlink():
            link.symlink_to(network.resolve())


@functools.cache
def package_path() -> Path:
    """A folder that holds only a link to this package's folder: the submission's ``PYTHONPATH``,
    so that importing ``mnistcnn`` shows it nothing else of a checkout (its pages, tests, or a
    class's submissions). Made once for the grader's process, removed when it ends."""
    folder = Path(tempfile.mkdtemp(prefix="mnistcnn-import-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    folder.chmod(0o755)  # the user a root grader runs submissions as reads it
    (folder / PACKAGE.name).symlink_to(PACKAGE)
    return folder


def gpu_wanted(device: str | None = None) -> bool:
    """Whether the grader's device setting (``MNISTCNN_DEVICE``) would run a submission on a GPU:
    ``cuda``, or ``auto`` where the NVIDIA driver's control device is present."""
    device = (device if device is not None else os.environ.get("MNISTCNN_DEVICE", "auto")).strip().lower()
    return device.startswith("cuda") or (device == "auto" and (DEV / "nvidiactl").exists())


def gpu_refused() -> str | None:
    """Why a submission that would run on the GPU cannot use it inside the sandbox; None when it
    can, or when the grader does not ask for a GPU. Then the submission runs on the CPU."""
    return _cuda_fails_inside() if gpu_wanted() else None


@functools.cache
def _cuda_fails_inside() -> str | None:
    """Run a tensor operation on CUDA in the sandbox, once: None when it works, else the last line of its error."""
    code = "import torch; torch.ones(1, device='cuda').add_(1).item()"
    env = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
    with tempfile.TemporaryDirectory(prefix="mnistcnn-probe-") as folder, Cage(Path(folder), Limits()):
        try:
            run = subprocess.run(
                command([sys.executable, "-c", code], Path(folder)),
                capture_output=True,
                text=True,
                timeout=300,
                env={**env, "HOME": folder, "PYTHONPATH": ""},
                cwd=folder,
            )
        except subprocess.TimeoutExpired:
            return "CUDA did not start within 300 s"
    lines = run.stderr.strip().splitlines()
    return None if run.returncode == 0 else (lines[-1] if lines else f"exit status {run.returncode}")


class Cage:
    """The sandbox of one file: its working folder, its limits and, where the machine allows,
    its pids and memory cgroups. Enter it around the run; leaving it kills whatever the file
    left running."""

    _open: ClassVar[dict[Path, Cage]] = {}  # by folder: the commands of a run find their cage

    def __init__(self, folder: Path, limits: Limits):
        self.folder, self.limits = Path(folder), limits
        self.cgroups: list[Path] = []

    def __enter__(self) -> Cage:
        bounds = {"pids": ("pids.max", self.limits.processes)}
        if self.limits.memory:
            memory = self.limits.memory << 20
            bounds["memory"] = ("memory.limit_in_bytes", memory)  # cgroup v1; v2 below
        for controller, (name, value) in bounds.items():
            parent = cgroup_parent(controller)
            if parent is None:
                continue
            cgroup = parent / f"mnistcnn-{self.folder.name}"
            try:
                cgroup.mkdir(exist_ok=cgroup in self.cgroups)  # cgroup v2: one cgroup for both
                if not (cgroup / name).exists() and controller == "memory":
                    name = "memory.max"
                    with contextlib.suppress(OSError):  # no swap either, where it can be said
                        (cgroup / "memory.swap.max").write_text("0")
                (cgroup / name).write_text(str(value))
                with contextlib.suppress(OSError):  # cgroup v1 with swap: none either
                    (cgroup / "memory.memsw.limit_in_bytes").write_text(str(value))
            except OSError:  # not root, or a read-only cgroup file system (a container)
                with contextlib.suppress(OSError):
                    cgroup.rmdir()
                continue
            if cgroup not in self.cgroups:
                self.cgroups.append(cgroup)
        Cage._open[self.folder] = self
        return self

    def __exit__(self, *exc) -> None:
        del Cage._open[self.folder]
        for cgroup in self.cgroups:
            for _ in range(100):  # a process may fork while the others are killed
                pids = [int(pid) for pid in (cgroup / "cgroup.procs").read_text().split()]
                if not pids:
                    break
                for pid in pids:
                    _kill(pid)
                time.sleep(0.05)
            with contextlib.suppress(OSError):
                cgroup.rmdir()

    @classmethod
    def of(cls, folder: Path) -> Cage:
        """The cage entered for ``folder``, or one with the default limits."""
        return cls._open.get(Path(folder)) or cls(folder, Limits())


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def command(argv: list[str], folder: Path) -> list[str]:
    """``argv``, started through the launcher with the limits of the cage of ``folder`` (as it is on Windows)."""
    return [*LAUNCHER, *launcher_options(folder), "--", *argv] if os.name == "posix" else argv


def launcher_options(folder: Path) -> list[str]:
    """The launcher's options for a file run in ``folder``: the limits of its cage, what it may read."""
    from ..cache import cache_dir
    from ..data import data_dir

    cage = Cage.of(folder)
    readable = [data_dir().resolve(), (cache_dir() / "models").resolve(), package_path()]
    options = [f"--folder={folder}", *cage.limits.options(), *(f"--readable={path}" for path in readable)]
    return options + [f"--cgroup={cgroup}" for cgroup in cage.cgroups]


def popen_options() -> dict:
    """Options of ``subprocess.Popen`` for a sandboxed command: its own session, so that its whole
    group can be stopped."""
    return {"start_new_session": True} if os.name == "posix" else {}


def protections(limits: Limits | None = None) -> list[str]:
    """What the sandbox applies on this machine, and what it cannot and why, in words: a
    short-lived launcher tries every step, as it would for a file."""
    if os.name != "posix":
        return ["the time limit"]
    with tempfile.TemporaryDirectory(prefix="mnistcnn-probe-") as folder, Cage(Path(folder), limits or Limits()):
        probe = [*command([], Path(folder))[:-1], "--report"]
        run = subprocess.run(probe, capture_output=True, text=True, timeout=60, env={})
    held = ["the time limit", *json.loads(run.stdout)] if run.returncode == 0 else ["the time limit"]
    if gpu_wanted():
        refused = gpu_refused()
        held.append(f"the CPU only: CUDA fails inside the sandbox ({refused})" if refused else "the GPU")
    return held
