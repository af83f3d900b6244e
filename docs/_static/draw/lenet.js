// LeNet's forward pass in plain JavaScript, layer for layer as mnistcnn.LeNet.forward.
// A tensor is {data: Float32Array, shape: [channels, height, width]}, or [n] for a vector;
// weights are laid out as PyTorch stores them (row-major, out × in × kh × kw).
"use strict";

function conv2d(x, weight, bias) {
  const [cin, h, w] = x.shape;
  const [cout, , k] = weight.shape;
  const oh = h - k + 1, ow = w - k + 1;
  const out = new Float32Array(cout * oh * ow);
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let sum = bias.data[o];
        for (let c = 0; c < cin; c++) {
          for (let u = 0; u < k; u++) {
            const row = (c * h + i + u) * w + j;
            const wrow = ((o * cin + c) * k + u) * k;
            for (let v = 0; v < k; v++) sum += weight.data[wrow + v] * x.data[row + v];
          }
        }
        out[(o * oh + i) * ow + j] = sum;
      }
    }
  }
  return {data: out, shape: [cout, oh, ow]};
}

function relu(x) {
  return {data: x.data.map(v => Math.max(v, 0)), shape: x.shape};
}

function maxPool2d(x) {
  const [c, h, w] = x.shape;
  const oh = Math.floor(h / 2), ow = Math.floor(w / 2);
  const out = new Float32Array(c * oh * ow);
  for (let n = 0; n < c; n++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const at = (n * h + 2 * i) * w + 2 * j;
        out[(n * oh + i) * ow + j] = Math.max(x.data[at], x.data[at + 1], x.data[at + w], x.data[at + w + 1]);
      }
    }
  }
  return {data: out, shape: [c, oh, ow]};
}

function linear(x, weight, bias) {
  const [nout, nin] = weight.shape;
  const out = new Float32Array(nout);
  for (let o = 0; o < nout; o++) {
    let sum = bias.data[o];
    for (let i = 0; i < nin; i++) sum += weight.data[o * nin + i] * x.data[i];
    out[o] = sum;
  }
  return {data: out, shape: [nout]};
}

// x: one 1×28×28 image, normalised as in Q21. Returns the ten scores and the feature maps.
function lenetForward(net, x) {
  const conv1 = relu(conv2d(x, net["conv1.weight"], net["conv1.bias"]));
  const conv2 = relu(conv2d(maxPool2d(conv1), net["conv2.weight"], net["conv2.bias"]));
  const flat = maxPool2d(conv2);  // 16×4×4, read in PyTorch's flatten order
  const fc1 = relu(linear({data: flat.data, shape: [256]}, net["fc1.weight"], net["fc1.bias"]));
  const fc2 = relu(linear(fc1, net["fc2.weight"], net["fc2.bias"]));
  const scores = linear(fc2, net["fc3.weight"], net["fc3.bias"]);
  return {scores: scores.data, conv1, conv2};
}
