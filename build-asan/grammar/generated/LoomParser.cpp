
// Generated from /work/main/grammar/Loom.g4 by ANTLR 4.7.2


#include "LoomVisitor.h"

#include "LoomParser.h"


using namespace antlrcpp;
using namespace loomgrammar;
using namespace antlr4;

LoomParser::LoomParser(TokenStream *input) : Parser(input) {
  _interpreter = new atn::ParserATNSimulator(this, _atn, _decisionToDFA, _sharedContextCache);
}

LoomParser::~LoomParser() {
  delete _interpreter;
}

std::string LoomParser::getGrammarFileName() const {
  return "Loom.g4";
}

const std::vector<std::string>& LoomParser::getRuleNames() const {
  return _ruleNames;
}

dfa::Vocabulary& LoomParser::getVocabulary() const {
  return _vocabulary;
}


//----------------- FileContext ------------------------------------------------------------------

LoomParser::FileContext::FileContext(ParserRuleContext *parent, size_t invokingState)
  : ParserRuleContext(parent, invokingState) {
}

tree::TerminalNode* LoomParser::FileContext::EOF() {
  return getToken(LoomParser::EOF, 0);
}

std::vector<LoomParser::ImportDeclContext *> LoomParser::FileContext::importDecl() {
  return getRuleContexts<LoomParser::ImportDeclContext>();
}

LoomParser::ImportDeclContext* LoomParser::FileContext::importDecl(size_t i) {
  return getRuleContext<LoomParser::ImportDeclContext>(i);
}

std::vector<LoomParser::BlockDefContext *> LoomParser::FileContext::blockDef() {
  return getRuleContexts<LoomParser::BlockDefContext>();
}

LoomParser::BlockDefContext* LoomParser::FileContext::blockDef(size_t i) {
  return getRuleContext<LoomParser::BlockDefContext>(i);
}

std::vector<LoomParser::ModelDefContext *> LoomParser::FileContext::modelDef() {
  return getRuleContexts<LoomParser::ModelDefContext>();
}

LoomParser::ModelDefContext* LoomParser::FileContext::modelDef(size_t i) {
  return getRuleContext<LoomParser::ModelDefContext>(i);
}


size_t LoomParser::FileContext::getRuleIndex() const {
  return LoomParser::RuleFile;
}

antlrcpp::Any LoomParser::FileContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitFile(this);
  else
    return visitor->visitChildren(this);
}

LoomParser::FileContext* LoomParser::file() {
  FileContext *_localctx = _tracker.createInstance<FileContext>(_ctx, getState());
  enterRule(_localctx, 0, LoomParser::RuleFile);
  size_t _la = 0;

  auto onExit = finally([=] {
    exitRule();
  });
  try {
    enterOuterAlt(_localctx, 1);
    setState(35);
    _errHandler->sync(this);
    _la = _input->LA(1);
    while ((((_la & ~ 0x3fULL) == 0) &&
      ((1ULL << _la) & ((1ULL << LoomParser::T__0)
      | (1ULL << LoomParser::T__2)
      | (1ULL << LoomParser::T__5))) != 0)) {
      setState(33);
      _errHandler->sync(this);
      switch (_input->LA(1)) {
        case LoomParser::T__0: {
          setState(30);
          importDecl();
          break;
        }

        case LoomParser::T__2: {
          setState(31);
          blockDef();
          break;
        }

        case LoomParser::T__5: {
          setState(32);
          modelDef();
          break;
        }

      default:
        throw NoViableAltException(this);
      }
      setState(37);
      _errHandler->sync(this);
      _la = _input->LA(1);
    }
    setState(38);
    match(LoomParser::EOF);
   
  }
  catch (RecognitionException &e) {
    _errHandler->reportError(this, e);
    _localctx->exception = std::current_exception();
    _errHandler->recover(this, _localctx->exception);
  }

  return _localctx;
}

//----------------- ImportDeclContext ------------------------------------------------------------------

LoomParser::ImportDeclContext::ImportDeclContext(ParserRuleContext *parent, size_t invokingState)
  : ParserRuleContext(parent, invokingState) {
}

tree::TerminalNode* LoomParser::ImportDeclContext::STRING() {
  return getToken(LoomParser::STRING, 0);
}


size_t LoomParser::ImportDeclContext::getRuleIndex() const {
  return LoomParser::RuleImportDecl;
}

antlrcpp::Any LoomParser::ImportDeclContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitImportDecl(this);
  else
    return visitor->visitChildren(this);
}

LoomParser::ImportDeclContext* LoomParser::importDecl() {
  ImportDeclContext *_localctx = _tracker.createInstance<ImportDeclContext>(_ctx, getState());
  enterRule(_localctx, 2, LoomParser::RuleImportDecl);

  auto onExit = finally([=] {
    exitRule();
  });
  try {
    enterOuterAlt(_localctx, 1);
    setState(40);
    match(LoomParser::T__0);
    setState(41);
    dynamic_cast<ImportDeclContext *>(_localctx)->path = match(LoomParser::STRING);
    setState(42);
    match(LoomParser::T__1);
   
  }
  catch (RecognitionException &e) {
    _errHandler->reportError(this, e);
    _localctx->exception = std::current_exception();
    _errHandler->recover(this, _localctx->exception);
  }

  return _localctx;
}

//----------------- BlockDefContext ------------------------------------------------------------------

LoomParser::BlockDefContext::BlockDefContext(ParserRuleContext *parent, size_t invokingState)
  : ParserRuleContext(parent, invokingState) {
}

LoomParser::BodyContext* LoomParser::BlockDefContext::body() {
  return getRuleContext<LoomParser::BodyContext>(0);
}

tree::TerminalNode* LoomParser::BlockDefContext::ID() {
  return getToken(LoomParser::ID, 0);
}

LoomParser::ParamListContext* LoomParser::BlockDefContext::paramList() {
  return getRuleContext<LoomParser::ParamListContext>(0);
}


size_t LoomParser::BlockDefContext::getRuleIndex() const {
  return LoomParser::RuleBlockDef;
}

antlrcpp::Any LoomParser::BlockDefContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitBlockDef(this);
  else
    return visitor->visitChildren(this);
}

LoomParser::BlockDefContext* LoomParser::blockDef() {
  BlockDefContext *_localctx = _tracker.createInstance<BlockDefContext>(_ctx, getState());
  enterRule(_localctx, 4, LoomParser::RuleBlockDef);
  size_t _la = 0;

  auto onExit = finally([=] {
    exitRule();
  });
  try {
    enterOuterAlt(_localctx, 1);
    setState(44);
    match(LoomParser::T__2);
    setState(45);
    dynamic_cast<BlockDefContext *>(_localctx)->name = match(LoomParser::ID);
    setState(46);
    match(LoomParser::T__3);
    setState(48);
    _errHandler->sync(this);

    _la = _input->LA(1);
    if (_la == LoomParser::ID) {
      setState(47);
      paramList();
    }
    setState(50);
    match(LoomParser::T__4);
    setState(51);
    body();
   
  }
  catch (RecognitionException &e) {
    _errHandler->reportError(this, e);
    _localctx->exception = std::current_exception();
    _errHandler->recover(this, _localctx->exception);
  }

  return _localctx;
}

//----------------- ModelDefContext ------------------------------------------------------------------

LoomParser::ModelDefContext::ModelDefContext(ParserRuleContext *parent, size_t invokingState)
  : ParserRuleContext(parent, invokingState) {
}

tree::TerminalNode* LoomParser::ModelDefContext::ID() {
  return getToken(LoomParser::ID, 0);
}

std::vector<LoomParser::InputDeclContext *> LoomParser::ModelDefContext::inputDecl() {
  return getRuleContexts<LoomParser::InputDeclContext>();
}

LoomParser::InputDeclContext* LoomParser::ModelDefContext::inputDecl(size_t i) {
  return getRuleContext<LoomParser::InputDeclContext>(i);
}

std::vector<LoomParser::OutputDeclContext *> LoomParser::ModelDefContext::outputDecl() {
  return getRuleContexts<LoomParser::OutputDeclContext>();
}

LoomParser::OutputDeclContext* LoomParser::ModelDefContext::outputDecl(size_t i) {
  return getRuleContext<LoomParser::OutputDeclContext>(i);
}

std::vector<LoomParser::StmtContext *> LoomParser::ModelDefContext::stmt() {
  return getRuleContexts<LoomParser::StmtContext>();
}

LoomParser::StmtContext* LoomParser::ModelDefContext::stmt(size_t i) {
  return getRuleContext<LoomParser::StmtContext>(i);
}

LoomParser::ParamListContext* LoomParser::ModelDefContext::paramList() {
  return getRuleContext<LoomParser::ParamListContext>(0);
}


size_t LoomParser::ModelDefContext::getRuleIndex() const {
  return LoomParser::RuleModelDef;
}

antlrcpp::Any LoomParser::ModelDefContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitModelDef(this);
  else
    return visitor->visitChildren(this);
}

LoomParser::ModelDefContext* LoomParser::modelDef() {
  ModelDefContext *_localctx = _tracker.createInstance<ModelDefContext>(_ctx, getState());
  enterRule(_localctx, 6, LoomParser::RuleModelDef);
  size_t _la = 0;

  auto onExit = finally([=] {
    exitRule();
  });
  try {
    enterOuterAlt(_localctx, 1);
    setState(53);
    match(LoomParser::T__5);
    setState(54);
    dynamic_cast<ModelDefContext *>(_localctx)->name = match(LoomParser::ID);
    setState(60);
    _errHandler->sync(this);

    _la = _input->LA(1);
    if (_la == LoomParser::T__3) {
      setState(55);
      match(LoomParser::T__3);
      setState(57);
      _errHandler->sync(this);

      _la = _input->LA(1);
      if (_la == LoomParser::ID) {
        setState(56);
        paramList();
      }
      setState(59);
      match(LoomParser::T__4);
    }
    setState(62);
    match(LoomParser::T__6);
    setState(64); 
    _errHandler->sync(this);
    _la = _input->LA(1);
    do {
      setState(63);
      inputDecl();
      setState(66); 
      _errHandler->sync(this);
      _la = _input->LA(1);
    } while (_la == LoomParser::T__11);
    setState(71);
    _errHandler->sync(this);
    _la = _input->LA(1);
    while (_la == LoomParser::T__12) {
      setState(68);
      outputDecl();
      setState(73);
      _errHandler->sync(this);
      _la = _input->LA(1);
    }
    setState(77);
    _errHandler->sync(this);
    _la = _input->LA(1);
    while ((((_la & ~ 0x3fULL) == 0) &&
      ((1ULL << _la) & ((1ULL << LoomParser::T__15)
      | (1ULL << LoomParser::T__19)
      | (1ULL << LoomParser::T__20)
      | (1ULL << LoomParser::T__22)
      | (1ULL << LoomParser::T__23)
      | (1ULL << LoomParser::T__24)
      | (1ULL << LoomParser::ID))) != 0)) {
      setState(74);
      stmt();
      setState(79);
      _errHandler->sync(this);
      _la = _input->LA(1);
    }
    setState(80);
    match(LoomParser::T__7);
   
  }
  catch (RecognitionException &e) {
    _errHandler->reportError(this, e);
    _localctx->exception = std::current_exception();
    _errHandler->recover(this, _localctx->exception);
  }

  return _localctx;
}

//----------------- ParamListContext ------------------------------------------------------------------

LoomParser::ParamListContext::ParamListContext(ParserRuleContext *parent, size_t invokingState)
  : ParserRuleContext(parent, invokingState) {
}

std::vector<LoomParser::ParamContext *> LoomParser::ParamListContext::param() {
  return getRuleContexts<LoomParser::ParamContext>();
}

LoomParser::ParamContext* LoomParser::ParamListContext::param(size_t i) {
  return getRuleContext<LoomParser::ParamContext>(i);
}


size_t LoomParser::ParamListContext::getRuleIndex() const {
  return LoomParser::RuleParamList;
}

antlrcpp::Any LoomParser::ParamListContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitParamList(this);
  else
    return visitor->visitChildren(this);
}

LoomParser::ParamListContext* LoomParser::paramList() {
  ParamListContext *_localctx = _tracker.createInstance<ParamListContext>(_ctx, getState());
  enterRule(_localctx, 8, LoomParser::RuleParamList);
  size_t _la = 0;

  auto onExit = finally([=] {
    exitRule();
  });
  try {
    size_t alt;
    enterOuterAlt(_localctx, 1);
    setState(82);
    param();
    setState(87);
    _errHandler->sync(this);
    alt = getInterpreter<atn::ParserATNSimulator>()->adaptivePredict(_input, 8, _ctx);
    while (alt != 2 && alt != atn::ATN::INVALID_ALT_NUMBER) {
      if (alt == 1) {
        setState(83);
        match(LoomParser::T__8);
        setState(84);
        param(); 
      }
      setState(89);
      _errHandler->sync(this);
      alt = getInterpreter<atn::ParserATNSimulator>()->adaptivePredict(_input, 8, _ctx);
    }
    setState(91);
    _errHandler->sync(this);

    _la = _input->LA(1);
    if (_la == LoomParser::T__8) {
      setState(90);
      match(LoomParser::T__8);
    }
   
  }
  catch (RecognitionException &e) {
    _errHandler->reportError(this, e);
    _localctx->exception = std::current_exception();
    _errHandler->recover(this, _localctx->exception);
  }

  return _localctx;
}

