//===- CApi.cpp - the C API of shared-library models (loom.h) -------------===//
#include "loom/Runtime/loom.h"
#include "loom/Runtime/Abi.h"
#include "loom/Runtime/Runtime.h"

#include <omp.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

using namespace loom::rt;

struct loom_model {
  Manifest manifest;
  std::unique_ptr<SafeTensors> weights;
  std::vector<void *> weightPtrs, preparedPtrs;
  std::vector<Array> prepared;
};

namespace {
/// The team size of every later run, on any thread (0: OpenMP's default).
std::atomic<int> numThreads{0};

void setError(char *err, size_t len, const char *message) {
  if (err && len > 0)
    std::snprintf(err, len, "%s", message);
}
} // namespace

extern "C" const char *loom_model_manifest(void) { return loom_manifest; }

namespace {
/// Allocates the prepared weights and runs the one-time weight preparation.
loom_model *prepare(std::unique_ptr<loom_model> m) {
  for (const TensorSpec &s : m->manifest.prepared) {
    m->prepared.push_back(Array::zeros(s.shape, s.dtype));
    m->preparedPtrs.push_back(m->prepared.back().data.get());
  }
  loom_prepare(m->weightPtrs.data(), m->preparedPtrs.data());
  return m.release();
}
} // namespace

extern "C" loom_model *loom_model_open_ignoring(const char *weightsPath,
                                                const char *const *ignore, size_t nIgnore,
                                                char *err, size_t errLen) {
  try {
    loom::rt::keepBuffersInHeap();
    auto m = std::make_unique<loom_model>();
    m->manifest = Manifest::parse(loom_manifest);
    std::vector<std::string> globs;
    for (size_t i = 0; i < nIgnore; ++i) {
      if (!ignore || !ignore[i])
        throw RuntimeError("loom_model_open: ignore glob " + std::to_string(i) + " is null");
      globs.push_back(ignore[i]);
    }
    m->weights = std::make_unique<SafeTensors>(weightsPath ? weightsPath : "");
    m->weightPtrs = m->weights->bind(m->manifest.weights, m->manifest.unused, globs);
    return prepare(std::move(m));
  } catch (const std::exception &e) {
    setError(err, errLen, e.what());
    return nullptr;
  }
}

extern "C" loom_model *loom_model_open(const char *weightsPath, char *err, size_t errLen) {
  return loom_model_open_ignoring(weightsPath, nullptr, 0, err, errLen);
}

extern "C" loom_model *loom_model_open_buffers(const void *const *weights, char *err,
                                               size_t errLen) {
  try {
    loom::rt::keepBuffersInHeap();
    auto m = std::make_unique<loom_model>();
    m->manifest = Manifest::parse(loom_manifest);
    if (!weights && !m->manifest.weights.empty())
      throw RuntimeError("loom_model_open_buffers: weights is null");
    for (size_t i = 0; i < m->manifest.weights.size(); ++i) {
      if (!weights[i])
        throw RuntimeError("loom_model_open_buffers: weight '" + m->manifest.weights[i].name +
                           "' is null");
      m->weightPtrs.push_back(const_cast<void *>(weights[i]));
    }
    return prepare(std::move(m));
  } catch (const std::exception &e) {
    setError(err, errLen, e.what());
    return nullptr;
  }
}

