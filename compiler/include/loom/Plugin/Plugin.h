//===- Plugin.h - The one interface of every Loom block ---------*- C++ -*-===//
//
// Every block kind (attention, linear, norms, activations, position encodings) is a
// BlockPlugin: its parameters with types and defaults, shape inference and weights, and how
// it emits `loom` dialect ops. The compiler core names no plugin; built-ins register
// themselves with LOOM_REGISTER_PLUGIN, and `loomc --plugin lib.so` loads more (a shared
// library whose static initialisers register its plugins the same way).
//
// Activations flowing between blocks are f32 tensors `[batch, seq, features]`.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_PLUGIN_PLUGIN_H
#define LOOM_PLUGIN_PLUGIN_H

#include "loom/Frontend/AST.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace loom {

/// What role a block plays; a parameter typed `activation`, `norm` or `position` accepts
/// only blocks of that category (`block` accepts any).
enum class BlockCategory { Layer, Activation, Norm, Position };
const char *categoryName(BlockCategory c);

struct BlockValue;

/// A dimension left dynamic at compile time (`loomc -D seq=?`): its size is known only when
/// the model runs. Shapes carry it as this value, which is mlir::ShapedType::kDynamic, so
/// tensor types built from them print as `?`. A dimension c rows longer than the dynamic
/// size at its position (a concatenation with c static rows: a Transformer-XL memory's
/// mem_len + seq) is kDynamicDim + c, so shapes still compare exactly: [?+8] is not [?].
/// Tensor types take every dynamic dimension as `?` (mlirDim).
constexpr int64_t kDynamicDim = std::numeric_limits<int64_t>::min();
/// The most static rows a dynamic dimension may carry beyond its dynamic size.
constexpr int64_t kDynamicExtraLimit = int64_t(1) << 50;
inline bool isDynamicDim(int64_t d) { return d < kDynamicDim + kDynamicExtraLimit; }
/// The static rows a dynamic dimension has beyond the dynamic size at its position (0 for
/// a model input's `seq`).
inline int64_t dynamicExtra(int64_t d) { return d - kDynamicDim; }
/// The dimension as a tensor type takes it: any dynamic one is `?`.
inline int64_t mlirDim(int64_t d) { return isDynamicDim(d) ? kDynamicDim : d; }

/// A hyperparameter's value after evaluation.
struct ParamValue {
  enum class Kind { Int, Float, Bool, String, Symbol, Block, Input, Output, Tensor, Tuple };
  Kind kind = Kind::Int;
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s; ///< String contents, a Symbol's identifier (enum values like `pre_norm`),
                 ///< or an Input's model input name (empty: no input)
  std::shared_ptr<BlockValue> block;
  /// Tuple: the tensors of a block that returns several (`return y1, y2;`), by id.
  std::vector<int64_t> items;

  /// Int: a model parameter left dynamic (`-D seq=?`); `i` is then kDynamicDim. It may only
  /// size a model input's dimension; arithmetic on it and block parameters reject it.
  /// Also a run-time size, `size(x, d)` along a dynamic dimension (`i` is that dimension,
  /// `dynamicPosition` is d), which only narrow's start and length take.
  bool dynamic = false;
  int64_t dynamicPosition = -1;

  static ParamValue ofInt(int64_t v) { ParamValue p; p.kind = Kind::Int; p.i = v; return p; }
  static ParamValue dynamicInt() { ParamValue p = ofInt(kDynamicDim); p.dynamic = true; return p; }
  static ParamValue ofFloat(double v) { ParamValue p; p.kind = Kind::Float; p.f = v; return p; }
  static ParamValue ofBool(bool v) { ParamValue p; p.kind = Kind::Bool; p.b = v; return p; }
  static ParamValue ofString(std::string v) { ParamValue p; p.kind = Kind::String; p.s = std::move(v); return p; }
  static ParamValue ofSymbol(std::string v) { ParamValue p; p.kind = Kind::Symbol; p.s = std::move(v); return p; }
  /// A reference to a model input (`input lengths: i64[batch];`); empty name = none.
  static ParamValue ofInput(std::string name) { ParamValue p; p.kind = Kind::Input; p.s = std::move(name); return p; }
  /// A reference to an extra model output (`output new_mems: f32[...]`); empty name = none.
  static ParamValue ofOutput(std::string name) { ParamValue p; p.kind = Kind::Output; p.s = std::move(name); return p; }
  /// A tensor value of the spec (`let h = layer_norm(x);`), by its elaboration id; -1 = none.
  /// A plugin reads a tensor-typed parameter with EmitContext::tensor.
  static ParamValue ofTensor(int64_t id) { ParamValue p; p.kind = Kind::Tensor; p.i = id; return p; }
  /// A block value naming `kind` with no arguments (e.g. a default `position = none`).
  static ParamValue ofBlock(const std::string &kind);
  std::string str() const;
};

