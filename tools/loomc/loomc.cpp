//===- loomc.cpp - the Loom compiler driver -------------------------------===//
//
//   loomc model.loom -o model            # native executable (default)
//   loomc model.loom --emit=loom|linalg|loops|llvm|asm|obj [-o FILE]
//   loomc model.loom --mcpu=skylake-avx512 --emit=obj   # for another x86 CPU
//   loomc model.loom --list-weights      # name, shape, dtype of every expected weight
//   loomc --list-plugins [--plugin lib.so]
//
//===----------------------------------------------------------------------===//
#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"
#include "loom/Driver/Codegen.h"
#include "loom/Driver/Dot.h"
#include "loom/Driver/MemoryPlan.h"
#include "loom/Frontend/Model.h"
#include "loom/Plugin/Plugin.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/thread.h"

#include <iostream>

using namespace llvm;

namespace {
enum class Emit { Loom, Dot, Svg, Png, Linalg, Loops, LLVMIR, Asm, Obj, Exe, Shared };

cl::OptionCategory cat("loomc options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<spec.loom>"), cl::cat(cat));
cl::opt<std::string> outputFile("o", cl::desc("output file"), cl::value_desc("file"), cl::cat(cat));
cl::opt<Emit> emitKind(
    "emit", cl::desc("what to produce"), cl::init(Emit::Exe),
    cl::values(clEnumValN(Emit::Loom, "loom", "loom dialect after loom-level fusion"),
               clEnumValN(Emit::Dot, "dot",
                          "a Graphviz picture of the model after fusion (before: --no-fusion)"),
               clEnumValN(Emit::Svg, "svg", "that picture as SVG (needs Graphviz's `dot`)"),
               clEnumValN(Emit::Png, "png", "that picture as PNG (needs Graphviz's `dot`)"),
               clEnumValN(Emit::Linalg, "linalg", "linalg on tensors, weight prep outlined"),
               clEnumValN(Emit::Loops, "loops", "bufferized, tiled, vectorized parallel loops"),
               clEnumValN(Emit::LLVMIR, "llvm", "optimised LLVM IR"),
               clEnumValN(Emit::Asm, "asm", "assembly of the object file"),
               clEnumValN(Emit::Obj, "obj", "object file exporting the loom C ABI"),
               clEnumValN(Emit::Exe, "exe", "executable linked with the runtime"),
               clEnumValN(Emit::Shared, "shared",
                          "shared library with the C API of runtime/include/loom/Runtime/loom.h")),
    cl::cat(cat));
cl::list<std::string> plugins("plugin", cl::desc("load block plugins from a shared library"),
                              cl::value_desc("lib.so"), cl::cat(cat));
cl::list<std::string> includeDirs("I", cl::desc("directory searched by 'import'"), cl::Prefix,
                                  cl::cat(cat));
cl::list<std::string> defines("D", cl::desc("set a model hyperparameter: -D seq=256"), cl::Prefix,
                              cl::cat(cat));
cl::opt<bool> printMemoryPlan("print-memory-plan",
                              cl::desc("print the activation buffers, their live ranges and "
                                       "the peak of live bytes, then exit"),
                              cl::cat(cat));
cl::opt<bool> printSources("print-sources",
                           cl::desc("print the spec's path and every file it imports, resolved "
                                    "as loomc resolves them, one per line, and exit"),
                           cl::cat(cat));
cl::opt<bool> listWeights("list-weights", cl::desc("print the expected weights and exit"),
                          cl::cat(cat));
cl::opt<bool> listPlugins("list-plugins", cl::desc("print the registered blocks and exit"),
                          cl::cat(cat));
cl::opt<bool> mpi("mpi",
                  cl::desc("link the executable for batch inference across MPI ranks "
                           "(--input-list, --output-dir under mpirun)"),
                  cl::cat(cat));
