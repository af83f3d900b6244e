"""The launcher: what ``mnistcnn check`` puts around code it did not write.

The grader (:mod:`mnistcnn.grader.sandbox`) starts each exercise through this file::

    python -I mnistcnn/grader/launcher.py [limits] -- python ...

or, on Linux, calls :func:`main` in a child of a process that has imported torch already, with
the runner as a function in place of the command (:mod:`mnistcnn.grader.preload`).
The launcher applies the limits, then runs the command as a child whose output it passes on,
at most :data:`OUTPUT_KEPT` bytes of each stream. On Linux it tries, each step so that it can
fall back when the machine refuses it:

* resource limits: CPU time, memory (``RLIMIT_DATA``: what one process writes, not the address
  space torch reserves), the size of a file, no core dump;
* cgroups of its own, where the grader may make them (as root: cgroup v1's ``pids`` and
  ``memory`` hierarchies, or cgroup v2's root): a fork bomb stops at ``processes``, and the
  processes of the file together stop at ``memory``; without a pids cgroup, ``RLIMIT_NPROC``
  bounds the processes (in its own user namespace, or beside what its user already runs);
* new PID, network and mount namespaces (as root directly; else inside a new user namespace,
  probed first in a throw-away child, since AppArmor may allow the namespace and refuse its
  set-up): the command is process 1 of its own PID namespace, so that nothing it starts
  outlives it; it has no network; its ``/proc`` shows its own processes only;
* a grader run as root runs the command as ``nobody`` (uid 65534), which keeps only the right
  to read (``CAP_DAC_READ_SEARCH``) within Landlock's list below;
* Landlock: the process may write only in its working folder (and ``/dev/null``, the GPU's
  device files), read only the system, Python, this package's folder, the MNIST data and the
  trained networks, and signal no process outside itself;
* seccomp: no socket at all (``socketpair`` stays), hence no TCP, UDP or Unix socket, even
  where there is no network namespace; no ``io_uring``, which could open one anyway.

What held, and why a step did not, is in :func:`mnistcnn.grader.sandbox.protections`. On macOS only the resource
limits apply (and macOS ignores the memory limit); on Windows the launcher is not used and
only the grader's time limit holds.

It imports nothing but Python's standard library, for it runs before, and around, the
process that imports torch.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import select
import signal
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # the mnistcnn folder: all a submission reads of it
PACKAGE_ROOT = PACKAGE.parent  # a checkout, or site-packages
OUTPUT_KEPT = 1 << 20  # bytes of each of a command's stdout and stderr passed on
NOBODY = 65534  # the user a grader run as root runs submissions as
DEV = Path("/dev")  # where the GPU's device files are looked for


@dataclass(frozen=True)
class Limits:
    """What one file may use. ``memory`` and ``file_size`` in MiB; 0 means no limit."""

    seconds: float = 300.0  # the grader's wall-clock limit; CPU time gets this much per core
    memory: int = 4096  # each process, and (with a memory cgroup) its processes together
    file_size: int = 256
    processes: int = 64 + 2 * (os.cpu_count() or 1)  # torch starts a thread per core
    threads: int = 0  # torch's threads (OMP_NUM_THREADS); 0: one per core, torch's own choice

    @property
    def cpu_seconds(self) -> int:
        """The CPU time the file may use: the wall-clock limit on every core, and a second."""
        return int(self.seconds * (os.cpu_count() or 1)) + 1

    def options(self) -> list[str]:
        """These limits as the launcher's options."""
        return [
            f"--cpu={self.cpu_seconds}",
            f"--memory={self.memory}",
            f"--file-size={self.file_size}",
            f"--processes={self.processes}",
        ]


CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
PR_SET_PDEATHSIG, PR_SET_KEEPCAPS, PR_SET_SECCOMP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 1, 8, 22, 38, 47
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 1 << 14, 1 << 18
CAP_DAC_READ_SEARCH = 2
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
# seccomp: the architectures whose system call numbers the filter knows (linux/audit.h), and
# those numbers: socket, io_uring_setup, open_by_handle_at.
SECCOMP_ARCHES = {"x86_64": (0xC000003E, 41, 425, 304), "aarch64": (0xC00000B7, 198, 425, 265)}

OWN_PID_NAMESPACE = "no process outlives it (own PID namespace)"
OWN_SHARED_MEMORY = "a /dev/shm of its own"
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


