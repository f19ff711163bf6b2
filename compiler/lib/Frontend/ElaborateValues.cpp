//===- ElaborateValues.cpp - values and types -----------------------------===//
//
// See Elaborator.h. Hyperparameter values, their types, and expression evaluation; the
// tensor expressions are in ElaborateTensors.cpp.
//
//===----------------------------------------------------------------------===//
#include "Elaborator.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <sstream>

using namespace loom;
using namespace loom::ast;
using namespace loom::detail;

bool Elaborator::typeFromName(const ParamDecl &p, ParamType &t) {
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
      {"tensor", ParamType::Tensor()},
  };
  auto it = types.find(p.type);
  if (it == types.end()) {
    error(p.typeLoc, "unknown type '" + p.type +
                         "' (expected int, float, bool, string, symbol, placement, block, "
                         "activation, norm, position, input, output or tensor)");
    return false;
  }
  t = it->second;
  return true;
}

std::optional<ParamValue> Elaborator::parseOverride(const std::string &text) {
  if (text == "true" || text == "false")
    return ParamValue::ofBool(text == "true");
  if (text == "?")
    return ParamValue::dynamicInt();
  char *end = nullptr;
  errno = 0;
  long long i = std::strtoll(text.c_str(), &end, 10);
  if (!text.empty() && *end == '\0') {
    if (errno == ERANGE) {
      diag.error("-D value " + text + " is out of range (64-bit integer)");
      return std::nullopt;
    }
    return ParamValue::ofInt(i);
  }
  errno = 0;
  double f = std::strtod(text.c_str(), &end);
  if (!text.empty() && *end == '\0') {
    if (errno == ERANGE && (std::isinf(f) || f == 0)) {
      diag.error("-D value " + text + " is out of range (64-bit float)");
      return std::nullopt;
    }
    return ParamValue::ofFloat(f);
  }
  return ParamValue::ofSymbol(text);
}

bool Elaborator::isBlockName(const std::string &n) const {
  return blocks.count(n) || PluginRegistry::instance().lookup(n);
}

std::optional<BlockCategory> Elaborator::categoryOf(const std::string &kind) const {
  if (const BlockPlugin *p = PluginRegistry::instance().lookup(kind))
    return p->category();
  return BlockCategory::Layer;
}