cl::opt<bool> noFusion("no-fusion", cl::desc("skip the loom-level fusion passes"), cl::cat(cat));
cl::opt<bool> removePadding(
    "remove-padding",
    cl::desc("run a padded batch on its valid rows only, packed into one sequence (needs "
             "-D batch=? -D seq=? and a lengths input that masks the keys)"),
    cl::cat(cat));
cl::opt<bool> noVectorize("no-vectorize", cl::desc("do not tile/vectorize matmuls"), cl::cat(cat));
cl::opt<std::string> regTile("reg-tile",
                             cl::desc("matmul register tile ROWSxCOLS (default: 6x16 on AVX2, "
                                      "8x32 on AVX-512)"),
                             cl::value_desc("MxN"), cl::cat(cat));
cl::opt<std::string> mcpu("mcpu",
                          cl::desc("CPU to generate code for, by LLVM's name (e.g. znver3, "
                                   "skylake-avx512, x86-64-v3); native: this host"),
                          cl::init("native"), cl::value_desc("name"), cl::cat(cat));
cl::opt<std::string> mattr("mattr",
                           cl::desc("CPU features to add or remove, e.g. +avx512f,-fma"),
                           cl::value_desc("+a,-b"), cl::cat(cat));
cl::opt<bool> noPackWeights("no-pack-weights",
                            cl::desc("keep linear weights as [K, N] instead of packing them "
                                     "into [N/P, K, P] panels (for comparisons)"),
                            cl::cat(cat));
cl::opt<std::string> ompSchedule(
    "omp-schedule",
    cl::desc("schedule of the parallel loops: guided (default), dynamic or static"),
    cl::init("guided"), cl::value_desc("kind"), cl::cat(cat));
cl::opt<std::string> cxx("cxx", cl::desc("C++ compiler used to link executables"),
                         cl::init(LOOM_DEFAULT_CXX), cl::cat(cat));
cl::opt<std::string> runtimeLib("runtime-lib", cl::desc("the runtime archive to link"),
                                cl::init(LOOM_DEFAULT_RUNTIME_LIB), cl::cat(cat));
cl::opt<std::string> runtimeCoreLib("runtime-core-lib",
                                    cl::desc("the runtime archive for shared libraries"),
                                    cl::init(LOOM_DEFAULT_RUNTIME_CORE_LIB), cl::cat(cat));
cl::opt<std::string> ompDir("omp-dir", cl::desc("directory of libomp.so (linked and rpath'd)"),
                            cl::init(LOOM_DEFAULT_OMP_DIR), cl::cat(cat));

/// An installed loomc (`cmake --install`, cmake/LoomInstall.cmake) finds the runtime
/// archives in <prefix>/lib/loom and the stdlib in <prefix>/share/loom/stdlib, <prefix> being
/// its bin/'s parent; a loomc in the build tree uses the paths it was built with. Empty when
/// this loomc is not installed.
std::string installedPrefix(const char *argv0) {
  std::string exe = sys::fs::getMainExecutable(argv0, reinterpret_cast<void *>(&installedPrefix));
  SmallString<256> prefix(sys::path::parent_path(sys::path::parent_path(exe)));
  SmallString<256> stdlib(prefix);
  sys::path::append(stdlib, "share", "loom", "stdlib", "transformer.loom");
  return sys::fs::exists(stdlib) ? std::string(prefix) : std::string();
}

int fail(const Twine &msg) {
  errs() << "loomc: error: " << msg << "\n";
  return 1;
}

std::string defaultOutput(Emit e) {
  std::string stem = sys::path::stem(inputFile).str();
  switch (e) {
  case Emit::Obj: return stem + ".o";
  case Emit::Asm: return stem + ".s";
  case Emit::Exe: return stem;
  case Emit::Shared: return "lib" + stem + ".so";
  case Emit::Svg: return stem + ".svg";
  case Emit::Png: return stem + ".png";
  default: return "-";
  }
}

