"""Hostile submissions are refused, graded as errors (or timed out), and leave the grader unharmed.

Each one is the Q05 exercise, completed, with something a submission must not do put
before its answer.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from mnistcnn import sandbox
from mnistcnn.check import ERROR, PASSED, TIMED_OUT, check_file

from .helpers import completed, page, write

LINUX_SANDBOX = sys.platform.startswith("linux") and sandbox.landlock_abi() >= 6 and os.geteuid() == 0
full_sandbox = pytest.mark.skipif(
    not LINUX_SANDBOX, reason="the full sandbox needs Linux ≥ 6.12 (Landlock ABI 6) and a grader run as root"
)


def hostile(folder: Path, code: str) -> Path:
    """The Q05 exercise, completed, with ``code`` run before the answer."""
    text = completed(page(5).read_text(encoding="utf-8"), lambda answer: code + "\n" + answer)
    return write(folder, 5, text)


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


@full_sandbox
def test_this_machine_applies_every_limit():
    applied = sandbox.protections()
    expected = ["CPU time", "file size", "memory", "PID namespace", "network namespace"]
    expected += ["processes (own pids cgroup)"] if sandbox.pids_cgroups() else []
    for protection in expected:
        assert any(protection in item for item in applied), (protection, applied)
    assert "writes only in its own folder (Landlock)" in applied


@full_sandbox
def test_the_answer_itself_still_passes_in_the_sandbox(tmp_path):
    assert check_file(hostile(tmp_path, "pass"), timeout=120).verdict == PASSED


@full_sandbox
def test_a_submission_that_writes_outside_its_folder_is_an_error_and_writes_nothing(tmp_path):
    outside = tmp_path / "the-graders-file.txt"
    outside.write_text("the grader's", encoding="utf-8")
    code = f"open({str(outside)!r}, 'w').write('overwritten')"
    result = check_file(hostile(tmp_path, code), timeout=120)
    assert result.verdict == ERROR
    assert "PermissionError" in result.message
    assert outside.read_text(encoding="utf-8") == "the grader's"


@full_sandbox
def test_a_submission_that_reads_the_graders_files_is_an_error(tmp_path):
    secret = Path.home() / ".bashrc"
    if not secret.is_file():
        pytest.skip("no file of the grader's own to try")
    result = check_file(hostile(tmp_path, f"open({str(secret)!r}).read()"), timeout=120)
    assert result.verdict == ERROR and "PermissionError" in result.message


@full_sandbox
def test_a_submission_that_allocates_memory_without_end_is_an_error(tmp_path):
    code = "blocks = []\nwhile True:\n    blocks.append(bytearray(1 << 26))"
    result = check_file(hostile(tmp_path, code), limits=sandbox.Limits(seconds=120, memory=1024))
    assert result.verdict == ERROR
    assert "MemoryError" in result.message


@pytest.mark.skipif(not sandbox.pids_cgroups(), reason="no cgroup hierarchy hands out the pids controller here")
@full_sandbox
def test_a_submission_that_forks_in_a_loop_is_an_error_and_leaves_no_process(tmp_path):
    marker = f"mnistcnn-fork-{tmp_path.name}"
    code = (
        "import os\n"
        "while True:\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()  # out of the grader's process group\n"
        f"        os.execv('/bin/sleep', [{marker!r}, '600'])"
    )
    result = check_file(hostile(tmp_path, code), timeout=120)
    assert result.verdict == ERROR
    assert "BlockingIOError" in result.message or "Resource temporarily unavailable" in result.message
    assert processes_with(marker) == []


@full_sandbox
def test_a_submission_that_sleeps_forever_times_out_and_leaves_no_process(tmp_path):
    marker = f"mnistcnn-sleep-{tmp_path.name}"
    code = f"import os, time\nif os.fork() == 0:\n    os.execv('/bin/sleep', [{marker!r}, '600'])\ntime.sleep(10**6)"
    result = check_file(hostile(tmp_path, code), timeout=15)
    assert result.verdict == TIMED_OUT
    assert processes_with(marker) == []


@full_sandbox
def test_a_submission_that_opens_a_network_connection_is_an_error_and_reaches_nothing(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=10).sendall(b'hello')"
        result = check_file(hostile(tmp_path, code), timeout=120)
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()
    assert result.verdict == ERROR
    assert "Network is unreachable" in result.message or "PermissionError" in result.message


@full_sandbox
def test_a_submission_that_signals_the_grader_is_an_error_and_the_grader_lives_on(tmp_path):
    result = check_file(hostile(tmp_path, f"import os, signal\nos.kill({os.getpid()}, signal.SIGKILL)"), timeout=120)
    assert result.verdict == ERROR  # the grader is not even visible from its PID namespace
    assert "ProcessLookupError" in result.message or "PermissionError" in result.message


@full_sandbox
def test_a_notebook_kernel_is_held_to_the_same_limits(tmp_path):
    outside = tmp_path / "the-graders-file.txt"
    text = completed(page(5).read_text(encoding="utf-8"), lambda a: f"open({str(outside)!r}, 'w')\n" + a)
    result = check_file(write(tmp_path, 5, text, ".ipynb"), timeout=120)
    assert result.verdict == ERROR and "PermissionError" in result.message
    assert not outside.exists()


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


def test_a_file_run_beside_others_gets_its_share_of_the_cores_unless_the_grader_says(tmp_path, monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    with sandbox.Cage(tmp_path, sandbox.Limits(threads=3)):
        assert sandbox.environment(tmp_path)["OMP_NUM_THREADS"] == "3"
    monkeypatch.setenv("OMP_NUM_THREADS", "5")
    with sandbox.Cage(tmp_path, sandbox.Limits(threads=3)):
        assert sandbox.environment(tmp_path)["OMP_NUM_THREADS"] == "5"


def test_a_pids_cgroup_is_made_in_cgroup_v1s_pids_hierarchy_or_at_cgroup_v2s_root(tmp_path):
    v1, v2, v2_without_pids = tmp_path / "v1", tmp_path / "v2", tmp_path / "v2-without-pids"
    (v1 / "pids").mkdir(parents=True)
    (v1 / "memory").mkdir()
    for root, controllers in ((v2, "cpuset cpu io memory pids\n"), (v2_without_pids, "cpu memory\n")):
        root.mkdir()
        (root / "cgroup.subtree_control").write_text(controllers)
    assert sandbox.pids_cgroups(v1) == v1 / "pids"
    assert sandbox.pids_cgroups(v2) == v2
    assert sandbox.pids_cgroups(v2_without_pids) is None
    assert sandbox.pids_cgroups(tmp_path / "no-cgroups") is None
