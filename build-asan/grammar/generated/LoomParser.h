
// Generated from /work/main/grammar/Loom.g4 by ANTLR 4.7.2

#pragma once


#include "antlr4-runtime.h"


namespace loomgrammar {


class  LoomParser : public antlr4::Parser {
public:
  enum {
    T__0 = 1, T__1 = 2, T__2 = 3, T__3 = 4, T__4 = 5, T__5 = 6, T__6 = 7, 
    T__7 = 8, T__8 = 9, T__9 = 10, T__10 = 11, T__11 = 12, T__12 = 13, T__13 = 14, 
    T__14 = 15, T__15 = 16, T__16 = 17, T__17 = 18, T__18 = 19, T__19 = 20, 
    T__20 = 21, T__21 = 22, T__22 = 23, T__23 = 24, T__24 = 25, T__25 = 26, 
    T__26 = 27, T__27 = 28, T__28 = 29, T__29 = 30, T__30 = 31, T__31 = 32, 
    T__32 = 33, T__33 = 34, T__34 = 35, T__35 = 36, T__36 = 37, T__37 = 38, 
    T__38 = 39, T__39 = 40, T__40 = 41, ID = 42, PATH = 43, FLOAT = 44, 
    INT = 45, STRING = 46, LINE_COMMENT = 47, BLOCK_COMMENT = 48, WS = 49
  };

  enum {
    RuleFile = 0, RuleImportDecl = 1, RuleBlockDef = 2, RuleModelDef = 3, 
    RuleParamList = 4, RuleParam = 5, RuleParamType = 6, RuleInputDecl = 7, 
    RuleOutputDecl = 8, RuleBody = 9, RuleStmt = 10, RuleWeightPath = 11, 
    RuleArgList = 12, RuleArg = 13, RuleExpr = 14
  };

  LoomParser(antlr4::TokenStream *input);
  ~LoomParser();

  virtual std::string getGrammarFileName() const override;
  virtual const antlr4::atn::ATN& getATN() const override { return _atn; };
  virtual const std::vector<std::string>& getTokenNames() const override { return _tokenNames; }; // deprecated: use vocabulary instead.
  virtual const std::vector<std::string>& getRuleNames() const override;
  virtual antlr4::dfa::Vocabulary& getVocabulary() const override;


  class FileContext;
  class ImportDeclContext;
  class BlockDefContext;
  class ModelDefContext;
  class ParamListContext;
  class ParamContext;
  class ParamTypeContext;
  class InputDeclContext;
  class OutputDeclContext;
  class BodyContext;
  class StmtContext;
  class WeightPathContext;
  class ArgListContext;
  class ArgContext;
  class ExprContext; 

  class  FileContext : public antlr4::ParserRuleContext {
  public:
    FileContext(antlr4::ParserRuleContext *parent, size_t invokingState);
    virtual size_t getRuleIndex() const override;
    antlr4::tree::TerminalNode *EOF();
    std::vector<ImportDeclContext *> importDecl();
    ImportDeclContext* importDecl(size_t i);
    std::vector<BlockDefContext *> blockDef();
    BlockDefContext* blockDef(size_t i);
    std::vector<ModelDefContext *> modelDef();
    ModelDefContext* modelDef(size_t i);

    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
   
  };

  FileContext* file();

  class  ImportDeclContext : public antlr4::ParserRuleContext {
  public:
    antlr4::Token *path = nullptr;;
    ImportDeclContext(antlr4::ParserRuleContext *parent, size_t invokingState);
    virtual size_t getRuleIndex() const override;
    antlr4::tree::TerminalNode *STRING();

    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
   
  };

  ImportDeclContext* importDecl();

  class  BlockDefContext : public antlr4::ParserRuleContext {
  public:
    antlr4::Token *name = nullptr;;
    BlockDefContext(antlr4::ParserRuleContext *parent, size_t invokingState);
    virtual size_t getRuleIndex() const override;
    BodyContext *body();
    antlr4::tree::TerminalNode *ID();
    ParamListContext *paramList();

    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
   
  };

  BlockDefContext* blockDef();

