//===- Runtime.cpp - safetensors, .npy, manifest --------------------------===//
#include "loom/Runtime/Runtime.h"
#include "loom/Runtime/Abi.h"

#include <fnmatch.h>

#include <malloc.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <limits>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using json = nlohmann::json;
using namespace loom::rt;

std::string loom::rt::shapeStr(const Shape &s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

int64_t loom::rt::numElements(const Shape &s) {
  int64_t n = 1;
  for (int64_t d : s)
    if (d < 0 || __builtin_mul_overflow(n, d, &n))
      throw RuntimeError("shape " + shapeStr(s) + " has a negative dimension or more than "
                         "2^63 elements");
  return n;
}

//===----------------------------------------------------------------------===//
// Manifest
//===----------------------------------------------------------------------===//
namespace {
/// A buffer of the manifest; a dynamic dimension is written as its name.
TensorSpec specFrom(const json &j) {
  TensorSpec s{j.at("name").get<std::string>(), {}, j.at("dtype").get<std::string>(),
               j.value("bound", int64_t(0))};
  s.boundDim = j.value("bound_dim", std::string());
  s.boundPlus = j.value("bound_plus", int64_t(0));
  for (const json &d : j.at("shape")) {
    bool named = d.is_string();
    s.shape.push_back(named ? -1 : d.get<int64_t>());
    s.dimNames.push_back(named ? d.get<std::string>() : std::string());
  }
  return s;
}
} // namespace

std::string TensorSpec::shapeText() const {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? ", " : "") + (i < dimNames.size() && !dimNames[i].empty()
                                  ? dimNames[i]
                                  : std::to_string(shape[i]));
  return out + "]";
}

TensorSpec TensorSpec::resolved(const std::vector<std::string> &dynamic,
                                const std::vector<int64_t> &dims) const {
  TensorSpec r = *this;
  for (size_t i = 0; i < dimNames.size(); ++i)
    if (!dimNames[i].empty()) {
      size_t k = std::find(dynamic.begin(), dynamic.end(), dimNames[i]) - dynamic.begin();
      if (k >= dims.size())
        throw RuntimeError("buffer '" + name + "' names the dynamic dimension '" + dimNames[i] +
                           "', which is not sized");
      r.shape[i] = dims[k];
      r.dimNames[i].clear();
    }
  if (!boundDim.empty()) {
    size_t k = std::find(dynamic.begin(), dynamic.end(), boundDim) - dynamic.begin();
    if (k >= dims.size())
      throw RuntimeError("input '" + name + "' is bounded by the dynamic dimension '" + boundDim +
                         "', which is not sized");
    int64_t b = dims[k] + boundPlus;
    r.bound = r.bound ? std::min(r.bound, b) : b;
    r.boundDim.clear();
  }
  return r;
}

std::string Manifest::pastLimit(size_t k, int64_t size) const {
  auto limit = dynamicMax.find(dynamic[k]);
  if (limit == dynamicMax.end() || size <= limit->second.first)
    return "";
  return "past its limit " + std::to_string(limit->second.first) + " (" + limit->second.second +
         ")";
}