/// Checks `v` against `t` (an int is accepted as a float).
bool Elaborator::coerce(ParamValue &v, const ParamType &t, const SourceLoc &loc, const std::string &what) {
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
  case K::Tensor: {
    if ((v.kind == VK::Symbol && v.s == "none") || (v.kind == VK::Block && v.block->kind == "none") ||
        (v.kind == VK::Input && v.s.empty())) { // an `input` parameter left `none`
      v = ParamValue::ofTensor(-1);
      return true;
    }
    if (v.kind == VK::Input || v.kind == VK::Symbol) { // a model input or a capture
      int64_t id = asTensor(v, loc, what);
      if (id < 0)
        return false;
      v = ParamValue::ofTensor(id);
      return true;
    }
    return v.kind == VK::Tensor ? true : fail(t.str());
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

std::optional<ParamValue> Elaborator::eval(const Expr &e, const Env &env) {
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
    if (v->kind == ParamValue::Kind::Int) {
      if (v->i == INT64_MIN) {
        error(e.loc, "integer overflow in -(" + std::to_string(v->i) + ") (64-bit)");
        return std::nullopt;
      }
      return ParamValue::ofInt(-v->i);
    }
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
    // `t == none` / `t != none` asks whether an optional tensor, input or output is given.
    auto isNone = [](const ParamValue &v) {
      return (v.kind == ParamValue::Kind::Symbol && v.s == "none") ||
             (v.kind == ParamValue::Kind::Block && v.block->kind == "none" && v.block->args.empty());
    };
    auto optional = [](const ParamValue &v) {
      return v.kind == ParamValue::Kind::Tensor || v.kind == ParamValue::Kind::Input ||
             v.kind == ParamValue::Kind::Output;
    };
    auto absent = [](const ParamValue &v) {
      return v.kind == ParamValue::Kind::Tensor ? v.i < 0 : v.s.empty();
    };
    if ((e.cmp == "==" || e.cmp == "!=") &&
        ((isNone(*l) && optional(*r)) || (optional(*l) && isNone(*r)))) {
      bool isAbsent = absent(isNone(*l) ? *r : *l);
      return ParamValue::ofBool(e.cmp == "==" ? isAbsent : !isAbsent);
    }
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
  case EK::Index:
    return tensorIndex(e, env);
  case EK::Binary: {
    auto l = eval(*e.lhs, env), r = eval(*e.rhs, env);
    if (!l || !r)
      return std::nullopt;
    auto isTensor = [](const ParamValue &v) {
      return v.kind == ParamValue::Kind::Tensor || v.kind == ParamValue::Kind::Input;
    };
    if (isTensor(*l) || isTensor(*r))
      return tensorBinary(e, *l, *r);
    if (!staticValue(*l, e.lhs->loc) || !staticValue(*r, e.rhs->loc))
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
      int64_t v = 0;
      bool overflow = false;
      switch (e.op) {
      case '+': overflow = __builtin_add_overflow(l->i, r->i, &v); break;
      case '-': overflow = __builtin_sub_overflow(l->i, r->i, &v); break;
      case '*': overflow = __builtin_mul_overflow(l->i, r->i, &v); break;
      default:
        // INT64_MIN / -1 overflows (and traps); its remainder is 0.
        overflow = l->i == INT64_MIN && r->i == -1 && e.op == '/';
        if (!overflow)
          v = (l->i == INT64_MIN && r->i == -1) ? 0 : e.op == '/' ? l->i / r->i : l->i % r->i;
      }
      if (overflow) {
        error(e.loc, std::string("integer overflow in ") + std::to_string(l->i) + " " + e.op + " " +
                         std::to_string(r->i) + " (64-bit)");
        return std::nullopt;
      }
      return ParamValue::ofInt(v);
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
          error(e.asLoc, "'as' names a block instance, but '" + e.text + "' is " + it->second.str());
          return std::nullopt;
        }
        ParamValue v = it->second;
        v.block = std::make_shared<BlockValue>(*v.block);
        v.block->asName = e.asName;
        return v;
      }
      if (it->second.kind == ParamValue::Kind::Tensor)
        readTensors.insert(it->second.i);
      if (it->second.dynamic && it->second.dynamicPosition >= 0) {
        error(e.loc, "'" + e.text + "' is a run-time size (size along a dynamic dimension); "
                     "only narrow's start and length take one, written as size(...) there");
        return std::nullopt;
      }
      if (it->second.dynamic) {
        error(e.loc, "'" + e.text + "' is dynamic (-D " + e.text + "=?): it has no value at "
                     "compile time and may only size a dimension of a model input");
        return std::nullopt;
      }
      return it->second;
    }
    if (isBlockName(e.text))
      return makeBlockValue(e.text, e.asName, e.loc, e.args, env);
    if (!e.asName.empty()) {
      error(e.loc, "unknown block '" + e.text + "'");
      return std::nullopt;
    }
    return ParamValue::ofSymbol(e.text);
  }
  case EK::Call: {
    bool positional = std::any_of(e.args.begin(), e.args.end(),
                                  [](const Arg &a) { return a.name.empty(); });
    std::optional<ParamValue> v;
    if (auto it = env.find(e.text); it != env.end() && it->second.kind == ParamValue::Kind::Block) {
      // A block-valued name applied to tensors: `norm(x)`.
      if (std::any_of(e.args.begin(), e.args.end(), [](const Arg &a) { return !a.name.empty(); })) {
        error(e.loc, "block parameter '" + e.text +
                         "' already has its arguments; set them where it is passed");
        return std::nullopt;
      }
      v = makeBlockValue(it->second.block->kind, e.asName, e.loc, e.args, env);
      if (!v)
        return std::nullopt;
      BlockValue bv = *it->second.block;
      bv.loc = e.loc;
      if (!e.asName.empty())
        bv.asName = e.asName;
      bv.positional = v->block->positional;
      bv.positionalLocs = v->block->positionalLocs;
      v->block = std::make_shared<BlockValue>(bv);
    } else if (!isBlockName(e.text)) {
      if (isTensorBuiltin(e.text))
        return tensorBuiltin(e, env);
      if (e.text == "sqrt")
        return scalarSqrt(e, env);
      error(e.loc, "unknown block '" + e.text + "'");
      return std::nullopt;
    } else {
      v = makeBlockValue(e.text, e.asName, e.loc, e.args, env);
      if (!v)
        return std::nullopt;
    }
    if (!positional)
      return v;
    return apply(*v->block);
  }
  }
  return std::nullopt;
}

/// `sqrt(n)`: the square root of a compile-time number, a float (ESPnet's and Vaswani et
/// al.'s input scaling, `x * sqrt(d_model)`).
std::optional<ParamValue> Elaborator::scalarSqrt(const Expr &e, const Env &env) {
  if (e.args.size() != 1 || !e.args[0].name.empty() || !e.asName.empty()) {
    error(e.loc, "sqrt takes one number: sqrt(d_model)");
    return std::nullopt;
  }
  auto v = eval(*e.args[0].value, env);
  if (!v || !staticValue(*v, e.args[0].value->loc))
    return std::nullopt;
  if (v->kind != ParamValue::Kind::Int && v->kind != ParamValue::Kind::Float) {
    error(e.args[0].value->loc, "sqrt needs a number, got " + v->str());
    return std::nullopt;
  }
  double x = v->kind == ParamValue::Kind::Int ? double(v->i) : v->f;
  if (!(x >= 0)) {
    std::ostringstream os;
    os << x;
    error(e.args[0].value->loc, "sqrt of a negative number (" + os.str() + ")");
    return std::nullopt;
  }
  return ParamValue::ofFloat(std::sqrt(x));
}

std::optional<ParamValue> Elaborator::makeBlockValue(const std::string &kind, const std::string &asName,
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
    if (a.name.empty()) {
      if (!bv->args.empty()) {
        error(a.loc, "positional (tensor) arguments come before named ones");
        return std::nullopt;
      }
      int64_t id = asTensor(*v, a.value->loc, "a positional argument");
      if (id < 0)
        return std::nullopt;
      bv->positional.push_back(id);
      bv->positionalLocs.push_back(a.value->loc);
      continue;
    }
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
