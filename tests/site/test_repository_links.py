"""Colab and source links: on every question page where the repository is known, nowhere else.

The build that the other site tests read is one of the two cases, as its environment says.
The other case is built here too, into a temporary folder, without executing anything:
the links and the notebooks do not depend on the outputs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import repository
from bs4 import BeautifulSoup

import mnistcnn

from ..helpers import ROOT, downloaded

COLAB = "https://colab.research.google.com/"
EXAMPLE = {
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "owner/name",
    "GITHUB_REF_NAME": "main",
    "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
}


def _question_pages(html: Path) -> dict[Path, BeautifulSoup]:
    pages = sorted(html.glob("auto_examples/*/q[0-9][0-9]_*.html"))
    assert len(pages) == 33, f"{len(pages)} question pages in {html}"
    return {page: BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser") for page in pages}


def _first_cell(notebook: Path) -> str:
    """The first code cell: the one that installs the package (an exercise opens with a text cell)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "".join(next(cell for cell in cells if cell["cell_type"] == "code")["source"])


def check_links_to(html: Path, repo: repository.Repository) -> None:
    install = f'%pip install "{repository.pip_requirement(repo)}"'
    prefix = f"{COLAB}github/{repo.github_path}/blob/gh-pages/"
    for page, soup in _question_pages(html).items():
        colab = [a["href"] for a in soup.find_all("a", href=True) if a["href"].startswith(COLAB)]
        stem = page.stem
        assert [url.rsplit("/", 1)[-1] for url in colab] == [f"{stem}.ipynb", f"{stem}_exercise.ipynb"], page.name
        for url in colab:
            assert url.startswith(prefix), url
            published = html / url.removeprefix(prefix)
            assert published.is_file(), f"{url} names no notebook of the site"
            download = downloaded(soup, page.parent, published.name)
            assert published.read_bytes() == download.read_bytes(), f"{url} differs from the download"
            assert install in [line.strip() for line in _first_cell(published).splitlines()], url
        section = page.parent.name
        edit = soup.select_one("div.edit-this-page a")["href"]
        assert edit == f"{repo.url}/edit/{repo.branch}/examples/{section}/{stem}.py"
        view = soup.select_one("div.view-this-page a")["href"]
        assert view == f"{repo.url}/blob/{repo.branch}/examples/{section}/{stem}.py"
    getting_started = (html / "getting-started.html").read_text(encoding="utf-8")
    assert repository.pip_requirement(repo) in BeautifulSoup(getting_started, "html.parser").get_text()


def check_no_links(html: Path) -> None:
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert COLAB not in text, f"{page}: a Colab link without a repository"
        assert 'class="edit-this-page"' not in text, f"{page}: an edit link without a repository"
    assert not (html / repository.NOTEBOOKS).exists()
    for page, soup in _question_pages(html).items():
        for name in (f"{page.stem}.ipynb", f"{page.stem}_exercise.ipynb"):
            cell = _first_cell(downloaded(soup, page.parent, name))
            assert "git+" not in cell and "checkout" in cell, f"{name}: {cell}"
    assert "git+" not in (html / "getting-started.html").read_text(encoding="utf-8")


def _check(html: Path, repo: repository.Repository | None) -> None:
    if repo is None:
        check_no_links(html)
    else:
        check_links_to(html, repo)


def test_the_built_site_links_to_its_repository_exactly_when_the_build_knew_it(html_dir):
    _check(html_dir, repository.from_environment())


def test_a_build_with_the_other_setting_links_the_other_way(tmp_path):
    """Built here without executing anything; its notebooks are generated as in any build."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "MNISTCNN_"))}
    if repository.from_environment() is None:
        environ.update(EXAMPLE)
    environ.update(MNISTCNN_CACHE=str(tmp_path / "cache"))
    written_by_builds = ("_build", "auto_examples", "jupyter_execute", "generated", "sg_execution_times.rst")
    shutil.copytree(ROOT / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns(*written_by_builds))
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    # The drawing page shows LeNet's source from the package.
    shutil.copytree(ROOT / "mnistcnn", tmp_path / "mnistcnn", ignore=shutil.ignore_patterns("__pycache__"))
    sphinx = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-qb", "html", tmp_path / "docs", tmp_path / "html"]
    build = subprocess.run(
        [*sphinx, "-D", "plot_gallery=0", "-D", "nb_execution_mode=off"],
        env=environ,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    _check(tmp_path / "html", repository.from_environment(environ))


@pytest.mark.parametrize(
    ("environ", "url", "colab"),
    [
        ({}, None, None),
        (EXAMPLE, "https://github.com/owner/name", "owner/name"),
        ({"MNISTCNN_REPO_URL": "https://github.com/a/fork.git"}, "https://github.com/a/fork", "a/fork"),
        ({"MNISTCNN_REPO_URL": "https://git.example.org/x/y/"}, "https://git.example.org/x/y", None),
    ],
)
def test_the_address_comes_from_the_environment_only(environ, url, colab):
    repo = repository.from_environment(environ)
    assert (repo and repo.url) == url
    assert (repo and repo.github_path) == colab


def test_a_notebook_installs_the_commit_the_site_was_built_from():
    assert repository.pip_requirement(repository.from_environment(EXAMPLE)) == (
        "mnistcnn[plot] @ git+https://github.com/owner/name@0123456789abcdef0123456789abcdef01234567"
    )
    without_commit = {k: v for k, v in EXAMPLE.items() if k != "GITHUB_SHA"}
    assert repository.pip_requirement(repository.from_environment(without_commit)).endswith("/owner/name@main")


def test_a_release_build_installs_its_version_from_pypi_and_no_other():
    tag = f"v{mnistcnn.__version__}"
    release = repository.from_environment({**EXAMPLE, "MNISTCNN_RELEASE": tag})
    assert repository.pip_requirement(release) == f"mnistcnn[plot]=={mnistcnn.__version__}"
    with pytest.raises(ValueError, match="version"):
        repository.from_environment({**EXAMPLE, "MNISTCNN_RELEASE": tag + ".post1"})
