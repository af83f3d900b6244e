// A drawing made into an MNIST digit, as MNIST's authors prepared theirs: the stroke's
// bounding box is scaled to fit 20×20 (aspect ratio kept, each new pixel the mean of the
// area it covers), then placed in a 28×28 image so that its centre of mass falls on the
// centre, and the pixels are normalised to [-1, 1] as in Q21.
"use strict";

const MNIST_SIZE = 28, MNIST_BOX = 20;

// The ink of a drawing: the alpha of each pixel of an RGBA image, in [0, 1].
function inkOf(rgba) {
  const ink = new Float32Array(rgba.length / 4);
  for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i + 3] / 255;
  return ink;
}

// The smallest rectangle holding all the ink, or null for an empty drawing.
function boundingBox(ink, width) {
  let top = Infinity, left = Infinity, bottom = -1, right = -1;
  for (let i = 0; i < ink.length; i++) {
    if (ink[i] > 0) {
      const y = Math.floor(i / width), x = i % width;
      top = Math.min(top, y); bottom = Math.max(bottom, y);
      left = Math.min(left, x); right = Math.max(right, x);
    }
  }
  return bottom < 0 ? null : {top, left, height: bottom - top + 1, width: right - left + 1};
}

// For each of n new pixels of `scale` old ones from `start`: the old pixels it covers and how much.
function areaWeights(start, scale, n) {
  const weights = [];
  for (let j = 0; j < n; j++) {
    const from = start + j * scale, to = from + scale, covers = [];
    for (let k = Math.floor(from); k < Math.ceil(to - 1e-9); k++) {
      covers.push([k, (Math.min(to, k + 1) - Math.max(from, k)) / scale]);
    }
    weights.push(covers);
  }
  return weights;
}

// The ink of `box` shrunk so that its longer side is MNIST_BOX pixels.
function fitBox(ink, width, box) {
  const scale = Math.max(box.height, box.width) / MNIST_BOX;
  const h = Math.max(1, Math.round(box.height / scale)), w = Math.max(1, Math.round(box.width / scale));
  const rows = areaWeights(box.top, box.height / h, h), cols = areaWeights(box.left, box.width / w, w);
  const out = new Float32Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      let sum = 0;
      for (const [y, wy] of rows[i]) for (const [x, wx] of cols[j]) sum += wy * wx * ink[y * width + x];
      out[i * w + j] = sum;
    }
  }
  return {data: out, height: h, width: w};
}

// The shrunk ink in a 28×28 image, moved so that its centre of mass is at (14, 14), as in MNIST.
function centreByMass(patch) {
  let mass = 0, my = 0, mx = 0;
  for (let i = 0; i < patch.height; i++) {
    for (let j = 0; j < patch.width; j++) {
      const v = patch.data[i * patch.width + j];
      mass += v; my += v * i; mx += v * j;
    }
  }
  const place = (com, size) => Math.min(MNIST_SIZE - size, Math.max(0, Math.round(MNIST_SIZE / 2 - com)));
  const top = place(my / mass, patch.height), left = place(mx / mass, patch.width);
  const image = new Float32Array(MNIST_SIZE * MNIST_SIZE);
  for (let i = 0; i < patch.height; i++) {
    for (let j = 0; j < patch.width; j++) image[(top + i) * MNIST_SIZE + left + j] = patch.data[i * patch.width + j];
  }
  return image;
}

// Q21's normalisation, pixel p in [0, 1] (a byte divided by 255) to 2p - 1, as a 1×28×28 tensor.
function normalise(pixels) {
  return {data: Float32Array.from(pixels, p => 2 * p - 1), shape: [1, MNIST_SIZE, MNIST_SIZE]};
}

// A drawing (RGBA bytes, `width` pixels wide) as the network's input; null when nothing is drawn.
function mnistInputFromDrawing(rgba, width) {
  const ink = inkOf(rgba);
  const box = boundingBox(ink, width);
  return box && normalise(centreByMass(fitBox(ink, width, box)));
}

// An MNIST image (784 bytes) as the network's input, exactly as mnistcnn.data.normalize makes it.
function mnistInputFromBytes(bytes) {
  return {data: Float32Array.from(bytes, b => Math.fround(b * Math.fround(2 / 255)) - 1), shape: [1, MNIST_SIZE, MNIST_SIZE]};
}
