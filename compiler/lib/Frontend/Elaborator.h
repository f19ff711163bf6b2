//===- Elaborator.h - semantic checks and elaboration -----------*- C++ -*-===//
//
// The elaborator evaluates hyperparameters, type-checks arguments against plugin and block
// signatures, runs shape inference through every block, names every weight and rejects
// duplicates. Every error points at the offending source and, inside user blocks, adds
// notes for the chain of uses that led there.
//
// Tensors are values: each gets an id (Model::tensors). The stream that statements act on
// is the tensor `cur`; `let` binds tensors to names, and expressions append nodes to the
// statement list being elaborated (`seq`).
//
// Elaborate.cpp: the model and statements; ElaborateValues.cpp: values and types;
// ElaborateTensors.cpp: tensor expressions; ElaborateInstance.cpp: instantiating plugins
// and user blocks.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_FRONTEND_ELABORATOR_H
#define LOOM_FRONTEND_ELABORATOR_H

#include "loom/Frontend/Model.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace loom::detail {

std::string shapeStr(const std::vector<int64_t> &s);
std::string joinPath(const std::string &scope, const std::string &name);

using Env = std::map<std::string, ParamValue>;

/// Limits on what a spec may ask for (each a clear error): iterations of one repeat, and
/// elements of one tensor (2^40, so that byte sizes never overflow).
constexpr int64_t kMaxRepeat = 4096;
/// Block instances in one model (nested repeats multiply): beyond it elaboration stops.
constexpr int64_t kMaxInstances = 1'000'000;
constexpr int64_t kMaxElements = int64_t(1) << 40;

class Elaborator {
public:
  Elaborator(const Program &program, DiagnosticEngine &diag);
  std::unique_ptr<Model> run(const std::map<std::string, std::string> &overrides);

  //===--- Errors with the use chain ---------------------------------------===//
  void error(const ast::SourceLoc &loc, const std::string &msg);

  //===--- Values and types (ElaborateValues.cpp; tensors: ElaborateTensors.cpp) ===//
  bool typeFromName(const ast::ParamDecl &p, ParamType &t);
  std::optional<ParamValue> parseOverride(const std::string &text);
  bool isBlockName(const std::string &n) const;
  std::optional<BlockCategory> categoryOf(const std::string &kind) const;
  /// Checks `v` against `t` (an int is accepted as a float, a model input or capture as a
  /// tensor).
  bool coerce(ParamValue &v, const ParamType &t, const ast::SourceLoc &loc, const std::string &what);
  std::optional<ParamValue> eval(const ast::Expr &e, const Env &env);
  std::optional<ParamValue> makeBlockValue(const std::string &kind, const std::string &asName,
                                           const ast::SourceLoc &loc,
                                           const std::vector<ast::Arg> &args, const Env &env);
  /// `v` as a tensor id (a tensor, a model input or a capture), or -1 after an error.
  int64_t asTensor(const ParamValue &v, const ast::SourceLoc &loc, const std::string &what);
  /// Tensor expressions: `a op b` on tensors (or a number times a tensor), `concat(...)`,
  /// `chunk(x, n)`, and applications of blocks to tensors (`layer_norm(x) as ln_1`).
  std::optional<ParamValue> tensorBinary(const ast::Expr &e, const ParamValue &l,
                                         const ParamValue &r);
  std::optional<ParamValue> tensorBuiltin(const ast::Expr &e, const Env &env);
  std::optional<ParamValue> scalarSqrt(const ast::Expr &e, const Env &env);
  static bool isTensorBuiltin(const std::string &name);
  std::optional<ParamValue> tensorIndex(const ast::Expr &e, const Env &env);
  /// `v` as a dimension of a tensor of `shape` (negative counts from the end), or nullopt
  /// after an error at `loc`.
  std::optional<int64_t> dimension(const ParamValue &v, const ast::SourceLoc &loc,
                                   const std::vector<int64_t> &shape);
  /// Errors at `loc` (about `what`) if dimension `dim` of `shape` is dynamic.
  bool staticDimension(const std::vector<int64_t> &shape, int64_t dim, const ast::SourceLoc &loc,
                       const std::string &what);
  /// narrow(x, dim, start, length) where dimension `dim` is dynamic or start or length is a
  /// run-time size: the slice must stay inside the dimension whatever its run-time size.
  std::optional<ParamValue> dynamicNarrow(int64_t id, int64_t dim,
                                          const std::pair<ParamValue, ast::SourceLoc> &start,
                                          const std::pair<ParamValue, ast::SourceLoc> &length,
                                          const ast::SourceLoc &loc);
  /// False after an error at `loc` if `v` is a run-time size (size() along a dynamic
  /// dimension), which has no value at compile time.
  bool staticValue(const ParamValue &v, const ast::SourceLoc &loc);
  /// Errors unless a statement is being elaborated (tensor expressions append to it).
  bool inStatement(const ast::SourceLoc &loc);
  std::optional<ParamValue> apply(const BlockValue &bv);

