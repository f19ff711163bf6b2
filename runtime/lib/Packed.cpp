//===- Packed.cpp - runs without the padding of a batch -------------------===//
//
// A batch of examples of different lengths is padded to its longest. A model compiled with
// dynamic batch and seq and a lengths input (key lengths: entries bounded by seq) can run
// each example alone on its valid rows instead: [1, length_i] per run, so the position-wise
// work (projections, FFN, norms) skips the padded rows and attention never sees a padded
// key. Each example's rows are a prefix of its block of a row-major [batch, seq, ...]
// buffer, so the runs read and write the caller's buffers in place; padded output rows are
// zeros.
//
//===----------------------------------------------------------------------===//
#include "loom/Runtime/Runtime.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

using namespace loom::rt;

namespace {
/// The layout of one buffer in a packed run.
struct PackedBuffer {
  char *base;
  size_t exampleBytes = 0; ///< one example's block; 0: not per example (passed whole)
  size_t rowBytes = 0;     ///< one row (of seq) of an example's block; 0: no seq dimension
};
} // namespace

void loom::rt::runPacked(const Manifest &m, const std::vector<int64_t> &dims,
                         const void *const *inputs, void *const *outputs,
                         const std::function<void(void **, void **, const int64_t *)> &forward) {
  // The dynamic batch and seq: the first input's dimensions 0 and 1.
  const TensorSpec &first = m.inputs.front();
  if (first.dimNames.size() < 2 || first.dimNames[0].empty() || first.dimNames[1].empty())
    throw RuntimeError("a packed run needs a model whose first input has a dynamic batch and "
                       "seq (loomc -D batch=? -D seq=?)");
  const std::string &batchName = first.dimNames[0], &seqName = first.dimNames[1];
  auto indexOf = [&](const std::string &n) {
    return static_cast<size_t>(std::find(m.dynamic.begin(), m.dynamic.end(), n) - m.dynamic.begin());
  };
  size_t kb = indexOf(batchName), ks = indexOf(seqName);
  int64_t batch = dims.at(kb), seq = dims.at(ks);
  // The lengths: the integer input [batch] whose entries are bounded by seq (key lengths).
  int64_t lengthsIndex = -1;
  for (size_t i = 0; i < m.inputs.size(); ++i)
    if (m.inputs[i].shape.size() == 1 && m.inputs[i].dimNames[0] == batchName &&
        m.inputs[i].boundDim == seqName)
      lengthsIndex = static_cast<int64_t>(i);
  if (lengthsIndex < 0)
    throw RuntimeError("a packed run needs a lengths input [" + batchName + "] that masks the "
                       "keys (sdpa's key_lengths); this model has none");
  if (!m.packBlocker.empty())
    throw RuntimeError("a packed run would change the valid rows of this model: " +
                       m.packBlocker + " reads rows past an example's length (it mixes "
                       "positions across the padding); run the padded batch instead");
  auto layout = [&](const TensorSpec &spec, const void *p, const char *kind) {
    TensorSpec r = spec.resolved(m.dynamic, dims);
    PackedBuffer b{static_cast<char *>(const_cast<void *>(p))};
    bool perExample = !spec.dimNames.empty() && spec.dimNames[0] == batchName;
    for (size_t d = 0; d < spec.dimNames.size(); ++d)
      if (!spec.dimNames[d].empty() && !(d == 0 && perExample) &&
          !(d == 1 && perExample && spec.dimNames[d] == seqName))
        throw RuntimeError(std::string("a packed run needs every ") + kind + " to be [" +
                           batchName + ", " + seqName + ", ...], [" + batchName +
                           ", ...] or static; '" + spec.name + "' is " + spec.shapeText());
    if (!perExample)
      return b;
    b.exampleBytes = static_cast<size_t>(numElements(r.shape) / batch) * dtypeSize(r.dtype);
    if (spec.dimNames.size() > 1 && spec.dimNames[1] == seqName)
      b.rowBytes = b.exampleBytes / static_cast<size_t>(seq);
    return b;
  };
  std::vector<PackedBuffer> ins, outs;
  for (size_t i = 0; i < m.inputs.size(); ++i)
    ins.push_back(layout(m.inputs[i], inputs[i], "input"));
  for (size_t i = 0; i < m.outputs.size(); ++i)
    outs.push_back(layout(m.outputs[i], outputs[i], "output"));
  const TensorSpec &lengthsSpec = m.inputs[static_cast<size_t>(lengthsIndex)];
  const void *lp = inputs[lengthsIndex];
  std::vector<int64_t> lengths(static_cast<size_t>(batch));
  for (int64_t e = 0; e < batch; ++e)
    lengths[e] = lengthsSpec.dtype == "I64" ? static_cast<const int64_t *>(lp)[e]
                                            : static_cast<const int32_t *>(lp)[e];
  // One example's run, then its padded rows (all of them for an empty example) zeroed.
  auto runExample = [&](int64_t e) {
    int64_t length = lengths[e];
    std::vector<void *> in(ins.size()), out(outs.size());
    for (size_t i = 0; i < ins.size(); ++i)
      in[i] = ins[i].base + static_cast<size_t>(e) * ins[i].exampleBytes;
    for (size_t o = 0; o < outs.size(); ++o)
      out[o] = outs[o].base + static_cast<size_t>(e) * outs[o].exampleBytes;
    if (length > 0) {
      std::vector<int64_t> sub = dims;
      sub[kb] = 1;
      sub[ks] = length;
      forward(in.data(), out.data(), sub.data());
    }
    // Padded rows (all of them for an empty example) are zeros.
    for (const PackedBuffer &o : outs) {
      if (!o.exampleBytes)
        continue;
      char *block = o.base + static_cast<size_t>(e) * o.exampleBytes;
      size_t valid = o.rowBytes ? static_cast<size_t>(std::max<int64_t>(length, 0)) * o.rowBytes
                                : (length > 0 ? o.exampleBytes : 0);
      std::memset(block + valid, 0, o.exampleBytes - valid);
    }
  };
  // The examples run one after another, each on the whole team, or, when no example is
  // longer than the team's share of the rows (work grows with the length), side by side:
  // each on one thread, the longest first (its inner parallel regions nest inactive). That
  // spares short examples the team's synchronisation per op.
  int threads = omp_get_max_threads();
  int64_t total = 0, longest = 0;
  for (int64_t n : lengths) {
    total += std::max<int64_t>(n, 0);
    longest = std::max(longest, n);
  }
  bool sideBySide = threads > 1 && batch > 1 && omp_get_max_active_levels() <= 1 &&
                    longest * threads <= total;
  if (!sideBySide) {
    for (int64_t e = 0; e < batch; ++e)
      runExample(e);
    return;
  }
  std::vector<int64_t> order(static_cast<size_t>(batch));
  for (int64_t e = 0; e < batch; ++e)
    order[e] = e;
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return lengths[a] != lengths[b] ? lengths[a] > lengths[b] : a < b;
  });
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int64_t i = 0; i < batch; ++i)
    runExample(order[i]);
}
