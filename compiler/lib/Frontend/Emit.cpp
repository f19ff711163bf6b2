//===- Emit.cpp - elaborated model to the loom dialect --------------------===//
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Frontend/Model.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <algorithm>
#include <optional>
#include <set>

using namespace loom;
using namespace mlir;

namespace {

class Emitter {
public:
  Emitter(const Model &model, MLIRContext &ctx) : model(model), ctx(ctx), b(&ctx) {}

  OwningOpRef<ModuleOp> run() {
    Location unknown = UnknownLoc::get(&ctx);
    OwningOpRef<ModuleOp> module = ModuleOp::create(unknown);
    (*module)->setAttr("loom.model", b.getStringAttr(model.name));
    if (!model.unusedWeights.empty()) {
      SmallVector<Attribute> unused;
      for (const Weight &w : model.unusedWeights)
        unused.push_back(b.getDictionaryAttr(
            {b.getNamedAttr("name", b.getStringAttr(w.name)),
             b.getNamedAttr("shape", b.getDenseI64ArrayAttr(w.shape)),
             b.getNamedAttr("dtype", b.getStringAttr(w.dtype))}));
      (*module)->setAttr("loom.unused_weights", b.getArrayAttr(unused));
    }
    if (!model.dynamicBounds.empty()) {
      SmallVector<NamedAttribute> bounds;
      for (const auto &[name, bound] : model.dynamicBounds)
        bounds.push_back(b.getNamedAttr(
            name, b.getDictionaryAttr({b.getNamedAttr("max", b.getI64IntegerAttr(bound.max)),
                                       b.getNamedAttr("what", b.getStringAttr(bound.what))})));
      (*module)->setAttr("loom.dynamic_bounds", b.getDictionaryAttr(bounds));
    }
    if (!model.packBlocker.empty())
      (*module)->setAttr("loom.pack_blocker", b.getStringAttr(model.packBlocker));
    b.setInsertionPointToEnd(module->getBody());
    SmallVector<Type> args;
    for (const ModelInput &in : model.inputs)
      args.push_back(RankedTensorType::get(in.shape, elementType(in.dtype)));
    for (const Weight &w : model.weights)
      args.push_back(tensorType(w.shape));
    SmallVector<Type> results{tensorType(model.outputShape)};
    for (const ModelInput &out : model.outputs)
      results.push_back(RankedTensorType::get(out.shape, elementType(out.dtype)));
    auto fnType = b.getFunctionType(args, results);
    auto fn = func::FuncOp::create(b, loc(model.root ? model.root->loc : ast::SourceLoc{}),
                                   "forward", fnType);
    fn->setAttr("loom.entry", b.getUnitAttr());
    size_t nIn = model.inputs.size();
    for (auto [i, in] : llvm::enumerate(model.inputs)) {
      fn.setArgAttr(i, "loom.input", b.getStringAttr(in.name));
      if (in.indexBound)
        fn.setArgAttr(i, "loom.index_bound", b.getI64IntegerAttr(in.indexBound));
      inputArgs[in.name] = i;
      if (std::any_of(in.shape.begin(), in.shape.end(), isDynamicDim))
        fn.setArgAttr(i, "loom.dynamic_dims", dynamicDimsAttr(in.dynamicDims));
      if (!in.indexBoundDim.empty()) {
        fn.setArgAttr(i, "loom.index_bound_dim", b.getStringAttr(in.indexBoundDim));
        fn.setArgAttr(i, "loom.index_bound_plus", b.getI64IntegerAttr(in.indexBoundPlus));
      }
    }
    if (!model.outputDynamicDims.empty())
      fn.setResultAttr(0, "loom.dynamic_dims", dynamicDimsAttr(model.outputDynamicDims));
    for (auto [i, w] : llvm::enumerate(model.weights)) {
      fn.setArgAttr(i + nIn, "loom.weight", b.getStringAttr(w.name));
      weightArgs[w.name] = i + nIn;
    }
    Block *entry = fn.addEntryBlock();
    func = fn;
    b.setInsertionPointToStart(entry);
    for (size_t i = 0; i < nIn; ++i)
      vals[i] = entry->getArgument(i);
    emit(*model.root);
    SmallVector<Value> returned{val(model.resultId)};
    for (auto [o, decl] : llvm::enumerate(model.outputs)) {
      // Each slot value [rest...] goes to [slot, rest...] of the output.
      // Its dynamic dimensions are the inputs' at the same position.
      SmallVector<Value> dyn;
      for (auto [d, size] : llvm::enumerate(decl.shape))
        if (isDynamicDim(size))
          dyn.push_back(dynamicSize(decl.dynamicDims[d], static_cast<int64_t>(d)));
      Value full = tensor::EmptyOp::create(
          b, unknown, RankedTensorType::get(decl.shape, elementType(decl.dtype)), dyn);
      for (auto &[index, value] : slotValues[decl.name]) {
        if (index == -1) { // the whole output
          full = value;
          continue;
        }
        SmallVector<OpFoldResult> offs(decl.shape.size(), b.getIndexAttr(0)), sizes,
            strides(decl.shape.size(), b.getIndexAttr(1));
        offs[0] = b.getIndexAttr(index);
        sizes.push_back(b.getIndexAttr(1));
        for (size_t d = 1; d < decl.shape.size(); ++d)
          sizes.push_back(isDynamicDim(decl.shape[d])
                              ? OpFoldResult(dynamicSize(decl.dynamicDims[d], static_cast<int64_t>(d)))
                              : OpFoldResult(b.getIndexAttr(decl.shape[d])));
        full = tensor::InsertSliceOp::create(b, unknown, value, full, offs, sizes, strides);
      }
      returned.push_back(full);
      fn.setResultAttr(o + 1, "loom.output", b.getStringAttr(decl.name));
      if (std::any_of(decl.shape.begin(), decl.shape.end(), isDynamicDim))
        fn.setResultAttr(o + 1, "loom.dynamic_dims", dynamicDimsAttr(decl.dynamicDims));
    }
    func::ReturnOp::create(b, unknown, returned);
    return module;
  }

private:
  /// A slice's offset or size along dimension `dim`: static, or (a run-time size,
  /// kDynamicDim + extra) the dynamic size at that position plus extra.
  OpFoldResult runTimeIndex(Location l, int64_t v, int64_t dim) {
    if (!isDynamicDim(v))
      return b.getIndexAttr(v);
    Value k = dynamicSize(model.dynamicNames.at(dim), dim);
    if (dynamicExtra(v) == 0)
      return k;
    return arith::AddIOp::create(b, l, k, arith::ConstantIndexOp::create(b, l, dynamicExtra(v)))
        .getResult();
  }
  /// The run-time size of the dynamic dimension `name`: tensor.dim of the first model input
  /// holding it (at `position`, where every input holds it).
  Value dynamicSize(const std::string &name, int64_t position) {
    for (auto [i, in] : llvm::enumerate(model.inputs))
      if (static_cast<size_t>(position) < in.dynamicDims.size() &&
          in.dynamicDims[position] == name)
        return tensor::DimOp::create(b, UnknownLoc::get(&ctx), func.getArgument(i), position);
    llvm_unreachable("an output's dynamic dimension is an input's (checked in elaboration)");
  }
  Type elementType(const std::string &dtype) {
    if (dtype == "i32")
      return b.getI32Type();
    if (dtype == "i64")
      return b.getI64Type();
    return b.getF32Type();
  }
  RankedTensorType tensorType(const std::vector<int64_t> &shape) {
    SmallVector<int64_t> dims;
    for (int64_t d : shape)
      dims.push_back(mlirDim(d));
    return RankedTensorType::get(dims, b.getF32Type());
  }
  Location loc(const ast::SourceLoc &l) {
    if (l.file.empty())
      return UnknownLoc::get(&ctx);
    return FileLineColLoc::get(&ctx, l.file, l.line, l.col);
  }

