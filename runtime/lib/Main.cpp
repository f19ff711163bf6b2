//===- Main.cpp - the main() of every compiled Loom executable ------------===//
//
//   MODEL --weights W.safetensors --input [NAME=]X.npy ... --output Y.npy
//         [--threads N] [--repeat R] [--warmup K] [--ignore GLOB]... [--print-manifest]
//   MODEL --weights W.safetensors --input-list LIST --output-dir DIR [--threads N]
//
// `--input X.npy` alone feeds the first input; a model with several inputs takes one
// `--input NAME=FILE.npy` for each.
//
// Batch inference: each line of LIST is one run's inputs in the same `[NAME=]FILE.npy`
// form, separated by spaces (blank lines and lines starting with # are skipped). Run i
// (0-based, in list order) writes DIR/i.npy, and DIR/i.NAME.npy for each extra output.
// Built with MPI (loomc --mpi) and started by mpirun, the ranks split the list into
// contiguous shares whose sizes differ by at most one run; every rank reads the weights
// and writes its own runs, so the results are those of one process.
//
//===----------------------------------------------------------------------===//
#include "loom/Runtime/Abi.h"
#include "loom/Runtime/Runtime.h"

#include <omp.h>
#ifdef LOOM_MPI
#include <mpi.h>
#endif

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <map>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace loom::rt;