//----------------- ParamContext ------------------------------------------------------------------

LoomParser::ParamContext::ParamContext(ParserRuleContext *parent, size_t invokingState)
  : ParserRuleContext(parent, invokingState) {
}

tree::TerminalNode* LoomParser::ParamContext::ID() {
  return getToken(LoomParser::ID, 0);
}

LoomParser::ParamTypeContext* LoomParser::ParamContext::paramType() {
  return getRuleContext<LoomParser::ParamTypeContext>(0);
}

LoomParser::ExprContext* LoomParser::ParamContext::expr() {
  return getRuleContext<LoomParser::ExprContext>(0);
}


size_t LoomParser::ParamContext::getRuleIndex() const {
  return LoomParser::RuleParam;
}

antlrcpp::Any LoomParser::ParamContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitParam(this);
  else
    return visitor->visitChildren(this);
}

LoomParser::ParamContext* LoomParser::param() {
  ParamContext *_localctx = _tracker.createInstance<ParamContext>(_ctx, getState());
  enterRule(_localctx, 10, LoomParser::RuleParam);
  size_t _la = 0;

  auto onExit = finally([=] {
    exitRule();
  });
  try {
    enterOuterAlt(_localctx, 1);
    setState(93);
    dynamic_cast<ParamContext *>(_localctx)->name = match(LoomParser::ID);
    setState(94);
    match(LoomParser::T__9);
    setState(95);
    dynamic_cast<ParamContext *>(_localctx)->type = paramType();
    setState(98);
    _errHandler->sync(this);

    _la = _input->LA(1);
    if (_la == LoomParser::T__10) {
      setState(96);
      match(LoomParser::T__10);
      setState(97);
      expr(0);
    }
   
  }
  catch (RecognitionException &e) {
    _errHandler->reportError(this, e);
    _localctx->exception = std::current_exception();
    _errHandler->recover(this, _localctx->exception);
  }

  return _localctx;
}

//----------------- ParamTypeContext ------------------------------------------------------------------

LoomParser::ParamTypeContext::ParamTypeContext(ParserRuleContext *parent, size_t invokingState)
  : ParserRuleContext(parent, invokingState) {
}

tree::TerminalNode* LoomParser::ParamTypeContext::ID() {
  return getToken(LoomParser::ID, 0);
}


size_t LoomParser::ParamTypeContext::getRuleIndex() const {
  return LoomParser::RuleParamType;
}

antlrcpp::Any LoomParser::ParamTypeContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitParamType(this);
  else
    return visitor->visitChildren(this);
}

LoomParser::ParamTypeContext* LoomParser::paramType() {
  ParamTypeContext *_localctx = _tracker.createInstance<ParamTypeContext>(_ctx, getState());
  enterRule(_localctx, 12, LoomParser::RuleParamType);
  size_t _la = 0;

  auto onExit = finally([=] {
    exitRule();
  });
  try {
    enterOuterAlt(_localctx, 1);
    setState(100);
    _la = _input->LA(1);
    if (!((((_la & ~ 0x3fULL) == 0) &&
      ((1ULL << _la) & ((1ULL << LoomParser::T__11)
      | (1ULL << LoomParser::T__12)
      | (1ULL << LoomParser::ID))) != 0))) {
    _errHandler->recoverInline(this);
    }
    else {
      _errHandler->reportMatch(this);
      consume();
    }
   
  }
  catch (RecognitionException &e) {
    _errHandler->reportError(this, e);
    _localctx->exception = std::current_exception();
    _errHandler->recover(this, _localctx->exception);
  }

  return _localctx;
}

//----------------- InputDeclContext ------------------------------------------------------------------

LoomParser::InputDeclContext::InputDeclContext(ParserRuleContext *parent, size_t invokingState)
  : ParserRuleContext(parent, invokingState) {
}

std::vector<LoomParser::ExprContext *> LoomParser::InputDeclContext::expr() {
  return getRuleContexts<LoomParser::ExprContext>();
}

LoomParser::ExprContext* LoomParser::InputDeclContext::expr(size_t i) {
  return getRuleContext<LoomParser::ExprContext>(i);
}

std::vector<tree::TerminalNode *> LoomParser::InputDeclContext::ID() {
  return getTokens(LoomParser::ID);
}

tree::TerminalNode* LoomParser::InputDeclContext::ID(size_t i) {
  return getToken(LoomParser::ID, i);
}


size_t LoomParser::InputDeclContext::getRuleIndex() const {
  return LoomParser::RuleInputDecl;
}

antlrcpp::Any LoomParser::InputDeclContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitInputDecl(this);
  else
    return visitor->visitChildren(this);
}

LoomParser::InputDeclContext* LoomParser::inputDecl() {
  InputDeclContext *_localctx = _tracker.createInstance<InputDeclContext>(_ctx, getState());
  enterRule(_localctx, 14, LoomParser::RuleInputDecl);
  size_t _la = 0;

  auto onExit = finally([=] {
    exitRule();
  });
  try {
    enterOuterAlt(_localctx, 1);
    setState(102);
    match(LoomParser::T__11);
    setState(103);
    dynamic_cast<InputDeclContext *>(_localctx)->name = match(LoomParser::ID);
    setState(104);
    match(LoomParser::T__9);
    setState(105);
    dynamic_cast<InputDeclContext *>(_localctx)->dtype = match(LoomParser::ID);
    setState(106);
    match(LoomParser::T__13);
    setState(107);
    expr(0);
    setState(112);
    _errHandler->sync(this);
    _la = _input->LA(1);
    while (_la == LoomParser::T__8) {
      setState(108);
      match(LoomParser::T__8);
      setState(109);
      expr(0);
      setState(114);
      _errHandler->sync(this);
      _la = _input->LA(1);
    }
    setState(115);
    match(LoomParser::T__14);
    setState(116);
    match(LoomParser::T__1);
   
  }
  catch (RecognitionException &e) {
    _errHandler->reportError(this, e);
    _localctx->exception = std::current_exception();
    _errHandler->recover(this, _localctx->exception);
  }

  return _localctx;
}

//----------------- OutputDeclContext ------------------------------------------------------------------

LoomParser::OutputDeclContext::OutputDeclContext(ParserRuleContext *parent, size_t invokingState)
  : ParserRuleContext(parent, invokingState) {
}

std::vector<LoomParser::ExprContext *> LoomParser::OutputDeclContext::expr() {
  return getRuleContexts<LoomParser::ExprContext>();
}

LoomParser::ExprContext* LoomParser::OutputDeclContext::expr(size_t i) {
  return getRuleContext<LoomParser::ExprContext>(i);
}

std::vector<tree::TerminalNode *> LoomParser::OutputDeclContext::ID() {
  return getTokens(LoomParser::ID);
}

tree::TerminalNode* LoomParser::OutputDeclContext::ID(size_t i) {
  return getToken(LoomParser::ID, i);
}


size_t LoomParser::OutputDeclContext::getRuleIndex() const {
  return LoomParser::RuleOutputDecl;
}

antlrcpp::Any LoomParser::OutputDeclContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitOutputDecl(this);
  else
    return visitor->visitChildren(this);
}

LoomParser::OutputDeclContext* LoomParser::outputDecl() {
  OutputDeclContext *_localctx = _tracker.createInstance<OutputDeclContext>(_ctx, getState());
  enterRule(_localctx, 16, LoomParser::RuleOutputDecl);
  size_t _la = 0;

  auto onExit = finally([=] {
    exitRule();
  });
  try {
    enterOuterAlt(_localctx, 1);
    setState(118);
    match(LoomParser::T__12);
    setState(119);
    dynamic_cast<OutputDeclContext *>(_localctx)->name = match(LoomParser::ID);
    setState(120);
    match(LoomParser::T__9);
    setState(121);
    dynamic_cast<OutputDeclContext *>(_localctx)->dtype = match(LoomParser::ID);
    setState(122);
    match(LoomParser::T__13);
    setState(123);
    expr(0);
    setState(128);
    _errHandler->sync(this);
    _la = _input->LA(1);
    while (_la == LoomParser::T__8) {
      setState(124);
      match(LoomParser::T__8);
      setState(125);
      expr(0);
      setState(130);
      _errHandler->sync(this);
      _la = _input->LA(1);
    }
    setState(131);
    match(LoomParser::T__14);
    setState(132);
    match(LoomParser::T__1);
   
  }
  catch (RecognitionException &e) {
    _errHandler->reportError(this, e);
    _localctx->exception = std::current_exception();
    _errHandler->recover(this, _localctx->exception);
  }

  return _localctx;
}

//----------------- BodyContext ------------------------------------------------------------------

LoomParser::BodyContext::BodyContext(ParserRuleContext *parent, size_t invokingState)
  : ParserRuleContext(parent, invokingState) {
}

std::vector<LoomParser::StmtContext *> LoomParser::BodyContext::stmt() {
  return getRuleContexts<LoomParser::StmtContext>();
}

LoomParser::StmtContext* LoomParser::BodyContext::stmt(size_t i) {
  return getRuleContext<LoomParser::StmtContext>(i);
}


size_t LoomParser::BodyContext::getRuleIndex() const {
  return LoomParser::RuleBody;
}

antlrcpp::Any LoomParser::BodyContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitBody(this);
  else
    return visitor->visitChildren(this);
}

LoomParser::BodyContext* LoomParser::body() {
  BodyContext *_localctx = _tracker.createInstance<BodyContext>(_ctx, getState());
  enterRule(_localctx, 18, LoomParser::RuleBody);
  size_t _la = 0;

  auto onExit = finally([=] {
    exitRule();
  });
  try {
    enterOuterAlt(_localctx, 1);
    setState(134);
    match(LoomParser::T__6);
    setState(138);
    _errHandler->sync(this);
    _la = _input->LA(1);
    while ((((_la & ~ 0x3fULL) == 0) &&
      ((1ULL << _la) & ((1ULL << LoomParser::T__15)
      | (1ULL << LoomParser::T__19)
      | (1ULL << LoomParser::T__20)
      | (1ULL << LoomParser::T__22)
      | (1ULL << LoomParser::T__23)
      | (1ULL << LoomParser::T__24)
      | (1ULL << LoomParser::ID))) != 0)) {
      setState(135);
      stmt();
      setState(140);
      _errHandler->sync(this);
      _la = _input->LA(1);
    }
    setState(141);
    match(LoomParser::T__7);
   
  }
  catch (RecognitionException &e) {
    _errHandler->reportError(this, e);
    _localctx->exception = std::current_exception();
    _errHandler->recover(this, _localctx->exception);
  }

  return _localctx;
}

//----------------- StmtContext ------------------------------------------------------------------

LoomParser::StmtContext::StmtContext(ParserRuleContext *parent, size_t invokingState)
  : ParserRuleContext(parent, invokingState) {
}


size_t LoomParser::StmtContext::getRuleIndex() const {
  return LoomParser::RuleStmt;
}

void LoomParser::StmtContext::copyFrom(StmtContext *ctx) {
  ParserRuleContext::copyFrom(ctx);
}

//----------------- ApplyStmtContext ------------------------------------------------------------------

tree::TerminalNode* LoomParser::ApplyStmtContext::ID() {
  return getToken(LoomParser::ID, 0);
}

LoomParser::WeightPathContext* LoomParser::ApplyStmtContext::weightPath() {
  return getRuleContext<LoomParser::WeightPathContext>(0);
}

LoomParser::ArgListContext* LoomParser::ApplyStmtContext::argList() {
  return getRuleContext<LoomParser::ArgListContext>(0);
}

LoomParser::ApplyStmtContext::ApplyStmtContext(StmtContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::ApplyStmtContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitApplyStmt(this);
  else
    return visitor->visitChildren(this);
}
//----------------- IfStmtContext ------------------------------------------------------------------

LoomParser::ExprContext* LoomParser::IfStmtContext::expr() {
  return getRuleContext<LoomParser::ExprContext>(0);
}

std::vector<LoomParser::BodyContext *> LoomParser::IfStmtContext::body() {
  return getRuleContexts<LoomParser::BodyContext>();
}

LoomParser::BodyContext* LoomParser::IfStmtContext::body(size_t i) {
  return getRuleContext<LoomParser::BodyContext>(i);
}

LoomParser::StmtContext* LoomParser::IfStmtContext::stmt() {
  return getRuleContext<LoomParser::StmtContext>(0);
}