  struct Ctx : EmitContext {
    Emitter &e;
    const Instance &inst;
    Ctx(Emitter &e, const Instance &inst) : e(e), inst(inst) {}
    OpBuilder &builder() override { return e.b; }
    Location loc() override {
      return NameLoc::get(StringAttr::get(&e.ctx, inst.path()), e.loc(inst.loc));
    }
    Value weight(const std::string &name) override {
      auto it = inst.weightNames.find(name);
      if (it == inst.weightNames.end())
        llvm::report_fatal_error(llvm::Twine("plugin '") + inst.plugin->name() +
                                 "' asked for weight '" + name + "' it did not declare");
      return e.weightValue(it->second);
    }
    const Node &sub(const std::string &param) {
      auto it = inst.subBlocks.find(param);
      if (it == inst.subBlocks.end())
        llvm::report_fatal_error(llvm::Twine("plugin '") + inst.plugin->name() +
                                 "' emits sub-block '" + param + "' it did not infer");
      return *it->second;
    }
    Value tensor(const std::string &name) override {
      const ParamValue &v = inst.param(name);
      if (v.kind != ParamValue::Kind::Tensor)
        llvm::report_fatal_error(llvm::Twine("plugin '") + inst.plugin->name() +
                                 "' reads '" + name + "', which is not a tensor parameter");
      return v.i < 0 ? Value() : e.val(v.i);
    }
    Value input(const std::string &name) override {
      Value v;
      if (auto c = e.captured.find(name); c != e.captured.end()) {
        v = c->second;
      } else {
        auto it = e.inputArgs.find(name);
        if (it == e.inputArgs.end())
          llvm::report_fatal_error(llvm::Twine("no model input '") + name + "'");
        v = e.func.getArgument(it->second);
      }
      return e.inCallee ? e.passedIn(v) : v;
    }
    void writeOutput(const std::string &name, int64_t index, Value value) override {
      if (e.inCallee) {
        e.outlineFailed = true;
        return;
      }
      e.slotValues[name][index] = value;
    }
    Value emitSubBlock(const std::string &param, Value input) override {
      return e.emitOn(sub(param), input);
    }
    auto &frame() {
      if (e.stepFrames.empty())
        llvm::report_fatal_error(llvm::Twine("plugin '") + inst.plugin->name() +
                                 "' asked for step state outside a step loop");
      return e.stepFrames.back();
    }
    int64_t stepLoopLength() override {
      return e.stepFrames.empty() ? 0 : e.stepFrames.back().length;
    }
    Value stepPosition() override { return frame().step; }
    Value state(const std::string &name) override {
      return frame().states.at(inst.path() + (inst.path().empty() ? "" : ".") + name);
    }
    void setState(const std::string &name, Value value) override {
      frame().states.at(inst.path() + (inst.path().empty() ? "" : ".") + name) = value;
    }
    SmallVector<Type> stepBodyStateTypes(const std::string &param) override {
      SmallVector<Type> types;
      for (const auto &[name, shape] : inst.stepStates.at(param))
        types.push_back(e.tensorType(shape));
      return types;
    }
    SmallVector<Value> emitStepBody(const std::string &param, Value input, Value step,
                                    ValueRange states) override {
      const auto &decls = inst.stepStates.at(param);
      StepFrame f{step, inst.stepLengths.at(param), {}};
      for (auto [decl, v] : llvm::zip_equal(decls, states))
        f.states[decl.first] = v;
      e.stepFrames.push_back(std::move(f));
      Value out = e.emitOn(sub(param), input);
      SmallVector<Value> results{out};
      for (const auto &decl : decls)
        results.push_back(e.stepFrames.back().states.at(decl.first));
      e.stepFrames.pop_back();
      return results;
    }
    void withSubBlock(const std::string &param,
                      llvm::function_ref<void(const BlockPlugin &, const BlockInstance &,
                                              EmitContext &)> fn) override {
      const Node &n = sub(param);
      if (n.kind != Node::Kind::Leaf)
        llvm::report_fatal_error(llvm::Twine("sub-block '") + param + "' is not a plugin");
      Ctx c(e, *n.leaf);
      fn(*n.leaf->plugin, *n.leaf, c);
    }
  };

