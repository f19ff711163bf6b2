//===- TileAndVectorize.cpp - tiled, vectorized matmuls -------------------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SmallBitVector.h"

namespace loom {
#define GEN_PASS_DEF_LOOMTILEANDVECTORIZE
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

/// The largest multiple of `multiple` that divides `n` and is <= `limit` (or `multiple`).
int64_t multipleAtMost(int64_t n, int64_t limit, int64_t multiple) {
  for (int64_t d = (std::min(n, limit) / multiple) * multiple; d > multiple; d -= multiple)
    if (n % d == 0)
      return d;
  return multiple;
}

/// Tiles `op` with loops of `loopType` and tile `sizes` (0: untiled), replaces it by the
/// loops' results and returns the tiled ops (inside the loops); on failure, reports
/// "<what> tiling failed" at `op`.
FailureOr<SmallVector<Operation *>>
tileWith(IRRewriter &rewriter, Operation *op, ArrayRef<int64_t> sizes,
         scf::SCFTilingOptions::LoopType loopType, StringRef what,
         ArrayRef<int64_t> interchange = {}) {
  scf::SCFTilingOptions opts;
  opts.setTileSizes(getAsIndexOpFoldResult(op->getContext(), sizes));
  opts.setLoopType(loopType);
  if (!interchange.empty())
    opts.setInterchange(interchange);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> res =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), opts);
  if (failed(res))
    return op->emitError(what) << " tiling failed";
  rewriter.replaceOp(op, res->replacements);
  return res->tiledOps;
}
constexpr auto kForLoops = scf::SCFTilingOptions::LoopType::ForOp;
constexpr auto kForall = scf::SCFTilingOptions::LoopType::ForallOp;

/// Tiles `root` into an scf.forall of tile `sizes`, fusing into each tile the fills and
/// the producers `fuse` accepts; replaces `root` by the loop's results and erases it. On
/// failure, reports "<what> tiling failed" at `root`.
LogicalResult tileAndFuseInForall(IRRewriter &rewriter, Operation *root, ArrayRef<int64_t> sizes,
                                  llvm::function_ref<bool(Operation *)> fuse, StringRef what) {
  scf::SCFTileAndFuseOptions opts;
  opts.tilingOptions.setTileSizes(getAsIndexOpFoldResult(root->getContext(), sizes));
  opts.tilingOptions.setLoopType(kForall);
  opts.setFusionControlFn([&](tensor::ExtractSliceOp, OpResult producer, bool)
                              -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
    Operation *p = producer.getOwner();
    if (isa<linalg::FillOp>(p) || fuse(p))
      return scf::SCFTileAndFuseOptions::ControlFnResult{};
    return std::nullopt;
  });
  rewriter.setInsertionPoint(root);
  FailureOr<scf::SCFTileAndFuseResult> res =
      scf::tileConsumerAndFuseProducersUsingSCF(rewriter, cast<TilingInterface>(root), opts);
  if (failed(res))
    return root->emitError(what) << " tiling failed";
  for (OpResult r : root->getResults())
    if (Value repl = res->replacements.lookup(r))
      rewriter.replaceAllUsesWith(r, repl);
  rewriter.eraseOp(root);
  return success();
}

/// Splits the rows (dimension `mIdx` of the output and of the first input) of a matmul-like
/// op at `split`: two ops on the row ranges, their results inserted into the original init.
/// Returns the two new ops.
std::pair<Operation *, Operation *> splitRows(IRRewriter &rewriter, linalg::LinalgOp op,
                                             unsigned mIdx, int64_t split) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value a = op.getDpsInputOperand(0)->get(), b = op.getDpsInputOperand(1)->get();
  Value c = op.getDpsInitOperand(0)->get();
  auto sliceRows = [&](Value v, int64_t offset, int64_t size) -> Value {
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<OpFoldResult> offs(t.getRank(), rewriter.getIndexAttr(0)), sizes,
        strides(t.getRank(), rewriter.getIndexAttr(1));
    for (int64_t d : t.getShape())
      sizes.push_back(rewriter.getIndexAttr(d));
    offs[mIdx] = rewriter.getIndexAttr(offset);
    sizes[mIdx] = rewriter.getIndexAttr(size);
    return tensor::ExtractSliceOp::create(rewriter, loc, v, offs, sizes, strides);
  };
  auto cType = cast<RankedTensorType>(c.getType());
  int64_t m = cType.getDimSize(mIdx);
  // A filled accumulator is re-created per part (so each part's fill fuses into its tiles),
  // on the part's rows of an empty tensor that bufferization turns into one buffer.
  auto fill = c.getDefiningOp<linalg::FillOp>();
  // Inside a thread's task, the combined result is its own allocation: a tensor.empty
  // would be merged (CSE) with an identical one outside the task, and a buffer shared
  // by the tasks is privatized by bufferization with a copy.
  Value result = c;
  if (fill)
    result = op->getParentOfType<scf::ForallOp>()
                 ? bufferization::AllocTensorOp::create(rewriter, loc, cType, ValueRange{})
                       .getResult()
                 : tensor::EmptyOp::create(rewriter, loc, cType.getShape(), cType.getElementType())
                       .getResult();
  Operation *parts[2];
  for (int part = 0; part < 2; ++part) {
    int64_t offset = part == 0 ? 0 : split, size = part == 0 ? split : m - split;
    Value ap = sliceRows(a, offset, size), cp;
    if (fill) {
      // The fill writes the part's rows of the result (not a fresh tensor), so the part is
      // computed in place: no copy into the result afterwards.
      cp = linalg::FillOp::create(rewriter, loc, ValueRange{fill.getInputs()[0]},
                                  ValueRange{sliceRows(result, offset, size)})
               .getResult(0);
    } else {
      // From the previous part's result, so both parts update one buffer in place.
      cp = sliceRows(result, offset, size);
    }
    Operation *clone = rewriter.clone(*op);
    clone->setOperands(ValueRange{ap, b, cp});
    clone->getResult(0).setType(cp.getType());
    parts[part] = clone;
    auto t = cast<RankedTensorType>(cp.getType());
    SmallVector<OpFoldResult> offs(t.getRank(), rewriter.getIndexAttr(0)), sizes,
        strides(t.getRank(), rewriter.getIndexAttr(1));
    for (int64_t d : t.getShape())
      sizes.push_back(rewriter.getIndexAttr(d));
    offs[mIdx] = rewriter.getIndexAttr(offset);
    result = tensor::InsertSliceOp::create(rewriter, loc, clone->getResult(0), result, offs, sizes,
                                           strides);
  }
  rewriter.replaceOp(op, result);
  return {parts[0], parts[1]};
}

