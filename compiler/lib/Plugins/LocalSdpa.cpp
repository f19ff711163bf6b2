//===- LocalSdpa.cpp - chunked local self-attention (Reformer) ------------===//
//
// `local_sdpa(q, k, v, n_heads, chunk_length, chunks_before, chunks_after, causal,
// key_lengths, scale)`: Reformer's LocalSelfAttention (Kitaev et al. 2020; Hugging Face
// modeling_reformer) on projected tensors [batch, seq, n_heads * d_head]. The sequence is
// cut into chunks of chunk_length; the queries of chunk c attend to the keys of chunks
// c - chunks_before .. c + chunks_after, taken cyclically as Hugging Face's _look_adjacent
// does (without `causal`, chunk 0 also sees the last chunk). `causal` masks keys after the
// query (is_decoder); `key_lengths` masks keys at or past each example's length (the
// attention_mask). A sequence no longer than one chunk is plain attention, as in Hugging
// Face. Scores are q k^T / sqrt(d_head) (Hugging Face divides the keys).
//
// Emitted as the chunks: queries [batch * n_chunks, chunk_length, d], keys and values
// gathered per chunk [batch * n_chunks, (1 + before + after) chunk_length, d], and the
// fused attention over them, so memory is O(seq * chunk_length), never [seq, seq]. Masks
// (when causal or key_lengths) are a score bias of that shape per head.
//
// Differences from Hugging Face: a query whose every visible key is masked gets zeros here
// (Hugging Face fills masked scores with -1e9, so such a padded row averages its values).
//===----------------------------------------------------------------------===//
#include "AttentionCore.h"
#include "loom/Plugin/PluginUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace loom;
using namespace mlir;

namespace {

class LocalSdpaPlugin : public BlockPlugin {
public:
  std::string name() const override { return "local_sdpa"; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "chunked local self-attention of projected tensors: each chunk attends to itself "
           "and its neighbours, cyclically (Kitaev et al. 2020; Hugging Face Reformer "
           "LocalSelfAttention)";
  }
  bool ignoresPadding(const BlockInstance &) const override { return false; }
  std::vector<ParamSpec> params() const override {
    return {{"k", ParamType::Tensor(), std::nullopt, "keys [batch, seq, d_model]"},
            {"v", ParamType::Tensor(), std::nullopt, "values [batch, seq, d_model]"},
            {"n_heads", ParamType::Int(), std::nullopt, "number of heads"},
            {"chunk_length", ParamType::Int(), std::nullopt,
             "queries and keys per chunk (Hugging Face local_attn_chunk_length)"},
            {"chunks_before", ParamType::Int(), ParamValue::ofInt(1),
             "earlier chunks each chunk attends to (local_num_chunks_before)"},
            {"chunks_after", ParamType::Int(), ParamValue::ofInt(0),
             "later chunks each chunk attends to (local_num_chunks_after)"},
            {"causal", ParamType::Bool(), ParamValue::ofBool(false),
             "mask keys after the query (is_decoder)"},
            {"key_lengths", ParamType::Tensor(), ParamValue::ofSymbol("none"),
             "a [batch] i32/i64 tensor: keys at or past each example's length are masked"},
            {"scale", ParamType::Float(), ParamValue::ofFloat(0.0),
             "factor on q k^T; 0 = 1/sqrt(d_head)"}};
  }

  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &) const override {
    const std::vector<int64_t> &q = inst.inputShape();
    const auto *k = inst.tensorType("k");
    const auto *v = inst.tensorType("v");
    if (q.size() != 3 || std::any_of(q.begin(), q.end(), isDynamicDim)) {
      ctx.error("", "local_sdpa takes a static [batch, seq, d_model] query tensor");
      return false;
    }
    for (auto [name, t] : {std::pair{"k", k}, std::pair{"v", v}})
      if (t->second != "f32" || t->first != q) {
        ctx.error(name, std::string(name) + " must have the queries' shape (self-attention)");
        return false;
      }
    int64_t h = inst.getInt("n_heads"), c = inst.getInt("chunk_length");
    int64_t before = inst.getInt("chunks_before"), after = inst.getInt("chunks_after");
    if (h <= 0 || q[2] % h != 0) {
      ctx.error("n_heads", "n_heads must be positive and divide d_model (" + std::to_string(q[2]) +
                               "), got " + std::to_string(h));
      return false;
    }
    if (!plugins::checkChunks(inst, ctx, q[1]))
      return false;
    if (q[1] > c && 1 + before + after > q[1] / c) {
      ctx.error("", "chunks_before + 1 + chunks_after (" + std::to_string(1 + before + after) +
                        ") exceeds the " + std::to_string(q[1] / c) +
                        " chunks: a chunk would see another twice");
      return false;
    }
    if (inst.getFloat("scale") < 0) {
      ctx.error("scale", "scale must be >= 0 (0 = 1/sqrt(d_head))");
      return false;
    }
    if (!plugins::checkKeyLengths(inst, ctx, q[0]))
      return false;
    plugins::requireKeyLengthsRange(inst, ctx, q[1]);
    out = q;
    return true;
  }

