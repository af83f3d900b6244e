"""Limits on a submission's process: what ``mnistcnn check`` puts around code it did not write.

The grader starts each exercise through this module's launcher::

    python -I mnistcnn/sandbox.py [limits] -- python ...   (a script, or a Jupyter kernel)

The launcher applies the limits to itself, then runs the command. On Linux:

* resource limits: CPU time, memory (``RLIMIT_DATA``: what the process writes, not the address
  space torch reserves), the size of a file, no core dump;
* a cgroup of its own (``pids``, where the grader may create one: as root, in cgroup v1's pids
  hierarchy or at cgroup v2's root), so that a fork bomb stops at ``processes``;
* a new user namespace, which lets an unprivileged process make the two below, and
* a new PID namespace: the command runs as its process 1, and when it ends, or the launcher is
  killed, the kernel kills every process it started, including those that left its group;
* a new network namespace for a script (no network at all); a kernel, which talks to the
  grader over TCP on localhost, gets Landlock's TCP rules instead: it may bind its own ports,
  and connect nowhere;
* Landlock: the process may write only in its working folder (and ``/dev/null``), read only the
  system, Python, this package, the MNIST data and the network cache, and signal no process
  outside itself.

Each layer that the machine refuses (an old kernel, a container that forbids namespaces) is
left out; :func:`protections` says which hold here. On macOS only the resource limits apply
(and macOS ignores the memory limit); on Windows the launcher is not used and only the
grader's time limit holds.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
# The launcher runs as a file, in isolated mode: importing the package would import torch,
# whose threads forbid a process to enter new namespaces.
LAUNCHER = [sys.executable, "-I", str(Path(__file__).resolve())]
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


@dataclass(frozen=True)
class Limits:
    """What one file may use. ``memory`` and ``file_size`` in MiB; 0 means no limit."""

    seconds: float = 300.0  # the grader's wall-clock limit; CPU time gets this much per core
    memory: int = 4096
    file_size: int = 256
    processes: int = 64 + 2 * (os.cpu_count() or 1)  # torch starts a thread per core
    threads: int = 0  # torch's threads (OMP_NUM_THREADS); 0: one per core, torch's own choice

    def options(self) -> list[str]:
        return [
            f"--cpu={int(self.seconds * (os.cpu_count() or 1)) + 1}",
            f"--memory={self.memory}",
            f"--file-size={self.file_size}",
        ]


# The grader's side ---------------------------------------------------------------


def pids_cgroups(root: Path = Path("/sys/fs/cgroup")) -> Path | None:
    """Where a cgroup that bounds its processes can be made: cgroup v1's ``pids`` hierarchy, or
    cgroup v2's root when it hands the ``pids`` controller to the cgroups made in it."""
    if (root / "pids").is_dir():
        return root / "pids"
    with contextlib.suppress(OSError):
        if "pids" in (root / "cgroup.subtree_control").read_text().split():
            return root
    return None


def environment(folder: Path) -> dict[str, str]:
    """The environment of a submission that runs in ``folder``: the few variables it needs, its
    home and temporary files in ``folder``, the data and this mnistcnn where the grader finds them."""
    from .cache import cache_dir
    from .data import data_dir

    env = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
    threads = Cage.of(folder).limits.threads
    if threads and "OMP_NUM_THREADS" not in env:  # the grader's own setting wins
        env["OMP_NUM_THREADS"] = str(threads)
    cache = folder / "cache"
    _borrow_trained_networks(cache_dir(), cache)
    env.update(
        HOME=str(folder),
        TMPDIR=str(folder),
        MNISTCNN_DATA=str(data_dir().resolve()),
        MNISTCNN_CACHE=str(cache),
        MPLCONFIGDIR=str(folder / "matplotlib"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])),
    )
    return env


def _borrow_trained_networks(shared: Path, cache: Path) -> None:
    """Link the trained networks of the grader's cache into the submission's own cache: read,
    never written. A network missing there is trained by the submission, and forgotten with it."""
    (cache / "models").mkdir(parents=True, exist_ok=True)
    for network in sorted((shared / "models").glob("*.pt")):
        (cache / "models" / network.name).symlink_to(network.resolve())