def landlock_abi() -> int:
    """Landlock's ABI version on this kernel; 0 where there is none."""
    if not sys.platform.startswith("linux"):
        return 0
    version = _libc.syscall(LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(version, 0)


def _failed(what: str) -> OSError:
    """The error of the C call ``what`` that just failed."""
    number = ctypes.get_errno()
    return OSError(number, f"{what}: {os.strerror(number)}")


def _landlock(readable: list[Path], writable: list[Path]) -> list[str]:
    """Restrict this process (and what it starts) to ``readable`` and ``writable``, and to no TCP."""
    abi = landlock_abi()
    if abi < 1:
        return ["writes and reads anywhere the user may (no Landlock in this kernel)"]
    rights = _fs_rights(abi)
    attr = _RulesetAttr(rights, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0)
    attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = _libc.syscall(LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return [f"writes and reads anywhere the user may ({_failed('landlock_create_ruleset').strerror})"]
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
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    applied = _libc.syscall(LANDLOCK_RESTRICT_SELF, ruleset, 0) == 0
    error = None if applied else _failed("landlock_restrict_self")
    os.close(ruleset)
    if error:
        return [f"writes and reads anywhere the user may ({error.strerror})"]
    done = ["writes only in its own folder, reads only what it needs (Landlock)"]
    if abi >= 4:
        done.append("no TCP connection (Landlock)")
    if abi >= 6:
        done.append("no signal to a process outside it (Landlock)")
    return done


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_SockFilter))]


def seccomp_program(arch: str) -> list[tuple[int, int, int, int]]:
    """The seccomp filter, as classic BPF instructions ``(code, jt, jf, k)``: on this architecture,
    ``socket``, ``io_uring_setup`` and ``open_by_handle_at`` fail with
    EACCES; so does every call of another architecture's numbering (x86-64's 32-bit calls)."""
    audit_arch, socket_call, io_uring_setup, open_by_handle_at = SECCOMP_ARCHES[arch]
    load, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_JMP|JGE|K, BPF_RET|K
    allow, refuse = 0x7FFF0000, 0x00050000 | 13  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EACCES
    arch_offset, nr_offset = 4, 0  # struct seccomp_data, little-endian
    head = [
        (load, 0, 0, arch_offset),
        (jeq, 1, 0, audit_arch),
        (ret, 0, 0, refuse),
        (load, 0, 0, nr_offset),
        (jge, 0, 1, 0x40000000),  # x86-64's x32 numbering
        (ret, 0, 0, refuse),
        (jeq, 3, 0, io_uring_setup),  # to the refusal at 10
        (jeq, 2, 0, open_by_handle_at),
    ]
    return [*head, (jeq, 1, 0, socket_call), (ret, 0, 0, allow), (ret, 0, 0, refuse)]


def _seccomp() -> list[str]:
    """Install the filter of :func:`seccomp_program` on this process and what it starts."""
    arch = os.uname().machine
    if arch not in SECCOMP_ARCHES:
        return [f"sockets allowed (no seccomp filter for {arch})"]
    program = seccomp_program(arch)
    filters = (_SockFilter * len(program))(*(_SockFilter(*line) for line in program))
    fprog = _SockFprog(len(program), filters)
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    if _libc.prctl(PR_SET_SECCOMP, 2, ctypes.byref(fprog), 0, 0) != 0:
        return [f"sockets allowed ({_failed('seccomp').strerror})"]
    return ["no socket: TCP, UDP, Unix (seccomp)"]


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
        memory = "memory of each process" if sys.platform.startswith("linux") else "memory (not enforced by macOS)"
        done += limit(resource.RLIMIT_DATA, args.memory << 20, memory)
    return done


def _join_cgroups(cgroups: list[Path]) -> list[str]:
    """Move this process into the cage's cgroups; what they bound, in words."""
    done = []
    for cgroup in cgroups:
        try:
            (cgroup / "cgroup.procs").write_text(str(os.getpid()))
        except OSError as err:
            done.append(f"not in its cgroup {cgroup.name} ({err.strerror})")
            continue
        if (cgroup / "pids.max").exists():
            done.append("processes (own pids cgroup)")
        if (cgroup / "memory.max").exists() or (cgroup / "memory.limit_in_bytes").exists():
            done.append("memory of its processes together (own memory cgroup)")
    return done


