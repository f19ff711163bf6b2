
// Generated from /work/main/grammar/Loom.g4 by ANTLR 4.7.2


#include "LoomVisitor.h"


using namespace loomgrammar;