LoomParser::IfStmtContext::IfStmtContext(StmtContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::IfStmtContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitIfStmt(this);
  else
    return visitor->visitChildren(this);
}
//----------------- LetStmtContext ------------------------------------------------------------------

tree::TerminalNode* LoomParser::LetStmtContext::ID() {
  return getToken(LoomParser::ID, 0);
}

LoomParser::ExprContext* LoomParser::LetStmtContext::expr() {
  return getRuleContext<LoomParser::ExprContext>(0);
}

LoomParser::LetStmtContext::LetStmtContext(StmtContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::LetStmtContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitLetStmt(this);
  else
    return visitor->visitChildren(this);
}
//----------------- LetTupleStmtContext ------------------------------------------------------------------

std::vector<tree::TerminalNode *> LoomParser::LetTupleStmtContext::ID() {
  return getTokens(LoomParser::ID);
}

tree::TerminalNode* LoomParser::LetTupleStmtContext::ID(size_t i) {
  return getToken(LoomParser::ID, i);
}

LoomParser::ExprContext* LoomParser::LetTupleStmtContext::expr() {
  return getRuleContext<LoomParser::ExprContext>(0);
}

LoomParser::LetTupleStmtContext::LetTupleStmtContext(StmtContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::LetTupleStmtContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitLetTupleStmt(this);
  else
    return visitor->visitChildren(this);
}
//----------------- CaptureStmtContext ------------------------------------------------------------------

tree::TerminalNode* LoomParser::CaptureStmtContext::ID() {
  return getToken(LoomParser::ID, 0);
}

LoomParser::CaptureStmtContext::CaptureStmtContext(StmtContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::CaptureStmtContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitCaptureStmt(this);
  else
    return visitor->visitChildren(this);
}
//----------------- ReturnStmtContext ------------------------------------------------------------------

std::vector<LoomParser::ExprContext *> LoomParser::ReturnStmtContext::expr() {
  return getRuleContexts<LoomParser::ExprContext>();
}

LoomParser::ExprContext* LoomParser::ReturnStmtContext::expr(size_t i) {
  return getRuleContext<LoomParser::ExprContext>(i);
}

LoomParser::ReturnStmtContext::ReturnStmtContext(StmtContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::ReturnStmtContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitReturnStmt(this);
  else
    return visitor->visitChildren(this);
}
//----------------- WriteStmtContext ------------------------------------------------------------------

tree::TerminalNode* LoomParser::WriteStmtContext::ID() {
  return getToken(LoomParser::ID, 0);
}

std::vector<LoomParser::ExprContext *> LoomParser::WriteStmtContext::expr() {
  return getRuleContexts<LoomParser::ExprContext>();
}

LoomParser::ExprContext* LoomParser::WriteStmtContext::expr(size_t i) {
  return getRuleContext<LoomParser::ExprContext>(i);
}

LoomParser::WriteStmtContext::WriteStmtContext(StmtContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::WriteStmtContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitWriteStmt(this);
  else
    return visitor->visitChildren(this);
}
//----------------- RepeatStmtContext ------------------------------------------------------------------

LoomParser::BodyContext* LoomParser::RepeatStmtContext::body() {
  return getRuleContext<LoomParser::BodyContext>(0);
}

LoomParser::ExprContext* LoomParser::RepeatStmtContext::expr() {
  return getRuleContext<LoomParser::ExprContext>(0);
}

tree::TerminalNode* LoomParser::RepeatStmtContext::ID() {
  return getToken(LoomParser::ID, 0);
}

LoomParser::WeightPathContext* LoomParser::RepeatStmtContext::weightPath() {
  return getRuleContext<LoomParser::WeightPathContext>(0);
}

LoomParser::RepeatStmtContext::RepeatStmtContext(StmtContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::RepeatStmtContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitRepeatStmt(this);
  else
    return visitor->visitChildren(this);
}
//----------------- ResidualStmtContext ------------------------------------------------------------------

LoomParser::BodyContext* LoomParser::ResidualStmtContext::body() {
  return getRuleContext<LoomParser::BodyContext>(0);
}

LoomParser::ArgListContext* LoomParser::ResidualStmtContext::argList() {
  return getRuleContext<LoomParser::ArgListContext>(0);
}

LoomParser::ResidualStmtContext::ResidualStmtContext(StmtContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::ResidualStmtContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitResidualStmt(this);
  else
    return visitor->visitChildren(this);
}
LoomParser::StmtContext* LoomParser::stmt() {
  StmtContext *_localctx = _tracker.createInstance<StmtContext>(_ctx, getState());
  enterRule(_localctx, 20, LoomParser::RuleStmt);
  size_t _la = 0;

  auto onExit = finally([=] {
    exitRule();
  });
  try {
    setState(237);
    _errHandler->sync(this);
    switch (getInterpreter<atn::ParserATNSimulator>()->adaptivePredict(_input, 27, _ctx)) {
    case 1: {
      _localctx = dynamic_cast<StmtContext *>(_tracker.createInstance<LoomParser::RepeatStmtContext>(_localctx));
      enterOuterAlt(_localctx, 1);
      setState(143);
      match(LoomParser::T__15);
      setState(144);
      dynamic_cast<RepeatStmtContext *>(_localctx)->count = expr(0);
      setState(147);
      _errHandler->sync(this);

      _la = _input->LA(1);
      if (_la == LoomParser::T__16) {
        setState(145);
        match(LoomParser::T__16);
        setState(146);
        dynamic_cast<RepeatStmtContext *>(_localctx)->idx = match(LoomParser::ID);
      }
      setState(150);
      _errHandler->sync(this);

      _la = _input->LA(1);
      if (_la == LoomParser::T__17) {
        setState(149);
        dynamic_cast<RepeatStmtContext *>(_localctx)->shared = match(LoomParser::T__17);
      }
      setState(154);
      _errHandler->sync(this);

      _la = _input->LA(1);
      if (_la == LoomParser::T__18) {
        setState(152);
        match(LoomParser::T__18);
        setState(153);
        dynamic_cast<RepeatStmtContext *>(_localctx)->name = weightPath();
      }
      setState(156);
      body();
      break;
    }

    case 2: {
      _localctx = dynamic_cast<StmtContext *>(_tracker.createInstance<LoomParser::ResidualStmtContext>(_localctx));
      enterOuterAlt(_localctx, 2);
      setState(158);
      match(LoomParser::T__19);
      setState(164);
      _errHandler->sync(this);

      _la = _input->LA(1);
      if (_la == LoomParser::T__3) {
        setState(159);
        match(LoomParser::T__3);
        setState(161);
        _errHandler->sync(this);

        _la = _input->LA(1);
        if ((((_la & ~ 0x3fULL) == 0) &&
          ((1ULL << _la) & ((1ULL << LoomParser::T__3)
          | (1ULL << LoomParser::T__25)
          | (1ULL << LoomParser::T__26)
          | (1ULL << LoomParser::T__39)
          | (1ULL << LoomParser::T__40)
          | (1ULL << LoomParser::ID)
          | (1ULL << LoomParser::FLOAT)
          | (1ULL << LoomParser::INT)
          | (1ULL << LoomParser::STRING))) != 0)) {
          setState(160);
          argList();
        }
        setState(163);
        match(LoomParser::T__4);
      }
      setState(166);
      body();
      break;
    }

    case 3: {
      _localctx = dynamic_cast<StmtContext *>(_tracker.createInstance<LoomParser::IfStmtContext>(_localctx));
      enterOuterAlt(_localctx, 3);
      setState(167);
      match(LoomParser::T__20);
      setState(168);
      match(LoomParser::T__3);
      setState(169);
      dynamic_cast<IfStmtContext *>(_localctx)->cond = expr(0);
      setState(170);
      match(LoomParser::T__4);
      setState(171);
      dynamic_cast<IfStmtContext *>(_localctx)->then = body();
      setState(177);
      _errHandler->sync(this);

      _la = _input->LA(1);
      if (_la == LoomParser::T__21) {
        setState(172);
        match(LoomParser::T__21);
        setState(175);
        _errHandler->sync(this);
        switch (_input->LA(1)) {
          case LoomParser::T__6: {
            setState(173);
            dynamic_cast<IfStmtContext *>(_localctx)->otherwise = body();
            break;
          }

          case LoomParser::T__15:
          case LoomParser::T__19:
          case LoomParser::T__20:
          case LoomParser::T__22:
          case LoomParser::T__23:
          case LoomParser::T__24:
          case LoomParser::ID: {
            setState(174);
            dynamic_cast<IfStmtContext *>(_localctx)->elseIf = stmt();
            break;
          }

        default:
          throw NoViableAltException(this);
        }
      }
      break;
    }

    case 4: {
      _localctx = dynamic_cast<StmtContext *>(_tracker.createInstance<LoomParser::ApplyStmtContext>(_localctx));
      enterOuterAlt(_localctx, 4);
      setState(179);
      dynamic_cast<ApplyStmtContext *>(_localctx)->callee = match(LoomParser::ID);
      setState(185);
      _errHandler->sync(this);

      _la = _input->LA(1);
      if (_la == LoomParser::T__3) {
        setState(180);
        match(LoomParser::T__3);
        setState(182);
        _errHandler->sync(this);

        _la = _input->LA(1);
        if ((((_la & ~ 0x3fULL) == 0) &&
          ((1ULL << _la) & ((1ULL << LoomParser::T__3)
          | (1ULL << LoomParser::T__25)
          | (1ULL << LoomParser::T__26)
          | (1ULL << LoomParser::T__39)
          | (1ULL << LoomParser::T__40)
          | (1ULL << LoomParser::ID)
          | (1ULL << LoomParser::FLOAT)
          | (1ULL << LoomParser::INT)
          | (1ULL << LoomParser::STRING))) != 0)) {
          setState(181);
          argList();
        }
        setState(184);
        match(LoomParser::T__4);
      }
      setState(189);
      _errHandler->sync(this);

      _la = _input->LA(1);
      if (_la == LoomParser::T__18) {
        setState(187);
        match(LoomParser::T__18);
        setState(188);
        dynamic_cast<ApplyStmtContext *>(_localctx)->name = weightPath();
      }
      setState(191);
      match(LoomParser::T__1);
      break;
    }

    case 5: {
      _localctx = dynamic_cast<StmtContext *>(_tracker.createInstance<LoomParser::LetStmtContext>(_localctx));
      enterOuterAlt(_localctx, 5);
      setState(192);
      match(LoomParser::T__22);
      setState(193);
      dynamic_cast<LetStmtContext *>(_localctx)->name = match(LoomParser::ID);
      setState(194);
      match(LoomParser::T__10);
      setState(195);
      dynamic_cast<LetStmtContext *>(_localctx)->value = expr(0);
      setState(196);
      match(LoomParser::T__1);
      break;
    }

    case 6: {
      _localctx = dynamic_cast<StmtContext *>(_tracker.createInstance<LoomParser::LetTupleStmtContext>(_localctx));
      enterOuterAlt(_localctx, 6);
      setState(198);
      match(LoomParser::T__22);
      setState(199);
      match(LoomParser::T__3);
      setState(200);
      dynamic_cast<LetTupleStmtContext *>(_localctx)->idToken = match(LoomParser::ID);
      dynamic_cast<LetTupleStmtContext *>(_localctx)->names.push_back(dynamic_cast<LetTupleStmtContext *>(_localctx)->idToken);
      setState(203); 
      _errHandler->sync(this);
      _la = _input->LA(1);
      do {
        setState(201);
        match(LoomParser::T__8);
        setState(202);
        dynamic_cast<LetTupleStmtContext *>(_localctx)->idToken = match(LoomParser::ID);
        dynamic_cast<LetTupleStmtContext *>(_localctx)->names.push_back(dynamic_cast<LetTupleStmtContext *>(_localctx)->idToken);
        setState(205); 
        _errHandler->sync(this);
        _la = _input->LA(1);
      } while (_la == LoomParser::T__8);
      setState(207);
      match(LoomParser::T__4);
      setState(208);
      match(LoomParser::T__10);
      setState(209);
      dynamic_cast<LetTupleStmtContext *>(_localctx)->value = expr(0);
      setState(210);
      match(LoomParser::T__1);
      break;
    }

    case 7: {
      _localctx = dynamic_cast<StmtContext *>(_tracker.createInstance<LoomParser::ReturnStmtContext>(_localctx));
      enterOuterAlt(_localctx, 7);
      setState(212);
      match(LoomParser::T__23);
      setState(213);
      dynamic_cast<ReturnStmtContext *>(_localctx)->exprContext = expr(0);
      dynamic_cast<ReturnStmtContext *>(_localctx)->values.push_back(dynamic_cast<ReturnStmtContext *>(_localctx)->exprContext);
      setState(218);
      _errHandler->sync(this);
      _la = _input->LA(1);
      while (_la == LoomParser::T__8) {
        setState(214);
        match(LoomParser::T__8);
        setState(215);
        dynamic_cast<ReturnStmtContext *>(_localctx)->exprContext = expr(0);
        dynamic_cast<ReturnStmtContext *>(_localctx)->values.push_back(dynamic_cast<ReturnStmtContext *>(_localctx)->exprContext);
        setState(220);
        _errHandler->sync(this);
        _la = _input->LA(1);
      }
      setState(221);
      match(LoomParser::T__1);
      break;
    }

    case 8: {
      _localctx = dynamic_cast<StmtContext *>(_tracker.createInstance<LoomParser::CaptureStmtContext>(_localctx));
      enterOuterAlt(_localctx, 8);
      setState(223);
      match(LoomParser::T__24);
      setState(224);
      dynamic_cast<CaptureStmtContext *>(_localctx)->name = match(LoomParser::ID);
      setState(225);
      match(LoomParser::T__1);
      break;
    }

    case 9: {
      _localctx = dynamic_cast<StmtContext *>(_tracker.createInstance<LoomParser::WriteStmtContext>(_localctx));
      enterOuterAlt(_localctx, 9);
      setState(226);
      dynamic_cast<WriteStmtContext *>(_localctx)->target = match(LoomParser::ID);
      setState(231);
      _errHandler->sync(this);

      _la = _input->LA(1);
      if (_la == LoomParser::T__13) {
        setState(227);
        match(LoomParser::T__13);
        setState(228);
        dynamic_cast<WriteStmtContext *>(_localctx)->index = expr(0);
        setState(229);
        match(LoomParser::T__14);
      }
      setState(233);
      match(LoomParser::T__10);
      setState(234);
      dynamic_cast<WriteStmtContext *>(_localctx)->value = expr(0);
      setState(235);
      match(LoomParser::T__1);
      break;
    }

    }
   
  }
  catch (RecognitionException &e) {
    _errHandler->reportError(this, e);
    _localctx->exception = std::current_exception();
    _errHandler->recover(this, _localctx->exception);
  }

  return _localctx;
}

