//===- LoomOps.cpp - loom dialect operations ------------------------------===//
#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace loom;

#include "loom/Dialect/Loom/IR/LoomInterfaces.cpp.inc"

/// Checks that `region` is a scalar body: one block, one f32 argument, terminated by a
/// loom.yield of one f32.
static LogicalResult verifyScalarBody(Operation *op, Region &region, StringRef what) {
  if (!region.hasOneBlock())
    return op->emitOpError() << what << " must have exactly one block";
  Block &block = region.front();
  if (block.getNumArguments() != 1 || !block.getArgument(0).getType().isF32())
    return op->emitOpError() << what << " must take exactly one f32 argument";
  auto yield = dyn_cast<YieldOp>(block.getTerminator());
  if (!yield || yield.getValues().size() != 1 || !yield.getValues()[0].getType().isF32())
    return op->emitOpError() << what << " must end in a loom.yield of one f32";
  return success();
}

/// Clones a scalar body (see verifyScalarBody) at `b`'s insertion point applied to `x`.
static Value cloneScalarBody(OpBuilder &b, Region &region, Value x) {
  Block &block = region.front();
  IRMapping map;
  map.map(block.getArgument(0), x);
  for (Operation &op : block.without_terminator())
    b.clone(op, map);
  return map.lookup(cast<YieldOp>(block.getTerminator()).getValues()[0]);
}

/// The checks every normalisation shares: the result has the input's type and epsilon > 0.
static LogicalResult verifyNormResult(Operation *op, RankedTensorType in, Type result,
                                      const APFloat &epsilon) {
  if (result != in)
    return op->emitOpError("result type must equal the input type");
  if (epsilon.convertToFloat() <= 0.0f)
    return op->emitOpError("epsilon must be positive");
  return success();
}

//===----------------------------------------------------------------------===//
// LinearOp
//===----------------------------------------------------------------------===//

void LinearOp::build(OpBuilder &b, OperationState &state, Type resultType, Value input,
                     Value weight, Value bias, Value residual) {
  state.addOperands({input, weight});
  if (bias)
    state.addOperands(bias);
  if (residual)
    state.addOperands(residual);
  state.getOrAddProperties<Properties>().operandSegmentSizes = {1, 1, bias ? 1 : 0,
                                                                residual ? 1 : 0};
  state.addTypes(resultType);
  state.addRegion();
}

// loom.linear %x, %w[, %b] [glu first|second] [residual %r] [epilogue { ... }] attr-dict
//   : (types) -> type
ParseResult LinearOp::parse(OpAsmParser &parser, OperationState &state) {
  SmallVector<OpAsmParser::UnresolvedOperand, 4> operands;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseOperandList(operands))
    return failure();
  if (operands.size() < 2 || operands.size() > 3)
    return parser.emitError(loc, "expected input, weight and an optional bias");
  int32_t hasBias = operands.size() == 3, hasResidual = 0;
  if (succeeded(parser.parseOptionalKeyword("glu"))) {
    std::string half;
    if (parser.parseKeywordOrString(&half))
      return failure();
    state.getOrAddProperties<Properties>().glu = parser.getBuilder().getStringAttr(half);
  }
  if (succeeded(parser.parseOptionalKeyword("residual"))) {
    operands.emplace_back();
    if (parser.parseOperand(operands.back()))
      return failure();
    hasResidual = 1;
  }
  auto region = std::make_unique<Region>();
  if (succeeded(parser.parseOptionalKeyword("epilogue")) && parser.parseRegion(*region))
    return failure();
  FunctionType fnType;
  if (parser.parseOptionalAttrDict(state.attributes) || parser.parseColonType(fnType))
    return failure();
  if (parser.resolveOperands(operands, fnType.getInputs(), loc, state.operands))
    return failure();
  state.getOrAddProperties<Properties>().operandSegmentSizes = {1, 1, hasBias, hasResidual};
  state.addTypes(fnType.getResults());
  state.addRegion(std::move(region));
  return success();
}

void LinearOp::print(OpAsmPrinter &p) {
  p << ' ' << getInput() << ", " << getWeight();
  if (Value bias = getBias())
    p << ", " << bias;
  if (isGated())
    p << " glu " << getGlu();
  if (Value residual = getResidual())
    p << " residual " << residual;
  if (hasEpilogue()) {
    p << " epilogue ";
    p.printRegion(getEpilogue(), /*printEntryBlockArgs=*/true);
  }
  p.printOptionalAttrDict((*this)->getAttrs(), /*elidedAttrs=*/{"operandSegmentSizes", "glu"});
  p << " : ";
  p.printFunctionalType(getOperation()->getOperandTypes(), getOperation()->getResultTypes());
}

