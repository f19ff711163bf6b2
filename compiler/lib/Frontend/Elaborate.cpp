//===- Elaborate.cpp - semantic checks and elaboration --------------------===//
//
// Evaluates hyperparameters, type-checks arguments against plugin and block signatures,
// runs shape inference through every block, names every weight and rejects duplicates.
// Every error points at the offending source and, inside user blocks, adds notes for the
// chain of uses that led there.
//
//===----------------------------------------------------------------------===//
#include "loom/Frontend/Model.h"

#include <functional>
#include <sstream>

using namespace loom;
using namespace loom::ast;

const ParamValue &Instance::param(const std::string &name) const {
  static const ParamValue none;
  auto it = params.find(name);
  return it == params.end() ? none : it->second;
}

namespace {

std::string shapeStr(const std::vector<int64_t> &s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

std::string join(const std::string &scope, const std::string &name) {
  if (scope.empty())
    return name;
  if (name.empty())
    return scope;
  return scope + "." + name;
}

using Env = std::map<std::string, ParamValue>;

/// A use of a user block, for "note: in block X used here".
struct Frame {
  std::string block;
  SourceLoc use;
};

class Elaborator {
public:
  Elaborator(const Program &program, DiagnosticEngine &diag) : diag(diag) {
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

  std::unique_ptr<Model> run(const std::map<std::string, std::string> &overrides) {
    if (diag.errorCount())
      return nullptr;
    if (models.size() != 1) {
      if (models.empty())
        diag.error("no 'model' is defined");
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
      if (!v || !coerce(*v, type, p.loc, "parameter '" + p.name + "'"))
        return nullptr;
      env[p.name] = *v;
    }
    for (const auto &[k, v] : overrides)
      if (!used.count(k)) {
        diag.error("-D " + k + "=" + v + ": model '" + m.name + "' has no parameter '" + k + "'");
        return nullptr;
      }

    // The inputs: the first is the f32 [batch, seq, d_model] stream.
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
      for (const ExprPtr &d : in.dims) {
        std::optional<ParamValue> v = eval(*d, env);
        if (!v)
          return nullptr;
        if (v->kind != ParamValue::Kind::Int || v->i <= 0) {
          diag.error(d->loc, "input dimension must be a positive integer, got " + v->str());
          return nullptr;
        }
        mi.shape.push_back(v->i);
      }
      model->inputs.push_back(std::move(mi));
    }
    const ModelInput &stream = model->inputs.front();
    streamIsTokenIds = stream.dtype != "f32";
    if (streamIsTokenIds ? stream.shape.size() != 2 : stream.shape.size() != 3) {
      diag.error(stream.loc, "the first input must be f32 [batch, seq, d_model] or integer "
                             "token ids [batch, seq], got " +
                                 stream.dtype + " of rank " + std::to_string(stream.shape.size()));
      return nullptr;
    }
    // Inputs are visible in the model body by name (and passed to blocks as arguments).
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
      for (const ExprPtr &d : out.dims) {
        std::optional<ParamValue> v = eval(*d, env);
        if (!v)
          return nullptr;
        if (v->kind != ParamValue::Kind::Int || v->i <= 0) {
          diag.error(d->loc, "output dimension must be a positive integer, got " + v->str());
          return nullptr;
        }
        mo.shape.push_back(v->i);
      }
      claimedSlots[out.name].assign(mo.shape.front(), false);
      model->outputs.push_back(std::move(mo));
      env[out.name] = ParamValue::ofOutput(out.name);
    }
    std::vector<int64_t> shape = stream.shape;
    model->root = stmts(m.body, env, "", shape);
    if (!model->root || diag.errorCount())
      return nullptr;
    if (streamIsTokenIds) {
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
    model->outputShape = shape;
    return std::move(model);
  }

private:
  //===--------------------------------------------------------------------===//
  // Errors with the use chain
  //===--------------------------------------------------------------------===//
  void error(const SourceLoc &loc, const std::string &msg) {
    diag.error(loc, msg);
    for (auto it = stack.rbegin(); it != stack.rend(); ++it)
      diag.note(it->use, "in block '" + it->block + "' used here");
  }

  //===--------------------------------------------------------------------===//
  // Values and types
  //===--------------------------------------------------------------------===//
  bool typeFromName(const ParamDecl &p, ParamType &t) {
    static const std::map<std::string, ParamType> types = {
        {"int", ParamType::Int()},
        {"float", ParamType::Float()},
        {"bool", ParamType::Bool()},
        {"string", ParamType::String()},
        {"symbol", ParamType::Enum({})},
        {"placement", ParamType::Enum({"pre_norm", "post_norm"})},
        {"block", ParamType::Block(std::nullopt)},
        {"activation", ParamType::Block(BlockCategory::Activation)},
        {"norm", ParamType::Block(BlockCategory::Norm)},
        {"position", ParamType::Block(BlockCategory::Position)},
        {"input", ParamType::Input()},
        {"output", ParamType::Output()},
    };
    auto it = types.find(p.type);
    if (it == types.end()) {
      error(p.typeLoc, "unknown type '" + p.type +
                           "' (expected int, float, bool, string, symbol, placement, block, "
                           "activation, norm, position or input)");
      return false;
    }
    t = it->second;
    return true;
  }

  std::optional<ParamValue> parseOverride(const std::string &text) {
    if (text == "true" || text == "false")
      return ParamValue::ofBool(text == "true");
    char *end = nullptr;
    long long i = std::strtoll(text.c_str(), &end, 10);
    if (!text.empty() && *end == '\0')
      return ParamValue::ofInt(i);
    double f = std::strtod(text.c_str(), &end);
    if (!text.empty() && *end == '\0')
      return ParamValue::ofFloat(f);
    return ParamValue::ofSymbol(text);
  }

  bool isBlockName(const std::string &n) const {
    return blocks.count(n) || PluginRegistry::instance().lookup(n);
  }

  std::optional<BlockCategory> categoryOf(const std::string &kind) const {
    if (const BlockPlugin *p = PluginRegistry::instance().lookup(kind))
      return p->category();
    return BlockCategory::Layer;
  }

  /// Checks `v` against `t` (an int is accepted as a float).
  bool coerce(ParamValue &v, const ParamType &t, const SourceLoc &loc, const std::string &what) {
    using K = ParamType::Kind;
    using VK = ParamValue::Kind;
    auto fail = [&](const std::string &expected) {
      error(loc, what + " expects " + expected + ", got " + v.str());
      return false;
    };
    switch (t.kind) {
    case K::Int:
      return v.kind == VK::Int ? true : fail("an int");
    case K::Float:
      if (v.kind == VK::Int) {
        v = ParamValue::ofFloat(static_cast<double>(v.i));
        return true;
      }
      return v.kind == VK::Float ? true : fail("a float");
    case K::Bool:
      return v.kind == VK::Bool ? true : fail("a bool");
    case K::String:
      return v.kind == VK::String ? true : fail("a string");
    case K::Enum: {
      // A bare name that is both a block and one of the expected values (`tanh` in
      // gelu(approximate = tanh)) is the value: names resolve by the type expected.
      if (v.kind == VK::Block && v.block->args.empty() && v.block->asName.empty() &&
          std::find(t.enumValues.begin(), t.enumValues.end(), v.block->kind) != t.enumValues.end())
        v = ParamValue::ofSymbol(v.block->kind);
      if (v.kind != VK::Symbol)
        return fail(t.str());
      if (t.enumValues.empty() ||
          std::find(t.enumValues.begin(), t.enumValues.end(), v.s) != t.enumValues.end())
        return true;
      return fail(t.str());
    }
    case K::Input: {
      // `none` (a symbol or the `none` block) means no input.
      if ((v.kind == VK::Symbol && v.s == "none") || (v.kind == VK::Block && v.block->kind == "none")) {
        v = ParamValue::ofInput("");
        return true;
      }
      return v.kind == VK::Input ? true : fail(t.str());
    }
    case K::Output: {
      if ((v.kind == VK::Symbol && v.s == "none") || (v.kind == VK::Block && v.block->kind == "none")) {
        v = ParamValue::ofOutput("");
        return true;
      }
      return v.kind == VK::Output ? true : fail(t.str());
    }
    case K::Block: {
      if (v.kind != VK::Block)
        return fail(t.str());
      if (t.category && categoryOf(v.block->kind) != t.category)
        return fail(t.str());
      return true;
    }
    }
    return false;
  }

  std::optional<ParamValue> eval(const Expr &e, const Env &env) {
    using EK = Expr::Kind;
    switch (e.kind) {
    case EK::Int:
      return ParamValue::ofInt(e.intValue);
    case EK::Float:
      return ParamValue::ofFloat(e.floatValue);
    case EK::Bool:
      return ParamValue::ofBool(e.boolValue);
    case EK::String:
      return ParamValue::ofString(e.text);
    case EK::Neg: {
      auto v = eval(*e.lhs, env);
      if (!v)
        return std::nullopt;
      if (v->kind == ParamValue::Kind::Int)
        return ParamValue::ofInt(-v->i);
      if (v->kind == ParamValue::Kind::Float)
        return ParamValue::ofFloat(-v->f);
      error(e.loc, "cannot negate " + v->str());
      return std::nullopt;
    }
    case EK::Not: {
      auto v = eval(*e.lhs, env);
      if (!v)
        return std::nullopt;
      if (v->kind != ParamValue::Kind::Bool) {
        error(e.loc, "'!' needs a bool, got " + v->str());
        return std::nullopt;
      }
      return ParamValue::ofBool(!v->b);
    }
    case EK::Logic: {
      auto l = eval(*e.lhs, env), r = eval(*e.rhs, env);
      if (!l || !r)
        return std::nullopt;
      if (l->kind != ParamValue::Kind::Bool || r->kind != ParamValue::Kind::Bool) {
        error(e.loc, "operator '" + e.cmp + "' needs bools, got " + l->str() + " and " + r->str());
        return std::nullopt;
      }
      return ParamValue::ofBool(e.cmp == "&&" ? (l->b && r->b) : (l->b || r->b));
    }
    case EK::Compare: {
      auto l = eval(*e.lhs, env), r = eval(*e.rhs, env);
      if (!l || !r)
        return std::nullopt;
      auto num = [](const ParamValue &v) { return v.kind == ParamValue::Kind::Int || v.kind == ParamValue::Kind::Float; };
      int c;
      if (num(*l) && num(*r)) {
        double a = l->kind == ParamValue::Kind::Int ? l->i : l->f;
        double b = r->kind == ParamValue::Kind::Int ? r->i : r->f;
        c = a < b ? -1 : (a > b ? 1 : 0);
      } else if (l->kind == r->kind && (l->kind == ParamValue::Kind::Bool ||
                                        l->kind == ParamValue::Kind::Symbol ||
                                        l->kind == ParamValue::Kind::String) &&
                 (e.cmp == "==" || e.cmp == "!=")) {
        c = l->kind == ParamValue::Kind::Bool ? (l->b != r->b) : (l->s != r->s);
      } else {
        error(e.loc, "cannot compare " + l->str() + " " + e.cmp + " " + r->str());
        return std::nullopt;
      }
      bool v = e.cmp == "==" ? c == 0 : e.cmp == "!=" ? c != 0 : e.cmp == "<" ? c < 0
             : e.cmp == "<=" ? c <= 0 : e.cmp == ">" ? c > 0 : c >= 0;
      return ParamValue::ofBool(v);
    }
    case EK::Binary: {
      auto l = eval(*e.lhs, env), r = eval(*e.rhs, env);
      if (!l || !r)
        return std::nullopt;
      bool li = l->kind == ParamValue::Kind::Int, ri = r->kind == ParamValue::Kind::Int;
      bool lf = li || l->kind == ParamValue::Kind::Float, rf = ri || r->kind == ParamValue::Kind::Float;
      if (!lf || !rf) {
        error(e.loc, std::string("operator '") + e.op + "' needs numbers, got " + l->str() +
                         " and " + r->str());
        return std::nullopt;
      }
      if (li && ri) {
        if ((e.op == '/' || e.op == '%') && r->i == 0) {
          error(e.loc, "division by zero");
          return std::nullopt;
        }
        switch (e.op) {
        case '+': return ParamValue::ofInt(l->i + r->i);
        case '-': return ParamValue::ofInt(l->i - r->i);
        case '*': return ParamValue::ofInt(l->i * r->i);
        case '/': return ParamValue::ofInt(l->i / r->i);
        default: return ParamValue::ofInt(l->i % r->i);
        }
      }
      double a = li ? l->i : l->f, b = ri ? r->i : r->f;
      switch (e.op) {
      case '+': return ParamValue::ofFloat(a + b);
      case '-': return ParamValue::ofFloat(a - b);
      case '*': return ParamValue::ofFloat(a * b);
      case '/': return ParamValue::ofFloat(a / b);
      default:
        error(e.loc, "'%' needs integers");
        return std::nullopt;
      }
    }
    case EK::Name: {
      if (auto it = env.find(e.text); it != env.end()) {
        if (!e.asName.empty()) {
          if (it->second.kind != ParamValue::Kind::Block) {
            error(e.loc, "'as' names a block, but '" + e.text + "' is " + it->second.str());
            return std::nullopt;
          }
          ParamValue v = it->second;
          v.block = std::make_shared<BlockValue>(*v.block);
          v.block->asName = e.asName;
          return v;
        }
        return it->second;
      }
      if (isBlockName(e.text))
        return blockValue(e, env);
      if (!e.asName.empty()) {
        error(e.loc, "unknown block '" + e.text + "'");
        return std::nullopt;
      }
      return ParamValue::ofSymbol(e.text);
    }
    case EK::Call:
      if (!isBlockName(e.text)) {
        error(e.loc, "unknown block '" + e.text + "'");
        return std::nullopt;
      }
      return blockValue(e, env);
    }
    return std::nullopt;
  }

  std::optional<ParamValue> blockValue(const Expr &e, const Env &env) {
    return makeBlockValue(e.text, e.asName, e.loc, e.args, env);
  }

  std::optional<ParamValue> makeBlockValue(const std::string &kind, const std::string &asName,
                                           const SourceLoc &loc, const std::vector<Arg> &args,
                                           const Env &env) {
    auto bv = std::make_shared<BlockValue>();
    bv->kind = kind;
    bv->asName = asName;
    bv->loc = loc;
    for (const Arg &a : args) {
      auto v = eval(*a.value, env);
      if (!v)
        return std::nullopt;
      if (bv->args.count(a.name)) {
        error(a.loc, "parameter '" + a.name + "' is given twice");
        return std::nullopt;
      }
      bv->args[a.name] = *v;
      bv->argLocs[a.name] = a.loc;
    }
    ParamValue p;
    p.kind = ParamValue::Kind::Block;
    p.block = bv;
    return p;
  }

  //===--------------------------------------------------------------------===//
  // Statements
  //===--------------------------------------------------------------------===//
  std::unique_ptr<Node> stmts(const std::vector<StmtPtr> &body, const Env &outer,
                              const std::string &scope, std::vector<int64_t> &shape) {
    auto seq = std::make_unique<Node>();
    seq->kind = Node::Kind::Seq;
    Env env = outer; // `let` adds bindings visible to the following statements
    for (const StmtPtr &s : body) {
      if (s->kind == Stmt::Kind::Let) {
        auto v = eval(*s->value, env);
        if (!v)
          return nullptr;
        if (v->kind != ParamValue::Kind::Block) {
          error(s->value->loc, "'let' shares a block instance; got " + v->str());
          return nullptr;
        }
        if (env.count(s->asName)) {
          error(s->loc, "'" + s->asName + "' is already defined here");
          return nullptr;
        }
        auto shared = std::make_shared<BlockValue>(*v->block);
        // Absolute: the weights keep this name wherever the instance is used.
        shared->sharedPath = s->sharedPath.empty() ? join(scope, s->asName) : s->sharedPath;
        ParamValue p = *v;
        p.block = shared;
        env[s->asName] = p;
        continue;
      }
      if (s->kind == Stmt::Kind::Capture) {
        if (env.count(s->asName) ||
            std::any_of(model->captures.begin(), model->captures.end(),
                        [&](const ModelInput &c) { return c.name == s->asName; })) {
          error(s->loc, "'" + s->asName + "' is already defined");
          return nullptr;
        }
        if (streamIsTokenIds || shape.size() != 3) {
          error(s->loc, "capture names f32 activations [batch, seq, d]; the stream is " +
                            std::string(streamIsTokenIds ? "token ids " : "") + shapeStr(shape));
          return nullptr;
        }
        if (loopDepth > 0) {
          error(s->loc, "cannot capture inside a run-time loop (" + loopOwner + ")");
          return nullptr;
        }
        model->captures.push_back(ModelInput{s->asName, shape, "f32", s->loc});
        env[s->asName] = ParamValue::ofInput(s->asName);
        auto n = std::make_unique<Node>();
        n->kind = Node::Kind::Capture;
        n->loc = s->loc;
        n->name = s->asName;
        seq->children.push_back(std::move(n));
        continue;
      }
      std::unique_ptr<Node> n = stmt(*s, env, scope, shape);
      if (!n)
        return nullptr;
      seq->children.push_back(std::move(n));
    }
    return seq;
  }

  std::unique_ptr<Node> stmt(const Stmt &s, const Env &env, const std::string &scope,
                             std::vector<int64_t> &shape) {
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
      return instantiate(*bv, scope, shape);
    }
    case Stmt::Kind::Repeat: {
      auto c = eval(*s.count, env);
      if (!c)
        return nullptr;
      if (c->kind != ParamValue::Kind::Int || c->i < 1) {
        error(s.count->loc, "repeat count must be a positive integer, got " + c->str());
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
        std::vector<int64_t> before = shape;
        auto body = stmts(s.body, env, join(scope, s.asName), shape);
        if (!body)
          return nullptr;
        if (c->i > 1 && shape != before) {
          error(s.loc, "a shared repeat's body must keep the shape: " + shapeStr(before) +
                           " -> " + shapeStr(shape));
          return nullptr;
        }
        node->children.push_back(std::move(body));
        return node;
      }
      auto seq = std::make_unique<Node>();
      seq->kind = Node::Kind::Seq;
      seq->loc = s.loc;
      seq->isRepeat = true;
      seq->repeatPath = join(scope, s.asName);
      for (int64_t i = 0; i < c->i; ++i) {
        Env iterEnv = env;
        if (!s.indexName.empty())
          iterEnv[s.indexName] = ParamValue::ofInt(i);
        auto body = stmts(s.body, iterEnv, join(join(scope, s.asName), std::to_string(i)), shape);
        if (!body)
          return nullptr;
        seq->children.push_back(std::move(body));
      }
      return seq;
    }
    case Stmt::Kind::Let:
    case Stmt::Kind::Capture:
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
      return stmts(c->b ? s.body : s.elseBody, env, scope, shape);
    }
    case Stmt::Kind::Residual: {
      auto node = std::make_unique<Node>();
      node->kind = Node::Kind::Residual;
      node->loc = s.loc;
      std::shared_ptr<BlockValue> norm, outNorm;
      SourceLoc outNormLoc;
      std::string placement = "post_norm";
      for (const Arg &a : s.args) {
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
      std::vector<int64_t> in = shape;
      if (norm && normFirst) {
        node->norm = instantiate(*norm, scope, shape);
        if (!node->norm)
          return nullptr;
      }
      node->body = stmts(s.body, env, scope, shape);
      if (!node->body)
        return nullptr;
      if (shape != in) {
        error(s.loc, "the residual's body changes the shape " + shapeStr(in) + " -> " +
                         shapeStr(shape) + "; x + f(x) needs equal shapes");
        return nullptr;
      }
      if (outNorm) {
        node->outNorm = instantiate(*outNorm, scope, shape);
        if (!node->outNorm)
          return nullptr;
      }
      if (norm && !normFirst) {
        node->norm = instantiate(*norm, scope, shape);
        if (!node->norm)
          return nullptr;
      }
      return node;
    }
    }
    return nullptr;
  }