namespace {
void usage(const char *argv0) {
  std::fprintf(stderr,
               "usage: %s --weights W.safetensors --input [NAME=]X.npy ... --output Y.npy\n"
               "          [--threads N] [--repeat R] [--warmup K] [--ignore GLOB]...\n"
               "          [--pack] [--print-manifest]\n"
               "       %s --weights W.safetensors --input-list LIST --output-dir DIR\n"
               "          [--threads N] [--ignore GLOB]...   (one run per line of LIST)\n"
               "  --ignore GLOB  skip weights-file tensors whose names match (e.g. buffers that\n"
               "                 older exports carry: 'embeddings.position_ids', 'h.*.attn.bias')\n"
               "  --pack         run each example alone on the rows of its length (the lengths\n"
               "                 input; dynamic batch and seq): padded output rows are zeros\n",
               argv0, argv0);
}

/// The processes sharing a batch: MPI's ranks when built with LOOM_MPI, else one.
struct Cluster {
  int rank = 0, size = 1;
  explicit Cluster(int &argc, char **&argv) {
#ifdef LOOM_MPI
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
#else
    (void)argc;
    (void)argv;
    // Started by mpirun but built without MPI: every process would do all the work.
    for (const char *v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
      if (const char *n = std::getenv(v); n && std::atoi(n) > 1)
        throw RuntimeError("this executable was built without MPI but runs as one of " +
                           std::string(n) + " processes; compile it with loomc --mpi");
#endif
  }
  ~Cluster() {
#ifdef LOOM_MPI
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized)
      MPI_Finalize();
#endif
  }
  /// Rank 0 gets the sum (or the maximum) over the ranks; the others their own value.
  double sum(double v) const { return reduce(v, /*max=*/false); }
  double max(double v) const { return reduce(v, /*max=*/true); }
  double reduce(double v, bool max) const {
#ifdef LOOM_MPI
    double r = v;
    MPI_Reduce(&v, &r, 1, MPI_DOUBLE, max ? MPI_MAX : MPI_SUM, 0, MPI_COMM_WORLD);
    return r;
#else
    (void)max;
    return v;
#endif
  }
  void barrier() const {
#ifdef LOOM_MPI
    MPI_Barrier(MPI_COMM_WORLD);
#endif
  }
  /// One rank's failure ends every rank (with its message).
  [[noreturn]] void abort(int code) const {
#ifdef LOOM_MPI
    if (size > 1)
      MPI_Abort(MPI_COMM_WORLD, code);
#endif
    std::exit(code);
  }
};

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

/// Arrays and their data pointers, the argument lists of loom_prepare and loom_forward.
struct Buffers {
  std::vector<Array> arrays;
  std::vector<void *> ptrs;
  explicit Buffers(std::vector<Array> a) : arrays(std::move(a)) {
    for (Array &x : arrays)
      ptrs.push_back(x.data.get());
  }
  /// Zero-filled arrays of `specs`' shapes and dtypes.
  static Buffers zeros(const std::vector<TensorSpec> &specs) {
    std::vector<Array> a;
    for (const TensorSpec &s : specs)
      a.push_back(Array::zeros(s.shape, s.dtype));
    return Buffers(std::move(a));
  }
};

/// A run's inputs and the sizes of the model's dynamic dimensions they give.
struct Inputs {
  std::vector<Array> arrays;
  std::vector<int64_t> dims; ///< in the order of the manifest's "dynamic"
};

/// Reads the inputs named by `args` (`[NAME=]PATH`, a bare path feeds the first input) and
/// checks them against the manifest. `where` prefixes errors (a list's line).
Inputs readInputs(const Manifest &m, const std::vector<std::string> &args,
                  const std::string &where) {
  std::map<std::string, std::string> inputPaths;
  for (const std::string &arg : args) {
    size_t eq = arg.find('=');
    std::string name = eq == std::string::npos ? m.inputs.front().name : arg.substr(0, eq);
    std::string path = eq == std::string::npos ? arg : arg.substr(eq + 1);
    if (std::none_of(m.inputs.begin(), m.inputs.end(),
                     [&](const TensorSpec &s) { return s.name == name; }))
      throw RuntimeError(where + "--input " + arg + ": the model has no input '" + name + "'");
    if (!inputPaths.emplace(name, path).second)
      throw RuntimeError(where + "input '" + name + "' is given twice");
  }
  Inputs inputs;
  std::vector<std::string> paths;
  for (const TensorSpec &s : m.inputs) {
    auto it = inputPaths.find(s.name);
    if (it == inputPaths.end())
      throw RuntimeError(where + "missing input '" + s.name + "' " + s.shapeText() + " " +
                         s.dtype + " (pass --input " + s.name + "=FILE.npy)");
    Array a;
    try {
      a = readNpy(it->second);
    } catch (const RuntimeError &e) {
      throw RuntimeError(where + e.what());
    }
    if (a.dtype != s.dtype)
      throw RuntimeError(where + it->second + ": input '" + s.name + "' has dtype " + a.dtype +
                         ", the model expects " + s.dtype);
    paths.push_back(it->second);
    inputs.arrays.push_back(std::move(a));
  }
  std::vector<Shape> shapes;
  for (const Array &a : inputs.arrays)
    shapes.push_back(a.shape);
  inputs.dims = m.sizeDynamic(shapes, where, paths);
  std::vector<TensorSpec> specs = m.resolved(m.inputs, inputs.dims);
  for (size_t i = 0; i < specs.size(); ++i)
    checkIndexBound(specs[i], inputs.arrays[i].data.get(), where + paths[i] + ": ");
  return inputs;
}

/// One forward pass over a batch; with `pack`, one per example on its valid rows
/// (runPacked).
void forward(const Manifest &m, std::vector<void *> &in, std::vector<void *> &w,
             std::vector<void *> &p, std::vector<void *> &out, const std::vector<int64_t> &dims,
             bool pack) {
  if (!pack) {
    loom_forward(in.data(), w.data(), p.data(), out.data(), dims.data());
    return;
  }
  runPacked(m, dims, in.data(), out.data(), [&](void **i, void **o, const int64_t *d) {
    loom_forward(i, w.data(), p.data(), o, d);
  });
}

/// The runs of an --input-list file: each line's `[NAME=]PATH` items.
std::vector<std::vector<std::string>> readInputList(const std::string &path) {
  std::ifstream f(path);
  if (!f)
    throw RuntimeError("cannot read --input-list '" + path + "'");
  std::vector<std::vector<std::string>> runs;
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream items(line);
    std::vector<std::string> run;
    for (std::string item; items >> item;)
      run.push_back(item);
    if (!run.empty() && run.front()[0] != '#')
      runs.push_back(std::move(run));
  }
  if (runs.empty())
    throw RuntimeError("--input-list '" + path + "' names no runs");
  return runs;
}

