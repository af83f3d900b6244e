"""Links from the site to the repository it is built from: Colab, sources, installation.

The repository's address comes from the build environment, never from a file: GitHub
Actions sets ``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY``, ``GITHUB_REF_NAME`` and
``GITHUB_SHA``; ``MNISTCNN_REPO_URL`` overrides the first two. Where the address is
unknown, as in a local build, the site has no such links and its notebooks say how to
install the package from a checkout.

What a notebook installs matches the site exactly. ``MNISTCNN_RELEASE`` names the
version on PyPI that the build's sources are: the CI workflow sets it, to the tag, when it
builds a version tag (``v1.0.0``), and the build stops unless it equals the package's
version. Such a site installs ``mnistcnn==1.0.0``; any other installs the package from the
repository at the commit it was built from (``GITHUB_SHA``), else at its branch.

Where it is known, every question page gets "Open in Colab" links for its solution and
its exercise notebook. They point at copies of the downloaded notebooks that the build
puts under ``notebooks/`` in the site, the path at which the deploy workflow publishes
them on the ``gh-pages`` branch; the "view/edit this page" links of a page lead to the
file it is made from.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import NamedTuple

from gallery import is_question_page

import mnistcnn

GALLERY = "auto_examples"
NOTEBOOKS = "notebooks"
PAGES_BRANCH = "gh-pages"


class Repository(NamedTuple):
    url: str  # https://github.com/owner/name
    branch: str  # the branch (or tag) the site is built from
    commit: str | None = None  # the commit the site is built from
    release: str | None = None  # the version on PyPI that the site's sources are

    @property
    def github_path(self) -> str | None:
        """``owner/name`` on github.com, the only host Colab opens notebooks from; else None."""
        match = re.fullmatch(r"https://github\.com/([^/]+/[^/]+)", self.url)
        return match.group(1) if match else None


def from_environment(environ=os.environ) -> Repository | None:
    """The repository this build comes from, or None where the environment does not say."""
    url = environ.get("MNISTCNN_REPO_URL", "").strip()
    if not url and environ.get("GITHUB_REPOSITORY"):
        url = environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/") + "/" + environ["GITHUB_REPOSITORY"]
    if not url:
        return None
    url = url.rstrip("/").removesuffix(".git")
    # In a pull request GITHUB_REF_NAME is "<number>/merge"; GITHUB_HEAD_REF is its branch.
    branch = environ.get("GITHUB_HEAD_REF") or environ.get("GITHUB_REF_NAME") or "main"
    return Repository(url, branch, environ.get("GITHUB_SHA") or None, _release(environ))


def _release(environ) -> str | None:
    """The released version the build's sources are (``MNISTCNN_RELEASE``, ``v1.0.0``), or None."""
    tag = environ.get("MNISTCNN_RELEASE", "").strip()
    if not tag:
        return None
    if tag.removeprefix("v") != mnistcnn.__version__:
        raise ValueError(f"MNISTCNN_RELEASE is {tag}, but the package's version is {mnistcnn.__version__}")
    return mnistcnn.__version__


def pip_requirement(repository: Repository) -> str:
    """What pip installs: the package with Matplotlib, at the release or the commit the site is built from."""
    if repository.release:
        return f"mnistcnn[plot]=={repository.release}"
    return f"mnistcnn[plot] @ git+{repository.url}@{repository.commit or repository.branch}"


INSTALL_FAILED = "mnistcnn could not be installed: pip says why above. Fix that, then run this cell again."


def first_notebook_cell(repository: Repository | None) -> str:
    """The first cell of every notebook of the site (sphinx-gallery's ``first_notebook_cell``)."""
    data = (
        "# MNIST is downloaded on first use into ~/.cache/mnistcnn/mnist; to use a folder that\n"
        "# already holds the four files, run\n"
        "#     import os; os.environ['MNISTCNN_DATA'] = '/path/to/mnist'\n"
        "# before the first cell that loads data.\n"
    )
    if repository is None:
        return (
            "# This notebook is a page of the mnistcnn textbook. It needs the mnistcnn package,\n"
            "# installed from a checkout of the project with its plotting extra, from a terminal:\n"
            '#     pip install "/path/to/the/checkout[plot]"\n'
            "# which brings torch, numpy and matplotlib.\n" + data + "%matplotlib inline"
        )
    source = "from PyPI" if repository.release else "from its repository, at the commit of this page,"
    return (
        "# This notebook is a page of the mnistcnn textbook. Where the mnistcnn package is not\n"
        f"# installed yet, as in Colab, the lines below install it {source}\n"
        "# with matplotlib; a torch already installed is kept.\n"
        + data
        + "import importlib\n"
        + "try:\n    import mnistcnn\nexcept ImportError:\n"
        + f'    %pip install "{pip_requirement(repository)}"\n'
        # %pip reports a failure but raises nothing: importing again stops here instead.
        + "    importlib.invalidate_caches()\n"
        + "    try:\n        import mnistcnn\n    except ImportError:\n"
        + f"        raise RuntimeError({INSTALL_FAILED!r}) from None\n"
        + "%matplotlib inline"
    )


