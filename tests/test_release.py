"""What a release rests on: the GitHub workflows run what they claim on what it needs, and a
notebook's first cell installs the package or stops with a message.

The workflows are read as YAML; nox itself says which Python each session they run needs; the
release's shell checks run here, with the environment GitHub would give them.
"""

from __future__ import annotations

import json
import os
import re
import runpy
import shlex
import subprocess
import sys

import nox.project
import pytest
import repository
import yaml
from IPython.core.inputtransformer2 import TransformerManager

from .helpers import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
PROJECT = PYPROJECT["project"]
NOXFILE = runpy.run_path(str(ROOT / "noxfile.py"))
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def _workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def _jobs() -> list[tuple[str, str, dict]]:
    return [
        (path.name, name, job)
        for path in sorted(WORKFLOWS.glob("*.yml"))
        for name, job in _workflow(path.name)["jobs"].items()
    ]


def _sessions(job: dict) -> list[str]:
    """The nox sessions a job's steps run: every ``nox -s NAME...``."""
    found = []
    for step in job["steps"]:
        for line in step.get("run", "").splitlines():
            words = shlex.split(line)
            if words[:1] != ["nox"] or "-s" not in words:
                continue
            for word in words[words.index("-s") + 1 :]:
                if word.startswith("-"):
                    break
                found.append(word)
    return found


def _pythons(job: dict) -> list[str]:
    """The versions the job's setup-python step installs; the last is the default, which runs nox."""
    setups = [step for step in job["steps"] if step.get("uses", "").startswith("actions/setup-python@")]
    return [v for step in setups for v in str(step["with"]["python-version"]).split()]


def _nox_pythons(sessions: list[str]) -> dict[str, str | None]:
    """Each session's Python as the noxfile declares it (None: the interpreter that runs nox)."""
    listed = subprocess.run(
        [sys.executable, "-m", "nox", "--list", "--json", "-f", str(ROOT / "noxfile.py"), "-s", *sessions],
        capture_output=True,
        text=True,
        check=True,
    )
    return {entry["session"]: entry["python"] for entry in json.loads(listed.stdout)}


@pytest.mark.parametrize(("workflow", "name", "job"), _jobs(), ids=[f"{w}:{n}" for w, n, _ in _jobs()])
def test_every_job_has_a_time_limit(workflow, name, job):
    assert isinstance(job.get("timeout-minutes"), int), f"{workflow}: job {name} has no timeout-minutes"


NOX_JOBS = [(w, n, job) for w, n, job in _jobs() if _sessions(job)]


@pytest.mark.parametrize(("workflow", "name", "job"), NOX_JOBS, ids=[f"{w}:{n}" for w, n, _ in NOX_JOBS])
def test_every_python_a_jobs_nox_sessions_need_is_set_up_in_that_job(workflow, name, job):
    pythons = _pythons(job)
    assert pythons, f"{workflow}: job {name} runs nox without setting up Python"
    needed = _nox_pythons(_sessions(job))
    assert set(needed) == set(_sessions(job)), f"nox does not know all of {_sessions(job)}"
    missing = {session: python for session, python in needed.items() if python and python not in pythons}
    assert not missing, f"{workflow}: job {name} sets up {pythons}, its sessions need {missing}"


def test_the_weekly_newest_torch_job_sets_up_the_newest_python():
    """The job that failed every week: tests-latest needs 3.13, the job had 3.11 only."""
    job = _workflow("weekly.yml")["jobs"]["newest-torch"]
    assert "tests-latest" in _sessions(job)
    assert _nox_pythons(["tests-latest"])["tests-latest"] in _pythons(job)


def test_cpu_jobs_install_torch_from_pytorchs_cpu_index_and_the_gpu_job_does_not():
    for path in sorted(WORKFLOWS.glob("*.yml")):
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, job in workflow["jobs"].items():
            index = {**workflow.get("env", {}), **job.get("env", {})}.get("PIP_EXTRA_INDEX_URL")
            if job["runs-on"] == "ubuntu-latest":
                assert index == CPU_INDEX, f"{path.name}: job {name} would download PyPI's CUDA torch"
            else:
                assert index is None, f"{path.name}: job {name} has a GPU, and needs CUDA torch"


def test_ci_grades_the_notebooks_and_opens_the_site_before_deploying_it():
    jobs = _workflow("ci.yml")["jobs"]
    assert {"notebooks(newest-torch)", "notebooks(oldest-torch)"} <= set(_sessions(jobs["notebooks"]))
    assert "browser" in _sessions(jobs["browser"])
    assert "tests-oldest" in _sessions(jobs["tests-oldest"])
    assert {"lint", "tests", "tests-oldest", "docs", "notebooks", "browser"} <= set(jobs["deploy"]["needs"])


def test_the_release_publishes_only_after_the_tests_pass():
    jobs = _workflow("release.yml")["jobs"]
    assert {"lint", "tests"} <= set(_sessions(jobs["tests"]))
    assert jobs["build"]["needs"] == "tests"
    assert {"tests", "build"} <= set(jobs["publish"]["needs"])
    assert jobs["publish"]["environment"]["name"] == "pypi"


def test_only_what_a_user_adds_is_published_as_an_extra():
    assert set(PROJECT["optional-dependencies"]) == {"plot", "check"}
    assert {"test", "docs", "lint"} <= set(PYPROJECT["dependency-groups"])


def test_the_lint_tools_are_pinned_exactly():
    assert all("==" in spec for spec in PYPROJECT["dependency-groups"]["lint"])


def test_the_newest_torch_sessions_install_the_newest_torch_the_readme_states():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    newest = re.search(r"torch (\d+\.\d+\.\d+)–(\d+\.\d+\.\d+)", readme).group(2)
    assert NOXFILE["NEWEST_TORCH"] == f"torch=={newest}"


