"""The *Draw a digit* page in Chromium: its JavaScript LeNet against PyTorch, and digits drawn on its pad."""

from __future__ import annotations

import base64

import draw_data
import numpy as np
import pytest

from .conftest import SCREENSHOTS, SUMMARY, WIDTHS, _screenshot, _viewport, unavailable

PAGE = "draw.html"
COMPARED = 1000  # test images whose ten scores are compared with PyTorch's
DRAWN = 200  # test images drawn on the pad as pen strokes
TOLERANCE = 1e-4
# Measured on the 200 drawn digits (Chromium 2026-12): 94.0 % read right, against 95.0 % for the
# network on the same images as MNIST gives them. A one-point gap is one digit in 100; the
# bound allows four points (about 2.5 standard errors of a 200-digit accuracy).
DRAWN_SHORTFALL = 4.0
MARGIN = 12  # pixels a drawn digit keeps from the pad's edge: half the pen's width and a little more

# The page's own functions: MNIST bytes as the input, the forward pass, the ten scores.
_SCORES = """
const net = decodeNetwork(window.LENET_DATA);
const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
const scores = [];
for (let i = 0; i < bytes.length / 784; i++) {
  scores.push(Array.from(lenetForward(net, mnistInputFromBytes(bytes.subarray(784 * i, 784 * (i + 1)))).scores));
}
return scores;
"""

_TIMING = """
const net = decodeNetwork(window.LENET_DATA);
const x = mnistInputFromBytes(Uint8Array.from(atob(window.LENET_DATA.images).slice(0, 784), c => c.charCodeAt(0)));
const pad = document.getElementById('draw-pad');
const rgba = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height).data;
const time = (f, runs) => {
  for (let i = 0; i < 20; i++) f();
  const times = [];
  for (let i = 0; i < runs; i++) { const t = performance.now(); f(); times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
};
return {
  forward: time(() => lenetForward(net, x), 500),
  drawing: time(() => lenetForward(net, mnistInputFromDrawing(rgba, pad.width)), 200),
};
"""


@pytest.fixture(scope="module")
def torch_and_mnist():
    try:
        import torch

        import mnistcnn
    except ImportError:
        unavailable("torch and mnistcnn are not installed: run `nox -s browser`")
    return torch, mnistcnn


@pytest.fixture(scope="module")
def shipped(site):
    data = draw_data.read(site / draw_data.TARGET)
    if data is None:
        unavailable("the site holds no network: build it with `nox -s docs`, not --no-exec")
    return data


@pytest.fixture(scope="module")
def test_set(torch_and_mnist):
    _, mnistcnn = torch_and_mnist
    pixels, labels = mnistcnn.load("testing")
    return np.ascontiguousarray(pixels.T), labels.astype(np.int64)


@pytest.fixture(scope="module")
def shipped_net(torch_and_mnist, shipped):
    torch, mnistcnn = torch_and_mnist
    net = mnistcnn.LeNet()
    net.load_state_dict({name: torch.from_numpy(array.copy()) for name, array in shipped["state"].items()})
    return net.eval()


def _torch_scores(torch_and_mnist, net, images: np.ndarray) -> np.ndarray:
    torch, mnistcnn = torch_and_mnist
    x = torch.from_numpy(mnistcnn.normalize(images)).view(-1, 1, 28, 28)
    with torch.no_grad():
        return net(x).numpy()


@pytest.fixture(scope="module")
def page(server, driver):
    base, _ = server
    _viewport(driver, 1280, 900)
    driver.get(base + PAGE)
    driver.set_script_timeout(120)
    return driver