LogicalResult LinearOp::verify() {
  RankedTensorType in = getInput().getType(), w = getWeight().getType();
  RankedTensorType out = getResult().getType();
  if (in.getRank() < 1)
    return emitOpError("input must have rank >= 1");
  if (w.getRank() != 2)
    return emitOpError("weight must be [out_features, in_features], got rank ")
           << w.getRank();
  if (in.getDimSize(in.getRank() - 1) != w.getDimSize(1))
    return emitOpError("input features (")
           << in.getDimSize(in.getRank() - 1) << ") do not match weight in_features ("
           << w.getDimSize(1) << ")";
  if (Value bias = getBias()) {
    auto bt = cast<RankedTensorType>(bias.getType());
    if (bt.getRank() != 1 || bt.getDimSize(0) != w.getDimSize(0))
      return emitOpError("bias must be [") << w.getDimSize(0) << "]";
  }
  int64_t features = w.getDimSize(0);
  if (isGated()) {
    if (*getGlu() != "first" && *getGlu() != "second")
      return emitOpError("glu must be \"first\" or \"second\" (the half the gate's "
                         "activation applies to), got \"")
             << *getGlu() << "\"";
    if (features % 2 != 0)
      return emitOpError("a gated linear needs an even number of weight rows ([2 * f, "
                         "in_features]), got ")
             << features;
    features /= 2;
  }
  SmallVector<int64_t> expected(in.getShape());
  expected.back() = features;
  if (out.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("result shape must be the input shape with the last dimension "
                       "replaced by ")
           << (isGated() ? "half the weight's rows (" : "out_features (") << features << ")";
  if (Value residual = getResidual())
    if (residual.getType() != out)
      return emitOpError("residual must have the result's type ") << out << ", got "
                                                                    << residual.getType();
  if (hasRope()) {
    int64_t heads = static_cast<int64_t>(*getRopeHeads());
    if (in.getRank() != 3)
      return emitOpError("with rope, the input must be [batch, seq, in_features]");
    if (heads <= 0 || features % heads != 0 || (features / heads) % 2 != 0)
      return emitOpError("rope_heads (")
             << heads << ") must divide out_features (" << features
             << ") into heads of an even d_head";
    if (getRopeBase().convertToDouble() <= 1.0)
      return emitOpError("rope_base must be > 1");
    if (static_cast<int64_t>(getRopePositionOffset()) < 0)
      return emitOpError("rope_position_offset must be >= 0");
    if (hasEpilogue() || isGated())
      return emitOpError("rope cannot be combined with an epilogue or glu");
    if (auto rot = getRopeRotaryDim()) {
      int64_t r = static_cast<int64_t>(*rot);
      if (r <= 0 || r % 2 != 0 || r > features / heads)
        return emitOpError("rope_rotary_dim (")
               << r << ") must be even and in (0, d_head = " << features / heads << "]";
    }
  } else if (getRopeRotaryDimAttr()) {
    return emitOpError("rope_rotary_dim needs rope_heads");
  }
  if (hasEpilogue())
    return verifyScalarBody(*this, getEpilogue(), "epilogue");
  return success();
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

static Value f32Const(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(static_cast<float>(v)));
}

Value ReluOp::buildScalar(OpBuilder &b, Location loc, Value x) {
  return arith::MaximumFOp::create(b, loc, x, f32Const(b, loc, 0.0));
}

Value SiluOp::buildScalar(OpBuilder &b, Location loc, Value x) {
  // x / (1 + exp(-x))
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, x, arith::AddFOp::create(b, loc, f32Const(b, loc, 1.0), e));
}

namespace loom {
Value buildSigmoid(OpBuilder &b, Location loc, Value x) {
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, f32Const(b, loc, 1.0),
                               arith::AddFOp::create(b, loc, f32Const(b, loc, 1.0), e));
}
} // namespace loom

Value SigmoidOp::buildScalar(OpBuilder &b, Location loc, Value x) { return buildSigmoid(b, loc, x); }

Value TanhOp::buildScalar(OpBuilder &b, Location loc, Value x) {
  return math::TanhOp::create(b, loc, x);
}

Value SwishOp::buildScalar(OpBuilder &b, Location loc, Value x) {
  Value bx = arith::MulFOp::create(b, loc, x, f32Const(b, loc, getBeta().convertToDouble()));
  return arith::MulFOp::create(b, loc, x, buildSigmoid(b, loc, bx));
}

Value EluOp::buildScalar(OpBuilder &b, Location loc, Value x) {
  // alpha * (exp(x) - 1) where x <= 0
  Value neg = arith::MulFOp::create(
      b, loc, f32Const(b, loc, getAlpha().convertToDouble()),
      arith::SubFOp::create(b, loc, math::ExpOp::create(b, loc, x), f32Const(b, loc, 1.0)));
  Value pos = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, f32Const(b, loc, 0.0));
  return arith::SelectOp::create(b, loc, pos, x, neg);
}

