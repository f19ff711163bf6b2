
// Generated from /work/main/grammar/Loom.g4 by ANTLR 4.7.2

#pragma once


#include "antlr4-runtime.h"
#include "LoomVisitor.h"


namespace loomgrammar {

/**
 * This class provides an empty implementation of LoomVisitor, which can be
 * extended to create a visitor which only needs to handle a subset of the available methods.
 */
class  LoomBaseVisitor : public LoomVisitor {
public:

  virtual antlrcpp::Any visitFile(LoomParser::FileContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitImportDecl(LoomParser::ImportDeclContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitBlockDef(LoomParser::BlockDefContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitModelDef(LoomParser::ModelDefContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitParamList(LoomParser::ParamListContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitParam(LoomParser::ParamContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitParamType(LoomParser::ParamTypeContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitInputDecl(LoomParser::InputDeclContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitOutputDecl(LoomParser::OutputDeclContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitBody(LoomParser::BodyContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitRepeatStmt(LoomParser::RepeatStmtContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitResidualStmt(LoomParser::ResidualStmtContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitIfStmt(LoomParser::IfStmtContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitApplyStmt(LoomParser::ApplyStmtContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitLetStmt(LoomParser::LetStmtContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitLetTupleStmt(LoomParser::LetTupleStmtContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitReturnStmt(LoomParser::ReturnStmtContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitCaptureStmt(LoomParser::CaptureStmtContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitWriteStmt(LoomParser::WriteStmtContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitWeightPath(LoomParser::WeightPathContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitArgList(LoomParser::ArgListContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitArg(LoomParser::ArgContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitIntExpr(LoomParser::IntExprContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitBinaryExpr(LoomParser::BinaryExprContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitParenExpr(LoomParser::ParenExprContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitNameExpr(LoomParser::NameExprContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitStringExpr(LoomParser::StringExprContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitIndexExpr(LoomParser::IndexExprContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitFloatExpr(LoomParser::FloatExprContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitNotExpr(LoomParser::NotExprContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitNegExpr(LoomParser::NegExprContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitLogicExpr(LoomParser::LogicExprContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitBoolExpr(LoomParser::BoolExprContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitCallExpr(LoomParser::CallExprContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitAsExpr(LoomParser::AsExprContext *ctx) override {
    return visitChildren(ctx);
  }

  virtual antlrcpp::Any visitCompareExpr(LoomParser::CompareExprContext *ctx) override {
    return visitChildren(ctx);
  }


};

}  // namespace loomgrammar
