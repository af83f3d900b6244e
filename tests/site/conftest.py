"""The built site, read back: run ``nox -s docs`` (or point MNISTCNN_DOCS_BUILD at a build) first."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("MNISTCNN_DOCS_BUILD", ROOT / "docs" / "_build"))
HTML = BUILD / "html"
GALLERY = ROOT / "docs" / "auto_examples"
QUESTIONS = list(range(1, 34))


def downloaded(soup, page_dir: Path, name: str) -> Path:
    """The file behind the one download link of a page (in ``page_dir``) to ``name``."""
    links = [a["href"] for a in soup.select("a.download, a.reference.download") if a["href"].endswith(f"/{name}")]
    assert len(links) == 1, f"{len(links)} download links to {name}"
    return (page_dir / links[0]).resolve()


@pytest.fixture(scope="session")
def html_dir() -> Path:
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no built site in {HTML}: run `nox -s docs` first")
    return HTML


@pytest.fixture(scope="session")
def report(html_dir) -> dict[int, dict]:
    rows = json.loads((html_dir / "report.json").read_text(encoding="utf-8"))
    return {row["question"]: row for row in rows}


@pytest.fixture(scope="session")
def pages(report, html_dir) -> dict[int, str]:
    from bs4 import BeautifulSoup

    return {
        q: BeautifulSoup((html_dir / f"{row['page']}.html").read_text(encoding="utf-8"), "html.parser")
        for q, row in report.items()
    }
