//===- NpyFuzzer.cpp - libFuzzer target: .npy files ------------------------===//
//
// Reads the input as a .npy file and touches every element read. Errors (RuntimeError) are
// the expected outcome.
//
//===----------------------------------------------------------------------===//
#include "InputFile.h"
#include "loom/Runtime/Runtime.h"

#include <cstdint>
#include <string>

using namespace loom::rt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = loom::fuzz::writeInput(data, size, ".npy");
  if (path.empty())
    return 0;
  try {
    Array a = readNpy(path);
    size_t bytes = static_cast<size_t>(numElements(a.shape)) * dtypeSize(a.dtype);
    volatile unsigned char sum = 0;
    for (size_t i = 0; i < bytes; ++i)
      sum = sum + reinterpret_cast<const unsigned char *>(a.data.get())[i];
  } catch (const RuntimeError &) {
  }
  return 0;
}