/// A block used as a value: `layer_norm(eps = 1e-6) as norm1`, `gelu`. Its arguments are
/// already evaluated in the scope where it was written.
struct BlockValue {
  std::string kind;                        ///< plugin or user block name
  std::map<std::string, ParamValue> args;  ///< as written (defaults are filled on use)
  std::map<std::string, ast::SourceLoc> argLocs;
  std::string asName;                      ///< `as NAME`, or empty
  ast::SourceLoc loc;
  /// Positional (tensor) arguments, by tensor id: the first is the block's input, the rest
  /// bind to its tensor-typed parameters in order (`sdpa(q, k, v)`).
  std::vector<int64_t> positional;
  std::vector<ast::SourceLoc> positionalLocs;
  /// Set by `let`: the absolute weight path of a shared instance (all uses share weights).
  std::string sharedPath;
};

/// The type of a hyperparameter.
struct ParamType {
  enum class Kind { Int, Float, Bool, String, Enum, Block, Input, Output, Tensor };
  Kind kind = Kind::Int;
  std::vector<std::string> enumValues;    ///< Enum
  std::optional<BlockCategory> category;  ///< Block: required category, or any
  static ParamType Int() { return {Kind::Int, {}, {}}; }
  static ParamType Float() { return {Kind::Float, {}, {}}; }
  static ParamType Bool() { return {Kind::Bool, {}, {}}; }
  static ParamType String() { return {Kind::String, {}, {}}; }
  static ParamType Enum(std::vector<std::string> values) { return {Kind::Enum, std::move(values), {}}; }
  static ParamType Block(std::optional<BlockCategory> c) { return {Kind::Block, {}, c}; }
  /// A model input other than the main stream, or `none`.
  static ParamType Input() { return {Kind::Input, {}, {}}; }
  /// An extra model output, or `none`.
  static ParamType Output() { return {Kind::Output, {}, {}}; }
  /// A tensor of the spec (a model input, a `let`-bound value, a block's result), or `none`
  /// when the parameter has a default. Positional arguments after the first (the block's
  /// input) fill a plugin's tensor parameters in the order they are declared.
  static ParamType Tensor() { return {Kind::Tensor, {}, {}}; }
  std::string str() const;
};

struct ParamSpec {
  std::string name;
  ParamType type;
  std::optional<ParamValue> defaultValue; ///< none: the parameter is required
  std::string doc;
};

/// A weight a block instance needs, named relative to the instance (e.g. `weight`,
/// `in_proj_weight`, `out_proj.bias`); the full name prefixes the instance path.
struct WeightSpec {
  WeightSpec(std::string name, std::vector<int64_t> shape)
      : name(std::move(name)), shape(std::move(shape)) {}
  std::string name;
  std::vector<int64_t> shape;
  /// A tensor the reference implementation's state_dict carries but inference never reads
  /// (torch.nn.BatchNorm1d's `num_batches_tracked`, an I64 scalar): the runtime accepts it
  /// when present (checking its shape and dtype) and does not require it.
  bool unused = false;
  std::string dtype = "F32"; ///< safetensors spelling; used weights are always F32
  /// The instance reads only some rows of this weight, and other instances may read other
  /// rows of the same weight (torch.nn.MultiheadAttention's packed in_proj when the queries
  /// and the keys/values come from different tensors): declarations of one name and shape
  /// that are all views are one weight.
  bool rowView = false;
  /// The absolute name of an existing weight this one is (weight tying, e.g. an output
  /// projection that reuses the token embedding, Press & Wolf 2017); the shapes must agree.
  std::string tiedTo;
};

