"""Preloaded runners: a process that has imported torch once forks each file's runner.

Importing torch and IPython takes about 1.6 s on a 2-core machine, longer than most questions'
own code. On Linux the grader starts ``python -m mnistcnn.grader.preload`` for each file it runs
at a time, with the submissions' environment but none of a file's folders, in an empty folder
of its own. That process imports what the runner uses, says it is ready, and waits. For each
file the grader sends it the launcher's options, the file's folder and environment, and three
pipes: the file's standard streams. It forks; the child takes the pipes, the folder and the
environment as its own, then goes on as the launcher does (:func:`mnistcnn.grader.launcher.main`),
with the runner's :func:`~mnistcnn.grader.runner.main` in place of a new Python. So every limit
is applied after the fork, in the child, as for a command the launcher starts.

The preloaded process never runs a submission's code, so each child starts from it as it was
when it became ready, and nothing of another file reaches it. It holds nothing of the grader's
but that environment (``/proc/self/environ`` shows it, no more), and it never starts CUDA, which
a forked child could not use. Where it cannot start (another system, an import that fails),
each file starts its own Python through the launcher (:func:`mnistcnn.grader.sandbox.command`).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .sandbox import FOLDER_VARIABLES

# The preloaded process's command line, to which the grader adds one end of the channel.
COMMAND = [sys.executable, "-m", __name__]
# What most files import: matplotlib builds its list of fonts here once, not in each file's folder.
PRELOADED = ("torch", "numpy", "IPython.core.interactiveshell", "matplotlib.pyplot", "matplotlib_inline.backend_inline")
READY = b"ready"
MESSAGE_BYTES = 1 << 16


# The preloaded process.


def serve(channel: socket.socket) -> None:
    """Import, say so on ``channel``, then fork a child for each request, one at a time, until
    the grader closes the channel. Each request is answered with the child's pid, then its exit status."""
    from . import launcher, runner

    for name in PRELOADED:
        with contextlib.suppress(ImportError):  # matplotlib is the plot extra's
            importlib.import_module(name)
    channel.send(READY)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # the grader reads its errors only until it is ready
    while True:
        message, fds, _, _ = socket.recv_fds(channel, MESSAGE_BYTES, 3)
        if not message:
            return
        request = json.loads(message)
        sys.stdout.flush(), sys.stderr.flush()
        child = os.fork()
        if child == 0:
            status = 1
            try:
                _become(request, fds, channel)
                status = launcher.main(request["options"], run=runner.main)
            finally:
                os._exit(status)
        for fd in fds:
            os.close(fd)
        channel.send(json.dumps({"pid": child}).encode())
        status = _wait(child, channel)
        if status is None:
            return
        channel.send(json.dumps({"status": status}).encode())