namespace {
/// loom_model_run_sized and loom_model_run_packed: the checks, then one run of the batch or
/// (packed) one per example on its valid rows.
int run(loom_model *model, const int64_t *dims, size_t nDims, const void *const *inputs,
        void *const *outputs, bool packed, char *err, size_t errLen) {
  if (!model || !inputs || !outputs || (nDims > 0 && !dims)) {
    setError(err, errLen, "loom_model_run: null model, inputs, output or dims");
    return 1;
  }
  // The buffers' shapes with the dynamic dimensions sized.
  std::vector<int64_t> sizes(dims, dims + nDims);
  std::vector<TensorSpec> inSpecs, outSpecs;
  try {
    model->manifest.checkDynamic(sizes, "loom_model_run: ");
    inSpecs = model->manifest.resolved(model->manifest.inputs, sizes);
    outSpecs = model->manifest.resolved(model->manifest.outputs, sizes);
  } catch (const std::exception &e) {
    setError(err, errLen, e.what());
    return 1;
  }
  // Every input and output pointer must be set.
  auto anyNull = [&](const char *kind, const std::vector<TensorSpec> &specs,
                     const auto *ptrs) {
    for (size_t i = 0; i < specs.size(); ++i)
      if (!ptrs[i]) {
        setError(err, errLen, (std::string("loom_model_run: ") + kind + " '" + specs[i].name +
                               "' is null").c_str());
        return true;
      }
    return false;
  };
  if (anyNull("input", inSpecs, inputs) || anyNull("output", outSpecs, outputs))
    return 1;
  // The model computes each output in place, while it still reads its inputs: an output
  // that shares memory with an input or another output would give wrong results.
  struct Range {
    const char *kind;
    const TensorSpec *spec;
    uintptr_t begin, end;
  };
  std::vector<Range> ranges;
  auto add = [&](const char *kind, const TensorSpec &spec, const void *p) {
    size_t bytes = static_cast<size_t>(numElements(spec.shape)) * dtypeSize(spec.dtype);
    auto b = reinterpret_cast<uintptr_t>(p);
    ranges.push_back({kind, &spec, b, b + bytes});
  };
  for (size_t i = 0; i < outSpecs.size(); ++i)
    add("output", outSpecs[i], outputs[i]);
  size_t nOutputs = ranges.size();
  for (size_t i = 0; i < inSpecs.size(); ++i)
    add("input", inSpecs[i], inputs[i]);
  for (size_t i = 0; i < nOutputs; ++i)
    for (size_t j = i + 1; j < ranges.size(); ++j)
      if (ranges[i].begin < ranges[j].end && ranges[j].begin < ranges[i].end) {
        setError(err, errLen, ("loom_model_run: output '" + ranges[i].spec->name +
                               "' overlaps " + ranges[j].kind + " '" + ranges[j].spec->name +
                               "' (outputs need buffers of their own)")
                                  .c_str());
        return 1;
      }
  try {
    for (size_t i = 0; i < inSpecs.size(); ++i)
      loom::rt::checkIndexBound(inSpecs[i], inputs[i], "loom_model_run: ");
  } catch (const std::exception &e) {
    setError(err, errLen, e.what());
    return 1;
  }
  // omp_set_num_threads sets the calling thread's team size only: apply the latest
  // loom_set_num_threads on whichever thread runs.
  if (int n = numThreads.load(); n > 0)
    omp_set_num_threads(n);
  if (!packed) {
    loom_forward(const_cast<void **>(inputs), model->weightPtrs.data(),
                 model->preparedPtrs.data(), const_cast<void **>(outputs), sizes.data());
    return 0;
  }
  try {
    runPacked(model->manifest, sizes, inputs, outputs,
              [&](void **in, void **out, const int64_t *d) {
                loom_forward(in, model->weightPtrs.data(), model->preparedPtrs.data(), out, d);
              });
  } catch (const std::exception &e) {
    setError(err, errLen, (std::string("loom_model_run_packed: ") + e.what()).c_str());
    return 1;
  }
  return 0;
}
} // namespace

extern "C" int loom_model_run_sized(loom_model *model, const int64_t *dims, size_t nDims,
                                    const void *const *inputs, void *const *outputs, char *err,
                                    size_t errLen) {
  return run(model, dims, nDims, inputs, outputs, /*packed=*/false, err, errLen);
}

extern "C" int loom_model_run_packed(loom_model *model, const int64_t *dims, size_t nDims,
                                     const void *const *inputs, void *const *outputs, char *err,
                                     size_t errLen) {
  return run(model, dims, nDims, inputs, outputs, /*packed=*/true, err, errLen);
}

extern "C" int loom_model_run(loom_model *model, const void *const *inputs,
                              void *const *outputs, char *err, size_t errLen) {
  return loom_model_run_sized(model, nullptr, 0, inputs, outputs, err, errLen);
}

extern "C" void loom_model_close(loom_model *model) { delete model; }

extern "C" void loom_set_num_threads(int n) {
  // OpenMP aborts when asked for far more threads than it can start: clamp to 1024.
  if (n > 0)
    numThreads.store(n < 1024 ? n : 1024);
}