/// One use of a plugin in a model: resolved parameters and the input shape.
class BlockInstance {
public:
  virtual ~BlockInstance() = default;
  virtual const ParamValue &param(const std::string &name) const = 0;
  /// True if the parameter was written at the use site (not defaulted).
  virtual bool isExplicit(const std::string &name) const = 0;
  virtual const std::vector<int64_t> &inputShape() const = 0;
  /// The weight path prefix of this instance, e.g. `layers.0.self_attn`.
  virtual const std::string &path() const = 0;
  /// A value the enclosing block passed down (see InferContext::inferSubBlock), or null.
  virtual const ParamValue *context(const std::string &name) const = 0;
  /// The shape and element type ("f32", "i32", "i64") of the tensor parameter `name`, or
  /// null when it is `none`.
  virtual const std::pair<std::vector<int64_t>, std::string> *
  tensorType(const std::string &name) const = 0;

  int64_t getInt(const std::string &n) const { return param(n).i; }
  double getFloat(const std::string &n) const { return param(n).f; }
  bool getBool(const std::string &n) const { return param(n).b; }
  const std::string &getSymbol(const std::string &n) const { return param(n).s; }
};

/// Shape inference's channel back to the compiler.
class InferContext {
public:
  virtual ~InferContext() = default;
  /// Reports an error at the argument `param` if it was written, else at the use site.
  virtual void error(const std::string &param, const std::string &message) = 0;
  /// The shape and element type ("f32", "i32", "i64") of the model input `name`.
  virtual std::optional<std::pair<std::vector<int64_t>, std::string>>
  inputType(const std::string &name) const = 0;
  /// Reserves slot `index` (along the first dimension) of the extra output `name` for this
  /// block, whose value will have shape `sliceShape`; reports an error (and returns false)
  /// if the output does not exist, the shape or index does not fit, or the slot is taken.
  virtual bool claimOutputSlot(const std::string &param, const std::string &name, int64_t index,
                               const std::vector<int64_t> &sliceShape) = 0;
  /// Reserves all of the extra output `name` for this block, whose value will have `shape`
  /// (written with EmitContext::writeOutput at index -1). Errors as claimOutputSlot.
  virtual bool claimOutput(const std::string &param, const std::string &name,
                           const std::vector<int64_t> &shape, const std::string &dtype = "f32") = 0;
  /// Infers a block-valued parameter (e.g. an activation) applied to `inShape`; its weights
  /// are named under this instance. `context` is visible to the sub-block through
  /// BlockInstance::context. Returns nullopt after reporting an error.
  virtual std::optional<std::vector<int64_t>>
  inferSubBlock(const std::string &param, const std::vector<int64_t> &inShape,
                const std::map<std::string, ParamValue> &context = {}) = 0;
  /// As inferSubBlock, for a sub-block the plugin emits inside a run-time loop (e.g. the
  /// shared step of adaptive computation time): its blocks may not write extra outputs,
  /// since values computed in the loop do not leave it.
  virtual std::optional<std::vector<int64_t>>
  inferLoopBody(const std::string &param, const std::vector<int64_t> &inShape) = 0;
  /// Infers a block-valued parameter run once per step of an autoregressive loop of at most
  /// `maxSteps` steps, on integer token ids `[batch, 1]` (the previous token), one sequence
  /// position per step. Blocks inside see stepLoopLength() and may carry state from step to
  /// step (declareState); blocks that are not BlockPlugin::stepwise() are rejected there.
  /// `tokenBound` receives the bound the body's embedding puts on its token ids (0: none);
  /// the loop must feed it only ids below it.
  virtual std::optional<std::vector<int64_t>>
  inferStepBody(const std::string &param, const std::vector<int64_t> &inShape,
                int64_t maxSteps, int64_t &tokenBound) = 0;
  /// Inside a step body: the loop's number of steps (positions); 0 elsewhere.
  virtual int64_t stepLoopLength() const = 0;
  /// Inside a step body: declares an f32 tensor `name` this block carries from one step to
  /// the next (e.g. a key/value cache); it is all zeros before the first step.
  virtual void declareState(const std::string &name, const std::vector<int64_t> &shape) = 0;
  /// Declares that every entry of the integer model input `input` (empty: the token-id
  /// stream this block consumes) must lie in [0, bound), e.g. a vocabulary size. The
  /// runtime checks it before each run and rejects the input with an error otherwise.
  virtual void requireIndexRange(const std::string &input, int64_t bound) = 0;
  /// As requireIndexRange, for the integer tensor parameter `param` (when it is a model
  /// input; integer tensors are only ever model inputs).
  virtual void requireIndexRangeOf(const std::string &param, int64_t bound) = 0;
  /// Dynamic dimensions (`loomc -D seq=?`) are told apart by position: each position of the
  /// model's tensors holds at most one (batch at 0, seq at 1). If position `dim` holds one,
  /// declares that its run-time size must be at most `bound` (a position table's rows);
  /// `what` names the limit in the runtime's error. Does nothing for a static dimension,
  /// which the block checks itself.
  virtual void boundDynamicDim(int64_t dim, int64_t bound, const std::string &what) = 0;
  /// As requireIndexRangeOf, with the bound the run-time size of the dynamic dimension at
  /// position `dim` plus `plus` (key lengths lie in [0, seq_k + 1)).
  virtual void requireIndexRangeOfDim(const std::string &param, int64_t dim, int64_t plus) = 0;
};

