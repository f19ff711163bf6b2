//===- Dot.cpp - a Graphviz picture of a model in the loom dialect --------===//
//
// See Dot.h. Only values computed from the model's inputs are drawn as boxes and edges;
// values computed from weights alone (a concat that packs q, k and v, a transpose) are
// folded into the box that reads them, as the weights' names.
//
//===----------------------------------------------------------------------===//
#include "loom/Driver/Dot.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"

#include <cstdio>
#include <set>
#include <string>
#include <vector>

using namespace mlir;

namespace {

/// Weight names in first-use order, each once.
using NameSet = llvm::SetVector<std::string, std::vector<std::string>, std::set<std::string>>;

std::string shapeOf(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  if (!rt)
    return "";
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(rt.getShape()))
    s += (i ? ", " : "") + (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d));
  std::string et;
  llvm::raw_string_ostream os(et);
  rt.getElementType().print(os);
  return s + "] " + et;
}

std::string escape(StringRef s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\')
      out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

/// The name a block argument carries: a model input, a weight or a layer function's weight.
std::string argName(BlockArgument a) {
  auto fn = dyn_cast<func::FuncOp>(a.getOwner()->getParentOp());
  if (!fn)
    return "";
  for (StringRef attr : {"loom.input", "loom.weight", "loom.weight_param"})
    if (auto s = fn.getArgAttrOfType<StringAttr>(a.getArgNumber(), attr))
      return s.getValue().str();
  return "";
}

bool isWeightArg(Value v) {
  auto a = dyn_cast<BlockArgument>(v);
  if (!a)
    return false;
  auto fn = dyn_cast<func::FuncOp>(a.getOwner()->getParentOp());
  return fn && (fn.getArgAttr(a.getArgNumber(), "loom.weight") ||
                fn.getArgAttr(a.getArgNumber(), "loom.weight_param"));
}

class DotPrinter {
public:
  explicit DotPrinter(llvm::raw_ostream &os) : os(os) {}

  void print(ModuleOp module) {
    StringRef name = "model";
    if (auto n = module->getAttrOfType<StringAttr>("loom.model"))
      name = n.getValue();
    os << "digraph \"" << escape(name) << "\" {\n"
       << "  rankdir=TB; fontname=\"Helvetica\"; labelloc=t;\n"
       << "  label=\"" << escape(name)
       << " (orange: built by the fusion passes; edges: tensor shapes)\";\n"
       << "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#dde8f6\", "
          "fontname=\"Helvetica\", fontsize=10];\n"
       << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
    // Layer functions first, each once, as a cluster.
    module.walk([&](func::FuncOp fn) {
      if (!fn->hasAttr("loom.entry") && !fn.isExternal() && !fn.getName().ends_with("_prepare"))
        function(fn, /*cluster=*/true);
    });
    module.walk([&](func::FuncOp fn) {
      if (fn->hasAttr("loom.entry"))
        function(fn, /*cluster=*/false);
    });
    os << "}\n";
  }

private:
  /// Whether `v` depends on weights and constants only (drawn inside its users' boxes).
  bool weightOnly(Value v) {
    if (isWeightArg(v))
      return true;
    if (isa<BlockArgument>(v))
      return false;
    Operation *def = v.getDefiningOp();
    if (def->getNumRegions() || isa<func::CallOp>(def))
      return false;
    return llvm::all_of(def->getOperands(), [&](Value o) { return weightOnly(o); });
  }
  /// The weights a weight-only value reads, as "name [shape]".
  void weightsOf(Value v, NameSet &out) {
    if (auto a = dyn_cast<BlockArgument>(v)) {
      out.insert(argName(a) + " " + shapeOf(v.getType()));
      return;
    }
    for (Value o : v.getDefiningOp()->getOperands())
      weightsOf(o, out);
  }

  /// An attribute's value as the picture shows it; "" hides it (zeros, false: defaults).
  static std::string attrText(Attribute a) {
    if (auto b = dyn_cast<BoolAttr>(a))
      return b.getValue() ? "true" : "";
    if (auto i = dyn_cast<IntegerAttr>(a))
      return i.getType().isInteger(1) ? (i.getInt() ? "true" : "") :
             i.getInt() == 0 ? "" : std::to_string(i.getInt());
    if (auto f = dyn_cast<FloatAttr>(a)) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.4g", f.getValueAsDouble());
      return buf;
    }
    if (auto str = dyn_cast<StringAttr>(a))
      return str.getValue().str();
    std::string v;
    llvm::raw_string_ostream vs(v);
    a.print(vs);
    return v.size() < 40 ? v : "";
  }

  std::string id(Value v) {
    auto it = ids.find(v);
    return it == ids.end() ? "" : it->second;
  }

  /// What a fused op absorbed, one line each (empty: not a fusion product).
  std::vector<std::string> fusedParts(Operation *op, unsigned packedWeights) {
    std::vector<std::string> parts;
    if (packedWeights > 1)
      parts.push_back(std::to_string(packedWeights) + " weights packed into one matmul");
    if (auto linear = dyn_cast<loom::LinearOp>(op)) {
      if (op->hasAttr("glu"))
        parts.push_back("+ GLU gating");
      if (llvm::any_of(op->getAttrs(), [](NamedAttribute a) {
            return a.getName().getValue().starts_with("rope_");
          }))
        parts.push_back("+ RoPE on the outputs");
      if (linear.getResidual())
        parts.push_back("+ residual add");
    }
    for (Region &r : op->getRegions()) {
      std::vector<std::string> body;
      r.walk([&](Operation *inner) {
        if (inner->getNumResults() && inner->getName().getStringRef() != "loom.yield")
          body.push_back(inner->getName().stripDialect().str());
      });
      if (!body.empty())
        parts.push_back("+ epilogue: " + llvm::join(body, ", "));
    }
    return parts;
  }

  void function(func::FuncOp fn, bool cluster) {
    std::string prefix = cluster ? fn.getName().str() + "_" : "";
    std::string indent = cluster ? "    " : "  ";
    if (cluster) {
      int calls = 0;
      fn->getParentOfType<ModuleOp>().walk([&](func::CallOp c) {
        calls += c.getCallee() == fn.getName();
      });
      os << "  subgraph \"cluster_" << escape(fn.getName()) << "\" {\n"
         << "    label=\"@" << escape(fn.getName()) << ": one layer, called " << calls
         << " times (weights named as in the first call)\"; style=dashed;\n";
    }
    Block &body = fn.getBody().front();
    for (BlockArgument a : body.getArguments()) {
      if (isWeightArg(a))
        continue;
      std::string n = prefix + "arg" + std::to_string(a.getArgNumber());
      ids[a] = n;
      std::string label = argName(a);
      os << indent << n << " [shape=ellipse, fillcolor=\"#ffffff\", label=\""
         << escape((label.empty() ? "input" : "input " + label) + "\n" + shapeOf(a.getType()))
         << "\"];\n";
    }
    int counter = 0;
    for (Operation &op : body) {
      if (op.getNumResults() && llvm::all_of(op.getResults(), [&](Value r) { return weightOnly(r); }))
        continue; // drawn in its users' boxes
      std::string n = prefix + "op" + std::to_string(counter++);
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
          std::string out = n + "_" + std::to_string(i);
          os << indent << out << " [shape=ellipse, fillcolor=\"#ffffff\", label=\""
             << escape((i ? "output " + std::to_string(i) : std::string("output")) + "\n" +
                       shapeOf(v.getType()))
             << "\"];\n";
          edge(v, out, indent);
        }
        continue;
      }
      std::vector<std::string> lines;
      NameSet weights;
      unsigned packed = 0;
      std::string title = op.getName().getStringRef().str();
      if (auto call = dyn_cast<func::CallOp>(op))
        title = "call @" + call.getCallee().str();
      for (Value o : op.getOperands())
        if (weightOnly(o) && !isa_and_nonnull<arith::ConstantOp>(o.getDefiningOp())) {
          NameSet ws;
          weightsOf(o, ws);
          packed = std::max<unsigned>(packed, ws.size());
          weights.insert(ws.begin(), ws.end());
        }
      if (isa<func::CallOp>(op) && !weights.empty()) {
        // A layer call: the weights it passes share a prefix (layers.3.*).
        std::string common = weights[0].substr(0, weights[0].find(' '));
        for (const std::string &w : weights) {
          size_t k = 0;
          while (k < common.size() && k < w.size() && common[k] == w[k])
            ++k;
          common.resize(k);
        }
        lines.push_back("weights " + common + "* (" + std::to_string(weights.size()) + ")");
        packed = 0;
      } else {
        for (const std::string &w : weights)
          lines.push_back(w);
      }
      std::vector<std::string> parts = fusedParts(&op, packed);
      lines.insert(lines.end(), parts.begin(), parts.end());
      for (NamedAttribute a : op.getAttrs()) {
        StringRef k = a.getName().getValue();
        if (k == "callee" || k == "no_inline" || k.starts_with("rope_") || k == "glu" ||
            k == "operandSegmentSizes" || k.starts_with("static_"))
          continue;
        if (std::string v = attrText(a.getValue()); !v.empty())
          lines.push_back(v == "true" ? k.str() : k.str() + " = " + v);
      }
      if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
        title = "slice";
        lines.push_back("at [" + llvm::join(llvm::map_range(slice.getStaticOffsets(),
                                                            [](int64_t o) { return std::to_string(o); }),
                                            ", ") + "]");
      }
      if (op.getNumResults())
        lines.push_back("-> " + shapeOf(op.getResult(0).getType()));
      bool fused = !parts.empty();
      os << indent << n << " [label=\"" << escape(title);
      for (const std::string &l : lines)
        os << "\\n" << escape(l);
      os << "\"" << (fused ? ", fillcolor=\"#fbd9a5\"" : "") << "];\n";
      for (Value o : op.getOperands())
        if (!weightOnly(o))
          edge(o, n, indent);
      for (Value r : op.getResults())
        ids[r] = n;
    }
    if (cluster)
      os << "  }\n";
  }

  void edge(Value from, const std::string &to, const std::string &indent) {
    std::string src = id(from);
    if (src.empty())
      return;
    os << indent << src << " -> " << to << " [label=\"" << escape(shapeOf(from.getType()))
       << "\"];\n";
  }

  llvm::raw_ostream &os;
  llvm::DenseMap<Value, std::string> ids;
};

} // namespace

void loom::printDot(ModuleOp module, llvm::raw_ostream &os) { DotPrinter(os).print(module); }
