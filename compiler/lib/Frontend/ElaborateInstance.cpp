//===- ElaborateInstance.cpp - instantiating plugins and user blocks ------===//
//
// See Elaborator.h. A block use becomes a Leaf (a plugin, with its parameters checked, its
// shapes inferred and its weights named) or the elaborated body of a user block, whose
// tensor parameters are bound to the tensors it is applied to.
//
//===----------------------------------------------------------------------===//
#include "Elaborator.h"

#include <algorithm>
#include <cctype>

using namespace loom;
using namespace loom::ast;
using namespace loom::detail;

std::unique_ptr<Node> Elaborator::instantiate(const BlockValue &bv, const std::string &scope,
                                              int64_t &cur,
                                              const std::map<std::string, ParamValue> *context,
                                              std::vector<int64_t> *results) {
  // A shared (`let`) instance: its own absolute path; its weights are created on first use
  // and reused by the others.
  struct SharingScope {
    int &depth;
    bool on;
    SharingScope(int &d, bool on) : depth(d), on(on) { depth += on; }
    ~SharingScope() { depth -= on; }
  } sharing(sharedDepth, !bv.sharedPath.empty());
  if (const BlockPlugin *p = PluginRegistry::instance().lookup(bv.kind)) {
    auto node = instantiatePlugin(*p, bv,
                                  !bv.sharedPath.empty()
                                      ? bv.sharedPath
                                      : joinPath(scope, bv.asName),
                                  cur, context);
    // A shared instance used `as` another name: its weights are tied under that name too
    // (T5's `shared.weight` is also `encoder.embed_tokens.weight`); a state_dict lists both,
    // and the copy is accepted (shape-checked), not read.
    if (node && !bv.sharedPath.empty() && !bv.asName.empty())
      for (const auto &[local, full] : node->leaf->weightNames) {
        std::string alias = joinPath(joinPath(scope, bv.asName), local);
        if (alias == full || weightIndex.count(alias) ||
            std::any_of(model->unusedWeights.begin(), model->unusedWeights.end(),
                        [&](const Weight &u) { return u.name == alias; }))
          continue;
        model->unusedWeights.push_back(
            Weight{alias, model->weights[weightIndex.at(full)].shape, bv.loc, "F32"});
      }
    return node;
  }
  auto it = blocks.find(bv.kind);
  if (it == blocks.end()) {
    error(bv.loc, "unknown block '" + bv.kind + "'");
    return nullptr;
  }
  return instantiateUser(*it->second, bv,
                         !bv.sharedPath.empty() ? bv.sharedPath : joinPath(scope, bv.asName), cur,
                         results);
}