  class  ModelDefContext : public antlr4::ParserRuleContext {
  public:
    antlr4::Token *name = nullptr;;
    ModelDefContext(antlr4::ParserRuleContext *parent, size_t invokingState);
    virtual size_t getRuleIndex() const override;
    antlr4::tree::TerminalNode *ID();
    std::vector<InputDeclContext *> inputDecl();
    InputDeclContext* inputDecl(size_t i);
    std::vector<OutputDeclContext *> outputDecl();
    OutputDeclContext* outputDecl(size_t i);
    std::vector<StmtContext *> stmt();
    StmtContext* stmt(size_t i);
    ParamListContext *paramList();

    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
   
  };

  ModelDefContext* modelDef();

  class  ParamListContext : public antlr4::ParserRuleContext {
  public:
    ParamListContext(antlr4::ParserRuleContext *parent, size_t invokingState);
    virtual size_t getRuleIndex() const override;
    std::vector<ParamContext *> param();
    ParamContext* param(size_t i);

    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
   
  };

  ParamListContext* paramList();

  class  ParamContext : public antlr4::ParserRuleContext {
  public:
    antlr4::Token *name = nullptr;;
    LoomParser::ParamTypeContext *type = nullptr;;
    ParamContext(antlr4::ParserRuleContext *parent, size_t invokingState);
    virtual size_t getRuleIndex() const override;
    antlr4::tree::TerminalNode *ID();
    ParamTypeContext *paramType();
    ExprContext *expr();

    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
   
  };

  ParamContext* param();

  class  ParamTypeContext : public antlr4::ParserRuleContext {
  public:
    ParamTypeContext(antlr4::ParserRuleContext *parent, size_t invokingState);
    virtual size_t getRuleIndex() const override;
    antlr4::tree::TerminalNode *ID();

    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
   
  };

  ParamTypeContext* paramType();

  class  InputDeclContext : public antlr4::ParserRuleContext {
  public:
    antlr4::Token *name = nullptr;;
    antlr4::Token *dtype = nullptr;;
    InputDeclContext(antlr4::ParserRuleContext *parent, size_t invokingState);
    virtual size_t getRuleIndex() const override;
    std::vector<ExprContext *> expr();
    ExprContext* expr(size_t i);
    std::vector<antlr4::tree::TerminalNode *> ID();
    antlr4::tree::TerminalNode* ID(size_t i);

    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
   
  };

  InputDeclContext* inputDecl();

  class  OutputDeclContext : public antlr4::ParserRuleContext {
  public:
    antlr4::Token *name = nullptr;;
    antlr4::Token *dtype = nullptr;;
    OutputDeclContext(antlr4::ParserRuleContext *parent, size_t invokingState);
    virtual size_t getRuleIndex() const override;
    std::vector<ExprContext *> expr();
    ExprContext* expr(size_t i);
    std::vector<antlr4::tree::TerminalNode *> ID();
    antlr4::tree::TerminalNode* ID(size_t i);

    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
   
  };

  OutputDeclContext* outputDecl();

  class  BodyContext : public antlr4::ParserRuleContext {
  public:
    BodyContext(antlr4::ParserRuleContext *parent, size_t invokingState);
    virtual size_t getRuleIndex() const override;
    std::vector<StmtContext *> stmt();
    StmtContext* stmt(size_t i);

    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
   
  };

  BodyContext* body();

  class  StmtContext : public antlr4::ParserRuleContext {
  public:
    StmtContext(antlr4::ParserRuleContext *parent, size_t invokingState);
   
    StmtContext() = default;
    void copyFrom(StmtContext *context);
    using antlr4::ParserRuleContext::copyFrom;

    virtual size_t getRuleIndex() const override;

   
  };

  class  ApplyStmtContext : public StmtContext {
  public:
    ApplyStmtContext(StmtContext *ctx);