//----------------- WeightPathContext ------------------------------------------------------------------

LoomParser::WeightPathContext::WeightPathContext(ParserRuleContext *parent, size_t invokingState)
  : ParserRuleContext(parent, invokingState) {
}

tree::TerminalNode* LoomParser::WeightPathContext::ID() {
  return getToken(LoomParser::ID, 0);
}

tree::TerminalNode* LoomParser::WeightPathContext::PATH() {
  return getToken(LoomParser::PATH, 0);
}


size_t LoomParser::WeightPathContext::getRuleIndex() const {
  return LoomParser::RuleWeightPath;
}

antlrcpp::Any LoomParser::WeightPathContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitWeightPath(this);
  else
    return visitor->visitChildren(this);
}

LoomParser::WeightPathContext* LoomParser::weightPath() {
  WeightPathContext *_localctx = _tracker.createInstance<WeightPathContext>(_ctx, getState());
  enterRule(_localctx, 22, LoomParser::RuleWeightPath);
  size_t _la = 0;

  auto onExit = finally([=] {
    exitRule();
  });
  try {
    enterOuterAlt(_localctx, 1);
    setState(239);
    _la = _input->LA(1);
    if (!((((_la & ~ 0x3fULL) == 0) &&
      ((1ULL << _la) & ((1ULL << LoomParser::T__0)
      | (1ULL << LoomParser::T__2)
      | (1ULL << LoomParser::T__5)
      | (1ULL << LoomParser::T__11)
      | (1ULL << LoomParser::T__12)
      | (1ULL << LoomParser::T__15)
      | (1ULL << LoomParser::T__16)
      | (1ULL << LoomParser::T__17)
      | (1ULL << LoomParser::T__19)
      | (1ULL << LoomParser::T__22)
      | (1ULL << LoomParser::T__23)
      | (1ULL << LoomParser::T__24)
      | (1ULL << LoomParser::ID)
      | (1ULL << LoomParser::PATH))) != 0))) {
    _errHandler->recoverInline(this);
    }
    else {
      _errHandler->reportMatch(this);
      consume();
    }
   
  }
  catch (RecognitionException &e) {
    _errHandler->reportError(this, e);
    _localctx->exception = std::current_exception();
    _errHandler->recover(this, _localctx->exception);
  }

  return _localctx;
}

//----------------- ArgListContext ------------------------------------------------------------------

LoomParser::ArgListContext::ArgListContext(ParserRuleContext *parent, size_t invokingState)
  : ParserRuleContext(parent, invokingState) {
}

std::vector<LoomParser::ArgContext *> LoomParser::ArgListContext::arg() {
  return getRuleContexts<LoomParser::ArgContext>();
}

LoomParser::ArgContext* LoomParser::ArgListContext::arg(size_t i) {
  return getRuleContext<LoomParser::ArgContext>(i);
}


size_t LoomParser::ArgListContext::getRuleIndex() const {
  return LoomParser::RuleArgList;
}

antlrcpp::Any LoomParser::ArgListContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitArgList(this);
  else
    return visitor->visitChildren(this);
}

LoomParser::ArgListContext* LoomParser::argList() {
  ArgListContext *_localctx = _tracker.createInstance<ArgListContext>(_ctx, getState());
  enterRule(_localctx, 24, LoomParser::RuleArgList);
  size_t _la = 0;

  auto onExit = finally([=] {
    exitRule();
  });
  try {
    size_t alt;
    enterOuterAlt(_localctx, 1);
    setState(241);
    arg();
    setState(246);
    _errHandler->sync(this);
    alt = getInterpreter<atn::ParserATNSimulator>()->adaptivePredict(_input, 28, _ctx);
    while (alt != 2 && alt != atn::ATN::INVALID_ALT_NUMBER) {
      if (alt == 1) {
        setState(242);
        match(LoomParser::T__8);
        setState(243);
        arg(); 
      }
      setState(248);
      _errHandler->sync(this);
      alt = getInterpreter<atn::ParserATNSimulator>()->adaptivePredict(_input, 28, _ctx);
    }
    setState(250);
    _errHandler->sync(this);

    _la = _input->LA(1);
    if (_la == LoomParser::T__8) {
      setState(249);
      match(LoomParser::T__8);
    }
   
  }
  catch (RecognitionException &e) {
    _errHandler->reportError(this, e);
    _localctx->exception = std::current_exception();
    _errHandler->recover(this, _localctx->exception);
  }

  return _localctx;
}

//----------------- ArgContext ------------------------------------------------------------------

LoomParser::ArgContext::ArgContext(ParserRuleContext *parent, size_t invokingState)
  : ParserRuleContext(parent, invokingState) {
}

LoomParser::ExprContext* LoomParser::ArgContext::expr() {
  return getRuleContext<LoomParser::ExprContext>(0);
}

tree::TerminalNode* LoomParser::ArgContext::ID() {
  return getToken(LoomParser::ID, 0);
}


size_t LoomParser::ArgContext::getRuleIndex() const {
  return LoomParser::RuleArg;
}

antlrcpp::Any LoomParser::ArgContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitArg(this);
  else
    return visitor->visitChildren(this);
}

LoomParser::ArgContext* LoomParser::arg() {
  ArgContext *_localctx = _tracker.createInstance<ArgContext>(_ctx, getState());
  enterRule(_localctx, 26, LoomParser::RuleArg);

  auto onExit = finally([=] {
    exitRule();
  });
  try {
    setState(256);
    _errHandler->sync(this);
    switch (getInterpreter<atn::ParserATNSimulator>()->adaptivePredict(_input, 30, _ctx)) {
    case 1: {
      enterOuterAlt(_localctx, 1);
      setState(252);
      dynamic_cast<ArgContext *>(_localctx)->name = match(LoomParser::ID);
      setState(253);
      match(LoomParser::T__10);
      setState(254);
      expr(0);
      break;
    }

    case 2: {
      enterOuterAlt(_localctx, 2);
      setState(255);
      expr(0);
      break;
    }

    }
   
  }
  catch (RecognitionException &e) {
    _errHandler->reportError(this, e);
    _localctx->exception = std::current_exception();
    _errHandler->recover(this, _localctx->exception);
  }

  return _localctx;
}

//----------------- ExprContext ------------------------------------------------------------------

LoomParser::ExprContext::ExprContext(ParserRuleContext *parent, size_t invokingState)
  : ParserRuleContext(parent, invokingState) {
}


size_t LoomParser::ExprContext::getRuleIndex() const {
  return LoomParser::RuleExpr;
}

void LoomParser::ExprContext::copyFrom(ExprContext *ctx) {
  ParserRuleContext::copyFrom(ctx);
}

//----------------- IntExprContext ------------------------------------------------------------------

tree::TerminalNode* LoomParser::IntExprContext::INT() {
  return getToken(LoomParser::INT, 0);
}

LoomParser::IntExprContext::IntExprContext(ExprContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::IntExprContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitIntExpr(this);
  else
    return visitor->visitChildren(this);
}
//----------------- BinaryExprContext ------------------------------------------------------------------

std::vector<LoomParser::ExprContext *> LoomParser::BinaryExprContext::expr() {
  return getRuleContexts<LoomParser::ExprContext>();
}

LoomParser::ExprContext* LoomParser::BinaryExprContext::expr(size_t i) {
  return getRuleContext<LoomParser::ExprContext>(i);
}

LoomParser::BinaryExprContext::BinaryExprContext(ExprContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::BinaryExprContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitBinaryExpr(this);
  else
    return visitor->visitChildren(this);
}
//----------------- ParenExprContext ------------------------------------------------------------------

LoomParser::ExprContext* LoomParser::ParenExprContext::expr() {
  return getRuleContext<LoomParser::ExprContext>(0);
}

LoomParser::ParenExprContext::ParenExprContext(ExprContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::ParenExprContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitParenExpr(this);
  else
    return visitor->visitChildren(this);
}
//----------------- NameExprContext ------------------------------------------------------------------

tree::TerminalNode* LoomParser::NameExprContext::ID() {
  return getToken(LoomParser::ID, 0);
}

LoomParser::NameExprContext::NameExprContext(ExprContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::NameExprContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitNameExpr(this);
  else
    return visitor->visitChildren(this);
}
//----------------- StringExprContext ------------------------------------------------------------------

tree::TerminalNode* LoomParser::StringExprContext::STRING() {
  return getToken(LoomParser::STRING, 0);
}

LoomParser::StringExprContext::StringExprContext(ExprContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::StringExprContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitStringExpr(this);
  else
    return visitor->visitChildren(this);
}
//----------------- IndexExprContext ------------------------------------------------------------------

std::vector<LoomParser::ExprContext *> LoomParser::IndexExprContext::expr() {
  return getRuleContexts<LoomParser::ExprContext>();
}

LoomParser::ExprContext* LoomParser::IndexExprContext::expr(size_t i) {
  return getRuleContext<LoomParser::ExprContext>(i);
}

LoomParser::IndexExprContext::IndexExprContext(ExprContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::IndexExprContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitIndexExpr(this);
  else
    return visitor->visitChildren(this);
}
//----------------- FloatExprContext ------------------------------------------------------------------

tree::TerminalNode* LoomParser::FloatExprContext::FLOAT() {
  return getToken(LoomParser::FLOAT, 0);
}

LoomParser::FloatExprContext::FloatExprContext(ExprContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::FloatExprContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitFloatExpr(this);
  else
    return visitor->visitChildren(this);
}
//----------------- NotExprContext ------------------------------------------------------------------

LoomParser::ExprContext* LoomParser::NotExprContext::expr() {
  return getRuleContext<LoomParser::ExprContext>(0);
}

LoomParser::NotExprContext::NotExprContext(ExprContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::NotExprContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitNotExpr(this);
  else
    return visitor->visitChildren(this);
}
//----------------- NegExprContext ------------------------------------------------------------------

LoomParser::ExprContext* LoomParser::NegExprContext::expr() {
  return getRuleContext<LoomParser::ExprContext>(0);
}

LoomParser::NegExprContext::NegExprContext(ExprContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::NegExprContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitNegExpr(this);
  else
    return visitor->visitChildren(this);
}
//----------------- LogicExprContext ------------------------------------------------------------------

std::vector<LoomParser::ExprContext *> LoomParser::LogicExprContext::expr() {
  return getRuleContexts<LoomParser::ExprContext>();
}

LoomParser::ExprContext* LoomParser::LogicExprContext::expr(size_t i) {
  return getRuleContext<LoomParser::ExprContext>(i);
}

LoomParser::LogicExprContext::LogicExprContext(ExprContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::LogicExprContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitLogicExpr(this);
  else
    return visitor->visitChildren(this);
}
//----------------- BoolExprContext ------------------------------------------------------------------

