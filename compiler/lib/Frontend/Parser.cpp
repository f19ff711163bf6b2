//===- Parser.cpp - ANTLR parse tree to AST -------------------------------===//
//
// The only file that sees ANTLR. It walks the generated parse-tree contexts directly.
//
//===----------------------------------------------------------------------===//
#include "loom/Frontend/Parser.h"

#include "LoomLexer.h"
#include "LoomParser.h"
#include "antlr4-runtime.h"

#include <cerrno>
#include <cmath>
#include <cstdio>

using namespace loom;
using namespace loom::ast;
using P = loomgrammar::LoomParser;

namespace {

class ErrorListener : public antlr4::BaseErrorListener {
public:
  ErrorListener(const std::string &path, DiagnosticEngine &diag) : path(path), diag(diag) {}
  void syntaxError(antlr4::Recognizer *, antlr4::Token *, size_t line, size_t col,
                   const std::string &msg, std::exception_ptr) override {
    diag.error(SourceLoc{path, static_cast<unsigned>(line), static_cast<unsigned>(col + 1)}, msg);
  }

private:
  std::string path;
  DiagnosticEngine &diag;
};

/// The first byte of `text` that is not valid UTF-8 or is a NUL, with its line and column
/// (1-based), or false.
bool findBadByte(const std::string &text, unsigned &line, unsigned &col, std::string &what) {
  line = 1;
  col = 1;
  size_t i = 0, n = text.size();
  while (i < n) {
    unsigned char b = static_cast<unsigned char>(text[i]);
    size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
    bool ok = len != 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
    if (ok && len == 2)
      ok = b >= 0xc2; // no overlong forms
    if (ok && len == 3) {
      unsigned char b1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(b == 0xe0 && b1 < 0xa0) && !(b == 0xed && b1 >= 0xa0); // overlong, surrogates
    }
    if (ok && len == 4) {
      unsigned char b1 = static_cast<unsigned char>(text[i + 1]);
      ok = b <= 0xf4 && !(b == 0xf0 && b1 < 0x90) && !(b == 0xf4 && b1 >= 0x90);
    }
    if (!ok || b == 0) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", b);
      what = b == 0 ? "a NUL byte" : std::string("invalid UTF-8 (byte ") + hex + ")";
      return true;
    }
    if (b == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
    i += len;
  }
  return false;
}

/// The parser and the tree walk recurse once per nesting level: a spec may nest brackets,
/// unary operators and `else if` chains this deep, and have this many operators in one
/// statement.
constexpr unsigned kMaxNesting = 256;
constexpr unsigned kMaxOperatorsPerStatement = 10000;

/// Reports the first token past the limits above; true if there is one.
bool tooDeep(antlr4::CommonTokenStream &tokens, const std::string &path, DiagnosticEngine &diag) {
  tokens.fill();
  std::vector<unsigned> elseIfs{0}; // per open bracket
  unsigned depth = 0, prefixRun = 0, operators = 0;
  antlr4::Token *prev = nullptr;
  for (antlr4::Token *t : tokens.getTokens()) {
    std::string s = t->getText();
    auto fail = [&](const std::string &what) {
      diag.error(SourceLoc{path, static_cast<unsigned>(t->getLine()),
                           static_cast<unsigned>(t->getCharPositionInLine() + 1)},
                 what);
      return true;
    };
    if (s == "(" || s == "{" || s == "[") {
      ++depth;
      elseIfs.push_back(0);
    } else if ((s == ")" || s == "}" || s == "]") && depth > 0) {
      --depth;
      elseIfs.pop_back();
    }
    if (s == ";" || s == "{" || s == "}")
      operators = 0;
    else if (s == "+" || s == "-" || s == "*" || s == "/" || s == "%" || s == "&&" || s == "||" ||
             s == "==" || s == "!=" || s == "<" || s == "<=" || s == ">" || s == ">=" || s == "!" ||
             s == "[")
      ++operators;
    prefixRun = (s == "-" || s == "!") ? prefixRun + 1 : 0;
    if (s == "if" && prev && prev->getText() == "else")
      ++elseIfs.back();
    if (depth + prefixRun > kMaxNesting || elseIfs.back() > kMaxNesting)
      return fail("nesting deeper than " + std::to_string(kMaxNesting) + " levels");
    if (operators > kMaxOperatorsPerStatement)
      return fail("more than " + std::to_string(kMaxOperatorsPerStatement) +
                  " operators in one statement");
    prev = t;
  }
  return false;
}

class Builder {
public:
  Builder(std::string path, DiagnosticEngine &diag) : path(std::move(path)), diag(diag) {}

