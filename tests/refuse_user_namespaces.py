"""Run a command where new namespaces are refused, as some machines refuse them (for the tests).

    python tests/refuse_user_namespaces.py setgroups -- command ...
    python tests/refuse_user_namespaces.py unshare -- command ...

``setgroups``: writing in ``/proc`` is refused (Landlock), as on Ubuntu 24.04, whose AppArmor
lets an ordinary user make a user namespace, then refuses its ``setgroups`` and ID maps.
``unshare``: ``unshare`` fails with EPERM (seccomp), as in a container that forbids namespaces.
Both are real refusals by the kernel: the launcher is not told that it is being tested.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from pathlib import Path

# The launcher's own file, loaded without the package (whose import would start torch).
_spec = importlib.util.spec_from_file_location(
    "launcher", Path(__file__).parents[1] / "mnistcnn" / "grader" / "launcher.py"
)
launcher = sys.modules["launcher"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(launcher)
UNSHARE = {"x86_64": 272, "aarch64": 97}


def refuse_writes_in_proc() -> None:
    """Landlock: write anywhere but in /proc."""
    libc = launcher._libc
    attr = launcher._RulesetAttr(launcher.FS_WRITE_FILE, 0, 0)
    ruleset = libc.syscall(launcher.LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(8), 0)
    assert ruleset >= 0, "Landlock is needed"
    for entry in Path("/").iterdir():
        if entry.name != "proc" and entry.is_dir() and not entry.is_symlink():
            fd = os.open(entry, os.O_PATH | os.O_CLOEXEC)
            rule = launcher._PathBeneath(launcher.FS_WRITE_FILE, fd)
            assert libc.syscall(launcher.LANDLOCK_ADD_RULE, ruleset, 1, ctypes.byref(rule), 0) == 0
            os.close(fd)
    libc.prctl(launcher.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    assert libc.syscall(launcher.LANDLOCK_RESTRICT_SELF, ruleset, 0) == 0


def refuse_unshare() -> None:
    """seccomp: ``unshare`` fails with EPERM; every other call is allowed."""
    arch = os.uname().machine
    audit_arch = launcher.SECCOMP_ARCHES[arch][0]
    program = [
        (0x20, 0, 0, 4),
        (0x15, 0, 3, audit_arch),
        (0x20, 0, 0, 0),
        (0x15, 0, 1, UNSHARE[arch]),
        (0x06, 0, 0, 0x00050000 | 1),  # SECCOMP_RET_ERRNO | EPERM
        (0x06, 0, 0, 0x7FFF0000),
    ]
    filters = (launcher._SockFilter * len(program))(*(launcher._SockFilter(*line) for line in program))
    launcher._libc.prctl(launcher.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    fprog = launcher._SockFprog(len(program), filters)
    assert launcher._libc.prctl(launcher.PR_SET_SECCOMP, 2, ctypes.byref(fprog), 0, 0) == 0


if __name__ == "__main__":
    mode, separator, *command = sys.argv[1:]
    assert separator == "--" and mode in ("setgroups", "unshare"), __doc__
    refuse_writes_in_proc() if mode == "setgroups" else refuse_unshare()
    os.execvp(command[0], command)