LogicalResult GeluOp::verify() {
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("approximate must be \"none\" or \"tanh\", got \"")
           << getApproximate() << "\"";
  return success();
}

Value GeluOp::buildScalar(OpBuilder &b, Location loc, Value x) {
  Value half = f32Const(b, loc, 0.5), one = f32Const(b, loc, 1.0);
  Value inner;
  if (getApproximate() == "tanh") {
    // sqrt(2/pi) * (x + 0.044715 x^3)
    Value x3 = arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, x, x), x);
    Value poly = arith::AddFOp::create(
        b, loc, x, arith::MulFOp::create(b, loc, f32Const(b, loc, 0.044715), x3));
    inner = math::TanhOp::create(
        b, loc, arith::MulFOp::create(b, loc, f32Const(b, loc, std::sqrt(2.0 / M_PI)), poly));
  } else {
    inner = math::ErfOp::create(b, loc,
                                arith::MulFOp::create(b, loc, x, f32Const(b, loc, M_SQRT1_2)));
  }
  Value gate = arith::MulFOp::create(b, loc, half, arith::AddFOp::create(b, loc, one, inner));
  return arith::MulFOp::create(b, loc, x, gate);
}

LogicalResult PointwiseOp::verify() { return verifyScalarBody(*this, getBody(), "body"); }

Value PointwiseOp::buildScalar(OpBuilder &b, Location loc, Value x) {
  return cloneScalarBody(b, getBody(), x);
}

namespace loom {
Value cloneLinearEpilogue(OpBuilder &b, LinearOp op, Value x) {
  return cloneScalarBody(b, op.getEpilogue(), x);
}
} // namespace loom

//===----------------------------------------------------------------------===//
// Norms and positions
//===----------------------------------------------------------------------===//

LogicalResult RmsNormOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() < 1)
    return emitOpError("input must have rank >= 1");
  auto w = cast<RankedTensorType>(getWeight().getType());
  if (w.getRank() != 1 || w.getDimSize(0) != in.getDimSize(in.getRank() - 1))
    return emitOpError("weight must be [") << in.getDimSize(in.getRank() - 1)
                                           << "] (the normalised dimension)";
  return verifyNormResult(*this, in, getResult().getType(), getEpsilon());
}

LogicalResult LayerNormOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() < 1)
    return emitOpError("input must have rank >= 1");
  int64_t d = in.getDimSize(in.getRank() - 1);
  for (Value p : {getWeight(), getBias()}) {
    auto t = cast<RankedTensorType>(p.getType());
    if (t.getRank() != 1 || t.getDimSize(0) != d)
      return emitOpError("weight and bias must be [") << d << "] (the normalised dimension)";
  }
  return verifyNormResult(*this, in, getResult().getType(), getEpsilon());
}

LogicalResult SinusoidalPEOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() != 3)
    return emitOpError("input must be [batch, seq, d_model]");
  if (in.getDimSize(2) % 2 != 0)
    return emitOpError("d_model must be even for sinusoidal encoding, got ")
           << in.getDimSize(2);
  if (getBase().convertToDouble() <= 1.0)
    return emitOpError("base must be > 1");
  if (Value p = getPositions())
    if (cast<RankedTensorType>(p.getType()).getRank() != 1 ||
        (!in.isDynamicDim(0) && in.getDimSize(0) != 1))
      return emitOpError("positions must be [seq], with a batch of 1 (packed sequences)");
  return success();
}

