"""Maintainer tasks: ``nox -s docs`` builds and verifies the textbook, ``nox -s tests`` runs the unit tests.

CPU sessions pin ``torch==2.13.0``. The CUDA sessions (``tests-cuda``, ``docs-cuda``)
install torch from PyPI (a CUDA build on Linux) and refuse to run unless CUDA is
really usable. On a GPU machine without network whose interpreter already has CUDA
torch and the project's dependencies, run them in that interpreter:

    nox --no-venv -s tests-cuda docs-cuda

Options of the docs sessions, after ``--``: ``--clean`` (start from nothing),
``--force`` (rerun every example), ``--no-exec`` (prose only: run nothing, skip the
site checks), ``--only q05`` (run only the matching examples).

``nox -s browser``, after ``nox -s docs``, opens every page of the built site in
Debian's headless Chromium (``apt-get install chromium chromium-driver``) and checks it
with axe-core, fetched from npm at a pinned version.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
CPU_TORCH = "torch==2.13.0"
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"

nox.options.sessions = ["tests", "docs"]
nox.options.reuse_venv = "yes"


def _env() -> dict[str, str]:
    env = {}
    if "MNISTCNN_DATA" not in os.environ and SHARED_MNIST.is_dir():
        env["MNISTCNN_DATA"] = str(SHARED_MNIST)
    return env


def _install(session: nox.Session, extra: str, torch_spec: str) -> None:
    if session.venv_backend == "none":
        session.log("Using the current interpreter as it is (--no-venv): nothing is installed.")
        return
    session.install(torch_spec)
    session.install("-e", f".[{extra}]")


def _python(session: nox.Session) -> str:
    """The session's interpreter: the venv's, or with --no-venv the one running nox."""
    return sys.executable if session.venv_backend == "none" else "python"


def _require_cuda(session: nox.Session) -> None:
    session.run(
        _python(session),
        "-c",
        "import sys, torch\n"
        "if not torch.version.cuda: sys.exit(f'torch {torch.__version__} is a CPU-only build: '"
        "'the CUDA sessions need a CUDA build of torch')\n"
        "if not torch.cuda.is_available(): sys.exit('torch was built with CUDA '"
        "+ torch.version.cuda + ' but no GPU is usable here')\n"
        "print('CUDA', torch.version.cuda, 'on', torch.cuda.get_device_name())",
    )


@nox.session
def tests(session: nox.Session) -> None:
    """The unit tests, on the CPU."""
    _install(session, "test", CPU_TORCH)
    session.run(_python(session), "-m", "pytest", "tests", "--ignore=tests/site", *session.posargs, env=_env())


@nox.session(name="tests-cuda")
def tests_cuda(session: nox.Session) -> None:
    """The unit tests with CUDA required: the device tests run on the GPU."""
    _install(session, "test", "torch")
    _require_cuda(session)
    env = {**_env(), "MNISTCNN_REQUIRE_CUDA": "1"}
    session.run(_python(session), "-m", "pytest", "tests", "--ignore=tests/site", *session.posargs, env=env)


def _docs(session: nox.Session, torch_spec: str, device: str) -> None:
    _install(session, "docs", torch_spec)
    if device == "cuda":
        _require_cuda(session)
    args = list(session.posargs)
    env = {
        **_env(),
        "MNISTCNN_CACHE": str(BUILD / "cache"),
        "MNISTCNN_DEVICE": device,
    }
    if "--clean" in args:
        args.remove("--clean")
        for folder in (BUILD, DOCS / "auto_examples", DOCS / "jupyter_execute"):
            shutil.rmtree(folder, ignore_errors=True)
    if "--force" in args:
        args.remove("--force")
        env["MNISTCNN_DOCS_FORCE"] = "1"
    execute = "--no-exec" not in args
    if not execute:
        args.remove("--no-exec")
        env["MNISTCNN_DOCS_EXEC"] = "0"
    if "--only" in args:
        i = args.index("--only")
        env["MNISTCNN_DOCS_ONLY"] = args[i + 1]
        del args[i : i + 2]
    session.run(
        _python(session),
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "-d",
        str(BUILD / "doctrees"),
        str(DOCS),
        str(BUILD / "html"),
        *args,
        env=env,
    )
    if execute and "MNISTCNN_DOCS_ONLY" not in env:
        session.run(
            _python(session),
            "-m",
            "pytest",
            "tests/site",
            "-p",
            "no:cacheprovider",
            env={**env, "MNISTCNN_EXPECT_DEVICE": device},
        )


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site on the CPU, executing every page, then check what it shows."""
    _docs(session, CPU_TORCH, "cpu")


@nox.session(name="docs-cuda")
def docs_cuda(session: nox.Session) -> None:
    """Build the site on a CUDA GPU; fails unless the pages really ran on it."""
    _docs(session, "torch", "cuda")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and format check."""
    if session.venv_backend != "none":
        session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def bench(session: nox.Session) -> None:
    """The textbook loop against the package's training path, on the real MNIST."""
    _install(session, "test", CPU_TORCH)
    session.run(_python(session), "-m", "mnistcnn.bench", "--json", "bench-results.json", *session.posargs, env=_env())


AXE_CORE = "4.14.1"  # axe-core, from npm


@nox.session
def browser(session: nox.Session) -> None:
    """Every page of the built site in headless Chromium: axe-core, requests, links, widths."""
    session.install("pytest>=8", "selenium>=4.27")
    axe = Path(session.virtualenv.location) / f"axe-core-{AXE_CORE}"
    axe_js = axe / "node_modules" / "axe-core" / "axe.min.js"
    if not axe_js.is_file():
        npm = ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(axe)]
        session.run_install(*npm, f"axe-core@{AXE_CORE}", external=True)
    session.run(
        "python",
        "-m",
        "pytest",
        "tests/browser",
        "--confcutdir=tests/browser",
        "-p",
        "no:cacheprovider",
        *session.posargs,
        env={"MNISTCNN_AXE_JS": str(axe_js), "MNISTCNN_BROWSER_REQUIRED": "1"},
    )