LoomParser::BoolExprContext::BoolExprContext(ExprContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::BoolExprContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitBoolExpr(this);
  else
    return visitor->visitChildren(this);
}
//----------------- CallExprContext ------------------------------------------------------------------

tree::TerminalNode* LoomParser::CallExprContext::ID() {
  return getToken(LoomParser::ID, 0);
}

LoomParser::ArgListContext* LoomParser::CallExprContext::argList() {
  return getRuleContext<LoomParser::ArgListContext>(0);
}

LoomParser::CallExprContext::CallExprContext(ExprContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::CallExprContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitCallExpr(this);
  else
    return visitor->visitChildren(this);
}
//----------------- AsExprContext ------------------------------------------------------------------

LoomParser::ExprContext* LoomParser::AsExprContext::expr() {
  return getRuleContext<LoomParser::ExprContext>(0);
}

LoomParser::WeightPathContext* LoomParser::AsExprContext::weightPath() {
  return getRuleContext<LoomParser::WeightPathContext>(0);
}

LoomParser::AsExprContext::AsExprContext(ExprContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::AsExprContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitAsExpr(this);
  else
    return visitor->visitChildren(this);
}
//----------------- CompareExprContext ------------------------------------------------------------------

std::vector<LoomParser::ExprContext *> LoomParser::CompareExprContext::expr() {
  return getRuleContexts<LoomParser::ExprContext>();
}

LoomParser::ExprContext* LoomParser::CompareExprContext::expr(size_t i) {
  return getRuleContext<LoomParser::ExprContext>(i);
}

LoomParser::CompareExprContext::CompareExprContext(ExprContext *ctx) { copyFrom(ctx); }

antlrcpp::Any LoomParser::CompareExprContext::accept(tree::ParseTreeVisitor *visitor) {
  if (auto parserVisitor = dynamic_cast<LoomVisitor*>(visitor))
    return parserVisitor->visitCompareExpr(this);
  else
    return visitor->visitChildren(this);
}

LoomParser::ExprContext* LoomParser::expr() {
   return expr(0);
}

LoomParser::ExprContext* LoomParser::expr(int precedence) {
  ParserRuleContext *parentContext = _ctx;
  size_t parentState = getState();
  LoomParser::ExprContext *_localctx = _tracker.createInstance<ExprContext>(_ctx, parentState);
  LoomParser::ExprContext *previousContext = _localctx;
  (void)previousContext; // Silence compiler, in case the context is not used by generated code.
  size_t startState = 28;
  enterRecursionRule(_localctx, 28, LoomParser::RuleExpr, precedence);

    size_t _la = 0;

  auto onExit = finally([=] {
    unrollRecursionContexts(parentContext);
  });
  try {
    size_t alt;
    enterOuterAlt(_localctx, 1);
    setState(278);
    _errHandler->sync(this);
    switch (getInterpreter<atn::ParserATNSimulator>()->adaptivePredict(_input, 32, _ctx)) {
    case 1: {
      _localctx = _tracker.createInstance<ParenExprContext>(_localctx);
      _ctx = _localctx;
      previousContext = _localctx;

      setState(259);
      match(LoomParser::T__3);
      setState(260);
      expr(0);
      setState(261);
      match(LoomParser::T__4);
      break;
    }

    case 2: {
      _localctx = _tracker.createInstance<NegExprContext>(_localctx);
      _ctx = _localctx;
      previousContext = _localctx;
      setState(263);
      match(LoomParser::T__25);
      setState(264);
      expr(13);
      break;
    }

    case 3: {
      _localctx = _tracker.createInstance<NotExprContext>(_localctx);
      _ctx = _localctx;
      previousContext = _localctx;
      setState(265);
      match(LoomParser::T__26);
      setState(266);
      expr(12);
      break;
    }

    case 4: {
      _localctx = _tracker.createInstance<IntExprContext>(_localctx);
      _ctx = _localctx;
      previousContext = _localctx;
      setState(267);
      match(LoomParser::INT);
      break;
    }

    case 5: {
      _localctx = _tracker.createInstance<FloatExprContext>(_localctx);
      _ctx = _localctx;
      previousContext = _localctx;
      setState(268);
      match(LoomParser::FLOAT);
      break;
    }

    case 6: {
      _localctx = _tracker.createInstance<BoolExprContext>(_localctx);
      _ctx = _localctx;
      previousContext = _localctx;
      setState(269);
      dynamic_cast<BoolExprContext *>(_localctx)->value = _input->LT(1);
      _la = _input->LA(1);
      if (!(_la == LoomParser::T__39

      || _la == LoomParser::T__40)) {
        dynamic_cast<BoolExprContext *>(_localctx)->value = _errHandler->recoverInline(this);
      }
      else {
        _errHandler->reportMatch(this);
        consume();
      }
      break;
    }

    case 7: {
      _localctx = _tracker.createInstance<StringExprContext>(_localctx);
      _ctx = _localctx;
      previousContext = _localctx;
      setState(270);
      match(LoomParser::STRING);
      break;
    }

    case 8: {
      _localctx = _tracker.createInstance<CallExprContext>(_localctx);
      _ctx = _localctx;
      previousContext = _localctx;
      setState(271);
      dynamic_cast<CallExprContext *>(_localctx)->callee = match(LoomParser::ID);
      setState(272);
      match(LoomParser::T__3);
      setState(274);
      _errHandler->sync(this);

      _la = _input->LA(1);
      if ((((_la & ~ 0x3fULL) == 0) &&
        ((1ULL << _la) & ((1ULL << LoomParser::T__3)
        | (1ULL << LoomParser::T__25)
        | (1ULL << LoomParser::T__26)
        | (1ULL << LoomParser::T__39)
        | (1ULL << LoomParser::T__40)
        | (1ULL << LoomParser::ID)
        | (1ULL << LoomParser::FLOAT)
        | (1ULL << LoomParser::INT)
        | (1ULL << LoomParser::STRING))) != 0)) {
        setState(273);
        argList();
      }
      setState(276);
      match(LoomParser::T__4);
      break;
    }

    case 9: {
      _localctx = _tracker.createInstance<NameExprContext>(_localctx);
      _ctx = _localctx;
      previousContext = _localctx;
      setState(277);
      dynamic_cast<NameExprContext *>(_localctx)->ref = match(LoomParser::ID);
      break;
    }

    }
    _ctx->stop = _input->LT(-1);
    setState(305);
    _errHandler->sync(this);
    alt = getInterpreter<atn::ParserATNSimulator>()->adaptivePredict(_input, 34, _ctx);
    while (alt != 2 && alt != atn::ATN::INVALID_ALT_NUMBER) {
      if (alt == 1) {
        if (!_parseListeners.empty())
          triggerExitRuleEvent();
        previousContext = _localctx;
        setState(303);
        _errHandler->sync(this);
        switch (getInterpreter<atn::ParserATNSimulator>()->adaptivePredict(_input, 33, _ctx)) {
        case 1: {
          auto newContext = _tracker.createInstance<BinaryExprContext>(_tracker.createInstance<ExprContext>(parentContext, parentState));
          _localctx = newContext;
          newContext->lhs = previousContext;
          pushNewRecursionContext(newContext, startState, RuleExpr);
          setState(280);

          if (!(precpred(_ctx, 11))) throw FailedPredicateException(this, "precpred(_ctx, 11)");
          setState(281);
          dynamic_cast<BinaryExprContext *>(_localctx)->op = _input->LT(1);
          _la = _input->LA(1);
          if (!((((_la & ~ 0x3fULL) == 0) &&
            ((1ULL << _la) & ((1ULL << LoomParser::T__27)
            | (1ULL << LoomParser::T__28)
            | (1ULL << LoomParser::T__29))) != 0))) {
            dynamic_cast<BinaryExprContext *>(_localctx)->op = _errHandler->recoverInline(this);
          }
          else {
            _errHandler->reportMatch(this);
            consume();
          }
          setState(282);
          dynamic_cast<BinaryExprContext *>(_localctx)->rhs = expr(12);
          break;
        }

        case 2: {
          auto newContext = _tracker.createInstance<BinaryExprContext>(_tracker.createInstance<ExprContext>(parentContext, parentState));
          _localctx = newContext;
          newContext->lhs = previousContext;
          pushNewRecursionContext(newContext, startState, RuleExpr);
          setState(283);

          if (!(precpred(_ctx, 10))) throw FailedPredicateException(this, "precpred(_ctx, 10)");
          setState(284);
          dynamic_cast<BinaryExprContext *>(_localctx)->op = _input->LT(1);
          _la = _input->LA(1);
          if (!(_la == LoomParser::T__25

          || _la == LoomParser::T__30)) {
            dynamic_cast<BinaryExprContext *>(_localctx)->op = _errHandler->recoverInline(this);
          }
          else {
            _errHandler->reportMatch(this);
            consume();
          }
          setState(285);
          dynamic_cast<BinaryExprContext *>(_localctx)->rhs = expr(11);
          break;
        }

        case 3: {
          auto newContext = _tracker.createInstance<CompareExprContext>(_tracker.createInstance<ExprContext>(parentContext, parentState));
          _localctx = newContext;
          newContext->lhs = previousContext;
          pushNewRecursionContext(newContext, startState, RuleExpr);
          setState(286);

          if (!(precpred(_ctx, 9))) throw FailedPredicateException(this, "precpred(_ctx, 9)");
          setState(287);
          dynamic_cast<CompareExprContext *>(_localctx)->op = _input->LT(1);
          _la = _input->LA(1);
          if (!((((_la & ~ 0x3fULL) == 0) &&
            ((1ULL << _la) & ((1ULL << LoomParser::T__31)
            | (1ULL << LoomParser::T__32)
            | (1ULL << LoomParser::T__33)
            | (1ULL << LoomParser::T__34)
            | (1ULL << LoomParser::T__35)
            | (1ULL << LoomParser::T__36))) != 0))) {
            dynamic_cast<CompareExprContext *>(_localctx)->op = _errHandler->recoverInline(this);
          }
          else {
            _errHandler->reportMatch(this);
            consume();
          }
          setState(288);
          dynamic_cast<CompareExprContext *>(_localctx)->rhs = expr(10);
          break;
        }

        case 4: {
          auto newContext = _tracker.createInstance<LogicExprContext>(_tracker.createInstance<ExprContext>(parentContext, parentState));
          _localctx = newContext;
          newContext->lhs = previousContext;
          pushNewRecursionContext(newContext, startState, RuleExpr);
          setState(289);

          if (!(precpred(_ctx, 8))) throw FailedPredicateException(this, "precpred(_ctx, 8)");
          setState(290);
          dynamic_cast<LogicExprContext *>(_localctx)->op = match(LoomParser::T__37);
          setState(291);
          dynamic_cast<LogicExprContext *>(_localctx)->rhs = expr(9);
          break;
        }

        case 5: {
          auto newContext = _tracker.createInstance<LogicExprContext>(_tracker.createInstance<ExprContext>(parentContext, parentState));
          _localctx = newContext;
          newContext->lhs = previousContext;
          pushNewRecursionContext(newContext, startState, RuleExpr);
          setState(292);

          if (!(precpred(_ctx, 7))) throw FailedPredicateException(this, "precpred(_ctx, 7)");
          setState(293);
          dynamic_cast<LogicExprContext *>(_localctx)->op = match(LoomParser::T__38);
          setState(294);
          dynamic_cast<LogicExprContext *>(_localctx)->rhs = expr(8);
          break;
        }

        case 6: {
          auto newContext = _tracker.createInstance<IndexExprContext>(_tracker.createInstance<ExprContext>(parentContext, parentState));
          _localctx = newContext;
          newContext->value = previousContext;
          pushNewRecursionContext(newContext, startState, RuleExpr);
          setState(295);

          if (!(precpred(_ctx, 15))) throw FailedPredicateException(this, "precpred(_ctx, 15)");
          setState(296);
          match(LoomParser::T__13);
          setState(297);
          dynamic_cast<IndexExprContext *>(_localctx)->index = expr(0);
          setState(298);
          match(LoomParser::T__14);
          break;
        }

        case 7: {
          auto newContext = _tracker.createInstance<AsExprContext>(_tracker.createInstance<ExprContext>(parentContext, parentState));
          _localctx = newContext;
          newContext->value = previousContext;
          pushNewRecursionContext(newContext, startState, RuleExpr);
          setState(300);

          if (!(precpred(_ctx, 14))) throw FailedPredicateException(this, "precpred(_ctx, 14)");
          setState(301);
          match(LoomParser::T__18);
          setState(302);
          dynamic_cast<AsExprContext *>(_localctx)->asName = weightPath();
          break;
        }

        } 
      }
      setState(307);
      _errHandler->sync(this);
      alt = getInterpreter<atn::ParserATNSimulator>()->adaptivePredict(_input, 34, _ctx);
    }
  }
  catch (RecognitionException &e) {
    _errHandler->reportError(this, e);
    _localctx->exception = std::current_exception();
    _errHandler->recover(this, _localctx->exception);
  }
  return _localctx;
}

