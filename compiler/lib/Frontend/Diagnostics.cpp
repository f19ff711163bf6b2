//===- Diagnostics.cpp ----------------------------------------------------===//
#include "loom/Frontend/Diagnostics.h"

#include <sstream>

using namespace loom;

void DiagnosticEngine::emit(const ast::SourceLoc &loc, const char *kind,
                            const std::string &message) {
  os << loc.file << ":" << loc.line << ":" << loc.col << ": " << kind << ": " << message << "\n";
  auto it = sources.find(loc.file);
  if (it == sources.end() || loc.line == 0)
    return;
  std::istringstream in(it->second);
  std::string line;
  for (unsigned i = 0; i < loc.line && std::getline(in, line); ++i) {
  }
  os << line << "\n";
  std::string caret;
  for (unsigned i = 1; i < loc.col && i <= line.size(); ++i)
    caret += line[i - 1] == '\t' ? '\t' : ' ';
  os << caret << "^\n";
}

void DiagnosticEngine::error(const ast::SourceLoc &loc, const std::string &message) {
  ++errors;
  emit(loc, "error", message);
}

void DiagnosticEngine::note(const ast::SourceLoc &loc, const std::string &message) {
  emit(loc, "note", message);
}

void DiagnosticEngine::error(const std::string &message) {
  ++errors;
  os << "loomc: error: " << message << "\n";
}