/// Runs this rank's share of `runs` (contiguous, sizes differing by at most one across the
/// ranks) and writes DIR/i.npy (and DIR/i.NAME.npy for extra outputs). Rank 0 prints the
/// throughput of all ranks.
int runBatch(const Manifest &m, std::vector<void *> &w,
             const std::vector<std::vector<std::string>> &runs, const std::string &dir,
             const Cluster &cluster, bool pack) {
  int64_t n = static_cast<int64_t>(runs.size()), ranks = cluster.size, r = cluster.rank;
  int64_t begin = r * (n / ranks) + std::min(r, n % ranks);
  int64_t end = begin + n / ranks + (r < n % ranks ? 1 : 0);
  if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
    throw RuntimeError("cannot create --output-dir '" + dir + "': " + std::strerror(errno));
  Buffers prepared = Buffers::zeros(m.prepared);
  loom_prepare(w.data(), prepared.ptrs.data());
  cluster.barrier();
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = begin; i < end; ++i) {
    Inputs read = readInputs(m, runs[i], "run " + std::to_string(i) + ": ");
    Buffers in(std::move(read.arrays));
    Buffers outputs = Buffers::zeros(m.resolved(m.outputs, read.dims));
    forward(m, in.ptrs, w, prepared.ptrs, outputs.ptrs, read.dims, pack);
    for (size_t o = 0; o < m.outputs.size(); ++o)
      writeNpy(dir + "/" + std::to_string(i) + (o ? "." + m.outputs[o].name : "") + ".npy",
               outputs.arrays[o]);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double slowest = cluster.max(seconds), done = cluster.sum(static_cast<double>(end - begin));
  std::fprintf(stderr, "loom: rank %d of %d ran %lld of %lld inputs (runs %lld-%lld) in %.3f s\n",
               cluster.rank, cluster.size, static_cast<long long>(end - begin),
               static_cast<long long>(n), static_cast<long long>(begin),
               static_cast<long long>(end - 1), seconds);
  if (cluster.rank == 0)
    std::fprintf(stderr, "loom: %s: %.0f inputs on %d rank(s) x %d thread(s) in %.3f s: %.2f inputs/s\n",
                 m.model.c_str(), done, cluster.size, omp_get_max_threads(), slowest,
                 done / slowest);
  return 0;
}

int main(int argc, char **argv) {
  loom::rt::keepBuffersInHeap();
  std::unique_ptr<Cluster> cluster;
  try {
    cluster = std::make_unique<Cluster>(argc, argv);
    std::string weightsPath;
    std::vector<std::string> ignored; ///< --ignore globs
    std::vector<std::string> outputArgs;
    std::vector<std::string> inputArgs;
    std::string inputList, outputDir;
    int64_t threads = 0, repeat = 1, warmup = 0;
    bool printManifest = false, pack = false;
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
      else if (a == "--input-list") inputList = value();
      else if (a == "--output-dir") outputDir = value();
      else if (a == "--threads") threads = parseInt(a, value(), 1, kMaxThreads);
      else if (a == "--repeat") repeat = parseInt(a, value(), 1, INT32_MAX);
      else if (a == "--warmup") warmup = parseInt(a, value(), 0, INT32_MAX);
      else if (a == "--ignore") ignored.push_back(value());
      else if (a == "--print-manifest") printManifest = true;
      else if (a == "--pack") pack = true;
      else if (a == "--help" || a == "-h") { usage(argv[0]); return 0; }
      else throw RuntimeError("unknown option '" + a + "'");
    }
    if (printManifest) {
      std::cout << loom_manifest << "\n";
      return 0;
    }
    bool batch = !inputList.empty() || !outputDir.empty();
    if (batch && (inputList.empty() || outputDir.empty() || !inputArgs.empty() ||
                  !outputArgs.empty()))
      throw RuntimeError("--input-list and --output-dir go together, without --input and "
                         "--output");
    if (batch && (repeat != 1 || warmup != 0))
      throw RuntimeError("--repeat and --warmup time one input; a list runs each line once");
    if (weightsPath.empty() || (!batch && (inputArgs.empty() || outputArgs.empty()))) {
      usage(argv[0]);
      return 2;
    }
    Manifest m = Manifest::parse(loom_manifest);
    SafeTensors weights(weightsPath);
    std::vector<void *> w = weights.bind(m.weights, m.unused, ignored);
    if (threads > 0)
      omp_set_num_threads(static_cast<int>(threads));
    if (batch)
      return runBatch(m, w, readInputList(inputList), outputDir, *cluster, pack);
    Inputs read = readInputs(m, inputArgs, "");
    Buffers inputs(std::move(read.arrays));
    Buffers prepared = Buffers::zeros(m.prepared);
    std::vector<void *> &in = inputs.ptrs, &p = prepared.ptrs;
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
    Buffers outputs = Buffers::zeros(m.resolved(m.outputs, read.dims));
    std::vector<void *> &out = outputs.ptrs;
    const std::vector<int64_t> &dims = read.dims;
    loom_prepare(w.data(), p.data());
    for (int64_t i = 0; i < warmup; ++i)
      forward(m, in, w, p, out, dims, pack);
    std::vector<double> ms;
    for (int64_t i = 0; i < repeat; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      forward(m, in, w, p, out, dims, pack);
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
        writeNpy(it->second, outputs.arrays[i]);
    return 0;
  } catch (const std::exception &e) {
    if (cluster && cluster->size > 1)
      std::fprintf(stderr, "error (rank %d): %s\n", cluster->rank, e.what());
    else
      std::fprintf(stderr, "error: %s\n", e.what());
    if (cluster)
      cluster->abort(1);
    return 1;
  }
}