bool LoomParser::sempred(RuleContext *context, size_t ruleIndex, size_t predicateIndex) {
  switch (ruleIndex) {
    case 14: return exprSempred(dynamic_cast<ExprContext *>(context), predicateIndex);

  default:
    break;
  }
  return true;
}

bool LoomParser::exprSempred(ExprContext *_localctx, size_t predicateIndex) {
  switch (predicateIndex) {
    case 0: return precpred(_ctx, 11);
    case 1: return precpred(_ctx, 10);
    case 2: return precpred(_ctx, 9);
    case 3: return precpred(_ctx, 8);
    case 4: return precpred(_ctx, 7);
    case 5: return precpred(_ctx, 15);
    case 6: return precpred(_ctx, 14);

  default:
    break;
  }
  return true;
}

// Static vars and initialization.
std::vector<dfa::DFA> LoomParser::_decisionToDFA;
atn::PredictionContextCache LoomParser::_sharedContextCache;

// We own the ATN which in turn owns the ATN states.
atn::ATN LoomParser::_atn;
std::vector<uint16_t> LoomParser::_serializedATN;

std::vector<std::string> LoomParser::_ruleNames = {
  "file", "importDecl", "blockDef", "modelDef", "paramList", "param", "paramType", 
  "inputDecl", "outputDecl", "body", "stmt", "weightPath", "argList", "arg", 
  "expr"
};

std::vector<std::string> LoomParser::_literalNames = {
  "", "'import'", "';'", "'block'", "'('", "')'", "'model'", "'{'", "'}'", 
  "','", "':'", "'='", "'input'", "'output'", "'['", "']'", "'repeat'", 
  "'index'", "'shared'", "'as'", "'residual'", "'if'", "'else'", "'let'", 
  "'return'", "'capture'", "'-'", "'!'", "'*'", "'/'", "'%'", "'+'", "'=='", 
  "'!='", "'<'", "'<='", "'>'", "'>='", "'&&'", "'||'", "'true'", "'false'"
};

std::vector<std::string> LoomParser::_symbolicNames = {
  "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", 
  "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", 
  "", "", "", "", "", "", "ID", "PATH", "FLOAT", "INT", "STRING", "LINE_COMMENT", 
  "BLOCK_COMMENT", "WS"
};

dfa::Vocabulary LoomParser::_vocabulary(_literalNames, _symbolicNames);

std::vector<std::string> LoomParser::_tokenNames;