LogicalResult AddPositionTableOp::verify() {
  RankedTensorType in = getInput().getType(), table = getTable().getType();
  if (in.getRank() != 3)
    return emitOpError("input must be [batch, seq, d_model]");
  if (table.getRank() != 2 || table.getDimSize(1) != in.getDimSize(2))
    return emitOpError("table must be [max_len, ") << in.getDimSize(2) << "]";
  if (table.getDimSize(0) < in.getDimSize(1))
    return emitOpError("sequence length ") << in.getDimSize(1) << " exceeds the table's "
                                           << table.getDimSize(0) << " positions";
  if (getResult().getType() != in)
    return emitOpError("result type must equal the input type");
  if (Value p = getPositions())
    if (cast<RankedTensorType>(p.getType()).getRank() != 1 ||
        (!in.isDynamicDim(0) && in.getDimSize(0) != 1))
      return emitOpError("positions must be [seq], with a batch of 1 (packed sequences)");
  return success();
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::verify() {
  RankedTensorType q = getQuery().getType(), k = getKey().getType(), v = getValue().getType();
  for (RankedTensorType t : {q, k, v})
    if (t.getRank() != 3)
      return emitOpError("query, key and value must be [batch, seq, d_model]");
  if (static_cast<int64_t>(getNHeads()) <= 0)
    return emitOpError("n_heads must be positive");
  int64_t d = q.getDimSize(2);
  if (d % getNHeads() != 0)
    return emitOpError("d_model (") << d << ") must be divisible by n_heads (" << getNHeads()
                                    << ")";
  if (k.getShape() != v.getShape())
    return emitOpError("key and value must have the same shape");
  if (k.getDimSize(0) != q.getDimSize(0) || k.getDimSize(2) != d)
    return emitOpError("key/value must share batch and d_model with the query");
  if (getCausal() && q.getDimSize(1) > k.getDimSize(1))
    return emitOpError("causal attention needs seq_q <= seq_k");
  if (static_cast<int64_t>(getWindow()) < 0 || static_cast<int64_t>(getBlockSize()) < 0)
    return emitOpError("window and block_size must be >= 0 (0 disables them)");
  if (Value rel = getRelValues()) {
    auto rt = cast<RankedTensorType>(rel.getType());
    int64_t kMax = static_cast<int64_t>(getRelMaxDistance());
    if (kMax <= 0 || rt.getRank() != 2 || rt.getDimSize(0) != 2 * kMax + 1 ||
        rt.getDimSize(1) != d / static_cast<int64_t>(getNHeads()))
      return emitOpError("rel_values must be [2 * rel_max_distance + 1, d_head] with "
                         "rel_max_distance > 0");
  }
  if (!getSegmentStart() != !getSegmentEnd())
    return emitOpError("segment_start and segment_end come together");
  if (getSegmentStart()) {
    if ((!q.isDynamicDim(0) && q.getDimSize(0) != 1) || getKeyLengths() || getWindow() ||
        getBlockSize() || getBias() ||
        getRelValues())
      return emitOpError("segments (packed sequences) need a batch of 1 and no key_lengths, "
                         "window, block_size, bias or rel_values");
    for (Value s : {getSegmentStart(), getSegmentEnd()})
      if (cast<RankedTensorType>(s.getType()).getRank() != 1)
        return emitOpError("segment_start and segment_end must be [seq]");
  }
  if (Value lengths = getKeyLengths()) {
    auto lt = cast<RankedTensorType>(lengths.getType());
    if (lt.getRank() != 1 || lt.getDimSize(0) != q.getDimSize(0))
      return emitOpError("key_lengths must be [batch] = [") << q.getDimSize(0) << "]";
  }
  if (Value bias = getBias()) {
    auto bt = cast<RankedTensorType>(bias.getType());
    int64_t h = static_cast<int64_t>(getNHeads());
    SmallVector<int64_t> shared{h, q.getDimSize(1), k.getDimSize(1)};
    SmallVector<int64_t> batched{q.getDimSize(0), h, q.getDimSize(1), k.getDimSize(1)};
    if (bt.getShape() != ArrayRef<int64_t>(shared) && bt.getShape() != ArrayRef<int64_t>(batched))
      return emitOpError("bias must be [n_heads, seq_q, seq_k] or [batch, n_heads, seq_q, seq_k]");
  }
  if (getResult().getType() != q)
    return emitOpError("result type must equal the query type");
  if (auto s = getScale(); s && !(s->convertToFloat() > 0.0f))
    return emitOpError("scale must be positive");
  return success();
}

float AttentionOp::getEffectiveScale() {
  if (auto s = getScale())
    return s->convertToFloat();
  return 1.0f / std::sqrt(static_cast<float>(getDHead()));
}

//===----------------------------------------------------------------------===//
// RopeOp, AlibiBiasOp
//===----------------------------------------------------------------------===//

LogicalResult RopeOp::verify() {
  RankedTensorType t = getInput().getType();
  if (t.getRank() != 3)
    return emitOpError("input must be [batch, seq, d_model]");
  int64_t heads = static_cast<int64_t>(getNHeads());
  if (heads <= 0 || t.getDimSize(2) % heads != 0)
    return emitOpError("d_model (") << t.getDimSize(2) << ") must be divisible by n_heads ("
                                    << getNHeads() << ")";
  int64_t dHead = t.getDimSize(2) / heads;
  int64_t rot = static_cast<int64_t>(getRotaryDim());
  if (rot <= 0 || rot % 2 != 0 || rot > dHead)
    return emitOpError("rotary_dim must be even and in (0, d_head = ") << dHead << "], got "
                                                                       << getRotaryDim();
  if (getBase().convertToDouble() <= 1.0)
    return emitOpError("base must be > 1");
  if (static_cast<int64_t>(getPositionOffset()) < 0)
    return emitOpError("position_offset must be >= 0");
  return success();
}

LogicalResult AlibiBiasOp::verify() {
  RankedTensorType t = getResult().getType();
  if (static_cast<int64_t>(getNHeads()) <= 0)
    return emitOpError("n_heads must be positive");
  if (t.getRank() != 3 || t.getDimSize(0) != static_cast<int64_t>(getNHeads()))
    return emitOpError("result must be [n_heads, seq_q, seq_k] with n_heads = ") << getNHeads();
  if (getDynamicSizes().size() != static_cast<size_t>(t.getNumDynamicDims()))
    return emitOpError("needs one dynamic size per dynamic dimension of the result (")
           << t.getNumDynamicDims() << "), got " << getDynamicSizes().size();
  return success();
}

LogicalResult RelativeLogitsOp::verify() {
  RankedTensorType x = getInput().getType(), table = getTable().getType(), t = getResult().getType();
  int64_t h = static_cast<int64_t>(getNHeads()), k = static_cast<int64_t>(getMaxDistance());
  StringRef mode = getMode();
  if (mode != "shaw" && mode != "c2p" && mode != "p2c" && mode != "xl_shift" && mode != "key_position")
    return emitOpError("mode must be shaw, c2p, p2c, xl_shift or key_position, got ") << mode;
  if (x.getRank() != 3 || h <= 0 || x.getDimSize(2) % h != 0)
    return emitOpError("input must be [batch, seq, d_model] with d_model divisible by n_heads");
  int64_t dHead = x.getDimSize(2) / h;
  int64_t cols = mode == "shaw" ? dHead : x.getDimSize(2);
  if (mode == "key_position") { // the keys' rows: table [seq_k, d_model]
    int64_t sk = t.getRank() == 4 ? t.getDimSize(3) : ShapedType::kDynamic;
    if (k != 0)
      return emitOpError("mode key_position takes max_distance 0");
    bool rowsOk = ShapedType::isDynamic(sk) || ShapedType::isDynamic(table.getDimSize(0)) ||
                  table.getDimSize(0) == sk;
    if (table.getRank() != 2 || !rowsOk || table.getDimSize(1) != cols)
      return emitOpError("table must be [seq_k, ") << cols << "] for mode key_position";
  } else if (mode == "xl_shift") { // self-attention: table [T, d_model], seq_q = seq_k = T
    int64_t sq = t.getRank() == 4 ? t.getDimSize(2) : ShapedType::kDynamic;
    int64_t sk = t.getRank() == 4 ? t.getDimSize(3) : ShapedType::kDynamic;
    if (k != 0)
      return emitOpError("mode xl_shift takes max_distance 0");
    if (t.getRank() != 4 || sq != sk)
      return emitOpError("mode xl_shift needs seq_q = seq_k (self-attention)");
    bool rowsOk = ShapedType::isDynamic(sk) || ShapedType::isDynamic(table.getDimSize(0)) ||
                  table.getDimSize(0) == sk;
    if (table.getRank() != 2 || !rowsOk || table.getDimSize(1) != cols)
      return emitOpError("table must be [seq_k, ") << cols << "] for mode xl_shift";
  } else if (k == 0) { // every distance of the keys: [2 seq_k, d_model]
    if (mode != "c2p")
      return emitOpError("max_distance 0 (every distance) needs mode c2p");
    int64_t sk = t.getRank() == 4 ? t.getDimSize(3) : ShapedType::kDynamic;
    bool rowsOk = ShapedType::isDynamic(sk) || ShapedType::isDynamic(table.getDimSize(0))
                      ? true
                      : table.getDimSize(0) == 2 * sk;
    if (table.getRank() != 2 || !rowsOk || table.getDimSize(1) != cols)
      return emitOpError("table must be [2 seq_k, ") << cols << "] for max_distance 0";
  } else {
    int64_t rows = mode == "shaw" ? 2 * k + 1 : 2 * k;
    if (k < 0 || table.getRank() != 2 || table.getDimSize(0) != rows || table.getDimSize(1) != cols)
      return emitOpError("table must be [") << rows << ", " << cols << "] for mode " << mode;
  }
  if (t.getRank() != 4 || t.getDimSize(0) != x.getDimSize(0) || t.getDimSize(1) != h)
    return emitOpError("result must be [batch, n_heads, seq_q, seq_k]");
  int64_t seqIn = mode == "p2c" ? t.getDimSize(3) : t.getDimSize(2);
  if (x.getDimSize(1) != seqIn)
    return emitOpError("input length must be ") << (mode == "p2c" ? "seq_k" : "seq_q");
  if (getDynamicSizes().size() != static_cast<size_t>(t.getNumDynamicDims()))
    return emitOpError("needs one dynamic size per dynamic dimension of the result (")
           << t.getNumDynamicDims() << "), got " << getDynamicSizes().size();
  return success();
}

LogicalResult AddBiasOp::verify() {
  RankedTensorType in = getInput().getType();
  auto b = cast<RankedTensorType>(getBias().getType());
  if (in.getRank() < 1 || b.getRank() != 1 || b.getDimSize(0) != in.getDimSize(in.getRank() - 1))
    return emitOpError("bias must be [") << in.getDimSize(in.getRank() - 1) << "] (the last dimension)";
  if (getResult().getType() != in)
    return emitOpError("result type must equal the input type");
  return success();
}

LogicalResult SinusoidalTableOp::verify() {
  RankedTensorType t = getResult().getType();
  if (t.getRank() != 2 || t.isDynamicDim(1) || t.getDimSize(1) % 2 != 0)
    return emitOpError("result must be [rows, d_model] with even d_model");
  if (getDynamicSizes().size() != static_cast<size_t>(t.getNumDynamicDims()))
    return emitOpError("needs one dynamic size per dynamic dimension of the result (")
           << t.getNumDynamicDims() << "), got " << getDynamicSizes().size();
  return success();
}

LogicalResult T5BiasOp::verify() {
  RankedTensorType table = getTable().getType(), t = getResult().getType();
  if (table.getRank() != 2)
    return emitOpError("table must be [num_buckets, n_heads]");
  if (t.getRank() != 3 || t.getDimSize(0) != table.getDimSize(1))
    return emitOpError("result must be [n_heads, seq_q, seq_k] with n_heads = ")
           << table.getDimSize(1);
  int64_t buckets = table.getDimSize(0) / (getBidirectional() ? 2 : 1);
  if (buckets < 2)
    return emitOpError("needs at least ") << (getBidirectional() ? 4 : 2) << " buckets";
  if (static_cast<int64_t>(getMaxDistance()) <= buckets / 2)
    return emitOpError("max_distance must exceed the exact buckets (") << buckets / 2 << ")";
  if (getDynamicSizes().size() != static_cast<size_t>(t.getNumDynamicDims()))
    return emitOpError("needs one dynamic size per dynamic dimension of the result (")
           << t.getNumDynamicDims() << "), got " << getDynamicSizes().size();
  return success();
}

SmallVector<double> AlibiBiasOp::slopes(int64_t n) {
  auto powerOf2 = [](int64_t p) {
    SmallVector<double> s;
    for (int64_t h = 0; h < p; ++h)
      s.push_back(std::pow(2.0, -8.0 * static_cast<double>(h + 1) / static_cast<double>(p)));
    return s;
  };
  int64_t p = 1;
  while (p * 2 <= n)
    p *= 2;
  SmallVector<double> s = powerOf2(p);
  if (p == n)
    return s;
  SmallVector<double> extra = slopes(2 * p);
  for (int64_t h = 0; static_cast<int64_t>(s.size()) < n; h += 2)
    s.push_back(extra[h]);
  return s;
}

//===----------------------------------------------------------------------===//
// Convolution module ops
//===----------------------------------------------------------------------===//

LogicalResult GluOp::verify() {
  RankedTensorType in = getInput().getType(), out = getResult().getType();
  if (in.getRank() < 1)
    return emitOpError("input must have rank >= 1");
  int64_t c2 = in.getDimSize(in.getRank() - 1);
  if (c2 % 2 != 0)
    return emitOpError("the last dimension must be even (two halves), got ") << c2;
  SmallVector<int64_t> expected(in.getShape());
  expected.back() = c2 / 2;
  if (out.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("result must halve the last dimension of the input");
  return success();
}

/// Checks that every `params` tensor is `[c]`.
static LogicalResult verifyChannelParams(Operation *op, ValueRange params, int64_t c,
                                         StringRef what) {
  for (Value p : params) {
    auto t = cast<RankedTensorType>(p.getType());
    if (t.getRank() != 1 || t.getDimSize(0) != c)
      return op->emitOpError() << what << " must be [" << c << "] (the channels)";
  }
  return success();
}

LogicalResult DepthwiseConv1DOp::verify() {
  RankedTensorType in = getInput().getType();
  auto w = cast<RankedTensorType>(getWeight().getType());
  if (in.getRank() != 3)
    return emitOpError("input must be [batch, seq, channels]");
  int64_t c = in.getDimSize(2), t = in.getDimSize(1);
  if (w.getRank() != 2 || w.getDimSize(0) != c)
    return emitOpError("weight must be [") << c << ", kernel_size]";
  int64_t k = w.getDimSize(1);
  if (k < 1)
    return emitOpError("kernel_size must be positive");
  int64_t pl = static_cast<int64_t>(getPaddingLeft()), pr = static_cast<int64_t>(getPaddingRight());
  if (pl < 0 || pr < 0 || pl >= k || pr >= k)
    return emitOpError("padding must be in [0, kernel_size), got ") << pl << " and " << pr;
  if (getBias() && failed(verifyChannelParams(*this, getBias(), c, "bias")))
    return failure();
  // A dynamic length keeps its size when the padding is "same" or causal (pl + pr = k - 1).
  if (ShapedType::isDynamic(t) && pl + pr != k - 1)
    return emitOpError("a dynamic sequence needs padding_left + padding_right = kernel_size - 1");
  int64_t outT = ShapedType::isDynamic(t) ? t : t + pl + pr - k + 1;
  if (!ShapedType::isDynamic(t) && outT < 1)
    return emitOpError("the sequence (") << t << ") is shorter than the kernel";
  if (getResult().getType().getShape() != ArrayRef<int64_t>{in.getDimSize(0), outT, c})
    return emitOpError("result must be [") << in.getDimSize(0) << ", " << outT << ", " << c << "]";
  return success();
}

LogicalResult BatchNormOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() < 2)
    return emitOpError("input must have rank >= 2 ([..., channels])");
  int64_t c = in.getDimSize(in.getRank() - 1);
  if (failed(verifyChannelParams(*this, {getWeight(), getBias(), getRunningMean(), getRunningVar()},
                                 c, "weight, bias, running_mean and running_var")))
    return failure();
  return verifyNormResult(*this, in, getResult().getType(), getEpsilon());
}

