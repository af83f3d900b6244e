"""The outputs double as tests: the built pages must show the right answers."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from key_numbers import KEY_NUMBERS, failed_checks
from notebooks import exercise_notebook

from ..helpers import BUILD, QUESTIONS, ROOT, downloaded


def test_there_is_exactly_one_page_per_question(report):
    assert sorted(report) == QUESTIONS
    pages = [row["page"] for row in report.values()]
    assert len(set(pages)) == len(pages)


def test_every_page_was_executed_and_shows_its_running_time(report, pages):
    for q, row in report.items():
        assert row["status"] in ("ran", "cached"), f"Q{q}: {row['status']}"
        assert row["seconds"] and row["seconds"] > 0, f"Q{q} shows no execution time"
        timing = pages[q].find(string=re.compile("Total running time of the script"))
        assert timing is not None, f"Q{q}: no running time on the page"
        seconds = re.search(r"\((\d+) minutes ([\d.]+) seconds\)", timing.parent.parent.get_text())
        assert seconds and 60 * int(seconds[1]) + float(seconds[2]) > 0, f"Q{q} shows zero execution time"


def test_every_page_says_when_where_and_with_which_torch_it_ran(report, pages):
    for q, row in report.items():
        text = pages[q].get_text()
        assert "Outputs produced:" in text, f"Q{q}"
        assert row["torch"] and f"torch {row['torch']}" in text, f"Q{q}"
        assert row["executed_at"] in text


def test_the_gallery_junit_report_has_no_failure():
    junit = BUILD / "test-results" / "sphinx-gallery" / "junit.xml"
    suite = ElementTree.parse(junit).getroot()
    assert suite.get("failures") == "0" and suite.get("errors") == "0"
    assert not suite.findall(".//failure")


def test_every_page_offers_its_downloads_and_they_exist(pages, html_dir, report):
    for q, soup in pages.items():
        page_dir = (html_dir / report[q]["page"]).parent
        links = [a["href"] for a in soup.select("a.download, a.reference.download")]
        names = {Path(link).name for link in links}
        stem = Path(report[q]["page"]).name
        for wanted in (f"{stem}.py", f"{stem}.ipynb", f"{stem}_exercise.py", f"{stem}_exercise.ipynb"):
            assert wanted in names, f"Q{q}: no download of {wanted}"
        for link in links:
            assert (page_dir / link).resolve().is_file(), f"Q{q}: broken download {link}"


def test_the_exercise_notebooks_zip_is_linked_from_the_home_page_and_holds_33_notebooks(html_dir):
    from bs4 import BeautifulSoup

    home = BeautifulSoup((html_dir / "index.html").read_text(encoding="utf-8"), "html.parser")
    link = next(a["href"] for a in home.select("a") if a.get("href", "").endswith("mnistcnn_exercises.zip"))
    with zipfile.ZipFile(html_dir / link) as archive:
        names = [n for n in archive.namelist() if n.endswith("_exercise.ipynb")]
    assert len(names) == 33


def test_no_page_shows_a_complete_blank_in_its_code(pages):
    for q, soup in pages.items():
        for block in soup.select("pre"):
            assert not re.search(r"\bCOMPLETE\b", block.get_text()), f"Q{q} still has a COMPLETE blank"


def test_no_page_shows_an_unintended_traceback_or_warning(pages):
    for q, soup in pages.items():
        for block in soup.select("div.sphx-glr-script-out pre"):
            text = block.get_text()
            assert "Traceback (most recent call last)" not in text, f"Q{q} shows a traceback"
            assert not re.search(r"\w+Warning: ", text) or q == 17, f"Q{q} shows a warning"


def test_no_page_reveals_a_path_of_the_build_machine(html_dir):
    machine_paths = {f"{ROOT}/", f"{ROOT.parent}/", os.path.expanduser("~") + "/", "site-packages"}
    machine_paths.discard("//")
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for path in machine_paths:
            assert path not in text, f"{page.relative_to(html_dir)} contains {path}"


@pytest.mark.parametrize("question", sorted(KEY_NUMBERS))
def test_the_key_numbers_on_the_page_pass_the_page_own_checks(report, question):
    printed = report[question]["key_numbers"]
    missing = [name for name, value in printed.items() if value is None]
    assert not missing, f"Q{question}: not found in the page's output: {missing}"
    assert failed_checks(question, printed) == []


def test_q31_evaluates_the_same_untrained_network_as_q28(report):
    assert report[31]["key_numbers"]["untrained_accuracy"] == report[28]["key_numbers"]["untrained_accuracy"]


def test_the_py_downloads_are_the_sources_the_build_executed(pages, html_dir, report):
    for q, soup in pages.items():
        source = ROOT / report[q]["source"]
        download = downloaded(soup, (html_dir / report[q]["page"]).parent, source.name)
        assert download.read_bytes() == source.read_bytes(), f"Q{q}: the download is not {report[q]['source']}"


def test_the_exercise_notebooks_are_those_the_page_source_gives_and_name_their_page(pages, html_dir, report):
    import nbformat

    for q, soup in pages.items():
        page_dir = (html_dir / report[q]["page"]).parent
        source = ROOT / report[q]["source"]
        published = nbformat.read(downloaded(soup, page_dir, f"{source.stem}_exercise.ipynb"), as_version=4)
        assert published == exercise_notebook(source), f"Q{q}: the exercise notebook is not built from {source}"
        solution = nbformat.read(downloaded(soup, page_dir, f"{source.stem}.ipynb"), as_version=4)
        for notebook in (published, solution):
            assert notebook.metadata["mnistcnn"] == {"question": q, "page": report[q]["page"] + ".html", "points": 1}
        assert (html_dir / notebook.metadata["mnistcnn"]["page"]).is_file()


def test_no_page_shows_an_answer_reading_marker(pages):
    for q, soup in pages.items():
        assert "answer-reading" not in soup.get_text(), f"Q{q} shows an answer-reading marker"


def test_the_training_pages_ran_on_the_expected_device(report):
    expected = os.environ.get("MNISTCNN_EXPECT_DEVICE")
    if expected is None:
        pytest.skip("set MNISTCNN_EXPECT_DEVICE (nox does) to check the device")
    assert report[32]["key_numbers"]["device"] == expected
    assert all(row["device"] == expected for row in report.values())
