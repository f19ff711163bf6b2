//===- Elaborate.cpp - the model and its statements -----------------------===//
//
// See Elaborator.h. This file elaborates the model (hyperparameters, inputs, outputs) and
// the statements: block applications on the stream, `let`, `return`, `repeat`, `residual`,
// `if` and `capture`.
//
//===----------------------------------------------------------------------===//
#include "Elaborator.h"

using namespace loom;
using namespace loom::ast;
using namespace loom::detail;

const ParamValue &Instance::param(const std::string &name) const {
  static const ParamValue none;
  auto it = params.find(name);
  return it == params.end() ? none : it->second;
}

std::string loom::detail::shapeStr(const std::vector<int64_t> &s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? ", " : "") +
           (!isDynamicDim(s[i])      ? std::to_string(s[i])
            : dynamicExtra(s[i]) == 0 ? std::string("?")
                                      : "?+" + std::to_string(dynamicExtra(s[i])));
  return out + "]";
}

std::string loom::detail::joinPath(const std::string &scope, const std::string &name) {
  if (scope.empty())
    return name;
  if (name.empty())
    return scope;
  return scope + "." + name;
}

Elaborator::Elaborator(const Program &program, DiagnosticEngine &diag) : diag(diag) {
  if (!program.files.empty())
    mainFile = program.files.front()->path;
  for (const auto &f : program.files)
    for (const auto &b : f->blocks) {
      if (b->isModel) {
        models.push_back(b.get());
        continue;
      }
      auto [it, inserted] = blocks.emplace(b->name, b.get());
      if (!inserted) {
        diag.error(b->loc, "block '" + b->name + "' is already defined");
        diag.note(it->second->loc, "previous definition is here");
      } else if (PluginRegistry::instance().lookup(b->name)) {
        diag.error(b->loc, "block '" + b->name + "' has the name of a built-in block");
      }
    }
}

void Elaborator::error(const SourceLoc &loc, const std::string &msg) {
  diag.error(loc, msg);
  for (auto it = stack.rbegin(); it != stack.rend(); ++it)
    diag.note(it->use, "in block '" + it->block + "' used here");
}

bool Elaborator::checkSize(const std::vector<int64_t> &shape, const SourceLoc &loc,
                           const std::string &what) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (isDynamicDim(d))
      continue; // checked when the model runs
    else if (d <= 0 || __builtin_mul_overflow(n, d, &n) || n > kMaxElements) {
      error(loc, what + " " + shapeStr(shape) + " " +
                     (d <= 0 ? "has a dimension that is not positive"
                             : "has more than 2^40 elements"));
      return false;
    }
  return true;
}

bool Elaborator::declaredShape(const InputDecl &decl, const Env &env, const std::string &what,
                               std::vector<int64_t> &shape,
                               std::vector<std::string> *dynamicDims) {
  for (const ExprPtr &d : decl.dims) {
    // A model parameter left dynamic (`-D seq=?`) may size an input's dimension, and
    // nothing else: written alone, by name.
    if (dynamicDims && d->kind == ast::Expr::Kind::Name && !d->text.empty())
      if (auto it = env.find(d->text); it != env.end() && it->second.dynamic) {
        shape.push_back(kDynamicDim);
        dynamicDims->resize(shape.size());
        dynamicDims->back() = d->text;
        continue;
      }
    std::optional<ParamValue> v = eval(*d, env);
    if (!v)
      return false;
    if (v->kind != ParamValue::Kind::Int || v->i <= 0) {
      diag.error(d->loc, what + " dimension must be a positive integer, got " + v->str());
      return false;
    }
    shape.push_back(v->i);
  }
  return checkSize(shape, decl.loc, what + " '" + decl.name + "'");
}

int64_t Elaborator::newTensor(std::vector<int64_t> shape, std::string dtype) {
  model->tensors.push_back(TensorInfo{std::move(shape), std::move(dtype)});
  return static_cast<int64_t>(model->tensors.size()) - 1;
}

