//===- Main.cpp - the main() of every compiled Loom executable ------------===//
//
//   MODEL --weights W.safetensors --input [NAME=]X.npy ... --output Y.npy
//         [--threads N] [--repeat R] [--warmup K] [--ignore GLOB]... [--print-manifest]
//
// `--input X.npy` alone feeds the first input; a model with several inputs takes one
// `--input NAME=FILE.npy` for each.
//
//===----------------------------------------------------------------------===//
#include "loom/Runtime/Abi.h"
#include "loom/Runtime/Runtime.h"

#include <omp.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

using namespace loom::rt;

namespace {
void usage(const char *argv0) {
  std::fprintf(stderr,
               "usage: %s --weights W.safetensors --input [NAME=]X.npy ... --output Y.npy\n"
               "          [--threads N] [--repeat R] [--warmup K] [--ignore GLOB]...\n"
               "          [--print-manifest]\n"
               "  --ignore GLOB  skip weights-file tensors whose names match (e.g. buffers that\n"
               "                 older exports carry: 'embeddings.position_ids', 'h.*.attn.bias')\n",
               argv0);
}

/// An integer flag value in [lo, hi].
int64_t parseInt(const std::string &flag, const char *v, int64_t lo, int64_t hi) {
  char *end = nullptr;
  errno = 0;
  long long n = std::strtoll(v, &end, 10);
  if (*v == '\0' || *end != '\0' || errno == ERANGE || n < lo || n > hi)
    throw RuntimeError(flag + " expects an integer in [" + std::to_string(lo) + ", " +
                       std::to_string(hi) + "], got '" + std::string(v) + "'");
  return n;
}
} // namespace

/// OpenMP aborts when asked for far more threads than it can start.
constexpr int64_t kMaxThreads = 1024;

int main(int argc, char **argv) {
  loom::rt::keepBuffersInHeap();
  try {
    std::string weightsPath;
    std::vector<std::string> ignored; ///< --ignore globs
    std::vector<std::string> outputArgs;
    std::vector<std::string> inputArgs;
    int64_t threads = 0, repeat = 1, warmup = 0;
    bool printManifest = false;
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      auto value = [&]() -> const char * {
        if (i + 1 >= argc)
          throw RuntimeError(a + " needs a value");
        return argv[++i];
      };
      if (a == "--weights") weightsPath = value();
      else if (a == "--input") inputArgs.push_back(value());
      else if (a == "--output") outputArgs.push_back(value());
      else if (a == "--threads") threads = parseInt(a, value(), 1, kMaxThreads);
      else if (a == "--repeat") repeat = parseInt(a, value(), 1, INT32_MAX);
      else if (a == "--warmup") warmup = parseInt(a, value(), 0, INT32_MAX);
      else if (a == "--ignore") ignored.push_back(value());
      else if (a == "--print-manifest") printManifest = true;
      else if (a == "--help" || a == "-h") { usage(argv[0]); return 0; }
      else throw RuntimeError("unknown option '" + a + "'");
    }
    if (printManifest) {
      std::cout << loom_manifest << "\n";
      return 0;
    }
    if (weightsPath.empty() || inputArgs.empty() || outputArgs.empty()) {
      usage(argv[0]);
      return 2;
    }
    Manifest m = Manifest::parse(loom_manifest);
    SafeTensors weights(weightsPath);
    std::vector<void *> w = weights.bind(m.weights, m.unused, ignored);
    // Inputs: NAME=PATH, or a bare PATH for the first input.
    std::map<std::string, std::string> inputPaths;
    for (const std::string &arg : inputArgs) {
      size_t eq = arg.find('=');
      std::string name = eq == std::string::npos ? m.inputs.front().name : arg.substr(0, eq);
      std::string path = eq == std::string::npos ? arg : arg.substr(eq + 1);
      if (std::none_of(m.inputs.begin(), m.inputs.end(),
                       [&](const TensorSpec &s) { return s.name == name; }))
        throw RuntimeError("--input " + arg + ": the model has no input '" + name + "'");
      if (!inputPaths.emplace(name, path).second)
        throw RuntimeError("input '" + name + "' is given twice");
    }
    std::vector<Array> inputs;
    std::vector<void *> in;
    for (const TensorSpec &s : m.inputs) {
      auto it = inputPaths.find(s.name);
      if (it == inputPaths.end())
        throw RuntimeError("missing input '" + s.name + "' " + shapeStr(s.shape) + " " + s.dtype +
                           " (pass --input " + s.name + "=FILE.npy)");
      Array a = readNpy(it->second);
      if (a.dtype != s.dtype)
        throw RuntimeError(it->second + ": input '" + s.name + "' has dtype " + a.dtype +
                           ", the model expects " + s.dtype);
      if (a.shape != s.shape)
        throw RuntimeError(it->second + ": input '" + s.name + "' has shape " + shapeStr(a.shape) +
                           ", the model was compiled for " + shapeStr(s.shape) +
                           " (recompile with loomc -D to change it)");
      checkIndexBound(s, a.data.get(), it->second + ": ");
      in.push_back(a.data.get());
      inputs.push_back(std::move(a));
    }
    std::vector<Array> prepared;
    std::vector<void *> p;
    for (const TensorSpec &s : m.prepared) {
      prepared.push_back(Array::zeros(s.shape));
      p.push_back(prepared.back().data.get());
    }
    // Outputs: NAME=PATH, or a bare PATH for the main output; unnamed extras are not written.
    std::map<std::string, std::string> outputPaths;
    for (const std::string &arg : outputArgs) {
      size_t eq = arg.find('=');
      std::string name = eq == std::string::npos ? m.outputs.front().name : arg.substr(0, eq);
      if (std::none_of(m.outputs.begin(), m.outputs.end(),
                       [&](const TensorSpec &s) { return s.name == name; }))
        throw RuntimeError("--output " + arg + ": the model has no output '" + name + "'");
      outputPaths[name] = eq == std::string::npos ? arg : arg.substr(eq + 1);
    }
    std::vector<Array> outputs;
    std::vector<void *> out;
    for (const TensorSpec &s : m.outputs) {
      outputs.push_back(Array::zeros(s.shape, s.dtype));
      out.push_back(outputs.back().data.get());
    }
    if (threads > 0)
      omp_set_num_threads(static_cast<int>(threads));

    loom_prepare(w.data(), p.data());
    for (int64_t i = 0; i < warmup; ++i)
      loom_forward(in.data(), w.data(), p.data(), out.data());
    std::vector<double> ms;
    for (int64_t i = 0; i < repeat; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      loom_forward(in.data(), w.data(), p.data(), out.data());
      auto t1 = std::chrono::steady_clock::now();
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    double median = sorted[sorted.size() / 2];
    if (sorted.size() % 2 == 0)
      median = 0.5 * (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]);
    std::fprintf(stderr, "loom: %s forward: median %.3f ms, min %.3f ms over %lld run(s), %d thread(s)\n",
                 m.model.c_str(), median, sorted.front(), static_cast<long long>(repeat),
                 omp_get_max_threads());
    for (size_t i = 0; i < m.outputs.size(); ++i)
      if (auto it = outputPaths.find(m.outputs[i].name); it != outputPaths.end())
        writeNpy(it->second, outputs[i]);
    return 0;
  } catch (const RuntimeError &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