  SourceLoc loc(antlr4::Token *t) const {
    return SourceLoc{path, static_cast<unsigned>(t->getLine()),
                     static_cast<unsigned>(t->getCharPositionInLine() + 1)};
  }
  SourceLoc loc(antlr4::ParserRuleContext *c) const { return loc(c->getStart()); }

  static std::string unquote(const std::string &s) {
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && i + 2 < s.size()) {
        char c = s[++i];
        out.push_back(c == 'n' ? '\n' : c == 't' ? '\t' : c);
      } else {
        out.push_back(s[i]);
      }
    }
    return out;
  }

  std::vector<Arg> args(P::ArgListContext *list) {
    std::vector<Arg> out;
    if (!list)
      return out;
    for (P::ArgContext *a : list->arg()) {
      Arg arg;
      if (a->name) {
        arg.name = a->name->getText();
        arg.loc = loc(a->name);
      } else {
        arg.loc = loc(a);
      }
      arg.value = expr(a->expr());
      out.push_back(std::move(arg));
    }
    return out;
  }

  ExprPtr expr(P::ExprContext *ctx) {
    auto e = std::make_unique<Expr>();
    e->loc = loc(ctx);
    if (auto *c = dynamic_cast<P::ParenExprContext *>(ctx))
      return expr(c->expr());
    if (auto *c = dynamic_cast<P::AsExprContext *>(ctx)) {
      ExprPtr inner = expr(c->value);
      inner->asName = c->asName->getText();
      inner->asLoc = loc(c->asName->getStart());
      return inner;
    }
    if (auto *c = dynamic_cast<P::IndexExprContext *>(ctx)) {
      e->kind = Expr::Kind::Index;
      e->lhs = expr(c->value);
      e->rhs = expr(c->index);
    } else if (auto *c = dynamic_cast<P::NegExprContext *>(ctx)) {
      e->kind = Expr::Kind::Neg;
      e->lhs = expr(c->expr());
    } else if (auto *c = dynamic_cast<P::NotExprContext *>(ctx)) {
      e->kind = Expr::Kind::Not;
      e->lhs = expr(c->expr());
    } else if (auto *c = dynamic_cast<P::CompareExprContext *>(ctx)) {
      e->kind = Expr::Kind::Compare;
      e->cmp = c->op->getText();
      e->loc = loc(c->op);
      e->lhs = expr(c->lhs);
      e->rhs = expr(c->rhs);
    } else if (auto *c = dynamic_cast<P::LogicExprContext *>(ctx)) {
      e->kind = Expr::Kind::Logic;
      e->cmp = c->op->getText();
      e->loc = loc(c->op);
      e->lhs = expr(c->lhs);
      e->rhs = expr(c->rhs);
    } else if (auto *c = dynamic_cast<P::BinaryExprContext *>(ctx)) {
      e->kind = Expr::Kind::Binary;
      e->op = c->op->getText()[0];
      e->loc = loc(c->op);
      e->lhs = expr(c->lhs);
      e->rhs = expr(c->rhs);
    } else if (auto *c = dynamic_cast<P::IntExprContext *>(ctx)) {
      e->kind = Expr::Kind::Int;
      errno = 0;
      e->intValue = std::strtoll(c->getText().c_str(), nullptr, 10);
      if (errno == ERANGE)
        diag.error(e->loc, "integer literal " + c->getText() + " is out of range (64-bit)");
    } else if (auto *c = dynamic_cast<P::FloatExprContext *>(ctx)) {
      e->kind = Expr::Kind::Float;
      errno = 0;
      e->floatValue = std::strtod(c->getText().c_str(), nullptr);
      if (errno == ERANGE && (std::isinf(e->floatValue) || e->floatValue == 0))
        diag.error(e->loc, "float literal " + c->getText() + " is out of range (64-bit)");
    } else if (auto *c = dynamic_cast<P::BoolExprContext *>(ctx)) {
      e->kind = Expr::Kind::Bool;
      e->boolValue = c->value->getText() == "true";
    } else if (auto *c = dynamic_cast<P::StringExprContext *>(ctx)) {
      e->kind = Expr::Kind::String;
      e->text = unquote(c->getText());
    } else if (auto *c = dynamic_cast<P::CallExprContext *>(ctx)) {
      e->kind = Expr::Kind::Call;
      e->text = c->callee->getText();
      e->args = args(c->argList());
    } else if (auto *c = dynamic_cast<P::NameExprContext *>(ctx)) {
      e->kind = Expr::Kind::Name;
      e->text = c->ref->getText();
    }
    return e;
  }

  StmtPtr stmt(P::StmtContext *ctx) {
    auto s = std::make_unique<Stmt>();
    s->loc = loc(ctx);
    if (auto *c = dynamic_cast<P::RepeatStmtContext *>(ctx)) {
      s->kind = Stmt::Kind::Repeat;
      s->count = expr(c->count);
      // `repeat n as layers` parses as the expression `n as layers`: the name is the repeat's.
      if (!c->name && !s->count->asName.empty()) {
        s->asName = s->count->asName;
        s->count->asName.clear();
      }
      s->shared = c->shared != nullptr;
      if (c->idx)
        s->indexName = c->idx->getText();
      if (c->name)
        s->asName = c->name->getText();
      body(c->body(), s->body);
    } else if (auto *c = dynamic_cast<P::ResidualStmtContext *>(ctx)) {
      s->kind = Stmt::Kind::Residual;
      s->args = args(c->argList());
      body(c->body(), s->body);
    } else if (auto *c = dynamic_cast<P::IfStmtContext *>(ctx)) {
      s->kind = Stmt::Kind::If;
      s->cond = expr(c->cond);
      body(c->then, s->body);
      if (c->otherwise)
        body(c->otherwise, s->elseBody);
      else if (c->elseIf)
        s->elseBody.push_back(stmt(c->elseIf));
    } else if (auto *c = dynamic_cast<P::LetStmtContext *>(ctx)) {
      s->kind = Stmt::Kind::Let;
      s->asName = c->name->getText();
      s->value = expr(c->value);
    } else if (auto *c = dynamic_cast<P::LetTupleStmtContext *>(ctx)) {
      s->kind = Stmt::Kind::Let;
      for (antlr4::Token *t : c->names)
        s->names.push_back(t->getText());
      s->value = expr(c->value);
    } else if (auto *c = dynamic_cast<P::ReturnStmtContext *>(ctx)) {
      s->kind = Stmt::Kind::Return;
      for (P::ExprContext *v : c->values)
        s->values.push_back(expr(v));
    } else if (auto *c = dynamic_cast<P::WriteStmtContext *>(ctx)) {
      s->kind = Stmt::Kind::Write;
      s->asName = c->target->getText();
      s->calleeLoc = loc(c->target);
      if (c->index)
        s->count = expr(c->index);
      s->value = expr(c->value);
    } else if (auto *c = dynamic_cast<P::CaptureStmtContext *>(ctx)) {
      s->kind = Stmt::Kind::Capture;
      s->asName = c->name->getText();
    } else if (auto *c = dynamic_cast<P::ApplyStmtContext *>(ctx)) {
      s->kind = Stmt::Kind::Apply;
      s->callee = c->callee->getText();
      s->calleeLoc = loc(c->callee);
      s->hasParens = c->argList() != nullptr || c->children.size() > 2;
      s->args = args(c->argList());
      if (c->name)
        s->asName = c->name->getText();
    }
    return s;
  }

  void body(P::BodyContext *ctx, std::vector<StmtPtr> &out) {
    for (P::StmtContext *s : ctx->stmt())
      out.push_back(stmt(s));
  }

  void params(P::ParamListContext *list, std::vector<ParamDecl> &out) {
    if (!list)
      return;
    for (P::ParamContext *p : list->param()) {
      ParamDecl d;
      d.name = p->name->getText();
      d.loc = loc(p->name);
      d.type = p->type->getText();
      d.typeLoc = loc(p->type->getStart());
      if (p->expr())
        d.defaultValue = expr(p->expr());
      out.push_back(std::move(d));
    }
  }

  std::unique_ptr<File> file(P::FileContext *ctx) {
    auto f = std::make_unique<File>();
    f->path = path;
    for (P::ImportDeclContext *i : ctx->importDecl())
      f->imports.push_back(Import{unquote(i->path->getText()), loc(i)});
    for (P::BlockDefContext *b : ctx->blockDef()) {
      auto def = std::make_unique<BlockDef>();
      def->name = b->name->getText();
      def->loc = loc(b->name);
      params(b->paramList(), def->params);
      body(b->body(), def->body);
      f->blocks.push_back(std::move(def));
    }
    for (P::ModelDefContext *m : ctx->modelDef()) {
      auto def = std::make_unique<BlockDef>();
      def->isModel = true;
      def->name = m->name->getText();
      def->loc = loc(m->name);
      params(m->paramList(), def->params);
      for (P::OutputDeclContext *out : m->outputDecl()) {
        InputDecl decl;
        decl.name = out->name->getText();
        decl.loc = loc(out->name);
        decl.dtype = out->dtype->getText();
        decl.dtypeLoc = loc(out->dtype);
        for (P::ExprContext *d : out->expr())
          decl.dims.push_back(expr(d));
        def->outputs.push_back(std::move(decl));
      }
      for (P::InputDeclContext *in : m->inputDecl()) {
        InputDecl decl;
        decl.name = in->name->getText();
        decl.loc = loc(in->name);
        decl.dtype = in->dtype->getText();
        decl.dtypeLoc = loc(in->dtype);
        for (P::ExprContext *d : in->expr())
          decl.dims.push_back(expr(d));
        def->inputs.push_back(std::move(decl));
      }
      for (P::StmtContext *s : m->stmt())
        def->body.push_back(stmt(s));
      f->blocks.push_back(std::move(def));
    }
    return f;
  }

