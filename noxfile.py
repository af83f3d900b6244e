"""Maintainer tasks: ``nox -s docs`` builds and verifies the textbook, ``nox -s tests`` runs the unit tests.

CPU sessions pin ``torch==2.13.0``. The declared ranges are tested: ``tests-oldest`` runs
the unit tests with the oldest Python, torch, numpy, matplotlib and pytest that
``pyproject.toml`` declares, installed exactly; ``tests-latest`` with ``NEWEST_TORCH``, the
newest torch the README's tested range states, and the newest numpy, on the newest Python.
``notebooks`` runs the solution notebooks of a built site in a fresh environment holding
only what a student installs, with the oldest declared torch and with ``NEWEST_TORCH``.
Besides the package, sessions install a dependency group of ``pyproject.toml`` (``test``,
``docs``, ``lint``). The CUDA sessions (``tests-cuda``, ``docs-cuda``) install
``NEWEST_TORCH`` from PyPI (a CUDA build on Linux) and refuse to run unless CUDA is
really usable. On a GPU machine without network whose interpreter already has CUDA
torch and the project's dependencies, run them in that interpreter:

    nox --no-venv -s tests-cuda docs-cuda

Options of the docs sessions, after ``--``: ``--clean`` (start from nothing),
``--force`` (rerun every example), ``--no-exec`` (prose only: run nothing, skip the
site checks), ``--only q05`` (run only the matching examples, skip the site checks).
Each is written as sphinx-gallery's or myst-nb's own ``-D`` override (see
``docs/conf.py``); any other argument goes to Sphinx as it is. ``docs-live`` takes them
too, and rebuilds the site whenever a page, the docs or the package change.

MNIST comes from ``MNISTCNN_DATA`` when it is set, else it is downloaded (see
``mnistcnn.data``). The docs sessions check it once, before Sphinx starts.

``nox -s browser``, after ``nox -s docs``, opens every page of the built site in
Debian's headless Chromium (``apt-get install chromium chromium-driver``) and checks it
with axe-core, fetched from npm at a pinned version; it runs the *Draw a digit* page's
JavaScript LeNet against PyTorch, and draws test digits on its pad.
"""

from __future__ import annotations

import itertools
import re
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path

import nox

ROOT = Path(__file__).parent
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
CPU_TORCH = "torch==2.13.0"
# The newest torch the README's tested range states. Raised in a commit of its own, after
# tests-latest, notebooks(newest-torch) and docs-latest passed with the next one (the weekly
# workflow, run on that branch): a release runs what was tested.
NEWEST_TORCH = "torch==2.14.1"
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
PROJECT = PYPROJECT["project"]
NEWEST_PYTHON = "3.13"

nox.needs_version = ">=2025.2.9"  # nox.project.dependency_groups


def _floors() -> dict[str, str]:
    """The oldest version that ``pyproject.toml`` declares of each dependency a student installs
    (the package's, and its ``plot`` and ``check`` extras') and of pytest (the ``test`` group's).

    The tools that test the docs build (sphinx-gallery, nbformat) come at the newest version
    that fits: they are not what a student's code runs on.
    """
    optional = PROJECT["optional-dependencies"]
    pytest = [spec for spec in PYPROJECT["dependency-groups"]["test"] if spec.startswith("pytest>=")]
    specs = [*PROJECT["dependencies"], *optional["plot"], *optional["check"], *pytest]
    floor = re.compile(r"([A-Za-z0-9_.-]+)>=([0-9.]+)")
    return dict(floor.fullmatch(spec.split(";")[0].strip()).groups() for spec in specs)


OLDEST_PYTHON = re.fullmatch(r">=(3\.[0-9]+)", PROJECT["requires-python"]).group(1)
OLDEST_TORCH = f"torch=={_floors()['torch']}"
# Files the docs build writes into the source tree: docs-live must not rebuild when they change.
BUILD_OUTPUTS = (
    "docs/_build",
    "docs/auto_examples",
    "docs/generated",
    "docs/jupyter_execute",
    "docs/sg_execution_times.rst*",  # and its temporary .new
)

nox.options.sessions = ["tests", "docs"]
nox.options.reuse_venv = "yes"


def _group(name: str) -> tuple[str, ...]:
    """The requirements of a dependency group of ``pyproject.toml``: test, docs or lint."""
    return nox.project.dependency_groups(PYPROJECT, name)