def _user_namespace(flags: int) -> None:
    """Enter a new user namespace (with ``flags``' other namespaces) in which this process keeps
    its user and group IDs; raise OSError, naming the step the machine refused."""
    uid, gid = os.geteuid(), os.getegid()
    if _libc.unshare(CLONE_NEWUSER | flags) != 0:
        raise _failed("unshare")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        try:
            Path("/proc/self", name).write_text(text)
        except OSError as err:
            raise OSError(err.errno, f"writing /proc/self/{name}: {err.strerror}") from err


def _in_a_child(step) -> str | None:
    """Try ``step`` in a throw-away child: None when it works, else why not. A step that fails
    half-way (a user namespace whose set-up is refused) leaves this process as it was."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        try:
            step()
        except BaseException as err:
            reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
            os.write(write, reason.encode()[:500])
            os._exit(1)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        reason = pipe.read().decode(errors="replace")
    _, status = os.waitpid(child, 0)
    return None if status == 0 else reason or f"wait status {status}"


def _apparmor_note() -> str:
    with contextlib.suppress(OSError):
        if Path("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").read_text().strip() == "1":
            return "; AppArmor restricts unprivileged user namespaces"
    return ""


def _namespaces() -> tuple[list[str], bool]:
    """New PID, mount and network namespaces: directly where this process
    may (root), else in a new user namespace that was probed first. What held, in words, and
    whether a user namespace was needed."""
    flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET
    named = "PID, mount and network"
    if os.geteuid() == 0 and _libc.unshare(flags) == 0:
        user = False
    else:
        refused = _in_a_child(lambda: _user_namespace(flags))
        if refused:
            return [f"no {named} namespaces (a user namespace is refused: {refused}{_apparmor_note()})"], False
        _user_namespace(flags)
        user = True
    done = [OWN_PID_NAMESPACE, "no network (own network namespace)"]
    return done, user


def _own_mounts(memory: int) -> list[str]:
    """In the new mount and PID namespaces: a ``/proc`` that shows this namespace's processes only,
    and a ``/dev/shm`` of its own (multiprocessing's locks, torch's shared tensors), at most
    ``memory`` MiB, gone with it."""
    if _libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return [f"other processes' command lines readable ({_failed('mount').strerror})"]
    if _libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None) != 0:
        done = [f"other processes' command lines readable (mounting /proc: {_failed('mount').strerror})"]
    else:
        done = ["sees only its own processes (own /proc)"]
    size = f"mode=1777,size={memory or 64}m".encode()
    if _libc.mount(b"tmpfs", b"/dev/shm", b"tmpfs", MS_NOSUID | MS_NODEV, size) == 0:
        done.append(OWN_SHARED_MEMORY)
    return done


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _become_nobody(folder: Path, keep_reading: bool) -> list[str]:
    """As root: give ``folder`` to ``nobody`` and become it, keeping (where ``keep_reading``) only
    the right to read any file, which Landlock then bounds. Python, the package, the data and the
    grader's cache need not be readable by ``nobody``."""
    try:
        for parent, folders, files in os.walk(folder):
            for name in [parent, *(os.path.join(parent, n) for n in folders + files)]:
                os.lchown(name, NOBODY, NOBODY)
        os.setgroups([])
        os.setresgid(NOBODY, NOBODY, NOBODY)
        _libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)
        os.setresuid(NOBODY, NOBODY, NOBODY)
        kept = 1 << CAP_DAC_READ_SEARCH if keep_reading else 0
        header, data = _CapHeader(0x20080522, 0), (_CapData * 2)(_CapData(kept, kept, kept))
        if _libc.capset(ctypes.byref(header), data) != 0:
            raise _failed("capset")
        if keep_reading and _libc.prctl(PR_CAP_AMBIENT, 2, CAP_DAC_READ_SEARCH, 0, 0) != 0:
            raise _failed("raising an ambient capability")
    except OSError as err:
        return [f"runs as root ({err})"] if os.geteuid() == 0 else [f"runs as nobody, reading as nobody ({err})"]
    finally:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # a change of user cleared it
    return [f"runs as nobody (uid {NOBODY})"]


def _readable(args: argparse.Namespace) -> list[Path]:
    """What the command may read: the system, Python (its own folders, never a checkout that
    holds this package: only the package's folder), this package's folder and ``--readable``."""
    python = [Path(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path) if p]
    if PACKAGE_ROOT.name not in ("site-packages", "dist-packages"):  # a checkout
        python = [p for p in python if not PACKAGE_ROOT.is_relative_to(p)]
    libraries = [Path(p) for p in os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep) if p]
    return [*map(Path, READABLE_SYSTEM), *python, *libraries, PACKAGE, *args.readable]


