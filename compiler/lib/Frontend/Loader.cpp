//===- Loader.cpp - a spec and its imports --------------------------------===//
#include "loom/Frontend/Model.h"
#include "loom/Frontend/Parser.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace loom;
namespace fs = std::filesystem;

namespace {
bool readFile(const std::string &path, std::string &text) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  text = ss.str();
  return true;
}
} // namespace

bool loom::loadProgram(const std::string &path, const std::vector<std::string> &includeDirs,
                       DiagnosticEngine &diag, Program &program) {
  std::set<std::string> seen;
  std::vector<std::pair<std::string, std::string>> work{{path, path}}; // (display, real)
  bool ok = true;
  while (!work.empty()) {
    auto [display, real] = work.back();
    work.pop_back();
    std::error_code ec;
    std::string canon = fs::weakly_canonical(real, ec).string();
    if (!seen.insert(canon).second)
      continue;
    std::string text;
    // Only regular files: a directory reads as nothing, and a FIFO or a device may block
    // or never end.
    if (!fs::is_regular_file(real, ec)) {
      diag.error("cannot read '" + real + "': " +
                 (fs::exists(real, ec) ? "not a regular file" : "no such file"));
      return false;
    }
    if (fs::file_size(real, ec) > (64u << 20)) {
      diag.error("cannot read '" + real + "': larger than 64 MiB");
      return false;
    }
    if (!readFile(real, text)) {
      diag.error("cannot read '" + real + "'");
      return false;
    }
    diag.addSource(display, text);
    auto file = parseLoom(display, text, diag);
    if (!file) {
      ok = false;
      continue;
    }
    for (const ast::Import &imp : file->imports) {
      std::vector<fs::path> candidates{fs::path(real).parent_path() / imp.path};
      for (const std::string &dir : includeDirs)
        candidates.push_back(fs::path(dir) / imp.path);
      bool found = false;
      for (const fs::path &c : candidates)
        if (fs::is_regular_file(c, ec)) {
          work.push_back({c.string(), c.string()});
          found = true;
          break;
        }
      if (!found) {
        diag.error(imp.loc, "cannot find import '" + imp.path + "'");
        ok = false;
      }
    }
    program.files.push_back(std::move(file));
  }
  return ok;
}