bool isStaticMatmul(Operation *op) {
  auto l = dyn_cast<linalg::LinalgOp>(op);
  return l && isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) && l.hasPureTensorSemantics() &&
         !l.hasDynamicShape();
}

/// Whether the loops of `op` other than `dims` (the rows of a model compiled with dynamic
/// batch or seq) have static ranges.
bool staticExcept(Operation *op, ArrayRef<unsigned> dims) {
  SmallVector<int64_t> ranges = cast<linalg::LinalgOp>(op).getStaticLoopRanges();
  for (auto [i, r] : llvm::enumerate(ranges))
    if (ShapedType::isDynamic(r) && !llvm::is_contained(dims, i))
      return false;
  return true;
}

/// A linalg.matmul whose rows (m) are dynamic and whose n and k are static: a linear of a
/// model with dynamic batch or seq.
bool isDynamicRowsMatmul(Operation *op) {
  auto l = dyn_cast<linalg::LinalgOp>(op);
  return l && isa<linalg::MatmulOp>(op) && l.hasPureTensorSemantics() && l.hasDynamicShape() &&
         staticExcept(op, {0});
}

/// C[m, j, p] += A[m, k] * B[j, k, p]: the packed-panel linear of convert-loom-to-linalg
/// (B is the weight in [N/P, K, P] panels, C the output viewed as [M, N/P, P]).
bool isPanelMatmul(Operation *op) {
  auto g = dyn_cast<linalg::GenericOp>(op);
  if (!g || !g.hasPureTensorSemantics() || g.getNumDpsInputs() != 2 || g.getNumDpsInits() != 1 ||
      g.getNumLoops() != 4 || !staticExcept(op, {0}) ||
      !linalg::isaContractionOpInterface(cast<linalg::LinalgOp>(op)))
    return false;
  MLIRContext *ctx = op->getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineMap> expected{AffineMap::get(4, 0, {d(0), d(3)}, ctx),
                                  AffineMap::get(4, 0, {d(1), d(3), d(2)}, ctx),
                                  AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx)};
  return g.getIndexingMapsArray() == expected &&
         g.getIteratorTypesArray() ==
             SmallVector<utils::IteratorType>{utils::IteratorType::parallel,
                                              utils::IteratorType::parallel,
                                              utils::IteratorType::parallel,
                                              utils::IteratorType::reduction};
}

/// The terms of `e` as (dim, coefficient) when it is a sum of positive multiples of dims
/// (d1 * 2 + d3: {(1, 2), (3, 1)}); nullopt for anything else (constants, mods, ...).
std::optional<SmallVector<std::pair<unsigned, int64_t>>> dimTerms(AffineExpr e) {
  SmallVector<std::pair<unsigned, int64_t>> out;
  SmallVector<AffineExpr> work{e};
  while (!work.empty()) {
    AffineExpr t = work.pop_back_val();
    int64_t coeff = 1;
    if (auto bin = dyn_cast<AffineBinaryOpExpr>(t)) {
      if (bin.getKind() == AffineExprKind::Add) {
        work.append({bin.getLHS(), bin.getRHS()});
        continue;
      }
      auto c = dyn_cast<AffineConstantExpr>(bin.getRHS());
      if (bin.getKind() != AffineExprKind::Mul || !c || c.getValue() <= 0)
        return std::nullopt;
      coeff = c.getValue();
      t = bin.getLHS();
    }
    auto dim = dyn_cast<AffineDimExpr>(t);
    if (!dim)
      return std::nullopt;
    out.push_back({dim.getPosition(), coeff});
  }
  return out;
}

/// Whether tiling computes exact operand slices for `map`: every result is a sum of
/// positive multiples of dims (no constant, no other term), each dim in at most one result
/// (the identity, or a head's column h * R + i of a rotated projection).
bool isMonotoneMap(AffineMap map) {
  llvm::SmallBitVector seen(map.getNumDims());
  for (AffineExpr e : map.getResults()) {
    std::optional<SmallVector<std::pair<unsigned, int64_t>>> terms = dimTerms(e);
    if (!terms)
      return false;
    for (auto [dim, coeff] : *terms) {
      if (seen.test(dim))
        return false;
      seen.set(dim);
    }
  }
  return true;
}

