//===- LshSdpa.cpp - LSH self-attention (Reformer) ------------------------===//
//
// `lsh_sdpa(qk, v, rotations, n_heads, num_hashes, num_buckets, chunk_length, chunks_before,
// chunks_after, causal, key_lengths)`: Reformer's LSH self-attention (Kitaev et al. 2020,
// sec. 2) as Hugging Face's LSHSelfAttention computes it at inference, on the shared
// query/key projection qk and the values v ([batch, seq, n_heads * d_head]):
//   1. buckets: argmax of [x R_r, -x R_r] per head and round r, R = `rotations`
//      [n_heads, d_head, num_hashes, num_buckets / 2] (a tensor of the model: Hugging Face
//      draws it per call); padded positions (key_lengths) go to a bucket after the others;
//   2. a stable sort of every round's positions by (round, bucket, position);
//   3. chunks of chunk_length over the sorted sequence of all rounds, each attending to
//      chunks_before / chunks_after neighbours cyclically; keys are the queries
//      length-normalized (x / sqrt(mean(x^2) + 1e-6)) and divided by sqrt(d_head);
//   4. masked scores (causal, padded keys) replaced by -1e9, then a token's own position by
//      -1e5 (the self mask); softmax through logsumexp;
//   5. the sort undone, and the rounds combined with the softmax of their logsumexps.
// A sequence no longer than one chunk is attention over all of it with the same masks,
// not hashed (Hugging Face's do_standard_self_attention).
//
// Emitted as: the rotations' projections as one batched matmul; the argmax and a stable
// counting sort per (batch, head) as loops; gathered query, key and value windows
// [batch * n_heads * chunks, chunk_length or (1 + before + after) chunk_length, d_head]; the
// scores and the context as two batched matmuls, with generics for the masks and the
// logsumexp. Memory O(num_hashes * seq * chunk_length), never [seq, seq]. Static shapes only.
//===----------------------------------------------------------------------===//
#include "AttentionCore.h"
#include "loom/Plugin/PluginUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace loom;
using namespace mlir;

namespace {

/// The sizes every step shares.
struct Lsh {
  int64_t B, S, H, dh, nh, nb, C, before, after;
  bool standard; ///< S <= C: no hashing, one chunk of the whole sequence
  int64_t rounds() const { return standard ? 1 : nh; }
  int64_t len() const { return rounds() * S; }     ///< the sorted sequence, all rounds
  int64_t chunk() const { return standard ? S : C; }
  int64_t chunks() const { return len() / chunk(); } ///< N per (batch, head)
  int64_t span() const { return (standard ? 1 : 1 + before + after) * chunk(); } ///< W
};

Value idxC(OpBuilder &b, Location l, int64_t v) { return arith::ConstantIndexOp::create(b, l, v); }
Value f32C(OpBuilder &b, Location l, float v) { return arith::ConstantOp::create(b, l, b.getF32FloatAttr(v)); }
/// A tensor of `shape` filled with `value`.
Value filled(OpBuilder &b, Location l, Value value, ArrayRef<int64_t> shape) {
  Value init = tensor::EmptyOp::create(b, l, shape, value.getType());
  return linalg::FillOp::create(b, l, ValueRange{value}, ValueRange{init}).getResult(0);
}

/// A linalg.generic over `shape` with identity maps, `ins` read element-wise, and `red`
/// trailing reduction dimensions of extent `redSizes` (iteration space shape ++ redSizes;
/// the output and the inputs are indexed by the leading dimensions only).
Value generic(OpBuilder &b, Location l, ArrayRef<int64_t> shape, ArrayRef<int64_t> redSizes,
              Type elem, Value init, ValueRange ins,
              function_ref<Value(OpBuilder &, Location, ValueRange idx, ValueRange args)> body) {
  int64_t n = shape.size(), total = n + redSizes.size();
  if (!init) {
    init = tensor::EmptyOp::create(b, l, shape, elem);
  }
  SmallVector<AffineExpr> lead;
  for (int64_t i = 0; i < n; ++i)
    lead.push_back(b.getAffineDimExpr(i));
  AffineMap m = AffineMap::get(total, 0, lead, b.getContext());
  SmallVector<AffineMap> maps(ins.size() + 1, m);
  SmallVector<utils::IteratorType> iters(n, utils::IteratorType::parallel);
  iters.append(redSizes.size(), utils::IteratorType::reduction);
  // Reductions need their extents in the iteration space: a dummy input spans them.
  SmallVector<Value> inputs(ins);
  if (!redSizes.empty()) {
    SmallVector<int64_t> all(shape);
    all.append(redSizes.begin(), redSizes.end());
    inputs.push_back(tensor::EmptyOp::create(b, l, all, b.getI8Type()));
    maps.insert(maps.end() - 1, b.getMultiDimIdentityMap(total));
  }
  auto op = linalg::GenericOp::create(
      b, l, init.getType(), inputs, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        SmallVector<Value> idx;
        for (int64_t i = 0; i < total; ++i)
          idx.push_back(linalg::IndexOp::create(nb, nl, i));
        SmallVector<Value> a(args.begin(), args.begin() + ins.size());
        a.push_back(args.back()); // the running output value
        linalg::YieldOp::create(nb, nl, body(nb, nl, idx, a));
      });
  return op.getResult(0);
}