def _install(session: nox.Session, group: str, torch_spec: str) -> None:
    if session.venv_backend == "none":
        session.log("Using the current interpreter as it is (--no-venv): nothing is installed.")
        return
    session.install(torch_spec)
    session.install("-e", ".", *_group(group))


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


def _versions(session: nox.Session) -> None:
    session.run(
        "python",
        "-c",
        "import sys, numpy, torch; print('Python', sys.version.split()[0], "
        "'· torch', torch.__version__, '· numpy', numpy.__version__)",
    )


@nox.session
def tests(session: nox.Session) -> None:
    """The unit tests, on the CPU."""
    _install(session, "test", CPU_TORCH)
    session.run(_python(session), "-m", "pytest", *session.posargs)


@nox.session(name="tests-oldest", python=OLDEST_PYTHON)
def tests_oldest(session: nox.Session) -> None:
    """The unit tests with the oldest Python and dependencies that pyproject.toml declares, exactly."""
    session.install("-e", ".", *_group("test"), *(f"{name}=={version}" for name, version in _floors().items()))
    _versions(session)
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(name="tests-latest", python=NEWEST_PYTHON)
def tests_latest(session: nox.Session) -> None:
    """The unit tests with the newest torch tested (NEWEST_TORCH) and numpy, on the newest Python."""
    session.install("--upgrade", "-e", ".", *_group("test"), NEWEST_TORCH, "numpy")
    _versions(session)
    session.run("python", "-m", "pytest", *session.posargs)


def _solution_notebooks() -> list[Path]:
    """The site's downloadable solution notebooks, one per page, in page order."""
    found = {p.name: p for p in (BUILD / "html" / "_downloads").rglob("q[0-9][0-9]_*.ipynb")}
    return [found[name] for name in sorted(found) if not name.endswith("_exercise.ipynb")]


@nox.session
@nox.parametrize(
    "python,torch",
    [(OLDEST_PYTHON, OLDEST_TORCH), (NEWEST_PYTHON, NEWEST_TORCH)],
    ids=["oldest-torch", "newest-torch"],
)
def notebooks(session: nox.Session, torch: str) -> None:
    """Grade every downloaded solution notebook of the built site, with only what a student installs.

    The virtual environment holds mnistcnn with its ``plot`` and ``check`` extras and torch
    (IPython runs a notebook's cells): no docs toolchain. ``python -m mnistcnn check``
    runs each notebook top to bottom in a fresh process, then its checks, as a student checks
    an answer; every one must pass. The notebooks share one new cache folder, in page order,
    so that Q31 and Q33 load the networks Q30 and Q32 trained with this torch; the build's
    cache is not used, since its networks were trained by the build's torch. On the newest
    torch, a DeprecationWarning, FutureWarning or UserWarning fails its notebook.
    """
    session.install(torch, ".[plot,check]")
    session.run(
        "python",
        "-c",
        "import importlib.util, sys; sys.exit('sphinx is installed: not a student environment' "
        "if importlib.util.find_spec('sphinx') else 0)",
    )
    _versions(session)
    pages = _solution_notebooks()
    if len(pages) != 33:
        session.error(f"expected the 33 solution notebooks of a built site, found {len(pages)}: run `nox -s docs`")
    folder = Path(session.create_tmp()) / "notebooks"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for page in pages:
        shutil.copy(page, folder)
    env = {"MNISTCNN_CACHE": str(folder / ".cache")}
    strict = ["--warnings-are-errors"] if torch == NEWEST_TORCH else []
    session.run("python", "-m", "mnistcnn", "check", "--timeout", "900", *strict, str(folder), env=env)


@nox.session
def mutants(session: nox.Session) -> None:
    """Plausible single mistakes in every answer, each graded as a student's exercise notebook: all caught."""
    _install(session, "test", CPU_TORCH)
    session.run(_python(session), "-m", "pytest", "tests/mutation", "-p", "no:cacheprovider", *session.posargs)


@nox.session(name="tests-cuda")
def tests_cuda(session: nox.Session) -> None:
    """The unit tests with CUDA required: the device tests run on the GPU."""
    _install(session, "test", NEWEST_TORCH)
    _require_cuda(session)
    env = {"MNISTCNN_REQUIRE_CUDA": "1"}
    # One pytest worker per core (pytest-xdist); each worker's torch takes its share of the
    # cores (tests/conftest.py).
    parallel = ["-n", "auto", "-vv"]  # -vv: a failed assertion's message whole in the short summary too
    session.run(_python(session), "-m", "pytest", "tests", "--ignore=tests/site", *parallel, *session.posargs, env=env)