std::unique_ptr<Node> Elaborator::instantiateUser(const BlockDef &def, const BlockValue &bv,
                                                  const std::string &path, int64_t &cur,
                                                  std::vector<int64_t> *results) {
  for (const Frame &f : stack)
    if (f.block == def.name) {
      error(bv.loc, "block '" + def.name + "' uses itself");
      return nullptr;
    }
  Env env;
  // Tensor parameters: positional arguments fill them in order; the first, if not given,
  // is the stream.
  std::vector<const ParamDecl *> tensorParams;
  for (const ParamDecl &p : def.params)
    if (p.type == "tensor")
      tensorParams.push_back(&p);
  std::map<std::string, ParamValue> args = bv.args;
  std::map<std::string, SourceLoc> argLocs = bv.argLocs;
  size_t firstPositional = tensorParams.empty() ? 1 : 0;
  if (tensorParams.empty() && !bv.positional.empty())
    cur = bv.positional.front(); // a block without tensor parameters acts on its argument
  if (bv.positional.size() > std::max<size_t>(tensorParams.size(), 1)) {
    error(bv.positionalLocs[std::max<size_t>(tensorParams.size(), 1)],
          "too many tensor arguments for block '" + def.name + "' (it takes " +
              std::to_string(std::max<size_t>(tensorParams.size(), 1)) + ")");
    diag.note(def.loc, "'" + def.name + "' is defined here");
    return nullptr;
  }
  for (size_t i = firstPositional; i < bv.positional.size(); ++i) {
    const std::string &name = tensorParams[i]->name;
    if (args.count(name)) {
      error(bv.positionalLocs[i], "tensor parameter '" + name + "' of block '" + def.name +
                                      "' is given twice");
      return nullptr;
    }
    args[name] = ParamValue::ofTensor(bv.positional[i]);
    argLocs[name] = bv.positionalLocs[i];
  }
  if (!tensorParams.empty() && !args.count(tensorParams.front()->name)) {
    args[tensorParams.front()->name] = ParamValue::ofTensor(cur);
    argLocs[tensorParams.front()->name] = bv.loc;
  }
  for (const auto &arg : argLocs) {
    const std::string &name = arg.first;
    if (std::none_of(def.params.begin(), def.params.end(),
                     [&](const ParamDecl &p) { return p.name == name; })) {
      error(arg.second, "unknown parameter '" + name + "' of block '" + def.name + "'");
      diag.note(def.loc, "'" + def.name + "' is defined here");
      return nullptr;
    }
  }
  for (const ParamDecl &p : def.params) {
    ParamType type;
    if (!typeFromName(p, type))
      return nullptr;
    ParamValue v;
    SourceLoc loc;
    if (auto a = args.find(p.name); a != args.end()) {
      v = a->second;
      loc = argLocs.at(p.name);
    } else if (p.defaultValue) {
      auto d = eval(*p.defaultValue, env);
      if (!d)
        return nullptr;
      v = *d;
      loc = p.defaultValue->loc;
    } else {
      error(bv.loc, "missing parameter '" + p.name + "' of block '" + def.name + "'");
      return nullptr;
    }
    if (!coerce(v, type, loc, "parameter '" + p.name + "' of '" + def.name + "'"))
      return nullptr;
    env[p.name] = v;
  }
  // The stream inside starts at the first tensor parameter.
  if (!tensorParams.empty()) {
    const ParamValue &first = env.at(tensorParams.front()->name);
    if (first.kind != ParamValue::Kind::Tensor || first.i < 0) {
      error(bv.loc, "block '" + def.name + "' needs its tensor '" + tensorParams.front()->name + "'");
      return nullptr;
    }
    cur = first.i;
  }
  stack.push_back(Frame{def.name, bv.loc});
  std::vector<int64_t> returned;
  int64_t in = cur;
  auto body = stmts(def.body, env, path, cur, &returned);
  stack.pop_back();
  if (!body)
    return nullptr;
  body->loc = bv.loc;
  body->in = in;
  if (!returned.empty())
    cur = returned.front();
  body->out = cur;
  if (results)
    *results = returned.empty() ? std::vector<int64_t>{cur} : returned;
  return body;
}

