"""The built site, opened page by page in headless Chromium: run ``nox -s browser`` after ``nox -s docs``.

Outside that session (no built site, no selenium, no chromium) these tests skip; inside it
(``MNISTCNN_BROWSER_REQUIRED=1``) a missing piece is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from ..helpers import BUILD, HTML

SCREENSHOTS = BUILD / "screenshots"
WIDTHS = (390, 1280)
HEIGHT = 900
# axe-core's tags for the success criteria of WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The pages photographed at both widths: the home page, one page per section, the build report.
SCREENSHOT_PAGES = [
    "index.html",
    "cnn.html",
    "auto_examples/index.html",
    "auto_examples/01_tensors/q05_stack_and_cat.html",
    "auto_examples/02_numpy_and_pytorch/q12_shared_memory.html",
    "auto_examples/03_autograd/q19_backward.html",
    "auto_examples/04_mnist_data/q23_show_a_digit.html",
    "auto_examples/05_cnn_for_mnist/q33_ten_epochs_or_three.html",
    "api.html",
    "auto_examples/build_report.html",
]


# What the run covered, printed at the end of the session.
SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter):
    for line in SUMMARY:
        terminalreporter.write_line(line)


def unavailable(reason: str):
    if os.environ.get("MNISTCNN_BROWSER_REQUIRED") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


class _Handler(SimpleHTTPRequestHandler):
    """Serves the built site and notes the status of every request it answers."""

    statuses: list[tuple[str, int]]

    def log_request(self, code="-", size="-"):
        self.statuses.append((self.path, int(code)))

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def site() -> Path:
    if not (HTML / "index.html").is_file():
        unavailable(f"no built site in {HTML}: run `nox -s docs` first")
    return HTML


@pytest.fixture(scope="session")
def server(site):
    """The site over HTTP on the loopback interface, and the list of (path, status) it answered."""
    statuses: list[tuple[str, int]] = []
    handler = type("Handler", (_Handler,), {"statuses": statuses})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/", statuses
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def driver():
    try:
        from selenium import webdriver
    except ImportError:
        unavailable("selenium is not installed: run `nox -s browser`")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not (chromium and chromedriver):
        unavailable("no chromium or chromedriver on PATH: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        # Nothing but the local site is reachable: a request elsewhere fails at once (and is reported).
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    browser = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=chromedriver))
    yield browser
    browser.quit()


@dataclass
class Visit:
    """What one page showed at one width."""

    page: str
    width: int
    axe: list[dict] = field(default_factory=list)
    scroll_width: int = 0
    client_width: int = 0
    wide_code: list[str] = field(default_factory=list)
    code_columns: int = 0
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


# Run in the page once it has loaded: wait for MathJax, then report layout, links and ids.
_INSPECT = """
const done = arguments[arguments.length - 1];
const ready = window.MathJax && MathJax.startup ? MathJax.startup.promise : Promise.resolve();
ready.then(() => {
  const root = document.documentElement;
  const article = document.querySelector('article') || document.body;
  const wide = [...article.querySelectorAll('pre')].filter(pre => pre.scrollWidth > pre.clientWidth + 1);
  const pre = article.querySelector('pre');
  let columns = 0;
  if (pre) {
    const probe = document.createElement('span');
    probe.textContent = '0'.repeat(100);
    pre.appendChild(probe);
    const style = getComputedStyle(pre);
    const inner = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    columns = Math.floor(inner / (probe.getBoundingClientRect().width / 100));
    probe.remove();
  }
  const urls = [];
  document.querySelectorAll('a[href]').forEach(a => urls.push(a.href));
  document.querySelectorAll('img[src]').forEach(img => urls.push(img.src));
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id)
    .concat([...document.querySelectorAll('a[name]')].map(a => a.name));
  done({
    scroll_width: root.scrollWidth,
    client_width: root.clientWidth,
    wide_code: wide.map(pre => pre.textContent.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), '')),
    code_columns: columns,
    links: urls,
    ids: ids,
  });
});
"""

_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(result => done(result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')),
  }))))
  .catch(error => done([{id: 'axe-error', impact: 'critical', help: String(error), nodes: []}]));
"""