std::vector<int64_t> Manifest::sizeDynamic(const std::vector<Shape> &inputShapes,
                                           const std::string &where,
                                           const std::vector<std::string> &sources) const {
  auto from = [&](size_t i) {
    return where + (i < sources.size() ? sources[i] + ": " : std::string());
  };
  std::vector<int64_t> dims(dynamic.size(), 0);
  std::vector<std::string> sizedBy(dynamic.size());
  for (size_t i = 0; i < inputs.size() && i < inputShapes.size(); ++i) {
    const TensorSpec &s = inputs[i];
    const Shape &a = inputShapes[i];
    bool fits = a.size() == s.shape.size();
    for (size_t d = 0; fits && d < a.size(); ++d)
      fits = s.dimNames[d].empty() ? a[d] == s.shape[d] : true;
    if (!fits)
      throw RuntimeError(from(i) + "input '" + s.name + "' has shape " + shapeStr(a) +
                         (dynamic.empty() ? ", the model was compiled for " + s.shapeText() +
                                                " (recompile with loomc -D to change it)"
                                          : ", the model expects " + s.shapeText()));
    for (size_t d = 0; d < a.size(); ++d) {
      if (s.dimNames[d].empty())
        continue;
      size_t k = std::find(dynamic.begin(), dynamic.end(), s.dimNames[d]) - dynamic.begin();
      if (a[d] < 1)
        throw RuntimeError(from(i) + "input '" + s.name + "' has shape " + shapeStr(a) +
                           ": its dynamic dimension '" + s.dimNames[d] + "' is " +
                           std::to_string(a[d]) + ", it must be at least 1");
      if (sizedBy[k].empty()) {
        dims[k] = a[d];
        sizedBy[k] = s.name;
      } else if (dims[k] != a[d]) {
        throw RuntimeError(where + "the inputs disagree on the dynamic dimension '" +
                           dynamic[k] + "': input '" + sizedBy[k] + "' has " +
                           std::to_string(dims[k]) + ", input '" + s.name + "' has " +
                           std::to_string(a[d]));
      }
    }
  }
  for (size_t k = 0; k < dynamic.size(); ++k) {
    if (sizedBy[k].empty())
      throw RuntimeError(where + "no input sizes the dynamic dimension '" + dynamic[k] + "'");
    if (std::string past = pastLimit(k, dims[k]); !past.empty())
      throw RuntimeError(where + "input '" + sizedBy[k] + "' has " + std::to_string(dims[k]) +
                         " in its dynamic dimension '" + dynamic[k] + "', " + past);
  }
  return dims;
}

void Manifest::checkDynamic(const std::vector<int64_t> &dims, const std::string &where) const {
  if (dims.size() != dynamic.size()) {
    std::string names;
    for (const std::string &d : dynamic)
      names += (names.empty() ? "" : ", ") + d;
    throw RuntimeError(where + "the model has " + std::to_string(dynamic.size()) +
                       " dynamic dimension(s)" + (names.empty() ? "" : " (" + names + ")") +
                       ", " + std::to_string(dims.size()) + " size(s) were given");
  }
  for (size_t k = 0; k < dims.size(); ++k) {
    if (dims[k] < 1)
      throw RuntimeError(where + "the dynamic dimension '" + dynamic[k] + "' is " +
                         std::to_string(dims[k]) + ", it must be at least 1");
    if (std::string past = pastLimit(k, dims[k]); !past.empty())
      throw RuntimeError(where + "the dynamic dimension '" + dynamic[k] + "' is " +
                         std::to_string(dims[k]) + ", " + past);
  }
}

std::vector<TensorSpec> Manifest::resolved(const std::vector<TensorSpec> &specs,
                                           const std::vector<int64_t> &dims) const {
  std::vector<TensorSpec> out;
  for (const TensorSpec &s : specs) {
    out.push_back(s.resolved(dynamic, dims));
    (void)numElements(out.back().shape); // throws if the sizes overflow
  }
  return out;
}

void loom::rt::checkIndexBound(const TensorSpec &spec, const void *data, const std::string &what) {
  if (!spec.bound)
    return;
  int64_t n = numElements(spec.shape);
  for (int64_t i = 0; i < n; ++i) {
    int64_t v = spec.dtype == "I64" ? static_cast<const int64_t *>(data)[i]
                                    : static_cast<const int32_t *>(data)[i];
    if (v < 0 || v >= spec.bound)
      throw RuntimeError(what + "input '" + spec.name + "' has entry " + std::to_string(v) +
                         " at flat index " + std::to_string(i) + ", outside [0, " +
                         std::to_string(spec.bound) + ") (e.g. the vocabulary size)");
  }
}

namespace {
/// Whether the CPU this runs on has `feature`, one of LOOM_CPU_FEATURES.
bool hostHasFeature(const std::string &feature) {
  __builtin_cpu_init();
#define LOOM_CHECK_FEATURE(name)                                                          \
  if (feature == name)                                                                    \
    return __builtin_cpu_supports(name);
  LOOM_CPU_FEATURES(LOOM_CHECK_FEATURE)
#undef LOOM_CHECK_FEATURE
  throw RuntimeError("the model manifest names the CPU feature '" + feature +
                     "', which this runtime cannot check (a newer loomc?)");
}
} // namespace

