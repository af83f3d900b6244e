// The "Draw a digit" page: a drawing pad, or a test image, through the book's LeNet.
// The network and the test images come from network.js, written by the build.
"use strict";

const PAD_PEN = 16;  // pixels of the 280×280 pad; the network reads the strokes redrawn at MNIST's width
const UNSURE_BELOW = 0.8;  // below this probability, the page says that the network is unsure
const ANNOUNCE_AFTER_MS = 1000;  // a drawing is finished when no stroke follows for this long
const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

// The bytes of a base64 text.
function bytesOf(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// The network's tensors, keyed by their PyTorch names, from the build's float32 little-endian bytes.
function decodeNetwork(data) {
  const bytes = bytesOf(data.weights);
  const view = new DataView(bytes.buffer);
  const net = {};
  let offset = 0;
  for (const {name, shape} of data.tensors) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = LITTLE_ENDIAN ? new Float32Array(bytes.buffer, offset, size)
      : Float32Array.from({length: size}, (_, i) => view.getFloat32(offset + 4 * i, true));
    net[name] = {data: values, shape};
    offset += 4 * size;
  }
  return net;
}

function decodeImages(data) {
  const bytes = bytesOf(data.images);
  return data.labels.map((label, i) => ({label, index: data.indices[i], bytes: bytes.subarray(784 * i, 784 * (i + 1))}));
}