  /// The value of tensor `id` where the emission happens: inside a repeat's function, a
  /// tensor from outside it is an extra parameter, passed by every call.
  Value val(int64_t id) {
    if (inCallee) {
      if (auto it = calleeVals.find(id); it != calleeVals.end())
        return it->second;
      Value p = passedIn(vals.at(id));
      calleeVals[id] = p;
      return p;
    }
    auto it = vals.find(id);
    if (it == vals.end())
      llvm::report_fatal_error(llvm::Twine("tensor ") + llvm::Twine(id) + " is used before it is computed");
    return it->second;
  }
  void setVal(int64_t id, Value v) { (inCallee ? calleeVals : vals)[id] = v; }
  /// Emits `n` with its stream set to `x`; returns its result.
  Value emitOn(const Node &n, Value x) {
    setVal(n.in, x);
    emit(n);
    return val(n.out);
  }

  Value scaled(Location l, Value y, double factor) {
    auto op = PointwiseOp::create(b, l, y.getType(), y);
    OpBuilder::InsertionGuard guard(b);
    Block *body = b.createBlock(&op.getBody(), {}, {b.getF32Type()}, {l});
    Value c = arith::ConstantOp::create(b, l, b.getF32FloatAttr(static_cast<float>(factor)));
    YieldOp::create(b, l, ValueRange{arith::MulFOp::create(b, l, body->getArgument(0), c)});
    return op.getResult();
  }