namespace {
struct InferCtx : InferContext {
  Elaborator &el;
  Instance &inst;
  const BlockPlugin &plugin;
  bool failed = false;
  InferCtx(Elaborator &el, Instance &inst, const BlockPlugin &p) : el(el), inst(inst), plugin(p) {}
  std::optional<std::pair<std::vector<int64_t>, std::string>>
  inputType(const std::string &name) const override {
    for (const auto *list : {&el.model->inputs, &el.model->captures})
      for (const ModelInput &in : *list)
        if (in.name == name)
          return std::make_pair(in.shape, in.dtype);
    return std::nullopt;
  }
  bool claimOutputSlot(const std::string &param, const std::string &name, int64_t index,
                       const std::vector<int64_t> &sliceShape) override {
    return claim(param, el.claimOutput(name, index, sliceShape, "f32"));
  }
  bool claimOutput(const std::string &param, const std::string &name,
                   const std::vector<int64_t> &shape, const std::string &dtype) override {
    return claim(param, el.claimOutput(name, -1, shape, dtype));
  }
  bool claim(const std::string &param, const std::string &problem) {
    if (!problem.empty())
      error(param, problem);
    return problem.empty();
  }
  std::optional<std::vector<int64_t>>
  inferLoopBody(const std::string &param, const std::vector<int64_t> &in) override {
    std::string owner = el.loopOwner;
    el.loopOwner = "the '" + param + "' of '" + plugin.name() + "'";
    ++el.loopDepth;
    auto shape = inferSubBlock(param, in, {});
    --el.loopDepth;
    el.loopOwner = owner;
    return shape;
  }
  std::optional<std::vector<int64_t>>
  inferStepBody(const std::string &param, const std::vector<int64_t> &in,
                int64_t maxSteps, int64_t &tokenBound) override {
    auto &states = inst.stepStates[param];
    inst.stepLengths[param] = maxSteps;
    Elaborator::StepFrame frame{maxSteps, &states, "the '" + param + "' of '" + plugin.name() + "'", 0};
    el.stepFrames.push_back(frame);
    std::string owner = el.loopOwner;
    el.loopOwner = frame.owner;
    ++el.loopDepth;
    auto result = inferSub(param, in, {}, "i64"); // the step's token ids
    --el.loopDepth;
    el.loopOwner = owner;
    tokenBound = el.stepFrames.back().tokenBound;
    el.stepFrames.pop_back();
    if (!result)
      return std::nullopt;
    std::optional<std::vector<int64_t>> shape = el.tensor(*result).shape;
    if (el.tensor(*result).dtype != "f32") {
      error(param, "the step body never embeds its token ids (start it with an embedding)");
      return std::nullopt;
    }
    return shape;
  }
  int64_t stepLoopLength() const override {
    return el.stepFrames.empty() ? 0 : el.stepFrames.back().length;
  }
  void declareState(const std::string &name, const std::vector<int64_t> &shape) override {
    if (el.stepFrames.empty())
      llvm::report_fatal_error(llvm::Twine("plugin '") + plugin.name() +
                               "' declared a state outside a step loop");
    el.stepFrames.back().states->push_back({joinPath(inst.path_, name), shape});
  }
  void requireIndexRange(const std::string &input, int64_t bound) override {
    if (input.empty() && !el.stepFrames.empty()) { // the loop's own tokens
      int64_t &b = el.stepFrames.back().tokenBound;
      b = b ? std::min(b, bound) : bound;
      return;
    }
    std::string name = input.empty() ? el.model->inputs.front().name : input;
    for (ModelInput &in : el.model->inputs)
      if (in.name == name)
        in.indexBound = in.indexBound ? std::min(in.indexBound, bound) : bound;
  }
  void requireIndexRangeOf(const std::string &param, int64_t bound) override {
    const ParamValue &v = inst.param(param);
    if (v.kind == ParamValue::Kind::Tensor && v.i >= 0 &&
        v.i < static_cast<int64_t>(el.model->inputs.size()))
      requireIndexRange(el.model->inputs[v.i].name, bound);
  }
  void boundDynamicDim(int64_t dim, int64_t bound, const std::string &what) override {
    auto it = el.model->dynamicNames.find(dim);
    if (it == el.model->dynamicNames.end())
      return;
    DynamicBound &b = el.model->dynamicBounds[it->second];
    if (b.max == 0 || bound < b.max)
      b = DynamicBound{bound, what};
  }
  void requireIndexRangeOfDim(const std::string &param, int64_t dim, int64_t plus) override {
    const ParamValue &v = inst.param(param);
    auto it = el.model->dynamicNames.find(dim);
    if (v.kind != ParamValue::Kind::Tensor || v.i < 0 ||
        v.i >= static_cast<int64_t>(el.model->inputs.size()) || it == el.model->dynamicNames.end())
      return;
    ModelInput &in = el.model->inputs[v.i];
    if (!in.indexBoundDim.empty() && in.indexBoundDim != it->second) {
      error(param, "input '" + in.name + "' is already bounded by the dynamic '" +
                       in.indexBoundDim + "'");
      return;
    }
    in.indexBoundPlus = in.indexBoundDim.empty() ? plus : std::min(in.indexBoundPlus, plus);
    in.indexBoundDim = it->second;
  }
  void error(const std::string &param, const std::string &message) override {
    failed = true;
    auto it = inst.argLocs.find(param);
    el.error(it != inst.argLocs.end() ? it->second : inst.loc,
             plugin.name() + ": " + message);
  }
  std::optional<std::vector<int64_t>>
  inferSubBlock(const std::string &param, const std::vector<int64_t> &in,
                const std::map<std::string, ParamValue> &context) override {
    auto result = inferSub(param, in, context, "f32");
    if (!result)
      return std::nullopt;
    return el.tensor(*result).shape;
  }
  /// Instantiates the block-valued parameter on a tensor of its own (the plugin feeds it at
  /// emission); returns the id of its result.
  std::optional<int64_t> inferSub(const std::string &param, const std::vector<int64_t> &in,
                                  const std::map<std::string, ParamValue> &context,
                                  const std::string &dtype) {
    const ParamValue &v = inst.param(param);
    if (v.kind != ParamValue::Kind::Block) {
      error(param, "parameter '" + param + "' is not a block");
      return std::nullopt;
    }
    BlockValue bv = *v.block;
    if (bv.asName.empty() && bv.sharedPath.empty())
      bv.asName = param;
    bv.positional.clear();
    int64_t cur = el.newTensor(in, dtype);
    // The sub-block's statements are a list of their own (not the enclosing one).
    Node *savedSeq = el.seq;
    auto holder = std::make_unique<Node>();
    el.seq = holder.get();
    auto node = el.instantiate(bv, inst.path_, cur, &context);
    el.seq = savedSeq;
    if (!node) {
      failed = true;
      return std::nullopt;
    }
    if (!holder->children.empty()) {
      // Never reached: a sub-block instantiated on the stream appends nothing here.
      llvm::report_fatal_error("sub-block appended expression nodes outside its body");
    }
    inst.subBlocks[param] = std::move(node);
    return cur;
  }
};
} // namespace

