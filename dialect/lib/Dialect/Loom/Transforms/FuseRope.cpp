//===- FuseRope.cpp - rotary position embedding into the projection -------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

namespace loom {
#define GEN_PASS_DEF_LOOMFUSEROPE
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {
int64_t dHeadOf(RopeOp rope) {
  return rope.getInput().getType().getDimSize(2) / static_cast<int64_t>(rope.getNHeads());
}

/// Whether `rope` has the form a projection can absorb as it is: rotate_half over whole
/// heads.
bool isFusable(RopeOp rope) {
  return !rope.getInterleaved() && static_cast<int64_t>(rope.getRotaryDim()) == dHeadOf(rope);
}

/// Whether `rope` can be absorbed once its projection's rows are permuted within each head
/// (interleaved pairs, partial rotary): d_head must split into two halves.
bool isPermutable(RopeOp rope) { return !isFusable(rope) && dHeadOf(rope) % 2 == 0; }

/// Every `stride`-th index of `v` along `dim` from `offset`, `size` of them; the other
/// dims whole.
Value sliceAlong(OpBuilder &b, Location loc, Value v, int64_t dim, int64_t offset,
                 int64_t size, int64_t stride = 1) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> offs(t.getRank(), b.getIndexAttr(0)), sizes,
      strides(t.getRank(), b.getIndexAttr(1));
  offs[dim] = b.getIndexAttr(offset);
  strides[dim] = b.getIndexAttr(stride);
  for (int64_t d = 0; d < t.getRank(); ++d)
    sizes.push_back(d == dim ? b.getIndexAttr(size)
                    : t.isDynamicDim(d)
                        ? OpFoldResult(tensor::DimOp::create(b, loc, v, d).getResult())
                        : OpFoldResult(b.getIndexAttr(t.getDimSize(d))));
  return tensor::ExtractSliceOp::create(b, loc, v, offs, sizes, strides);
}

/// Whether `linear` is a packed projection (PyTorch's in_proj) that can be split into one
/// linear per column slice of its result.
bool isSplittable(LinearOp linear) {
  return linear && linear.isPlain() && !linear->use_empty() &&
         llvm::all_of(linear->getUsers(), [](Operation *user) {
           auto slice = dyn_cast<tensor::ExtractSliceOp>(user);
           return slice && columnSlice(slice);
         });
}

/// Splits a packed projection (isSplittable) into one linear per column slice, on that
/// slice's rows of the weight and bias, so that a rope of a slice folds into its own
/// projection (and loom-fuse-projections merges q and k again, rotated).
void splitPacked(LinearOp linear) {
  for (Operation *user : llvm::make_early_inc_range(linear->getUsers())) {
    auto slice = cast<tensor::ExtractSliceOp>(user);
    std::pair<int64_t, int64_t> columns = *columnSlice(slice);
    int64_t offset = columns.first, size = columns.second;
    OpBuilder b(slice);
    Location loc = linear.getLoc();
    // rows [offset, offset + size) of a weight or bias
    auto rows = [&](Value v) { return sliceAlong(b, loc, v, 0, offset, size); };
    Value bias = linear.getBias() ? rows(linear.getBias()) : Value();
    auto part = LinearOp::create(b, loc, slice.getType(), linear.getInput(),
                                 rows(linear.getWeight()), bias);
    part->setDiscardableAttrs(linear->getDiscardableAttrDictionary());
    slice.getResult().replaceAllUsesWith(part.getResult());
    slice->erase();
  }
  linear->erase();
}

/// The packed projection `rope`'s input is a column slice of, if it can be split.
LinearOp packedSource(RopeOp rope) {
  auto slice = rope.getInput().getDefiningOp<tensor::ExtractSliceOp>();
  if (!slice || !slice->hasOneUse())
    return nullptr;
  auto packed = slice.getSource().getDefiningOp<LinearOp>();
  return isSplittable(packed) ? packed : nullptr;
}

/// Whether `rope`'s input is a projection it can fold into: a plain linear with no other
/// user, or a slice of a splittable packed one.
bool hasProjection(RopeOp rope) {
  auto linear = rope.getInput().getDefiningOp<LinearOp>();
  return (linear && linear->hasOneUse() && linear.isPlain()) || packedSource(rope);
}

/// Rows of `v` ([H * d_head] or [H * d_head, K]) reordered within each head so that
/// `rope`'s pairs become the pairs (i, d_head/2 + i), i < rotary_dim/2, of the linear's
/// rotated form (rope_rotary_dim): per head, the pairs' first features, the first half of
/// the passed-through features, the pairs' second features, the other half. Interleaved
/// pairs are (2i, 2i + 1), rotate_half ones (i, i + rotary_dim/2).
Value permuteHeadRows(OpBuilder &b, Location loc, Value v, RopeOp rope) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t heads = static_cast<int64_t>(rope.getNHeads()), dHead = dHeadOf(rope);
  int64_t rot = static_cast<int64_t>(rope.getRotaryDim()), pairs = rot / 2;
  int64_t rest = (dHead - rot) / 2; // passed-through features per half
  bool interleaved = rope.getInterleaved();
  // [H * d_head, ...] -> [H, d_head, ...]
  SmallVector<int64_t> shape{heads, dHead};
  shape.append(t.getShape().begin() + 1, t.getShape().end());
  SmallVector<ReassociationIndices> assoc{{0, 1}};
  for (int64_t r = 1; r < t.getRank(); ++r)
    assoc.push_back({r + 1});
  Value v3 = tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get(shape, t.getElementType()),
                                           v, assoc);
  // Features [from, from + stride * size) of every head, every stride-th one.
  auto features = [&](int64_t from, int64_t size, int64_t stride) {
    return sliceAlong(b, loc, v3, 1, from, size, stride);
  };
  SmallVector<Value> pieces{interleaved ? features(0, pairs, 2) : features(0, pairs, 1)};
  if (rest > 0)
    pieces.push_back(features(rot, rest, 1));
  pieces.push_back(interleaved ? features(1, pairs, 2) : features(pairs, pairs, 1));
  if (rest > 0)
    pieces.push_back(features(rot + rest, rest, 1));
  Value permuted = tensor::ConcatOp::create(b, loc, /*dim=*/1, pieces);
  return tensor::CollapseShapeOp::create(b, loc, t, permuted, assoc);
}

