//===- ElaborateTensors.cpp - tensor expressions ---------------------------===//
//
// See Elaborator.h. The tensor expressions of the language: arithmetic on tensors
// (`x + h`, `0.5 * h`), the torch-style builtins `concat`, `chunk`, `narrow` and `size`,
// indexing (`mems[l]`), and applying a block to tensors (`layer_norm(x) as ln_1`).
//
//===----------------------------------------------------------------------===//
#include "Elaborator.h"

#include <algorithm>

using namespace loom;
using namespace loom::ast;
using namespace loom::detail;

int64_t Elaborator::asTensor(const ParamValue &v, const SourceLoc &loc, const std::string &what) {
  if (v.kind == ParamValue::Kind::Tensor && v.i >= 0)
    return v.i;
  if (v.kind == ParamValue::Kind::Input && !v.s.empty()) {
    if (auto it = captureIds.find(v.s); it != captureIds.end())
      return it->second;
    for (size_t i = 0; i < model->inputs.size(); ++i)
      if (model->inputs[i].name == v.s)
        return static_cast<int64_t>(i);
  }
  if (v.kind == ParamValue::Kind::Symbol)
    error(loc, "no tensor named '" + v.s + "' is defined here (" + what + " expects a tensor)");
  else
    error(loc, what + " expects a tensor, got " + v.str());
  return -1;
}

Node &Elaborator::appendOp(Node::OpKind op, std::vector<int64_t> operands,
                           std::vector<int64_t> shape, const SourceLoc &loc) {
  auto n = std::make_unique<Node>();
  n->kind = Node::Kind::Op;
  n->op = op;
  n->loc = loc;
  n->operands = std::move(operands);
  n->in = n->operands.front();
  n->out = newTensor(std::move(shape));
  seq->children.push_back(std::move(n));
  return *seq->children.back();
}

std::optional<ParamValue> Elaborator::tensorBinary(const Expr &e, const ParamValue &l,
                                                   const ParamValue &r) {
  if (!inStatement(e.loc))
    return std::nullopt;
  auto number = [](const ParamValue &v) {
    return v.kind == ParamValue::Kind::Int || v.kind == ParamValue::Kind::Float;
  };
  // A number times a tensor (either order), or a tensor divided by a number.
  if ((number(l) && (e.op == '*')) || (number(r) && (e.op == '*' || e.op == '/'))) {
    const ParamValue &n = number(l) ? l : r;
    const ParamValue &t = number(l) ? r : l;
    int64_t id = asTensor(t, number(l) ? e.rhs->loc : e.lhs->loc, std::string("operator '") + e.op + "'");
    if (id < 0)
      return std::nullopt;
    double f = n.kind == ParamValue::Kind::Int ? static_cast<double>(n.i) : n.f;
    if (e.op == '/') {
      if (f == 0) {
        error(e.loc, "division by zero");
        return std::nullopt;
      }
      f = 1.0 / f;
    }
    Node &op = appendOp(Node::OpKind::Scale, {id}, tensor(id).shape, e.loc);
    op.scalar = f;
    return ParamValue::ofTensor(op.out);
  }
  if (e.op != '+' && e.op != '-' && e.op != '*') {
    error(e.loc, std::string("operator '") + e.op + "' on tensors: use +, - or * (element-wise) "
                 "or a number times a tensor");
    return std::nullopt;
  }
  int64_t a = asTensor(l, e.lhs->loc, std::string("operator '") + e.op + "'");
  if (a < 0)
    return std::nullopt;
  int64_t b = asTensor(r, e.rhs->loc, std::string("operator '") + e.op + "'");
  if (b < 0)
    return std::nullopt;
  const TensorInfo &ta = tensor(a), &tb = tensor(b);
  if (ta.dtype != "f32" || tb.dtype != "f32") {
    error(e.loc, std::string("operator '") + e.op + "' needs f32 tensors, got " + ta.dtype + " " +
                     shapeStr(ta.shape) + " and " + tb.dtype + " " + shapeStr(tb.shape));
    return std::nullopt;
  }
  if (ta.shape != tb.shape) {
    error(e.loc, std::string("shape mismatch: ") + shapeStr(ta.shape) + " " + e.op + " " +
                     shapeStr(tb.shape) + " (element-wise operators need equal shapes)");
    return std::nullopt;
  }
  Node::OpKind kind = e.op == '+' ? Node::OpKind::Add : e.op == '-' ? Node::OpKind::Sub
                                                                    : Node::OpKind::Mul;
  return ParamValue::ofTensor(appendOp(kind, {a, b}, ta.shape, e.loc).out);
}