class LshSdpaPlugin : public BlockPlugin {
public:
  std::string name() const override { return "lsh_sdpa"; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "LSH self-attention on a shared query/key projection: hashing by random rotations, "
           "sort by bucket, chunked attention, rounds combined (Kitaev et al. 2020 sec. 2; "
           "Hugging Face Reformer LSHSelfAttention)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"v", ParamType::Tensor(), std::nullopt, "values [batch, seq, d_model]"},
            {"rotations", ParamType::Tensor(), std::nullopt,
             "f32 [n_heads, d_head, num_hashes, num_buckets / 2]: the hashing rotations"},
            {"n_heads", ParamType::Int(), std::nullopt, "number of heads"},
            {"num_hashes", ParamType::Int(), ParamValue::ofInt(1), "hashing rounds"},
            {"num_buckets", ParamType::Int(), std::nullopt, "buckets per round (even)"},
            {"chunk_length", ParamType::Int(), ParamValue::ofInt(64), "lsh_attn_chunk_length"},
            {"chunks_before", ParamType::Int(), ParamValue::ofInt(1), "lsh_num_chunks_before"},
            {"chunks_after", ParamType::Int(), ParamValue::ofInt(0), "lsh_num_chunks_after"},
            {"causal", ParamType::Bool(), ParamValue::ofBool(false), "is_decoder"},
            {"key_lengths", ParamType::Tensor(), ParamValue::ofSymbol("none"),
             "a [batch] i32/i64 tensor: positions at or past each example's length are padding"}};
  }

  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &) const override {
    const std::vector<int64_t> &q = inst.inputShape();
    auto err = [&](const std::string &p, const std::string &m) {
      ctx.error(p, m);
      return false;
    };
    if (q.size() != 3 || std::any_of(q.begin(), q.end(), isDynamicDim))
      return err("", "lsh_sdpa takes a static [batch, seq, d_model] tensor");
    const auto *v = inst.tensorType("v");
    if (v->second != "f32" || v->first != q)
      return err("v", "v must have qk's shape");
    int64_t h = inst.getInt("n_heads"), nh = inst.getInt("num_hashes"), nb = inst.getInt("num_buckets");
    int64_t c = inst.getInt("chunk_length"), before = inst.getInt("chunks_before"),
            after = inst.getInt("chunks_after");
    if (h <= 0 || q[2] % h != 0)
      return err("n_heads", "n_heads must be positive and divide d_model (" + std::to_string(q[2]) + ")");
    if (nb < 2 || nb % 2 != 0)
      return err("num_buckets", "num_buckets must be even and at least 2, got " + std::to_string(nb));
    if (nh < 1 || nh > 64)
      return err("num_hashes", "num_hashes must be in [1, 64], got " + std::to_string(nh));
    if (!plugins::checkChunks(inst, ctx, q[1]))
      return false;
    if (q[1] > c && 1 + before + after > nh * q[1] / c)
      return err("", "chunks_before + 1 + chunks_after exceeds the chunks of all rounds (" +
                         std::to_string(nh * q[1] / c) + "): a chunk would see another twice");
    const auto *r = inst.tensorType("rotations");
    std::vector<int64_t> rs = {h, q[2] / h, nh, nb / 2};
    if (r->second != "f32" || r->first != rs)
      return err("rotations", "rotations must be f32 [" + std::to_string(rs[0]) + ", " +
                                  std::to_string(rs[1]) + ", " + std::to_string(rs[2]) + ", " +
                                  std::to_string(rs[3]) + "] ([n_heads, d_head, num_hashes, "
                                  "num_buckets / 2])");
    if (!plugins::checkKeyLengths(inst, ctx, q[0]))
      return false;
    plugins::requireKeyLengthsRange(inst, ctx, q[1]);
    out = q;
    return true;
  }

  Value emit(const BlockInstance &inst, EmitContext &ctx, Value qk) const override {
    OpBuilder &b = ctx.builder();
    Location l = ctx.loc();
    auto qt = cast<RankedTensorType>(qk.getType());
    Lsh z{qt.getDimSize(0), qt.getDimSize(1), inst.getInt("n_heads"), 0, inst.getInt("num_hashes"),
          inst.getInt("num_buckets"), inst.getInt("chunk_length"), inst.getInt("chunks_before"),
          inst.getInt("chunks_after"), false};
    z.dh = qt.getDimSize(2) / z.H;
    z.standard = z.S <= z.C;
    Value v = ctx.tensor("v"), rot = ctx.tensor("rotations"), lengths = ctx.tensor("key_lengths");
    bool causal = inst.getBool("causal");
    Type f32 = b.getF32Type();
    auto heads4 = [&](Value x) {
      return tensor::ExpandShapeOp::create(b, l, RankedTensorType::get({z.B, z.S, z.H, z.dh}, f32), x,
                                           ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}})
          .getResult();
    };
    Value qk4 = heads4(qk), v4 = heads4(v);
    // Example bi's length (index), or S.
    auto lengthOf = [&](OpBuilder &nb, Location nl, Value bi) -> Value {
      if (!lengths)
        return idxC(nb, nl, z.S);
      return arith::IndexCastOp::create(nb, nl, nb.getIndexType(),
                                        tensor::ExtractOp::create(nb, nl, lengths, ValueRange{bi}));
    };
    int64_t C = z.chunk(), N = z.chunks(), W = z.span(), X = z.B * z.H * N;

    // pos[b, h, e]: the position at sorted place e; undo[b, h, r * S + s]: where round r's
    // position s went.
    // (Unsorted: the position is the place itself.)
    Value pos, undo;
    if (!z.standard)
      std::tie(pos, undo) = hashAndSort(b, l, z, qk4, rot, lengthOf);

    // Sorted queries qs [X, C, dh]; x = (b * H + h) * N + n.
    auto split = [&](OpBuilder &nb, Location nl, Value x) {
      Value n = arith::RemUIOp::create(nb, nl, x, idxC(nb, nl, N));
      Value bh = arith::DivUIOp::create(nb, nl, x, idxC(nb, nl, N));
      return std::make_tuple(arith::DivUIOp::create(nb, nl, bh, idxC(nb, nl, z.H)).getResult(),
                             arith::RemUIOp::create(nb, nl, bh, idxC(nb, nl, z.H)).getResult(), n);
    };
    auto posAt = [&](OpBuilder &nb, Location nl, Value bi, Value hi, Value e) -> Value {
      if (!pos)
        return e;
      return arith::IndexCastOp::create(nb, nl, nb.getIndexType(),
                                        tensor::ExtractOp::create(nb, nl, pos, ValueRange{bi, hi, e}));
    };
    auto gathered = [&](Value src) {
      return generic(b, l, {X, C, z.dh}, {}, f32, Value(), {}, [&](OpBuilder &nb, Location nl, ValueRange i, ValueRange) -> Value {
        auto [bi, hi, n] = split(nb, nl, i[0]);
        Value e = arith::AddIOp::create(nb, nl, arith::MulIOp::create(nb, nl, n, idxC(nb, nl, C)), i[1]);
        return tensor::ExtractOp::create(nb, nl, src, ValueRange{bi, posAt(nb, nl, bi, hi, e), hi, i[2]});
      });
    };
    Value qs = gathered(qk4), vs = gathered(v4);
    // Keys: length-normalized and divided by sqrt(d_head) (Hugging Face's _len_and_dim_norm).
    Value zeroF = f32C(b, l, 0.0f);
    Value sq = generic(b, l, {X, C}, {z.dh}, f32, filled(b, l, zeroF, {X, C}),
                       {}, [&](OpBuilder &nb, Location nl, ValueRange i, ValueRange a) -> Value {
                         Value x = tensor::ExtractOp::create(nb, nl, qs, ValueRange{i[0], i[1], i[2]});
                         return arith::AddFOp::create(nb, nl, a[0], arith::MulFOp::create(nb, nl, x, x));
                       });
    Value ks = generic(b, l, {X, C, z.dh}, {}, f32, Value(), {qs}, [&](OpBuilder &nb, Location nl, ValueRange i, ValueRange a) -> Value {
      Value mean = arith::DivFOp::create(nb, nl, tensor::ExtractOp::create(nb, nl, sq, ValueRange{i[0], i[1]}),
                                         f32C(nb, nl, float(z.dh)));
      Value n = math::RsqrtOp::create(nb, nl, arith::AddFOp::create(nb, nl, mean, f32C(nb, nl, 1e-6f)));
      Value y = arith::MulFOp::create(nb, nl, a[0], n);
      return arith::MulFOp::create(nb, nl, y, math::RsqrtOp::create(nb, nl, f32C(nb, nl, float(z.dh))));
    });
    // Key slot j of chunk x: chunk (n + j / C - before) mod N of the same (b, h), row j % C.
    int64_t be = z.standard ? 0 : z.before;
    auto keyChunk = [&](OpBuilder &nb, Location nl, Value x, Value j) -> std::pair<Value, Value> {
      Value n = arith::RemUIOp::create(nb, nl, x, idxC(nb, nl, N));
      auto [kn, row] = plugins::windowSlot(nb, nl, n, j, C, N, be);
      return {arith::AddIOp::create(nb, nl, arith::SubIOp::create(nb, nl, x, n), kn), row};
    };
    auto positionOf = [&](OpBuilder &nb, Location nl, Value x, Value row) -> Value {
      auto [bi, hi, n] = split(nb, nl, x);
      Value e = arith::AddIOp::create(nb, nl, arith::MulIOp::create(nb, nl, n, idxC(nb, nl, C)), row);
      return posAt(nb, nl, bi, hi, e);
    };
    // Each chunk's keys (transposed) and values gathered once: [X, dh, W] and [X, W, dh],
    // so that the scores and the context are two batched matmuls.
    auto window = [&](Value src, bool transposed) {
      SmallVector<int64_t> shape = transposed ? SmallVector<int64_t>{X, z.dh, W} : SmallVector<int64_t>{X, W, z.dh};
      return generic(b, l, shape, {}, f32, Value(), {}, [&](OpBuilder &nb, Location nl, ValueRange i, ValueRange) -> Value {
        Value j = transposed ? i[2] : i[1], d = transposed ? i[1] : i[2];
        auto [kx, kr] = keyChunk(nb, nl, i[0], j);
        return tensor::ExtractOp::create(nb, nl, src, ValueRange{kx, kr, d});
      });
    };
    Value kwT = window(ks, true), vw = window(vs, false);
    // Scores [X, C, W] with the masks and the self mask, replaced as Hugging Face does.
    Value dots0 = linalg::BatchMatmulOp::create(b, l, TypeRange{RankedTensorType::get({X, C, W}, f32)},
                                                ValueRange{qs, kwT}, ValueRange{filled(b, l, zeroF, {X, C, W})})
                      .getResult(0);
    Value dots = generic(b, l, {X, C, W}, {}, f32, Value(), {dots0}, [&](OpBuilder &nb, Location nl, ValueRange i, ValueRange a) -> Value {
      auto [kx, kr] = keyChunk(nb, nl, i[0], i[2]);
      Value qp = positionOf(nb, nl, i[0], i[1]), kp = positionOf(nb, nl, kx, kr);
      Value val = a[0];
      Value masked = arith::ConstantIntOp::create(nb, nl, nb.getI1Type(), 0);
      if (causal)
        masked = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ugt, kp, qp);
      if (lengths) {
        auto [bi, hi, n] = split(nb, nl, i[0]);
        masked = arith::OrIOp::create(nb, nl, masked, arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::uge, kp, lengthOf(nb, nl, bi)));
      }
      val = arith::SelectOp::create(nb, nl, masked, f32C(nb, nl, -1e9f), val);
      Value self = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, kp, qp);
      return arith::SelectOp::create(nb, nl, self, f32C(nb, nl, -1e5f), val);
    });
    // logsumexp over the keys: max, then the sum of exponentials.
    Value ninf = f32C(b, l, -std::numeric_limits<float>::infinity());
    auto fill2 = [&](Value c) {
      return filled(b, l, c, {X, C});
    };
    Value mx = generic(b, l, {X, C}, {W}, f32, fill2(ninf), {}, [&](OpBuilder &nb, Location nl, ValueRange i, ValueRange a) -> Value {
      return arith::MaximumFOp::create(nb, nl, a[0], tensor::ExtractOp::create(nb, nl, dots, ValueRange{i[0], i[1], i[2]}));
    });
    Value se = generic(b, l, {X, C}, {W}, f32, fill2(zeroF), {}, [&](OpBuilder &nb, Location nl, ValueRange i, ValueRange a) -> Value {
      Value d = tensor::ExtractOp::create(nb, nl, dots, ValueRange{i[0], i[1], i[2]});
      Value m = tensor::ExtractOp::create(nb, nl, mx, ValueRange{i[0], i[1]});
      return arith::AddFOp::create(nb, nl, a[0], math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, d, m)));
    });
    Value lse = generic(b, l, {X, C}, {}, f32, Value(), {mx, se}, [&](OpBuilder &nb, Location nl, ValueRange, ValueRange a) -> Value {
      return arith::AddFOp::create(nb, nl, a[0], math::LogOp::create(nb, nl, a[1]));
    });
    Value probs = generic(b, l, {X, C, W}, {}, f32, Value(), {dots}, [&](OpBuilder &nb, Location nl, ValueRange i, ValueRange a) -> Value {
      return math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, a[0],
                                 tensor::ExtractOp::create(nb, nl, lse, ValueRange{i[0], i[1]})));
    });
    Value outs = linalg::BatchMatmulOp::create(b, l, TypeRange{RankedTensorType::get({X, C, z.dh}, f32)},
                                               ValueRange{probs, vw}, ValueRange{filled(b, l, zeroF, {X, C, z.dh})})
                     .getResult(0);
    // Back to [batch, seq, n_heads * d_head]: each round's row of position s (through undo),
    // weighted by the softmax of the rounds' logsumexps.
    return generic(b, l, {z.B, z.S, z.H * z.dh}, {}, f32, Value(), {}, [&](OpBuilder &nb, Location nl, ValueRange i, ValueRange) -> Value {
      Value hi = arith::DivUIOp::create(nb, nl, i[2], idxC(nb, nl, z.dh));
      Value d = arith::RemUIOp::create(nb, nl, i[2], idxC(nb, nl, z.dh));
      Value bhN = arith::MulIOp::create(nb, nl, arith::AddIOp::create(nb, nl, arith::MulIOp::create(nb, nl, i[0], idxC(nb, nl, z.H)), hi), idxC(nb, nl, N));
      SmallVector<Value> rowX, rowI, lses;
      for (int64_t r = 0; r < z.rounds(); ++r) {
        Value p = i[1];
        if (!z.standard) {
          Value e = arith::AddIOp::create(nb, nl, i[1], idxC(nb, nl, r * z.S));
          p = arith::IndexCastOp::create(nb, nl, nb.getIndexType(), tensor::ExtractOp::create(nb, nl, undo, ValueRange{i[0], hi, e}));
        }
        rowX.push_back(arith::AddIOp::create(nb, nl, bhN, arith::DivUIOp::create(nb, nl, p, idxC(nb, nl, C))));
        rowI.push_back(arith::RemUIOp::create(nb, nl, p, idxC(nb, nl, C)));
        lses.push_back(tensor::ExtractOp::create(nb, nl, lse, ValueRange{rowX.back(), rowI.back()}));
      }
      if (lses.size() == 1)
        return tensor::ExtractOp::create(nb, nl, outs, ValueRange{rowX[0], rowI[0], d});
      Value m = lses[0];
      for (size_t r = 1; r < lses.size(); ++r)
        m = arith::MaximumFOp::create(nb, nl, m, lses[r]);
      // exp(l_r - logsumexp_r(l)), the logsumexp rounded to f32 as torch.logsumexp's
      // max + log(sum(exp(l - max))): with a self-masked row's logsumexp near -1e5 that
      // rounding moves the weights by up to 0.4%, and Hugging Face's output with it.
      Value zsum = f32C(nb, nl, 0.0f), acc = f32C(nb, nl, 0.0f);
      for (Value x : lses)
        zsum = arith::AddFOp::create(nb, nl, zsum, math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, x, m)));
      Value total = arith::AddFOp::create(nb, nl, m, math::LogOp::create(nb, nl, zsum));
      for (size_t r = 0; r < lses.size(); ++r) {
        Value o = tensor::ExtractOp::create(nb, nl, outs, ValueRange{rowX[r], rowI[r], d});
        Value w = math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, lses[r], total));
        acc = arith::AddFOp::create(nb, nl, acc, arith::MulFOp::create(nb, nl, w, o));
      }
      return acc;
    });
  }

