//===- AST.h - Loom's typed syntax tree -------------------------*- C++ -*-===//
//
// The parser turns a `.loom` file into these nodes; nothing here depends on ANTLR or MLIR.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_FRONTEND_AST_H
#define LOOM_FRONTEND_AST_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace loom::ast {

/// A position in a source file (1-based line and column).
struct SourceLoc {
  std::string file;
  unsigned line = 0, col = 0;
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

/// `name = value` in a call or a residual, or a positional `value` (a tensor operand).
struct Arg {
  std::string name; ///< empty: positional
  SourceLoc loc;
  ExprPtr value;
};

struct Expr {
  enum class Kind { Int, Float, Bool, String, Name, Call, Binary, Neg, Not, Compare, Logic, Index };
  Kind kind;
  SourceLoc loc;
  int64_t intValue = 0;
  double floatValue = 0;
  bool boolValue = false;
  std::string text;    ///< Name: the identifier; Call: the callee; String: the contents
  std::string asName;  ///< Name/Call: `as NAME` (the instance's name in weight paths)
  SourceLoc asLoc;     ///< where NAME is written
  char op = 0;         ///< Binary: one of + - * / %
  std::string cmp;     ///< Compare: == != < <= > >=; Logic: && ||
  std::vector<Arg> args;
  ExprPtr lhs, rhs; ///< Index: lhs[rhs]
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;

struct Stmt {
  enum class Kind { Apply, Repeat, Residual, Let, If, Capture, Return, Write };
  Kind kind;
  SourceLoc loc;
  // Apply: callee(args) as asName
  std::string callee;
  SourceLoc calleeLoc;
  bool hasParens = false;
  std::vector<Arg> args; ///< Apply and Residual
  std::string asName;    ///< Apply and Repeat; Let's and Capture's name
  // Repeat
  ExprPtr count;
  bool shared = false;
  std::string indexName; ///< Repeat: `index i` binds the iteration number
  std::vector<StmtPtr> body; ///< Repeat, Residual, and If's `then` branch
  // If: `if (cond) { body } else { elseBody }` (an `else if` is an If inside elseBody)
  ExprPtr cond;
  std::vector<StmtPtr> elseBody;
  // Let: `let asName = value;` (`value as path` names a shared block's weights, or the
  // instance a tensor expression applies); `let (names...) = value;` binds a tuple.
  ExprPtr value;
  std::vector<std::string> names; ///< Let of a tuple
  // Return: `return values...;`
  std::vector<ExprPtr> values;
  // Write: `asName[count] = value;` or `asName = value;` (count null) stores into a model
  // output; calleeLoc is where asName is written.
};

struct ParamDecl {
  std::string name, type;
  SourceLoc loc, typeLoc;
  ExprPtr defaultValue; ///< may be null
};

struct InputDecl {
  std::string name, dtype;
  SourceLoc loc, dtypeLoc;
  std::vector<ExprPtr> dims;
};

/// `block Name(params) { ... }` or `model Name(params) { input ...; ... }`.
struct BlockDef {
  bool isModel = false;
  std::string name;
  SourceLoc loc;
  std::vector<ParamDecl> params;
  std::vector<InputDecl> inputs; ///< models only; the first is the f32 [batch, seq, d] stream
  std::vector<InputDecl> outputs; ///< models only: extra outputs (`output name: f32[...]`)
  std::vector<StmtPtr> body;
};

struct Import {
  std::string path;
  SourceLoc loc;
};

struct File {
  std::string path;
  std::vector<Import> imports;
  std::vector<std::unique_ptr<BlockDef>> blocks;
};

} // namespace loom::ast

#endif
