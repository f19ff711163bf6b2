// Times one ONNX model with ONNX Runtime (CPU execution provider) for bench/bench.py.
//
// usage: node bench/ort_bench.js MODEL.onnx THREADS WARMUP REPEAT OUT.npy NAME=X.npy ...
//
// Inputs are .npy files (float32 or int64, C order). The first output is written to
// OUT.npy (float32). Prints one JSON line: {"median_ms": ..., "min_ms": ...} where each
// time is one session.run() call after WARMUP untimed calls.
"use strict";
const fs = require("fs");
const path = require("path");
const ort = require(path.join(__dirname, "node_modules", "onnxruntime-node"));

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.readUInt32BE(0) !== 0x934e554d) throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.toString("latin1", major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(",").map((s) => s.trim())
    .filter((s) => s.length).map(Number);
  const body = buf.subarray(start);
  const copy = new Uint8Array(body).buffer; // aligned copy
  if (descr === "<f4") return new ort.Tensor("float32", new Float32Array(copy), shape);
  if (descr === "<i8") return new ort.Tensor("int64", new BigInt64Array(copy), shape);
  throw new Error(`${file}: unsupported dtype ${descr}`);
}

function writeNpy(file, tensor) {
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(", ")})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  header += " ".repeat(64 - ((10 + header.length + 1) % 64)) + "\n";
  const pre = Buffer.alloc(10);
  pre.writeUInt32BE(0x934e554d, 0);
  pre[4] = 0x50; pre[5] = 0x59; pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const data = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, "latin1"), data]));
}

/// The session bench.py times: CPU provider, all graph optimisations, sequential.
function createSession(model, threads, extra = {}) {
  return ort.InferenceSession.create(model, {
    executionProviders: ["cpu"],
    intraOpNumThreads: Number(threads),
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    ...extra,
  });
}

/// NAME=X.npy arguments -> session feeds.
function readFeeds(inputs) {
  const feeds = {};
  for (const arg of inputs) {
    const eq = arg.indexOf("=");
    feeds[arg.slice(0, eq)] = readNpy(arg.slice(eq + 1));
  }
  return feeds;
}

async function main() {
  const [model, threads, warmup, repeat, out, ...inputs] = process.argv.slice(2);
  const session = await createSession(model, threads);
  const feeds = readFeeds(inputs);
  let result;
  for (let i = 0; i < Number(warmup); i++) result = await session.run(feeds);
  const times = [];
  for (let i = 0; i < Number(repeat); i++) {
    const t0 = process.hrtime.bigint();
    result = await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  writeNpy(out, result[session.outputNames[0]]);
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  console.log(JSON.stringify({ median_ms: median, min_ms: times[0] }));
}

module.exports = { createSession, readFeeds };

if (require.main === module)
  main().catch((e) => { console.error(`ort_bench: ${e.message}`); process.exit(1); });