  Value emit(const BlockInstance &inst, EmitContext &ctx, Value q) const override {
    OpBuilder &b = ctx.builder();
    Location loc = ctx.loc();
    Value k = ctx.tensor("k"), v = ctx.tensor("v"), lengths = ctx.tensor("key_lengths");
    auto qt = cast<RankedTensorType>(q.getType());
    int64_t batch = qt.getDimSize(0), seq = qt.getDimSize(1), d = qt.getDimSize(2);
    int64_t h = inst.getInt("n_heads"), c = inst.getInt("chunk_length");
    int64_t before = inst.getInt("chunks_before"), after = inst.getInt("chunks_after");
    bool causal = inst.getBool("causal");
    double scale = inst.getFloat("scale") > 0 ? inst.getFloat("scale") : 1.0 / std::sqrt(double(d / h));
    auto attention = [&](Value qq, Value kk, Value vv, Value bias, Value lens, bool causalMask) -> Value {
      return AttentionOp::create(b, loc, qq.getType(), qq, kk, vv, bias, lens, Value(), Value(), Value(),
                                 b.getI64IntegerAttr(h), b.getBoolAttr(causalMask), b.getI64IntegerAttr(0),
                                 b.getI64IntegerAttr(0), b.getI64IntegerAttr(0),
                                 b.getF32FloatAttr(static_cast<float>(scale)));
    };
    if (seq <= c) // one chunk: plain attention, as Hugging Face's do_standard_self_attention
      return attention(q, k, v, Value(), lengths, causal);

    int64_t n = seq / c, w = (1 + before + after) * c;
    // [batch, seq, d] -> [batch, n, c, d] -> [batch * n, c, d]
    auto chunks4 = [&](Value x) {
      return tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get({batch, n, c, d}, b.getF32Type()), x,
                                           ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}})
          .getResult();
    };
    auto flat = [&](Value x4) {
      return tensor::CollapseShapeOp::create(b, loc, x4, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}})
          .getResult();
    };
    // Chunk c's neighbours at offset o: chunk (c + o) mod n, for o = -before .. after,
    // concatenated along the chunk's rows (Hugging Face's _look_adjacent).
    auto adjacent = [&](Value x) {
      Value x4 = chunks4(x);
      SmallVector<Value> parts;
      for (int64_t o = -before; o <= after; ++o) {
        int64_t s = ((o % n) + n) % n; // rolled[c] = x4[(c + s) mod n]
        if (s == 0) {
          parts.push_back(x4);
          continue;
        }
        auto slice = [&](int64_t from, int64_t count) {
          return tensor::ExtractSliceOp::create(
              b, loc, RankedTensorType::get({batch, count, c, d}, b.getF32Type()), x4,
              ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(from), b.getIndexAttr(0), b.getIndexAttr(0)},
              ArrayRef<OpFoldResult>{b.getIndexAttr(batch), b.getIndexAttr(count), b.getIndexAttr(c), b.getIndexAttr(d)},
              ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1), b.getIndexAttr(1), b.getIndexAttr(1)})
              .getResult();
        };
        parts.push_back(tensor::ConcatOp::create(b, loc, 1, ValueRange{slice(s, n - s), slice(0, s)}));
      }
      Value all = parts.size() == 1 ? parts[0] : tensor::ConcatOp::create(b, loc, 2, parts).getResult();
      return flat(all);
    };
    Value qc = flat(chunks4(q)), kc = adjacent(k), vc = adjacent(v);
    Value bias;
    if (causal || lengths) {
      // bias[b * n + ch, head, i, j] = -inf where key j's position (chunk (ch + o) mod n) is
      // after query i's (causal) or at or past the example's length.
      auto bt = RankedTensorType::get({batch * n, h, c, w}, b.getF32Type());
      Value init = tensor::EmptyOp::create(b, loc, bt.getShape(), b.getF32Type());
      auto op = linalg::GenericOp::create(
          b, loc, bt, ValueRange{}, ValueRange{init}, ArrayRef<AffineMap>{b.getMultiDimIdentityMap(4)},
          SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location nl, ValueRange) {
            auto cst = [&](int64_t x) { return arith::ConstantIndexOp::create(nb, nl, x).getResult(); };
            Value row = linalg::IndexOp::create(nb, nl, 0), i = linalg::IndexOp::create(nb, nl, 2);
            Value j = linalg::IndexOp::create(nb, nl, 3);
            Value ex = arith::DivUIOp::create(nb, nl, row, cst(n)), ch = arith::RemUIOp::create(nb, nl, row, cst(n));
            auto [kch, krow] = plugins::windowSlot(nb, nl, ch, j, c, n, before);
            Value kpos = arith::AddIOp::create(nb, nl, arith::MulIOp::create(nb, nl, kch, cst(c)), krow);
            Value qpos = arith::AddIOp::create(nb, nl, arith::MulIOp::create(nb, nl, ch, cst(c)), i);
            Value masked = arith::ConstantIntOp::create(nb, nl, nb.getI1Type(), 0);
            if (causal)
              masked = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ugt, kpos, qpos);
            if (lengths) {
              Value len = arith::IndexCastOp::create(
                  nb, nl, nb.getIndexType(), tensor::ExtractOp::create(nb, nl, lengths, ValueRange{ex}));
              masked = arith::OrIOp::create(nb, nl, masked,
                                            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::uge, kpos, len));
            }
            Value ninf = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
            Value zero = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0.0f));
            linalg::YieldOp::create(nb, nl, ValueRange{arith::SelectOp::create(nb, nl, masked, ninf, zero)});
          });
      bias = op.getResult(0);
    }
    Value y = attention(qc, kc, vc, bias, Value(), false); // [batch * n, c, d]
    Value y4 = tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get({batch, n, c, d}, b.getF32Type()),
                                             y, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}});
    return tensor::CollapseShapeOp::create(b, loc, y4, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}});
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(LocalSdpaPlugin)