def test_the_page_computes_pytorchs_ten_scores_for_1000_test_images(
    page, shipped, test_set, shipped_net, torch_and_mnist
):
    images = test_set[0][:COMPARED]
    # The first images are those the page ships: the test reads the same bytes as the page.
    assert np.array_equal(shipped["images"], images[: len(shipped["images"])])
    ours = np.array(page.execute_script(_SCORES, base64.b64encode(images.tobytes()).decode("ascii")))
    theirs = _torch_scores(torch_and_mnist, shipped_net, images)
    gap = np.abs(ours - theirs).max()
    same = (ours.argmax(1) == theirs.argmax(1)).mean()
    SUMMARY.append(
        f"draw: {COMPARED} test images, JavaScript against PyTorch: largest score difference "
        f"{gap:.2e}, same answer for {100 * same:.1f} %"
    )
    assert ours.shape == (COMPARED, 10)
    assert gap < TOLERANCE
    assert same == 1.0


def test_picking_a_test_image_from_the_list_shows_pytorchs_answer(page, shipped, shipped_net, torch_and_mnist):
    from selenium.webdriver.support.ui import Select

    expected = _torch_scores(torch_and_mnist, shipped_net, shipped["images"]).argmax(1)
    listed = Select(page.find_element("id", "draw-list"))
    for i in (1, 7, 0, len(expected) - 1):  # 0 is selected at first: choosing it again changes nothing
        listed.select_by_value(str(i))
        answer = page.find_element("id", "draw-answer")
        assert answer.get_attribute("data-digit") == str(expected[i])
        assert f"Test image {i}, labelled {shipped['labels'][i]}." in answer.text
        assert f"reads a {expected[i]}" in answer.text


def skeleton(ink: np.ndarray) -> np.ndarray:
    """Zhang and Suen's thinning of a boolean image: lines one pixel wide along the strokes' middles."""
    image = np.pad(ink, 1).astype(np.uint8)
    while True:
        changed = False
        for step in (0, 1):
            c = image[1:-1, 1:-1]
            # The eight neighbours, clockwise from north: P2 … P9.
            p = [
                image[:-2, 1:-1],
                image[:-2, 2:],
                image[1:-1, 2:],
                image[2:, 2:],
                image[2:, 1:-1],
                image[2:, :-2],
                image[1:-1, :-2],
                image[:-2, :-2],
            ]
            neighbours = sum(p)
            transitions = sum(((p[k] == 0) & (p[(k + 1) % 8] == 1)) for k in range(8))
            if step == 0:
                side = (p[0] * p[2] * p[4] == 0) & (p[2] * p[4] * p[6] == 0)
            else:
                side = (p[0] * p[2] * p[6] == 0) & (p[0] * p[4] * p[6] == 0)
            remove = (c == 1) & (neighbours >= 2) & (neighbours <= 6) & (transitions == 1) & side
            if remove.any():
                c[remove] = 0
                changed = True
        if not changed:
            return image[1:-1, 1:-1].astype(bool)


_STEPS = [(0, 1), (1, 0), (0, -1), (-1, 0), (1, 1), (1, -1), (-1, 1), (-1, -1)]  # straight steps first


def pen_strokes(skeleton: np.ndarray) -> list[list[tuple[int, int]]]:
    """The skeleton as pen strokes, each a list of (row, column) pixels: a walk along unused
    links between neighbouring pixels, started at a line's end where there is one."""
    pixels = set(zip(*(axis.tolist() for axis in np.nonzero(skeleton))))

    def neighbours(p):
        return [(p[0] + dy, p[1] + dx) for dy, dx in _STEPS if (p[0] + dy, p[1] + dx) in pixels]

    unused = {frozenset((p, q)) for p in pixels for q in neighbours(p)}
    strokes = [[p] for p in sorted(pixels) if not neighbours(p)]
    while unused:
        ends = sorted({p for link in unused for p in link})
        start = min(ends, key=lambda p: (sum(frozenset((p, q)) in unused for q in neighbours(p)) != 1, p))
        stroke = [start]
        while True:
            step = next((q for q in neighbours(stroke[-1]) if frozenset((stroke[-1], q)) in unused), None)
            if step is None:
                break
            unused.discard(frozenset((stroke[-1], step)))
            stroke.append(step)
        strokes.append(stroke)
    return strokes


