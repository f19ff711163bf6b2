// Loom: a declarative language for Transformer-family models.
//
//   import "transformer.loom";
//   model Encoder(batch: int = 1, seq: int = 16) {
//     input x: f32[batch, seq, 64];
//     sinusoidal_pe;
//     repeat 2 as layers { TransformerEncoderLayer(d_model = 64, n_heads = 4, d_ff = 128); }
//   }
grammar Loom;

file : (importDecl | blockDef | modelDef)* EOF ;

importDecl : 'import' path=STRING ';' ;

blockDef : 'block' name=ID '(' paramList? ')' body ;

modelDef : 'model' name=ID ('(' paramList? ')')? '{' inputDecl+ outputDecl* stmt* '}' ;

paramList : param (',' param)* ','? ;
param     : name=ID ':' type=paramType ('=' expr)? ;
paramType : ID | 'input' | 'output' ;   // `input`: a model input passed to a block

inputDecl : 'input' name=ID ':' dtype=ID '[' expr (',' expr)* ']' ';' ;
// Extra outputs, written slot by slot (along their first dimension) by blocks.
outputDecl : 'output' name=ID ':' dtype=ID '[' expr (',' expr)* ']' ';' ;   // f32 or i64

body : '{' stmt* '}' ;

stmt
  : 'repeat' count=expr ('index' idx=ID)? shared='shared'? ('as' name=weightPath)? body # repeatStmt
  | 'residual' ('(' argList? ')')? body                          # residualStmt
  | 'if' '(' cond=expr ')' then=body ('else' (otherwise=body | elseIf=stmt))?   # ifStmt
  | callee=ID ('(' argList? ')')? ('as' name=weightPath)? ';'    # applyStmt
  | 'let' name=ID '=' value=expr ';'                             # letStmt
  | 'let' '(' names+=ID (',' names+=ID)+ ')' '=' value=expr ';'  # letTupleStmt
  | 'return' values+=expr (',' values+=expr)* ';'                # returnStmt
  | 'capture' name=ID ';'                                         # captureStmt
  | target=ID ('[' index=expr ']')? '=' value=expr ';'            # writeStmt
  ;

// Tensors are values: `let h = layer_norm(x) as ln_1;` binds the tensor a block computes
// from `x` (a positional argument), `let (a, b) = chunk(x, 2);` binds several, and
// `return x + attention(h) as attn;` gives a block's (or the model's) result. A `let`
// of a block value without a tensor argument (`let emb = embedding(...) as shared;`) binds
// one shared instance instead. Rebinding a tensor name in a repeat's body carries it into
// the next iteration (`let (x1, x2) = RevLayer(x1, x2);`).

// `new_mems[l] = h;` writes slot l (along the first dimension) of a model output, or of
// the output a block parameter of type `output` names; `out = h;` writes all of it. Each
// slot is written once.

// `capture` names the current stream (e.g. the encoder output) so that later blocks can
// read it wherever a model input is accepted (e.g. cross-attention's `kv`, a decoder
// layer's `memory`); the stream itself passes on unchanged.

// `let` binds one shared instance of a block: every use shares its weights, named under
// `path` (default: the let's name), e.g. one T5 bias table for all layers.
// `as` names an instance in weight paths; numeric parts match torch.nn.Sequential
// (`as sequential.0` reads `...sequential.0.weight`).
weightPath : ID | PATH | 'shared' | 'output' | 'input' | 'index' | 'capture' | 'residual'
           | 'repeat' | 'let' | 'return' | 'block' | 'model' | 'import' ;

argList : arg (',' arg)* ','? ;
arg     : name=ID '=' expr     // named; `as` inside expr names a block-valued argument
        | expr ;               // positional: a tensor operand

expr
  : '(' expr ')'                                   # parenExpr
  | value=expr '[' index=expr ']'                  # indexExpr   // x[i]: entry i of dim 0
  | value=expr 'as' asName=weightPath              # asExpr
  | '-' expr                                       # negExpr
  | '!' expr                                       # notExpr
  | lhs=expr op=('*' | '/' | '%') rhs=expr         # binaryExpr
  | lhs=expr op=('+' | '-') rhs=expr               # binaryExpr
  | lhs=expr op=('==' | '!=' | '<' | '<=' | '>' | '>=') rhs=expr   # compareExpr
  | lhs=expr op='&&' rhs=expr                      # logicExpr
  | lhs=expr op='||' rhs=expr                      # logicExpr
  | INT                                            # intExpr
  | FLOAT                                          # floatExpr
  | value=('true' | 'false')                       # boolExpr
  | STRING                                         # stringExpr
  | callee=ID '(' argList? ')'                     # callExpr
  | ref=ID                                         # nameExpr
  ;

ID     : [a-zA-Z_] [a-zA-Z_0-9]* ;
PATH   : [a-zA-Z_] [a-zA-Z_0-9]* ('.' [a-zA-Z_0-9]+)+ ;   // a dotted weight path
FLOAT  : [0-9]+ '.' [0-9]* EXPONENT? | [0-9]+ EXPONENT | '.' [0-9]+ EXPONENT? ;
INT    : [0-9]+ ;
STRING : '"' (~["\\\r\n] | '\\' .)* '"' ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n]+ -> skip ;
