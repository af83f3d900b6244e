"""Hostile submissions are refused or contained, and leave the grader unharmed.

Each one is the Q05 exercise, completed, with something a submission must not do put before
its answer, graded by ``check_file``; or a command run through the launcher directly. The file
runs as root and as an ordinary user (``.ci/run`` does both): a test that needs what only one
of them has says so when it skips. A test that needs a layer the machine refuses skips with the
launcher's own words for the refusal (:func:`mnistcnn.grader.sandbox.protections`); the tests of
``refused_namespaces`` make such a refusal on purpose and grade through it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from mnistcnn.grader import ERROR, PASSED, TIMED_OUT, check_file, launcher, preload, sandbox

from .helpers import completed, page, write

LINUX = sys.platform.startswith("linux")
ROOT = LINUX and os.geteuid() == 0
linux = pytest.mark.skipif(not LINUX, reason="the launcher's isolation is Linux's")
landlock = pytest.mark.skipif(not LINUX or launcher.landlock_abi() < 1, reason="Landlock needs Linux 5.13")
seccomp = pytest.mark.skipif(
    not LINUX or os.uname().machine not in launcher.SECCOMP_ARCHES, reason="the seccomp filter knows x86-64 and arm64"
)
as_root = pytest.mark.skipif(not ROOT, reason="needs a grader run as root (cgroups, the switch to nobody)")
as_user = pytest.mark.skipif(ROOT, reason="needs a grader run as an ordinary user: run this file as one (.ci/run)")
WRAPPER = Path(__file__).with_name("refuse_user_namespaces.py")


REFUSED = os.environ.get("MNISTCNN_TEST_REFUSE_NAMESPACES")  # "setgroups" or "unshare": see below


def through_refusal(mode: str) -> list[str]:
    """The start of a command line that runs the rest where ``mode`` refuses namespaces (refuse_user_namespaces.py)."""
    return [sys.executable, str(WRAPPER), mode, "--"]


def refuse(patch: pytest.MonkeyPatch, mode: str) -> None:
    """Start the launcher, and the preloaded runners that fork files' runners, where ``mode`` refuses namespaces."""
    patch.setattr(sandbox, "LAUNCHER", [*through_refusal(mode), *sandbox.LAUNCHER])
    patch.setattr(preload, "COMMAND", [*through_refusal(mode), *preload.COMMAND])


@pytest.fixture(scope="module", autouse=True)
def _refused_everywhere():
    """With MNISTCNN_TEST_REFUSE_NAMESPACES, every test of this file runs where namespaces are
    refused that way, as on GitHub's runners (setgroups) or in a container (unshare)."""
    if not REFUSED:
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        refuse(patch, REFUSED)
        yield


@pytest.fixture(scope="module")
def held(_refused_everywhere) -> list[str]:
    """What the launcher reports it applies on this machine."""
    return sandbox.protections()


def needs(held: list[str], *phrases: str) -> None:
    """Skip unless the launcher applies one of ``phrases`` here; the reason gives what it said."""
    if not any(phrase in item for item in held for phrase in phrases):
        pytest.skip(f"this machine gives none of {phrases}: {'; '.join(held)}")


def hostile(folder: Path, code: str, suffix: str = ".py") -> Path:
    """The Q05 exercise, completed, with ``code`` run before the answer."""
    text = completed(page(5).read_text(encoding="utf-8"), lambda answer: code + "\n" + answer)
    return write(folder, 5, text, suffix)


