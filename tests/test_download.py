"""Downloading MNIST from mirrors, against a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from mnistcnn import MNISTError, fetch
from mnistcnn.cli import main
from mnistcnn.data import FILES, check_mirrors


class _Mirror(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; ``mode`` decides what happens to the files it sends."""

    mode = "good"

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = Path(self.directory) / self.path.lstrip("/")
        if self.mode == "missing" or not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        declared = len(body)
        if self.mode == "corrupt":
            body = body[:100] + bytes(b ^ 0xFF for b in body[100:200]) + body[200:]
        elif self.mode == "truncated":
            body = body[: len(body) // 3]
        self.send_response(200)
        self.send_header("Content-Length", str(declared))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)
        if self.mode == "truncated":
            self.close_connection = True


@pytest.fixture
def serve(mnist_dir, tmp_path):
    """Start mirrors on 127.0.0.1 serving the real files; returns a function mode -> base URL."""
    servers = []

    def start(mode: str) -> str:
        handler = type(f"Mirror_{mode}", (_Mirror,), {"mode": mode})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(mnist_dir)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _left_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_good_mirror_gives_the_four_verified_files(serve, tmp_path, mnist_dir):
    folder = fetch(tmp_path / "data", mirrors=[serve("good")])
    assert _left_in(folder) == sorted(FILES)
    for name in FILES:
        assert (folder / name).read_bytes() == (mnist_dir / name).read_bytes()


def test_a_corrupted_download_is_discarded_and_the_next_mirror_is_used(serve, tmp_path, capsys):
    folder = fetch(tmp_path / "data", mirrors=[serve("corrupt"), serve("good")])
    assert _left_in(folder) == sorted(FILES)
    assert "MD5" not in capsys.readouterr().out


def test_a_truncated_download_is_discarded_and_the_next_mirror_is_used(serve, tmp_path):
    folder = fetch(tmp_path / "data", mirrors=[serve("truncated"), serve("missing"), serve("good")])
    assert _left_in(folder) == sorted(FILES)


def test_when_every_mirror_fails_nothing_is_left_that_could_pass_for_data(serve, tmp_path):
    folder = tmp_path / "data"
    with pytest.raises(MNISTError) as error:
        fetch(folder, mirrors=[serve("corrupt"), serve("truncated"), serve("missing")])
    message = str(error.value)
    assert "MD5 is" in message and "download stopped" in message and "404" in message
    assert "MNISTCNN_DATA" in message
    assert _left_in(folder) == []


def test_a_damaged_file_already_in_the_folder_is_reported_not_used(tmp_path, mnist_dir):
    folder = tmp_path / "data"
    # The files' contents only: the real ones may be read-only, and this test damages its copy.
    shutil.copytree(mnist_dir, folder, ignore=shutil.ignore_patterns("*.md"), copy_function=shutil.copyfile)
    target = folder / "t10k-labels-idx1-ubyte.gz"
    raw = target.read_bytes()
    target.write_bytes(raw[:-1] + bytes([raw[-1] ^ 0xFF]))
    with pytest.raises(MNISTError, match="t10k-labels-idx1-ubyte.gz is not the official MNIST file"):
        fetch(folder)


def test_fetch_on_complete_real_files_downloads_nothing(mnist_dir):
    # The mirrors of the fixture environment are unreachable: success proves no download was tried.
    assert fetch(mnist_dir) == mnist_dir


def test_decompressed_files_count_as_present_and_are_verified(tmp_path, mnist_dir):
    import gzip

    folder = tmp_path / "raw"
    folder.mkdir()
    for name in FILES:
        (folder / name.removesuffix(".gz")).write_bytes(gzip.decompress((mnist_dir / name).read_bytes()))
    assert fetch(folder) == folder
    labels = folder / "t10k-labels-idx1-ubyte"
    labels.write_bytes(labels.read_bytes()[:-1] + b"\x09")
    with pytest.raises(MNISTError, match="t10k-labels-idx1-ubyte is not the official MNIST file"):
        fetch(folder)


def test_the_mirror_check_passes_when_every_mirror_serves_the_official_files_and_keeps_nothing(
    serve, tmp_path, monkeypatch
):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert check_mirrors([serve("good"), serve("good")]) == []
    assert _left_in(scratch) == []


def test_the_mirror_check_names_each_file_a_mirror_serves_wrong(serve):
    good, corrupt = serve("good"), serve("corrupt")
    failures = check_mirrors([good, corrupt])
    assert len(failures) == len(FILES)
    assert all(failure.startswith(corrupt) and "MD5 is" in failure for failure in failures)


def test_fetch_check_mirrors_on_the_command_line_fails_for_a_missing_mirror(serve, monkeypatch, capsys):
    monkeypatch.setenv("MNISTCNN_MIRRORS", f"{serve('good')},{serve('missing')}")
    assert main(["fetch", "--check-mirrors"]) == 3
    err = capsys.readouterr().err
    assert err.count("404") == len(FILES)
    monkeypatch.setenv("MNISTCNN_MIRRORS", serve("good"))
    assert main(["fetch", "--check-mirrors"]) == 0
