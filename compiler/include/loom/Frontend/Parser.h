//===- Parser.h - .loom text to AST -----------------------------*- C++ -*-===//
#ifndef LOOM_FRONTEND_PARSER_H
#define LOOM_FRONTEND_PARSER_H

#include "loom/Frontend/AST.h"
#include "loom/Frontend/Diagnostics.h"

namespace loom {

/// Parses `text` (the contents of `path`). Syntax errors go to `diag`; returns null if any.
std::unique_ptr<ast::File> parseLoom(const std::string &path, const std::string &text,
                                     DiagnosticEngine &diag);

} // namespace loom

#endif
