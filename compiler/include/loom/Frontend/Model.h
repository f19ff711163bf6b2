//===- Model.h - An elaborated model: instances, shapes, weights -*- C++ -*-===//
#ifndef LOOM_FRONTEND_MODEL_H
#define LOOM_FRONTEND_MODEL_H

#include "loom/Frontend/AST.h"
#include "loom/Frontend/Diagnostics.h"
#include "loom/Plugin/Plugin.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace loom {

struct Node;

/// A plugin use with its resolved parameters.
class Instance : public BlockInstance {
public:
  const ParamValue &param(const std::string &name) const override;
  bool isExplicit(const std::string &name) const override { return explicitParams.count(name); }
  const std::vector<int64_t> &inputShape() const override { return in; }
  const std::string &path() const override { return path_; }
  const ParamValue *context(const std::string &name) const override {
    auto it = contextValues.find(name);
    return it == contextValues.end() ? nullptr : &it->second;
  }
  const std::pair<std::vector<int64_t>, std::string> *
  tensorType(const std::string &name) const override {
    auto it = tensorTypes.find(name);
    return it == tensorTypes.end() ? nullptr : &it->second;
  }

  const BlockPlugin *plugin = nullptr;
  std::map<std::string, ParamValue> params;
  std::set<std::string> explicitParams;
  std::map<std::string, ast::SourceLoc> argLocs;
  std::vector<int64_t> in, out;
  std::string path_;
  ast::SourceLoc loc;
  std::map<std::string, std::unique_ptr<Node>> subBlocks; ///< block-valued parameters
  std::map<std::string, std::string> weightNames;         ///< local name -> full name
  std::map<std::string, ParamValue> contextValues;        ///< passed down by the parent
  /// Tensor parameters given (not `none`): shape and element type.
  std::map<std::string, std::pair<std::vector<int64_t>, std::string>> tensorTypes;
  /// Step bodies (inferStepBody): the states their blocks declared, full name and shape.
  std::map<std::string, std::vector<std::pair<std::string, std::vector<int64_t>>>> stepStates;
  std::map<std::string, int64_t> stepLengths; ///< step bodies: the loop's number of steps
};

/// The elaborated model tree. Tensors are numbered (ids into Model::tensors); every node
/// reads the stream `in` and leaves its result in `out`, and a node may read other tensors
/// by id (a plugin's tensor parameters, an Op's operands), so the tree carries the spec's
/// dataflow: several streams, values used twice, blocks with several results.
struct Node {
  enum class Kind { Leaf, Seq, Residual, SharedRepeat, Capture, Op };
  Kind kind = Kind::Seq;
  ast::SourceLoc loc;
  int64_t in = -1, out = -1; ///< the stream's tensor id on entry and on exit
  /// Op: a tensor operation written in an expression (`x + h`, `0.5 * h`, `concat(a, b)`,
  /// `chunk(x, 3)`'s parts, `narrow(x, 1, 0, n)`, `mems[l]`); `out` is its result. Write
  /// (`new_mems[l] = h;`) stores operands[0] into slot `offset` of the model output `name`
  /// (offset -1: the whole output) and has no result.
  enum class OpKind { Add, Sub, Mul, Scale, Concat, Slice, Select, Write };
  OpKind op = OpKind::Add;
  std::vector<int64_t> operands; ///< Op: tensor ids
  double scalar = 1.0;           ///< Op Scale: the factor
  /// Op Concat and Slice: the dimension they act on (0-based).
  int64_t dim = 0;
  /// Op Slice: [offset, offset + size) along `dim`; with groups > 1 (features only), that
  /// range of each of `groups` equal groups of the features (GPT-NeoX's per-head packing),
  /// concatenated. Op Select: entry `offset` of dimension 0, which the result drops.
  int64_t offset = 0, size = 0, groups = 1;
  int64_t sumId = -1;            ///< Residual post_norm: the id of x + f(x), the norm's input
  /// Seq of a repeat: the iterations also carry tensors other than the stream, so they are
  /// emitted inline rather than as calls of one function.
  bool carriesTensors = false;
  std::unique_ptr<Instance> leaf;              ///< Leaf
  std::vector<std::unique_ptr<Node>> children; ///< Seq; SharedRepeat's body is children[0]
  int64_t count = 1;                           ///< SharedRepeat
  /// Seq of a (non-shared) `repeat`: children are the iterations, with weight paths
  /// `repeatPath.<i>.*`. Structurally identical iterations are emitted as one function.
  bool isRepeat = false;
  std::string repeatPath;
  std::string name;                            ///< Capture: the stream's name; Op Write: the output
  /// Residual placement: post_norm: norm(x + f(x)); pre_norm: x + f(norm(x));
  /// sandwich: x + outNorm(f(norm(x))).
  enum class Placement { PostNorm, PreNorm, Sandwich };
  Placement placement = Placement::PostNorm;   ///< Residual
  double scale = 1.0;                          ///< Residual: x + scale * f(x)
  std::unique_ptr<Node> norm;                  ///< Residual (may be null)
  std::unique_ptr<Node> outNorm;               ///< Residual, sandwich only
  std::unique_ptr<Node> body;                  ///< Residual
};

