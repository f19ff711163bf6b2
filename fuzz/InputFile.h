//===- InputFile.h - the fuzz input as a file the readers can open -------*- C++ -*-===//
//
// The safetensors and .npy readers take paths (safetensors maps the file), so each input is
// written to a per-process file first.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_FUZZ_INPUTFILE_H
#define LOOM_FUZZ_INPUTFILE_H

#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace loom::fuzz {

/// Writes `data` to /tmp/loom-fuzz-<pid><suffix> and returns the path, or "" on failure.
inline std::string writeInput(const uint8_t *data, size_t size, const char *suffix) {
  std::string path = "/tmp/loom-fuzz-" + std::to_string(getpid()) + suffix;
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return "";
  bool ok = std::fwrite(data, 1, size, f) == size;
  ok = std::fclose(f) == 0 && ok;
  return ok ? path : "";
}

} // namespace loom::fuzz

#endif