def _draw(driver, strokes, scale: float, left: float, top: float) -> None:
    """Draw the strokes on the pad with the mouse, through Chromium's input pipeline."""
    box = driver.execute_script(
        "const r = document.getElementById('draw-pad').getBoundingClientRect();return [r.left, r.top, r.width / 280];"
    )
    for stroke in strokes:
        points = [
            (box[0] + (left + (x + 0.5) * scale) * box[2], box[1] + (top + (y + 0.5) * scale) * box[2])
            for y, x in stroke
        ]
        events = [("mousePressed", points[0])] + [("mouseMoved", p) for p in points[1:]]
        events.append(("mouseReleased", points[-1]))
        for kind, (x, y) in events:
            driver.execute_cdp_cmd(
                "Input.dispatchMouseEvent",
                {
                    "type": kind,
                    "x": x,
                    "y": y,
                    "button": "left",
                    "buttons": 0 if kind == "mouseReleased" else 1,
                    "clickCount": 1,
                },
            )


def test_digits_drawn_on_the_pad_are_read_nearly_as_well_as_the_test_images(
    page, test_set, shipped_net, torch_and_mnist
):
    images, labels = test_set[0][:DRAWN], test_set[1][:DRAWN]
    network = (_torch_scores(torch_and_mnist, shipped_net, images).argmax(1) == labels).mean() * 100
    rng = np.random.default_rng(0)
    page.execute_script("window.scrollTo(0, 0)")
    pad = page.find_element("id", "draw-pad")
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", pad)
    answers = []
    for image in images.reshape(-1, 28, 28):
        page.find_element("id", "draw-clear").click()
        # As a person draws: about 8 to 10 times MNIST's size, anywhere on the 280×280 pad.
        scale = rng.uniform(8, 10)
        rows, cols = np.nonzero(image > 127)
        height, width = (rows.max() + 1) * scale, (cols.max() + 1) * scale
        left = rng.uniform(MARGIN - cols.min() * scale, 280 - MARGIN - width)
        top = rng.uniform(MARGIN - rows.min() * scale, 280 - MARGIN - height)
        _draw(page, pen_strokes(skeleton(image > 127)), scale, left, top)
        answers.append(int(page.find_element("id", "draw-answer").get_attribute("data-digit")))
    drawn = (np.array(answers) == labels).mean() * 100
    SUMMARY.append(
        f"draw: {DRAWN} test digits drawn on the pad as pen strokes: {drawn:.1f} % read right; "
        f"the network on the same images from MNIST: {network:.1f} %"
    )
    assert drawn >= network - DRAWN_SHORTFALL


def test_one_prediction_takes_milliseconds_in_headless_chromium(page, test_set):
    page.find_element("id", "draw-clear").click()
    _draw(page, pen_strokes(skeleton(test_set[0][0].reshape(28, 28) > 127)), 9, 10, 10)
    times = page.execute_script(_TIMING)
    SUMMARY.append(
        f"draw: one prediction in headless Chromium (median): forward pass {times['forward']:.2f} ms, "
        f"drawing to answer (preparation and forward pass) {times['drawing']:.2f} ms"
    )
    assert page.find_element("id", "draw-answer").get_attribute("data-digit") is not None


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots_of_a_drawn_digit(page, test_set, theme, width):
    _viewport(page, width, 900)
    page.execute_script("document.body.dataset.theme = arguments[0]", theme)
    page.find_element("id", "draw-clear").click()
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", page.find_element("id", "draw-pad"))
    _draw(page, pen_strokes(skeleton(test_set[0][1].reshape(28, 28) > 127)), 9, 20, 10)
    assert page.find_element("id", "draw-answer").get_attribute("data-digit") is not None
    _screenshot(page, SCREENSHOTS / "draw" / f"draw-{width}px-{theme}.png", width)
