"""Sphinx extension for the textbook's gallery.

After sphinx-gallery has run the examples, this extension

* records, for every example that ran, when, on what device and with which torch
  version (:func:`reset_example` is in sphinx-gallery's ``reset_modules``), and
  shows it under the page's running time;
* writes each question's exercise version (``.py`` and ``.ipynb``, see
  :mod:`exercises`), adds their downloads to the page, and zips all exercise
  notebooks into one file for a course;
* folds the prose answers of the notebooks too (``<details>``), as the pages do;
* writes ``report.json``: question, status, running time, device, torch version
  and key numbers of every page, and a page that shows it as a table.

The cache key of every example covers the example itself (sphinx-gallery's MD5),
and, through :func:`invalidate_stale_examples`, the torch version, the device and,
for the examples that import it, the source of ``mnistcnn``.
"""

from __future__ import annotations

import json
import random
import re
import zipfile
from pathlib import Path

from exercises import make_exercise

GALLERY_DIRS = ("auto_examples",)
REPORT_NAME = "report.json"
EXERCISE_ZIP = "mnistcnn_exercises.zip"
QUESTION_FILE = re.compile(r"^q(\d\d)_\w+(?<!_exercise)\.py$")

# Key numbers read back from each page's printed output: (name, pattern, group→value).
KEY_NUMBERS = {
    5: [
        ("stack_shape", r"torch\.Size\(\[2, 5, 3\]\)"),
        ("cat0_shape", r"torch\.Size\(\[10, 3\]\)"),
        ("cat1_shape", r"torch\.Size\(\[5, 6\]\)"),
    ],
    7: [("z_4_2", r"tensor\(\[0\.1092, 1\.3210\]\)")],
    18: [("f", r"tensor\(27\., grad_fn=<MeanBackward0>\)")],
    19: [("grad", r"tensor\(\[\[4\.5000, 4\.5000\],\s+\[4\.5000, 4\.5000\]\]\)")],
    23: [("label_42", r"ltrain\[42\] = (\d+)")],
    25: [("fc1_inputs", r"fc1 input features: (\d+)")],
    28: [("untrained_accuracy", r"Accuracy of the untrained network: ([\d.]+)%")],
    30: [("first_loss", r"\[1,\s+100\] loss: ([\d.]+)"), ("last_loss", r"\[3,\s+600\] loss: ([\d.]+)")],
    31: [
        ("untrained_accuracy", r"Untrained accuracy: ([\d.]+)%"),
        ("accuracy_3_epochs", r"Test accuracy after 3 epochs: ([\d.]+)%"),
    ],
    32: [("train_seconds", r"Trained 10 epochs on \w+ in ([\d.]+) s"), ("device", r"Trained 10 epochs on (\w+) in")],
    33: [
        ("accuracy_3_epochs", r"Test accuracy after 3 epochs: ([\d.]+)%"),
        ("accuracy_10_epochs", r"Test accuracy after 10 epochs: ([\d.]+)%"),
    ],
}

_ran: dict[str, dict] = {}  # example file name -> provenance, for examples run in this build


def reset_example(gallery_conf, fname, when):
    """sphinx-gallery ``reset_modules`` hook: same seeds for every example; note what ran."""
    if fname is None:
        return
    import numpy as np
    import torch

    if when == "before":
        torch.manual_seed(0)
        np.random.seed(0)
        random.seed(0)
        from mnistcnn.device import describe

        _ran[Path(fname).name] = describe()


def fingerprint_of_package() -> str:
    from mnistcnn.device import source_fingerprint

    return source_fingerprint()


def environment_key() -> str:
    """What, besides an example's own source, decides its output."""
    import torch

    from mnistcnn.device import pick_device

    return f"torch={torch.__version__};device={pick_device().type}"


def example_key(source: str) -> str:
    """What, besides an example's own source, decides its output: see :func:`environment_key`.

    The package's fingerprint counts only for the examples that use the package.
    """
    return environment_key() + (f";mnistcnn={fingerprint_of_package()}" if "mnistcnn" in source else "")