/// Emission's view of the module being built.
class EmitContext {
public:
  virtual ~EmitContext() = default;
  virtual mlir::OpBuilder &builder() = 0;
  /// The location of the use site.
  virtual mlir::Location loc() = 0;
  /// The function argument holding this instance's weight `name` (as in WeightSpec).
  virtual mlir::Value weight(const std::string &name) = 0;
  /// The function argument of the model input `name` (see ParamType::Input).
  virtual mlir::Value input(const std::string &name) = 0;
  /// The value of the tensor parameter `name` (see ParamType::Tensor); null when `none`.
  virtual mlir::Value tensor(const std::string &name) = 0;
  /// Writes `value` into slot `index` of the extra output `name` (claimed during infer);
  /// index -1 writes the whole output (claimed with InferContext::claimOutput).
  virtual void writeOutput(const std::string &name, int64_t index, mlir::Value value) = 0;
  /// Inside a step body: the loop's number of steps (positions); 0 elsewhere.
  virtual int64_t stepLoopLength() = 0;
  /// Inside a step body: the position (index) of the step's row in the sequence.
  virtual mlir::Value stepPosition() = 0;
  /// Inside a step body: the value of this block's state `name` before this step.
  virtual mlir::Value state(const std::string &name) = 0;
  /// Inside a step body: sets the value of state `name` after this step.
  virtual void setState(const std::string &name, mlir::Value value) = 0;
  /// The types of the states a step body (see InferContext::inferStepBody) carries, in order.
  virtual llvm::SmallVector<mlir::Type> stepBodyStateTypes(const std::string &param) = 0;
  /// Emits a step body on `input` at position `step` with its states' values before the
  /// step; returns its output followed by the states' values after the step.
  virtual llvm::SmallVector<mlir::Value> emitStepBody(const std::string &param, mlir::Value input,
                                                      mlir::Value step, mlir::ValueRange states) = 0;
  /// Emits a block-valued parameter applied to `input`.
  virtual mlir::Value emitSubBlock(const std::string &param, mlir::Value input) = 0;
  /// Gives `fn` the plugin, instance and emission context of a block-valued parameter, for
  /// plugins that call a sub-block through a richer interface than tensor -> tensor.
  virtual void withSubBlock(
      const std::string &param,
      llvm::function_ref<void(const class BlockPlugin &, const BlockInstance &, EmitContext &)> fn) = 0;
};

class BlockPlugin {
public:
  virtual ~BlockPlugin() = default;
  /// The name used in specs, e.g. `attention`.
  virtual std::string name() const = 0;
  virtual BlockCategory category() const = 0;
  /// One line for `loomc --list-plugins`, with the formula's source.
  virtual std::string summary() const = 0;
  virtual std::vector<ParamSpec> params() const = 0;
  /// True for blocks that read integer token ids `[batch, seq]` (i32 or i64) and produce
  /// f32 activations (embeddings). A model whose first input is integer must start with
  /// one; every other block gets f32 activations.
  virtual bool consumesTokenIds() const { return false; }
  /// True if the block can run inside a step loop (autoregressive decoding, one new position
  /// per step; see InferContext::inferStepBody): blocks that treat each position on its own
  /// (linear, norms over features, activations), and blocks that handle the loop themselves
  /// (causal self-attention keeps a key/value cache). Others are rejected there, since
  /// run on one position they would compute something else.
  virtual bool stepwise() const { return false; }
  /// True if infer() and emit() handle dynamic batch and sequence dimensions (kDynamicDim in
  /// inputShape() and tensor parameters' shapes; `?` in the tensor types emit() sees). A
  /// block that does not is an error in a model compiled with dynamic dimensions, never a
  /// wrong answer.
  virtual bool dynamicShapes() const { return false; }
  /// True if the block's output rows before an example's length do not depend on its rows
  /// past it: position-wise blocks, and attention whose padded keys are masked (or causal).
  /// A packed run (`--pack`, loom_model_run_packed) runs each example of a padded batch
  /// alone on its valid rows; it is exact only for a model whose blocks all say so, and is
  /// refused for any other (a convolution or a norm over the sequence reads the padding).
  virtual bool ignoresPadding(const BlockInstance &) const { return false; }
  /// Checks the parameters against `inst.inputShape()`, sets the output shape and lists the
  /// weights. Returns false after reporting errors through `ctx`.
  virtual bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &outShape,
                     std::vector<WeightSpec> &weights) const = 0;
  /// Emits `loom` ops computing the block on `input`.
  virtual mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value input) const = 0;
};