def _network(browser) -> tuple[list[str], list[str]]:
    """The URLs the page requested, and those that failed in the browser, from the performance log."""
    requested, failed = [], []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requested.append(message["params"]["request"]["url"])
        elif message["method"] == "Network.loadingFailed" and not message["params"].get("canceled"):
            failed.append(message["params"]["errorText"])
    return requested, failed


def _viewport(browser, width: int, height: int) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def _screenshot(browser, path: Path, width: int) -> None:
    height = browser.execute_script("return document.documentElement.scrollHeight")
    _viewport(browser, width, min(height, 12000))
    path.parent.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(path))


@pytest.fixture(scope="session")
def visits(site, server, driver) -> list[Visit]:
    """Every page of the site at each width: axe-core's violations, its requests, layout, links and ids."""
    axe_js = os.environ.get("MNISTCNN_AXE_JS", "")
    if not Path(axe_js).is_file():
        unavailable("MNISTCNN_AXE_JS names no axe.min.js: run `nox -s browser`, which fetches axe-core")
    axe_source = Path(axe_js).read_text(encoding="utf-8")
    base, statuses = server
    pages = sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))
    missing = set(SCREENSHOT_PAGES) - set(pages)
    assert not missing, f"pages to photograph that the site does not have: {missing}"
    for width in WIDTHS:
        shutil.rmtree(SCREENSHOTS / f"{width}px", ignore_errors=True)
    driver.set_script_timeout(60)
    result = []
    for width in WIDTHS:
        for page in pages:
            _viewport(driver, width, HEIGHT)
            driver.get_log("performance")
            driver.get_log("browser")
            statuses.clear()
            driver.get(base + page)
            visit = Visit(page, width, **driver.execute_async_script(_INSPECT))
            visit.ids = set(visit.ids)
            driver.execute_script(axe_source)
            visit.axe = driver.execute_async_script(_AXE, WCAG_TAGS)
            if page in SCREENSHOT_PAGES:
                name = page.replace("/", "__").replace(".html", ".png")
                _screenshot(driver, SCREENSHOTS / f"{width}px" / name, width)
            visit.requests, visit.failed_requests = _network(driver)
            visit.failed_requests += [f"{status} {path}" for path, status in statuses if status >= 400]
            visit.console_errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            result.append(visit)
    _summarise(result, base, driver)
    return result


def _summarise(visits: list[Visit], base: str, driver) -> None:
    links = [url for visit in visits if visit.width == WIDTHS[-1] for url in visit.links if url.startswith(base)]
    violations = [violation for visit in visits for violation in visit.axe]
    rules = {violation["id"] for violation in violations}
    nodes = sum(len(violation["nodes"]) for violation in violations)
    pages_with = {visit.page for visit in visits if visit.axe}
    columns = max(visit.code_columns for visit in visits if visit.width == 1280)
    SUMMARY.extend(
        [
            f"browser: Chromium {driver.capabilities['browserVersion']}, {len(visits) // len(WIDTHS)} pages "
            f"at {' and '.join(f'{width}px' for width in WIDTHS)}",
            f"browser: {len(links)} internal links and images ({len(set(links))} distinct URLs) checked",
            f"browser: axe-core {driver.execute_script('return axe.version')} ({', '.join(WCAG_TAGS)}): "
            f"{len(rules)} rules violated ({', '.join(sorted(rules))}), {nodes} nodes, on {len(pages_with)} pages",
            f"browser: a code line of {columns} characters fits the content column at 1280px",
            f"browser: screenshots in {SCREENSHOTS}",
        ]
    )


def local_target(url: str, base: str, site: Path) -> tuple[Path, str] | None:
    """The file and the fragment a URL of the served site points to; None for a URL elsewhere."""
    if not url.startswith(base):
        return None
    address, fragment = urldefrag(url)
    path = unquote(urlsplit(address).path).lstrip("/")
    target = site / path
    if path == "" or path.endswith("/"):
        target = target / "index.html"
    return target, fragment