  void emitOp(const Node &n) {
    Location l = loc(n.loc);
    Value r;
    switch (n.op) {
    case Node::OpKind::Add:
      r = AddOp::create(b, l, val(n.operands[0]), val(n.operands[1]));
      break;
    case Node::OpKind::Sub:
      r = AddOp::create(b, l, val(n.operands[0]), scaled(l, val(n.operands[1]), -1.0));
      break;
    case Node::OpKind::Mul:
      r = MulOp::create(b, l, val(n.operands[0]), val(n.operands[1]));
      break;
    case Node::OpKind::Scale:
      r = scaled(l, val(n.operands[0]), n.scalar);
      break;
    case Node::OpKind::Concat: {
      SmallVector<Value> parts;
      for (int64_t id : n.operands)
        parts.push_back(val(id));
      r = tensor::ConcatOp::create(b, l, n.dim, parts);
      break;
    }
    case Node::OpKind::Slice:
      r = n.groups > 1 ? groupedSlice(n) : slice(l, val(n.operands[0]), n.dim, n.offset, n.size);
      break;
    case Node::OpKind::Select: // x[i]: entry i of dimension 0, which the result drops
      r = slice(l, val(n.operands[0]), 0, n.offset, 1, /*dropDim=*/true);
      break;
    case Node::OpKind::Write:
      // A body that writes outputs is emitted inline, like a plugin writing one.
      if (inCallee) {
        outlineFailed = true;
        return;
      }
      slotValues[n.name][n.offset] = val(n.operands[0]);
      return;
    }
    setVal(n.out, r);
  }
  bool dynamicShapes() const {
    return std::any_of(model.inputs.begin(), model.inputs.end(), [](const ModelInput &in) {
      return std::any_of(in.shape.begin(), in.shape.end(), isDynamicDim);
    });
  }
  /// Per dimension, the name of the dynamic model parameter that sizes it, or "".
  ArrayAttr dynamicDimsAttr(const std::vector<std::string> &names) {
    SmallVector<Attribute> attrs;
    for (const std::string &n : names)
      attrs.push_back(b.getStringAttr(n));
    return b.getArrayAttr(attrs);
  }
  /// x[..., offset : offset + size, ...] along `dim`; with dropDim (size 1), without that
  /// dimension (a rank-reducing slice).
  Value slice(Location l, Value x, int64_t dim, int64_t offset, int64_t size,
              bool dropDim = false) {
    auto t = cast<RankedTensorType>(x.getType());
    SmallVector<OpFoldResult> offs(t.getRank(), b.getIndexAttr(0)), sizes,
        strides(t.getRank(), b.getIndexAttr(1));
    offs[dim] = runTimeIndex(l, offset, dim);
    for (auto [i, s] : llvm::enumerate(t.getShape()))
      sizes.push_back(ShapedType::isDynamic(s)
                          ? OpFoldResult(tensor::DimOp::create(b, l, x, static_cast<int64_t>(i)).getResult())
                          : OpFoldResult(b.getIndexAttr(s)));
    sizes[dim] = runTimeIndex(l, size, dim);
    SmallVector<int64_t> shape(t.getShape());
    shape[dim] = mlirDim(size);
    if (dropDim)
      shape.erase(shape.begin() + dim);
    return tensor::ExtractSliceOp::create(b, l, RankedTensorType::get(shape, t.getElementType()),
                                          x, offs, sizes, strides);
  }
  /// chunk(x, n, groups = g)'s parts: [..., F] -> [..., g, F / g], slice the last dim,
  /// -> [..., g * size].
  Value groupedSlice(const Node &n) {
    Location l = loc(n.loc);
    Value x = val(n.operands[0]);
    auto t = cast<RankedTensorType>(x.getType());
    int64_t rank = t.getRank();
    SmallVector<int64_t> grouped(t.getShape());
    grouped.back() = n.groups;
    grouped.push_back(t.getShape().back() / n.groups);
    SmallVector<ReassociationIndices> reassoc;
    for (int64_t d = 0; d + 1 < rank; ++d)
      reassoc.push_back({d});
    reassoc.push_back({rank - 1, rank});
    Value g = tensor::ExpandShapeOp::create(b, l, RankedTensorType::get(grouped, b.getF32Type()), x,
                                            reassoc);
    Value s = slice(l, g, rank, n.offset, n.size);
    SmallVector<int64_t> shape(t.getShape());
    shape.back() = n.groups * n.size;
    return tensor::CollapseShapeOp::create(b, l, RankedTensorType::get(shape, b.getF32Type()), s,
                                           reassoc);
  }