LoomParser::Initializer::Initializer() {
	for (size_t i = 0; i < _symbolicNames.size(); ++i) {
		std::string name = _vocabulary.getLiteralName(i);
		if (name.empty()) {
			name = _vocabulary.getSymbolicName(i);
		}

		if (name.empty()) {
			_tokenNames.push_back("<INVALID>");
		} else {
      _tokenNames.push_back(name);
    }
	}

  _serializedATN = {
    0x3, 0x608b, 0xa72a, 0x8133, 0xb9ed, 0x417c, 0x3be7, 0x7786, 0x5964, 
    0x3, 0x33, 0x137, 0x4, 0x2, 0x9, 0x2, 0x4, 0x3, 0x9, 0x3, 0x4, 0x4, 
    0x9, 0x4, 0x4, 0x5, 0x9, 0x5, 0x4, 0x6, 0x9, 0x6, 0x4, 0x7, 0x9, 0x7, 
    0x4, 0x8, 0x9, 0x8, 0x4, 0x9, 0x9, 0x9, 0x4, 0xa, 0x9, 0xa, 0x4, 0xb, 
    0x9, 0xb, 0x4, 0xc, 0x9, 0xc, 0x4, 0xd, 0x9, 0xd, 0x4, 0xe, 0x9, 0xe, 
    0x4, 0xf, 0x9, 0xf, 0x4, 0x10, 0x9, 0x10, 0x3, 0x2, 0x3, 0x2, 0x3, 0x2, 
    0x7, 0x2, 0x24, 0xa, 0x2, 0xc, 0x2, 0xe, 0x2, 0x27, 0xb, 0x2, 0x3, 0x2, 
    0x3, 0x2, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x4, 0x3, 0x4, 
    0x3, 0x4, 0x3, 0x4, 0x5, 0x4, 0x33, 0xa, 0x4, 0x3, 0x4, 0x3, 0x4, 0x3, 
    0x4, 0x3, 0x5, 0x3, 0x5, 0x3, 0x5, 0x3, 0x5, 0x5, 0x5, 0x3c, 0xa, 0x5, 
    0x3, 0x5, 0x5, 0x5, 0x3f, 0xa, 0x5, 0x3, 0x5, 0x3, 0x5, 0x6, 0x5, 0x43, 
    0xa, 0x5, 0xd, 0x5, 0xe, 0x5, 0x44, 0x3, 0x5, 0x7, 0x5, 0x48, 0xa, 0x5, 
    0xc, 0x5, 0xe, 0x5, 0x4b, 0xb, 0x5, 0x3, 0x5, 0x7, 0x5, 0x4e, 0xa, 0x5, 
    0xc, 0x5, 0xe, 0x5, 0x51, 0xb, 0x5, 0x3, 0x5, 0x3, 0x5, 0x3, 0x6, 0x3, 
    0x6, 0x3, 0x6, 0x7, 0x6, 0x58, 0xa, 0x6, 0xc, 0x6, 0xe, 0x6, 0x5b, 0xb, 
    0x6, 0x3, 0x6, 0x5, 0x6, 0x5e, 0xa, 0x6, 0x3, 0x7, 0x3, 0x7, 0x3, 0x7, 
    0x3, 0x7, 0x3, 0x7, 0x5, 0x7, 0x65, 0xa, 0x7, 0x3, 0x8, 0x3, 0x8, 0x3, 
    0x9, 0x3, 0x9, 0x3, 0x9, 0x3, 0x9, 0x3, 0x9, 0x3, 0x9, 0x3, 0x9, 0x3, 
    0x9, 0x7, 0x9, 0x71, 0xa, 0x9, 0xc, 0x9, 0xe, 0x9, 0x74, 0xb, 0x9, 0x3, 
    0x9, 0x3, 0x9, 0x3, 0x9, 0x3, 0xa, 0x3, 0xa, 0x3, 0xa, 0x3, 0xa, 0x3, 
    0xa, 0x3, 0xa, 0x3, 0xa, 0x3, 0xa, 0x7, 0xa, 0x81, 0xa, 0xa, 0xc, 0xa, 
    0xe, 0xa, 0x84, 0xb, 0xa, 0x3, 0xa, 0x3, 0xa, 0x3, 0xa, 0x3, 0xb, 0x3, 
    0xb, 0x7, 0xb, 0x8b, 0xa, 0xb, 0xc, 0xb, 0xe, 0xb, 0x8e, 0xb, 0xb, 0x3, 
    0xb, 0x3, 0xb, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x5, 0xc, 0x96, 
    0xa, 0xc, 0x3, 0xc, 0x5, 0xc, 0x99, 0xa, 0xc, 0x3, 0xc, 0x3, 0xc, 0x5, 
    0xc, 0x9d, 0xa, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 
    0x5, 0xc, 0xa4, 0xa, 0xc, 0x3, 0xc, 0x5, 0xc, 0xa7, 0xa, 0xc, 0x3, 0xc, 
    0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 
    0x3, 0xc, 0x5, 0xc, 0xb2, 0xa, 0xc, 0x5, 0xc, 0xb4, 0xa, 0xc, 0x3, 0xc, 
    0x3, 0xc, 0x3, 0xc, 0x5, 0xc, 0xb9, 0xa, 0xc, 0x3, 0xc, 0x5, 0xc, 0xbc, 
    0xa, 0xc, 0x3, 0xc, 0x3, 0xc, 0x5, 0xc, 0xc0, 0xa, 0xc, 0x3, 0xc, 0x3, 
    0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 
    0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x6, 0xc, 0xce, 0xa, 0xc, 0xd, 0xc, 
    0xe, 0xc, 0xcf, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 
    0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x7, 0xc, 0xdb, 0xa, 0xc, 0xc, 0xc, 
    0xe, 0xc, 0xde, 0xb, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 
    0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x5, 0xc, 0xea, 
    0xa, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x3, 0xc, 0x5, 0xc, 0xf0, 0xa, 
    0xc, 0x3, 0xd, 0x3, 0xd, 0x3, 0xe, 0x3, 0xe, 0x3, 0xe, 0x7, 0xe, 0xf7, 
    0xa, 0xe, 0xc, 0xe, 0xe, 0xe, 0xfa, 0xb, 0xe, 0x3, 0xe, 0x5, 0xe, 0xfd, 
    0xa, 0xe, 0x3, 0xf, 0x3, 0xf, 0x3, 0xf, 0x3, 0xf, 0x5, 0xf, 0x103, 0xa, 
    0xf, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 
    0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 
    0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x5, 0x10, 0x115, 0xa, 0x10, 
    0x3, 0x10, 0x3, 0x10, 0x5, 0x10, 0x119, 0xa, 0x10, 0x3, 0x10, 0x3, 0x10, 
    0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 
    0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 
    0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 0x10, 0x3, 
    0x10, 0x3, 0x10, 0x7, 0x10, 0x132, 0xa, 0x10, 0xc, 0x10, 0xe, 0x10, 
    0x135, 0xb, 0x10, 0x3, 0x10, 0x2, 0x3, 0x1e, 0x11, 0x2, 0x4, 0x6, 0x8, 
    0xa, 0xc, 0xe, 0x10, 0x12, 0x14, 0x16, 0x18, 0x1a, 0x1c, 0x1e, 0x2, 
    0x8, 0x4, 0x2, 0xe, 0xf, 0x2c, 0x2c, 0xa, 0x2, 0x3, 0x3, 0x5, 0x5, 0x8, 
    0x8, 0xe, 0xf, 0x12, 0x14, 0x16, 0x16, 0x19, 0x1b, 0x2c, 0x2d, 0x3, 
    0x2, 0x2a, 0x2b, 0x3, 0x2, 0x1e, 0x20, 0x4, 0x2, 0x1c, 0x1c, 0x21, 0x21, 
    0x3, 0x2, 0x22, 0x27, 0x2, 0x15e, 0x2, 0x25, 0x3, 0x2, 0x2, 0x2, 0x4, 
    0x2a, 0x3, 0x2, 0x2, 0x2, 0x6, 0x2e, 0x3, 0x2, 0x2, 0x2, 0x8, 0x37, 
    0x3, 0x2, 0x2, 0x2, 0xa, 0x54, 0x3, 0x2, 0x2, 0x2, 0xc, 0x5f, 0x3, 0x2, 
    0x2, 0x2, 0xe, 0x66, 0x3, 0x2, 0x2, 0x2, 0x10, 0x68, 0x3, 0x2, 0x2, 
    0x2, 0x12, 0x78, 0x3, 0x2, 0x2, 0x2, 0x14, 0x88, 0x3, 0x2, 0x2, 0x2, 
    0x16, 0xef, 0x3, 0x2, 0x2, 0x2, 0x18, 0xf1, 0x3, 0x2, 0x2, 0x2, 0x1a, 
    0xf3, 0x3, 0x2, 0x2, 0x2, 0x1c, 0x102, 0x3, 0x2, 0x2, 0x2, 0x1e, 0x118, 
    0x3, 0x2, 0x2, 0x2, 0x20, 0x24, 0x5, 0x4, 0x3, 0x2, 0x21, 0x24, 0x5, 
    0x6, 0x4, 0x2, 0x22, 0x24, 0x5, 0x8, 0x5, 0x2, 0x23, 0x20, 0x3, 0x2, 
    0x2, 0x2, 0x23, 0x21, 0x3, 0x2, 0x2, 0x2, 0x23, 0x22, 0x3, 0x2, 0x2, 
    0x2, 0x24, 0x27, 0x3, 0x2, 0x2, 0x2, 0x25, 0x23, 0x3, 0x2, 0x2, 0x2, 
    0x25, 0x26, 0x3, 0x2, 0x2, 0x2, 0x26, 0x28, 0x3, 0x2, 0x2, 0x2, 0x27, 
    0x25, 0x3, 0x2, 0x2, 0x2, 0x28, 0x29, 0x7, 0x2, 0x2, 0x3, 0x29, 0x3, 
    0x3, 0x2, 0x2, 0x2, 0x2a, 0x2b, 0x7, 0x3, 0x2, 0x2, 0x2b, 0x2c, 0x7, 
    0x30, 0x2, 0x2, 0x2c, 0x2d, 0x7, 0x4, 0x2, 0x2, 0x2d, 0x5, 0x3, 0x2, 
    0x2, 0x2, 0x2e, 0x2f, 0x7, 0x5, 0x2, 0x2, 0x2f, 0x30, 0x7, 0x2c, 0x2, 
    0x2, 0x30, 0x32, 0x7, 0x6, 0x2, 0x2, 0x31, 0x33, 0x5, 0xa, 0x6, 0x2, 
    0x32, 0x31, 0x3, 0x2, 0x2, 0x2, 0x32, 0x33, 0x3, 0x2, 0x2, 0x2, 0x33, 
    0x34, 0x3, 0x2, 0x2, 0x2, 0x34, 0x35, 0x7, 0x7, 0x2, 0x2, 0x35, 0x36, 
    0x5, 0x14, 0xb, 0x2, 0x36, 0x7, 0x3, 0x2, 0x2, 0x2, 0x37, 0x38, 0x7, 
    0x8, 0x2, 0x2, 0x38, 0x3e, 0x7, 0x2c, 0x2, 0x2, 0x39, 0x3b, 0x7, 0x6, 
    0x2, 0x2, 0x3a, 0x3c, 0x5, 0xa, 0x6, 0x2, 0x3b, 0x3a, 0x3, 0x2, 0x2, 
    0x2, 0x3b, 0x3c, 0x3, 0x2, 0x2, 0x2, 0x3c, 0x3d, 0x3, 0x2, 0x2, 0x2, 
    0x3d, 0x3f, 0x7, 0x7, 0x2, 0x2, 0x3e, 0x39, 0x3, 0x2, 0x2, 0x2, 0x3e, 
    0x3f, 0x3, 0x2, 0x2, 0x2, 0x3f, 0x40, 0x3, 0x2, 0x2, 0x2, 0x40, 0x42, 
    0x7, 0x9, 0x2, 0x2, 0x41, 0x43, 0x5, 0x10, 0x9, 0x2, 0x42, 0x41, 0x3, 
    0x2, 0x2, 0x2, 0x43, 0x44, 0x3, 0x2, 0x2, 0x2, 0x44, 0x42, 0x3, 0x2, 
    0x2, 0x2, 0x44, 0x45, 0x3, 0x2, 0x2, 0x2, 0x45, 0x49, 0x3, 0x2, 0x2, 
    0x2, 0x46, 0x48, 0x5, 0x12, 0xa, 0x2, 0x47, 0x46, 0x3, 0x2, 0x2, 0x2, 
    0x48, 0x4b, 0x3, 0x2, 0x2, 0x2, 0x49, 0x47, 0x3, 0x2, 0x2, 0x2, 0x49, 
    0x4a, 0x3, 0x2, 0x2, 0x2, 0x4a, 0x4f, 0x3, 0x2, 0x2, 0x2, 0x4b, 0x49, 
    0x3, 0x2, 0x2, 0x2, 0x4c, 0x4e, 0x5, 0x16, 0xc, 0x2, 0x4d, 0x4c, 0x3, 
    0x2, 0x2, 0x2, 0x4e, 0x51, 0x3, 0x2, 0x2, 0x2, 0x4f, 0x4d, 0x3, 0x2, 
    0x2, 0x2, 0x4f, 0x50, 0x3, 0x2, 0x2, 0x2, 0x50, 0x52, 0x3, 0x2, 0x2, 
    0x2, 0x51, 0x4f, 0x3, 0x2, 0x2, 0x2, 0x52, 0x53, 0x7, 0xa, 0x2, 0x2, 
    0x53, 0x9, 0x3, 0x2, 0x2, 0x2, 0x54, 0x59, 0x5, 0xc, 0x7, 0x2, 0x55, 
    0x56, 0x7, 0xb, 0x2, 0x2, 0x56, 0x58, 0x5, 0xc, 0x7, 0x2, 0x57, 0x55, 
    0x3, 0x2, 0x2, 0x2, 0x58, 0x5b, 0x3, 0x2, 0x2, 0x2, 0x59, 0x57, 0x3, 
    0x2, 0x2, 0x2, 0x59, 0x5a, 0x3, 0x2, 0x2, 0x2, 0x5a, 0x5d, 0x3, 0x2, 
    0x2, 0x2, 0x5b, 0x59, 0x3, 0x2, 0x2, 0x2, 0x5c, 0x5e, 0x7, 0xb, 0x2, 
    0x2, 0x5d, 0x5c, 0x3, 0x2, 0x2, 0x2, 0x5d, 0x5e, 0x3, 0x2, 0x2, 0x2, 
    0x5e, 0xb, 0x3, 0x2, 0x2, 0x2, 0x5f, 0x60, 0x7, 0x2c, 0x2, 0x2, 0x60, 
    0x61, 0x7, 0xc, 0x2, 0x2, 0x61, 0x64, 0x5, 0xe, 0x8, 0x2, 0x62, 0x63, 
    0x7, 0xd, 0x2, 0x2, 0x63, 0x65, 0x5, 0x1e, 0x10, 0x2, 0x64, 0x62, 0x3, 
    0x2, 0x2, 0x2, 0x64, 0x65, 0x3, 0x2, 0x2, 0x2, 0x65, 0xd, 0x3, 0x2, 
    0x2, 0x2, 0x66, 0x67, 0x9, 0x2, 0x2, 0x2, 0x67, 0xf, 0x3, 0x2, 0x2, 
    0x2, 0x68, 0x69, 0x7, 0xe, 0x2, 0x2, 0x69, 0x6a, 0x7, 0x2c, 0x2, 0x2, 
    0x6a, 0x6b, 0x7, 0xc, 0x2, 0x2, 0x6b, 0x6c, 0x7, 0x2c, 0x2, 0x2, 0x6c, 
    0x6d, 0x7, 0x10, 0x2, 0x2, 0x6d, 0x72, 0x5, 0x1e, 0x10, 0x2, 0x6e, 0x6f, 
    0x7, 0xb, 0x2, 0x2, 0x6f, 0x71, 0x5, 0x1e, 0x10, 0x2, 0x70, 0x6e, 0x3, 
    0x2, 0x2, 0x2, 0x71, 0x74, 0x3, 0x2, 0x2, 0x2, 0x72, 0x70, 0x3, 0x2, 
    0x2, 0x2, 0x72, 0x73, 0x3, 0x2, 0x2, 0x2, 0x73, 0x75, 0x3, 0x2, 0x2, 
    0x2, 0x74, 0x72, 0x3, 0x2, 0x2, 0x2, 0x75, 0x76, 0x7, 0x11, 0x2, 0x2, 
    0x76, 0x77, 0x7, 0x4, 0x2, 0x2, 0x77, 0x11, 0x3, 0x2, 0x2, 0x2, 0x78, 
    0x79, 0x7, 0xf, 0x2, 0x2, 0x79, 0x7a, 0x7, 0x2c, 0x2, 0x2, 0x7a, 0x7b, 
    0x7, 0xc, 0x2, 0x2, 0x7b, 0x7c, 0x7, 0x2c, 0x2, 0x2, 0x7c, 0x7d, 0x7, 
    0x10, 0x2, 0x2, 0x7d, 0x82, 0x5, 0x1e, 0x10, 0x2, 0x7e, 0x7f, 0x7, 0xb, 
    0x2, 0x2, 0x7f, 0x81, 0x5, 0x1e, 0x10, 0x2, 0x80, 0x7e, 0x3, 0x2, 0x2, 
    0x2, 0x81, 0x84, 0x3, 0x2, 0x2, 0x2, 0x82, 0x80, 0x3, 0x2, 0x2, 0x2, 
    0x82, 0x83, 0x3, 0x2, 0x2, 0x2, 0x83, 0x85, 0x3, 0x2, 0x2, 0x2, 0x84, 
    0x82, 0x3, 0x2, 0x2, 0x2, 0x85, 0x86, 0x7, 0x11, 0x2, 0x2, 0x86, 0x87, 
    0x7, 0x4, 0x2, 0x2, 0x87, 0x13, 0x3, 0x2, 0x2, 0x2, 0x88, 0x8c, 0x7, 
    0x9, 0x2, 0x2, 0x89, 0x8b, 0x5, 0x16, 0xc, 0x2, 0x8a, 0x89, 0x3, 0x2, 
    0x2, 0x2, 0x8b, 0x8e, 0x3, 0x2, 0x2, 0x2, 0x8c, 0x8a, 0x3, 0x2, 0x2, 
    0x2, 0x8c, 0x8d, 0x3, 0x2, 0x2, 0x2, 0x8d, 0x8f, 0x3, 0x2, 0x2, 0x2, 
    0x8e, 0x8c, 0x3, 0x2, 0x2, 0x2, 0x8f, 0x90, 0x7, 0xa, 0x2, 0x2, 0x90, 
    0x15, 0x3, 0x2, 0x2, 0x2, 0x91, 0x92, 0x7, 0x12, 0x2, 0x2, 0x92, 0x95, 
    0x5, 0x1e, 0x10, 0x2, 0x93, 0x94, 0x7, 0x13, 0x2, 0x2, 0x94, 0x96, 0x7, 
    0x2c, 0x2, 0x2, 0x95, 0x93, 0x3, 0x2, 0x2, 0x2, 0x95, 0x96, 0x3, 0x2, 
    0x2, 0x2, 0x96, 0x98, 0x3, 0x2, 0x2, 0x2, 0x97, 0x99, 0x7, 0x14, 0x2, 
    0x2, 0x98, 0x97, 0x3, 0x2, 0x2, 0x2, 0x98, 0x99, 0x3, 0x2, 0x2, 0x2, 
    0x99, 0x9c, 0x3, 0x2, 0x2, 0x2, 0x9a, 0x9b, 0x7, 0x15, 0x2, 0x2, 0x9b, 
    0x9d, 0x5, 0x18, 0xd, 0x2, 0x9c, 0x9a, 0x3, 0x2, 0x2, 0x2, 0x9c, 0x9d, 
    0x3, 0x2, 0x2, 0x2, 0x9d, 0x9e, 0x3, 0x2, 0x2, 0x2, 0x9e, 0x9f, 0x5, 
    0x14, 0xb, 0x2, 0x9f, 0xf0, 0x3, 0x2, 0x2, 0x2, 0xa0, 0xa6, 0x7, 0x16, 
    0x2, 0x2, 0xa1, 0xa3, 0x7, 0x6, 0x2, 0x2, 0xa2, 0xa4, 0x5, 0x1a, 0xe, 
    0x2, 0xa3, 0xa2, 0x3, 0x2, 0x2, 0x2, 0xa3, 0xa4, 0x3, 0x2, 0x2, 0x2, 
    0xa4, 0xa5, 0x3, 0x2, 0x2, 0x2, 0xa5, 0xa7, 0x7, 0x7, 0x2, 0x2, 0xa6, 
    0xa1, 0x3, 0x2, 0x2, 0x2, 0xa6, 0xa7, 0x3, 0x2, 0x2, 0x2, 0xa7, 0xa8, 
    0x3, 0x2, 0x2, 0x2, 0xa8, 0xf0, 0x5, 0x14, 0xb, 0x2, 0xa9, 0xaa, 0x7, 
    0x17, 0x2, 0x2, 0xaa, 0xab, 0x7, 0x6, 0x2, 0x2, 0xab, 0xac, 0x5, 0x1e, 
    0x10, 0x2, 0xac, 0xad, 0x7, 0x7, 0x2, 0x2, 0xad, 0xb3, 0x5, 0x14, 0xb, 
    0x2, 0xae, 0xb1, 0x7, 0x18, 0x2, 0x2, 0xaf, 0xb2, 0x5, 0x14, 0xb, 0x2, 
    0xb0, 0xb2, 0x5, 0x16, 0xc, 0x2, 0xb1, 0xaf, 0x3, 0x2, 0x2, 0x2, 0xb1, 
    0xb0, 0x3, 0x2, 0x2, 0x2, 0xb2, 0xb4, 0x3, 0x2, 0x2, 0x2, 0xb3, 0xae, 
    0x3, 0x2, 0x2, 0x2, 0xb3, 0xb4, 0x3, 0x2, 0x2, 0x2, 0xb4, 0xf0, 0x3, 
    0x2, 0x2, 0x2, 0xb5, 0xbb, 0x7, 0x2c, 0x2, 0x2, 0xb6, 0xb8, 0x7, 0x6, 
    0x2, 0x2, 0xb7, 0xb9, 0x5, 0x1a, 0xe, 0x2, 0xb8, 0xb7, 0x3, 0x2, 0x2, 
    0x2, 0xb8, 0xb9, 0x3, 0x2, 0x2, 0x2, 0xb9, 0xba, 0x3, 0x2, 0x2, 0x2, 
    0xba, 0xbc, 0x7, 0x7, 0x2, 0x2, 0xbb, 0xb6, 0x3, 0x2, 0x2, 0x2, 0xbb, 
    0xbc, 0x3, 0x2, 0x2, 0x2, 0xbc, 0xbf, 0x3, 0x2, 0x2, 0x2, 0xbd, 0xbe, 
    0x7, 0x15, 0x2, 0x2, 0xbe, 0xc0, 0x5, 0x18, 0xd, 0x2, 0xbf, 0xbd, 0x3, 
    0x2, 0x2, 0x2, 0xbf, 0xc0, 0x3, 0x2, 0x2, 0x2, 0xc0, 0xc1, 0x3, 0x2, 
    0x2, 0x2, 0xc1, 0xf0, 0x7, 0x4, 0x2, 0x2, 0xc2, 0xc3, 0x7, 0x19, 0x2, 
    0x2, 0xc3, 0xc4, 0x7, 0x2c, 0x2, 0x2, 0xc4, 0xc5, 0x7, 0xd, 0x2, 0x2, 
    0xc5, 0xc6, 0x5, 0x1e, 0x10, 0x2, 0xc6, 0xc7, 0x7, 0x4, 0x2, 0x2, 0xc7, 
    0xf0, 0x3, 0x2, 0x2, 0x2, 0xc8, 0xc9, 0x7, 0x19, 0x2, 0x2, 0xc9, 0xca, 
    0x7, 0x6, 0x2, 0x2, 0xca, 0xcd, 0x7, 0x2c, 0x2, 0x2, 0xcb, 0xcc, 0x7, 
    0xb, 0x2, 0x2, 0xcc, 0xce, 0x7, 0x2c, 0x2, 0x2, 0xcd, 0xcb, 0x3, 0x2, 
    0x2, 0x2, 0xce, 0xcf, 0x3, 0x2, 0x2, 0x2, 0xcf, 0xcd, 0x3, 0x2, 0x2, 
    0x2, 0xcf, 0xd0, 0x3, 0x2, 0x2, 0x2, 0xd0, 0xd1, 0x3, 0x2, 0x2, 0x2, 
    0xd1, 0xd2, 0x7, 0x7, 0x2, 0x2, 0xd2, 0xd3, 0x7, 0xd, 0x2, 0x2, 0xd3, 
    0xd4, 0x5, 0x1e, 0x10, 0x2, 0xd4, 0xd5, 0x7, 0x4, 0x2, 0x2, 0xd5, 0xf0, 
    0x3, 0x2, 0x2, 0x2, 0xd6, 0xd7, 0x7, 0x1a, 0x2, 0x2, 0xd7, 0xdc, 0x5, 
    0x1e, 0x10, 0x2, 0xd8, 0xd9, 0x7, 0xb, 0x2, 0x2, 0xd9, 0xdb, 0x5, 0x1e, 
    0x10, 0x2, 0xda, 0xd8, 0x3, 0x2, 0x2, 0x2, 0xdb, 0xde, 0x3, 0x2, 0x2, 
    0x2, 0xdc, 0xda, 0x3, 0x2, 0x2, 0x2, 0xdc, 0xdd, 0x3, 0x2, 0x2, 0x2, 
    0xdd, 0xdf, 0x3, 0x2, 0x2, 0x2, 0xde, 0xdc, 0x3, 0x2, 0x2, 0x2, 0xdf, 
    0xe0, 0x7, 0x4, 0x2, 0x2, 0xe0, 0xf0, 0x3, 0x2, 0x2, 0x2, 0xe1, 0xe2, 
    0x7, 0x1b, 0x2, 0x2, 0xe2, 0xe3, 0x7, 0x2c, 0x2, 0x2, 0xe3, 0xf0, 0x7, 
    0x4, 0x2, 0x2, 0xe4, 0xe9, 0x7, 0x2c, 0x2, 0x2, 0xe5, 0xe6, 0x7, 0x10, 
    0x2, 0x2, 0xe6, 0xe7, 0x5, 0x1e, 0x10, 0x2, 0xe7, 0xe8, 0x7, 0x11, 0x2, 
    0x2, 0xe8, 0xea, 0x3, 0x2, 0x2, 0x2, 0xe9, 0xe5, 0x3, 0x2, 0x2, 0x2, 
    0xe9, 0xea, 0x3, 0x2, 0x2, 0x2, 0xea, 0xeb, 0x3, 0x2, 0x2, 0x2, 0xeb, 
    0xec, 0x7, 0xd, 0x2, 0x2, 0xec, 0xed, 0x5, 0x1e, 0x10, 0x2, 0xed, 0xee, 
    0x7, 0x4, 0x2, 0x2, 0xee, 0xf0, 0x3, 0x2, 0x2, 0x2, 0xef, 0x91, 0x3, 
    0x2, 0x2, 0x2, 0xef, 0xa0, 0x3, 0x2, 0x2, 0x2, 0xef, 0xa9, 0x3, 0x2, 
    0x2, 0x2, 0xef, 0xb5, 0x3, 0x2, 0x2, 0x2, 0xef, 0xc2, 0x3, 0x2, 0x2, 
    0x2, 0xef, 0xc8, 0x3, 0x2, 0x2, 0x2, 0xef, 0xd6, 0x3, 0x2, 0x2, 0x2, 
    0xef, 0xe1, 0x3, 0x2, 0x2, 0x2, 0xef, 0xe4, 0x3, 0x2, 0x2, 0x2, 0xf0, 
    0x17, 0x3, 0x2, 0x2, 0x2, 0xf1, 0xf2, 0x9, 0x3, 0x2, 0x2, 0xf2, 0x19, 
    0x3, 0x2, 0x2, 0x2, 0xf3, 0xf8, 0x5, 0x1c, 0xf, 0x2, 0xf4, 0xf5, 0x7, 
    0xb, 0x2, 0x2, 0xf5, 0xf7, 0x5, 0x1c, 0xf, 0x2, 0xf6, 0xf4, 0x3, 0x2, 
    0x2, 0x2, 0xf7, 0xfa, 0x3, 0x2, 0x2, 0x2, 0xf8, 0xf6, 0x3, 0x2, 0x2, 
    0x2, 0xf8, 0xf9, 0x3, 0x2, 0x2, 0x2, 0xf9, 0xfc, 0x3, 0x2, 0x2, 0x2, 
    0xfa, 0xf8, 0x3, 0x2, 0x2, 0x2, 0xfb, 0xfd, 0x7, 0xb, 0x2, 0x2, 0xfc, 
    0xfb, 0x3, 0x2, 0x2, 0x2, 0xfc, 0xfd, 0x3, 0x2, 0x2, 0x2, 0xfd, 0x1b, 
    0x3, 0x2, 0x2, 0x2, 0xfe, 0xff, 0x7, 0x2c, 0x2, 0x2, 0xff, 0x100, 0x7, 
    0xd, 0x2, 0x2, 0x100, 0x103, 0x5, 0x1e, 0x10, 0x2, 0x101, 0x103, 0x5, 
    0x1e, 0x10, 0x2, 0x102, 0xfe, 0x3, 0x2, 0x2, 0x2, 0x102, 0x101, 0x3, 
    0x2, 0x2, 0x2, 0x103, 0x1d, 0x3, 0x2, 0x2, 0x2, 0x104, 0x105, 0x8, 0x10, 
    0x1, 0x2, 0x105, 0x106, 0x7, 0x6, 0x2, 0x2, 0x106, 0x107, 0x5, 0x1e, 
    0x10, 0x2, 0x107, 0x108, 0x7, 0x7, 0x2, 0x2, 0x108, 0x119, 0x3, 0x2, 
    0x2, 0x2, 0x109, 0x10a, 0x7, 0x1c, 0x2, 0x2, 0x10a, 0x119, 0x5, 0x1e, 
    0x10, 0xf, 0x10b, 0x10c, 0x7, 0x1d, 0x2, 0x2, 0x10c, 0x119, 0x5, 0x1e, 
    0x10, 0xe, 0x10d, 0x119, 0x7, 0x2f, 0x2, 0x2, 0x10e, 0x119, 0x7, 0x2e, 
    0x2, 0x2, 0x10f, 0x119, 0x9, 0x4, 0x2, 0x2, 0x110, 0x119, 0x7, 0x30, 
    0x2, 0x2, 0x111, 0x112, 0x7, 0x2c, 0x2, 0x2, 0x112, 0x114, 0x7, 0x6, 
    0x2, 0x2, 0x113, 0x115, 0x5, 0x1a, 0xe, 0x2, 0x114, 0x113, 0x3, 0x2, 
    0x2, 0x2, 0x114, 0x115, 0x3, 0x2, 0x2, 0x2, 0x115, 0x116, 0x3, 0x2, 
    0x2, 0x2, 0x116, 0x119, 0x7, 0x7, 0x2, 0x2, 0x117, 0x119, 0x7, 0x2c, 
    0x2, 0x2, 0x118, 0x104, 0x3, 0x2, 0x2, 0x2, 0x118, 0x109, 0x3, 0x2, 
    0x2, 0x2, 0x118, 0x10b, 0x3, 0x2, 0x2, 0x2, 0x118, 0x10d, 0x3, 0x2, 
    0x2, 0x2, 0x118, 0x10e, 0x3, 0x2, 0x2, 0x2, 0x118, 0x10f, 0x3, 0x2, 
    0x2, 0x2, 0x118, 0x110, 0x3, 0x2, 0x2, 0x2, 0x118, 0x111, 0x3, 0x2, 
    0x2, 0x2, 0x118, 0x117, 0x3, 0x2, 0x2, 0x2, 0x119, 0x133, 0x3, 0x2, 
    0x2, 0x2, 0x11a, 0x11b, 0xc, 0xd, 0x2, 0x2, 0x11b, 0x11c, 0x9, 0x5, 
    0x2, 0x2, 0x11c, 0x132, 0x5, 0x1e, 0x10, 0xe, 0x11d, 0x11e, 0xc, 0xc, 
    0x2, 0x2, 0x11e, 0x11f, 0x9, 0x6, 0x2, 0x2, 0x11f, 0x132, 0x5, 0x1e, 
    0x10, 0xd, 0x120, 0x121, 0xc, 0xb, 0x2, 0x2, 0x121, 0x122, 0x9, 0x7, 
    0x2, 0x2, 0x122, 0x132, 0x5, 0x1e, 0x10, 0xc, 0x123, 0x124, 0xc, 0xa, 
    0x2, 0x2, 0x124, 0x125, 0x7, 0x28, 0x2, 0x2, 0x125, 0x132, 0x5, 0x1e, 
    0x10, 0xb, 0x126, 0x127, 0xc, 0x9, 0x2, 0x2, 0x127, 0x128, 0x7, 0x29, 
    0x2, 0x2, 0x128, 0x132, 0x5, 0x1e, 0x10, 0xa, 0x129, 0x12a, 0xc, 0x11, 
    0x2, 0x2, 0x12a, 0x12b, 0x7, 0x10, 0x2, 0x2, 0x12b, 0x12c, 0x5, 0x1e, 
    0x10, 0x2, 0x12c, 0x12d, 0x7, 0x11, 0x2, 0x2, 0x12d, 0x132, 0x3, 0x2, 
    0x2, 0x2, 0x12e, 0x12f, 0xc, 0x10, 0x2, 0x2, 0x12f, 0x130, 0x7, 0x15, 
    0x2, 0x2, 0x130, 0x132, 0x5, 0x18, 0xd, 0x2, 0x131, 0x11a, 0x3, 0x2, 
    0x2, 0x2, 0x131, 0x11d, 0x3, 0x2, 0x2, 0x2, 0x131, 0x120, 0x3, 0x2, 
    0x2, 0x2, 0x131, 0x123, 0x3, 0x2, 0x2, 0x2, 0x131, 0x126, 0x3, 0x2, 
    0x2, 0x2, 0x131, 0x129, 0x3, 0x2, 0x2, 0x2, 0x131, 0x12e, 0x3, 0x2, 
    0x2, 0x2, 0x132, 0x135, 0x3, 0x2, 0x2, 0x2, 0x133, 0x131, 0x3, 0x2, 
    0x2, 0x2, 0x133, 0x134, 0x3, 0x2, 0x2, 0x2, 0x134, 0x1f, 0x3, 0x2, 0x2, 
    0x2, 0x135, 0x133, 0x3, 0x2, 0x2, 0x2, 0x25, 0x23, 0x25, 0x32, 0x3b, 
    0x3e, 0x44, 0x49, 0x4f, 0x59, 0x5d, 0x64, 0x72, 0x82, 0x8c, 0x95, 0x98, 
    0x9c, 0xa3, 0xa6, 0xb1, 0xb3, 0xb8, 0xbb, 0xbf, 0xcf, 0xdc, 0xe9, 0xef, 
    0xf8, 0xfc, 0x102, 0x114, 0x118, 0x131, 0x133, 
  };

  atn::ATNDeserializer deserializer;
  _atn = deserializer.deserialize(_serializedATN);

  size_t count = _atn.getNumberOfDecisions();
  _decisionToDFA.reserve(count);
  for (size_t i = 0; i < count; i++) { 
    _decisionToDFA.emplace_back(_atn.getDecisionState(i), i);
  }
}

LoomParser::Initializer LoomParser::_init;