# Sphinx's and the extensions' own settings for running nothing: no example, no notebook cell.
NO_EXEC = ["-D", "plot_gallery=0", "-D", "nb_execution_mode=off"]


def _sphinx_args(session: nox.Session) -> list[str]:
    """The session's arguments for Sphinx, its options (see the module docstring) written as
    sphinx-gallery's and myst-nb's ``-D`` overrides; ``--clean`` deletes the last build."""
    args = list(session.posargs)
    if "--clean" in args:
        args.remove("--clean")
        for folder in (BUILD, DOCS / "auto_examples", DOCS / "jupyter_execute"):
            shutil.rmtree(folder, ignore_errors=True)
    if "--force" in args:
        args.remove("--force")
        args += ["-D", "sphinx_gallery_conf.run_stale_examples=1"]
    if "--no-exec" in args:
        args.remove("--no-exec")
        args += NO_EXEC
    if "--only" in args:
        i = args.index("--only")
        pattern = rf"/[^/]*{args[i + 1]}[^/]*\.py$"
        del args[i : i + 2]
        args += ["-D", f"sphinx_gallery_conf.filename_pattern={pattern}"]
    return args


def _overrides(args: list[str]) -> list[str]:
    """The ``name=value`` of every ``-D`` in Sphinx's arguments."""
    return [value for flag, value in itertools.pairwise(args) if flag == "-D"] + [
        arg[2:] for arg in args if arg.startswith("-D") and len(arg) > 2
    ]


def _executes_anything(args: list[str]) -> bool:
    return "plot_gallery=0" not in _overrides(args)


def _executes_every_page(args: list[str]) -> bool:
    """Whether the build runs every page: the site checks need all of them."""
    overrides = _overrides(args)
    return (
        _executes_anything(args)
        and "nb_execution_mode=off" not in overrides
        and not any(o.startswith("sphinx_gallery_conf.filename_pattern=") for o in overrides)
    )


def _sphinx(session: nox.Session, builder: str, args: list[str], env: dict[str, str], *, program="sphinx", options=()):
    """Sphinx (or ``program``, such as sphinx-autobuild, with its ``options``) on docs/ with ``builder``,
    into ``docs/_build/<builder>``: the one Sphinx command of every docs session."""
    doctrees = BUILD / ("doctrees" if builder == "html" else f"doctrees-{builder}")
    session.run(
        _python(session),
        "-m",
        program,
        *options,
        "-b",
        builder,
        "-d",
        str(doctrees),
        str(DOCS),
        str(BUILD / builder),
        *args,
        env=env,
    )


def _build_env(device: str) -> dict[str, str]:
    """The environment of the docs build: its own cache (the pages' trained networks), and the device."""
    return {"MNISTCNN_CACHE": str(BUILD / "cache"), "MNISTCNN_DEVICE": device}


def _check_data(session: nox.Session, args: list[str], env: dict[str, str]) -> None:
    """Fail at once, with one message, when MNIST is neither here nor downloadable."""
    if _executes_anything(args):
        session.run(_python(session), "-m", "mnistcnn", "fetch", env=env)


