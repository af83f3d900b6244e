// A drawing made into an MNIST digit, as MNIST's authors prepared theirs: the digit is scaled
// to fit a 20×20 box (aspect ratio kept) and anti-aliased, then placed in a 28×28 image so
// that its centre of mass falls on the centre, and the pixels are normalised to [-1, 1] as in
// Q21. The pen strokes are redrawn at that scale with MNIST's stroke width, so that a digit
// drawn small is not a blob and one drawn large is not a hairline.
"use strict";

const MNIST_SIZE = 28, MNIST_BOX = 20;
// MNIST's median stroke width in pixels of the 28×28 image: ink per pixel of the strokes'
// middle line, over the test set (tests/browser/test_draw.py prints it).
const MNIST_PEN = 2.5;
const SUPERSAMPLE = 8;  // each pixel of the 20×20 box is drawn as 8×8, then averaged: anti-aliasing
// A drawing smaller than this fraction of the pad is scaled as if it were this large: a dot
// stays a dot instead of filling the box.
const SMALLEST_DRAWING = 0.1;

// The smallest rectangle holding every point of the strokes ([x, y] in pixels of the pad).
function strokeBox(strokes) {
  const xs = strokes.flat().map(p => p[0]), ys = strokes.flat().map(p => p[1]);
  const left = Math.min(...xs), top = Math.min(...ys);
  return {left, top, width: Math.max(...xs) - left, height: Math.max(...ys) - top};
}

// The strokes redrawn in a 20×20 box, supersampled: their longer side spans the box less
// one pen width, so that with the pen's round ends the ink fills it.
function renderStrokes(strokes, padSize) {
  const box = strokeBox(strokes);
  const side = MNIST_BOX * SUPERSAMPLE, pen = MNIST_PEN * SUPERSAMPLE;
  const extent = Math.max(box.width, box.height, SMALLEST_DRAWING * padSize);
  const scale = (side - pen) / extent;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = side;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  ctx.translate(side / 2, side / 2);
  ctx.scale(scale, scale);
  ctx.translate(-(box.left + box.width / 2), -(box.top + box.height / 2));
  ctx.lineWidth = pen / scale;
  ctx.lineCap = ctx.lineJoin = "round";
  for (const stroke of strokes) {
    ctx.beginPath();
    if (stroke.length === 1) {  // a tap: a round dot as wide as the pen
      ctx.arc(stroke[0][0], stroke[0][1], pen / scale / 2, 0, 2 * Math.PI);
      ctx.fill();
    } else {
      ctx.moveTo(...stroke[0]);
      for (const point of stroke.slice(1)) ctx.lineTo(...point);
      ctx.stroke();
    }
  }
  return ctx.getImageData(0, 0, side, side).data;
}

// The 20×20 box's ink in [0, 1]: each pixel the mean alpha of its SUPERSAMPLE² samples.
function shrink(rgba) {
  const side = MNIST_BOX * SUPERSAMPLE;
  const ink = new Float32Array(MNIST_BOX * MNIST_BOX);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      ink[Math.floor(y / SUPERSAMPLE) * MNIST_BOX + Math.floor(x / SUPERSAMPLE)] += rgba[4 * (y * side + x) + 3];
    }
  }
  return {data: ink.map(v => v / (255 * SUPERSAMPLE * SUPERSAMPLE)), height: MNIST_BOX, width: MNIST_BOX};
}

// The box's ink in a 28×28 image, moved so that its centre of mass is at pixel (14, 14), as in MNIST.
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

// Pen strokes (lists of [x, y] on a square pad `padSize` pixels wide) as the network's input;
// null when nothing is drawn.
function mnistInputFromStrokes(strokes, padSize) {
  if (!strokes.some(stroke => stroke.length)) return null;
  return normalise(centreByMass(shrink(renderStrokes(strokes.filter(s => s.length), padSize))));
}

// An MNIST image (784 bytes) as the network's input, exactly as mnistcnn.data.normalize makes it.
function mnistInputFromBytes(bytes) {
  return {data: Float32Array.from(bytes, b => Math.fround(b * Math.fround(2 / 255)) - 1), shape: [1, MNIST_SIZE, MNIST_SIZE]};
}