  void emit(const Node &n) {
    switch (n.kind) {
    case Node::Kind::Leaf: {
      Ctx c(*this, *n.leaf);
      setVal(n.out, n.leaf->plugin->emit(*n.leaf, c, val(n.in)));
      return;
    }
    case Node::Kind::Op:
      emitOp(n);
      return;
    case Node::Kind::Seq:
      // Not with dynamic shapes: a function's dynamically shaped result cannot become an
      // out-parameter its caller allocates (buffer-results-to-out-params).
      if (n.isRepeat && n.children.size() > 1 && !n.carriesTensors && !inCallee &&
          stepFrames.empty() && !dynamicShapes())
        if (emitRepeatAsCalls(n))
          return;
      for (const auto &c : n.children)
        emit(*c);
      return;
    case Node::Kind::Capture:
      captured[n.name] = val(n.in);
      return;
    case Node::Kind::SharedRepeat: {
      Value x = val(n.in);
      for (int64_t i = 0; i < n.count; ++i)
        x = emitOn(*n.children[0], x);
      setVal(n.out, x);
      return;
    }
    case Node::Kind::Residual: {
      // pre_norm: x + f(norm(x)); post_norm: norm(x + f(x))  (Xiong et al. 2020, fig. 1);
      // sandwich: x + out_norm(f(norm(x)))  (Ding et al. 2021, CogView, sec. 2.4)
      bool normFirst = n.placement != Node::Placement::PostNorm;
      if (n.norm && normFirst)
        emit(*n.norm);
      emit(*n.body);
      Value y = val(n.body->out);
      if (n.outNorm) {
        emit(*n.outNorm);
        y = val(n.outNorm->out);
      }
      if (n.scale != 1.0) // x + scale * f(x) (e.g. the Conformer's half-step feed-forward)
        y = scaled(loc(n.loc), y, n.scale);
      setVal(n.sumId, AddOp::create(b, loc(n.loc), val(n.in), y));
      if (n.norm && !normFirst)
        emit(*n.norm);
      return;
    }
    }
  }