bool Elaborator::isTensorBuiltin(const std::string &name) {
  return name == "concat" || name == "chunk" || name == "narrow" || name == "size";
}

bool Elaborator::inStatement(const SourceLoc &loc) {
  if (seq)
    return true;
  error(loc, "a tensor expression must stand in a statement (a 'let', a 'return' or an "
             "output assignment)");
  return false;
}

std::optional<int64_t> Elaborator::dimension(const ParamValue &v, const SourceLoc &loc,
                                             const std::vector<int64_t> &shape) {
  int64_t rank = static_cast<int64_t>(shape.size());
  if (v.kind != ParamValue::Kind::Int || v.i < -rank || v.i >= rank) {
    error(loc, "dim must be an integer in [" + std::to_string(-rank) + ", " +
                   std::to_string(rank) + ") for a tensor " + shapeStr(shape) + ", got " + v.str());
    return std::nullopt;
  }
  return v.i < 0 ? v.i + rank : v.i;
}

bool Elaborator::staticDimension(const std::vector<int64_t> &shape, int64_t dim,
                                 const SourceLoc &loc, const std::string &what) {
  if (!isDynamicDim(shape[dim]))
    return true;
  error(loc, what + " along dimension " + std::to_string(dim) + " of " + shapeStr(shape) +
                 ", which is dynamic, is not supported; compile with a static size");
  return false;
}

bool Elaborator::staticValue(const ParamValue &v, const SourceLoc &loc) {
  if (!v.dynamic || v.dynamicPosition < 0)
    return true;
  error(loc, "a size along a dynamic dimension is known only at run time; only narrow's "
             "start and length take one, written as size(...) there");
  return false;
}

std::optional<ParamValue>
Elaborator::dynamicNarrow(int64_t id, int64_t dim, const std::pair<ParamValue, SourceLoc> &start,
                          const std::pair<ParamValue, SourceLoc> &length, const SourceLoc &loc) {
  std::vector<int64_t> shape = tensor(id).shape;
  int64_t full = shape[dim];
  for (const auto *p : {&start, &length})
    if (p->first.dynamic && p->first.dynamicPosition != dim) {
      error(p->second, "narrow along dimension " + std::to_string(dim) + " takes a run-time "
                       "size of that dimension, but this is the size of dimension " +
                       std::to_string(p->first.dynamicPosition));
      return std::nullopt;
    }
  if (!isDynamicDim(full)) {
    error(loc, "narrow of the static dimension " + std::to_string(dim) + " of " +
                   shapeStr(shape) + " by a run-time size is not supported");
    return std::nullopt;
  }
  if (start.first.dynamic && length.first.dynamic) {
    error(loc, "narrow's start and length are both run-time sizes; one must be static");
    return std::nullopt;
  }
  // With K the dynamic size at this position (K >= 1), the dimension is K + extra; a
  // run-time start or length is K + its own extra. The slice fits for every K if the
  // static parts fit in the dimension's static rows.
  int64_t rows = dynamicExtra(full);
  auto part = [](const ParamValue &v) { return v.dynamic ? dynamicExtra(v.i) : v.i; };
  int64_t s = part(start.first), n = part(length.first);
  if (!start.first.dynamic && s < 0) {
    error(start.second, "narrow's start must not be negative, got " + std::to_string(s));
    return std::nullopt;
  }
  if (!length.first.dynamic && n < 1) {
    error(length.second, "narrow's length must be positive, got " + std::to_string(n));
    return std::nullopt;
  }
  if (s + n > rows) {
    error(loc, "narrow of dimension " + std::to_string(dim) + " of " + shapeStr(shape) +
                   " from " + (start.first.dynamic ? "size(...)" : std::to_string(s)) +
                   " for " + (length.first.dynamic ? "size(...)" : std::to_string(n)) +
                   " may run past its end at run time (the dimension has " +
                   std::to_string(rows) + " rows beyond its dynamic size); compile with a "
                   "static size");
    return std::nullopt;
  }
  shape[dim] = length.first.i;
  Node &op = appendOp(Node::OpKind::Slice, {id}, shape, loc);
  op.dim = dim;
  op.offset = start.first.i; // kDynamicDim + extra when a run-time size
  op.size = length.first.i;
  return ParamValue::ofTensor(op.out);
}