LogicalResult GroupNormOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() != 3)
    return emitOpError("input must be [batch, seq, channels]");
  int64_t c = in.getDimSize(2), g = static_cast<int64_t>(getNumGroups());
  if (g < 1 || c % g != 0)
    return emitOpError("num_groups (") << g << ") must be positive and divide the channels (" << c << ")";
  if (failed(verifyChannelParams(*this, {getWeight(), getBias()}, c, "weight and bias")))
    return failure();
  return verifyNormResult(*this, in, getResult().getType(), getEpsilon());
}

//===----------------------------------------------------------------------===//
// Block self-attention (Bi-BloSA)
//===----------------------------------------------------------------------===//

/// Checks `[batch, seq, d]` tensors of one shape, a block length >= 0 and key_lengths
/// `[batch]`.
static LogicalResult verifyBlockOperands(Operation *op, ArrayRef<Value> tensors, StringRef names,
                                         int64_t blockLen, Value lengths) {
  auto first = cast<RankedTensorType>(tensors[0].getType());
  for (Value t : tensors) {
    auto tt = cast<RankedTensorType>(t.getType());
    if (tt.getRank() != 3 || tt.getShape() != first.getShape())
      return op->emitOpError() << names << " must be [batch, seq, d] tensors of one shape";
  }
  if (blockLen < 0)
    return op->emitOpError("block_len must be >= 0 (0: the whole sequence), got ") << blockLen;
  if (lengths) {
    auto lt = cast<RankedTensorType>(lengths.getType());
    if (lt.getRank() != 1 || lt.getDimSize(0) != first.getDimSize(0))
      return op->emitOpError("key_lengths must be [batch] = [") << first.getDimSize(0) << "]";
  }
  return success();
}