  //===--- Tensors ---------------------------------------------------------===//
  int64_t newTensor(std::vector<int64_t> shape, std::string dtype = "f32");
  /// Evaluates the dimensions of a model input or output declaration (`what`: "input" or
  /// "output") into `shape`; errors unless they are positive and within the size limit.
  /// With `dynamicDims`, a dimension written as a dynamic model parameter (`seq` after
  /// `-D seq=?`) is kDynamicDim, and dynamicDims[i] is that parameter's name.
  bool declaredShape(const ast::InputDecl &decl, const Env &env, const std::string &what,
                     std::vector<int64_t> &shape,
                     std::vector<std::string> *dynamicDims = nullptr);
  /// Errors (at `loc`) unless every dimension is positive and the product within the limit.
  bool checkSize(const std::vector<int64_t> &shape, const ast::SourceLoc &loc,
                 const std::string &what);
  const TensorInfo &tensor(int64_t id) const { return model->tensors[id]; }
  Node &appendOp(Node::OpKind op, std::vector<int64_t> operands, std::vector<int64_t> shape,
                 const ast::SourceLoc &loc);

  //===--- Statements (Elaborate.cpp) --------------------------------------===//
  /// Elaborates `body` on the stream `cur`. Tensor names of `env` that the body rebinds are
  /// rebound in `env` too (a repeat's carried streams). `ret` receives `return`'s tensors
  /// where a return is allowed (the top of a block or the model), else null.
  std::unique_ptr<Node> stmts(const std::vector<ast::StmtPtr> &body, Env &env,
                              const std::string &scope, int64_t &cur,
                              std::vector<int64_t> *ret = nullptr);
  std::unique_ptr<Node> stmt(const ast::Stmt &s, Env &env, const std::string &scope, int64_t &cur);
  std::unique_ptr<Node> repeat(const ast::Stmt &s, Env &env, const std::string &scope, int64_t &cur);
  std::unique_ptr<Node> residual(const ast::Stmt &s, Env &env, const std::string &scope,
                                 int64_t &cur);
  bool let(const ast::Stmt &s, Env &env, const std::string &scope);
  /// `out[i] = value;` / `out = value;`: writes a slot of (or the whole) model output.
  bool write(const ast::Stmt &s, const Env &env);
  /// Claims slot `index` (-1: all) of the model output `name` for a value of `shape` (one
  /// slot's, or the whole output's) and `dtype`. Returns what is wrong, or "" on success.
  std::string claimOutput(const std::string &name, int64_t index,
                          const std::vector<int64_t> &shape, const std::string &dtype);

  //===--- Instantiation (ElaborateInstance.cpp) ---------------------------===//
  /// Instantiates `bv` on the stream `cur` (which becomes its result). `results` receives
  /// every tensor a user block returns.
  std::unique_ptr<Node> instantiate(const BlockValue &bv, const std::string &scope, int64_t &cur,
                                    const std::map<std::string, ParamValue> *context = nullptr,
                                    std::vector<int64_t> *results = nullptr);
  std::unique_ptr<Node> instantiateUser(const ast::BlockDef &def, const BlockValue &bv,
                                        const std::string &path, int64_t &cur,
                                        std::vector<int64_t> *results);
  std::unique_ptr<Node> instantiatePlugin(const BlockPlugin &p, const BlockValue &bv,
                                          const std::string &path, int64_t &cur,
                                          const std::map<std::string, ParamValue> *context);
  bool addWeights(Instance &inst, const BlockValue &bv, const std::vector<WeightSpec> &weights);

  /// A use of a user block, for "note: in block X used here".
  struct Frame {
    std::string block;
    ast::SourceLoc use;
  };
  struct StepFrame {
    int64_t length;
    std::vector<std::pair<std::string, std::vector<int64_t>>> *states;
    std::string owner;
    int64_t tokenBound; ///< the step's token ids must be below it (0: no bound)
  };

  DiagnosticEngine &diag;
  std::string mainFile; ///< the spec given to loomc
  std::map<std::string, const ast::BlockDef *> blocks;
  std::vector<const ast::BlockDef *> models;
  std::vector<Frame> stack;
  std::map<std::string, size_t> weightIndex;
  std::set<std::string> rowViews; ///< weights first declared as row views (WeightSpec::rowView)
  std::unique_ptr<Model> model;
  std::map<std::string, int64_t> captureIds; ///< `capture` names -> tensor ids
  std::set<int64_t> readTensors; ///< tensors read by name (for "never used" errors)
  Node *seq = nullptr;   ///< the statement list that expressions append their nodes to
  std::string scope;     ///< the weight path of the statements being elaborated
  int sharedDepth = 0;   ///< > 0 while instantiating a `let`-shared block
  int64_t instances = 0; ///< plugin instances so far (see kMaxInstances)
  std::map<std::string, std::vector<bool>> claimedSlots; ///< output slots already written
  std::vector<StepFrame> stepFrames; ///< the step loops being inferred, innermost last
  /// True while evaluating an argument of narrow written as size(...): size() along a
  /// dynamic dimension then gives a run-time size instead of an error.
  bool runTimeSizeAllowed = false;
  int loopDepth = 0;       ///< > 0 while inferring a block emitted inside a run-time loop
  std::string loopOwner;   ///< which loop, for errors
};

} // namespace loom::detail

#endif
