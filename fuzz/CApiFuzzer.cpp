//===- CApiFuzzer.cpp - libFuzzer target: the C API of a compiled model --===//
//
// Runs fuzz/capi_model.loom (compiled by loomc into an object linked here, uncompiled by the
// sanitizers) through loom.h with inputs made from the fuzz bytes. The first byte picks:
//   0  raw bytes for every input (any int64 ids and lengths, any float bit pattern);
//   1  one byte per integer entry, sign-extended (ids and lengths near their bounds, and
//      negative), small floats;
//   2  like 1, with an output that overlaps an input or a short error buffer;
//   3  the rest of the input is a weights file for loom_model_open.
// A run either succeeds or fails with a NUL-terminated message; range errors must name the
// input. Weights are deterministic values written once at start-up from the manifest.
//
//===----------------------------------------------------------------------===//
#include "InputFile.h"
#include "loom/Runtime/loom.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Buffer {
  std::string name, dtype;
  size_t elements = 0;
  std::vector<uint64_t> storage; ///< 8-byte aligned
  void *data() { return storage.data(); }
  size_t elementSize() const { return dtype == "I64" ? 8 : 4; }
  size_t bytes() const { return elements * elementSize(); }
};

loom_model *model = nullptr;
std::vector<Buffer> inputs, outputs;

[[noreturn]] void die(const std::string &message) {
  std::fprintf(stderr, "capi fuzzer: %s\n", message.c_str());
  std::abort();
}

std::vector<Buffer> buffers(const nlohmann::json &list) {
  std::vector<Buffer> out;
  for (const auto &t : list) {
    Buffer b;
    b.name = t.at("name").get<std::string>();
    b.dtype = t.at("dtype").get<std::string>();
    b.elements = 1;
    for (int64_t d : t.at("shape"))
      b.elements *= static_cast<size_t>(d);
    b.storage.assign((b.bytes() + 7) / 8, 0);
    out.push_back(std::move(b));
  }
  return out;
}

/// A safetensors file holding every weight of the manifest with small deterministic values.
std::string weightsFile(const nlohmann::json &weights) {
  nlohmann::json header = nlohmann::json::object();
  std::vector<float> values;
  uint32_t state = 12345;
  for (const auto &w : weights) {
    size_t n = 1;
    for (int64_t d : w.at("shape"))
      n *= static_cast<size_t>(d);
    header[w.at("name").get<std::string>()] = {
        {"dtype", "F32"}, {"shape", w.at("shape")},
        {"data_offsets", {values.size() * 4, (values.size() + n) * 4}}};
    for (size_t i = 0; i < n; ++i) {
      state = state * 1664525u + 1013904223u;
      values.push_back(static_cast<float>(state >> 8) / 16777216.0f - 0.5f);
    }
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string file(8, '\0');
  uint64_t len = text.size();
  std::memcpy(file.data(), &len, 8);
  file += text;
  file.append(reinterpret_cast<const char *>(values.data()), values.size() * 4);
  std::string path = "/tmp/loom-fuzz-capi-weights-" + std::to_string(getpid()) + ".safetensors";
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(file.data(), 1, file.size(), f) != file.size() || std::fclose(f) != 0)
    die("cannot write " + path);
  return path;
}

/// Fills the inputs from `data` (cyclically; zeros when empty).
void fill(const uint8_t *data, size_t size, bool compact) {
  size_t pos = 0;
  auto next = [&]() -> uint8_t { return size ? data[pos++ % size] : 0; };
  for (Buffer &b : inputs) {
    auto *bytes = reinterpret_cast<uint8_t *>(b.data());
    for (size_t i = 0; i < b.elements; ++i) {
      if (!compact) {
        for (size_t k = 0; k < b.elementSize(); ++k)
          bytes[i * b.elementSize() + k] = next();
      } else if (b.dtype == "I64") {
        static_cast<int64_t *>(b.data())[i] = static_cast<int8_t>(next());
      } else if (b.dtype == "I32") {
        static_cast<int32_t *>(b.data())[i] = static_cast<int8_t>(next());
      } else {
        static_cast<float *>(b.data())[i] = static_cast<int8_t>(next()) / 16.0f;
      }
    }
  }
}

int run(loom_model *m, void *aliasOutput, size_t errLen) {
  std::vector<const void *> in;
  for (Buffer &b : inputs)
    in.push_back(b.data());
  std::vector<void *> out;
  for (Buffer &b : outputs)
    out.push_back(b.data());
  if (aliasOutput)
    out[0] = aliasOutput;
  char err[512];
  std::memset(err, 'x', sizeof err);
  int rc = loom_model_run(m, in.data(), out.data(), err, errLen);
  if (rc != 0 && errLen > 0 && !std::memchr(err, '\0', errLen))
    die("an error message is not NUL-terminated within err_len");
  if (rc != 0 && errLen >= sizeof err && std::strlen(err) == 0)
    die("a failed run gave no message");
  if (rc == 0) { // read every output (a write past the end would be a finding)
    volatile float sum = 0;
    for (Buffer &b : outputs)
      for (size_t i = 0; i < b.elements; ++i)
        sum = sum + static_cast<const float *>(out[&b - outputs.data()])[i];
  }
  return rc;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  nlohmann::json manifest = nlohmann::json::parse(loom_model_manifest());
  inputs = buffers(manifest.at("inputs"));
  outputs = buffers(manifest.at("outputs"));
  std::string path = weightsFile(manifest.at("weights"));
  char err[512];
  model = loom_model_open(path.c_str(), err, sizeof err);
  if (!model)
    die(std::string("cannot open the model: ") + err);
  loom_set_num_threads(1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  uint8_t mode = data[0] % 4;
  ++data;
  --size;
  switch (mode) {
  case 0:
  case 1:
    fill(data, size, mode == 1);
    run(model, nullptr, 512);
    break;
  case 2: {
    fill(data, size, true);
    uint8_t pick = size ? data[0] : 0;
    if (pick % 2) { // the main output overlapping input `pick / 2`: always an error
      Buffer &in = inputs[(pick / 2) % inputs.size()];
      if (in.bytes() > 0 && run(model, in.data(), 512) == 0)
        die("a run whose output overlaps input '" + in.name + "' succeeded");
    } else {
      run(model, nullptr, pick / 2 % 8); // error buffers of 0..7 bytes
    }
    break;
  }
  default: {
    std::string path = loom::fuzz::writeInput(data, size, ".safetensors");
    if (path.empty())
      return 0;
    char err[512];
    if (loom_model *m = loom_model_open(path.c_str(), err, sizeof err)) {
      fill(nullptr, 0, true);
      run(m, nullptr, 512);
      loom_model_close(m);
    } else if (!std::memchr(err, '\0', sizeof err) || std::strlen(err) == 0) {
      die("a failed open gave no message");
    }
    break;
  }
  }
  return 0;
}