/// Folds `rope` into the projection that produces it (hasProjection), splitting a packed
/// one first; with `permute`, the projection's rows are reordered (permuteHeadRows) and
/// the result holds each head's features in that order.
void fold(RopeOp rope, bool permute) {
  if (LinearOp packed = packedSource(rope))
    splitPacked(packed);
  auto linear = rope.getInput().getDefiningOp<LinearOp>();
  OpBuilder b(rope);
  Location loc = b.getFusedLoc({linear.getLoc(), rope.getLoc()});
  Value weight = linear.getWeight(), bias = linear.getBias();
  // The permuted rows are computed where the weight is defined, so they dominate every
  // projection of the same input that loom-fuse-projections may merge this one with.
  auto permuted = [&](Value v) -> Value {
    OpBuilder vb(rope.getContext());
    if (Operation *def = v.getDefiningOp())
      vb.setInsertionPointAfter(def);
    else
      vb.setInsertionPointToStart(cast<BlockArgument>(v).getOwner());
    return permuteHeadRows(vb, loc, v, rope);
  };
  if (permute) {
    weight = permuted(weight);
    if (bias)
      bias = permuted(bias);
  }
  auto fused = LinearOp::create(b, loc, linear.getResult().getType(), linear.getInput(), weight, bias);
  fused->setDiscardableAttrs(linear->getDiscardableAttrDictionary());
  fused.setRopeHeadsAttr(rope.getNHeadsAttr());
  fused.setRopeBaseAttr(rope.getBaseAttr());
  fused.setRopePositionOffsetAttr(rope.getPositionOffsetAttr());
  if (static_cast<int64_t>(rope.getRotaryDim()) < dHeadOf(rope))
    fused.setRopeRotaryDimAttr(rope.getRotaryDimAttr());
  rope.getResult().replaceAllUsesWith(fused.getResult());
  rope->erase();
  linear->erase();
}

struct FuseRopePass : public loom::impl::LoomFuseRopeBase<FuseRopePass> {
  void runOnOperation() override {
    SmallVector<AttentionOp> attentions;
    getOperation().walk([&](AttentionOp op) { attentions.push_back(op); });
    // Interleaved or partial ropes of an attention's query and key, and nothing else:
    // Q K^T sums over each head's features, so permuting both projections' rows in the
    // same way within every head leaves the scores, and the attention, unchanged.
    for (AttentionOp attention : attentions) {
      auto q = attention.getQuery().getDefiningOp<RopeOp>();
      auto k = attention.getKey().getDefiningOp<RopeOp>();
      if (!q || !k || q == k || !q->hasOneUse() || !k->hasOneUse() || !isPermutable(q) ||
          q.getNHeads() != attention.getNHeads() || k.getNHeads() != q.getNHeads() ||
          k.getRotaryDim() != q.getRotaryDim() || k.getInterleaved() != q.getInterleaved() ||
          dHeadOf(k) != dHeadOf(q) || !hasProjection(q) || !hasProjection(k))
        continue;
      fold(q, /*permute=*/true);
      fold(k, /*permute=*/true);
    }
    SmallVector<RopeOp> ropes;
    getOperation().walk([&](RopeOp op) { ropes.push_back(op); });
    for (RopeOp rope : ropes)
      if (isFusable(rope) && hasProjection(rope))
        fold(rope, /*permute=*/false);
  }
};
} // namespace