int writeText(const std::string &path, function_ref<void(raw_ostream &)> fn) {
  std::string err;
  auto out = mlir::openOutputFile(path, &err);
  if (!out)
    return fail(err);
  fn(out->os());
  out->keep();
  return 0;
}

std::string shapeStr(const std::vector<int64_t> &s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}
} // namespace

namespace {
int run(int argc, char **argv) {
  // Passes first: --mlir-print-ir-before=<pass> needs their names.
  mlir::registerAllPasses();
  loom::registerLoomPasses();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();

  // --help lists loomc's own options; LLVM's and MLIR's (e.g. --mlir-print-ir-after-all)
  // still parse, and the overview names the useful ones.
  cl::HideUnrelatedOptions(cat);
  cl::ParseCommandLineOptions(
      argc, argv,
      "Loom: compiles a .loom model to native code\n\n"
      "MLIR's debugging options are accepted too: --mlir-print-ir-before=<pass>,\n"
      "--mlir-print-ir-after=<pass>, --mlir-print-ir-after-all.\n");
  std::string stdlibDir = LOOM_DEFAULT_STDLIB_DIR, runtimeMpiLib = LOOM_DEFAULT_RUNTIME_MPI_LIB;
  if (std::string prefix = installedPrefix(argv[0]); !prefix.empty()) {
    auto under = [&](std::initializer_list<StringRef> parts) {
      SmallString<256> p(prefix);
      for (StringRef part : parts)
        sys::path::append(p, part);
      return std::string(p);
    };
    stdlibDir = under({"share", "loom", "stdlib"});
    if (!runtimeLib.getNumOccurrences())
      runtimeLib = under({"lib", "loom", "libloom_runtime.a"});
    if (!runtimeCoreLib.getNumOccurrences())
      runtimeCoreLib = under({"lib", "loom", "libloom_runtime_core.a"});
    if (!runtimeMpiLib.empty())
      runtimeMpiLib = under({"lib", "loom", "libloom_runtime_mpi.a"});
  }

  for (const std::string &p : plugins) {
    std::string err;
    if (!loom::PluginRegistry::instance().loadLibrary(p, err))
      return fail("cannot load plugin '" + p + "': " + err);
  }
  if (listPlugins) {
    for (const loom::BlockPlugin *p : loom::PluginRegistry::instance().all()) {
      outs() << p->name() << " (" << loom::categoryName(p->category()) << "): " << p->summary()
             << "\n";
      for (const loom::ParamSpec &s : p->params())
        outs() << "    " << s.name << ": " << s.type.str()
               << (s.defaultValue ? " = " + s.defaultValue->str() : std::string(" (required)"))
               << "  " << s.doc << "\n";
    }
    return 0;
  }
  if (inputFile.empty())
    return fail("no input file (see --help)");
  if (mpi && emitKind != Emit::Exe)
    return fail("--mpi links an executable (--emit=exe)");
  if (mpi && runtimeMpiLib.empty())
    return fail("--mpi: this loomc was built without MPI (install Debian's libopenmpi-dev "
                "and configure the build again)");
  loom::TargetCPU target;
  std::string targetErr;
  if (!loom::resolveTarget(mcpu, mattr, target, targetErr))
    return fail(targetErr);

  std::map<std::string, std::string> overrides;
  for (const std::string &d : defines) {
    size_t eq = d.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail("-D expects NAME=VALUE, got '" + d + "'");
    overrides[d.substr(0, eq)] = d.substr(eq + 1);
  }

  // Frontend: parse, check, elaborate.
  loom::DiagnosticEngine diag(std::cerr);
  loom::Program program;
  std::vector<std::string> dirs(includeDirs.begin(), includeDirs.end());
  dirs.push_back(stdlibDir);
  if (!loom::loadProgram(inputFile, dirs, diag, program))
    return 1;
  if (printSources) {
    for (const auto &f : program.files)
      outs() << f->path << "\n";
    return 0;
  }
  std::unique_ptr<loom::Model> model = loom::elaborate(program, overrides, diag);
  if (!model)
    return 1;
  if (listWeights) {
    for (const loom::Weight &w : model->weights)
      outs() << w.name << " " << shapeStr(w.shape) << " F32\n";
    for (const loom::Weight &w : model->unusedWeights)
      outs() << w.name << " " << shapeStr(w.shape) << " " << w.dtype << " (optional, not read)\n";
    return 0;
  }

  // MLIR.
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<loom::LoomDialect>();
  mlir::MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &ctx);