def gpu_device_files(dev: Path = DEV) -> list[Path]:
    """The NVIDIA driver's device files that CUDA opens (``nvidia0``…, ``nvidiactl``,
    ``nvidia-uvm``, ``nvidia-caps/``), as far as ``dev`` has them."""
    return sorted(dev.glob("nvidia*"))


def _tasks_of(uid: int) -> int:
    """The processes and threads that the user ``uid`` runs now: what RLIMIT_NPROC counts."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, KeyError):
                fields = dict(line.split(":", 1) for line in Path(entry.path, "status").read_text().splitlines())
                count += int(fields["Threads"]) if int(fields["Uid"].split()[0]) == uid else 0
    return count


def _relay(child: int, streams: dict[int, int], kept: int) -> int:
    """Pass what ``child`` writes to the pipes ``streams`` (read end → where to) on, ``kept``
    bytes of each at most, then a note that the rest was cut; the child's wait status."""
    passed = dict.fromkeys(streams, 0)
    status = None
    while streams and status is None:
        ready, _, _ = select.select(list(streams), [], [], 0.5)
        for pipe in ready:
            _pass_on(pipe, streams, passed, kept)
        done, wait_status = os.waitpid(child, os.WNOHANG)
        status = wait_status if done else None
    for pipe in list(streams):  # what was left when the child ended (a process it left may hold the pipe)
        os.set_blocking(pipe, False)
        with contextlib.suppress(BlockingIOError):
            while pipe in streams:
                _pass_on(pipe, streams, passed, kept)
    return os.waitpid(child, 0)[1] if status is None else status


def _pass_on(pipe: int, streams: dict[int, int], passed: dict[int, int], kept: int) -> None:
    data = os.read(pipe, 1 << 16)
    if not data:
        os.close(pipe)
        del streams[pipe]
        return
    room = max(kept - passed[pipe], 0)
    out = data[:room]
    if len(data) > room and passed[pipe] <= kept:
        out += f"\n[mnistcnn: output cut after {kept} bytes]\n".encode()
    passed[pipe] += len(data)
    with contextlib.suppress(OSError):  # the grader stopped reading
        while out:
            out = out[os.write(streams[pipe], out) :]


def _oom_kills(cgroups: list[Path]) -> int:
    """How many processes the kernel killed for going over the memory cgroup's limit."""
    for cgroup in cgroups:
        for name in ("memory.events", "memory.oom_control"):
            with contextlib.suppress(OSError):
                for line in (cgroup / name).read_text().splitlines():
                    if line.startswith("oom_kill "):
                        return int(line.split()[1])
    return 0


def _is_dev_null(fd: int) -> bool:
    try:
        mode, device = os.fstat(fd).st_mode, os.fstat(fd).st_rdev
    except OSError:
        return True
    return stat.S_ISCHR(mode) and device == os.stat("/dev/null").st_rdev


def _child(
    args: argparse.Namespace,
    done: list[str],
    own_namespaces: bool,
    user_namespace: bool,
    users_tasks: int,
    run: Callable[[], object] | None,
) -> None:
    """The command's process: process 1 of the new PID namespace, where there is one. It makes
    its /proc, drops root, restricts itself, then runs the command, or ``run`` in its place (or,
    with ``--report``, prints what held). ``users_tasks``: what its user ran before, in processes
    and threads."""
    if own_namespaces:
        done += _own_mounts(args.memory)
    else:
        done.append("other processes' command lines readable (no own /proc)")
    if OWN_SHARED_MEMORY not in done:
        done.append("no /dev/shm (no mount namespace): multiprocessing's locks fail")
    abi = landlock_abi() if sys.platform.startswith("linux") else 0
    if os.geteuid() == 0 and not user_namespace:
        done += _become_nobody(args.folder, keep_reading=abi >= 1)
    elif os.geteuid() == 0:
        done.append("runs as root of its own user namespace")
    if not any("pids cgroup" in item for item in done) and os.getuid() != 0:
        import resource

        # Counted per user: in its own user namespace, its own; else beside what the user ran before.
        limit = args.processes + (0 if user_namespace else users_tasks)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))
            done.append(
                "processes (RLIMIT_NPROC in its own user namespace)"
                if user_namespace
                else f"processes (RLIMIT_NPROC: {args.processes} more than its user ran before)"
            )
    if not any("pids cgroup" in item or "RLIMIT_NPROC" in item for item in done):
        done.append("any number of processes (no pids cgroup, no user namespace)")
    if not any("memory cgroup" in item for item in done):
        done.append("memory of its processes together unbounded (no memory cgroup)")
    readable = _readable(args)
    writable = [args.folder, *map(Path, WRITABLE_DEVICES), *gpu_device_files()]
    writable += [Path("/dev/shm")] if OWN_SHARED_MEMORY in done else []
    done += _landlock(readable, writable)
    done += _seccomp()
    if args.report:
        print(json.dumps(done), flush=True)
        os._exit(0)
    if run is not None:
        run()
        os._exit(0)
    os.execvp(args.command[0], args.command)