struct Weight {
  std::string name;
  std::vector<int64_t> shape;
  ast::SourceLoc loc;
  std::string dtype = "F32"; ///< safetensors spelling
};

/// A model input: the first is the stream the statements act on, f32 [batch, seq, d_model]
/// activations or integer token ids [batch, seq] that an embedding block consumes first;
/// others (e.g. `lengths: i64[batch]`) are passed to blocks by name.
struct ModelInput {
  std::string name;
  std::vector<int64_t> shape;
  std::string dtype; ///< "f32", "i32" or "i64"
  ast::SourceLoc loc;
  int64_t indexBound = 0; ///< integer inputs read as indices: entries must be in [0, bound)
  /// Per dimension: the model parameter that names it if it is dynamic (shape[i] is then
  /// kDynamicDim), else empty. Inputs that share a name must agree when the model runs.
  std::vector<std::string> dynamicDims;
  /// Integer inputs read as indices whose bound is a dynamic dimension's run-time size plus
  /// indexBoundPlus (key lengths: seq + 1); empty if none.
  std::string indexBoundDim;
  int64_t indexBoundPlus = 0;
};

/// A run-time limit on a dynamic dimension (a learned position table's rows).
struct DynamicBound {
  int64_t max = 0;
  std::string what; ///< e.g. "the rows of position table 'wpe' (learned_pe max_len)"
};

/// A tensor of the elaborated spec.
struct TensorInfo {
  std::vector<int64_t> shape;
  std::string dtype = "f32"; ///< "f32", "i32" or "i64"
};

struct Model {
  std::string name;
  /// Every tensor of the spec by id; ids 0..inputs.size()-1 are the model inputs.
  std::vector<TensorInfo> tensors;
  int64_t resultId = -1; ///< the tensor returned as the model's (first) output
  std::vector<ModelInput> inputs;
  /// The dynamic dimension at each position (one name per position), and their limits.
  std::map<int64_t, std::string> dynamicNames;
  std::map<std::string, DynamicBound> dynamicBounds;
  /// In a model with dynamic dimensions, the first block whose valid rows read the padding
  /// ("'depthwise_conv1d' at file:line:col"; see BlockPlugin::ignoresPadding), or "": a
  /// packed run is refused when it is set.
  std::string packBlocker;
  std::vector<int64_t> outputShape;
  /// Per dimension of the output: the dynamic model parameter that sizes it, or "" (empty
  /// when the output is static).
  std::vector<std::string> outputDynamicDims;
  /// Extra outputs; slot i of output o is written by the block in slotWriters[o][i].
  std::vector<ModelInput> outputs;
  /// Streams named by `capture` (f32 [batch, seq, d]), readable where inputs are.
  std::vector<ModelInput> captures;
  std::vector<Weight> weights;
  /// Tensors accepted in a weights file but not read (see WeightSpec::unused).
  std::vector<Weight> unusedWeights;
  std::unique_ptr<Node> root;
};

/// All files of a compilation (the main spec and its imports).
struct Program {
  std::vector<std::unique_ptr<ast::File>> files;
};

/// Parses `path` and, transitively, its imports (searched next to the importing file, then
/// in `includeDirs`). Returns false after reporting errors.
bool loadProgram(const std::string &path, const std::vector<std::string> &includeDirs,
                 DiagnosticEngine &diag, Program &program);

/// Checks and elaborates the model of `program` (exactly one `model`), with hyperparameter
/// overrides `name=value` from the command line. Returns null after reporting errors.
std::unique_ptr<Model> elaborate(const Program &program,
                                 const std::map<std::string, std::string> &overrides,
                                 DiagnosticEngine &diag);

/// Emits `func.func @forward` in the loom dialect for an elaborated model.
mlir::OwningOpRef<mlir::ModuleOp> emitModel(const Model &model, mlir::MLIRContext &ctx);

} // namespace loom

#endif