class Cage:
    """The sandbox of one file: its working folder, its limits and, where the machine allows,
    its pids cgroup. Enter it around the run; leaving it kills whatever the file left running."""

    _open: ClassVar[dict[Path, Cage]] = {}  # by folder: the commands of a run find their cage

    def __init__(self, folder: Path, limits: Limits):
        self.folder, self.limits = Path(folder), limits
        hierarchy = pids_cgroups()
        self.cgroup = hierarchy / f"mnistcnn-{self.folder.name}" if hierarchy else None

    def __enter__(self) -> Cage:
        try:
            if self.cgroup:
                self.cgroup.mkdir()
                (self.cgroup / "pids.max").write_text(str(self.limits.processes))
        except OSError:  # not root, or a read-only cgroup file system (a container)
            self.cgroup = None
        Cage._open[self.folder] = self
        return self

    def __exit__(self, *exc) -> None:
        del Cage._open[self.folder]
        if self.cgroup is None:
            return
        for _ in range(100):  # a process may fork while the others are killed
            pids = [int(pid) for pid in (self.cgroup / "cgroup.procs").read_text().split()]
            if not pids:
                break
            for pid in pids:
                _kill(pid)
            time.sleep(0.05)
        self.cgroup.rmdir()

    @classmethod
    def of(cls, folder: Path) -> Cage:
        """The cage entered for ``folder``, or one with the default limits."""
        return cls._open.get(Path(folder)) or cls(folder, Limits())


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def command(argv: list[str], folder: Path, kernel_connection: str | None = None) -> list[str]:
    """``argv``, started through the launcher with the limits of the cage of ``folder`` (as it is on Windows)."""
    if os.name != "posix":
        return argv
    from .cache import cache_dir
    from .data import data_dir

    cage = Cage.of(folder)
    readable = [data_dir().resolve(), (cache_dir() / "models").resolve()]
    options = [f"--folder={folder}", *cage.limits.options(), *(f"--readable={path}" for path in readable)]
    options += [f"--cgroup={cage.cgroup}"] if cage.cgroup else []
    options += [f"--kernel-connection={kernel_connection}"] if kernel_connection else []
    return [*LAUNCHER, *options, "--", *argv]


def popen_options() -> dict:
    """Options of ``subprocess.Popen`` for a sandboxed command: its own session, so that its whole
    group can be stopped."""
    return {"start_new_session": True} if os.name == "posix" else {}


def admit(path: Path, folder: Path) -> Path:
    """A copy of the submission ``path`` in ``folder``, where the sandboxed process may read it."""
    return Path(shutil.copy2(path, Path(folder) / Path(path).name))


def kernel_manager(folder: Path):
    """A Jupyter kernel manager whose kernel runs through the launcher, its connection file in ``folder``."""
    from jupyter_client.manager import AsyncKernelManager

    manager = AsyncKernelManager(kernel_name="python3", connection_file=str(Path(folder) / "kernel.json"))
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    manager.kernel_spec.argv = command(kernel, folder, kernel_connection="{connection_file}")
    return manager


def protections() -> list[str]:
    """What the sandbox applies on this machine, in words (a short-lived launcher tries it)."""
    if os.name != "posix":
        return ["the time limit"]
    with tempfile.TemporaryDirectory(prefix="mnistcnn-probe-") as folder, Cage(Path(folder), Limits()):
        probe = [*command([], Path(folder))[:-1], "--report"]
        run = subprocess.run(probe, capture_output=True, text=True, timeout=60, env={})
    return ["the time limit", *json.loads(run.stdout)] if run.returncode == 0 else ["the time limit"]


# The launcher's side -------------------------------------------------------------

CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
LANDLOCK_CREATE_RULESET, LANDLOCK_ADD_RULE, LANDLOCK_RESTRICT_SELF = 444, 445, 446  # x86-64 and arm64 alike
# Landlock's access rights (linux/landlock.h), and the ABI version that added each.
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
READ = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
# Not all of /etc (its shadow file) nor of /dev (a disk, read raw, holds every file).
READABLE_SYSTEM = (
    *("/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/opt", "/proc", "/sys"),
    *("/etc/ld.so.cache", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hosts"),
    *("/etc/fonts", "/etc/ssl", "/etc/os-release", "/etc/mime.types", "/etc/alternatives"),
)
WRITABLE_DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/urandom", "/dev/random")

OWN_PID_NAMESPACE = "no process outlives it (own PID namespace)"
_libc = ctypes.CDLL(None, use_errno=True) if os.name == "posix" else None


def _fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1  # ABI 1: execute ... make_sym
    for version, right in ((2, FS_REFER), (3, FS_TRUNCATE), (5, FS_IOCTL_DEV)):
        rights |= right if abi >= version else 0
    return rights


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _NetPort(ctypes.Structure):
    _fields_ = [("allowed", ctypes.c_uint64), ("port", ctypes.c_uint64)]


def landlock_abi() -> int:
    """Landlock's ABI version on this kernel; 0 where there is none."""
    if not sys.platform.startswith("linux"):
        return 0
    version = _libc.syscall(LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(version, 0)


def _landlock(readable: list[Path], writable: list[Path], ports: list[int]) -> list[str]:
    """Restrict this process (and what it starts) to ``readable`` and ``writable``; TCP only to bind ``ports``."""
    abi = landlock_abi()
    if abi < 1:
        return []
    rights = _fs_rights(abi)
    attr = _RulesetAttr(rights, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0)
    attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = _libc.syscall(LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return []
    file_rights = FS_EXECUTE | FS_READ_FILE | FS_WRITE_FILE | (FS_TRUNCATE | FS_IOCTL_DEV) & rights
    for paths, allowed in ((readable, READ), (writable, rights)):
        for path in paths:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue  # a folder this machine does not have
            allowed_here = allowed if os.path.isdir(path) else allowed & file_rights
            rule = _PathBeneath(allowed_here, fd)
            _libc.syscall(LANDLOCK_ADD_RULE, ruleset, 1, ctypes.byref(rule), 0)
            os.close(fd)
    for port in ports if abi >= 4 else []:
        rule = _NetPort(NET_BIND_TCP, port)
        _libc.syscall(LANDLOCK_ADD_RULE, ruleset, 2, ctypes.byref(rule), 0)
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    applied = _libc.syscall(LANDLOCK_RESTRICT_SELF, ruleset, 0) == 0
    os.close(ruleset)
    if not applied:
        return []
    done = ["writes only in its own folder (Landlock)"]
    if abi >= 4:
        done.append("no TCP connection (Landlock)")
    if abi >= 6:
        done.append("no signal to a process outside it (Landlock)")
    return done


def _set_limits(args: argparse.Namespace) -> list[str]:
    import resource

    def limit(kind, value, name):
        try:
            resource.setrlimit(kind, (value, value))
        except (ValueError, OSError):  # above the hard limit this system sets
            return []
        return [name]

    done = limit(resource.RLIMIT_CORE, 0, "no core dump") + limit(resource.RLIMIT_CPU, args.cpu, "CPU time")
    if args.file_size:
        done += limit(resource.RLIMIT_FSIZE, args.file_size << 20, "file size")
    if args.memory:
        memory = "memory" if sys.platform.startswith("linux") else "memory (not enforced by macOS)"
        done += limit(resource.RLIMIT_DATA, args.memory << 20, memory)
    return done


def _namespaces(args: argparse.Namespace, network: bool) -> list[str]:
    """A new user, PID and (unless ``network``) network namespace; the user ID stays the same."""
    uid, gid = os.geteuid(), os.getegid()
    flags = CLONE_NEWUSER | CLONE_NEWPID | (0 if network else CLONE_NEWNET)
    if _libc.unshare(flags) != 0:
        return []
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    return [OWN_PID_NAMESPACE] + ([] if network else ["no network (own network namespace)"])


def _readable(args: argparse.Namespace) -> list[Path]:
    paths = [Path(p) for p in READABLE_SYSTEM]
    paths += [Path(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, PACKAGE_ROOT) if p]
    paths += [Path(p) for p in [*sys.path, *os.environ.get("PYTHONPATH", "").split(os.pathsep)] if p]
    return paths + args.readable


def _run_as_process_one(argv: list[str]) -> int:
    """Fork: the child (process 1 of the new PID namespace) runs ``argv``; this process passes it
    the signals it gets, and exits as it exits. If this process is killed, so is the child."""
    child = os.fork()
    if child == 0:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        os.setpgid(0, 0)  # the grader's signals reach the child through this process only, once
        os.execvp(argv[0], argv)
    for forwarded in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
        signal.signal(forwarded, lambda number, _: os.kill(child, number))
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def _launch(args: argparse.Namespace) -> list[str]:
    """Apply every limit this machine allows to this process; what was applied, in words."""
    done = _set_limits(args)
    if not sys.platform.startswith("linux"):
        return done
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if args.cgroup:  # first, while this process is still the grader's root
        (args.cgroup / "cgroup.procs").write_text(str(os.getpid()))
        done.append("processes (own pids cgroup)")
    ports = []
    if args.kernel_connection:
        info = json.loads(Path(args.kernel_connection).read_text(encoding="utf-8"))
        ports = [info[key] for key in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")]
    done += _namespaces(args, network=bool(args.kernel_connection))
    readable = _readable(args)
    if args.kernel_connection:
        readable.append(Path(args.kernel_connection))
    writable = [args.folder, *map(Path, WRITABLE_DEVICES), *Path("/dev").glob("nvidia*")]
    return done + _landlock(readable, writable, ports)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mnistcnn/sandbox.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, help="the only folder the command may write in")
    parser.add_argument("--cpu", type=int, default=600, help="CPU seconds")
    parser.add_argument("--memory", type=int, default=Limits.memory, help="MiB the process may write to (0: no limit)")
    parser.add_argument("--file-size", type=int, default=Limits.file_size, help="MiB a file may grow to (0: no limit)")
    parser.add_argument("--cgroup", type=Path, help="a pids cgroup to join first")
    parser.add_argument("--readable", type=Path, action="append", default=[], help="a folder it may read")
    parser.add_argument("--kernel-connection", help="a Jupyter kernel's connection file: its ports may be bound")
    parser.add_argument("--report", action="store_true", help="print what applies here, as JSON, and exit")
    parser.add_argument("command", nargs="*")
    args = parser.parse_args(argv)
    if args.report:
        print(json.dumps(_launch(args)))
        return 0
    if OWN_PID_NAMESPACE in _launch(args):
        return _run_as_process_one(args.command)
    os.execvp(args.command[0], args.command)


if __name__ == "__main__":
    sys.exit(main())