  mlir::OwningOpRef<mlir::ModuleOp> module = loom::emitModel(*model, ctx);
  if (failed(mlir::verify(*module)))
    return fail("internal error: the emitted loom IR does not verify");

  auto run = [&](function_ref<void(mlir::OpPassManager &)> build) {
    mlir::PassManager pm(&ctx);
    if (failed(mlir::applyPassManagerCLOptions(pm)))
      return false;
    build(pm);
    return succeeded(pm.run(*module));
  };
  std::string out = outputFile.empty() ? defaultOutput(emitKind) : outputFile;

  if (!noFusion && !run([](mlir::OpPassManager &pm) { loom::buildLoomFusionPipeline(pm); }))
    return fail("loom-level passes failed");
  if (removePadding && !run([](mlir::OpPassManager &pm) {
        pm.addNestedPass<mlir::func::FuncOp>(loom::createLoomRemovePadding());
      }))
    return fail("--remove-padding failed");
  if (emitKind == Emit::Loom)
    return writeText(out, [&](raw_ostream &os) { module->print(os); });
  if (emitKind == Emit::Dot)
    return writeText(out, [&](raw_ostream &os) { loom::printDot(*module, os); });
  if (emitKind == Emit::Svg || emitKind == Emit::Png) {
    // Graphviz renders the picture: dot -T<format> in.dot -o out.
    auto dot = sys::findProgramByName("dot");
    if (!dot)
      return fail("--emit=svg and --emit=png need Graphviz's 'dot' (Debian: apt-get install "
                  "graphviz); --emit=dot writes the graph without it");
    SmallString<128> dotFile;
    if (sys::fs::createTemporaryFile("loom", "dot", dotFile))
      return fail("cannot create a temporary file");
    if (int rc = writeText(dotFile.str().str(), [&](raw_ostream &os) { loom::printDot(*module, os); }))
      return rc;
    std::string format = emitKind == Emit::Svg ? "-Tsvg" : "-Tpng";
    std::vector<StringRef> args{*dot, format, dotFile, "-o", out};
    std::string runErr;
    int rc = sys::ExecuteAndWait(*dot, args, std::nullopt, {}, 0, 0, &runErr);
    sys::fs::remove(dotFile);
    if (rc != 0)
      return fail("Graphviz's dot failed" + (runErr.empty() ? "" : ": " + runErr));
    return 0;
  }

  loom::LowerToLLVMOptions opts;
  opts.vectorize = !noVectorize;
  opts.packWeights = !noPackWeights;
  // The micro-kernel's register tile, for the target's vector registers.
  if (loom::targetHasFeature(target, "avx512f")) {
    opts.regTileM = 8;
    opts.regTileN = 32;
  }
  if (!regTile.empty()) {
    unsigned m = 0, n = 0;
    if (sscanf(regTile.c_str(), "%ux%u", &m, &n) != 2 || m == 0 || n == 0)
      return fail("--reg-tile expects ROWSxCOLS, e.g. 6x16");
    opts.regTileM = m;
    opts.regTileN = n;
  }
  const int64_t panelWidth = opts.vectorize && opts.packWeights ? opts.regTileN : 0;
  if (!run([&](mlir::OpPassManager &pm) { loom::buildLoomToLinalgPipeline(pm, panelWidth); }))
    return fail("lowering to linalg failed");
  loom::Manifest manifest;
  std::string err;
  if (!loom::collectManifest(*module, manifest, err))
    return fail(err);
  if (!loom::recordTarget(target, manifest, err))
    return fail(err);
  if (emitKind == Emit::Linalg)
    return writeText(out, [&](raw_ostream &os) { module->print(os); });