def processes_with(marker: str) -> list[int]:
    """The processes of this machine whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # it ended meanwhile
            pass
    return found


def launch(code: str, folder: Path, limits: sandbox.Limits | None = None, **options) -> subprocess.CompletedProcess:
    """Run ``python -c code`` through the launcher in ``folder``, its output captured."""
    with sandbox.Cage(folder, limits or sandbox.Limits(seconds=60)):
        argv = sandbox.command([sys.executable, "-c", code], folder)
        env = sandbox.environment(folder)
        return subprocess.run(argv, env=env, cwd=folder, capture_output=True, timeout=120, **options)


# What holds, said on the run's first line ---------------------------------------


@linux
def test_the_first_line_names_each_layer_or_why_it_is_missing(held):
    for layer in ("CPU time", "file size", "memory of each process", "no core dump"):
        assert layer in held
    said = {
        "namespaces": ("own PID namespace", "namespaces (a user namespace is refused"),
        "processes": ("pids cgroup", "RLIMIT_NPROC", "any number of processes"),
        "memory together": ("own memory cgroup", "memory of its processes together unbounded"),
        "other processes": ("own /proc", "other processes' command lines readable"),
        "files": ("(Landlock)", "writes and reads anywhere"),
        "sockets": ("(seccomp)", "sockets allowed"),
    }
    for layer, words in said.items():
        assert any(w in item for item in held for w in words), (layer, held)


@as_root
def test_as_root_every_layer_holds_and_the_code_runs_as_nobody(held):
    if REFUSED:
        pytest.skip("this run refuses the namespaces on purpose")
    expected = ["own PID namespace", "own network namespace", "own /proc", "runs as nobody", "(Landlock)", "(seccomp)"]
    expected += ["own pids cgroup"] if sandbox.cgroup_parent("pids") else []
    expected += ["own memory cgroup"] if sandbox.cgroup_parent("memory") else []
    for protection in expected:
        assert any(protection in item for item in held), (protection, held)


@as_root
def test_as_root_the_command_has_the_uid_of_nobody_and_no_capability_but_reading(tmp_path):
    code = "import os; print(os.getuid(), open('/proc/self/status').read().split('CapEff:')[1].split()[0])"
    run = launch(code, tmp_path)
    uid, capabilities = run.stdout.split()
    assert int(uid) == launcher.NOBODY
    assert int(capabilities, 16) == 1 << launcher.CAP_DAC_READ_SEARCH


@linux
def test_the_launchers_defaults_are_those_of_limits(tmp_path):
    code = "import resource as r; print(r.getrlimit(r.RLIMIT_CPU)[0], r.getrlimit(r.RLIMIT_DATA)[0])"
    run = subprocess.run(
        [*sandbox.LAUNCHER, f"--folder={tmp_path}", "--", sys.executable, "-c", code], capture_output=True
    )
    cpu, memory = map(int, run.stdout.split())
    assert cpu == sandbox.Limits().cpu_seconds
    assert memory == sandbox.Limits().memory << 20


# Refused namespaces: the launcher goes on with what holds --------------------------


@pytest.fixture(params=["setgroups", "unshare"])
def refused_namespaces(request, monkeypatch):
    """The launcher started where namespaces are refused: a refused ``setgroups`` write (as
    AppArmor refuses it on Ubuntu 24.04's runners) or a refused ``unshare``."""
    if request.param == "setgroups" and ROOT:
        pytest.skip("as root the launcher makes its namespaces without a user namespace")
    if request.param == "setgroups" and launcher.landlock_abi() < 1:
        pytest.skip("refusing the write needs Landlock")
    if request.param == "unshare" and os.uname().machine not in launcher.SECCOMP_ARCHES:
        pytest.skip("refusing unshare needs seccomp on x86-64 or arm64")
    if REFUSED:
        pytest.skip("every test of this run is already started through a refusal")
    refuse(monkeypatch, request.param)
    return request.param


@linux
def test_a_refused_namespace_is_said_on_the_first_line_and_a_correct_answer_still_passes(refused_namespaces, tmp_path):
    held = sandbox.protections()
    why = "writing /proc/self/setgroups: Permission denied" if refused_namespaces == "setgroups" else "unshare: "
    missing = [item for item in held if "a user namespace is refused" in item]
    assert len(missing) == 1 and why in missing[0], held
    assert "no network (own network namespace)" not in held
    assert any("(Landlock)" in item for item in held) and any("(seccomp)" in item for item in held)
    assert check_file(hostile(tmp_path, "pass"), timeout=120).verdict == PASSED


@seccomp
def test_without_namespaces_no_socket_is_made_still(refused_namespaces, tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        code = f"import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', {server.getsockname()})"
        result = check_file(hostile(tmp_path, code), timeout=120)
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.recv(10)
    assert result.verdict == ERROR and "PermissionError" in result.message


# Files -------------------------------------------------------------------------


def test_a_correct_answer_passes_in_the_sandbox(tmp_path):
    assert check_file(hostile(tmp_path, "pass"), timeout=120).verdict == PASSED


@landlock
def test_a_submission_that_writes_outside_its_folder_is_an_error_and_writes_nothing(tmp_path):
    outside = tmp_path / "the-graders-file.txt"
    outside.write_text("the grader's", encoding="utf-8")
    outside.chmod(0o666)  # only the sandbox stands in the way
    result = check_file(hostile(tmp_path, f"open({str(outside)!r}, 'w').write('overwritten')"), timeout=120)
    assert result.verdict == ERROR and "PermissionError" in result.message
    assert outside.read_text(encoding="utf-8") == "the grader's"


@landlock
def test_a_submission_that_reads_the_graders_files_is_an_error(tmp_path):
    secret = tmp_path / "the-graders-secret.txt"
    secret.write_text("secret", encoding="utf-8")
    secret.chmod(0o644)
    result = check_file(hostile(tmp_path, f"print(open({str(secret)!r}).read())"), timeout=120)
    assert result.verdict == ERROR and "PermissionError" in result.message


@landlock
@pytest.mark.parametrize(
    "what",
    ["examples/01_tensors/q05_stack_and_cat.py", "tests/test_sandbox.py", "pyproject.toml", "."],
    ids=["a solution", "the tests", "the project file", "the listing"],
)
def test_a_submission_reads_the_package_and_nothing_else_of_the_checkout(what, tmp_path):
    target = launcher.PACKAGE_ROOT / what
    if not target.exists():
        pytest.skip(f"{launcher.PACKAGE_ROOT} is not a checkout")
    read = "os.listdir" if target.is_dir() else "open"
    code = f"import os, mnistcnn.grader\nassert mnistcnn.grader.__file__\n{read}({str(target)!r})"
    result = check_file(hostile(tmp_path, code), timeout=120)
    assert result.verdict == ERROR and "PermissionError" in result.message


@landlock
def test_a_submission_cannot_read_a_class_being_graded_beside_it(tmp_path):
    other = tmp_path / "submissions" / "another-student" / "q05_stack_and_cat_exercise.py"
    other.parent.mkdir(parents=True)
    other.write_text("x = 1\n", encoding="utf-8")
    other.chmod(0o644)
    result = check_file(hostile(tmp_path, f"open({str(other)!r}).read()"), timeout=120)
    assert result.verdict == ERROR and "PermissionError" in result.message


# Network -----------------------------------------------------------------------


@seccomp
def test_a_submission_that_opens_a_tcp_connection_is_an_error_and_reaches_nothing(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=10).sendall(b'hello')"
        result = check_file(hostile(tmp_path, code), timeout=120)
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()
    assert result.verdict == ERROR and "PermissionError" in result.message


@seccomp
@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_a_submission_that_sends_udp_is_an_error_and_reaches_nothing(suffix, tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        code = f"import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', {server.getsockname()})"
        result = check_file(hostile(tmp_path, code, suffix), timeout=120)
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.recv(10)
    assert result.verdict == ERROR and "PermissionError" in result.message


@seccomp
@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_a_submission_that_connects_to_a_unix_socket_is_an_error_and_reaches_nothing(suffix, tmp_path):
    path = Path(tempfile.mkdtemp(prefix="mnistcnn-test-")) / "grader.sock"
    path.parent.chmod(0o755)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind(str(path))
            path.chmod(0o777)  # only the sandbox stands in the way
            server.listen()
            code = f"import socket\nsocket.socket(socket.AF_UNIX).connect({str(path)!r})"
            result = check_file(hostile(tmp_path, code, suffix), timeout=120)
            server.setblocking(False)
            with pytest.raises(BlockingIOError):
                server.accept()
    finally:
        path.unlink(missing_ok=True)
        path.parent.rmdir()
    assert result.verdict == ERROR and "PermissionError" in result.message


@seccomp
def test_torch_numpy_and_multiprocessing_work_without_sockets(held, tmp_path):
    needs(held, launcher.OWN_SHARED_MEMORY)  # multiprocessing's locks live in /dev/shm
    code = (
        "import multiprocessing as mp, numpy, torch\n"
        "with mp.get_context('fork').Pool(2) as pool:\n"
        "    assert pool.map(abs, [-1, -2]) == [1, 2]\n"
        "assert torch.from_numpy(numpy.ones(3)).sum().item() == 3\n"
    )
    assert check_file(hostile(tmp_path, code), timeout=120).verdict == PASSED


# Processes ------------------------------------------------------------------------


def test_a_submission_that_forks_in_a_loop_is_an_error_and_leaves_no_process(held, tmp_path):
    needs(held, "own pids cgroup", "RLIMIT_NPROC")
    marker = f"mnistcnn-fork-{tmp_path.name}"
    code = (
        "import os\n"
        "while True:\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()  # out of the grader's process group\n"
        f"        os.execv('/bin/sleep', ['mnistcnn-' + {marker[9:]!r}, '600'])"
    )
    result = check_file(hostile(tmp_path, code), timeout=120)
    left = processes_with(marker)
    for pid in left:  # where nothing ends them (said on the first line), this test does
        os.kill(pid, signal.SIGKILL)
    assert result.verdict == ERROR
    assert "BlockingIOError" in result.message or "Resource temporarily unavailable" in result.message
    if any(layer in item for item in held for layer in ("own PID namespace", "own pids cgroup")):
        assert left == []


def test_a_submission_that_sleeps_forever_times_out_and_leaves_no_process(held, tmp_path):
    needs(held, "own PID namespace", "own pids cgroup")  # the grader kills what is left in the cgroup
    marker = f"mnistcnn-sleep-{tmp_path.name}"
    code = f"import os, time\nif os.fork() == 0:\n    os.execv('/bin/sleep', [{marker!r}, '600'])\ntime.sleep(10**6)"
    result = check_file(hostile(tmp_path, code), timeout=15)
    assert result.verdict == TIMED_OUT
    assert processes_with(marker) == []


@linux
def test_a_launcher_killed_takes_its_command_with_it(tmp_path):
    marker = f"mnistcnn-orphan-{tmp_path.name}"
    code = f"import os\nos.execv('/bin/sleep', ['mnistcnn-' + {marker[9:]!r}, '600'])"  # not in the launcher's line
    launcher = subprocess.Popen(sandbox.command([sys.executable, "-c", code], tmp_path), cwd=tmp_path)
    for _ in range(600):  # until the command runs, then kill the launcher
        if processes_with(marker):
            break
        time.sleep(0.1)
    assert processes_with(marker)
    launcher.kill()
    launcher.wait()
    for _ in range(100):
        if not processes_with(marker):
            break
        time.sleep(0.1)
    assert processes_with(marker) == []


@landlock
def test_a_submission_that_signals_the_grader_is_an_error_and_the_grader_lives_on(tmp_path):
    result = check_file(hostile(tmp_path, f"import os, signal\nos.kill({os.getpid()}, signal.SIGKILL)"), timeout=120)
    assert result.verdict == ERROR  # outside its PID namespace, or outside its Landlock domain
    assert "ProcessLookupError" in result.message or "PermissionError" in result.message


def test_a_submission_cannot_read_the_command_lines_of_other_processes(held, tmp_path):
    needs(held, "sees only its own processes (own /proc)")
    sleeper = subprocess.Popen(["sleep", "600", "--the-graders-secret"])
    try:
        code = f"print(open('/proc/{sleeper.pid}/cmdline').read())"
        result = check_file(hostile(tmp_path, code), timeout=120)
    finally:
        sleeper.send_signal(signal.SIGKILL)
        sleeper.wait()
    assert result.verdict == ERROR and "FileNotFoundError" in result.message


# Memory and output ----------------------------------------------------------------


@linux
def test_a_submission_that_allocates_memory_without_end_is_an_error(tmp_path):
    code = "blocks = []\nwhile True:\n    blocks.append(bytearray(1 << 26))"
    result = check_file(hostile(tmp_path, code), limits=sandbox.Limits(seconds=120, memory=1024))
    assert result.verdict == ERROR
    assert "MemoryError" in result.message or "memory limit" in result.message


@linux
def test_a_submission_that_writes_a_file_too_large_is_an_error(tmp_path):
    code = "with open('big.bin', 'wb') as f:\n    f.write(bytes(32 << 20))"
    result = check_file(hostile(tmp_path, code), limits=sandbox.Limits(seconds=120, file_size=16))
    assert result.verdict == ERROR and "File too large" in result.message


def test_children_that_fill_the_memory_together_are_stopped(held, tmp_path):
    needs(held, "own memory cgroup")
    # Each child stays below the limit of one process (it would exit with 3 over it), even with
    # the several hundred MiB that an interpreter which imported torch holds already; the
    # three together are far above it: the kernel kills one of them (or their parent).
    code = (
        "import os, signal\n"
        "children = []\n"
        "for _ in range(3):\n"
        "    child = os.fork()\n"
        "    if child == 0:\n"
        "        try:\n"
        "            block = bytearray(b'1') * (800 << 20)\n"
        "        except MemoryError:\n"
        "            os._exit(3)\n"
        "        os._exit(0)\n"
        "    children.append(child)\n"
        "statuses = [os.waitpid(child, 0)[1] for child in children]\n"
        "killed = sum(os.WIFSIGNALED(s) and os.WTERMSIG(s) == signal.SIGKILL for s in statuses)\n"
        "refused = sum(os.WIFEXITED(s) and os.WEXITSTATUS(s) == 3 for s in statuses)\n"
        "raise MemoryError(f'{killed} killed, {refused} refused')\n"
    )
    result = check_file(hostile(tmp_path, code), limits=sandbox.Limits(seconds=120, memory=2048))
    assert result.verdict == ERROR
    assert "0 refused" in result.message or "the kernel killed a process at the memory limit" in result.message
    assert "0 killed" not in result.message, result.message


@linux
def test_endless_output_reaches_the_grader_cut_to_a_megabyte(tmp_path):
    code = "import sys\nfor _ in range(40):\n    sys.stdout.write('o' * (1 << 20)); sys.stderr.write('e' * (1 << 20))"
    run = launch(code, tmp_path)
    assert run.returncode == 0
    for stream in (run.stdout, run.stderr):
        assert stream.startswith(b"o" * 1000) or stream.startswith(b"e" * 1000)
        assert stream.endswith(f"[mnistcnn: output cut after {launcher.OUTPUT_KEPT} bytes]\n".encode())
        assert len(stream) < launcher.OUTPUT_KEPT + 100


def test_a_submission_that_prints_without_end_times_out_and_the_grader_keeps_little(tmp_path):
    code = "import sys\nwhile True:\n    sys.stderr.write('x' * 65536)"
    result = check_file(hostile(tmp_path, code), timeout=10)
    assert result.verdict == TIMED_OUT


# Files forked from a preloaded runner ----------------------------------------------


def forked_report(folder: Path) -> tuple[preload.Forked, list[str]]:
    """A runner forked from a preloaded process, in ``folder``, and what the launcher reports it applies to it."""
    with sandbox.Cage(folder, sandbox.Limits(seconds=60)):
        options = [*sandbox.launcher_options(folder), "--report"]
        forked = preload.start(options, folder, sandbox.environment(folder))
        assert forked is not None, "no preloaded runner started here"
        out, _ = forked.communicate(timeout=120)
    return forked, json.loads(out)


FORKED = "import sys\nassert sys.modules['__main__'].__file__.endswith('preload.py'), 'not forked'\n"


@linux
def test_a_file_forked_from_a_preloaded_runner_gets_every_layer_a_launched_one_gets(held, tmp_path):
    _, report = forked_report(tmp_path)
    assert report == (held[1:-1] if sandbox.gpu_wanted() else held[1:])  # less the time limit and the GPU


@linux
def test_files_graded_one_after_another_are_forked_from_one_preloaded_runner(tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    first, _ = forked_report(tmp_path / "a")
    second, _ = forked_report(tmp_path / "b")
    assert first.preloaded is second.preloaded and first.pid != second.pid
    assert check_file(hostile(tmp_path, FORKED), timeout=120).verdict == PASSED


@linux
def test_a_preloaded_runner_killed_fails_its_file_and_another_starts(tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    folder = tmp_path / "a"
    with sandbox.Cage(folder, sandbox.Limits(seconds=60)):
        forked = preload.start(sandbox.launcher_options(folder), folder, sandbox.environment(folder))
        os.kill(forked.preloaded.process.pid, signal.SIGKILL)
        forked.communicate("", timeout=120)
    assert forked.returncode != 0
    assert forked_report(tmp_path / "b")[0].preloaded is not forked.preloaded


@as_root
def test_as_root_a_forked_file_runs_as_nobody(tmp_path):
    code = FORKED + f"import os\nassert os.getuid() == {launcher.NOBODY}"
    assert check_file(hostile(tmp_path, code), timeout=120).verdict == PASSED


@linux
def test_a_forked_file_sees_none_of_the_graders_environment(tmp_path, monkeypatch):
    preload._close_all()  # the next preloaded runner starts while the grader holds the secret
    monkeypatch.setenv("MNISTCNN_TEST_SECRET", "hunter2")
    code = FORKED + "import os\nassert b'hunter2' not in open('/proc/self/environ', 'rb').read()\n"
    code += "assert 'hunter2' not in repr(os.environ)"
    assert check_file(hostile(tmp_path, code), timeout=120).verdict == PASSED


@linux
def test_a_forked_file_sees_nothing_of_the_file_forked_before_it(tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    changed = "import torch\ntorch.Tensor.add = None\ntorch.marker = 1"
    check_file(hostile(tmp_path / "a", changed), timeout=120)
    code = FORKED + "import torch\nassert not hasattr(torch, 'marker') and torch.Tensor.add is not None"
    assert check_file(hostile(tmp_path / "b", code), timeout=120).verdict == PASSED


# The environment, and the GPU ----------------------------------------------------------


def test_the_environment_keeps_what_the_code_needs_and_drops_the_rest(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "secret")
    monkeypatch.setenv("MNISTCNN_DEVICE", "cpu")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    env = sandbox.environment(tmp_path)
    assert "GITHUB_TOKEN" not in env
    assert env["MNISTCNN_DEVICE"] == "cpu"
    assert env["HOME"] == env["TMPDIR"] == str(tmp_path)
    assert Path(env["MNISTCNN_CACHE"]).is_relative_to(tmp_path)
    assert "OMP_NUM_THREADS" not in env  # torch picks: a thread per core
    assert sandbox.environment(tmp_path) == env  # made ready once; the same again


def test_the_variables_that_name_a_files_folder_are_those_the_preloaded_runner_leaves_out(tmp_path):
    env = sandbox.environment(tmp_path)
    assert {name for name, value in env.items() if str(tmp_path) in value} == set(sandbox.FOLDER_VARIABLES)


def test_the_import_path_holds_only_the_package(tmp_path, monkeypatch):
    folder = Path(sandbox.environment(tmp_path)["PYTHONPATH"])
    assert [p.name for p in folder.iterdir()] == ["mnistcnn"]
    assert (folder / "mnistcnn").resolve() == launcher.PACKAGE


def test_a_file_run_beside_others_gets_its_share_of_the_cores_unless_the_grader_says(tmp_path, monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    with sandbox.Cage(tmp_path, sandbox.Limits(threads=3)):
        assert sandbox.environment(tmp_path)["OMP_NUM_THREADS"] == "3"
    monkeypatch.setenv("OMP_NUM_THREADS", "5")
    with sandbox.Cage(tmp_path, sandbox.Limits(threads=3)):
        assert sandbox.environment(tmp_path)["OMP_NUM_THREADS"] == "5"


def test_cuda_is_wanted_when_asked_for_or_auto_with_the_nvidia_driver(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "DEV", tmp_path)
    assert sandbox.gpu_wanted("cuda") and sandbox.gpu_wanted("cuda:1")
    assert not sandbox.gpu_wanted("cpu") and not sandbox.gpu_wanted("auto")
    (tmp_path / "nvidiactl").touch()
    assert sandbox.gpu_wanted("auto")


def test_the_gpus_device_files_are_those_cuda_opens(tmp_path):
    for name in ("nvidia0", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-caps", "null", "sda"):
        (tmp_path / name).touch()
    names = [p.name for p in launcher.gpu_device_files(tmp_path)]
    assert names == ["nvidia-caps", "nvidia-uvm", "nvidia-uvm-tools", "nvidia0", "nvidiactl"]


@pytest.mark.skipif(Path("/dev/nvidiactl").exists(), reason="this machine has the NVIDIA driver")
def test_without_a_gpu_the_sandboxs_cuda_probe_says_why(monkeypatch):
    sandbox._cuda_fails_inside.cache_clear()
    try:
        assert sandbox._cuda_fails_inside()  # torch's own error, from inside the sandbox
    finally:
        sandbox._cuda_fails_inside.cache_clear()


def test_where_cuda_fails_in_the_sandbox_a_correct_answer_runs_on_the_cpu_and_passes(tmp_path, monkeypatch):
    monkeypatch.setenv("MNISTCNN_DEVICE", "cuda")
    monkeypatch.setattr(sandbox, "_cuda_fails_inside", lambda: "RuntimeError: no CUDA GPUs are available")
    assert sandbox.environment(tmp_path)["MNISTCNN_DEVICE"] == "cpu"
    said = [item for item in sandbox.protections() if "GPU" in item or "CUDA" in item]
    assert said == ["the CPU only: CUDA fails inside the sandbox (RuntimeError: no CUDA GPUs are available)"]
    code = "import os\nassert os.environ['MNISTCNN_DEVICE'] == 'cpu'"
    assert check_file(hostile(tmp_path, code), timeout=120).verdict == PASSED


def test_where_cuda_works_in_the_sandbox_the_graders_device_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("MNISTCNN_DEVICE", "cuda")
    monkeypatch.setattr(sandbox, "_cuda_fails_inside", lambda: None)
    assert sandbox.environment(tmp_path)["MNISTCNN_DEVICE"] == "cuda"
    assert sandbox.gpu_refused() is None


# Cgroups ---------------------------------------------------------------------------


def test_cgroups_are_made_beneath_the_graders_own_in_cgroup_v1_or_at_cgroup_v2s_root(tmp_path):
    v1, v2, v2_without = tmp_path / "v1", tmp_path / "v2", tmp_path / "v2-without"
    (v1 / "pids").mkdir(parents=True)
    (v1 / "memory").mkdir()
    for root, controllers in ((v2, "cpuset cpu io memory pids\n"), (v2_without, "cpu\n")):
        root.mkdir()
        (root / "cgroup.subtree_control").write_text(controllers)
    own = {"pids": "/", "memory": "/jobs/grader"}
    assert sandbox.cgroup_parent("pids", v1, own) == v1 / "pids"
    assert sandbox.cgroup_parent("memory", v1, own) == v1 / "memory" / "jobs" / "grader"
    assert sandbox.cgroup_parent("memory", v2, own) == sandbox.cgroup_parent("pids", v2, own) == v2
    assert sandbox.cgroup_parent("memory", v2_without, own) is None
    assert sandbox.cgroup_parent("pids", tmp_path / "no-cgroups", own) is None


# The instructors' page ------------------------------------------------------------


def test_each_test_the_instructors_page_names_for_a_guarantee_is_a_test_of_this_file():
    from .helpers import ROOT

    text = (ROOT / "docs" / "instructors.md").read_text(encoding="utf-8")
    section = text[text.index("## What the limits do, and what they do not") :]
    named = re.findall(r"`(…?[a-z0-9]+(?:_[a-z0-9]+)+…?)`", section)
    tests = [name for name in globals() if name.startswith("test_")]
    assert len(named) > 15
    for name in named:
        pattern = re.compile("test_" + ".*".join(map(re.escape, name.split("…"))))  # … stands for words left out
        assert any(pattern.fullmatch(test) for test in tests), name