    antlr4::Token *callee = nullptr;
    LoomParser::WeightPathContext *name = nullptr;
    antlr4::tree::TerminalNode *ID();
    WeightPathContext *weightPath();
    ArgListContext *argList();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  IfStmtContext : public StmtContext {
  public:
    IfStmtContext(StmtContext *ctx);

    LoomParser::ExprContext *cond = nullptr;
    LoomParser::BodyContext *then = nullptr;
    LoomParser::BodyContext *otherwise = nullptr;
    LoomParser::StmtContext *elseIf = nullptr;
    ExprContext *expr();
    std::vector<BodyContext *> body();
    BodyContext* body(size_t i);
    StmtContext *stmt();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  LetStmtContext : public StmtContext {
  public:
    LetStmtContext(StmtContext *ctx);

    antlr4::Token *name = nullptr;
    LoomParser::ExprContext *value = nullptr;
    antlr4::tree::TerminalNode *ID();
    ExprContext *expr();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  LetTupleStmtContext : public StmtContext {
  public:
    LetTupleStmtContext(StmtContext *ctx);

    antlr4::Token *idToken = nullptr;
    std::vector<antlr4::Token *> names;
    LoomParser::ExprContext *value = nullptr;
    std::vector<antlr4::tree::TerminalNode *> ID();
    antlr4::tree::TerminalNode* ID(size_t i);
    ExprContext *expr();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  CaptureStmtContext : public StmtContext {
  public:
    CaptureStmtContext(StmtContext *ctx);

    antlr4::Token *name = nullptr;
    antlr4::tree::TerminalNode *ID();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  ReturnStmtContext : public StmtContext {
  public:
    ReturnStmtContext(StmtContext *ctx);

    LoomParser::ExprContext *exprContext = nullptr;
    std::vector<ExprContext *> values;
    std::vector<ExprContext *> expr();
    ExprContext* expr(size_t i);
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  WriteStmtContext : public StmtContext {
  public:
    WriteStmtContext(StmtContext *ctx);

    antlr4::Token *target = nullptr;
    LoomParser::ExprContext *index = nullptr;
    LoomParser::ExprContext *value = nullptr;
    antlr4::tree::TerminalNode *ID();
    std::vector<ExprContext *> expr();
    ExprContext* expr(size_t i);
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  RepeatStmtContext : public StmtContext {
  public:
    RepeatStmtContext(StmtContext *ctx);

    LoomParser::ExprContext *count = nullptr;
    antlr4::Token *idx = nullptr;
    antlr4::Token *shared = nullptr;
    LoomParser::WeightPathContext *name = nullptr;
    BodyContext *body();
    ExprContext *expr();
    antlr4::tree::TerminalNode *ID();
    WeightPathContext *weightPath();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  ResidualStmtContext : public StmtContext {
  public:
    ResidualStmtContext(StmtContext *ctx);

    BodyContext *body();
    ArgListContext *argList();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  StmtContext* stmt();

  class  WeightPathContext : public antlr4::ParserRuleContext {
  public:
    WeightPathContext(antlr4::ParserRuleContext *parent, size_t invokingState);
    virtual size_t getRuleIndex() const override;
    antlr4::tree::TerminalNode *ID();
    antlr4::tree::TerminalNode *PATH();

    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
   
  };

  WeightPathContext* weightPath();

  class  ArgListContext : public antlr4::ParserRuleContext {
  public:
    ArgListContext(antlr4::ParserRuleContext *parent, size_t invokingState);
    virtual size_t getRuleIndex() const override;
    std::vector<ArgContext *> arg();
    ArgContext* arg(size_t i);

    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
   
  };

  ArgListContext* argList();

  class  ArgContext : public antlr4::ParserRuleContext {
  public:
    antlr4::Token *name = nullptr;;
    ArgContext(antlr4::ParserRuleContext *parent, size_t invokingState);
    virtual size_t getRuleIndex() const override;
    ExprContext *expr();
    antlr4::tree::TerminalNode *ID();

    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
   
  };

  ArgContext* arg();

  class  ExprContext : public antlr4::ParserRuleContext {
  public:
    ExprContext(antlr4::ParserRuleContext *parent, size_t invokingState);
   
    ExprContext() = default;
    void copyFrom(ExprContext *context);
    using antlr4::ParserRuleContext::copyFrom;

    virtual size_t getRuleIndex() const override;

   
  };

  class  IntExprContext : public ExprContext {
  public:
    IntExprContext(ExprContext *ctx);

    antlr4::tree::TerminalNode *INT();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  BinaryExprContext : public ExprContext {
  public:
    BinaryExprContext(ExprContext *ctx);

    LoomParser::ExprContext *lhs = nullptr;
    antlr4::Token *op = nullptr;
    LoomParser::ExprContext *rhs = nullptr;
    std::vector<ExprContext *> expr();
    ExprContext* expr(size_t i);
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  ParenExprContext : public ExprContext {
  public:
    ParenExprContext(ExprContext *ctx);

    ExprContext *expr();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  NameExprContext : public ExprContext {
  public:
    NameExprContext(ExprContext *ctx);

    antlr4::Token *ref = nullptr;
    antlr4::tree::TerminalNode *ID();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  StringExprContext : public ExprContext {
  public:
    StringExprContext(ExprContext *ctx);

    antlr4::tree::TerminalNode *STRING();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  IndexExprContext : public ExprContext {
  public:
    IndexExprContext(ExprContext *ctx);

    LoomParser::ExprContext *value = nullptr;
    LoomParser::ExprContext *index = nullptr;
    std::vector<ExprContext *> expr();
    ExprContext* expr(size_t i);
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  FloatExprContext : public ExprContext {
  public:
    FloatExprContext(ExprContext *ctx);

    antlr4::tree::TerminalNode *FLOAT();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  NotExprContext : public ExprContext {
  public:
    NotExprContext(ExprContext *ctx);

    ExprContext *expr();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  NegExprContext : public ExprContext {
  public:
    NegExprContext(ExprContext *ctx);

    ExprContext *expr();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  LogicExprContext : public ExprContext {
  public:
    LogicExprContext(ExprContext *ctx);

    LoomParser::ExprContext *lhs = nullptr;
    antlr4::Token *op = nullptr;
    LoomParser::ExprContext *rhs = nullptr;
    std::vector<ExprContext *> expr();
    ExprContext* expr(size_t i);
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  BoolExprContext : public ExprContext {
  public:
    BoolExprContext(ExprContext *ctx);

    antlr4::Token *value = nullptr;
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  CallExprContext : public ExprContext {
  public:
    CallExprContext(ExprContext *ctx);

    antlr4::Token *callee = nullptr;
    antlr4::tree::TerminalNode *ID();
    ArgListContext *argList();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  AsExprContext : public ExprContext {
  public:
    AsExprContext(ExprContext *ctx);

    LoomParser::ExprContext *value = nullptr;
    LoomParser::WeightPathContext *asName = nullptr;
    ExprContext *expr();
    WeightPathContext *weightPath();
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  class  CompareExprContext : public ExprContext {
  public:
    CompareExprContext(ExprContext *ctx);

    LoomParser::ExprContext *lhs = nullptr;
    antlr4::Token *op = nullptr;
    LoomParser::ExprContext *rhs = nullptr;
    std::vector<ExprContext *> expr();
    ExprContext* expr(size_t i);
    virtual antlrcpp::Any accept(antlr4::tree::ParseTreeVisitor *visitor) override;
  };

  ExprContext* expr();
  ExprContext* expr(int precedence);

  virtual bool sempred(antlr4::RuleContext *_localctx, size_t ruleIndex, size_t predicateIndex) override;
  bool exprSempred(ExprContext *_localctx, size_t predicateIndex);

private:
  static std::vector<antlr4::dfa::DFA> _decisionToDFA;
  static antlr4::atn::PredictionContextCache _sharedContextCache;
  static std::vector<std::string> _ruleNames;
  static std::vector<std::string> _tokenNames;

  static std::vector<std::string> _literalNames;
  static std::vector<std::string> _symbolicNames;
  static antlr4::dfa::Vocabulary _vocabulary;
  static antlr4::atn::ATN _atn;
  static std::vector<uint16_t> _serializedATN;


  struct Initializer {
    Initializer();
  };
  static Initializer _init;
};

}  // namespace loomgrammar