private:
  /// Buckets and the stable counting sort, per (batch, head), as loops: returns pos
  /// [B, H, nh * S] and undo [B, H, nh * S] (i64).
  static std::pair<Value, Value> hashAndSort(OpBuilder &b, Location l, const Lsh &z, Value qk4, Value rot,
                                             function_ref<Value(OpBuilder &, Location, Value)> lengthOf) {
    Type i64 = b.getI64Type(), f32 = b.getF32Type();
    int64_t L = z.nh * z.S, K = z.nb / 2, keys = z.nh * (z.nb + 1);
    // x R for every head, position, round and rotation as one batched matmul (the einsum
    // bmtd,mdhr of Hugging Face's _hash_vectors): [B * H, S, dh] x [B * H, dh, nh * K].
    Value rotated;
    {
      Value qh = generic(b, l, {z.B * z.H, z.S, z.dh}, {}, f32, Value(), {}, [&](OpBuilder &nb, Location nl, ValueRange i, ValueRange) -> Value {
        Value bi = arith::DivUIOp::create(nb, nl, i[0], idxC(nb, nl, z.H));
        Value hi = arith::RemUIOp::create(nb, nl, i[0], idxC(nb, nl, z.H));
        return tensor::ExtractOp::create(nb, nl, qk4, ValueRange{bi, i[1], hi, i[2]});
      });
      Value rh = generic(b, l, {z.B * z.H, z.dh, z.nh * K}, {}, f32, Value(), {}, [&](OpBuilder &nb, Location nl, ValueRange i, ValueRange) -> Value {
        Value hi = arith::RemUIOp::create(nb, nl, i[0], idxC(nb, nl, z.H));
        Value r = arith::DivUIOp::create(nb, nl, i[2], idxC(nb, nl, K));
        Value k = arith::RemUIOp::create(nb, nl, i[2], idxC(nb, nl, K));
        return tensor::ExtractOp::create(nb, nl, rot, ValueRange{hi, i[1], r, k});
      });
      rotated = linalg::BatchMatmulOp::create(
                    b, l, TypeRange{RankedTensorType::get({z.B * z.H, z.S, z.nh * K}, f32)}, ValueRange{qh, rh},
                    ValueRange{filled(b, l, f32C(b, l, 0.0f), {z.B * z.H, z.S, z.nh * K})})
                    .getResult(0);
    }
    Value pos0 = tensor::EmptyOp::create(b, l, ArrayRef<int64_t>{z.B, z.H, L}, i64);
    Value undo0 = tensor::EmptyOp::create(b, l, ArrayRef<int64_t>{z.B, z.H, L}, i64);
    auto forLoop = [&](OpBuilder &ob, Location ol, int64_t n, ValueRange init,
                       function_ref<SmallVector<Value>(OpBuilder &, Location, Value, ValueRange)> body) {
      return scf::ForOp::create(ob, ol, idxC(ob, ol, 0), idxC(ob, ol, n), idxC(ob, ol, 1), init,
                                [&](OpBuilder &bb, Location bl, Value iv, ValueRange it) {
                                  scf::YieldOp::create(bb, bl, body(bb, bl, iv, it));
                                })
          .getResults();
    };
    auto res = forLoop(b, l, z.B, ValueRange{pos0, undo0}, [&](OpBuilder &b1, Location l1, Value bi, ValueRange t1) {
      Value len = lengthOf(b1, l1, bi);
      return SmallVector<Value>(forLoop(b1, l1, z.H, t1, [&](OpBuilder &b2, Location l2, Value hi, ValueRange t2) {
        Type i64b = b2.getI64Type();
        // The sort key of every element e = r * S + s: r * (nb + 1) + bucket.
        Value keyT = tensor::EmptyOp::create(b2, l2, ArrayRef<int64_t>{L}, i64b);
        Value counts0 = filled(b2, l2, arith::ConstantIntOp::create(b2, l2, i64b, 0), {keys});
        auto keyed = forLoop(b2, l2, L, ValueRange{keyT, counts0}, [&](OpBuilder &b3, Location l3, Value e, ValueRange t3) {
          Value r = arith::DivUIOp::create(b3, l3, e, idxC(b3, l3, z.S));
          Value s = arith::RemUIOp::create(b3, l3, e, idxC(b3, l3, z.S));
          // argmax over [x R, -x R]: the first maximum, as torch.argmax.
          Value ninf = f32C(b3, l3, -std::numeric_limits<float>::infinity());
          Value none = idxC(b3, l3, z.nb);
          auto best = forLoop(b3, l3, K, ValueRange{ninf, none}, [&](OpBuilder &b4, Location l4, Value k, ValueRange bv) {
            Value bh = arith::AddIOp::create(b4, l4, arith::MulIOp::create(b4, l4, bi, idxC(b4, l4, z.H)), hi);
            Value col = arith::AddIOp::create(b4, l4, arith::MulIOp::create(b4, l4, r, idxC(b4, l4, K)), k);
            Value dot = tensor::ExtractOp::create(b4, l4, rotated, ValueRange{bh, s, col});
            SmallVector<Value> cur(bv.begin(), bv.end());
            auto consider = [&](Value val, Value idx) {
              Value better = arith::OrIOp::create(
                  b4, l4, arith::CmpFOp::create(b4, l4, arith::CmpFPredicate::OGT, val, cur[0]),
                  arith::AndIOp::create(b4, l4, arith::CmpFOp::create(b4, l4, arith::CmpFPredicate::OEQ, val, cur[0]),
                                        arith::CmpIOp::create(b4, l4, arith::CmpIPredicate::ult, idx, cur[1])));
              cur = {arith::SelectOp::create(b4, l4, better, val, cur[0]), arith::SelectOp::create(b4, l4, better, idx, cur[1])};
            };
            consider(dot, k);
            consider(arith::NegFOp::create(b4, l4, dot), arith::AddIOp::create(b4, l4, k, idxC(b4, l4, K)));
            return cur;
          });
          // Padding goes to bucket nb, after the others of its round.
          Value padded = arith::CmpIOp::create(b3, l3, arith::CmpIPredicate::uge, s, len);
          Value bucket = arith::SelectOp::create(b3, l3, padded, idxC(b3, l3, z.nb), best[1]);
          Value key = arith::AddIOp::create(b3, l3, arith::MulIOp::create(b3, l3, r, idxC(b3, l3, z.nb + 1)), bucket);
          Value keyI = arith::IndexCastOp::create(b3, l3, b3.getI64Type(), key);
          Value kt = tensor::InsertOp::create(b3, l3, keyI, t3[0], ValueRange{e});
          Value cnt = tensor::ExtractOp::create(b3, l3, t3[1], ValueRange{key});
          Value ct = tensor::InsertOp::create(b3, l3, arith::AddIOp::create(b3, l3, cnt, arith::ConstantIntOp::create(b3, l3, b3.getI64Type(), 1)),
                                              t3[1], ValueRange{key});
          return SmallVector<Value>{kt, ct};
        });
        // Exclusive prefix sums: each key's first place.
        auto starts = forLoop(b2, l2, keys, ValueRange{keyed[1], arith::ConstantIntOp::create(b2, l2, i64b, 0)},
                              [&](OpBuilder &b3, Location l3, Value k, ValueRange t3) {
                                Value c = tensor::ExtractOp::create(b3, l3, t3[0], ValueRange{k});
                                Value st = tensor::InsertOp::create(b3, l3, t3[1], t3[0], ValueRange{k});
                                return SmallVector<Value>{st, arith::AddIOp::create(b3, l3, t3[1], c)};
                              });
        // Place every element in order (stable): pos[place] = s, undo[e] = place.
        auto placed = forLoop(b2, l2, L, ValueRange{starts[0], t2[0], t2[1]}, [&](OpBuilder &b3, Location l3, Value e, ValueRange t3) {
          Value key = arith::IndexCastOp::create(b3, l3, b3.getIndexType(), tensor::ExtractOp::create(b3, l3, keyed[0], ValueRange{e}));
          Value placeI = tensor::ExtractOp::create(b3, l3, t3[0], ValueRange{key});
          Value place = arith::IndexCastOp::create(b3, l3, b3.getIndexType(), placeI);
          Value st = tensor::InsertOp::create(b3, l3, arith::AddIOp::create(b3, l3, placeI, arith::ConstantIntOp::create(b3, l3, b3.getI64Type(), 1)),
                                              t3[0], ValueRange{key});
          Value s = arith::IndexCastOp::create(b3, l3, b3.getI64Type(), arith::RemUIOp::create(b3, l3, e, idxC(b3, l3, z.S)));
          Value p = tensor::InsertOp::create(b3, l3, s, t3[1], ValueRange{bi, hi, place});
          Value u = tensor::InsertOp::create(b3, l3, placeI, t3[2], ValueRange{bi, hi, e});
          return SmallVector<Value>{st, p, u};
        });
        return SmallVector<Value>{placed[1], placed[2]};
      }));
    });
    return {res[0], res[1]};
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(LshSdpaPlugin)