def _launch(args: argparse.Namespace, run: Callable[[], object] | None = None) -> int:
    """Apply every limit this machine allows, run the command (or ``run``) in a child, pass its
    output on; the command's exit status."""
    done = _set_limits(args)
    linux = sys.platform.startswith("linux")
    own_namespaces = user_namespace = False
    if linux:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        done += _join_cgroups(args.cgroup)  # first, while this process is still the grader's root
        held, user_namespace = _namespaces()
        own_namespaces = OWN_PID_NAMESPACE in held
        done += held
    users_tasks = _tasks_of(NOBODY if os.geteuid() == 0 else os.getuid()) if linux and not user_namespace else 0
    streams = {}  # the child's end → this process's; /dev/null is given to the child as it is
    for fd in (1, 2):
        if not _is_dev_null(fd):
            read, write = os.pipe()
            streams[fd] = (read, write)
    child = os.fork()
    if child == 0:
        if linux:
            _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        os.setpgid(0, 0)  # the grader's signals reach the child through this process only, once
        for fd, (read, write) in streams.items():
            os.dup2(write, fd)
            os.close(read), os.close(write)
        if linux:
            _child(args, done, own_namespaces, user_namespace, users_tasks, run)
        elif args.report:
            print(json.dumps(done), flush=True)
            os._exit(0)
        os.execvp(args.command[0], args.command)
    for forwarded in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
        signal.signal(forwarded, lambda number, _: os.kill(child, number))
    for _, write in streams.values():
        os.close(write)
    status = _relay(child, {read: fd for fd, (read, _) in streams.items()}, args.output)
    if os.WIFSIGNALED(status) and _oom_kills(args.cgroup):
        limit = f"{args.memory} MiB for its processes together"
        print(f"mnistcnn: the kernel killed a process at the memory limit ({limit})", file=sys.stderr, flush=True)
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def main(argv: list[str] | None = None, run: Callable[[], object] | None = None) -> int:
    """The launcher: ``python -I mnistcnn/grader/launcher.py [limits] -- command``, with :class:`Limits`' defaults.

    ``run``: a function that stands for the command, in a process that has already imported what
    the command needs (a preloaded runner, :mod:`mnistcnn.grader.preload`); Linux only."""
    defaults = Limits()
    parser = argparse.ArgumentParser(prog="mnistcnn/grader/launcher.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=Path.cwd(), help="the only folder the command may write in")
    parser.add_argument("--cpu", type=int, default=defaults.cpu_seconds, help="CPU seconds")
    parser.add_argument("--memory", type=int, default=defaults.memory, help="MiB a process may write (0: no limit)")
    parser.add_argument("--file-size", type=int, default=defaults.file_size, help="MiB a file may reach (0: none)")
    parser.add_argument("--processes", type=int, default=defaults.processes, help="processes and threads")
    parser.add_argument("--output", type=int, default=OUTPUT_KEPT, help="bytes of stdout and of stderr passed on")
    parser.add_argument("--cgroup", type=Path, action="append", default=[], help="a cgroup to join first")
    parser.add_argument("--readable", type=Path, action="append", default=[], help="a folder it may read")
    parser.add_argument("--report", action="store_true", help="print what applies here, as JSON, and exit")
    parser.add_argument("command", nargs="*")
    args = parser.parse_args(argv)
    if not args.command and not args.report and run is None:
        parser.error("no command to run")
    return _launch(args, run)


if __name__ == "__main__":
    sys.exit(main())
