"""``report.json`` and the *Build report* page: whether each page ran, how long, where, its key numbers.

The key numbers are read back from each page's printed output (see :mod:`key_numbers`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import key_numbers
import provenance
from gallery import Page, pages, write_if_changed

REPORT_NAME = "report.json"
# A block of printed output in a page sphinx-gallery generated (gen_rst.CODE_OUTPUT).
OUTPUT_BLOCK = re.compile(r"\.\. code-block:: none\n\n((?:(?:    .*)?\n)+)")


def output_text(rst: str) -> str:
    """The printed output of a generated example page."""
    return "\n".join(re.sub(r"^    ", "", block, flags=re.MULTILINE) for block in OUTPUT_BLOCK.findall(rst))


def _seconds(page: Page) -> float | None:
    """The running time sphinx-gallery recorded for the page (its ``.cost.json``)."""
    cost = page.target.with_name(page.target.stem + ".cost.json")
    return json.loads(cost.read_text(encoding="utf-8"))["time"] if cost.is_file() else None


def _status(gallery_conf: dict, page: Page, seconds: float | None) -> str:
    if str(page.source) in gallery_conf.get("failing_examples", {}):
        return "failed"
    if provenance.ran_in_this_build(page):
        return "ran"
    return "cached" if seconds else "not executed"


def write_report(app) -> None:
    """builder-inited, after sphinx-gallery and the provenance: ``report.json`` and its page."""
    gallery_conf = app.config.sphinx_gallery_conf
    docs = Path(app.srcdir)
    report = []
    for page in pages(gallery_conf):
        rst = page.target.with_suffix(".rst")
        seconds = _seconds(page)
        made = provenance.read(page)
        report.append(
            {
                "question": page.question,
                "page": page.html.removesuffix(".html"),
                "source": page.source.resolve().relative_to(docs.parent).as_posix(),
                "title": gallery_conf.get("titles", {}).get(str(page.source), page.target.stem),
                "status": _status(gallery_conf, page, seconds),
                "seconds": seconds,
                "executed_at": made.get("time"),
                "device": made.get("device"),
                "device_name": made.get("gpu") or made.get("cpu"),
                "torch": made.get("torch"),
                "key_numbers": key_numbers.read(
                    page.question, output_text(rst.read_text(encoding="utf-8")) if rst.is_file() else ""
                ),
            }
        )
    gallery = docs / gallery_conf["gallery_dirs"]
    (gallery / REPORT_NAME).write_text(json.dumps(report, indent=1), encoding="utf-8")
    _write_report_page(gallery / "build_report.rst", report)


def _write_report_page(path: Path, report: list[dict]) -> None:
    def cell(value) -> str:
        return "—" if value in (None, "") else str(value)

    lines = [
        ".. _build-report:",
        "",
        "Build report",
        "============",
        "",
        "Every question page is executed when the site is built. This table shows, for each page, whether it",
        "ran in the last build or was reused from an earlier one (its source, the ``mnistcnn`` package, torch",
        "and the device all unchanged), how long it took, where it ran, and the key numbers read back from its",
        f"output. The same data is published as :download:`{REPORT_NAME} <{REPORT_NAME}>`.",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 6 30 9 8 18 14 24",
        "",
        "   * - Q",
        "     - Page",
        "     - Status",
        "     - Seconds",
        "     - Executed",
        "     - Device, torch",
        "     - Key numbers",
    ]
    for row in report:
        seconds = "—" if row["seconds"] is None else f"{row['seconds']:.2f}"
        numbers = ", ".join(f"{k}: {cell(v)}" for k, v in row["key_numbers"].items())
        lines += [
            f"   * - {row['question']}",
            f"     - :doc:`{row['page'].split('/', 1)[1]}`",
            f"     - {row['status']}",
            f"     - {seconds}",
            f"     - {cell(row['executed_at'])}",
            f"     - {cell(row['device'])}, {cell(row['torch'])}",
            f"     - {cell(numbers)}",
        ]
    write_if_changed(path, "\n".join(lines) + "\n")


def publish_report(app, exception) -> None:
    """build-finished: ``report.json`` at the top of the site."""
    if exception is None and app.builder.format == "html":
        src = Path(app.srcdir, app.config.sphinx_gallery_conf["gallery_dirs"], REPORT_NAME)
        if src.is_file():
            Path(app.outdir, REPORT_NAME).write_bytes(src.read_bytes())