Manifest Manifest::parse(const char *text) {
  Manifest m;
  try {
    json j = json::parse(text);
    m.model = j.at("model").get<std::string>();
    for (const json &in : j.at("inputs"))
      m.inputs.push_back(specFrom(in));
    for (const json &out : j.at("outputs"))
      m.outputs.push_back(specFrom(out));
    for (const json &w : j.at("weights"))
      m.weights.push_back(specFrom(w));
    for (const json &p : j.at("prepared"))
      m.prepared.push_back(specFrom(p));
    if (j.contains("unused"))
      for (const json &u : j.at("unused"))
        m.unused.push_back(specFrom(u));
    if (j.contains("dynamic"))
      m.dynamic = j.at("dynamic").get<std::vector<std::string>>();
    if (j.contains("pack_blocker"))
      m.packBlocker = j.at("pack_blocker").get<std::string>();
    if (j.contains("dynamic_max"))
      for (const auto &[name, limit] : j.at("dynamic_max").items())
        m.dynamicMax[name] = {limit.at("max").get<int64_t>(), limit.at("what").get<std::string>()};
    for (const auto *list : {&m.inputs, &m.outputs, &m.weights, &m.prepared})
      for (const TensorSpec &s : *list)
        for (const std::string &d : s.dimNames)
          if (!d.empty() && std::find(m.dynamic.begin(), m.dynamic.end(), d) == m.dynamic.end())
            throw RuntimeError("corrupt model manifest: buffer '" + s.name +
                               "' names an undeclared dynamic dimension '" + d + "'");
    if (j.contains("cpu")) {
      m.cpu = j.at("cpu").at("name").get<std::string>();
      m.cpuFeatures = j.at("cpu").at("features").get<std::vector<std::string>>();
    }
  } catch (const json::exception &e) {
    throw RuntimeError(std::string("corrupt model manifest: ") + e.what());
  }
  std::string missing;
  for (const std::string &f : m.cpuFeatures)
    if (!hostHasFeature(f))
      missing += (missing.empty() ? "" : ", ") + f;
  if (!missing.empty())
    throw RuntimeError("this model was compiled for the CPU '" + m.cpu + "', and this CPU lacks " +
                       missing + ": recompile it with loomc --mcpu=native (the default) on this " +
                       "machine, or with --mcpu naming this CPU");
  return m;
}

//===----------------------------------------------------------------------===//
// safetensors
//===----------------------------------------------------------------------===//
size_t loom::rt::dtypeSize(const std::string &d) {
  static const std::map<std::string, size_t> sizes = {
      {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8}, {"I32", 4},
      {"I16", 2}, {"I8", 1},  {"U8", 1},  {"BOOL", 1}, {"U16", 2}, {"U32", 4},
      {"U64", 8}, {"F8_E4M3", 1}, {"F8_E5M2", 1}};
  auto it = sizes.find(d);
  return it == sizes.end() ? 0 : it->second;
}