LogicalResult MdAttentionOp::verify() {
  if (failed(verifyBlockOperands(*this, {getValues(), getDependent(), getHead()},
                                 "values, dependent and head", getBlockLen(), getKeyLengths())))
    return failure();
  RankedTensorType v = getValues().getType();
  if (failed(verifyChannelParams(*this, getFBias(), v.getDimSize(2), "f_bias")))
    return failure();
  if (getDirection() != "forward" && getDirection() != "backward" && getDirection() != "diag")
    return emitOpError("direction must be \"forward\", \"backward\" or \"diag\", got \"")
           << getDirection() << "\"";
  // exp(tanh_scale) bounds the softmax's terms, so no maximum is subtracted.
  double c = getTanhScale().convertToDouble();
  if (!(c > 0 && c <= 60))
    return emitOpError("tanh_scale must be in (0, 60], got ") << c;
  if (getResult().getType() != v)
    return emitOpError("result must have the values' type");
  return success();
}

LogicalResult Source2TokenOp::verify() {
  if (failed(verifyBlockOperands(*this, {getValues(), getLogits()}, "values and logits",
                                 getBlockLen(), getKeyLengths())))
    return failure();
  RankedTensorType v = getValues().getType();
  int64_t seq = v.getDimSize(1), bl = getBlockLen();
  int64_t n = bl == 0 ? 1 : ShapedType::isDynamic(seq) ? ShapedType::kDynamic : (seq + bl - 1) / bl;
  SmallVector<int64_t> shape{v.getDimSize(0), n, v.getDimSize(2)};
  if (getResult().getType().getShape() != ArrayRef<int64_t>(shape))
    return emitOpError("result must be [batch, n_blocks, d] = [")
           << v.getDimSize(0) << ", " << (ShapedType::isDynamic(n) ? std::string("?") : std::to_string(n))
           << ", " << v.getDimSize(2) << "]";
  return success();
}

