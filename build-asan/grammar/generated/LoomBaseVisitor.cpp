
// Generated from /work/main/grammar/Loom.g4 by ANTLR 4.7.2


#include "LoomBaseVisitor.h"


using namespace loomgrammar;