SafeTensors::SafeTensors(const std::string &p) : path(p) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below).
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  if (fd < 0)
    throw RuntimeError("cannot open weights '" + path + "': " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    ::close(fd);
    throw RuntimeError("cannot stat '" + path + "'");
  }
  if (!S_ISREG(st.st_mode)) { // a FIFO or a device would block or never end
    ::close(fd);
    throw RuntimeError("cannot read weights '" + path + "': not a regular file");
  }
  size = static_cast<size_t>(st.st_size);
  if (size < 8) {
    ::close(fd);
    throw RuntimeError(path + ": truncated safetensors file (" + std::to_string(size) +
                       " bytes, the header length alone needs 8)");
  }
  // The file is read into memory rather than mapped: a mapped file that another process
  // truncates would kill the process with SIGBUS on the next access. Reading ends at the
  // size fstat gave; a file that shrinks or grows meanwhile is an error.
  map.reset(static_cast<unsigned char *>(std::aligned_alloc(64, (size + 63) / 64 * 64)));
  if (!map) {
    ::close(fd);
    throw RuntimeError("cannot allocate " + std::to_string(size) + " bytes for '" + path + "'");
  }
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, map.get() + done, size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      ::close(fd);
      throw RuntimeError(path + ": " + (n < 0 ? std::string("read error: ") + std::strerror(errno)
                                              : "the file shrank while it was read (" +
                                                    std::to_string(done) + " of " +
                                                    std::to_string(size) + " bytes)"));
    }
    done += static_cast<size_t>(n);
  }
  struct stat after;
  bool changed = fstat(fd, &after) != 0 || after.st_size != st.st_size;
  ::close(fd);
  if (changed)
    throw RuntimeError(path + ": the file changed size while it was read (" +
                       std::to_string(size) + " bytes at the start)");
  const unsigned char *bytes = map.get();
  uint64_t headerLen = 0;
  for (int i = 7; i >= 0; --i)
    headerLen = (headerLen << 8) | bytes[i];
  if (headerLen > size - 8)
    throw RuntimeError(path + ": header length " + std::to_string(headerLen) +
                       " exceeds the file (" + std::to_string(size) + " bytes): truncated or not safetensors");
  if (headerLen > kMaxHeaderBytes)
    throw RuntimeError(path + ": header length " + std::to_string(headerLen) +
                       " is over the format's limit of 100,000,000 bytes");
  size_t dataStart = 8 + headerLen, dataSize = size - dataStart;
  // The header is one JSON object, padded with spaces (0x20) only.
  const unsigned char *hBegin = bytes + 8, *hEnd = bytes + dataStart;
  const unsigned char *last = hEnd;
  while (last > hBegin && last[-1] == ' ')
    --last;
  if (headerLen == 0 || hBegin[0] != '{' || last == hBegin || last[-1] != '}')
    throw RuntimeError(path + ": the safetensors header must be a JSON object padded with "
                              "spaces (is the header length right?)");
  if (std::memchr(hBegin, 0, static_cast<size_t>(last - hBegin)))
    throw RuntimeError(path + ": the safetensors header contains a NUL byte");
  json header;
  try {
    header = json::parse(hBegin, last);
  } catch (const json::exception &e) {
    throw RuntimeError(path + ": malformed safetensors header: " + e.what());
  }
  if (!header.is_object())
    throw RuntimeError(path + ": safetensors header is not a JSON object");
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__")
      continue;
    const std::string &name = it.key();
    const json &e = it.value();
    auto bad = [&](const std::string &why) {
      return RuntimeError(path + ": tensor '" + name + "': " + why);
    };
    if (!e.is_object() || !e.contains("dtype") || !e.contains("shape") ||
        !e.contains("data_offsets"))
      throw bad("header entry needs dtype, shape and data_offsets");
    Entry entry;
    try {
      entry.dtype = e.at("dtype").get<std::string>();
      if (!e.at("shape").is_array())
        throw bad("shape must be a list of dimensions");
      for (const json &d : e.at("shape")) {
        if (!d.is_number_unsigned() || d.get<uint64_t>() > uint64_t(INT64_MAX))
          throw bad("shape has a negative, non-integer or too large dimension");
        entry.shape.push_back(d.get<int64_t>());
      }
      const json &offs = e.at("data_offsets");
      if (!offs.is_array() || offs.size() != 2 || !offs[0].is_number_unsigned() ||
          !offs[1].is_number_unsigned())
        throw bad("data_offsets must be [begin, end]");
      uint64_t begin = offs[0].get<uint64_t>(), end = offs[1].get<uint64_t>();
      size_t esize = dtypeSize(entry.dtype);
      if (esize == 0)
        throw bad("unknown dtype '" + entry.dtype + "'");
      if (begin > end || end > dataSize)
        throw bad("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                  "] lie outside the data section (" + std::to_string(dataSize) +
                  " bytes): the file is truncated or its header lies");
      long double expected = esize;
      for (int64_t d : entry.shape)
        expected *= static_cast<long double>(d);
      if (expected != static_cast<long double>(end - begin))
        throw bad("shape " + shapeStr(entry.shape) + " of " + entry.dtype + " needs " +
                  std::to_string(static_cast<uint64_t>(expected)) + " bytes but data_offsets span " +
                  std::to_string(end - begin));
      entry.data = bytes + dataStart + begin;
      entry.bytes = end - begin;
    } catch (const json::exception &ex) {
      throw bad(std::string("malformed header entry: ") + ex.what());
    }
    tensors.emplace(name, std::move(entry));
  }
  // The tensors tile the data section: no holes, no overlaps (the format forbids both; a
  // header length off by one shows up here as a byte no tensor covers).
  std::vector<std::pair<size_t, const std::string *>> starts;
  for (const auto &[name, e] : tensors)
    starts.push_back({static_cast<size_t>(static_cast<const unsigned char *>(e.data) - bytes) -
                          dataStart,
                      &name});
  std::sort(starts.begin(), starts.end());
  size_t covered = 0;
  for (const auto &[begin, name] : starts) {
    const Entry &e = tensors.at(*name);
    if (begin != covered)
      throw RuntimeError(path + ": tensor '" + *name + "' starts at byte " + std::to_string(begin) +
                         " of the data section, but the tensors before it end at " +
                         std::to_string(covered) +
                         (begin < covered ? " (overlapping data_offsets)" : " (a hole)"));
    covered = begin + e.bytes;
  }
  if (covered != dataSize)
    throw RuntimeError(path + ": the data section has " + std::to_string(dataSize) +
                       " bytes but its tensors cover " + std::to_string(covered) +
                       " (is the header length right?)");
}

