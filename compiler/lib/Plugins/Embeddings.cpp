//===- Embeddings.cpp - `embedding`, `add_embedding`, `tied_output` -------===//
//
// Token ids in, logits out. A model whose first input is integer token ids [batch, seq]
// starts with `embedding` (torch.nn.Embedding: a [vocab, d_model] table); `add_embedding`
// adds the embedding of another id input (BERT's token_type_embeddings); `tied_output`
// projects back to the vocabulary with the transpose of a `let`-shared embedding's table
// (Press & Wolf 2017; Vaswani et al. 2017 sec. 3.4).
//
//===----------------------------------------------------------------------===//
#include "loom/Plugin/PluginUtils.h"

using namespace loom;

namespace {

mlir::Value lookup(EmitContext &ctx, mlir::Value ids, const std::string &table, float scale) {
  mlir::OpBuilder &b = ctx.builder();
  auto idsT = mlir::cast<mlir::RankedTensorType>(ids.getType());
  auto tableT = mlir::cast<mlir::RankedTensorType>(ctx.weight(table).getType());
  return EmbeddingOp::create(
      b, ctx.loc(),
      plugins::f32Tensor(b, {idsT.getDimSize(0), idsT.getDimSize(1), tableT.getDimSize(1)}), ids,
      ctx.weight(table), b.getF32FloatAttr(scale));
}

bool checkSizes(const BlockInstance &inst, InferContext &ctx, int64_t &vocab) {
  vocab = inst.getInt("num_embeddings");
  if (vocab <= 0) {
    ctx.error("num_embeddings", "num_embeddings must be positive");
    return false;
  }
  return true;
}

class EmbeddingPlugin : public BlockPlugin {
public:
  /// Position-wise: runs unchanged inside a step loop.
  bool stepwise() const override { return true; }
  std::string name() const override { return "embedding"; }
  /// Position-wise: a packed run computes the valid rows exactly.
  bool ignoresPadding(const BlockInstance &) const override { return true; }
  /// Handles dynamic batch and sequence dimensions (see BlockPlugin::dynamicShapes).
  bool dynamicShapes() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "token ids [batch, seq] -> scale * weight[id], weight [num_embeddings, d_model] "
           "(torch.nn.Embedding; scale sqrt(d_model): Vaswani et al. 2017 sec. 3.4)";
  }
  bool consumesTokenIds() const override { return true; }
  std::vector<ParamSpec> params() const override {
    return {{"num_embeddings", ParamType::Int(), std::nullopt, "vocabulary size"},
            {"d_model", ParamType::Int(), std::nullopt, "embedding width"},
            {"scale", ParamType::Enum({"none", "sqrt_d_model"}), ParamValue::ofSymbol("none"),
             "none (BERT, GPT) or sqrt_d_model (the original Transformer)"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    int64_t vocab, d = inst.getInt("d_model");
    if (!checkSizes(inst, ctx, vocab))
      return false;
    if (d <= 0) {
      ctx.error("d_model", "d_model must be positive");
      return false;
    }
    ctx.requireIndexRange("", vocab);
    weights.push_back({"weight", {vocab, d}});
    out = {inst.inputShape()[0], inst.inputShape()[1], d};
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value ids) const override {
    float scale = inst.getSymbol("scale") == "sqrt_d_model"
                      ? static_cast<float>(std::sqrt(static_cast<double>(inst.getInt("d_model"))))
                      : 1.0f;
    return lookup(ctx, ids, "weight", scale);
  }
};

class AddEmbeddingPlugin : public BlockPlugin {
public:
  std::string name() const override { return "add_embedding"; }
  /// Position-wise: a packed run computes the valid rows exactly.
  bool ignoresPadding(const BlockInstance &) const override { return true; }
  /// Handles dynamic batch and sequence dimensions (see BlockPlugin::dynamicShapes).
  bool dynamicShapes() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "x + weight[ids] for another integer input ids [batch, seq] (BERT's "
           "token_type_embeddings); weight [num_embeddings, d_model]";
  }
  std::vector<ParamSpec> params() const override {
    return {{"ids", ParamType::Input(), std::nullopt, "the integer ids input"},
            {"num_embeddings", ParamType::Int(), std::nullopt, "rows of the table"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    int64_t vocab;
    if (!checkSizes(inst, ctx, vocab))
      return false;
    const std::string &name = inst.getSymbol("ids");
    auto type = ctx.inputType(name);
    const std::vector<int64_t> &in = inst.inputShape();
    if (name.empty() || !type) {
      ctx.error("ids", "needs an integer model input");
      return false;
    }
    if (type->second == "f32" ||
        type->first != std::vector<int64_t>{in[0], in[1]}) {
      ctx.error("ids", "'" + name + "' must be integer ids [" + std::to_string(in[0]) + ", " +
                             std::to_string(in[1]) + "] like the stream");
      return false;
    }
    ctx.requireIndexRange(name, vocab);
    weights.push_back({"weight", {vocab, in[2]}});
    out = in;
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    mlir::Value e = lookup(ctx, ctx.input(inst.getSymbol("ids")), "weight", 1.0f);
    return AddOp::create(ctx.builder(), ctx.loc(), x, e);
  }
};

class TiedOutputPlugin : public BlockPlugin {
public:
  /// Position-wise: runs unchanged inside a step loop.
  bool stepwise() const override { return true; }
  std::string name() const override { return "tied_output"; }
  /// Position-wise: a packed run computes the valid rows exactly.
  bool ignoresPadding(const BlockInstance &) const override { return true; }
  /// Handles dynamic batch and sequence dimensions (see BlockPlugin::dynamicShapes).
  bool dynamicShapes() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "logits x E^T (+ bias) with E the table of a let-shared `embedding` (weight tying, "
           "Press & Wolf 2017)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"embedding", ParamType::Block(std::nullopt), std::nullopt,
             "a `let`-bound embedding whose table is reused"},
            {"bias", ParamType::Bool(), ParamValue::ofBool(false), "add a bias [num_embeddings]"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    const BlockValue &e = *inst.param("embedding").block;
    if (e.kind != "embedding" || e.sharedPath.empty()) {
      ctx.error("embedding", "needs a `let`-bound embedding (let embed = embedding(...);), got '" +
                                 e.kind + "'");
      return false;
    }
    auto vocab = e.args.find("num_embeddings"), d = e.args.find("d_model");
    if (vocab == e.args.end() || d == e.args.end())
      return false; // reported where the embedding is used
    if (d->second.i != inst.inputShape().back()) {
      ctx.error("embedding", "the embedding is " + std::to_string(d->second.i) +
                                 " wide but the input has " +
                                 std::to_string(inst.inputShape().back()) + " features");
      return false;
    }
    WeightSpec w{"weight", {vocab->second.i, d->second.i}};
    w.tiedTo = e.sharedPath + ".weight";
    weights.push_back(w);
    if (inst.getBool("bias"))
      weights.push_back({"bias", {vocab->second.i}});
    out = plugins::withLastDim(inst.inputShape(), vocab->second.i);
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    int64_t vocab = mlir::cast<mlir::RankedTensorType>(ctx.weight("weight").getType()).getDimSize(0);
    return plugins::emitLinear(ctx, x, "weight", inst.getBool("bias") ? "bias" : "", vocab);
  }
};

} // namespace

LOOM_REGISTER_PLUGIN(EmbeddingPlugin)
LOOM_REGISTER_PLUGIN(AddEmbeddingPlugin)
LOOM_REGISTER_PLUGIN(TiedOutputPlugin)