std::optional<ParamValue> Elaborator::tensorBuiltin(const Expr &e, const Env &env) {
  // torch-style signatures: the tensors first, then integers (positional or named).
  //   concat(a, b, ..., dim = -1)           torch.cat
  //   chunk(x, chunks, groups = 1)          torch.chunk along the features
  //   narrow(x, dim, start, length)         torch.narrow
  //   size(x, dim)                          x.size(dim), an integer
  static const std::map<std::string, std::vector<std::string>> scalarParams = {
      {"concat", {"dim"}},
      {"chunk", {"chunks", "groups"}},
      {"narrow", {"dim", "start", "length"}},
      {"size", {"dim"}}};
  const std::vector<std::string> &names = scalarParams.at(e.text);
  // Set by the narrow whose argument this call is (read before the arguments reset it).
  bool runTime = runTimeSizeAllowed;
  runTimeSizeAllowed = false;
  std::vector<int64_t> ids;
  std::vector<SourceLoc> locs;
  std::map<std::string, std::pair<ParamValue, SourceLoc>> ints;
  auto signature = [&] {
    std::string s = e.text + "(" + (e.text == "concat" ? "tensors..." : "x");
    for (const std::string &n : names)
      s += ", " + n;
    return s + ")";
  };
  for (const Arg &a : e.args) {
    // narrow(x, dim, size(y, d), ...): a run-time size is allowed there, and only there.
    runTimeSizeAllowed = e.text == "narrow" && a.value->kind == Expr::Kind::Call &&
                         a.value->text == "size";
    auto v = eval(*a.value, env);
    runTimeSizeAllowed = false;
    if (!v)
      return std::nullopt;
    std::string name = a.name;
    // Positional: the first argument is a tensor; concat's are tensors up to an integer.
    bool tensorArg = name.empty() && ints.empty() &&
                     (ids.empty() || (e.text == "concat" && v->kind != ParamValue::Kind::Int));
    if (tensorArg) {
      int64_t id = asTensor(*v, a.value->loc, "'" + e.text + "'");
      if (id < 0)
        return std::nullopt;
      if (e.text != "size" && tensor(id).dtype != "f32") {
        error(a.value->loc, "'" + e.text + "' needs f32 tensors, got " + tensor(id).dtype);
        return std::nullopt;
      }
      ids.push_back(id);
      locs.push_back(a.value->loc);
      continue;
    }
    if (name.empty()) { // the next integer parameter in order
      if (ints.size() >= names.size()) {
        error(a.loc, "too many arguments: " + signature());
        return std::nullopt;
      }
      name = names[ints.size()];
    } else if (std::find(names.begin(), names.end(), name) == names.end()) {
      error(a.loc, "unknown parameter '" + name + "' of '" + e.text + "': " + signature());
      return std::nullopt;
    }
    if (v->kind != ParamValue::Kind::Int) {
      error(a.value->loc, e.text + "'s " + name + " must be an integer, got " + v->str());
      return std::nullopt;
    }
    if (!ints.emplace(name, std::make_pair(*v, a.value->loc)).second) {
      error(a.loc, "parameter '" + name + "' is given twice");
      return std::nullopt;
    }
  }
  if (ids.size() != 1 && e.text != "concat") {
    error(e.loc, "'" + e.text + "' takes one tensor: " + signature());
    return std::nullopt;
  }
  auto required = [&](const std::string &n) -> const std::pair<ParamValue, SourceLoc> * {
    auto it = ints.find(n);
    if (it == ints.end())
      error(e.loc, "'" + e.text + "' needs " + n + ": " + signature());
    return it == ints.end() ? nullptr : &it->second;
  };
  std::vector<int64_t> shape = tensor(ids.empty() ? 0 : ids[0]).shape;
  if (e.text == "size") {
    auto d = required("dim");
    if (!d)
      return std::nullopt;
    auto dim = dimension(d->first, d->second, shape);
    if (!dim)
      return std::nullopt;
    if (!runTime && isDynamicDim(shape[*dim])) {
      error(d->second, "size along dimension " + std::to_string(*dim) + " of " +
                           shapeStr(shape) + ", which is dynamic, is known only at run time; "
                           "only narrow's start and length take it, written as size(...) there");
      return std::nullopt;
    }
    readTensors.insert(ids[0]);
    ParamValue v = ParamValue::ofInt(shape[*dim]);
    if (isDynamicDim(shape[*dim])) { // narrow's start or length, sized at run time
      v.dynamic = true;
      v.dynamicPosition = *dim;
    }
    return v;
  }
  if (!inStatement(e.loc))
    return std::nullopt;
  if (e.text == "concat") {
    if (ids.size() < 2) {
      error(e.loc, "concat needs at least two tensors");
      return std::nullopt;
    }
    int64_t dim = static_cast<int64_t>(shape.size()) - 1;
    if (auto it = ints.find("dim"); it != ints.end()) {
      auto d = dimension(it->second.first, it->second.second, shape);
      if (!d)
        return std::nullopt;
      dim = *d;
    }
    // Along a dynamic dimension, one part may be dynamic: the result is that many rows
    // more than the dynamic size (an XL memory before a segment: [?+mem_len]).
    int dynamicParts = 0;
    for (int64_t id : ids) // (a part of another rank is an error below)
      if (const std::vector<int64_t> &s = tensor(id).shape; static_cast<size_t>(dim) < s.size())
        dynamicParts += isDynamicDim(s[dim]) ? 1 : 0;
    if (dynamicParts > 1) {
      error(e.loc, "concat along dimension " + std::to_string(dim) + " joins " +
                       std::to_string(dynamicParts) + " dynamic parts; at most one may be "
                       "dynamic (compile with a static size)");
      return std::nullopt;
    }
    for (size_t i = 1; i < ids.size(); ++i) {
      std::vector<int64_t> s = tensor(ids[i]).shape;
      bool fits = s.size() == shape.size();
      for (size_t d = 0; fits && d < s.size(); ++d)
        fits = static_cast<int64_t>(d) == dim || s[d] == shape[d];
      if (!fits) {
        error(locs[i], "concat joins along dimension " + std::to_string(dim) + "; " +
                           shapeStr(tensor(ids[0]).shape) + " and " + shapeStr(s) +
                           " differ elsewhere");
        return std::nullopt;
      }
      // One of the two may be dynamic: kDynamicDim + extra + static stays dynamic.
      shape[dim] += s[dim];
      if (isDynamicDim(shape[dim]) && dynamicExtra(shape[dim]) > kMaxElements) {
        error(e.loc, "concat's result is too long");
        return std::nullopt;
      }
    }
    if (!checkSize(shape, e.loc, "concat's result"))
      return std::nullopt;
    Node &op = appendOp(Node::OpKind::Concat, ids, shape, e.loc);
    op.dim = dim;
    return ParamValue::ofTensor(op.out);
  }
  if (e.text == "narrow") {
    auto d = required("dim"), start = required("start"), length = required("length");
    if (!d || !start || !length)
      return std::nullopt;
    auto dim = dimension(d->first, d->second, shape);
    if (!dim)
      return std::nullopt;
    if (isDynamicDim(shape[*dim]) || start->first.dynamic || length->first.dynamic)
      return dynamicNarrow(ids[0], *dim, *start, *length, e.loc);
    int64_t s = start->first.i, n = length->first.i;
    if (s < 0 || s >= shape[*dim]) {
      error(start->second, "narrow's start " + std::to_string(s) + " is outside dimension " +
                               std::to_string(*dim) + " of " + shapeStr(shape));
      return std::nullopt;
    }
    if (n < 1 || n > shape[*dim] - s) {
      error(length->second, "narrow's length must be in [1, " + std::to_string(shape[*dim] - s) +
                                "] (dimension " + std::to_string(*dim) + " of " + shapeStr(shape) +
                                " from " + std::to_string(s) + "), got " + std::to_string(n));
      return std::nullopt;
    }
    shape[*dim] = n;
    Node &op = appendOp(Node::OpKind::Slice, ids, shape, e.loc);
    op.dim = *dim;
    op.offset = s;
    op.size = n;
    return ParamValue::ofTensor(op.out);
  }
  // chunk(x, n): torch.chunk(x, n, dim=-1) into n equal parts. chunk(x, n, groups = g)
  // first views the features as g groups and splits each group into n parts; part i
  // gathers the i-th part of every group (x.view(..., g, n * s).split(s, -1) flattened, as
  // GPT-NeoX unpacks its per-head query_key_value).
  auto parts = required("chunks");
  if (!parts)
    return std::nullopt;
  if (parts->first.i < 1) {
    error(parts->second, "chunk's number of parts must be a positive integer, got " +
                             parts->first.str());
    return std::nullopt;
  }
  int64_t np = parts->first.i, g = 1;
  if (auto it = ints.find("groups"); it != ints.end()) {
    if (it->second.first.i < 1) {
      error(it->second.second, "chunk's groups must be a positive integer, got " +
                                   it->second.first.str());
      return std::nullopt;
    }
    g = it->second.first.i;
  }
  if (shape.back() % np != 0 || shape.back() / np % g != 0) {
    error(e.loc, "chunk: " + std::to_string(shape.back()) + " features do not split into " +
                     (g > 1 ? std::to_string(g) + " groups of " : std::string()) +
                     std::to_string(np) + " equal parts");
    return std::nullopt;
  }
  int64_t size = shape.back() / (np * g);
  shape.back() = size * g;
  ParamValue tuple;
  tuple.kind = ParamValue::Kind::Tuple;
  for (int64_t i = 0; i < np; ++i) {
    Node &op = appendOp(Node::OpKind::Slice, {ids[0]}, shape, e.loc);
    op.dim = static_cast<int64_t>(shape.size()) - 1;
    op.offset = i * size;
    op.size = size;
    op.groups = g;
    tuple.items.push_back(op.out);
  }
  if (np == 1)
    return ParamValue::ofTensor(tuple.items.front());
  return tuple;
}