LogicalResult EmbeddingOp::verify() {
  auto ids = cast<RankedTensorType>(getIds().getType());
  RankedTensorType table = getTable().getType(), out = getResult().getType();
  if (ids.getRank() != 2)
    return emitOpError("ids must be [batch, seq]");
  if (table.getRank() != 2)
    return emitOpError("table must be [vocab, d]");
  if (out.getShape() != ArrayRef<int64_t>{ids.getDimSize(0), ids.getDimSize(1), table.getDimSize(1)})
    return emitOpError("result must be [") << ids.getDimSize(0) << ", " << ids.getDimSize(1)
                                           << ", " << table.getDimSize(1) << "]";
  return success();
}

#define GET_OP_CLASSES
#include "loom/Dialect/Loom/IR/LoomOps.cpp.inc"

//===----------------------------------------------------------------------===//
// ActOp
//===----------------------------------------------------------------------===//

LogicalResult ActOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() != 3)
    return emitOpError("input must be [batch, seq, d]");
  int64_t d = in.getDimSize(2);
  RankedTensorType w = getHaltingWeight().getType(), bias = getHaltingBias().getType();
  if (w.getShape() != ArrayRef<int64_t>{1, d})
    return emitOpError("halting_weight must be [1, ") << d << "]";
  if (bias.getShape() != ArrayRef<int64_t>{1})
    return emitOpError("halting_bias must be [1]");
  if (getMaxSteps() < 1)
    return emitOpError("max_steps must be at least 1");
  float threshold = getThreshold().convertToFloat();
  if (!(threshold > 0.0f && threshold <= 1.0f))
    return emitOpError("threshold must be in (0, 1]");
  if (getResult().getType() != in)
    return emitOpError("result type must equal the input type");
  auto perPosition = RankedTensorType::get({in.getDimSize(0), in.getDimSize(1)}, in.getElementType());
  if (getPonderSteps().getType() != perPosition || getRemainders().getType() != perPosition)
    return emitOpError("ponder_steps and remainders must be ") << perPosition;
  Block &body = getBody().front();
  if (body.getNumArguments() != 2 || body.getArgument(0).getType() != in ||
      !body.getArgument(1).getType().isIndex())
    return emitOpError("body must take the state (") << in << ") and the step (index)";
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield || yield.getValues().size() != 2 ||
      llvm::any_of(yield.getValues(), [&](Value v) { return v.getType() != in; }))
    return emitOpError("body must end in a loom.yield of two ") << in
                                                                 << " (the signalled and the next state)";
  return success();
}

