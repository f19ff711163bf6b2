//===- SafeTensorsFuzzer.cpp - libFuzzer target: safetensors files --------===//
//
// Maps the input as a safetensors file and binds it against a small fixed model (two F32
// weights, an optional I64 scalar, an ignore glob), then reads every bound value, so that a
// pointer past the data is a finding. Errors (RuntimeError) are the expected outcome.
//
//===----------------------------------------------------------------------===//
#include "InputFile.h"
#include "loom/Runtime/Runtime.h"

#include <cstdint>
#include <string>

using namespace loom::rt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = loom::fuzz::writeInput(data, size, ".safetensors");
  if (path.empty())
    return 0;
  try {
    SafeTensors st(path);
    std::vector<TensorSpec> weights = {{"w", {2, 3}, "F32", 0}, {"b", {3}, "F32", 0}};
    std::vector<void *> p = st.bind(weights, {{"n", {}, "I64", 0}}, {"x.*"});
    volatile float sum = 0;
    for (size_t i = 0; i < p.size(); ++i)
      for (int64_t k = 0; k < numElements(weights[i].shape); ++k)
        sum = sum + static_cast<const float *>(p[i])[k];
  } catch (const RuntimeError &) {
  }
  return 0;
}