  //===--------------------------------------------------------------------===//
  // Repeats as function calls: the iterations of `repeat N as layers { ... }` that are
  // structurally identical (same blocks, parameters and shapes; only their weights
  // differ) become one private function `@<path>_layer(x, weights...)` called N times,
  // so the compiler's work grows with the number of distinct layer kinds, not with depth.
  // A body that reads model inputs or captures, writes outputs or differs between
  // iterations (e.g. through its index) is emitted inline as before.
  //===--------------------------------------------------------------------===//

  /// Structural equality of two iterations, up to the renaming of the tensors they compute:
  /// a tensor defined in both must be defined at the same place, and a tensor from outside
  /// (a model input, an earlier layer's value) must be the same one.
  struct Matcher {
    std::map<int64_t, int64_t> ids; ///< tensors defined in `a` -> in `b`
    bool def(int64_t a, int64_t b) {
      auto [it, inserted] = ids.try_emplace(a, b);
      return inserted ? true : it->second == b;
    }
    bool use(int64_t a, int64_t b) {
      auto it = ids.find(a);
      return it != ids.end() ? it->second == b : a == b;
    }
    bool param(const ParamValue &a, const ParamValue &b) {
      if (a.kind != b.kind)
        return false;
      switch (a.kind) {
      case ParamValue::Kind::Int: return a.i == b.i;
      case ParamValue::Kind::Float: return a.f == b.f;
      case ParamValue::Kind::Bool: return a.b == b.b;
      case ParamValue::Kind::Tensor: return use(a.i, b.i);
      default: return a.str() == b.str();
      }
    }
    bool params(const std::map<std::string, ParamValue> &a,
                const std::map<std::string, ParamValue> &b) {
      if (a.size() != b.size())
        return false;
      for (auto [x, y] : llvm::zip_equal(a, b))
        if (x.first != y.first || !param(x.second, y.second))
          return false;
      return true;
    }
    bool node(const Node *a, const Node *b) {
      if (!a || !b)
        return a == b;
      if (a->kind != b->kind || a->kind == Node::Kind::Capture || a->count != b->count ||
          a->isRepeat != b->isRepeat || a->carriesTensors != b->carriesTensors ||
          a->placement != b->placement || a->scale != b->scale ||
          a->children.size() != b->children.size() || a->op != b->op ||
          a->scalar != b->scalar || a->offset != b->offset || a->size != b->size ||
          a->groups != b->groups || a->dim != b->dim || a->name != b->name ||
          a->operands.size() != b->operands.size() || !use(a->in, b->in))
        return false;
      for (auto [x, y] : llvm::zip_equal(a->operands, b->operands))
        if (!use(x, y))
          return false;
      if (a->kind == Node::Kind::Residual) {
        bool normFirst = a->placement != Node::Placement::PostNorm;
        if ((normFirst && !node(a->norm.get(), b->norm.get())) || !node(a->body.get(), b->body.get()) ||
            !node(a->outNorm.get(), b->outNorm.get()) || !def(a->sumId, b->sumId) ||
            (!normFirst && !node(a->norm.get(), b->norm.get())))
          return false;
        return use(a->out, b->out);
      }
      for (size_t i = 0; i < a->children.size(); ++i)
        if (!node(a->children[i].get(), b->children[i].get()))
          return false;
      if (a->kind == Node::Kind::Seq || a->kind == Node::Kind::SharedRepeat)
        return use(a->out, b->out);
      if (!def(a->out, b->out))
        return false;
      if (a->kind != Node::Kind::Leaf)
        return true;
      const Instance &x = *a->leaf, &y = *b->leaf;
      if (x.plugin != y.plugin || x.in != y.in || x.out != y.out || !params(x.params, y.params) ||
          !params(x.contextValues, y.contextValues) || !x.stepStates.empty() ||
          !y.stepStates.empty() || x.subBlocks.size() != y.subBlocks.size() ||
          x.weightNames.size() != y.weightNames.size())
        return false;
      for (auto [u, v] : llvm::zip_equal(x.weightNames, y.weightNames))
        if (u.first != v.first)
          return false;
      for (auto [u, v] : llvm::zip_equal(x.subBlocks, y.subBlocks))
        if (u.first != v.first || !def(u.second->in, v.second->in) ||
            !node(u.second.get(), v.second.get()))
          return false;
      return true;
    }
  };
  static bool sameIteration(const Node &a, const Node &b) {
    Matcher m;
    return m.def(a.in, b.in) && m.node(&a, &b);
  }
  /// The full weight names a subtree reads, in a fixed walk order.
  static void weightsOf(const Node *n, std::vector<std::string> &names) {
    if (!n)
      return;
    if (n->kind == Node::Kind::Leaf) {
      for (const auto &[local, full] : n->leaf->weightNames)
        names.push_back(full);
      for (const auto &[param, sub] : n->leaf->subBlocks)
        weightsOf(sub.get(), names);
      return;
    }
    for (const auto &c : n->children)
      weightsOf(c.get(), names);
    weightsOf(n->norm.get(), names);
    weightsOf(n->body.get(), names);
    weightsOf(n->outNorm.get(), names);
  }