def _become(request: dict, fds: list[int], channel: socket.socket) -> None:
    """In the child: take the file's streams, folder and environment as its own."""
    channel.close()
    os.setsid()  # its own session, as a launched command has: the grader stops it alone
    for number, fd in enumerate(fds):
        os.dup2(fd, number)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    os.chdir(request["folder"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[0] = request["folder"]  # as `python -m` puts the working folder first
    tempfile.tempdir = None  # found again, in the file's folder
    if "numpy" in sys.modules:  # numpy seeds its global generator when imported: a new seed, as a new process has
        sys.modules["numpy"].random.seed()


def _wait(child: int, channel: socket.socket) -> int | None:
    """The child's exit status; None when the grader closed the channel first (then the child is killed)."""
    with contextlib.ExitStack() as stack:
        pidfd = os.pidfd_open(child) if hasattr(os, "pidfd_open") else None
        if pidfd is not None:
            stack.callback(os.close, pidfd)
            ready, _, _ = select.select([pidfd, channel], [], [])
            if pidfd not in ready:  # the grader sends nothing while a file runs: it is gone
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
                return None
        _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status)


# The grader's side.


class Preloaded:
    """One preloaded process, started as ``command`` with ``env`` (a file's environment without
    :data:`~mnistcnn.grader.sandbox.FOLDER_VARIABLES`), and the channel to it. It runs one file at a time."""

    def __init__(self, command: list[str], env: dict[str, str]):
        self.key = _key(command, env)
        self.folder = tempfile.mkdtemp(prefix="mnistcnn-preload-")
        self.channel, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self.process = subprocess.Popen(
                [*command, str(theirs.fileno())],
                env={**env, "HOME": self.folder, "TMPDIR": self.folder},
                cwd=self.folder,
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,  # the terminal's Ctrl-C reaches the grader, which ends it
            )
        self.channel.settimeout(300)
        try:
            ready = self.channel.recv(len(READY))
        except OSError:
            ready = b""
        if ready != READY:
            self.close()
            raise OSError(f"the preloaded runner did not start: {self.process.stderr.read().decode().strip()}")
        self.process.stderr.close()
        self.channel.settimeout(None)

    def start(self, options: list[str], folder: Path, env: dict[str, str]) -> Forked:
        """Fork the runner of the file in ``folder``, within the launcher's ``options``."""
        pipes = [os.pipe() for _ in range(3)]
        theirs = [pipes[0][0], pipes[1][1], pipes[2][1]]
        request = {"options": options, "folder": str(folder), "env": env}
        try:
            socket.send_fds(self.channel, [json.dumps(request).encode()], theirs)
            reply = self.channel.recv(MESSAGE_BYTES)
        except OSError:
            for fd in (fd for pipe in pipes for fd in pipe):
                os.close(fd)
            raise
        for fd in theirs:
            os.close(fd)
        if not reply:
            for fd in (pipes[0][1], pipes[1][0], pipes[2][0]):
                os.close(fd)
            raise OSError("the preloaded runner ended")
        return Forked(self, json.loads(reply)["pid"], pipes[0][1], pipes[1][0], pipes[2][0])

    def close(self) -> None:
        """End the process: it exits when its channel closes."""
        self.channel.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


class Forked:
    """A file's runner, forked by a :class:`Preloaded`: what the grader uses of ``subprocess.Popen``
    (``communicate`` with text, ``send_signal``, ``kill``, ``returncode``)."""

    def __init__(self, preloaded: Preloaded, pid: int, stdin: int, stdout: int, stderr: int):
        self.preloaded, self.pid, self.returncode = preloaded, pid, None
        self._stdin = stdin
        self._output: dict[int, list[bytes]] = {stdout: [], stderr: []}
        self._threads = [threading.Thread(target=self._read, args=(fd,), daemon=True) for fd in (stdout, stderr)]
        self._threads.append(threading.Thread(target=self._wait, args=(preloaded,), daemon=True))
        for thread in self._threads:
            thread.start()

    def _read(self, fd: int) -> None:
        with open(fd, "rb", buffering=0) as stream:
            while chunk := stream.read(MESSAGE_BYTES):
                self._output[fd].append(chunk)

    def _wait(self, preloaded: Preloaded) -> None:
        try:
            reply = preloaded.channel.recv(MESSAGE_BYTES)
        except OSError:
            reply = b""
        if reply:
            self.returncode = json.loads(reply)["status"]
            _release(preloaded)
        else:
            self.returncode = -signal.SIGKILL
            preloaded.close()

    def _write(self, data: bytes) -> None:
        with contextlib.suppress(BrokenPipeError), open(self._stdin, "wb", buffering=0) as stream:
            stream.write(data)

    def communicate(self, input: str | None = None, timeout: float | None = None) -> tuple[str, str]:
        """Send ``input`` (once), then wait for the runner to end; its output and errors, as text.
        Raises ``subprocess.TimeoutExpired`` after ``timeout`` seconds, as ``Popen.communicate`` does."""
        if self._stdin is not None:
            writer = threading.Thread(target=self._write, args=((input or "").encode(),), daemon=True)
            self._threads.append(writer)
            writer.start()
            self._stdin = None
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                raise subprocess.TimeoutExpired("the runner", timeout)
        out, err = (b"".join(chunks).decode("utf-8", "replace") for chunks in self._output.values())
        return out, err

    def send_signal(self, number: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, number)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


# The grader's preloaded processes, idle ones by environment: only those of the newest
# environment are kept, so that a long run with changing settings holds few.
_idle: dict[tuple, list[Preloaded]] = {}
_refused: set[tuple] = set()
_lock = threading.Lock()


def available() -> bool:
    """Whether files can be forked from a preloaded runner here: on Linux."""
    return sys.platform.startswith("linux") and hasattr(socket, "send_fds")


def start(options: list[str], folder: Path, env: dict[str, str]) -> Forked | None:
    """The runner of the file in ``folder``, forked from a preloaded process started with
    ``env`` less :data:`~mnistcnn.grader.sandbox.FOLDER_VARIABLES`; None where none can start
    (then the grader starts a Python)."""
    if not available():
        return None
    shared = {name: value for name, value in env.items() if name not in FOLDER_VARIABLES}
    key = _key(COMMAND, shared)
    with _lock:
        if key in _refused:
            return None
        for other in [k for k in _idle if k != key]:
            for preloaded in _idle.pop(other):
                preloaded.close()
        idle = _idle.setdefault(key, [])
        preloaded = idle.pop() if idle else None
    if preloaded is not None:
        try:
            return preloaded.start(options, folder, env)
        except OSError:  # it ended (killed from outside): start another
            preloaded.close()
    try:
        return Preloaded(COMMAND, shared).start(options, folder, env)
    except OSError:
        with _lock:
            _refused.add(key)
        return None


def _key(command: list[str], env: dict[str, str]) -> tuple:
    return tuple(command), tuple(sorted(env.items()))


def _release(preloaded: Preloaded) -> None:
    with _lock:
        _idle.setdefault(preloaded.key, []).append(preloaded)


@atexit.register
def _close_all() -> None:
    with _lock:
        every = [preloaded for idle in _idle.values() for preloaded in idle]
        _idle.clear()
    for preloaded in every:
        preloaded.close()


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])))