SafeTensors::~SafeTensors() = default;

namespace {
/// IEEE half (F16) to float.
float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000 | (mant << 13); // Inf or NaN
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign; // zero
  } else { // subnormal: normalise
    int e = -1;
    do {
      mant <<= 1;
      ++e;
    } while (!(mant & 0x400));
    bits = sign | uint32_t(112 - e) << 23 | ((mant & 0x3ff) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
} // namespace

bool loom::rt::matchesPattern(const std::string &name, const std::string &pattern) {
  return fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

std::vector<void *> SafeTensors::bind(const std::vector<TensorSpec> &expected,
                                      const std::vector<TensorSpec> &unused,
                                      const std::vector<std::string> &ignored) {
  // Every mismatch is collected, so that one run names them all.
  std::vector<std::string> problems;
  std::map<std::string, bool> wanted;
  for (const TensorSpec &s : expected)
    wanted[s.name] = true;
  for (const TensorSpec &u : unused) {
    auto it = tensors.find(u.name);
    if (it == tensors.end())
      continue;
    if (it->second.dtype != u.dtype || it->second.shape != u.shape)
      problems.push_back("tensor '" + u.name + "' is " + it->second.dtype + " " +
                         shapeStr(it->second.shape) + ", expected " + u.dtype + " " +
                         shapeStr(u.shape) + " (the model does not read it)");
    wanted[u.name] = true;
  }
  for (const auto &entry : tensors) {
    const std::string &name = entry.first;
    if (!wanted.count(name) &&
        std::none_of(ignored.begin(), ignored.end(),
                     [&](const std::string &p) { return matchesPattern(name, p); }))
      problems.push_back("unexpected tensor '" + name + "' " + shapeStr(entry.second.shape) +
                         " (the model has no weight of that name; see loomc --list-weights, "
                         "or pass --ignore '" + name + "')");
  }
  std::vector<void *> out;
  for (const TensorSpec &s : expected) {
    auto it = tensors.find(s.name);
    if (it == tensors.end()) {
      problems.push_back("missing tensor '" + s.name + "' " + shapeStr(s.shape) + " " + s.dtype);
      out.push_back(nullptr);
      continue;
    }
    const Entry &e = it->second;
    // Half-precision checkpoints load into the model's F32, converted once here.
    bool half = s.dtype == "F32" && (e.dtype == "F16" || e.dtype == "BF16");
    if (e.dtype != s.dtype && !half) {
      problems.push_back("tensor '" + s.name + "' has dtype " + e.dtype + ", the model expects " +
                         s.dtype + (s.dtype == "F32" ? " (or F16 or BF16)" : ""));
      out.push_back(nullptr);
      continue;
    }
    if (e.shape != s.shape) {
      problems.push_back("tensor '" + s.name + "' has shape " + shapeStr(e.shape) +
                         ", the model expects " + shapeStr(s.shape));
      out.push_back(nullptr);
      continue;
    }
    if (half) {
      size_t n = e.bytes / 2;
      converted.emplace_back(new float[n + 1]);
      float *dst = converted.back().get();
      const auto *src = static_cast<const unsigned char *>(e.data);
      for (size_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        if (e.dtype == "BF16") {
          uint32_t bits = uint32_t(h) << 16;
          std::memcpy(&dst[i], &bits, sizeof(float));
        } else {
          dst[i] = halfToFloat(h);
        }
      }
      out.push_back(dst);
    } else if (reinterpret_cast<uintptr_t>(e.data) % alignof(float) != 0) {
      converted.emplace_back(new float[e.bytes / sizeof(float) + 1]);
      std::memcpy(converted.back().get(), e.data, e.bytes);
      out.push_back(converted.back().get());
    } else {
      out.push_back(const_cast<void *>(e.data));
    }
  }
  if (problems.size() == 1)
    throw RuntimeError(path + ": " + problems.front());
  if (!problems.empty()) {
    std::string msg = path + ": " + std::to_string(problems.size()) +
                      " tensors do not match the model:";
    for (const std::string &p : problems)
      msg += "\n  " + p;
    throw RuntimeError(msg);
  }
  return out;
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//
Array Array::zeros(const Shape &shape, const std::string &dtype) {
  Array a;
  a.shape = shape;
  a.dtype = dtype;
  size_t bytes = static_cast<size_t>(std::max<int64_t>(numElements(shape), 1)) * dtypeSize(dtype);
  bytes = (bytes + 63) / 64 * 64;
  void *p = std::aligned_alloc(64, bytes);
  if (!p)
    throw RuntimeError("out of memory allocating " + std::to_string(bytes) + " bytes");
  std::memset(p, 0, bytes);
  a.data.reset(static_cast<float *>(p), [](float *f) { std::free(f); });
  return a;
}

namespace {
/// Extracts the value of 'key' from a .npy header dict (a Python literal).
std::string dictValue(const std::string &h, const std::string &key, const std::string &path) {
  size_t k = h.find("'" + key + "'");
  if (k == std::string::npos)
    throw RuntimeError(path + ": .npy header has no '" + key + "'");
  size_t colon = h.find(':', k);
  if (colon == std::string::npos)
    throw RuntimeError(path + ": malformed .npy header");
  size_t start = h.find_first_not_of(' ', colon + 1);
  if (start == std::string::npos)
    throw RuntimeError(path + ": malformed .npy header");
  size_t end;
  if (h[start] == '(') {
    end = h.find(')', start);
    if (end == std::string::npos)
      throw RuntimeError(path + ": malformed .npy shape");
    return h.substr(start, end - start + 1);
  }
  end = h.find_first_of(",}", start);
  return h.substr(start, end == std::string::npos ? std::string::npos : end - start);
}
} // namespace

Array loom::rt::readNpy(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    throw RuntimeError("cannot open input '" + path + "': " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) // a FIFO or a device would block or never end
    throw RuntimeError("cannot read input '" + path + "': not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw RuntimeError("cannot open input '" + path + "'");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (all.size() < 10 || all.compare(0, 6, "\x93NUMPY") != 0)
    throw RuntimeError(path + ": not a .npy file");
  unsigned major = static_cast<unsigned char>(all[6]);
  size_t headerLen, pos;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(all[8]) | (static_cast<unsigned char>(all[9]) << 8);
    pos = 10;
  } else if (major == 2 || major == 3) {
    if (all.size() < 12)
      throw RuntimeError(path + ": truncated .npy header");
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = (headerLen << 8) | static_cast<unsigned char>(all[8 + i]);
    pos = 12;
  } else {
    throw RuntimeError(path + ": unsupported .npy version " + std::to_string(major));
  }
  if (pos + headerLen > all.size())
    throw RuntimeError(path + ": truncated .npy header");
  std::string h = all.substr(pos, headerLen);
  std::string descr = dictValue(h, "descr", path);
  static const std::map<std::string, std::string> dtypes = {
      {"'<f4'", "F32"}, {"'=f4'", "F32"}, {"'<i4'", "I32"}, {"'=i4'", "I32"},
      {"'<i8'", "I64"}, {"'=i8'", "I64"}};
  auto dt = dtypes.find(descr);
  if (dt == dtypes.end())
    throw RuntimeError(path + ": dtype " + descr +
                       " is not supported (float32 '<f4', int32 '<i4' or int64 '<i8')");
  if (dictValue(h, "fortran_order", path) != "False")
    throw RuntimeError(path + ": Fortran-order arrays are not supported (use C order)");
  // The shape: a Python tuple of non-negative integers, `()`, `(3,)` or `(2, 5)`.
  std::string shapeText = dictValue(h, "shape", path);
  Shape shape;
  size_t i = 1;
  auto skipSpaces = [&] {
    while (i < shapeText.size() && shapeText[i] == ' ')
      ++i;
  };
  auto badShape = [&](const std::string &why) {
    return RuntimeError(path + ": .npy shape " + shapeText + " " + why);
  };
  skipSpaces();
  while (i + 1 < shapeText.size()) {
    size_t start = i;
    while (i < shapeText.size() && std::isdigit(static_cast<unsigned char>(shapeText[i])))
      ++i;
    if (i == start)
      throw badShape("is not a tuple of non-negative integers");
    errno = 0;
    unsigned long long d = std::strtoull(shapeText.substr(start, i - start).c_str(), nullptr, 10);
    if (errno == ERANGE || d > static_cast<unsigned long long>(INT64_MAX))
      throw badShape("has a dimension past 2^63");
    shape.push_back(static_cast<int64_t>(d));
    skipSpaces();
    if (i < shapeText.size() && shapeText[i] == ',')
      ++i;
    skipSpaces();
  }
  // Compare the size the shape needs with the file before allocating anything.
  int64_t count = 1;
  size_t elementSize = dtypeSize(dt->second), bytes = 0;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(count, d, &count))
      throw badShape("has more than 2^63 elements");
  if (__builtin_mul_overflow(static_cast<size_t>(count), elementSize, &bytes) ||
      all.size() - pos - headerLen != bytes)
    throw RuntimeError(path + ": shape " + shapeStr(shape) + " needs " +
                       (bytes ? std::to_string(bytes) : std::string("too many")) +
                       " data bytes, the file has " + std::to_string(all.size() - pos - headerLen));
  Array a = Array::zeros(shape, dt->second);
  std::memcpy(a.data.get(), all.data() + pos + headerLen, bytes);
  return a;
}

void loom::rt::writeNpy(const std::string &path, const Array &a) {
  std::string shape = "(";
  for (size_t i = 0; i < a.shape.size(); ++i)
    shape += std::to_string(a.shape[i]) + (a.shape.size() == 1 || i + 1 < a.shape.size() ? "," : "");
  shape += ")";
  std::string descr = a.dtype == "I64" ? "<i8" : a.dtype == "I32" ? "<i4" : "<f4";
  size_t elementSize = dtypeSize(a.dtype);
  if (elementSize == 0)
    throw RuntimeError("cannot write '" + path + "': unsupported dtype " + a.dtype);
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out)
    throw RuntimeError("cannot write '" + path + "'");
  out.write("\x93NUMPY\x01\x00", 8);
  uint16_t len = static_cast<uint16_t>(header.size());
  char lenBytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  out.write(lenBytes, 2);
  out << header;
  out.write(reinterpret_cast<const char *>(a.data.get()),
            static_cast<std::streamsize>(numElements(a.shape) * elementSize));
  if (!out)
    throw RuntimeError("error writing '" + path + "'");
}

void loom::rt::keepBuffersInHeap() {
  // Every block comes from the heap (no mmap, whose blocks glibc unmaps on free so that
  // each run faults them in again: a long sequence's 32+ MiB activations cost ~35k page
  // faults per run), and the heap's top is never trimmed (freed blocks serve the next run).
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}
