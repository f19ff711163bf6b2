//===- FrontendFuzzer.cpp - libFuzzer target: .loom text -> diagnostics ---===//
//
// Parses and elaborates one spec (imports are not followed), printing diagnostics to a
// string: any crash, hang, leak or sanitizer report is a finding. No code is generated.
// The work runs on a large stack, as in loomc.
//
//===----------------------------------------------------------------------===//
#include "loom/Frontend/Model.h"
#include "loom/Frontend/Parser.h"

#include "llvm/Support/thread.h"

#include <cstdint>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  llvm::thread worker(std::optional<unsigned>(256u << 20), [&] {
    std::ostringstream sink;
    loom::DiagnosticEngine diag(sink);
    diag.addSource("fuzz.loom", text);
    std::unique_ptr<loom::ast::File> file = loom::parseLoom("fuzz.loom", text, diag);
    if (!file)
      return;
    loom::Program program;
    program.files.push_back(std::move(file));
    (void)loom::elaborate(program, {}, diag);
  });
  worker.join();
  return 0;
}