private:
  std::string path;
  DiagnosticEngine &diag;
};

} // namespace

std::unique_ptr<File> loom::parseLoom(const std::string &path, const std::string &text,
                                      DiagnosticEngine &diag) {
  unsigned before = diag.errorCount();
  // ANTLR's UTF-8 decoding throws on invalid input; report it instead.
  unsigned line, col;
  std::string what;
  if (findBadByte(text, line, col, what)) {
    diag.error(SourceLoc{path, line, col}, "the spec contains " + what);
    return nullptr;
  }
  antlr4::ANTLRInputStream input(text);
  loomgrammar::LoomLexer lexer(&input);
  ErrorListener listener(path, diag);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);
  antlr4::CommonTokenStream tokens(&lexer);
  if (tooDeep(tokens, path, diag) || diag.errorCount() != before)
    return nullptr;
  P parser(&tokens);
  parser.removeErrorListeners();
  parser.addErrorListener(&listener);
  P::FileContext *tree = parser.file();
  if (diag.errorCount() != before)
    return nullptr;
  std::unique_ptr<File> file = Builder(path, diag).file(tree);
  if (diag.errorCount() != before)
    return nullptr;
  if (file->blocks.empty() && file->imports.empty())
    diag.error(SourceLoc{path, 1, 1}, "the file defines nothing (expected 'import', 'block' "
                                      "or 'model')");
  return diag.errorCount() != before ? nullptr : std::move(file);
}