def test_every_workflow_installs_a_nox_that_the_noxfile_accepts():
    installs = [
        line.strip()
        for path in sorted(WORKFLOWS.glob("*.yml"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if "pip install" in line and "nox" in line
    ]
    assert installs
    needs = NOXFILE["nox"].needs_version
    assert all(f'"nox{needs}"' in line for line in installs), installs


def test_every_ci_job_that_reads_mnist_has_it_from_the_cache():
    """The browser job downloaded MNIST from the mirrors on every run."""
    for name, job in _workflow("ci.yml")["jobs"].items():
        if not set(_sessions(job)) - {"lint"}:
            continue
        caches = [s for s in job["steps"] if s.get("uses", "").startswith("actions/cache@")]
        assert [c["with"]["path"] for c in caches] == ["${{ runner.temp }}/mnist"], f"job {name}"


class _Session:
    def __init__(self, *posargs):
        self.posargs = list(posargs)


def test_the_docs_options_are_sphinx_gallery_and_myst_nb_settings():
    only = NOXFILE["_sphinx_args"](_Session("--only", "q05"))
    pattern = only[only.index("-D") + 1].removeprefix("sphinx_gallery_conf.filename_pattern=")
    pages = sorted(str(p) for p in (ROOT / "examples").rglob("q*.py"))
    assert [p for p in pages if re.search(pattern, p)] == [str(next((ROOT / "examples").rglob("q05_*.py")))]
    assert not NOXFILE["_executes_every_page"](only)

    no_exec = NOXFILE["_sphinx_args"](_Session("--no-exec", "-q"))
    assert no_exec == ["-q", "-D", "plot_gallery=0", "-D", "nb_execution_mode=off"]
    assert not NOXFILE["_executes_anything"](no_exec)

    force = NOXFILE["_sphinx_args"](_Session("--force"))
    assert force == ["-D", "sphinx_gallery_conf.run_stale_examples=1"]
    assert NOXFILE["_executes_every_page"](force)


def _release_check(title: str, environ: dict[str, str]) -> subprocess.CompletedProcess:
    """Runs the build job's step of that title in bash, from the repository root, as GitHub would."""
    step = next(s for s in _workflow("release.yml")["jobs"]["build"]["steps"] if s.get("name") == title)
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=ROOT, env={**os.environ, **environ}, capture_output=True, text=True
    )


def test_the_release_refuses_a_tag_other_than_the_version():
    title = "The tag names the version in pyproject.toml"
    assert _release_check(title, {"TAG": f"v{PROJECT['version']}"}).returncode == 0
    for tag in (PROJECT["version"], f"v{PROJECT['version']}.1", "v0.0.1"):
        refused = _release_check(title, {"TAG": tag})
        assert refused.returncode == 1, tag
        assert f"pyproject.toml's version is {PROJECT['version']}" in refused.stdout


def test_the_release_refuses_a_repository_other_than_the_one_the_metadata_names():
    title = "The package's Source address in pyproject.toml is this repository"
    assert _release_check(title, {"REPOSITORY_URL": PROJECT["urls"]["Source"]}).returncode == 0
    assert _release_check(title, {"REPOSITORY_URL": PROJECT["urls"]["Source"] + "-fork"}).returncode == 1


def test_the_readme_links_only_to_absolute_addresses_of_the_repository():
    """PyPI shows the README without the repository around it: a relative link leads nowhere."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)
    assert targets
    assert all(re.match(r"https?://", target) for target in targets), targets
    source = PROJECT["urls"]["Source"]
    assert any(target.startswith(f"{source}/") for target in targets)
    assert "pip install mnistcnn" in readme


class _Notebook:
    """Runs a first cell as IPython would, with a ``%pip`` that does what the test says."""

    def __init__(self, install):
        self.install = install
        self.magics: list[tuple[str, str]] = []

    def run_line_magic(self, name, line, _stack_depth=1):
        self.magics.append((name, line))
        if name == "pip":
            self.install()

    def run(self, cell: str) -> None:
        code = TransformerManager().transform_cell(cell)
        exec(compile(code, "<first cell>", "exec"), {"get_ipython": lambda: self})


RELEASE = repository.Repository("https://github.com/owner/name", "v1.0.0", "0" * 40, PROJECT["version"])


def test_the_first_cell_installs_nothing_where_mnistcnn_is_installed():
    notebook = _Notebook(install=lambda: pytest.fail("pip ran"))
    notebook.run(repository.first_notebook_cell(RELEASE))
    assert [name for name, _ in notebook.magics] == ["matplotlib"]


def test_the_first_cell_installs_the_release_and_imports_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "mnistcnn", None)  # not installed: importing it fails
    notebook = _Notebook(install=lambda: monkeypatch.delitem(sys.modules, "mnistcnn"))
    notebook.run(repository.first_notebook_cell(RELEASE))
    assert notebook.magics[0] == ("pip", f'install "mnistcnn[plot]=={PROJECT["version"]}"')


def test_the_first_cell_stops_with_a_message_when_pip_fails(monkeypatch):
    monkeypatch.setitem(sys.modules, "mnistcnn", None)
    notebook = _Notebook(install=lambda: None)  # %pip prints its error and raises nothing
    with pytest.raises(RuntimeError, match="mnistcnn could not be installed: pip says why above"):
        notebook.run(repository.first_notebook_cell(RELEASE))
    assert [name for name, _ in notebook.magics] == ["pip"]


def test_the_package_says_the_version_that_pyproject_declares():
    """A release build checks its tag against pyproject.toml and pins notebooks to ``mnistcnn.__version__``."""
    import mnistcnn

    assert mnistcnn.__version__ == PROJECT["version"]
