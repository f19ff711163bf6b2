//===- Diagnostics.h - file:line:col errors with the source line -*- C++ -*-===//
#ifndef LOOM_FRONTEND_DIAGNOSTICS_H
#define LOOM_FRONTEND_DIAGNOSTICS_H

#include "loom/Frontend/AST.h"

#include <map>
#include <ostream>
#include <string>

namespace loom {

/// Prints `file:line:col: error: message`, the source line and a caret, like clang.
class DiagnosticEngine {
public:
  explicit DiagnosticEngine(std::ostream &os) : os(os) {}
  /// Registers a file's text so diagnostics can quote its lines.
  void addSource(const std::string &path, std::string text) { sources[path] = std::move(text); }
  void error(const ast::SourceLoc &loc, const std::string &message);
  void note(const ast::SourceLoc &loc, const std::string &message);
  /// An error with no position (e.g. a file that cannot be read).
  void error(const std::string &message);
  unsigned errorCount() const { return errors; }

private:
  void emit(const ast::SourceLoc &loc, const char *kind, const std::string &message);
  std::ostream &os;
  std::map<std::string, std::string> sources;
  unsigned errors = 0;
};

} // namespace loom

#endif