/// What attention tells the position scheme it uses. Shapes: q is [batch, seq_q, d_model],
/// k and v are [batch, seq_k, d_model], d_model = n_heads * d_head.
struct AttentionGeometry {
  int64_t batch = 0, seqQ = 0, seqK = 0, dModel = 0, nHeads = 0, dHead = 0;
  bool causal = false;
  double scale = 0; ///< the factor applied to Q K^T
};

/// A position scheme that works inside attention (RoPE, ALiBi, ...), used as
/// `attention(position = rope(...))`. Absolute encodings (added to the input) are plain
/// BlockPlugins of category Position instead.
class AttentionPositionPlugin : public BlockPlugin {
public:
  BlockCategory category() const override { return BlockCategory::Position; }
  /// Schemes read positions relative to the example's first row (i, j, i - j), the same in
  /// a packed run; the attention holding the scheme decides about the padding.
  bool ignoresPadding(const BlockInstance &) const override { return true; }
  /// Checks the scheme against attention's geometry and lists its weights (named under the
  /// scheme's instance). Reports errors through `ctx`.
  virtual bool inferInAttention(const BlockInstance &inst, const AttentionGeometry &g,
                                InferContext &ctx, std::vector<WeightSpec> &weights) const = 0;
  /// Transforms the projected queries and keys before the scores. Default: none.
  virtual void transformQK(const BlockInstance &inst, EmitContext &ctx, const AttentionGeometry &g,
                           mlir::Value &q, mlir::Value &k) const {}
  /// An additive score bias, [n_heads, seq_q, seq_k] or [batch, n_heads, seq_q, seq_k], or
  /// null; added after the scale. `q` and `k` are the (transformed) projections. Default: none.
  virtual mlir::Value scoreBias(const BlockInstance &inst, EmitContext &ctx,
                                const AttentionGeometry &g, mlir::Value q, mlir::Value k) const {
    return {};
  }
  /// The default score scale becomes 1/sqrt(d_head * factor) (DeBERTa: 3, for its three
  /// score terms). Default: 1.
  virtual double scoreScaleFactor() const { return 1.0; }
  /// Relative value embeddings [2 * max_distance + 1, d_head] (Shaw et al. 2018) and their
  /// max_distance, or {null, 0}. Default: none.
  virtual std::pair<mlir::Value, int64_t> relativeValues(const BlockInstance &inst,
                                                         EmitContext &ctx,
                                                         const AttentionGeometry &g) const {
    return {mlir::Value(), 0};
  }

  /// As a block: valid only inside attention (reads the geometry attention passes down).
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &outShape,
             std::vector<WeightSpec> &weights) const final;
  mlir::Value emit(const BlockInstance &, EmitContext &, mlir::Value input) const final {
    return input;
  }
  /// The geometry attention passed down to `inst`.
  static AttentionGeometry geometry(const BlockInstance &inst);
};

/// The process-wide set of plugins.
class PluginRegistry {
public:
  static PluginRegistry &instance();
  /// Adds a plugin; returns false (and keeps the first) if the name is taken.
  bool add(std::unique_ptr<BlockPlugin> plugin);
  const BlockPlugin *lookup(const std::string &name) const;
  std::vector<const BlockPlugin *> all() const;
  /// dlopen()s a plugin library; its static initialisers register its plugins.
  bool loadLibrary(const std::string &path, std::string &error);

private:
  std::map<std::string, std::unique_ptr<BlockPlugin>> plugins;
};

template <typename T> struct PluginRegistrar {
  PluginRegistrar() { PluginRegistry::instance().add(std::make_unique<T>()); }
};

} // namespace loom

#define LOOM_REGISTER_PLUGIN(CLASS) \
  static ::loom::PluginRegistrar<CLASS> loomPluginRegistrar_##CLASS;

#endif