def invalidate_stale_examples(examples_dir: Path, gallery_dir: Path, force: bool = False) -> list[str]:
    """Delete sphinx-gallery's MD5 of every example whose wider cache key changed.

    An example's key is :func:`example_key`. Removing the MD5 makes sphinx-gallery run the
    example again; the key is stored beside it for the next build.
    """
    invalidated = []
    for src in sorted(examples_dir.rglob("q*.py")):
        target = gallery_dir / src.relative_to(examples_dir)
        key = example_key(src.read_text(encoding="utf-8"))
        key_file = target.with_name(target.name + ".key")
        md5_file = target.with_name(target.name + ".md5")
        old = key_file.read_text(encoding="utf-8") if key_file.is_file() else None
        if force or old != key:
            if md5_file.is_file():
                md5_file.unlink()
                invalidated.append(src.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(key, encoding="utf-8")
    return invalidated


def _gallery_examples(app):
    srcdir = Path(app.srcdir)
    for gallery in GALLERY_DIRS:
        for target in sorted((srcdir / gallery).rglob("q*.py")):
            if QUESTION_FILE.match(target.name):
                yield target


def _fold_answers_in_notebook(path: Path) -> None:
    """Turn the ``.. dropdown:: Answer`` blocks of a notebook's markdown into ``<details>``."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    changed = False
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        new = re.sub(
            r"^\.\. dropdown:: Answer[ \t]*\n((?:[ \t]*\n|   .*\n?)*)",
            lambda m: (
                "<details><summary><b>Answer</b></summary>\n\n"
                + re.sub(r"^   ", "", m.group(1), flags=re.M).strip("\n")
                + "\n\n</details>\n"
            ),
            text,
            flags=re.M,
        )
        if new != text:
            cell["source"] = new
            changed = True
    if changed:
        path.write_text(json.dumps(notebook, indent=2), encoding="utf-8")


def _write_exercise(app, target: Path) -> tuple[Path, Path]:
    from sphinx_gallery import py_source_parser
    from sphinx_gallery.notebook import jupyter_notebook, save_notebook

    exercise, _ = make_exercise(target.read_text(encoding="utf-8"))
    py = target.with_name(target.stem + "_exercise.py")
    if not py.is_file() or py.read_text(encoding="utf-8") != exercise:
        py.write_text(exercise, encoding="utf-8")
    ipynb = py.with_suffix(".ipynb")
    if not ipynb.is_file() or ipynb.stat().st_mtime < py.stat().st_mtime:
        gallery_conf = app.config.sphinx_gallery_conf
        _, blocks = py_source_parser.split_code_and_text_blocks(str(py))
        blocks = [
            py_source_parser.Block(
                kind, py_source_parser.remove_config_comments(py_source_parser.remove_ignore_blocks(text)), line
            )
            for kind, text, line in blocks
        ]
        save_notebook(jupyter_notebook(blocks, gallery_conf, target.parent), ipynb)
        _fold_answers_in_notebook(ipynb)
    return py, ipynb


def _output_text(rst: str) -> str:
    """The printed output of a generated example page."""
    blocks = re.findall(r"\.\. code-block:: none\n\n((?:(?:    .*)?\n)+)", rst)
    return "\n".join(re.sub(r"^    ", "", block, flags=re.M) for block in blocks)


def _status(gallery_conf, target: Path, src: Path, seconds) -> str:
    if str(src) in gallery_conf.get("failing_examples", {}):
        return "failed"
    if target.name in _ran:
        return "ran"
    return "cached" if seconds else "not executed"


def build_gallery_extras(app) -> None:
    """builder-inited, after sphinx-gallery: provenance, exercises, notebooks, report."""
    srcdir = Path(app.srcdir)
    gallery_conf = app.config.sphinx_gallery_conf
    examples_dir = Path(gallery_conf["examples_dirs"]).resolve()
    report = []
    exercises = []
    for target in _gallery_examples(app):
        question = int(QUESTION_FILE.match(target.name).group(1))
        provenance_file = target.with_name(target.stem + ".provenance.json")
        if target.name in _ran:
            provenance_file.write_text(json.dumps(_ran[target.name], indent=1), encoding="utf-8")
        provenance = json.loads(provenance_file.read_text(encoding="utf-8")) if provenance_file.is_file() else {}
        cost_file = target.with_name(target.stem + ".cost.json")
        seconds = json.loads(cost_file.read_text())["time"] if cost_file.is_file() else None
        solution_notebook = target.with_suffix(".ipynb")
        if solution_notebook.is_file():
            _fold_answers_in_notebook(solution_notebook)
        exercises.append(_write_exercise(app, target)[1])
        rst_file = target.with_suffix(".rst")
        output = _output_text(rst_file.read_text(encoding="utf-8")) if rst_file.is_file() else ""
        numbers = {}
        for name, pattern in KEY_NUMBERS.get(question, []):
            match = re.search(pattern, output)
            numbers[name] = None if match is None else (match.group(1) if match.groups() else match.group(0))
        src = examples_dir / target.relative_to(srcdir / GALLERY_DIRS[0])
        report.append(
            {
                "question": question,
                "page": str(target.relative_to(srcdir).with_suffix("")),
                "title": gallery_conf.get("titles", {}).get(str(src), target.stem),
                "status": _status(gallery_conf, target, src, seconds),
                "seconds": seconds,
                "executed_at": provenance.get("time"),
                "device": provenance.get("device"),
                "device_name": provenance.get("gpu") or provenance.get("cpu"),
                "torch": provenance.get("torch"),
                "key_numbers": numbers,
            }
        )
    gallery = srcdir / GALLERY_DIRS[0]
    with zipfile.ZipFile(gallery / EXERCISE_ZIP, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for notebook in exercises:
            archive.write(notebook, f"mnistcnn-exercises/{notebook.parent.name}/{notebook.name}")
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
    text = "\n".join(lines) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def add_provenance_and_exercises(app, docname, source) -> None:
    """source-read: show provenance under the running time, and the exercise downloads."""
    if not docname.startswith(GALLERY_DIRS) or not QUESTION_FILE.match(docname.rsplit("/", 1)[-1] + ".py"):
        return
    stem = docname.rsplit("/", 1)[-1]
    target = Path(app.srcdir, docname + ".py")
    provenance_file = target.with_name(stem + ".provenance.json")
    text = source[0]
    if provenance_file.is_file():
        info = json.loads(provenance_file.read_text(encoding="utf-8"))
        from mnistcnn.device import format_where

        where = format_where(info)
        line = (
            f"\n.. rst-class:: sphx-glr-timing\n\n   **Outputs produced:** {info['time']} on {where}, "
            f"torch {info['torch']}, Python {info['python']}.\n"
        )
        text = re.sub(r"(\*\*Total running time of the script:\*\*.*\n)", lambda m: m.group(1) + line, text, count=1)
    downloads = (
        "\n    .. container:: sphx-glr-download sphx-glr-download-jupyter\n\n"
        f"      :download:`Download exercise notebook: {stem}_exercise.ipynb <{stem}_exercise.ipynb>`\n"
        "\n    .. container:: sphx-glr-download sphx-glr-download-python\n\n"
        f"      :download:`Download exercise source code: {stem}_exercise.py <{stem}_exercise.py>`\n"
    )
    text = re.sub(r"(      :download:`Download zipped: .*\n)", lambda m: m.group(1) + downloads, text, count=1)
    source[0] = text


def publish_report(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        src = Path(app.srcdir, GALLERY_DIRS[0], REPORT_NAME)
        if src.is_file():
            Path(app.outdir, REPORT_NAME).write_bytes(src.read_bytes())


def setup(app):
    app.add_config_value("textbook_fingerprint", "", "env")
    app.connect("builder-inited", build_gallery_extras, priority=900)
    app.connect("source-read", add_provenance_and_exercises)
    app.connect("build-finished", publish_report)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


__all__ = ["reset_example", "invalidate_stale_examples", "environment_key", "fingerprint_of_package"]
