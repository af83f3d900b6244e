// The "Draw a digit" page: a drawing pad, or a test image, through the book's LeNet.
// The network and the test images come from network.js, written by the build.
"use strict";

const PEN_WIDTH = 22;  // pixels of the 280×280 pad: after scaling, about MNIST's stroke width
const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

// The network's tensors, keyed by their PyTorch names, from the build's float32 little-endian bytes.
function decodeNetwork(data) {
  const bytes = Uint8Array.from(atob(data.weights), c => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  const net = {};
  let offset = 0;
  for (const {name, shape} of data.tensors) {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++, offset += 4) values[i] = view.getFloat32(offset, true);
    net[name] = {data: values, shape};
  }
  return net;
}

function decodeImages(data) {
  const bytes = Uint8Array.from(atob(data.images), c => c.charCodeAt(0));
  return data.labels.map((label, i) => ({label, bytes: bytes.subarray(784 * i, 784 * (i + 1))}));
}

function softmax(scores) {
  const top = Math.max(...scores);
  const e = Array.from(scores, s => Math.exp(s - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map(v => v / sum);
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

function featureMaps(container, count, size, title) {
  const canvases = [];
  for (let c = 0; c < count; c++) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `${title} feature map ${c + 1}`);
    container.append(canvas);
    canvases.push(canvas);
  }
  return canvases;
}

function setUp(app, data) {
  const pad = app.querySelector("#draw-pad");
  const ctx = pad.getContext("2d", {willReadFrequently: true});
  const answer = app.querySelector("#draw-answer");
  const digit = app.querySelector("#draw-digit");
  const input = app.querySelector("#draw-input");
  const index = app.querySelector("#draw-index");
  const list = app.querySelector("#draw-list");
  const rows = DIGITS.map(d => {
    const row = document.createElement("li");
    row.innerHTML = `<span class="draw-label">${d}</span><span class="draw-bar"><span></span></span>`
      + `<span class="draw-value"></span>`;
    app.querySelector("#draw-scores").append(row);
    return row;
  });
  const conv1 = featureMaps(app.querySelector("#draw-conv1"), 6, 24, "conv1");
  const conv2 = featureMaps(app.querySelector("#draw-conv2"), 16, 8, "conv2");

  if (!data) {
    answer.textContent = "This build of the site ran no code, so it holds no trained network: "
      + "build it with nox -s docs to draw here.";
    app.querySelectorAll("button, input, select").forEach(control => { control.disabled = true; });
    return;
  }
  const net = decodeNetwork(data);
  const images = decodeImages(data);
  const p = data.provenance;
  app.querySelector("#draw-provenance").textContent = `Network: LeNet trained for ${p.epochs} epochs, `
    + `${p.trained} on ${p.where}, torch ${p.torch}.`;
  index.max = images.length - 1;
  images.forEach(({label}, i) => list.add(new Option(`Test image ${i}: a ${label}`, i)));

  function show(x, announcement) {
    const {scores, conv1: maps1, conv2: maps2} = lenetForward(net, x);
    const probabilities = softmax(scores);
    const best = probabilities.indexOf(Math.max(...probabilities));
    rows.forEach((row, d) => {
      row.querySelector(".draw-bar span").style.width = `${(100 * probabilities[d]).toFixed(1)}%`;
      row.querySelector(".draw-value").textContent = `${(100 * probabilities[d]).toFixed(1)} %`;
      row.classList.toggle("draw-best", d === best);
    });
    digit.textContent = best;
    answer.dataset.digit = best;
    if (announcement) answer.textContent = `${announcement} The network reads a ${best}, `
      + `with probability ${(100 * probabilities[best]).toFixed(1)} %.`;
    paint(input, x.data, 28, 28, -1, 1);
    [[maps1, conv1, 24], [maps2, conv2, 8]].forEach(([maps, canvases, size]) => canvases.forEach((canvas, c) => {
      const map = maps.data.subarray(c * size * size, (c + 1) * size * size);
      paint(canvas, map, size, size, 0, Math.max(...map));
    }));
  }

  function reset() {
    ctx.clearRect(0, 0, pad.width, pad.height);
    pad.dataset.showing = "drawing";
    rows.forEach(row => {
      row.querySelector(".draw-bar span").style.width = "0";
      row.querySelector(".draw-value").textContent = "";
      row.classList.remove("draw-best");
    });
    digit.textContent = "";
    delete answer.dataset.digit;
    answer.textContent = "The pad is empty: draw a digit, or pick a test image.";
    [input, ...conv1, ...conv2].forEach(canvas => canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height));
  }

  function showDrawing(announce) {
    const x = mnistInputFromDrawing(ctx.getImageData(0, 0, pad.width, pad.height).data, pad.width);
    if (x) show(x, announce ? "Your drawing." : null);
  }

  function showTestImage(i) {
    const {label, bytes} = images[i];
    const small = new ImageData(28, 28);
    bytes.forEach((b, k) => small.data.set([0, 0, 0, b], 4 * k));
    const scratch = document.createElement("canvas");
    scratch.width = scratch.height = 28;
    scratch.getContext("2d").putImageData(small, 0, 0);
    ctx.clearRect(0, 0, pad.width, pad.height);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(scratch, 0, 0, pad.width, pad.height);
    pad.dataset.showing = "test image";
    index.value = list.value = i;
    show(mnistInputFromBytes(bytes), `Test image ${i}, labelled ${label}.`);
  }

  let last = null;
  let pending = false;
  function point(event) {
    const box = pad.getBoundingClientRect();
    return [(event.clientX - box.left) * pad.width / box.width, (event.clientY - box.top) * pad.height / box.height];
  }
  pad.addEventListener("pointerdown", event => {
    if (pad.dataset.showing !== "drawing") reset();
    pad.setPointerCapture(event.pointerId);
    last = point(event);
    ctx.lineWidth = PEN_WIDTH;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.strokeStyle = "#000";
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(...last);
    ctx.stroke();
    event.preventDefault();
  });
  pad.addEventListener("pointermove", event => {
    if (!last) return;
    // The browser may deliver one event for several moves: follow every one of them.
    const moves = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    ctx.beginPath();
    ctx.moveTo(...last);
    for (const move of moves.length ? moves : [event]) {
      last = point(move);
      ctx.lineTo(...last);
    }
    ctx.stroke();
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => { pending = false; showDrawing(false); });
    }
  });
  const end = () => {
    if (!last) return;
    last = null;
    showDrawing(true);
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
  app.querySelector("#draw-clear").addEventListener("click", reset);
  index.addEventListener("change", () => {
    const i = Number(index.value);
    if (Number.isInteger(i) && i >= 0 && i < images.length) showTestImage(i);
  });
  list.addEventListener("change", () => showTestImage(Number(list.value)));
  reset();
}

document.addEventListener("DOMContentLoaded", () => {
  const app = document.getElementById("draw-app");
  if (app) setUp(app, window.LENET_DATA);
});