  bool emitRepeatAsCalls(const Node &n) {
    Value x = val(n.in);
    std::vector<std::vector<std::string>> names(n.children.size());
    for (size_t i = 0; i < n.children.size(); ++i) {
      if (i > 0 && !sameIteration(*n.children[0], *n.children[i]))
        return false;
      weightsOf(n.children[i].get(), names[i]);
      // A weight several blocks read (row views of a packed projection) is one parameter.
      std::set<std::string> seen;
      names[i].erase(std::remove_if(names[i].begin(), names[i].end(),
                                    [&](const std::string &w) { return !seen.insert(w).second; }),
                     names[i].end());
      if (names[i].size() != names[0].size())
        return false;
      for (size_t j = 0; j < names[i].size(); ++j)
        if (argType(names[i][j]) != argType(names[0][j]))
          return false;
    }
    Location l = loc(n.loc);
    func::FuncOp callee;
    Value y;
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(func);
      std::string base = n.repeatPath.empty() ? "repeat" : n.repeatPath;
      std::replace(base.begin(), base.end(), '.', '_');
      std::string name = base + "_layer";
      for (int k = 1; usedNames.count(name); ++k)
        name = base + "_layer" + std::to_string(k);
      SmallVector<Type> argTypes{x.getType()};
      for (const std::string &w : names[0])
        argTypes.push_back(argType(w));
      callee = func::FuncOp::create(b, l, name, b.getFunctionType(argTypes, {}));
      callee.setPrivate();
      callee->setAttr("no_inline", b.getUnitAttr());
      // ... and for LLVM's inliner too (carried to the llvm.func as a function attribute).
      callee->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
      Block *body = callee.addEntryBlock();
      calleeWeights.clear();
      for (auto [j, w] : llvm::enumerate(names[0])) {
        calleeWeights.try_emplace(w, body->getArgument(j + 1));
        callee.setArgAttr(j + 1, "loom.weight_param", b.getStringAttr(w));
      }
      // Distinct buffers (the caller allocates the stream; weights are read only): LLVM
      // may assume no aliasing, as it does for the buffers inside one function.
      for (unsigned j = 0; j < argTypes.size(); ++j)
        callee.setArgAttr(j, "llvm.noalias", b.getUnitAttr());
      b.setInsertionPointToStart(body);
      inCallee = true;
      outlineFailed = false;
      calleeExtras.clear();
      calleeVals.clear();
      y = emitOn(*n.children[0], body->getArgument(0));
      inCallee = false;
      func::ReturnOp::create(b, l, ValueRange{y});
      callee.setType(b.getFunctionType(body->getArgumentTypes(), {y.getType()}));
    }
    if (outlineFailed) {
      callee.erase();
      return false;
    }
    usedNames.insert(callee.getName().str());
    for (const auto &layer : names) {
      SmallVector<Value> operands{x};
      for (const std::string &w : layer)
        operands.push_back(func.getArgument(weightArgs.at(w)));
      for (auto &[outer, param] : calleeExtras) // model inputs and captures, read by every layer
        operands.push_back(outer);
      auto call = func::CallOp::create(b, l, callee, operands);
      call.setNoInline(true);
      x = call.getResult(0);
    }
    setVal(n.out, x);
    return true;
  }