/// The coefficient of dim `d` in result `r` of a monotone `map` (0 if absent).
int64_t coefficientOf(AffineMap map, unsigned r, unsigned d) {
  for (auto [dim, coeff] : dimTerms(map.getResult(r)).value_or(SmallVector<std::pair<unsigned, int64_t>>{}))
    if (dim == d)
      return coeff;
  return 0;
}

/// The all-parallel generic that is matmul `mm`'s only use and reads it with a monotone
/// map whose first two results are the generic's rows (d0) and a multiple of its second
/// dim (plus others): a linear's bias and epilogue (identity map); a gated linear's
/// gating, or a rotated projection's rotation (column d1 * R + d3), which read two such
/// matmuls. It is tiled with the matmuls fused in, so it runs on each thread tile while
/// the tile is in cache. `producers` gets every matmul the generic reads this way, `mm`
/// included.
linalg::GenericOp fusableEpilogue(Operation *mm, SmallVectorImpl<Operation *> &producers) {
  if (!mm->hasOneUse())
    return {};
  auto g = dyn_cast<linalg::GenericOp>(*mm->getUsers().begin());
  if (!g || !g.hasPureTensorSemantics() || g.getNumDpsInits() != 1 || !staticExcept(g, {0}) ||
      g.getNumParallelLoops() != g.getNumLoops() || g.getNumLoops() < 2 ||
      !g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity())
    return {};
  producers.clear();
  for (OpOperand *in : g.getDpsInputOperands()) {
    AffineMap map = g.getMatchingIndexingMap(in);
    Operation *def = in->get().getDefiningOp();
    bool isProducer = def && (def == mm || ((isStaticMatmul(def) || isDynamicRowsMatmul(def) ||
                                             isPanelMatmul(def)) &&
                                            def->hasOneUse()));
    bool ok = isProducer ? isMonotoneMap(map) && map.getNumResults() >= 2 &&
                               map.getResult(0) == getAffineDimExpr(0, map.getContext()) &&
                               coefficientOf(map, 1, 1) > 0
                         : map.isProjectedPermutation() || isMonotoneMap(map);
    if (!ok)
      return {};
    if (isProducer && !llvm::is_contained(producers, def))
      producers.push_back(def);
  }
  return g;
}

/// A thread tile of a panel matmul, [mt, panels, P] x K: an scf.for over its panels, each a
/// plain linalg.matmul of A [mt, K] and one contiguous panel [K, P] into C [mt, P].
LogicalResult splitPanels(IRRewriter &rewriter, linalg::GenericOp op) {
  FailureOr<SmallVector<Operation *>> tiledOps =
      tileWith(rewriter, op, {0, 1, 0, 0}, kForLoops, "panel");
  if (failed(tiledOps))
    return failure();
  for (Operation *tiled : *tiledOps) {
    auto g = cast<linalg::GenericOp>(tiled);
    Location loc = g.getLoc();
    rewriter.setInsertionPoint(g);
    Value a = g.getDpsInputOperand(0)->get(), b = g.getDpsInputOperand(1)->get();
    Value c = g.getDpsInitOperand(0)->get();
    auto bt = cast<RankedTensorType>(b.getType()), ct = cast<RankedTensorType>(c.getType());
    auto ones = [&](unsigned n) { return SmallVector<OpFoldResult>(n, rewriter.getIndexAttr(1)); };
    auto zeros = [&](unsigned n) { return SmallVector<OpFoldResult>(n, rewriter.getIndexAttr(0)); };
    auto sizes = [&](Value v) { return tensor::getMixedSizes(rewriter, loc, v); };
    Value panel = tensor::ExtractSliceOp::create(
        rewriter, loc, RankedTensorType::get({bt.getDimSize(1), bt.getDimSize(2)}, bt.getElementType()),
        b, zeros(3), sizes(b), ones(3));
    Value acc = tensor::ExtractSliceOp::create(
        rewriter, loc, RankedTensorType::get({ct.getDimSize(0), ct.getDimSize(2)}, ct.getElementType()),
        c, zeros(3), sizes(c), ones(3));
    Value mm = linalg::MatmulOp::create(rewriter, loc, TypeRange{acc.getType()},
                                        ValueRange{a, panel}, ValueRange{acc})
                   .getResult(0);
    rewriter.replaceOp(g, tensor::InsertSliceOp::create(rewriter, loc, mm, c, zeros(3), sizes(c),
                                                        ones(3))
                              .getResult());
  }
  return success();
}