std::unique_ptr<Model> Elaborator::run(const std::map<std::string, std::string> &overrides) {
  if (diag.errorCount())
    return nullptr;
  if (models.size() != 1) {
    if (models.empty())
      diag.error(SourceLoc{mainFile, 1, 1}, "no 'model' is defined (imports define blocks; the "
                                            "spec given to loomc defines the model)");
    else {
      diag.error(models[1]->loc, "more than one 'model' is defined");
      diag.note(models[0]->loc, "first model is here");
    }
    return nullptr;
  }
  const BlockDef &m = *models[0];
  model = std::make_unique<Model>();
  model->name = m.name;

  // Model hyperparameters: defaults, overridden from the command line.
  Env env;
  std::set<std::string> used;
  for (const ParamDecl &p : m.params) {
    ParamType type;
    if (!typeFromName(p, type))
      return nullptr;
    std::optional<ParamValue> v;
    if (auto it = overrides.find(p.name); it != overrides.end()) {
      used.insert(p.name);
      v = parseOverride(it->second);
    } else if (p.defaultValue) {
      v = eval(*p.defaultValue, env);
    } else {
      diag.error(p.loc, "model parameter '" + p.name +
                            "' has no default; set it with -D " + p.name + "=VALUE");
      return nullptr;
    }
    if (v && v->dynamic) {
      if (type.kind != ParamType::Kind::Int) {
        diag.error("-D " + p.name + "=?: only an int parameter can be left dynamic; '" + p.name +
                   "' is " + type.str());
        return nullptr;
      }
      env[p.name] = *v;
      continue;
    }
    if (!v || !coerce(*v, type, p.loc, "parameter '" + p.name + "'"))
      return nullptr;
    env[p.name] = *v;
  }
  for (const auto &[k, v] : overrides)
    if (!used.count(k)) {
      diag.error("-D " + k + "=" + v + ": model '" + m.name + "' has no parameter '" + k + "'");
      return nullptr;
    }

  // The inputs: the first is the f32 [batch, seq, d_model] stream (or token ids); input i
  // is tensor i.
  std::map<size_t, std::string> dynamicAtPosition;
  for (const InputDecl &in : m.inputs) {
    if (in.dtype != "f32" && in.dtype != "i32" && in.dtype != "i64") {
      diag.error(in.dtypeLoc, "unsupported input dtype '" + in.dtype + "' (f32, i32 or i64)");
      return nullptr;
    }
    if (env.count(in.name) || std::any_of(model->inputs.begin(), model->inputs.end(),
                                          [&](const ModelInput &o) { return o.name == in.name; })) {
      diag.error(in.loc, "'" + in.name + "' is already a parameter or an input of the model");
      return nullptr;
    }
    ModelInput mi{in.name, {}, in.dtype, in.loc};
    if (!declaredShape(in, env, "input", mi.shape, &mi.dynamicDims))
      return nullptr;
    mi.dynamicDims.resize(mi.shape.size());
    // Blocks compare and combine dimensions position by position, and a dynamic one is
    // just `?` to them: so each position holds at most one dynamic name (batch at 0, seq
    // at 1), and two dynamic dimensions at one position are always the same size.
    for (size_t d = 0; d < mi.dynamicDims.size(); ++d) {
      if (mi.dynamicDims[d].empty())
        continue;
      std::string &owner = dynamicAtPosition[d];
      if (owner.empty())
        owner = mi.dynamicDims[d];
      else if (owner != mi.dynamicDims[d]) {
        diag.error(in.dims[d]->loc, "dimension " + std::to_string(d) + " of input '" + in.name +
                                        "' is the dynamic '" + mi.dynamicDims[d] +
                                        "', but an earlier input has the dynamic '" + owner +
                                        "' there; each position holds at most one dynamic "
                                        "dimension");
        return nullptr;
      }
    }
    newTensor(mi.shape, mi.dtype);
    model->inputs.push_back(std::move(mi));
  }
  for (const auto &[d, name] : dynamicAtPosition)
    model->dynamicNames[static_cast<int64_t>(d)] = name;
  const ModelInput &stream = model->inputs.front();
  bool tokenIds = stream.dtype != "f32";
  if (tokenIds ? stream.shape.size() != 2 : stream.shape.size() != 3) {
    diag.error(stream.loc, "the first input must be f32 [batch, seq, d_model] or integer "
                           "token ids [batch, seq], got " +
                               stream.dtype + " of rank " + std::to_string(stream.shape.size()));
    return nullptr;
  }
  // The first input is a tensor by name; the others are model inputs, passed to blocks by
  // name and usable as tensors in expressions.
  env[stream.name] = ParamValue::ofTensor(0);
  for (size_t i = 1; i < model->inputs.size(); ++i)
    env[model->inputs[i].name] = ParamValue::ofInput(model->inputs[i].name);
  // Extra outputs, likewise; blocks write them slot by slot.
  for (const InputDecl &out : m.outputs) {
    if (out.dtype != "f32" && out.dtype != "i64") {
      diag.error(out.dtypeLoc, "outputs are f32 or i64, got '" + out.dtype + "'");
      return nullptr;
    }
    if (env.count(out.name)) {
      diag.error(out.loc, "'" + out.name + "' is already a parameter or an input of the model");
      return nullptr;
    }
    ModelInput mo{out.name, {}, out.dtype, out.loc};
    if (!declaredShape(out, env, "output", mo.shape, &mo.dynamicDims))
      return nullptr;
    mo.dynamicDims.resize(mo.shape.size());
    // A dynamic dimension of an output is sized at run time by the inputs: it must sit
    // where they hold it.
    for (size_t d = 0; d < mo.dynamicDims.size(); ++d) {
      if (mo.dynamicDims[d].empty())
        continue;
      auto owner = model->dynamicNames.find(static_cast<int64_t>(d));
      if (owner == model->dynamicNames.end() || owner->second != mo.dynamicDims[d]) {
        diag.error(out.dims[d]->loc,
                   "dimension " + std::to_string(d) + " of output '" + out.name +
                       "' is the dynamic '" + mo.dynamicDims[d] + "', which no input has at " +
                       "that position; an output's dynamic dimensions are sized by the inputs'");
        return nullptr;
      }
    }
    // Slots are written along a static first dimension; a dynamic one is written whole.
    claimedSlots[out.name].assign(isDynamicDim(mo.shape.front()) ? 1 : mo.shape.front(), false);
    model->outputs.push_back(std::move(mo));
    env[out.name] = ParamValue::ofOutput(out.name);
  }
  int64_t cur = 0;
  std::vector<int64_t> returned;
  model->root = stmts(m.body, env, "", cur, &returned);
  if (!model->root || diag.errorCount())
    return nullptr;
  if (returned.size() > 1) {
    error(m.loc, "the model returns " + std::to_string(returned.size()) +
                     " tensors; return one and declare the others as outputs");
    return nullptr;
  }
  if (!returned.empty())
    cur = returned.front();
  if (tensor(cur).dtype != "f32") {
    diag.error(stream.loc, "the model never embeds its token ids '" + stream.name +
                               "' (start with an embedding block)");
    return nullptr;
  }
  for (const ModelInput &out : model->outputs) {
    const std::vector<bool> &slots = claimedSlots[out.name];
    for (size_t i = 0; i < slots.size(); ++i)
      if (!slots[i]) {
        diag.error(out.loc, "slot " + std::to_string(i) + " of output '" + out.name +
                                "' is never written");
        return nullptr;
      }
  }
  model->resultId = cur;
  model->outputShape = tensor(cur).shape;
  // A dynamic dimension of the output is the stream's at the same position (blocks that
  // support dynamic shapes keep [batch, seq] in front).
  for (size_t i = 0; i < model->outputShape.size(); ++i) {
    if (!isDynamicDim(model->outputShape[i]))
      continue;
    if (i >= stream.dynamicDims.size() || stream.dynamicDims[i].empty() ||
        dynamicExtra(model->outputShape[i]) != 0) {
      diag.error(stream.loc, "dimension " + std::to_string(i) + " of the model's output " +
                                 shapeStr(model->outputShape) +
                                 " is dynamic, but not one of the first input's dynamic "
                                 "dimensions");
      return nullptr;
    }
    model->outputDynamicDims.resize(model->outputShape.size());
    model->outputDynamicDims[i] = stream.dynamicDims[i];
  }
  return std::move(model);
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

std::unique_ptr<Node> Elaborator::stmts(const std::vector<StmtPtr> &body, Env &outer,
                                        const std::string &scope, int64_t &cur,
                                        std::vector<int64_t> *ret) {
  auto node = std::make_unique<Node>();
  node->kind = Node::Kind::Seq;
  node->in = cur;
  // Expressions in these statements append their nodes here and name weights under `scope`.
  struct Restore {
    Elaborator &el;
    Node *seq;
    std::string scope;
    ~Restore() {
      el.seq = seq;
      el.scope = scope;
    }
  } restore{*this, seq, this->scope};
  seq = node.get();
  this->scope = scope;
  Env env = outer; // `let` adds bindings visible to the following statements
  std::vector<std::pair<std::string, SourceLoc>> newNames; // tensors this body names first
  for (size_t i = 0; i < body.size(); ++i) {
    const Stmt &s = *body[i];
    if (s.kind == Stmt::Kind::Return) {
      if (!ret) {
        error(s.loc, "'return' gives a block's or the model's result; it cannot stand inside "
                     "a repeat, residual or if");
        return nullptr;
      }
      if (i + 1 != body.size()) {
        error(body[i + 1]->loc, "statement after 'return'");
        return nullptr;
      }
      for (const ExprPtr &v : s.values) {
        auto t = eval(*v, env);
        if (!t)
          return nullptr;
        if (t->kind == ParamValue::Kind::Tuple) {
          ret->insert(ret->end(), t->items.begin(), t->items.end());
          continue;
        }
        int64_t id = asTensor(*t, v->loc, "'return'");
        if (id < 0)
          return nullptr;
        ret->push_back(id);
      }
      for (size_t a = 0; a < ret->size(); ++a)
        for (size_t b = a + 1; b < ret->size(); ++b)
          if ((*ret)[a] == (*ret)[b]) {
            error(s.loc, "'return' gives the same tensor twice (results " + std::to_string(a + 1) +
                             " and " + std::to_string(b + 1) + ")");
            return nullptr;
          }
      continue;
    }
    if (s.kind == Stmt::Kind::Let) {
      std::vector<std::string> names = s.names.empty() ? std::vector<std::string>{s.asName} : s.names;
      for (const std::string &n : names)
        if (!env.count(n))
          newNames.push_back({n, s.loc});
      if (!let(s, env, scope))
        return nullptr;
      continue;
    }
    if (s.kind == Stmt::Kind::Write) {
      if (!write(s, env))
        return nullptr;
      continue;
    }
    if (s.kind == Stmt::Kind::Capture) {
      if (captureIds.count(s.asName)) {
        error(s.loc, "'" + s.asName + "' is already captured: a capture names one tensor of the "
                     "model (inside a repeat or a block used twice it would name several); "
                     "bind each use's tensor with 'let'");
        return nullptr;
      }
      if (env.count(s.asName)) {
        error(s.loc, "'" + s.asName + "' is already defined");
        return nullptr;
      }
      const TensorInfo &t = tensor(cur);
      if (t.dtype != "f32" || t.shape.size() != 3) {
        error(s.loc, "capture names f32 activations [batch, seq, d]; the stream is " +
                         std::string(t.dtype != "f32" ? "token ids " : "") + shapeStr(t.shape));
        return nullptr;
      }
      if (loopDepth > 0) {
        error(s.loc, "cannot capture inside a run-time loop (" + loopOwner + ")");
        return nullptr;
      }
      model->captures.push_back(ModelInput{s.asName, t.shape, "f32", s.loc});
      captureIds[s.asName] = cur;
      env[s.asName] = ParamValue::ofInput(s.asName);
      auto n = std::make_unique<Node>();
      n->kind = Node::Kind::Capture;
      n->loc = s.loc;
      n->name = s.asName;
      n->in = n->out = cur;
      node->children.push_back(std::move(n));
      continue;
    }
    std::unique_ptr<Node> n = stmt(s, env, scope, cur);
    if (!n)
      return nullptr;
    node->children.push_back(std::move(n));
  }
  // A tensor named here and never read is a mistake (its weights would not matter).
  for (const auto &[name, loc] : newNames)
    if (auto it = env.find(name); it != env.end() && it->second.kind == ParamValue::Kind::Tensor &&
                                  !readTensors.count(it->second.i)) {
      error(loc, "tensor '" + name + "' is never used");
      return nullptr;
    }
  // Tensor names the body rebound are rebound outside it too.
  for (auto &[name, value] : outer)
    if (value.kind == ParamValue::Kind::Tensor)
      if (auto it = env.find(name); it != env.end() && it->second.kind == ParamValue::Kind::Tensor)
        value = it->second;
  node->out = cur;
  return node;
}

std::string Elaborator::claimOutput(const std::string &name, int64_t index,
                                    const std::vector<int64_t> &shape, const std::string &dtype) {
  auto out = std::find_if(model->outputs.begin(), model->outputs.end(),
                          [&](const ModelInput &o) { return o.name == name; });
  if (out == model->outputs.end())
    return "no model output '" + name + "'";
  std::vector<int64_t> expected(out->shape.begin() + (index < 0 ? 0 : 1), out->shape.end());
  if (out->dtype != dtype || expected != shape)
    return "output '" + name + "' " + (index < 0 ? "is " : "holds slots of ") + out->dtype + " " +
           shapeStr(expected) + "; the value written is " + dtype + " " + shapeStr(shape);
  if (loopDepth > 0)
    return "cannot write output '" + name + "' from inside a run-time loop (" + loopOwner + ")";
  std::vector<bool> &claimed = claimedSlots[name];
  if (index < 0) {
    if (std::find(claimed.begin(), claimed.end(), true) != claimed.end())
      return "output '" + name + "' is already written";
    claimed.assign(claimed.size(), true);
    return "";
  }
  if (index >= static_cast<int64_t>(claimed.size()))
    return "slot " + std::to_string(index) + " is outside output '" + name + "' (" +
           std::to_string(claimed.size()) + " slots)";
  if (claimed[index])
    return "slot " + std::to_string(index) + " of output '" + name + "' is already written";
  claimed[index] = true;
  return "";
}

bool Elaborator::write(const Stmt &s, const Env &env) {
  // The target: a model output, or a block parameter of type `output` naming one.
  std::string name = s.asName;
  if (auto it = env.find(s.asName); it != env.end()) {
    if (it->second.kind != ParamValue::Kind::Output) {
      error(s.calleeLoc, "'" + s.asName + "' is " + it->second.str() +
                             "; only model outputs (or `output` parameters) can be assigned");
      return false;
    }
    name = it->second.s;
  }
  if (name.empty()) {
    error(s.calleeLoc, "output parameter '" + s.asName + "' is not given (none)");
    return false;
  }
  int64_t index = -1;
  if (s.count) {
    auto i = eval(*s.count, env);
    if (!i)
      return false;
    if (i->kind != ParamValue::Kind::Int) {
      error(s.count->loc, "an output slot must be an integer, got " + i->str());
      return false;
    }
    if (i->i < 0) {
      error(s.count->loc, "output slot " + std::to_string(i->i) + " is negative");
      return false;
    }
    index = i->i;
  }
  auto v = eval(*s.value, env);
  if (!v)
    return false;
  int64_t id = asTensor(*v, s.value->loc, "an output");
  if (id < 0)
    return false;
  if (std::string problem = claimOutput(name, index, tensor(id).shape, tensor(id).dtype);
      !problem.empty()) {
    error(s.calleeLoc, problem);
    return false;
  }
  auto n = std::make_unique<Node>();
  n->kind = Node::Kind::Op;
  n->op = Node::OpKind::Write;
  n->loc = s.loc;
  n->operands = {id};
  n->in = id;
  n->name = name;
  n->offset = index;
  seq->children.push_back(std::move(n));
  return true;
}

bool Elaborator::let(const Stmt &s, Env &env, const std::string &scope) {
  auto v = eval(*s.value, env);
  if (!v)
    return false;
  // A tuple: `let (a, b) = chunk(x, 2);`
  if (!s.names.empty()) {
    if (v->kind != ParamValue::Kind::Tuple || v->items.size() != s.names.size()) {
      error(s.value->loc, "'let' binds " + std::to_string(s.names.size()) + " names; the value is " +
                              v->str());
      return false;
    }
    for (size_t i = 0; i < s.names.size(); ++i) {
      if (auto it = env.find(s.names[i]);
          it != env.end() && it->second.kind != ParamValue::Kind::Tensor) {
        error(s.loc, "'" + s.names[i] + "' is already defined here");
        return false;
      }
      env[s.names[i]] = ParamValue::ofTensor(v->items[i]);
    }
    return true;
  }
  if (v->kind == ParamValue::Kind::Tensor || v->kind == ParamValue::Kind::Input) {
    int64_t id = asTensor(*v, s.value->loc, "'let'");
    if (id < 0)
      return false;
    if (auto it = env.find(s.asName);
        it != env.end() && it->second.kind != ParamValue::Kind::Tensor) {
      error(s.loc, "'" + s.asName + "' is already defined here");
      return false;
    }
    env[s.asName] = ParamValue::ofTensor(id); // a tensor name may be rebound
    return true;
  }
  if (v->kind == ParamValue::Kind::Tuple) {
    error(s.value->loc, "the value is " + v->str() + "; bind it with 'let (a, b, ...) = ...'");
    return false;
  }
  if (v->kind != ParamValue::Kind::Block) {
    error(s.value->loc, "'let' binds a tensor or shares a block instance; got " + v->str());
    return false;
  }
  if (env.count(s.asName)) {
    error(s.loc, "'" + s.asName + "' is already defined here");
    return false;
  }
  auto shared = std::make_shared<BlockValue>(*v->block);
  // Named where the `let` is written (its `as` name, else the let's own), relative to the
  // enclosing scope like every `as`: inside a repeat's body that is one instance per
  // iteration, shared by the uses within it; bind it before the repeat to share it across
  // iterations. The weights keep this name wherever the instance is used.
  shared->sharedPath = joinPath(scope, shared->asName.empty() ? s.asName : shared->asName);
  shared->asName.clear();
  ParamValue p = *v;
  p.block = shared;
  env[s.asName] = p;
  return true;
}

std::unique_ptr<Node> Elaborator::stmt(const Stmt &s, Env &env, const std::string &scope,
                                       int64_t &cur) {
  switch (s.kind) {
  case Stmt::Kind::Apply: {
    std::shared_ptr<BlockValue> bv;
    if (auto it = env.find(s.callee); it != env.end()) {
      if (it->second.kind != ParamValue::Kind::Block) {
        error(s.calleeLoc, "'" + s.callee + "' is " + it->second.str() + ", not a block");
        return nullptr;
      }
      if (!s.args.empty()) {
        error(s.calleeLoc, "block parameter '" + s.callee +
                               "' already has its arguments; set them where it is passed");
        return nullptr;
      }
      bv = std::make_shared<BlockValue>(*it->second.block);
      bv->loc = s.calleeLoc;
      if (!s.asName.empty())
        bv->asName = s.asName;
    } else {
      if (!isBlockName(s.callee)) {
        error(s.calleeLoc, "unknown block '" + s.callee + "'");
        return nullptr;
      }
      auto v = makeBlockValue(s.callee, s.asName, s.calleeLoc, s.args, env);
      if (!v)
        return nullptr;
      bv = v->block;
    }
    if (!bv->positional.empty()) {
      error(bv->positionalLocs.front(),
            "a statement applies '" + bv->kind + "' to the stream; to apply it to a tensor, "
            "bind the result: let y = " + bv->kind + "(...);");
      return nullptr;
    }
    std::vector<int64_t> results;
    auto n = instantiate(*bv, scope, cur, nullptr, &results);
    if (n && results.size() > 1) {
      error(s.calleeLoc, "'" + bv->kind + "' returns " + std::to_string(results.size()) +
                             " tensors; bind them with 'let (a, b, ...) = " + bv->kind + "(...);'");
      return nullptr;
    }
    return n;
  }
  case Stmt::Kind::Repeat:
    return repeat(s, env, scope, cur);
  case Stmt::Kind::Let:
  case Stmt::Kind::Write:
  case Stmt::Kind::Capture:
  case Stmt::Kind::Return:
    return nullptr; // handled by stmts()
  case Stmt::Kind::If: {
    // Chosen at compile time: only the taken branch is elaborated (and has weights).
    auto c = eval(*s.cond, env);
    if (!c)
      return nullptr;
    if (c->kind != ParamValue::Kind::Bool) {
      error(s.cond->loc, "an 'if' condition must be a bool, got " + c->str());
      return nullptr;
    }
    return stmts(c->b ? s.body : s.elseBody, env, scope, cur);
  }
  case Stmt::Kind::Residual:
    return residual(s, env, scope, cur);
  }
  return nullptr;
}

std::unique_ptr<Node> Elaborator::repeat(const Stmt &s, Env &env, const std::string &scope,
                                         int64_t &cur) {
  auto c = eval(*s.count, env);
  if (!c)
    return nullptr;
  if (c->kind != ParamValue::Kind::Int || c->i < 1) {
    error(s.count->loc, "repeat count must be a positive integer, got " + c->str());
    return nullptr;
  }
  if (c->i > kMaxRepeat) {
    error(s.count->loc, "repeat count " + std::to_string(c->i) + " is over the limit of " +
                            std::to_string(kMaxRepeat));
    return nullptr;
  }
  if (s.shared && !s.indexName.empty()) {
    error(s.loc, "a shared repeat has no per-iteration index (its body is elaborated once)");
    return nullptr;
  }
  if (s.shared) {
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::SharedRepeat;
    node->loc = s.loc;
    node->count = c->i;
    node->in = cur;
    std::vector<int64_t> before = tensor(cur).shape;
    Env bodyEnv = env;
    auto body = stmts(s.body, bodyEnv, joinPath(scope, s.asName), cur);
    if (!body)
      return nullptr;
    for (const auto &[name, value] : env)
      if (value.kind == ParamValue::Kind::Tensor && bodyEnv[name].i != value.i) {
        error(s.loc, "a shared repeat carries only the stream from one application to the "
                     "next, but its body rebinds '" + name + "'; use a repeat with separate "
                     "weights, or one block that takes and returns both tensors");
        return nullptr;
      }
    if (c->i > 1 && tensor(cur).shape != before) {
      error(s.loc, "a shared repeat's body must keep the shape: " + shapeStr(before) + " -> " +
                       shapeStr(tensor(cur).shape));
      return nullptr;
    }
    node->out = cur;
    node->children.push_back(std::move(body));
    return node;
  }
  auto node = std::make_unique<Node>();
  node->kind = Node::Kind::Seq;
  node->loc = s.loc;
  node->isRepeat = true;
  node->repeatPath = joinPath(scope, s.asName);
  node->in = cur;
  for (int64_t i = 0; i < c->i; ++i) {
    Env iterEnv = env;
    if (!s.indexName.empty())
      iterEnv[s.indexName] = ParamValue::ofInt(i);
    auto body = stmts(s.body, iterEnv, joinPath(joinPath(scope, s.asName), std::to_string(i)), cur);
    if (!body)
      return nullptr;
    // Carry the tensor names the iteration rebound into the next one.
    for (auto &[name, value] : env)
      if (value.kind == ParamValue::Kind::Tensor && iterEnv[name].i != value.i) {
        value = iterEnv[name];
        node->carriesTensors = true;
      }
    node->children.push_back(std::move(body));
  }
  node->out = cur;
  return node;
}

std::unique_ptr<Node> Elaborator::residual(const Stmt &s, Env &env, const std::string &scope,
                                           int64_t &cur) {
  auto node = std::make_unique<Node>();
  node->kind = Node::Kind::Residual;
  node->loc = s.loc;
  node->in = cur;
  std::shared_ptr<BlockValue> norm, outNorm;
  SourceLoc outNormLoc;
  std::string placement = "post_norm";
  for (const Arg &a : s.args) {
    if (a.name.empty()) {
      error(a.loc, "residual takes named arguments (norm, out_norm, placement, scale)");
      return nullptr;
    }
    auto v = eval(*a.value, env);
    if (!v)
      return nullptr;
    if (a.name == "norm") {
      if (!coerce(*v, ParamType::Block(BlockCategory::Norm), a.loc, "residual 'norm'"))
        return nullptr;
      norm = v->block;
    } else if (a.name == "out_norm") {
      if (!coerce(*v, ParamType::Block(BlockCategory::Norm), a.loc, "residual 'out_norm'"))
        return nullptr;
      outNorm = v->block;
      outNormLoc = a.loc;
    } else if (a.name == "scale") {
      if (!coerce(*v, ParamType::Float(), a.loc, "residual 'scale'"))
        return nullptr;
      node->scale = v->f;
    } else if (a.name == "placement") {
      if (!coerce(*v, ParamType::Enum({"pre_norm", "post_norm", "sandwich"}), a.loc,
                  "residual 'placement'"))
        return nullptr;
      placement = v->s;
    } else {
      error(a.loc, "unknown parameter '" + a.name +
                       "' of residual (expected norm, out_norm, placement, scale)");
      return nullptr;
    }
  }
  bool sandwich = placement == "sandwich";
  node->placement = sandwich ? Node::Placement::Sandwich
                    : placement == "pre_norm" ? Node::Placement::PreNorm
                                              : Node::Placement::PostNorm;
  if (sandwich && (!norm || !outNorm)) {
    error(s.loc, "placement = sandwich needs both 'norm' (before the body) and 'out_norm' "
                 "(after it): x + out_norm(f(norm(x)))");
    return nullptr;
  }
  if (!sandwich && outNorm) {
    error(outNormLoc, "'out_norm' is only used with placement = sandwich");
    return nullptr;
  }
  bool normFirst = node->placement != Node::Placement::PostNorm;
  std::vector<int64_t> in = tensor(cur).shape;
  if (norm && normFirst) {
    node->norm = instantiate(*norm, scope, cur);
    if (!node->norm)
      return nullptr;
  }
  node->body = stmts(s.body, env, scope, cur);
  if (!node->body)
    return nullptr;
  if (tensor(cur).shape != in) {
    error(s.loc, "the residual's body changes the shape " + shapeStr(in) + " -> " +
                     shapeStr(tensor(cur).shape) + "; x + f(x) needs equal shapes");
    return nullptr;
  }
  if (outNorm) {
    node->outNorm = instantiate(*outNorm, scope, cur);
    if (!node->outNorm)
      return nullptr;
  }
  // x + f(x): a tensor of its own (the post-norm's input).
  cur = node->sumId = newTensor(in);
  if (norm && !normFirst) {
    node->norm = instantiate(*norm, scope, cur);
    if (!node->norm)
      return nullptr;
  }
  node->out = cur;
  return node;
}

std::unique_ptr<Model> loom::elaborate(const Program &program,
                                       const std::map<std::string, std::string> &overrides,
                                       DiagnosticEngine &diag) {
  return Elaborator(program, diag).run(overrides);
}