//===----------------------------------------------------------------------===//
// GreedyDecodeOp
//===----------------------------------------------------------------------===//

LogicalResult GreedyDecodeOp::verify() {
  auto ids = cast<RankedTensorType>(getIds().getType());
  RankedTensorType logits = getLogits().getType();
  if (getMaxLen() < 1)
    return emitOpError("max_len must be at least 1");
  if (ids.getRank() != 2 || ids.getDimSize(1) != static_cast<int64_t>(getMaxLen()))
    return emitOpError("ids must be [batch, max_len] with max_len = ") << getMaxLen();
  int64_t batch = ids.getDimSize(0);
  if (logits.getRank() != 3 || logits.getDimSize(0) != batch ||
      logits.getDimSize(1) != static_cast<int64_t>(getMaxLen()))
    return emitOpError("logits must be [batch, max_len, vocab] = [")
           << batch << ", " << getMaxLen() << ", vocab]";
  int64_t vocab = logits.getDimSize(2);
  for (auto [name, v] : {std::pair<const char *, int64_t>{"bos", static_cast<int64_t>(getBos())}, {"pad", static_cast<int64_t>(getPad())}})
    if (v < 0 || v >= vocab)
      return emitOpError() << name << " (" << v << ") must be a token id in [0, " << vocab << ")";
  if (static_cast<int64_t>(getEos()) >= vocab)
    return emitOpError("eos (") << getEos() << ") must be below the vocabulary size " << vocab;
  Block &body = getBody().front();
  auto prevType = RankedTensorType::get({batch, 1}, ids.getElementType());
  if (body.getNumArguments() < 2 || body.getArgument(0).getType() != prevType ||
      !body.getArgument(1).getType().isIndex())
    return emitOpError("body must take the previous token (") << prevType
                                                               << "), the position (index), then the states";
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  auto stepLogits = RankedTensorType::get({batch, 1, vocab}, logits.getElementType());
  if (!yield || yield.getValues().size() != body.getNumArguments() - 1 ||
      yield.getValues()[0].getType() != stepLogits)
    return emitOpError("body must yield the step's logits (") << stepLogits
                                                               << ") and then every state";
  for (unsigned i = 2; i < body.getNumArguments(); ++i) {
    auto t = dyn_cast<RankedTensorType>(body.getArgument(i).getType());
    if (!t || !t.getElementType().isF32())
      return emitOpError("states must be f32 tensors");
    if (yield.getValues()[i - 1].getType() != t)
      return emitOpError("state #") << (i - 2) << " must be yielded with its type " << t;
  }
  return success();
}
