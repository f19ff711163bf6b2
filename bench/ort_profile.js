// Where ONNX Runtime spends a model's time, per operator type, from its own profiler.
//
// usage: node bench/ort_profile.js MODEL.onnx THREADS RUNS NAME=X.npy ...
//
// Runs the session of bench/ort_bench.js RUNS times with profiling on, drops the first
// fifth of the runs (warm-up), and prints one JSON line: the median run time and, per
// operator type (MatMul, Gemm, Softmax, ...), the kernel time per run in ms and how many
// of its nodes run. The profiler's own overhead is small (a timestamp per node).
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { createSession, readFeeds } = require("./ort_bench.js");

async function main() {
  const [model, threads, runs, ...inputs] = process.argv.slice(2);
  if (!model || !(Number(runs) >= 5) || inputs.length === 0)
    throw new Error("usage: node bench/ort_profile.js MODEL.onnx THREADS RUNS(>=5) NAME=X.npy ...");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ort-profile-"));
  const session = await createSession(model, threads, {
    enableProfiling: true,
    profileFilePrefix: path.join(dir, "profile"),
  });
  const feeds = readFeeds(inputs);
  for (let i = 0; i < Number(runs); i++) await session.run(feeds);
  session.endProfiling();
  const file = fs.readdirSync(dir).find((f) => f.endsWith(".json"));
  const events = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
  fs.rmSync(dir, { recursive: true });

  const modelRuns = events.filter((e) => e.name === "model_run");
  const skip = Math.floor(modelRuns.length / 5);
  const kept = modelRuns.slice(skip);
  const start = kept[0].ts;
  const perOp = {};
  for (const e of events) {
    if (e.cat !== "Node" || !e.name.endsWith("_kernel_time") || e.ts < start) continue;
    const op = e.args.op_name;
    perOp[op] = perOp[op] || { ms_per_run: 0, nodes: 0 };
    perOp[op].ms_per_run += e.dur / 1e3 / kept.length;
    perOp[op].nodes += 1 / kept.length;
  }
  const times = kept.map((e) => e.dur / 1e3).sort((a, b) => a - b);
  const mid = times.length >> 1;
  const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  for (const v of Object.values(perOp)) {
    v.ms_per_run = Number(v.ms_per_run.toFixed(3));
    v.nodes = Math.round(v.nodes);
  }
  console.log(JSON.stringify({ runs: kept.length, median_ms: median, ops: perOp }));
}

main().catch((e) => { console.error(`ort_profile: ${e.message}`); process.exit(1); });
