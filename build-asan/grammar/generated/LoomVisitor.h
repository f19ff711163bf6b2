
// Generated from /work/main/grammar/Loom.g4 by ANTLR 4.7.2

#pragma once


#include "antlr4-runtime.h"
#include "LoomParser.h"


namespace loomgrammar {

/**
 * This class defines an abstract visitor for a parse tree
 * produced by LoomParser.
 */
class  LoomVisitor : public antlr4::tree::AbstractParseTreeVisitor {
public:

  /**
   * Visit parse trees produced by LoomParser.
   */
    virtual antlrcpp::Any visitFile(LoomParser::FileContext *context) = 0;

    virtual antlrcpp::Any visitImportDecl(LoomParser::ImportDeclContext *context) = 0;

    virtual antlrcpp::Any visitBlockDef(LoomParser::BlockDefContext *context) = 0;

    virtual antlrcpp::Any visitModelDef(LoomParser::ModelDefContext *context) = 0;

    virtual antlrcpp::Any visitParamList(LoomParser::ParamListContext *context) = 0;

    virtual antlrcpp::Any visitParam(LoomParser::ParamContext *context) = 0;

    virtual antlrcpp::Any visitParamType(LoomParser::ParamTypeContext *context) = 0;

    virtual antlrcpp::Any visitInputDecl(LoomParser::InputDeclContext *context) = 0;

    virtual antlrcpp::Any visitOutputDecl(LoomParser::OutputDeclContext *context) = 0;

    virtual antlrcpp::Any visitBody(LoomParser::BodyContext *context) = 0;

    virtual antlrcpp::Any visitRepeatStmt(LoomParser::RepeatStmtContext *context) = 0;

    virtual antlrcpp::Any visitResidualStmt(LoomParser::ResidualStmtContext *context) = 0;

    virtual antlrcpp::Any visitIfStmt(LoomParser::IfStmtContext *context) = 0;

    virtual antlrcpp::Any visitApplyStmt(LoomParser::ApplyStmtContext *context) = 0;

    virtual antlrcpp::Any visitLetStmt(LoomParser::LetStmtContext *context) = 0;

    virtual antlrcpp::Any visitLetTupleStmt(LoomParser::LetTupleStmtContext *context) = 0;

    virtual antlrcpp::Any visitReturnStmt(LoomParser::ReturnStmtContext *context) = 0;

    virtual antlrcpp::Any visitCaptureStmt(LoomParser::CaptureStmtContext *context) = 0;

    virtual antlrcpp::Any visitWriteStmt(LoomParser::WriteStmtContext *context) = 0;

    virtual antlrcpp::Any visitWeightPath(LoomParser::WeightPathContext *context) = 0;

    virtual antlrcpp::Any visitArgList(LoomParser::ArgListContext *context) = 0;

    virtual antlrcpp::Any visitArg(LoomParser::ArgContext *context) = 0;

    virtual antlrcpp::Any visitIntExpr(LoomParser::IntExprContext *context) = 0;

    virtual antlrcpp::Any visitBinaryExpr(LoomParser::BinaryExprContext *context) = 0;

    virtual antlrcpp::Any visitParenExpr(LoomParser::ParenExprContext *context) = 0;

    virtual antlrcpp::Any visitNameExpr(LoomParser::NameExprContext *context) = 0;

    virtual antlrcpp::Any visitStringExpr(LoomParser::StringExprContext *context) = 0;

    virtual antlrcpp::Any visitIndexExpr(LoomParser::IndexExprContext *context) = 0;

    virtual antlrcpp::Any visitFloatExpr(LoomParser::FloatExprContext *context) = 0;

    virtual antlrcpp::Any visitNotExpr(LoomParser::NotExprContext *context) = 0;

    virtual antlrcpp::Any visitNegExpr(LoomParser::NegExprContext *context) = 0;

    virtual antlrcpp::Any visitLogicExpr(LoomParser::LogicExprContext *context) = 0;

    virtual antlrcpp::Any visitBoolExpr(LoomParser::BoolExprContext *context) = 0;

    virtual antlrcpp::Any visitCallExpr(LoomParser::CallExprContext *context) = 0;

    virtual antlrcpp::Any visitAsExpr(LoomParser::AsExprContext *context) = 0;

    virtual antlrcpp::Any visitCompareExpr(LoomParser::CompareExprContext *context) = 0;


};

}  // namespace loomgrammar