  Type argType(const std::string &weight) {
    return func.getArgument(weightArgs.at(weight)).getType();
  }
  /// A weight as seen where the emission happens: an entry argument, or inside a repeat's
  /// function its parameter.
  Value weightValue(const std::string &full) {
    if (!inCallee)
      return func.getArgument(weightArgs.at(full));
    auto it = calleeWeights.find(full);
    return it != calleeWeights.end() ? it->second : unavailable(argType(full));
  }
  /// Inside a repeat's function, a model input or captured stream `outer`: an extra
  /// parameter, passed by every call.
  Value passedIn(Value outer) {
    for (auto &[o, param] : calleeExtras)
      if (o == outer)
        return param;
    Block *body = b.getInsertionBlock();
    while (!isa<func::FuncOp>(body->getParentOp()))
      body = body->getParentOp()->getBlock();
    Value param = body->addArgument(outer.getType(), outer.getLoc());
    calleeExtras.push_back({outer, param});
    return param;
  }
  /// Inside a repeat's function, a value from outside it: outlining fails (a placeholder
  /// keeps the IR valid until the function is erased).
  Value unavailable(Type t) {
    outlineFailed = true;
    auto rt = cast<RankedTensorType>(t);
    Location unknown = UnknownLoc::get(&ctx);
    SmallVector<Value> dynSizes(rt.getNumDynamicDims(),
                                arith::ConstantIndexOp::create(b, unknown, 1));
    return tensor::EmptyOp::create(b, unknown, rt, dynSizes);
  }

  bool inCallee = false, outlineFailed = false;
  std::map<std::string, Value> calleeWeights;
  std::map<int64_t, Value> vals;       ///< tensor id -> value in @forward
  std::map<int64_t, Value> calleeVals; ///< tensor id -> value inside a repeat's function
  std::vector<std::pair<Value, Value>> calleeExtras; ///< outer value, callee parameter
  std::set<std::string> usedNames;

  const Model &model;
  MLIRContext &ctx;
  OpBuilder b;
  func::FuncOp func;
  std::map<std::string, unsigned> weightArgs, inputArgs;
  std::map<std::string, std::map<int64_t, Value>> slotValues; ///< extra outputs' slots
  std::map<std::string, Value> captured;                      ///< `capture` names
  struct StepFrame {
    Value step;
    int64_t length;
    std::map<std::string, Value> states; ///< full state name -> current value
  };
  std::vector<StepFrame> stepFrames; ///< step bodies being emitted, innermost last
};

} // namespace

OwningOpRef<ModuleOp> loom::emitModel(const Model &model, MLIRContext &ctx) {
  return Emitter(model, ctx).run();
}
