//===- Emit.cpp - elaborated model to the loom dialect --------------------===//
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Frontend/Model.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

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
    }
    for (auto [i, w] : llvm::enumerate(model.weights)) {
      fn.setArgAttr(i + nIn, "loom.weight", b.getStringAttr(w.name));
      weightArgs[w.name] = i + nIn;
    }
    Block *entry = fn.addEntryBlock();
    func = fn;
    b.setInsertionPointToStart(entry);
    Value out = emit(*model.root, entry->getArgument(0));
    SmallVector<Value> returned{out};
    for (auto [o, decl] : llvm::enumerate(model.outputs)) {
      // Each slot value [rest...] goes to [slot, rest...] of the output.
      Value full = tensor::EmptyOp::create(b, unknown, decl.shape, b.getF32Type());
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
          sizes.push_back(b.getIndexAttr(decl.shape[d]));
        full = tensor::InsertSliceOp::create(b, unknown, value, full, offs, sizes, strides);
      }
      returned.push_back(full);
      fn.setResultAttr(o + 1, "loom.output", b.getStringAttr(decl.name));
    }
    func::ReturnOp::create(b, unknown, returned);
    return module;
  }

private:
  Type elementType(const std::string &dtype) {
    if (dtype == "i32")
      return b.getI32Type();
    if (dtype == "i64")
      return b.getI64Type();
    return b.getF32Type();
  }
  RankedTensorType tensorType(const std::vector<int64_t> &shape) {
    return RankedTensorType::get(shape, b.getF32Type());
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
      return e.func.getArgument(e.weightArgs.at(it->second));
    }
    const Node &sub(const std::string &param) {
      auto it = inst.subBlocks.find(param);
      if (it == inst.subBlocks.end())
        llvm::report_fatal_error(llvm::Twine("plugin '") + inst.plugin->name() +
                                 "' emits sub-block '" + param + "' it did not infer");
      return *it->second;
    }
    Value input(const std::string &name) override {
      if (auto c = e.captured.find(name); c != e.captured.end())
        return c->second;
      auto it = e.inputArgs.find(name);
      if (it == e.inputArgs.end())
        llvm::report_fatal_error(llvm::Twine("no model input '") + name + "'");
      return e.func.getArgument(it->second);
    }
    void writeOutput(const std::string &name, int64_t index, Value value) override {
      e.slotValues[name][index] = value;
    }
    Value emitSubBlock(const std::string &param, Value input) override {
      return e.emit(sub(param), input);
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
      Value out = e.emit(sub(param), input);
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

  Value emit(const Node &n, Value x) {
    switch (n.kind) {
    case Node::Kind::Leaf: {
      Ctx c(*this, *n.leaf);
      return n.leaf->plugin->emit(*n.leaf, c, x);
    }
    case Node::Kind::Seq:
      for (const auto &c : n.children)
        x = emit(*c, x);
      return x;
    case Node::Kind::Capture:
      captured[n.name] = x;
      return x;
    case Node::Kind::SharedRepeat:
      for (int64_t i = 0; i < n.count; ++i)
        x = emit(*n.children[0], x);
      return x;
    case Node::Kind::Residual: {
      // pre_norm: x + f(norm(x)); post_norm: norm(x + f(x))  (Xiong et al. 2020, fig. 1);
      // sandwich: x + out_norm(f(norm(x)))  (Ding et al. 2021, CogView, sec. 2.4)
      bool normFirst = n.placement != Node::Placement::PostNorm;
      Value in = (n.norm && normFirst) ? emit(*n.norm, x) : x;
      Value y = emit(*n.body, in);
      if (n.outNorm)
        y = emit(*n.outNorm, y);
      if (n.scale != 1.0) {
        // x + scale * f(x) (e.g. the Conformer's half-step feed-forward, scale 0.5)
        auto op = PointwiseOp::create(b, loc(n.loc), y.getType(), y);
        OpBuilder::InsertionGuard guard(b);
        Block *body = b.createBlock(&op.getBody(), {}, {b.getF32Type()}, {loc(n.loc)});
        Value c = arith::ConstantOp::create(b, loc(n.loc), b.getF32FloatAttr(static_cast<float>(n.scale)));
        YieldOp::create(b, loc(n.loc), ValueRange{arith::MulFOp::create(b, loc(n.loc), body->getArgument(0), c)});
        y = op.getResult();
      }
      Value sum = AddOp::create(b, loc(n.loc), x, y);
      return (n.norm && !normFirst) ? emit(*n.norm, sum) : sum;
    }
    }
    return x;
  }

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