def _docs(session: nox.Session, torch_spec: str, device: str) -> None:
    _install(session, "docs", torch_spec)
    if device == "cuda":
        _require_cuda(session)
    args = _sphinx_args(session)
    env = _build_env(device)
    _check_data(session, args, env)
    _sphinx(session, "html", args, env, options=("-W", "--keep-going"))
    if _executes_every_page(args):
        session.run(
            _python(session),
            "-m",
            "pytest",
            "tests/site",
            "-p",
            "no:cacheprovider",
            env={**env, "MNISTCNN_EXPECT_DEVICE": device},
        )
    else:
        session.log("Not every page ran: the checks of the built site (tests/site) are skipped.")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site on the CPU, executing every page, then check what it shows."""
    _docs(session, CPU_TORCH, "cpu")


@nox.session(name="docs-cuda")
def docs_cuda(session: nox.Session) -> None:
    """Build the site on a CUDA GPU; fails unless the pages really ran on it."""
    _docs(session, NEWEST_TORCH, "cuda")


@nox.session(name="docs-latest")
def docs_latest(session: nox.Session) -> None:
    """Build and check the site on the CPU with the newest torch tested (NEWEST_TORCH)."""
    if session.venv_backend != "none":
        session.install(NEWEST_TORCH, "--index-url", "https://download.pytorch.org/whl/cpu")
    _docs(session, NEWEST_TORCH, "cpu")


@nox.session(name="docs-live")
def docs_live(session: nox.Session) -> None:
    """Serve the site and rebuild it when a page, the docs or the package change (sphinx-autobuild)."""
    _install(session, "docs", CPU_TORCH)
    if session.venv_backend != "none":
        session.install("sphinx-autobuild>=2024.10")
    args = _sphinx_args(session)
    env = _build_env("cpu")
    _check_data(session, args, env)
    ignored = [arg for path in BUILD_OUTPUTS for arg in ("--ignore", str(ROOT / path))]
    watched = ["--watch", str(ROOT / "examples"), "--watch", str(ROOT / "mnistcnn")]
    options = [*watched, *ignored, "--re-ignore", r"(__pycache__|\.ipynb_checkpoints)"]
    _sphinx(session, "html", args, env, program="sphinx_autobuild", options=options)


@nox.session
def linkcheck(session: nox.Session) -> None:
    """Check every external link of the site (nothing is executed)."""
    _install(session, "docs", CPU_TORCH)
    _sphinx(session, "linkcheck", [*NO_EXEC, *session.posargs], _build_env("cpu"))


@nox.session
def mirrors(session: nox.Session) -> None:
    """Download MNIST from every mirror and check each file's MD5."""
    _install(session, "test", CPU_TORCH)
    session.run(_python(session), "-m", "mnistcnn", "fetch", "--check-mirrors")


@nox.session
def package(session: nox.Session) -> None:
    """Build the sdist and the wheel into dist/, check them with twine and check-wheel-contents, and
    check that both hold the licence and the sdist no tests (they need a checkout around them)."""
    if session.venv_backend != "none":
        session.install("build>=1.2", "twine>=6.1", "check-wheel-contents>=0.6")
    dist = ROOT / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    python = _python(session)
    session.run(python, "-m", "build", "--outdir", str(dist), str(ROOT))
    session.run(python, "-m", "twine", "check", "--strict", *(str(p) for p in sorted(dist.iterdir())))
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    session.run(python, "-m", "check_wheel_contents", str(wheel))
    with zipfile.ZipFile(wheel) as archive:
        if not any(name.endswith(".dist-info/licenses/LICENSE") for name in archive.namelist()):
            session.error(f"{wheel.name} has no LICENSE")
    with tarfile.open(sdist) as archive:
        files = [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]
    if "LICENSE" not in files:
        session.error(f"{sdist.name} has no LICENSE")
    if tests := [name for name in files if name.startswith("tests")]:
        session.error(f"{sdist.name} ships tests that cannot run outside a checkout: {tests}")
    session.log(f"{wheel.name} and {sdist.name}: both with LICENSE, the sdist without tests")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format check); actionlint and zizmor on the GitHub workflows."""
    if session.venv_backend != "none":
        session.install(*_group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    session.run("actionlint", *workflows)
    session.run("zizmor", "--offline", *workflows)


@nox.session
def bench(session: nox.Session) -> None:
    """The textbook loop against the package's training path, on the real MNIST."""
    _install(session, "test", CPU_TORCH)
    session.run(_python(session), "-m", "mnistcnn.bench", "--json", "bench-results.json", *session.posargs)


AXE_CORE = "4.14.1"  # axe-core, from npm


@nox.session
def browser(session: nox.Session) -> None:
    """Every page of the built site in headless Chromium: axe-core, requests, links, widths; the
    *Draw a digit* page's JavaScript LeNet against PyTorch (CPU torch and mnistcnn installed)."""
    _install(session, "test", CPU_TORCH)
    if session.venv_backend != "none":
        session.install("selenium>=4.27")
    # Beside the sessions' environments, not in one: with --no-venv there is none to put it in.
    axe = ROOT / ".nox" / f"axe-core-{AXE_CORE}"
    axe_js = axe / "node_modules" / "axe-core" / "axe.min.js"
    if not axe_js.is_file():
        npm = ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(axe)]
        session.run_install(*npm, f"axe-core@{AXE_CORE}", external=True)
    session.run(
        _python(session),
        "-m",
        "pytest",
        "tests/browser",
        "--confcutdir=tests/browser",
        "-p",
        "no:cacheprovider",
        *session.posargs,
        env={"MNISTCNN_AXE_JS": str(axe_js), "MNISTCNN_BROWSER_REQUIRED": "1"},
    )