  if (!run([&](mlir::OpPassManager &pm) { loom::buildLinalgToLoopsPipeline(pm, opts); }))
    return fail("lowering to loops failed");
  if (printMemoryPlan) {
    loom::printMemoryPlan(*module, outs());
    return 0;
  }
  if (emitKind == Emit::Loops)
    return writeText(out, [&](raw_ostream &os) { module->print(os); });

  if (ompSchedule != "guided" && ompSchedule != "dynamic" && ompSchedule != "static")
    return fail("--omp-schedule expects guided, dynamic or static, got '" + ompSchedule + "'");
  if (!run([&](mlir::OpPassManager &pm) {
        loom::buildLoopsToLLVMPipeline(pm, ompSchedule, manifest.dynamic.empty());
      }))
    return fail("lowering to the LLVM dialect failed");
  llvm::LLVMContext llvmCtx;
  std::unique_ptr<llvm::Module> llvmModule = loom::translateToLLVMIR(*module, manifest, llvmCtx, err);
  if (!llvmModule)
    return fail(err);
  if (emitKind == Emit::LLVMIR) {
    if (!loom::optimizeFor(*llvmModule, target, err))
      return fail(err);
    return writeText(out, [&](raw_ostream &os) { llvmModule->print(os, nullptr); });
  }

  std::string objPath = out;
  SmallString<128> tmp;
  if (emitKind == Emit::Exe || emitKind == Emit::Shared) {
    if (sys::fs::createTemporaryFile("loom", "o", tmp))
      return fail("cannot create a temporary file");
    objPath = tmp.str().str();
  }
  if (!loom::emitObject(*llvmModule, target, objPath, emitKind == Emit::Asm, err))
    return fail(err);
  if (emitKind == Emit::Obj || emitKind == Emit::Asm)
    return 0;

  bool shared = emitKind == Emit::Shared;
  std::vector<std::string> linkArgs{cxx, "-O2", objPath};
  if (shared) // the C API is only referenced from outside: keep all of the runtime core
    linkArgs.insert(linkArgs.end(), {"-shared", "-Wl,--whole-archive", runtimeCoreLib,
                                     "-Wl,--no-whole-archive"});
  else if (mpi) {
    linkArgs.push_back(runtimeMpiLib);
    SmallVector<StringRef> libs;
    StringRef(LOOM_MPI_LIBS).split(libs, ',', -1, false);
    for (StringRef l : libs)
      linkArgs.push_back(l.str());
  } else
    linkArgs.push_back(runtimeLib);
  linkArgs.insert(linkArgs.end(),
                  {"-fopenmp", "-L" + ompDir, "-Wl,-rpath," + ompDir, "-lm", "-o", out});
  // A sanitizer build's runtime is instrumented: link the sanitizers' runtimes too.
  if (StringRef(LOOM_SANITIZE).size())
    linkArgs.push_back(std::string("-fsanitize=") + LOOM_SANITIZE);
  std::vector<StringRef> refs(linkArgs.begin(), linkArgs.end());
  std::string linkErr;
  int rc = sys::ExecuteAndWait(cxx, refs, std::nullopt, {}, 0, 0, &linkErr);
  sys::fs::remove(objPath);
  if (rc != 0)
    return fail("linking with '" + cxx + "' failed" + (linkErr.empty() ? "" : ": " + linkErr));
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  // The front end recurses over the spec's nesting (bounded by the parser's limits) and
  // MLIR over regions: a thread with a large stack keeps deep but legal specs from
  // exhausting the main thread's 8 MB.
  int rc = 1;
  llvm::thread worker(std::optional<unsigned>(512u << 20), [&] { rc = run(argc, argv); });
  worker.join();
  return rc;
}
