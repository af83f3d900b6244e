"""The built site, read back: run ``nox -s docs`` (or point MNISTCNN_SITE at a build) first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..helpers import HTML


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