def colab_url(repository: Repository, notebook: str) -> str | None:
    """The Colab address of ``notebook``, a path in the published site; None off github.com."""
    if repository.github_path is None:
        return None
    return f"https://colab.research.google.com/github/{repository.github_path}/blob/{PAGES_BRANCH}/{notebook}"


def _published_notebook(docname: str, suffix: str = "") -> str:
    """Where the site publishes the notebook of a gallery page: notebooks/<section>/<page>.ipynb."""
    return f"{NOTEBOOKS}/{docname.removeprefix(GALLERY + '/')}{suffix}.ipynb"


def _is_question(docname: str) -> bool:
    return docname.startswith(GALLERY + "/") and is_question_page(docname)


def add_colab_links(app, docname, source) -> None:
    """source-read: "Open in Colab" links for the solution and the exercise, before the downloads."""
    repository = from_environment()
    if repository is None or repository.github_path is None or not _is_question(docname):
        return
    links = "".join(
        f"\n    .. container:: sphx-glr-download sphx-glr-download-colab\n\n"
        f"      `Open the {kind} in Colab <{colab_url(repository, _published_notebook(docname, suffix))}>`__\n"
        for kind, suffix in (("solution", ""), ("exercise", "_exercise"))
    )
    footer = "  .. container:: sphx-glr-footer sphx-glr-footer-example\n"
    if footer not in source[0]:
        raise ValueError(f"{docname}: sphinx-gallery's download footer was not found; the Colab links need it")
    source[0] = source[0].replace(footer, footer + links, 1)


def _page_source(srcdir: Path, pagename: str) -> str | None:
    """The file of the repository that a page is made from, or None for a generated page."""
    if not pagename.startswith(GALLERY + "/"):
        return None  # furo's own source_directory rule applies
    rest = pagename.removeprefix(GALLERY + "/")
    examples = srcdir.parent / "examples"
    if (examples / f"{rest}.py").is_file():
        return f"examples/{rest}.py"
    readme = examples / rest.removesuffix("index") / "README.rst"
    if rest.endswith("index") and readme.is_file():
        return readme.relative_to(srcdir.parent).as_posix()
    return ""


def link_page_sources(app, pagename, templatename, context, doctree) -> None:
    """html-page-context: "view/edit this page" of a gallery page leads to its example, not to generated rST."""
    repository = from_environment()
    source = _page_source(Path(app.srcdir), pagename)
    if repository is None or source is None:
        return
    if not source:
        context["page_source_suffix"] = ""  # a page the build writes: nothing to view or edit
        return
    context["theme_source_view_link"] = f"{repository.url}/blob/{repository.branch}/{source}"
    context["theme_source_edit_link"] = f"{repository.url}/edit/{repository.branch}/{source}"


def publish_notebooks(app, exception) -> None:
    """build-finished: copy every question's notebooks to the path their Colab links name."""
    repository = from_environment()
    if exception is not None or app.builder.format != "html" or repository is None or repository.github_path is None:
        return
    for docname in sorted(app.env.found_docs):
        if not _is_question(docname):
            continue
        for suffix in ("", "_exercise"):
            notebook = Path(app.srcdir, docname + suffix + ".ipynb")
            target = Path(app.outdir, _published_notebook(docname, suffix))
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(notebook, target)


def furo_options(repository: Repository | None) -> dict[str, str]:
    """furo's "view/edit this page" links, only where the address is known."""
    if repository is None:
        return {}
    return {
        "source_repository": repository.url + "/",
        "source_branch": repository.branch,
        "source_directory": "docs/",
        # Spelled out rather than left to furo, which knows only a few hosts by name.
        "source_view_link": f"{repository.url}/blob/{repository.branch}/docs/{{filename}}",
        "source_edit_link": f"{repository.url}/edit/{repository.branch}/docs/{{filename}}",
    }