std::unique_ptr<Node> Elaborator::instantiatePlugin(const BlockPlugin &p, const BlockValue &bv,
                                                    const std::string &path, int64_t &cur,
                                                    const std::map<std::string, ParamValue> *context) {
  if (++instances > kMaxInstances) {
    error(bv.loc, "the model expands to more than " + std::to_string(kMaxInstances) +
                      " block instances (nested repeats multiply)");
    return nullptr;
  }
  if (!bv.positional.empty())
    cur = bv.positional.front(); // the block's input
  const TensorInfo input = tensor(cur);
  const std::vector<int64_t> &shape = input.shape;
  auto inst = std::make_unique<Instance>();
  if (context)
    inst->contextValues = *context;
  inst->plugin = &p;
  inst->loc = bv.loc;
  inst->path_ = path;
  inst->in = shape;
  std::vector<ParamSpec> specs = p.params();
  // Positional arguments after the input fill the tensor parameters in order.
  std::map<std::string, ParamValue> args = bv.args;
  inst->argLocs = bv.argLocs;
  size_t nextTensor = 0;
  for (size_t i = 1; i < bv.positional.size(); ++i) {
    while (nextTensor < specs.size() && specs[nextTensor].type.kind != ParamType::Kind::Tensor)
      ++nextTensor;
    if (nextTensor == specs.size()) {
      error(bv.positionalLocs[i], "too many tensor arguments for '" + p.name() + "'");
      return nullptr;
    }
    const std::string &name = specs[nextTensor++].name;
    if (args.count(name)) {
      error(bv.positionalLocs[i], "tensor parameter '" + name + "' of '" + p.name() +
                                      "' is given twice");
      return nullptr;
    }
    args[name] = ParamValue::ofTensor(bv.positional[i]);
    inst->argLocs[name] = bv.positionalLocs[i];
  }
  for (const auto &arg : inst->argLocs) {
    const std::string &name = arg.first;
    const SourceLoc &loc = arg.second;
    if (std::none_of(specs.begin(), specs.end(), [&](const ParamSpec &s) { return s.name == name; })) {
      std::string known;
      for (const ParamSpec &s : specs)
        known += (known.empty() ? "" : ", ") + s.name;
      error(loc, "unknown parameter '" + name + "' of '" + p.name() + "'" +
                     (known.empty() ? " (it takes none)" : " (expected " + known + ")"));
      return nullptr;
    }
  }
  for (const ParamSpec &s : specs) {
    ParamValue v;
    SourceLoc loc = bv.loc;
    if (auto a = args.find(s.name); a != args.end()) {
      v = a->second;
      loc = inst->argLocs.at(s.name);
      inst->explicitParams.insert(s.name);
    } else if (s.defaultValue) {
      v = *s.defaultValue;
    } else {
      error(bv.loc, "missing parameter '" + s.name + "' of '" + p.name() + "'");
      return nullptr;
    }
    if (!coerce(v, s.type, loc, "parameter '" + s.name + "' of '" + p.name() + "'"))
      return nullptr;
    if (v.kind == ParamValue::Kind::Tensor && v.i >= 0)
      inst->tensorTypes[s.name] = {tensor(v.i).shape, tensor(v.i).dtype};
    inst->params[s.name] = v;
  }
  bool tokenIds = input.dtype != "f32";
  if (tokenIds != p.consumesTokenIds()) {
    error(bv.loc, tokenIds
                      ? "'" + p.name() + "' needs f32 activations, but the stream is still "
                        "the token ids " + shapeStr(shape) + " (embed them first)"
                      : "'" + p.name() + "' reads token ids, but the stream is f32 "
                        "activations " + shapeStr(shape));
    return nullptr;
  }
  if (!stepFrames.empty() && !p.stepwise()) {
    error(bv.loc, "'" + p.name() + "' cannot run inside a step loop (" +
                      stepFrames.back().owner + "): it mixes sequence positions, and a step "
                      "sees one position");
    return nullptr;
  }
  if (!p.dynamicShapes()) {
    auto dynamic = [](const std::vector<int64_t> &s) {
      return std::any_of(s.begin(), s.end(), isDynamicDim);
    };
    bool any = dynamic(inst->inputShape());
    for (const auto &[name, t] : inst->tensorTypes)
      any = any || dynamic(t.first);
    if (any) {
      error(bv.loc, "'" + p.name() + "' does not support dynamic dimensions yet (its input is " +
                        shapeStr(inst->inputShape()) +
                        "); compile with static sizes, e.g. -D seq=256");
      return nullptr;
    }
  }
  if (!model->dynamicNames.empty() && model->packBlocker.empty() && !p.ignoresPadding(*inst))
    model->packBlocker = "'" + p.name() + "' at " + bv.loc.file + ":" +
                            std::to_string(bv.loc.line) + ":" + std::to_string(bv.loc.col);
  // Blocks size their weights and heads by the features: those are never dynamic.
  {
    // (Integer token ids [batch, seq] have no feature dimension.)
    std::vector<std::pair<std::string, const std::vector<int64_t> *>> shapes;
    if (!p.consumesTokenIds())
      shapes.push_back({"its input", &inst->inputShape()});
    for (const auto &[name, t] : inst->tensorTypes)
      if (t.second == "f32")
        shapes.push_back({"'" + name + "'", &t.first});
    for (const auto &[what, shape] : shapes)
      if (!shape->empty() && isDynamicDim(shape->back())) {
        error(bv.loc, "'" + p.name() + "': the last (feature) dimension of " + what + " " +
                          shapeStr(*shape) + " is dynamic; features must be static");
        return nullptr;
      }
  }
  InferCtx ctx(*this, *inst, p);
  std::vector<WeightSpec> weights;
  std::vector<int64_t> out;
  if (!p.infer(*inst, ctx, out, weights) || ctx.failed) {
    if (!ctx.failed)
      error(bv.loc, p.name() + ": shape inference failed");
    return nullptr;
  }
  if (!checkSize(out, bv.loc, p.name() + ": the output"))
    return nullptr;
  for (const WeightSpec &w : weights) {
    if (std::any_of(w.shape.begin(), w.shape.end(), isDynamicDim)) {
      error(bv.loc, p.name() + ": weight '" + w.name + "' " + shapeStr(w.shape) +
                        " would have a dynamic dimension; weights are static");
      return nullptr;
    }
    if (!checkSize(w.shape, bv.loc, p.name() + ": weight '" + w.name + "'"))
      return nullptr;
  }
  if (!addWeights(*inst, bv, weights))
    return nullptr;
  inst->out = out;
  auto node = std::make_unique<Node>();
  node->kind = Node::Kind::Leaf;
  node->loc = bv.loc;
  node->in = cur;
  node->out = cur = newTensor(out, "f32");
  node->leaf = std::move(inst);
  return node;
}