function softmax(scores) {
  const top = Math.max(...scores);
  const e = Array.from(scores, s => Math.exp(s - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map(v => v / sum);
}

// "a 7", "an 8".
function aDigit(d) {
  return `${d === 8 ? "an" : "a"} ${d}`;
}

// A probability as a percentage that never wraps before its sign.
function percent(p) {
  return `${(100 * p).toFixed(1)}\u00a0%`;
}

// What the page says of the network's answer.
function verdict(probabilities, tooSmall) {
  const ranked = DIGITS.slice().sort((a, b) => probabilities[b] - probabilities[a]);
  const [best, second] = ranked;
  const reading = `${aDigit(best)}, with probability ${percent(probabilities[best])}`;
  if (tooSmall) return `That is too small to be read as a digit: draw it larger. The network reads ${reading}.`;
  if (probabilities[best] < UNSURE_BELOW) {
    return `The network is unsure: it reads ${reading}, or perhaps ${aDigit(second)} `
      + `(${percent(probabilities[second])}).`;
  }
  return `The network reads ${reading}.`;
}

// Grey levels of a map on a canvas: `low` black, `high` white.
function paint(canvas, values, width, height, low, high) {
  const image = canvas.getContext("2d").createImageData(width, height);
  const span = high - low || 1;
  for (let i = 0; i < width * height; i++) {
    const g = Math.round(255 * Math.min(1, Math.max(0, (values[i] - low) / span)));
    image.data.set([g, g, g, 255], 4 * i);
  }
  canvas.getContext("2d").putImageData(image, 0, 0);
}

// The canvases of a group of feature maps; the group is one image for assistive technology.
function featureMaps(container, count, size) {
  const canvases = [];
  for (let c = 0; c < count; c++) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    container.append(canvas);
    canvases.push(canvas);
  }
  return canvases;
}

function setUp(app, data) {
  const pad = app.querySelector("#draw-pad");
  const ctx = pad.getContext("2d");
  const answer = app.querySelector("#draw-answer");
  const spoken = app.querySelector("#draw-spoken");
  const digit = app.querySelector("#draw-digit");
  const input = app.querySelector("#draw-input");
  const index = app.querySelector("#draw-index");
  const list = app.querySelector("#draw-list");
  const error = app.querySelector("#draw-index-error");
  const controls = app.querySelectorAll("button, input, select");
  const rows = DIGITS.map(d => {
    const row = document.createElement("li");
    row.innerHTML = `<span class="draw-label">${d}</span><span class="draw-bar"><span></span></span>`
      + `<span class="draw-value"></span>`;
    app.querySelector("#draw-scores").append(row);
    return row;
  });
  const conv1 = featureMaps(app.querySelector("#draw-conv1"), 6, 24);
  const conv2 = featureMaps(app.querySelector("#draw-conv2"), 16, 8);
  controls.forEach(control => { control.disabled = true; });

  if (!data) {
    answer.textContent = "This build of the site ran no code, so it holds no trained network: "
      + "build it with nox -s docs to draw here.";
    app.dataset.state = "no network";
    return;
  }
  answer.textContent = "Loading the network…";
  let net, images;
  let strokes = [];  // the drawing on the pad: strokes of [x, y] points
  let announcement = null;
  let shown = "nothing";  // what the pad shows, in words

  function announce(text) {
    clearTimeout(announcement);
    spoken.textContent = text;
  }

  function describe(what, padLabel) {
    input.setAttribute("aria-label", `The 28 by 28 image the network reads: ${what}`);
    pad.setAttribute("aria-label", padLabel);
  }

  // The number box and the list name the test image on the pad; both are empty for a drawing.
  function nameTestImage(i) {
    index.value = list.value = i === null ? "" : String(i);
    index.removeAttribute("aria-invalid");
    error.textContent = "";
  }

  function show(x, prefix, tooSmall) {
    const {scores, conv1: maps1, conv2: maps2} = lenetForward(net, x);
    const probabilities = softmax(scores);
    const best = probabilities.indexOf(Math.max(...probabilities));
    rows.forEach((row, d) => {
      row.querySelector(".draw-bar span").style.width = `${(100 * probabilities[d]).toFixed(1)}%`;
      row.querySelector(".draw-value").textContent = percent(probabilities[d]);
      row.classList.toggle("draw-best", d === best);
    });
    digit.textContent = best;
    answer.dataset.digit = best;
    answer.dataset.probability = probabilities[best];
    answer.textContent = `${prefix} ${verdict(probabilities, tooSmall)}`;
    paint(input, x.data, 28, 28, -1, 1);
    [[maps1, conv1, 24], [maps2, conv2, 8]].forEach(([maps, canvases, size]) => canvases.forEach((canvas, c) => {
      const map = maps.data.subarray(c * size * size, (c + 1) * size * size);
      paint(canvas, map, size, size, 0, Math.max(...map));
    }));
  }

  function reset() {
    ctx.clearRect(0, 0, pad.width, pad.height);
    strokes = [];
    pad.dataset.showing = "drawing";
    shown = "nothing";
    nameTestImage(null);
    rows.forEach(row => {
      row.querySelector(".draw-bar span").style.width = "0";
      row.querySelector(".draw-value").textContent = "";
      row.classList.remove("draw-best");
    });
    digit.textContent = "";
    delete answer.dataset.digit;
    delete answer.dataset.probability;
    answer.textContent = "The pad is empty: draw a digit, or pick a test image.";
    describe("nothing, the pad is empty.", "Drawing pad, empty: draw one digit here with the mouse, a pen or a finger");
    [input, ...conv1, ...conv2].forEach(canvas => canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height));
  }

  function showDrawing() {
    const x = mnistInputFromStrokes(strokes, pad.width);
    if (!x) return;
    const box = strokeBox(strokes);
    show(x, "Your drawing:", Math.max(box.width, box.height) < SMALLEST_DRAWING * pad.width);
    shown = "your drawing";
    describe("your drawing, its strokes redrawn at MNIST's stroke width in a 20 by 20 box, centred.",
      "Drawing pad, showing your drawing: draw more strokes, or clear it");
  }

  function showTestImage(i) {
    const {label, index: number, bytes} = images[i];
    const small = new ImageData(28, 28);
    bytes.forEach((b, k) => small.data.set([0, 0, 0, b], 4 * k));
    const scratch = document.createElement("canvas");
    scratch.width = scratch.height = 28;
    scratch.getContext("2d").putImageData(small, 0, 0);
    ctx.clearRect(0, 0, pad.width, pad.height);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(scratch, 0, 0, pad.width, pad.height);
    strokes = [];
    pad.dataset.showing = "test image";
    shown = `test image ${i}`;
    nameTestImage(i);
    show(mnistInputFromBytes(bytes), `Test image ${i}, labelled ${label} (MNIST's test image ${number}).`, false);
    describe(`test image ${i} (MNIST's test image ${number}), labelled ${label}.`,
      `Drawing pad, showing test image ${i}, labelled ${label}: draw on it to start a drawing`);
    announce(answer.textContent);
  }

  function refuse(text) {
    index.setAttribute("aria-invalid", "true");
    error.textContent = `${text} is not a test image here: type a whole number from 0 to ${images.length - 1}. `
      + `The pad still shows ${shown}.`;
  }

  // The pad: the primary button (or a pen or a finger) draws; a tap leaves a dot.
  let drawing = false;
  let pending = false;
  function point(event) {
    const box = pad.getBoundingClientRect();
    return [(event.clientX - box.left) * pad.width / box.width, (event.clientY - box.top) * pad.height / box.height];
  }
  pad.addEventListener("pointerdown", event => {
    if (!net || event.button !== 0 || !event.isPrimary) return;
    clearTimeout(announcement);
    if (pad.dataset.showing !== "drawing") reset();
    pad.setPointerCapture(event.pointerId);
    drawing = true;
    const start = point(event);
    strokes.push([start]);
    ctx.fillStyle = ctx.strokeStyle = "#000";
    ctx.lineWidth = PAD_PEN;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.arc(...start, PAD_PEN / 2, 0, 2 * Math.PI);
    ctx.fill();
    event.preventDefault();
  });
  pad.addEventListener("pointermove", event => {
    if (!drawing) return;
    const stroke = strokes[strokes.length - 1];
    // The browser may deliver one event for several moves: follow every one of them.
    const moves = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    ctx.beginPath();
    ctx.moveTo(...stroke[stroke.length - 1]);
    for (const move of moves.length ? moves : [event]) {
      stroke.push(point(move));
      ctx.lineTo(...stroke[stroke.length - 1]);
    }
    ctx.stroke();
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => { pending = false; showDrawing(); });
    }
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    showDrawing();
    // One announcement per drawing: when no new stroke has begun for a moment.
    announcement = setTimeout(() => announce(answer.textContent), ANNOUNCE_AFTER_MS);
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);

  app.querySelector("#draw-clear").addEventListener("click", () => {
    reset();
    announce(answer.textContent);
  });
  index.addEventListener("keydown", event => {
    // An empty box steps to 1 on ArrowUp in Chromium: start at the first image instead.
    if (index.value === "" && !index.validity.badInput && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      showTestImage(0);
    }
  });
  index.addEventListener("change", () => {
    if (index.validity.badInput) return refuse("That");
    if (index.value === "") return;
    const i = Number(index.value);
    if (Number.isInteger(i) && i >= 0 && i < images.length) showTestImage(i);
    else refuse(index.value);
  });
  list.addEventListener("change", () => {
    if (list.value !== "") showTestImage(Number(list.value));
  });

  // Decode the weights after the page's first paint, so that they never delay it.
  requestAnimationFrame(() => setTimeout(() => {
    performance.mark("draw: decoding");
    net = decodeNetwork(data);
    images = decodeImages(data);
    performance.measure("draw: decode the network", "draw: decoding");
    const p = data.provenance;
    app.querySelector("#draw-provenance").textContent = `Network: LeNet trained for ${p.epochs} epochs, `
      + `${p.trained} on ${p.where}, torch ${p.torch}.`;
    index.max = images.length - 1;
    images.forEach(({label}, i) => {
      list.add(new Option(`Test image ${i}: ${aDigit(label)}`, i));
    });
    controls.forEach(control => { control.disabled = false; });
    reset();
    app.dataset.state = "ready";
  }));
}

document.addEventListener("DOMContentLoaded", () => {
  const app = document.getElementById("draw-app");
  if (app) setUp(app, window.LENET_DATA);
});
