"""Every page, as a reader's browser shows it: accessible, self-contained, no dead ends, no sideways scroll."""

from __future__ import annotations

from collections import defaultdict

from .conftest import WIDTHS, local_target


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{page}: {', '.join(sorted(set(found)))}" for page, found in sorted(problems.items()))


def test_every_page_passes_axe_core_wcag_2_a_and_aa_rules(visits):
    problems = defaultdict(list)
    for visit in visits:
        for violation in visit.axe:
            nodes = violation["nodes"]
            problems[f"{visit.page} at {visit.width}px"].append(
                f"{violation['impact']} {violation['id']} ({violation['help']}) on {len(nodes)} nodes: "
                + "; ".join(nodes[:3])
            )
    assert not problems, "axe-core violations:\n" + _report(problems)


def test_no_request_leaves_the_site(visits, server):
    base, _ = server
    problems = {
        visit.page: [url for url in visit.requests if not url.startswith((base, "data:", "blob:"))] for visit in visits
    }
    problems = {page: urls for page, urls in problems.items() if urls}
    assert not problems, "requests to other hosts:\n" + _report(problems)


def test_no_request_fails_and_no_response_is_an_error(visits):
    problems = {visit.page: visit.failed_requests for visit in visits if visit.failed_requests}
    assert not problems, "failed requests or responses >= 400:\n" + _report(problems)


def test_no_page_logs_a_console_error(visits):
    problems = {visit.page: visit.console_errors for visit in visits if visit.console_errors}
    assert not problems, "console errors:\n" + _report(problems)


def test_every_internal_link_and_anchor_resolves(visits, server, site):
    base, _ = server
    ids = {(site / visit.page).resolve(): visit.ids for visit in visits}
    problems = defaultdict(list)
    for visit in visits:
        for url in visit.links:
            target = local_target(url, base, site)
            if target is None:
                continue
            path, fragment = target
            if not path.resolve().is_file():
                problems[visit.page].append(f"{url} (no such file)")
            elif fragment and path.suffix == ".html" and fragment not in ids.get(path.resolve(), set()):
                problems[visit.page].append(f"{url} (no such anchor)")
    assert not problems, "dead internal links:\n" + _report(problems)


def test_no_page_scrolls_sideways_at_a_phone_or_a_laptop_width(visits):
    assert {visit.width for visit in visits} == set(WIDTHS)
    problems = {
        f"{visit.page} at {visit.width}px": [f"{visit.scroll_width}px wide in a {visit.client_width}px window"]
        for visit in visits
        if visit.scroll_width > visit.client_width
    }
    assert not problems, "pages that scroll sideways:\n" + _report(problems)


def test_code_and_output_lines_of_the_question_pages_fit_the_content_column_at_1280px(visits):
    problems = {
        visit.page: [f"{len(line)} characters: {line.strip()[:60]}…" for line in visit.wide_code]
        for visit in visits
        if visit.width == 1280 and visit.wide_code and visit.page.startswith("auto_examples/") and "/q" in visit.page
    }
    assert not problems, "code blocks wider than the column:\n" + _report(problems)