/// Whether `g` is a row-wise generic worth vectorizing along its innermost loop: static,
/// iterators [parallel..., reduction...] (row reductions) or [parallel..., reduction...,
/// parallel] (sliding windows with the channels innermost: the reductions become loops),
/// and every operand reads the innermost loop, if at all, as its own last index (stride
/// 1), so one vector covers a row of each operand. Windows over the innermost loop
/// (x[s + k] with k innermost) and transposes do not qualify.
bool isRowWise(linalg::GenericOp g) {
  auto l = cast<linalg::LinalgOp>(g.getOperation());
  unsigned n = g.getNumLoops();
  if (n < 2 || !g.hasPureTensorSemantics())
    return false;
  // Several results (a softmax's numerator and denominator) are rows alike when all are
  // written at one map.
  for (OpOperand &init : g.getDpsInitsMutable())
    if (g.getMatchingIndexingMap(&init) != g.getMatchingIndexingMap(g.getDpsInitOperand(0)))
      return false;
  SmallVector<utils::IteratorType> iters = g.getIteratorTypesArray();
  // Dynamic ranges (a model's dynamic batch or seq) only on parallel loops before the
  // innermost: those are tiled by blocks of rows and then single rows.
  for (auto [i, r] : llvm::enumerate(l.getStaticLoopRanges()))
    if (ShapedType::isDynamic(r) && (i + 1 == n || iters[i] != utils::IteratorType::parallel))
      return false;
  bool seenReduction = false;
  for (auto [i, it] : llvm::enumerate(iters)) {
    if (it == utils::IteratorType::reduction)
      seenReduction = true;
    else if (seenReduction && i + 1 != n)
      return false;
  }
  AffineExpr inner = getAffineDimExpr(n - 1, g.getContext());
  for (AffineMap m : g.getIndexingMapsArray()) {
    for (unsigned r = 0; r < m.getNumResults(); ++r) {
      AffineExpr e = m.getResult(r);
      if (e.isFunctionOfDim(n - 1) && !(r + 1 == m.getNumResults() && e == inner))
        return false;
    }
  }
  return l.getStaticLoopRanges().back() >= 8;
}

/// Tiles `op` with scf.for loops of `sizes` (full tiles: sizes divide the shape) and
/// vectorizes each tile to the tile's static shape.
LogicalResult tileAndVectorize(IRRewriter &rewriter, Operation *op, ArrayRef<int64_t> sizes,
                               bool namedContraction, ArrayRef<int64_t> interchange = {}) {
  FailureOr<SmallVector<Operation *>> tiledOps =
      tileWith(rewriter, op, sizes, kForLoops, "register-level", interchange);
  if (failed(tiledOps))
    return failure();
  for (Operation *tiled : *tiledOps) {
    rewriter.setInsertionPoint(tiled);
    FailureOr<linalg::VectorizationResult> vec = linalg::vectorize(
        rewriter, tiled, {}, {}, false, false, false, namedContraction);
    if (failed(vec))
      return tiled->emitError("vectorization of the register tile failed");
    rewriter.replaceOp(tiled, vec->replacements);
  }
  return success();
}