  //===--------------------------------------------------------------------===//
  // Instantiation
  //===--------------------------------------------------------------------===//
  std::unique_ptr<Node> instantiate(const BlockValue &bv, const std::string &scope,
                                    std::vector<int64_t> &shape,
                                    const std::map<std::string, ParamValue> *context = nullptr) {
    // A shared (`let`) instance: its own absolute path; its weights are created on first use
    // and reused by the others.
    struct SharingScope {
      int &depth;
      bool on;
      SharingScope(int &d, bool on) : depth(d), on(on) { depth += on; }
      ~SharingScope() { depth -= on; }
    } sharing(sharedDepth, !bv.sharedPath.empty());
    if (const BlockPlugin *p = PluginRegistry::instance().lookup(bv.kind))
      return instantiatePlugin(*p, bv,
                               !bv.sharedPath.empty()
                                   ? bv.sharedPath
                                   : join(scope, bv.asName.empty() ? p->name() : bv.asName),
                               shape, context);
    auto it = blocks.find(bv.kind);
    if (it == blocks.end()) {
      error(bv.loc, "unknown block '" + bv.kind + "'");
      return nullptr;
    }
    const BlockDef &def = *it->second;
    for (const Frame &f : stack)
      if (f.block == def.name) {
        error(bv.loc, "block '" + def.name + "' uses itself");
        return nullptr;
      }
    Env env;
    for (const auto &arg : bv.argLocs) {
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
      if (auto a = bv.args.find(p.name); a != bv.args.end()) {
        v = a->second;
        loc = bv.argLocs.at(p.name);
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
    stack.push_back(Frame{def.name, bv.loc});
    auto body = stmts(def.body, env, !bv.sharedPath.empty() ? bv.sharedPath : join(scope, bv.asName),
                      shape);
    stack.pop_back();
    if (body)
      body->loc = bv.loc;
    return body;
  }

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
      const ModelInput *out = findOutput(param, name);
      if (!out)
        return false;
      if (out->dtype != "f32") {
        error(param, "output '" + name + "' is " + out->dtype + ", this block writes f32");
        return false;
      }
      std::vector<int64_t> slot(out->shape.begin() + 1, out->shape.end());
      if (slot != sliceShape) {
        error(param, "output '" + name + "' holds slots of shape " + shapeStr(slot) +
                         ", this block writes " + shapeStr(sliceShape));
        return false;
      }
      if (!outsideLoop(param, name))
        return false;
      std::vector<bool> &claimed = el.claimedSlots[name];
      if (index < 0 || index >= static_cast<int64_t>(claimed.size())) {
        error(param, "slot " + std::to_string(index) + " is outside output '" + name + "' (" +
                         std::to_string(claimed.size()) + " slots)");
        return false;
      }
      if (claimed[index]) {
        error(param, "slot " + std::to_string(index) + " of output '" + name +
                         "' is already written by another block");
        return false;
      }
      claimed[index] = true;
      return true;
    }
    bool claimOutput(const std::string &param, const std::string &name,
                     const std::vector<int64_t> &shape, const std::string &dtype) override {
      const ModelInput *out = findOutput(param, name);
      if (!out)
        return false;
      if (out->shape != shape || out->dtype != dtype) {
        error(param, "output '" + name + "' is " + out->dtype + " " + shapeStr(out->shape) +
                         ", this block writes " + dtype + " " + shapeStr(shape));
        return false;
      }
      if (!outsideLoop(param, name))
        return false;
      std::vector<bool> &claimed = el.claimedSlots[name];
      if (std::find(claimed.begin(), claimed.end(), true) != claimed.end()) {
        error(param, "output '" + name + "' is already written by another block");
        return false;
      }
      claimed.assign(claimed.size(), true);
      return true;
    }
    /// The extra output `name`, or null after an error at `param`.
    const ModelInput *findOutput(const std::string &param, const std::string &name) {
      for (const ModelInput &o : el.model->outputs)
        if (o.name == name)
          return &o;
      error(param, "no model output '" + name + "'");
      return nullptr;
    }
    bool outsideLoop(const std::string &param, const std::string &name) {
      if (el.loopDepth == 0)
        return true;
      error(param, "cannot write output '" + name + "' from inside a run-time loop (" +
                       el.loopOwner + ")");
      return false;
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
      StepFrame frame{maxSteps, &states, "the '" + param + "' of '" + plugin.name() + "'", 0};
      el.stepFrames.push_back(frame);
      bool wasIds = el.streamIsTokenIds;
      el.streamIsTokenIds = true;
      auto shape = inferLoopBody(param, in);
      bool stillIds = el.streamIsTokenIds;
      tokenBound = el.stepFrames.back().tokenBound;
      el.streamIsTokenIds = wasIds;
      el.stepFrames.pop_back();
      if (shape && stillIds) {
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
      el.stepFrames.back().states->push_back({join(inst.path_, name), shape});
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
    void error(const std::string &param, const std::string &message) override {
      failed = true;
      auto it = inst.argLocs.find(param);
      el.error(it != inst.argLocs.end() ? it->second : inst.loc,
               plugin.name() + ": " + message);
    }
    std::optional<std::vector<int64_t>>
    inferSubBlock(const std::string &param, const std::vector<int64_t> &in,
                  const std::map<std::string, ParamValue> &context) override {
      const ParamValue &v = inst.param(param);
      if (v.kind != ParamValue::Kind::Block) {
        error(param, "parameter '" + param + "' is not a block");
        return std::nullopt;
      }
      std::vector<int64_t> shape = in;
      BlockValue bv = *v.block;
      if (bv.asName.empty())
        bv.asName = param;
      auto node = el.instantiate(bv, inst.path_, shape, &context);
      if (!node) {
        failed = true;
        return std::nullopt;
      }
      inst.subBlocks[param] = std::move(node);
      return shape;
    }
  };

  std::unique_ptr<Node> instantiatePlugin(const BlockPlugin &p, const BlockValue &bv,
                                          const std::string &path, std::vector<int64_t> &shape,
                                          const std::map<std::string, ParamValue> *context) {
    auto inst = std::make_unique<Instance>();
    if (context)
      inst->contextValues = *context;
    inst->plugin = &p;
    inst->loc = bv.loc;
    inst->path_ = path;
    inst->in = shape;
    inst->argLocs = bv.argLocs;
    std::vector<ParamSpec> specs = p.params();
    for (const auto &arg : bv.argLocs) {
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
      if (auto a = bv.args.find(s.name); a != bv.args.end()) {
        v = a->second;
        loc = bv.argLocs.at(s.name);
        inst->explicitParams.insert(s.name);
      } else if (s.defaultValue) {
        v = *s.defaultValue;
      } else {
        error(bv.loc, "missing parameter '" + s.name + "' of '" + p.name() + "'");
        return nullptr;
      }
      if (!coerce(v, s.type, loc, "parameter '" + s.name + "' of '" + p.name() + "'"))
        return nullptr;
      inst->params[s.name] = v;
    }
    if (streamIsTokenIds != p.consumesTokenIds()) {
      error(bv.loc, streamIsTokenIds
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
    InferCtx ctx(*this, *inst, p);
    std::vector<WeightSpec> weights;
    std::vector<int64_t> out;
    if (!p.infer(*inst, ctx, out, weights) || ctx.failed) {
      if (!ctx.failed)
        error(bv.loc, p.name() + ": shape inference failed");
      return nullptr;
    }
    for (const WeightSpec &w : weights) {
      std::string full = join(path, w.name);
      if (!w.tiedTo.empty()) {
        auto it = weightIndex.find(w.tiedTo);
        if (it == weightIndex.end()) {
          error(bv.loc, "weight '" + full + "' is tied to '" + w.tiedTo +
                            "', which no block has used yet");
          return nullptr;
        }
        if (model->weights[it->second].shape != w.shape) {
          error(bv.loc, "weight '" + full + "' " + shapeStr(w.shape) + " is tied to '" +
                            w.tiedTo + "' of shape " + shapeStr(model->weights[it->second].shape));
          return nullptr;
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
      if (auto it = weightIndex.find(full); it != weightIndex.end() && sharedDepth > 0) {
        // Another use of a shared instance: same weight, which must have the same shape.
        if (model->weights[it->second].shape != w.shape) {
          error(bv.loc, "shared weight '" + full + "' is used with shape " + shapeStr(w.shape) +
                            " here but " + shapeStr(model->weights[it->second].shape) +
                            " where it was first used");
          diag.note(model->weights[it->second].loc, "first used here");
          return nullptr;
        }
        inst->weightNames[w.name] = full;
        continue;
      }
      if (auto it = weightIndex.find(full); it != weightIndex.end()) {
        error(bv.loc, "weight '" + full + "' is already defined; give one of the blocks a "
                                          "different name with 'as'");
        diag.note(model->weights[it->second].loc, "first defined here");
        return nullptr;
      }
      weightIndex[full] = model->weights.size();
      model->weights.push_back(Weight{full, w.shape, bv.loc});
      inst->weightNames[w.name] = full;
    }
    inst->out = out;
    shape = out;
    if (p.consumesTokenIds())
      streamIsTokenIds = false;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::Leaf;
    node->loc = bv.loc;
    node->leaf = std::move(inst);
    return node;
  }

  DiagnosticEngine &diag;
  std::map<std::string, const BlockDef *> blocks;
  std::vector<const BlockDef *> models;
  std::vector<Frame> stack;
  std::map<std::string, size_t> weightIndex;
  std::unique_ptr<Model> model;
  int sharedDepth = 0; ///< > 0 while instantiating a `let`-shared block
  bool streamIsTokenIds = false; ///< the stream is still the integer token-id input
  std::map<std::string, std::vector<bool>> claimedSlots; ///< output slots already written
  struct StepFrame {
    int64_t length;
    std::vector<std::pair<std::string, std::vector<int64_t>>> *states;
    std::string owner;
    int64_t tokenBound; ///< the step's token ids must be below it (0: no bound)
  };
  std::vector<StepFrame> stepFrames; ///< the step loops being inferred, innermost last
  int loopDepth = 0;       ///< > 0 while inferring a block emitted inside a run-time loop
  std::string loopOwner;   ///< which loop, for errors
};

} // namespace

std::unique_ptr<Model> loom::elaborate(const Program &program,
                                       const std::map<std::string, std::string> &overrides,
                                       DiagnosticEngine &diag) {
  return Elaborator(program, diag).run(overrides);
}
