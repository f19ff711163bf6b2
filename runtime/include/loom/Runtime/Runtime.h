//===- Runtime.h - weights, arrays and the model manifest -------*- C++ -*-===//
//
// Loading never trusts a file: every size, offset, dtype and shape is checked, and a
// problem is reported as a loom::RuntimeError naming the file and the tensor.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_RUNTIME_H
#define LOOM_RUNTIME_RUNTIME_H

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace loom::rt {

struct RuntimeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Shape = std::vector<int64_t>;
std::string shapeStr(const Shape &s);
int64_t numElements(const Shape &s);

/// One buffer the compiled model expects.
struct TensorSpec {
  std::string name;
  Shape shape;
  std::string dtype; ///< safetensors spelling, e.g. "F32"
  int64_t bound = 0; ///< integer inputs used as indices (token ids): entries in [0, bound)
  /// Per dimension: the name of a dynamic dimension (shape[i] is then -1), or "".
  std::vector<std::string> dimNames = {};
  /// Index inputs bounded by a dynamic dimension: entries in [0, its size + boundPlus)
  /// (resolved() folds it into `bound`).
  std::string boundDim = {};
  int64_t boundPlus = 0;
  /// The shape and spec with the dynamic dimensions sized by `dims` (in the order of
  /// `dynamic`, the manifest's list).
  TensorSpec resolved(const std::vector<std::string> &dynamic, const std::vector<int64_t> &dims) const;
  /// The shape as the manifest writes it: [batch, seq, 512].
  std::string shapeText() const;
};

/// Throws a RuntimeError naming the first entry of `data` (laid out as `spec`) that lies
/// outside [0, spec.bound), if spec.bound is set; `what` prefixes the message.
void checkIndexBound(const TensorSpec &spec, const void *data, const std::string &what);

/// The manifest embedded in a compiled model.
struct Manifest {
  std::string model;
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs; ///< the main output first
  std::vector<TensorSpec> weights, prepared;
  /// Tensors a weights file may carry that the model does not read (BatchNorm's
  /// num_batches_tracked); checked when present, never required.
  std::vector<TensorSpec> unused;
  std::string cpu;                      ///< the CPU the code was generated for (loomc --mcpu)
  std::vector<std::string> cpuFeatures; ///< the extensions it uses (LOOM_CPU_FEATURES)
  /// The dynamic dimensions (`loomc -D seq=?`), in the order loom_forward's `dims` takes.
  std::vector<std::string> dynamic;
  /// Run-time limits of dynamic dimensions (a learned position table's rows): name ->
  /// (max, what imposes it).
  std::map<std::string, std::pair<int64_t, std::string>> dynamicMax;
  /// The block whose valid rows read the padding ("'depthwise_conv1d' at file:line:col"),
  /// which makes a packed run inexact; "" if none.
  std::string packBlocker;
  /// Sizes the dynamic dimensions from the inputs' actual shapes (inputShapes[i] is that of
  /// inputs[i]). Throws RuntimeError, prefixed by `where`, naming the input and dimension
  /// when a rank or static dimension differs, a dynamic one is 0 (or negative), or two
  /// inputs disagree on one (a batch of 2 ids with 3 lengths). `sources[i]`, if given,
  /// names where input i came from (its file) in messages about it alone.
  std::vector<int64_t> sizeDynamic(const std::vector<Shape> &inputShapes, const std::string &where,
                                   const std::vector<std::string> &sources = {}) const;
  /// Checks caller-given sizes of the dynamic dimensions (the C API): their number and
  /// that each is at least 1.
  void checkDynamic(const std::vector<int64_t> &dims, const std::string &where) const;
  /// "past its limit N (what)" if `size` exceeds the limit of dynamic dimension k, else "".
  std::string pastLimit(size_t k, int64_t size) const;
  /// Every buffer spec resolved by `dims`.
  std::vector<TensorSpec> resolved(const std::vector<TensorSpec> &specs,
                                   const std::vector<int64_t> &dims) const;
  /// Parses the manifest and checks that this CPU has every extension in cpuFeatures
  /// (throws RuntimeError naming the missing ones otherwise).
  static Manifest parse(const char *json);
};

/// The safetensors format's limit on the JSON header.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

/// A safetensors file (https://github.com/huggingface/safetensors), read into memory (not
/// mapped: a mapped file truncated by another process would raise SIGBUS).
class SafeTensors {
public:
  struct Entry {
    std::string dtype;
    Shape shape;
    const void *data = nullptr;
    size_t bytes = 0;
  };
  /// Reads and validates `path`: header length, JSON, dtypes, shapes and data offsets.
  explicit SafeTensors(const std::string &path);
  ~SafeTensors();
  SafeTensors(const SafeTensors &) = delete;
  SafeTensors &operator=(const SafeTensors &) = delete;
  const std::map<std::string, Entry> &entries() const { return tensors; }

  /// Checks names, dtypes and shapes against `expected` (missing and unexpected tensors are
  /// errors; tensors in `unused` are allowed, with their shape and dtype checked; tensors
  /// whose names match a glob of `ignored` are skipped, e.g. GPT-2's `h.*.attn.bias` buffers)
  /// and returns the data pointers in `expected`'s order. F16 and BF16 tensors bind to F32
  /// weights, converted once here. Throws one error that lists every mismatch.
  std::vector<void *> bind(const std::vector<TensorSpec> &expected,
                           const std::vector<TensorSpec> &unused = {},
                           const std::vector<std::string> &ignored = {});

private:
  std::string path;
  /// The file's bytes, 64-byte aligned (freed also when the constructor throws).
  std::unique_ptr<unsigned char, void (*)(void *)> map{nullptr, &std::free};
  size_t size = 0;
  std::map<std::string, Entry> tensors;
  /// F32 copies of misaligned and of half-precision tensors.
  std::vector<std::unique_ptr<float[]>> converted;
};

/// A dense array (F32, I32 or I64), 64-byte aligned.
struct Array {
  Shape shape;
  std::string dtype = "F32";
  std::shared_ptr<float> data; ///< raw storage; reinterpret for integer dtypes
  static Array zeros(const Shape &shape, const std::string &dtype = "F32");
};

/// Keeps freed activation buffers in the process heap (glibc mallopt): the compiled code
/// allocates and frees its activations on every run, and blocks of 128 KiB and more would
/// otherwise be mmap'ed and returned to the kernel each time, page-faulting them in again
/// on the next run. Call once before running a model.
void keepBuffersInHeap();

/// True if `name` matches the glob `pattern` (`*`, `?`, `[...]`; POSIX fnmatch).
bool matchesPattern(const std::string &name, const std::string &pattern);

/// Bytes per element of a safetensors dtype name (0 if unknown).
size_t dtypeSize(const std::string &dtype);

/// Runs a batch without its padding (Packed.cpp): each example alone, on the rows its
/// length gives, through `forward(inputs, outputs, dims)` with batch 1 and seq = its
/// length. The model needs a dynamic batch and seq (its first input's dimensions 0 and 1)
/// and a lengths input [batch] that masks the keys; `dims` are the batch's sizes. Outputs
/// are written in place; their padded rows are zeros. Throws RuntimeError naming what the
/// model lacks.
void runPacked(const Manifest &m, const std::vector<int64_t> &dims, const void *const *inputs,
               void *const *outputs,
               const std::function<void(void **, void **, const int64_t *)> &forward);

/// Reads a little-endian, C-order `.npy` file (format versions 1-3) of float32 ('<f4'),
/// int32 ('<i4') or int64 ('<i8').
Array readNpy(const std::string &path);
/// Writes `a` as a version 1.0 `.npy` file.
void writeNpy(const std::string &path, const Array &a);

} // namespace loom::rt

#endif