std::optional<ParamValue> Elaborator::tensorIndex(const Expr &e, const Env &env) {
  // x[i]: entry i of dimension 0 (e.g. one layer's memory of [n_layers, batch, mem, d]).
  auto v = eval(*e.lhs, env);
  if (!v)
    return std::nullopt;
  auto i = eval(*e.rhs, env);
  if (!i)
    return std::nullopt;
  int64_t id = asTensor(*v, e.lhs->loc, "indexing");
  if (id < 0)
    return std::nullopt;
  if (i->kind != ParamValue::Kind::Int) {
    error(e.rhs->loc, "an index must be an integer, got " + i->str());
    return std::nullopt;
  }
  const TensorInfo &t = tensor(id);
  if (t.dtype != "f32" || t.shape.size() < 2) {
    error(e.lhs->loc, "indexing selects along dimension 0 of an f32 tensor of rank 2 or more, "
                      "got " + t.dtype + " " + shapeStr(t.shape));
    return std::nullopt;
  }
  if (!staticDimension(t.shape, 0, e.lhs->loc, "indexing"))
    return std::nullopt;
  if (i->i < 0 || i->i >= t.shape[0]) {
    error(e.rhs->loc, "index " + std::to_string(i->i) + " is outside dimension 0 of " +
                          shapeStr(t.shape));
    return std::nullopt;
  }
  if (!inStatement(e.loc))
    return std::nullopt;
  Node &op = appendOp(Node::OpKind::Select, {id},
                      std::vector<int64_t>(t.shape.begin() + 1, t.shape.end()), e.loc);
  op.offset = i->i;
  return ParamValue::ofTensor(op.out);
}

std::optional<ParamValue> Elaborator::apply(const BlockValue &bv) {
  if (!seq) {
    error(bv.loc, "a block applied to a tensor must stand in a statement (a 'let' or a 'return')");
    return std::nullopt;
  }
  // The scope: where the enclosing statements name their weights.
  int64_t cur = bv.positional.front();
  std::vector<int64_t> results;
  auto node = instantiate(bv, scope, cur, nullptr, &results);
  if (!node)
    return std::nullopt;
  seq->children.push_back(std::move(node));
  if (results.size() > 1) {
    ParamValue tuple;
    tuple.kind = ParamValue::Kind::Tuple;
    tuple.items = results;
    return tuple;
  }
  return ParamValue::ofTensor(cur);
}