struct TileAndVectorizePass
    : public loom::impl::LoomTileAndVectorizeBase<TileAndVectorizePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);

    // 1. Thread level: scf.forall over output blocks; the accumulator's fill is fused in.
    SmallVector<Operation *> matmuls;
    func.walk([&](Operation *op) {
      if ((isStaticMatmul(op) || isDynamicRowsMatmul(op) || isPanelMatmul(op)) &&
          !op->getParentOfType<scf::ForallOp>())
        matmuls.push_back(op);
    });
    // Rows of a thread tile: `thread-tile-m`, doubled while the task's rows of A
    // (rows x k floats) fit in `a-tile-bytes` and at least `min-tasks` tasks remain. A
    // task keeps its rows of A in L2 while the weight streams past, and the weight streams
    // once per row tile: on a 512 x 2816 weight (5.8 MiB) 128-row tiles took 11.1 ms where
    // 64-row tiles took 13.9 (medians, 1 thread, 256 rows), while with k = 1408 (A rows
    // 360 KiB at 64 rows) 128-row tiles were slower (5.1 vs 4.6 ms).
    auto threadRows = [&](Operation *op) {
      SmallVector<int64_t> b = cast<linalg::LinalgOp>(op).getStaticLoopRanges();
      size_t mIdx = isa<linalg::BatchMatmulOp>(op) ? 1 : 0;
      int64_t m = b[mIdx], k = b.back();
      // Dynamic rows: tiled as for 256 (a typical sequence of one example); other counts
      // get partial or more tiles.
      if (ShapedType::isDynamic(m))
        m = 256;
      int64_t cols = isPanelMatmul(op) ? b[1] * b[2] : b[mIdx + 1];
      int64_t colTiles = std::max<int64_t>(cols / threadTileN, 1) * (mIdx ? b[0] : 1);
      int64_t rows = threadTileM;
      while (2 * rows <= m && 2 * rows * k * 4 <= aTileBytes &&
             (m / (2 * rows)) * colTiles >= minTasks)
        rows *= 2;
      return rows;
    };
    // Rows: the largest multiple of the thread tile (itself a multiple of the register tile)
    // gets full thread and register tiles; the remaining rows (fewer than a thread tile)
    // get their own, smaller tiles that divide them.
    auto rowTileOf = [&](int64_t rows) { return std::max<int64_t>(rows / regTileM, 1) * regTileM; };
    // Unless a divisor of the rows close to the thread tile exists: then every thread tile
    // has that many rows, split inside into register tiles and a remainder (step 3), and
    // the matmul stays one op whose epilogue can join its tiles.
    auto wholeRowTiles = [&](int64_t m, int64_t rows) {
      return m % regTileM != 0 && 2 * divisorAtMost(m, rows) >= rows;
    };
    llvm::DenseMap<Operation *, int64_t> rowsOf;
    SmallVector<Operation *> split;
    for (Operation *op : matmuls) {
      size_t mIdx = isa<linalg::BatchMatmulOp>(op) ? 1 : 0;
      int64_t m = cast<linalg::LinalgOp>(op).getStaticLoopRanges()[mIdx];
      int64_t rows = threadRows(op);
      int64_t rowTile = rowTileOf(rows);
      int64_t main = (m / rowTile) * rowTile;
      // Dynamic rows: partial thread tiles, whose register tiles are peeled (step 3).
      if (ShapedType::isDynamic(m) || m % regTileM == 0 || main == 0 || main == m ||
          wholeRowTiles(m, rows)) {
        rowsOf[op] = rows;
        split.push_back(op);
        continue;
      }
      auto [top, rest] = splitRows(rewriter, cast<linalg::LinalgOp>(op), mIdx, main);
      split.push_back(top);
      split.push_back(rest);
      rowsOf[top] = rowsOf[rest] = rows;
    }
    matmuls = split;
    llvm::SmallPtrSet<Operation *, 8> done; // fused into an earlier matmul's epilogue tiles
    for (Operation *op : matmuls) {
      if (done.contains(op))
        continue;
      SmallVector<int64_t> bounds = cast<linalg::LinalgOp>(op).getStaticLoopRanges();
      bool batched = isa<linalg::BatchMatmulOp>(op);
      size_t mIdx = batched ? 1 : 0;
      SmallVector<int64_t> sizes(bounds.size(), 0);
      if (batched)
        sizes[0] = 1;
      // Thread tiles hold whole register tiles when the rows allow it.
      int64_t rows = rowsOf.lookup(op);
      sizes[mIdx] = ShapedType::isDynamic(bounds[mIdx]) ? rowTileOf(rows)
                    : bounds[mIdx] % regTileM == 0 ? multipleAtMost(bounds[mIdx], rows, regTileM)
                                                   : divisorAtMost(bounds[mIdx], rows);
      if (isPanelMatmul(op)) // whole panels: threadTileN / P of them
        sizes[1] = divisorAtMost(bounds[1], std::max<int64_t>(threadTileN / bounds[2], 1));
      else
        sizes[mIdx + 1] = divisorAtMost(bounds[mIdx + 1], threadTileN);
      // With an epilogue, the epilogue is the op tiled (its loops are the matmul's parallel
      // loops) and the matmul (both, when gated) and its fill are fused into its tiles.
      Operation *root = op;
      SmallVector<Operation *> producers{op};
      linalg::GenericOp epilogue = batched ? nullptr : fusableEpilogue(op, producers);
      if (epilogue) {
        root = epilogue;
        // The epilogue's rows as the matmul's; its second dim (the matmul's columns or
        // panels, or the heads, each c of them) in tiles of about as many columns; the
        // rest whole.
        SmallVector<int64_t> rootBounds =
            cast<linalg::LinalgOp>(epilogue.getOperation()).getStaticLoopRanges();
        AffineMap map;
        for (OpOperand &use : epilogue->getOpOperands())
          if (use.get() == op->getResult(0))
            map = epilogue.getMatchingIndexingMap(&use);
        int64_t c = coefficientOf(map, 1, 1);
        SmallVector<int64_t> rootSizes(rootBounds.size(), 0);
        rootSizes[0] = sizes[mIdx];
        rootSizes[1] = divisorAtMost(rootBounds[1], std::max<int64_t>(sizes[mIdx + 1] / c, 1));
        sizes = rootSizes;
      }
      if (failed(tileAndFuseInForall(
              rewriter, root, sizes,
              [&](Operation *p) { return llvm::is_contained(producers, p); }, "thread-level")))
        return signalPassFailure();
      for (Operation *p : producers) {
        done.insert(p);
        if (p != root && p->use_empty())
          rewriter.eraseOp(p);
      }
    }

    // 2. Unit batch tiles of batch_matmul become plain matmuls.
    {
      RewritePatternSet patterns(ctx);
      linalg::populateContractionOpRankReducingPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }

    // 2b. Panel matmuls inside thread tiles: one plain matmul per weight panel.
    SmallVector<linalg::GenericOp> panelOps;
    func.walk([&](linalg::GenericOp g) {
      if (isPanelMatmul(g) && g->getParentOfType<scf::ForallOp>())
        panelOps.push_back(g);
    });
    for (linalg::GenericOp g : panelOps)
      if (failed(splitPanels(rewriter, g)))
        return signalPassFailure();

    // 3. Register level: m x n x 1 tiles, vectorized to vector.contract.
    SmallVector<Operation *> inner;
    func.walk([&](Operation *op) {
      if (isStaticMatmul(op) && isa<linalg::MatmulOp>(op) && op->getParentOfType<scf::ForallOp>())
        inner.push_back(op);
    });
    // Thread tiles with dynamic rows (a partial last tile of a dynamic batch or seq): an
    // scf.for over register-tile rows, peeled, so the loop proper runs static full register
    // tiles and the last, partial iteration runs its rows one at a time (still vectors of
    // regTileN columns).
    {
      SmallVector<Operation *> dynamicRows;
      func.walk([&](Operation *op) {
        if (isDynamicRowsMatmul(op) && op->getParentOfType<scf::ForallOp>())
          dynamicRows.push_back(op);
      });
      for (Operation *op : dynamicRows) {
        FailureOr<SmallVector<Operation *>> tiled =
            tileWith(rewriter, op, {regTileM, 0, 0}, kForLoops, "register-row");
        if (failed(tiled))
          return signalPassFailure();
        auto loop = tiled->front()->getParentOfType<scf::ForOp>();
        scf::ForOp partial;
        rewriter.setInsertionPoint(loop);
        bool peeled = succeeded(scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial));
        // The loop proper runs full tiles of regTileM rows: its matmul is cast to that
        // static shape (and its result back), so the static path below tiles it.
        SmallVector<linalg::MatmulOp> bodies;
        SmallVector<linalg::MatmulOp> full;
        if (peeled)
          loop.walk([&](linalg::MatmulOp mm) { full.push_back(mm); });
        for (linalg::MatmulOp mm : full) {
          rewriter.setInsertionPoint(mm);
          Location loc = mm.getLoc();
          auto withRows = [&](Value v) {
            auto t = cast<RankedTensorType>(v.getType());
            SmallVector<int64_t> shape(t.getShape());
            shape[0] = regTileM;
            return tensor::CastOp::create(rewriter, loc, t.clone(shape), v).getResult();
          };
          Value a = withRows(mm.getDpsInputOperand(0)->get());
          Value c = withRows(mm.getDpsInitOperand(0)->get());
          auto fixed = linalg::MatmulOp::create(rewriter, loc, TypeRange{c.getType()},
                                                ValueRange{a, mm.getDpsInputOperand(1)->get()},
                                                ValueRange{c});
          rewriter.replaceOp(mm, tensor::CastOp::create(rewriter, loc, mm.getResult(0).getType(),
                                                        fixed.getResult(0))
                                     .getResult());
          bodies.push_back(fixed);
        }
        if (!peeled)
          loop.walk([&](linalg::MatmulOp mm) { bodies.push_back(mm); });
        if (peeled && partial)
          partial.walk([&](linalg::MatmulOp mm) { bodies.push_back(mm); });
        for (linalg::MatmulOp mm : bodies) {
          if (isStaticMatmul(mm)) {
            inner.push_back(mm);
            continue;
          }
          // Fewer than regTileM rows (or no static tile at all): one row at a time.
          FailureOr<SmallVector<Operation *>> rows =
              tileWith(rewriter, mm, {1, 0, 0}, kForLoops, "register-row remainder");
          if (failed(rows))
            return signalPassFailure();
          for (Operation *r : *rows)
            if (isStaticMatmul(r))
              inner.push_back(r);
        }
      }
    }
    // Rows that are not a multiple of the register tile (the attention's 64-row query
    // blocks with 6-row tiles): the largest multiple gets full register tiles, the rest
    // its own smaller ones, rather than small tiles everywhere.
    {
      SmallVector<Operation *> parts;
      for (Operation *op : inner) {
        int64_t m = cast<linalg::LinalgOp>(op).getStaticLoopRanges()[0];
        int64_t main = (m / regTileM) * regTileM;
        if (m % regTileM == 0 || main == 0) {
          parts.push_back(op);
          continue;
        }
        auto [top, rest] = splitRows(rewriter, cast<linalg::LinalgOp>(op), 0, main);
        parts.push_back(top);
        parts.push_back(rest);
      }
      inner = parts;
    }
    for (Operation *op : inner) {
      SmallVector<int64_t> bounds = cast<linalg::LinalgOp>(op).getStaticLoopRanges();
      // k blocks: a kc x regTileN slice of B and a thread tile's rows of A stay in L1 while
      // the register tiles sweep them.
      int64_t kc = divisorAtMost(bounds[2], kBlock);
      if (kc < bounds[2]) {
        FailureOr<SmallVector<Operation *>> tiledOps =
            tileWith(rewriter, op, {0, 0, kc}, kForLoops, "k-block");
        if (failed(tiledOps))
          return signalPassFailure();
        op = tiledOps->front();
      }
      SmallVector<int64_t> sizes{divisorAtMost(bounds[0], regTileM),
                                 divisorAtMost(bounds[1], regTileN), 1};
      // Loop order n, m, k: one B slice is reused by every row tile before moving on.
      if (failed(tileAndVectorize(rewriter, op, sizes, /*namedContraction=*/true, {1, 0, 2})))
        return signalPassFailure();
    }
    // 3b. Top-level row-wise generics (norms, epilogues, activations, residual adds): first
    // fuse element-wise producers into their consumers (no reshape propagation, which
    // would rewrite the tiled matmuls), then an scf.forall over blocks of rows (the unit of
    // thread parallelism; whole rows, so row reductions stay in one task).
    {
      RewritePatternSet patterns(ctx);
      linalg::populateElementwiseOpsFusionPatterns(patterns, [](OpOperand *use) {
        Operation *producer = use->get().getDefiningOp(), *consumer = use->getOwner();
        return producer && !producer->getParentOfType<scf::ForallOp>() &&
               !consumer->getParentOfType<scf::ForallOp>() && producer->hasOneUse();
      });
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> rowOps;
    func.walk([&](linalg::GenericOp g) {
      if (!g->getParentOfType<scf::ForallOp>() && !isPanelMatmul(g) && isRowWise(g))
        rowOps.push_back(g);
    });
    // Consumers first: each is tiled with its row-wise producers (a norm's mean and
    // variance reductions) and their fills fused in, so a norm is one parallel loop whose
    // row block stays in L1 across its steps. A producer with several consumers in the
    // group is recomputed per consumer (a row reduction over a block already in cache);
    // once all its uses are fused it is dead and erased here.
    llvm::SmallPtrSet<Operation *, 16> rowSet;
    for (linalg::GenericOp g : rowOps)
      rowSet.insert(g);
    for (linalg::GenericOp g : llvm::reverse(rowOps)) {
      if (g->use_empty()) {
        rewriter.eraseOp(g);
        continue;
      }
      SmallVector<int64_t> bounds = cast<linalg::LinalgOp>(g.getOperation()).getStaticLoopRanges();
      SmallVector<utils::IteratorType> iters = g.getIteratorTypesArray();
      // Parallel dims before the innermost: unit tiles, except the last of them, which gets
      // blocks of up to `rowBlock` rows. Reductions and the innermost dim stay whole.
      SmallVector<int64_t> sizes(bounds.size(), 0);
      int64_t lastPar = -1;
      for (size_t i = 0; i + 1 < bounds.size(); ++i)
        if (iters[i] == utils::IteratorType::parallel) {
          sizes[i] = 1;
          lastPar = i;
        }
      if (lastPar < 0)
        continue;
      // A dynamic range (rows of a dynamic batch or seq): blocks of rowBlock, the last partial.
      sizes[lastPar] = ShapedType::isDynamic(bounds[lastPar]) ? rowBlock
                                                               : divisorAtMost(bounds[lastPar], rowBlock);
      if (failed(tileAndFuseInForall(
              rewriter, g, sizes, [&](Operation *p) { return rowSet.contains(p); }, "row")))
        return signalPassFailure();
    }

    // 3c. Top-level transposes (the attention's keys and values into panels): an
    // scf.forall over the leading output dims, then, when the innermost dimension moves
    // ([B, S, H, dh] -> [B, H, dh, S]), 8 x 8 blocks of the last two, each one vector
    // transpose; when it stays, rows copied as vectors (instead of scalar loops).
    {
      SmallVector<linalg::TransposeOp> transposes;
      func.walk([&](linalg::TransposeOp t) {
        ArrayRef<int64_t> perm = t.getPermutation();
        if (!t->getParentOfType<scf::ForallOp>() && t.hasPureTensorSemantics() && perm.size() >= 2)
          transposes.push_back(t);
      });
      for (linalg::TransposeOp t : transposes) {
        SmallVector<int64_t> bounds = cast<linalg::LinalgOp>(t.getOperation()).getStaticLoopRanges();
        size_t r = bounds.size();
        SmallVector<int64_t> outer(r, 0), block(r, 1);
        for (size_t i = 0; i + 2 < r; ++i)
          outer[i] = 1;
        bool innerMoves = t.getPermutation().back() != static_cast<int64_t>(r) - 1;
        block[r - 2] = innerMoves ? divisorAtMost(bounds[r - 2], 8) : 1;
        block[r - 1] = divisorAtMost(bounds[r - 1], innerMoves ? 8 : rowVector);
        // Dynamic ranges (a dynamic batch or seq) only where the tiles are unit.
        bool tilesStatic = !ShapedType::isDynamic(bounds[r - 1]) &&
                           (!ShapedType::isDynamic(bounds[r - 2]) || block[r - 2] == 1);
        if (!tilesStatic)
          continue;
        Operation *op = t;
        if (r > 2) {
          FailureOr<SmallVector<Operation *>> tiled = tileWith(rewriter, op, outer, kForall, "transpose");
          if (failed(tiled))
            return signalPassFailure();
          op = tiled->front(); // its leading dims are unit now, as `block` has them
        }
        if (failed(tileAndVectorize(rewriter, op, block, /*namedContraction=*/false)))
          return signalPassFailure();
      }
    }

    // 4. Element-wise and row-reduction generics inside a thread's tile (the fused
    // attention's softmax steps): one row at a time, the innermost dimension (and any
    // reduction dimension) in vectors of at most `row-vector` lanes (an scf.for over the rest).
    SmallVector<linalg::GenericOp> generics;
    func.walk([&](linalg::GenericOp g) {
      if (g->getParentOfType<scf::ForallOp>() && g.hasPureTensorSemantics() && g.getNumLoops() > 0)
        generics.push_back(g);
    });
    for (linalg::GenericOp g : generics) {
      auto l = cast<linalg::LinalgOp>(g.getOperation());
      SmallVector<int64_t> bounds = l.getStaticLoopRanges();
      SmallVector<utils::IteratorType> iters = l.getIteratorTypesArray();
      SmallVector<int64_t> sizes(bounds.size(), 1);
      bool innerParallel = iters.back() == utils::IteratorType::parallel;
      for (size_t i = 0; i < bounds.size(); ++i)
        if (i + 1 == bounds.size() ||
            (iters[i] == utils::IteratorType::reduction && !innerParallel))
          sizes[i] = divisorAtMost(bounds[i], rowVector);
      // Dynamic ranges (rows of a dynamic batch or seq) are fine in unit tiles only.
      bool tilesStatic = true;
      for (size_t i = 0; i < bounds.size(); ++i)
        if (ShapedType::isDynamic(bounds[i]) &&
            (i + 1 == bounds.size() || (iters[i] == utils::IteratorType::reduction && !innerParallel)))
          tilesStatic = false;
      if (!tilesStatic)
        continue; // stays scalar
      // Reductions before a parallel innermost loop (a convolution's taps) keep size 1:
      // each tile is then element-wise once its unit dims are dropped, a vector FMA into
      // the output row per tap. So do the unit dims of an element-wise generic whose maps
      // are not projected permutations (a rotated projection reads column h * R + i): once
      // they are dropped, every operand is read along the innermost dim.
      if (innerParallel && (llvm::is_contained(iters, utils::IteratorType::reduction) ||
                            failed(linalg::vectorizeOpPrecondition(g)))) {
        FailureOr<SmallVector<Operation *>> tiledOps =
            tileWith(rewriter, g, sizes, kForLoops, "window");
        if (failed(tiledOps))
          return signalPassFailure();
        for (Operation *tiled : *tiledOps) {
          linalg::ControlDropUnitDims control;
          control.rankReductionStrategy =
              linalg::ControlDropUnitDims::RankReductionStrategy::ExtractInsertSlice;
          rewriter.setInsertionPoint(tiled);
          FailureOr<linalg::DropUnitDimsResult> dropped =
              linalg::dropUnitDims(rewriter, cast<linalg::GenericOp>(tiled), control);
          if (failed(dropped))
            continue; // stays scalar
          rewriter.replaceOp(tiled, dropped->replacements);
          Operation *row = dropped->resultOp.getOperation();
          if (failed(linalg::vectorizeOpPrecondition(row)))
            continue;
          rewriter.setInsertionPoint(row);
          FailureOr<linalg::VectorizationResult> vec =
              linalg::vectorize(rewriter, row, {}, {}, false, false, false, false);
          if (succeeded(vec))
            rewriter.replaceOp(row, vec->replacements);
        }
        continue;
      }
      if (failed(linalg::vectorizeOpPrecondition(g)))
        continue; // stays scalar: loom-sequential-inner-loops makes it loops
      if (failed(tileAndVectorize(rewriter, g, sizes, /*namedContraction=*/false)))
        return signalPassFailure();
    }
    // Top-level fills of dynamic rows (a dynamic length's attention zero-pads its operands):
    // an scf.forall over blocks of rows, so that the step below fills each row with vector
    // stores instead of a scalar loop over the flattened tensor.
    SmallVector<linalg::FillOp> topFills;
    func.walk([&](linalg::FillOp f) {
      if (f->getParentOfType<scf::ForallOp>() || !f.hasPureTensorSemantics())
        return;
      SmallVector<int64_t> bounds = cast<linalg::LinalgOp>(f.getOperation()).getStaticLoopRanges();
      if (bounds.size() < 2 || ShapedType::isDynamic(bounds.back()))
        return;
      // Static fills become a memset; a dynamic one's flattened loop divides per element.
      if (llvm::any_of(ArrayRef<int64_t>(bounds).drop_back(), ShapedType::isDynamic))
        topFills.push_back(f);
    });
    for (linalg::FillOp f : topFills) {
      SmallVector<int64_t> bounds = cast<linalg::LinalgOp>(f.getOperation()).getStaticLoopRanges();
      SmallVector<int64_t> sizes(bounds.size(), 1);
      sizes.back() = 0;
      int64_t rows = bounds[bounds.size() - 2];
      sizes[bounds.size() - 2] = ShapedType::isDynamic(rows) ? rowBlock : divisorAtMost(rows, rowBlock);
      if (failed(tileWith(rewriter, f, sizes, kForall, "fill")))
        return signalPassFailure();
    }
    // The fused fills of the accumulator tiles, in register-sized pieces (one huge vector
    // would be slow to compile and spill).
    SmallVector<linalg::FillOp> fills;
    func.walk([&](linalg::FillOp f) {
      if (f->getParentOfType<scf::ForallOp>() && f.hasPureTensorSemantics() &&
          !ShapedType::isDynamic(
              cast<linalg::LinalgOp>(f.getOperation()).getStaticLoopRanges().back()))
        fills.push_back(f);
    });
    for (linalg::FillOp f : fills) {
      SmallVector<int64_t> bounds = cast<linalg::LinalgOp>(f.getOperation()).getStaticLoopRanges();
      SmallVector<int64_t> sizes(bounds.size(), 1);
      if (!bounds.empty())
        sizes.back() = divisorAtMost(bounds.back(), regTileN);
      if (bounds.size() >= 2 && !ShapedType::isDynamic(bounds[bounds.size() - 2]))
        sizes[bounds.size() - 2] = divisorAtMost(bounds[bounds.size() - 2], regTileM);
      if (failed(tileAndVectorize(rewriter, f, sizes, /*namedContraction=*/false)))
        return signalPassFailure();
    }
    // Cleanup: fold the tiling's slices and vector transfers.
    RewritePatternSet patterns(ctx);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
    // Row tiles are vector<1 x n>: drop the unit dim and make row reductions 1-D reductions.
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerReduction);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
