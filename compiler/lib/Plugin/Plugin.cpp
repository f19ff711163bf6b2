//===- Plugin.cpp - the plugin registry -----------------------------------===//
#include "loom/Plugin/Plugin.h"

#include <cmath>
#include <dlfcn.h>
#include <unistd.h>
#include <sstream>

using namespace loom;

const char *loom::categoryName(BlockCategory c) {
  switch (c) {
  case BlockCategory::Layer: return "layer";
  case BlockCategory::Activation: return "activation";
  case BlockCategory::Norm: return "norm";
  case BlockCategory::Position: return "position";
  }
  return "?";
}

std::string ParamValue::str() const {
  std::ostringstream os;
  switch (kind) {
  case Kind::Int:
    if (dynamic)
      os << "a dynamic int";
    else
      os << "int " << i;
    break;
  case Kind::Float: os << "float " << f; break;
  case Kind::Bool: os << "bool " << (b ? "true" : "false"); break;
  case Kind::String: os << "string \"" << s << "\""; break;
  case Kind::Symbol: os << "'" << s << "'"; break;
  case Kind::Block: os << "block '" << block->kind << "'"; break;
  case Kind::Input: os << (s.empty() ? std::string("no input") : "input '" + s + "'"); break;
  case Kind::Output: os << (s.empty() ? std::string("no output") : "output '" + s + "'"); break;
  case Kind::Tensor: os << (i < 0 ? "no tensor" : "a tensor"); break;
  case Kind::Tuple: os << "a tuple of " << items.size() << " tensors"; break;
  }
  return os.str();
}

std::string ParamType::str() const {
  switch (kind) {
  case Kind::Int: return "an int";
  case Kind::Float: return "a float";
  case Kind::Bool: return "a bool";
  case Kind::String: return "a string";
  case Kind::Enum: {
    if (enumValues.empty())
      return "a symbol";
    std::string s = "one of ";
    for (size_t i = 0; i < enumValues.size(); ++i)
      s += (i ? " | " : "") + enumValues[i];
    return s;
  }
  case Kind::Block:
    return category ? std::string("a block of category '") + categoryName(*category) + "'"
                    : "a block";
  case Kind::Input:
    return "a model input or none";
  case Kind::Output:
    return "a model output or none";
  case Kind::Tensor:
    return "a tensor";
  }
  return "?";
}

ParamValue ParamValue::ofBlock(const std::string &kind) {
  ParamValue p;
  p.kind = Kind::Block;
  p.block = std::make_shared<BlockValue>();
  p.block->kind = kind;
  return p;
}

AttentionGeometry AttentionPositionPlugin::geometry(const BlockInstance &inst) {
  AttentionGeometry g;
  const std::vector<int64_t> &in = inst.inputShape();
  g.batch = in[0];
  g.seqQ = in[1];
  g.dModel = in[2];
  g.seqK = inst.context("seq_k") ? inst.context("seq_k")->i : in[1];
  g.nHeads = inst.context("n_heads")->i;
  g.dHead = g.dModel / g.nHeads;
  g.causal = inst.context("causal") && inst.context("causal")->b;
  g.scale = inst.context("scale") ? inst.context("scale")->f : 1.0 / std::sqrt(double(g.dHead));
  return g;
}

bool AttentionPositionPlugin::infer(const BlockInstance &inst, InferContext &ctx,
                                    std::vector<int64_t> &outShape,
                                    std::vector<WeightSpec> &weights) const {
  if (!inst.context("n_heads")) {
    ctx.error("", "'" + name() + "' is a position scheme inside attention; use it as " +
                      "attention(..., position = " + name() + ")");
    return false;
  }
  outShape = inst.inputShape();
  return inferInAttention(inst, geometry(inst), ctx, weights);
}

PluginRegistry &PluginRegistry::instance() {
  static PluginRegistry registry;
  return registry;
}

bool PluginRegistry::add(std::unique_ptr<BlockPlugin> plugin) {
  std::string name = plugin->name();
  return plugins.emplace(name, std::move(plugin)).second;
}

const BlockPlugin *PluginRegistry::lookup(const std::string &name) const {
  auto it = plugins.find(name);
  return it == plugins.end() ? nullptr : it->second.get();
}

std::vector<const BlockPlugin *> PluginRegistry::all() const {
  std::vector<const BlockPlugin *> out;
  for (const auto &[n, p] : plugins)
    out.push_back(p.get());
  return out;
}

bool PluginRegistry::loadLibrary(const std::string &path, std::string &error) {
  size_t before = plugins.size();
  // `--plugin lstm.so` names a file: dlopen would search the library path for a name
  // without a slash, so a file in the working directory is opened as ./lstm.so.
  std::string file = path;
  if (path.find('/') == std::string::npos && access(path.c_str(), F_OK) == 0)
    file = "./" + path;
  void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    error = dlerror();
    return false;
  }
  if (plugins.size() == before) {
    error = "'" + path + "' registered no plugin (use LOOM_REGISTER_PLUGIN)";
    return false;
  }
  return true;
}