bool Elaborator::addWeights(Instance &instRef, const BlockValue &bv,
                            const std::vector<WeightSpec> &weights) {
  Instance *inst = &instRef;
  const std::string &path = inst->path_;
  for (const WeightSpec &w : weights) {
    std::string full = joinPath(path, w.name);
    // A state_dict key: dot-separated names of letters, digits and '_' (no '..', '/', ' ').
    bool valid = !full.empty() && full.front() != '.' && full.back() != '.' &&
                 full.find("..") == std::string::npos &&
                 std::all_of(full.begin(), full.end(),
                             [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.'; });
    if (!valid) {
      error(bv.loc, "weight name '" + full + "' is not a state_dict key (dot-separated names of "
                    "letters, digits and '_')");
      return false;
    }
    if (!w.tiedTo.empty()) {
      auto it = weightIndex.find(w.tiedTo);
      if (it == weightIndex.end()) {
        error(bv.loc, "weight '" + full + "' is tied to '" + w.tiedTo +
                          "', which no block has used yet");
        return false;
      }
      if (model->weights[it->second].shape != w.shape) {
        error(bv.loc, "weight '" + full + "' " + shapeStr(w.shape) + " is tied to '" +
                          w.tiedTo + "' of shape " + shapeStr(model->weights[it->second].shape));
        return false;
      }
      inst->weightNames[w.name] = w.tiedTo;
      // A state_dict lists a tied tensor under both names; the copy is accepted, not read.
      if (full != w.tiedTo)
        model->unusedWeights.push_back(Weight{full, w.shape, bv.loc, "F32"});
      continue;
    }
    if (w.unused) {
      if (std::none_of(model->unusedWeights.begin(), model->unusedWeights.end(),
                       [&](const Weight &u) { return u.name == full; }))
        model->unusedWeights.push_back(Weight{full, w.shape, bv.loc, w.dtype});
      continue;
    }
    // Another use of one weight: a shared (`let`) instance used again, or another row view
    // of a packed weight (WeightSpec::rowView). The shape must be the first use's.
    if (auto it = weightIndex.find(full);
        it != weightIndex.end() && (sharedDepth > 0 || (w.rowView && rowViews.count(full)))) {
      if (model->weights[it->second].shape != w.shape) {
        const char *verb = sharedDepth > 0 ? "used" : "read";
        error(bv.loc, std::string(sharedDepth > 0 ? "shared " : "") + "weight '" + full +
                          "' is " + verb + " with shape " + shapeStr(w.shape) + " here but " +
                          shapeStr(model->weights[it->second].shape) + " where it was first " +
                          verb);
        diag.note(model->weights[it->second].loc, std::string("first ") + verb + " here");
        return false;
      }
      inst->weightNames[w.name] = full;
      continue;
    }
    if (auto it = weightIndex.find(full); it != weightIndex.end()) {
      error(bv.loc, "weight '" + full + "' is already defined; give one of the blocks a "
                                        "different name with 'as'");
      diag.note(model->weights[it->second].loc, "first defined here");
      return false;
    }
    weightIndex[full] = model->weights.size();
    if (w.rowView)
      rowViews.insert(full);
    model->weights.push_back(Weight{full, w.shape, bv.loc});
    inst->weightNames[w.name] = full;
  }
  return true;
}

