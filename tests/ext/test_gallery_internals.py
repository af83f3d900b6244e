"""The parts of sphinx-gallery that docs/_ext builds on, beyond its documented options.

pyproject.toml bounds sphinx-gallery from above. Before raising the bound, run these
tests with the new version: a failure names what moved and the module that uses it.
"""

from __future__ import annotations

import hashlib
import json
import re

import build_report
import exercise_files
import notebooks
import provenance
import sphinx_gallery
from sphinx_gallery import gen_gallery, gen_rst, py_source_parser, scrapers
from sphinx_gallery.notebook import jupyter_notebook

MOVED = f"sphinx-gallery {sphinx_gallery.__version__} changed "

SCRIPT = '''"""
Title
=====
"""

import math

# %%
# Check
# -----
assert math.pi > 3
# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_start_ignore
assert math.e > 2
# sphinx_gallery_end_ignore
'''


def test_the_source_parser_gives_blocks_of_type_content_and_line(tmp_path):
    path = tmp_path / "q01_x.py"
    path.write_text(SCRIPT, encoding="utf-8")
    _, blocks = py_source_parser.split_code_and_text_blocks(path)
    kinds = [b.type for b in blocks]
    assert kinds == ["text", "code", "text", "code"], MOVED + "split_code_and_text_blocks (notebooks)"
    assert notebooks.CHECK_HEADING.match(blocks[2].content), MOVED + "the text of a block (notebooks.CHECK_HEADING)"
    assert py_source_parser.Block("code", "x", 1) == ("code", "x", 1), MOVED + "Block (notebooks)"
    code = blocks[3].content
    assert "math.e" not in py_source_parser.remove_ignore_blocks(code), MOVED + "remove_ignore_blocks (notebooks)"
    assert "thumbnail" not in py_source_parser.remove_config_comments(code), MOVED + "remove_config_comments"
    markers = re.findall(rf"{py_source_parser.START_IGNORE_FLAG}|{py_source_parser.END_IGNORE_FLAG}", code, re.M)
    assert len(markers) == 2, MOVED + "START_IGNORE_FLAG, END_IGNORE_FLAG (notebooks.HIDDEN_MARKER)"


def test_a_notebook_is_made_of_blocks_and_the_configuration(tmp_path):
    conf = {**gen_gallery.DEFAULT_GALLERY_CONF, "first_notebook_cell": "%matplotlib inline"}
    blocks = [py_source_parser.Block("text", "Check\n-----\n", 1), py_source_parser.Block("code", "x = 1\n", 3)]
    notebook = jupyter_notebook(blocks, conf, tmp_path)
    cells = [(c["cell_type"], "".join(c["source"])) for c in notebook["cells"]]
    assert cells == [("code", "%matplotlib inline"), ("markdown", "# Check\n\n"), ("code", "x = 1")], (
        MOVED + "jupyter_notebook (notebooks.exercise_notebook)"
    )
    assert notebook["nbformat"] == 4


def test_the_generated_page_text_that_the_extension_reads_and_extends():
    output = gen_rst.CODE_OUTPUT.format("    line one\n    line two")
    printed = build_report.output_text(output + "\n").strip()
    assert printed == "line one\nline two", MOVED + "CODE_OUTPUT (build_report.OUTPUT_BLOCK)"
    timing = gen_rst.TIMING_CONTENT.format(0, 1.5)
    assert provenance.TIMING_LINE.search(timing), MOVED + "TIMING_CONTENT (provenance.TIMING_LINE)"
    zipped = gen_rst.ZIP_DOWNLOAD.format("q01_x.zip")
    assert exercise_files.ZIP_DOWNLOAD_LINE.search(zipped), MOVED + "ZIP_DOWNLOAD (exercise_files.ZIP_DOWNLOAD_LINE)"


def test_an_example_without_its_md5_file_runs_again_and_its_cost_is_kept_as_json(tmp_path):
    target = tmp_path / "q01_x.py"
    target.write_text(SCRIPT, encoding="utf-8")
    md5 = tmp_path / "q01_x.py.md5"
    md5.write_text(hashlib.md5(target.read_text(encoding="utf-8").encode()).hexdigest(), encoding="utf-8")
    assert gen_rst.md5sum_is_current(target, mode="t"), MOVED + "the <example>.md5 file (stale_examples)"
    md5.unlink()
    assert not gen_rst.md5sum_is_current(target, mode="t"), MOVED + "the <example>.md5 file (stale_examples)"
    gen_rst._write_cached_cost(target, (1.5, 0.0))
    cost = json.loads((tmp_path / "q01_x.cost.json").read_text(encoding="utf-8"))
    assert cost["time"] == 1.5, MOVED + "<example>.cost.json (build_report)"


def test_reset_modules_callables_get_the_example_and_when(tmp_path):
    calls = []
    conf = {**gen_gallery.DEFAULT_GALLERY_CONF, "reset_modules": (lambda c, f, when: calls.append((f, when)),)}
    scrapers.clean_modules(conf, "q01_x.py", "before")
    assert calls == [("q01_x.py", "before")], MOVED + "reset_modules (provenance.reset_example)"


def test_the_configuration_keys_the_extension_reads():
    for key in ("failing_examples", "first_notebook_cell", "run_stale_examples", "plot_gallery"):
        assert key in gen_gallery.DEFAULT_GALLERY_CONF, MOVED + f"gallery_conf[{key!r}]"
