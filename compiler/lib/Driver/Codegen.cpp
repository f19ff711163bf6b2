//===- Codegen.cpp - LLVM IR, C ABI wrappers, host object -----------------===//
#include "llvm/Support/CommandLine.h"
#include "loom/Driver/Codegen.h"
#include "loom/Runtime/Abi.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace loom;

std::string Manifest::toJSON() const {
  auto buf = [](const Buffer &b) {
    // A dynamic dimension appears by its name: "shape": ["batch", "seq", 512].
    llvm::json::Array shape;
    for (auto [i, d] : llvm::enumerate(b.shape))
      if (i < b.dynamicDims.size() && !b.dynamicDims[i].empty())
        shape.push_back(b.dynamicDims[i]);
      else
        shape.push_back(d);
    llvm::json::Object o{{"name", b.name}, {"shape", std::move(shape)}, {"dtype", b.dtype}};
    if (b.bound)
      o["bound"] = b.bound;
    if (!b.boundDim.empty()) { // entries in [0, size of boundDim + bound_plus)
      o["bound_dim"] = b.boundDim;
      o["bound_plus"] = b.boundPlus;
    }
    return o;
  };
  llvm::json::Array ins, outs, ws, ps, us;
  for (const Buffer &u : unused)
    us.push_back(buf(u));
  for (const Buffer &in : inputs)
    ins.push_back(buf(in));
  for (const Buffer &out : outputs)
    outs.push_back(buf(out));
  for (const Buffer &w : weights)
    ws.push_back(buf(w));
  for (const Buffer &p : prepared)
    ps.push_back(buf(p));
  llvm::json::Array features;
  for (const std::string &f : cpuFeatures)
    features.push_back(f);
  llvm::json::Array dyn;
  for (const std::string &d : dynamic)
    dyn.push_back(d);
  llvm::json::Object dynMax;
  for (const auto &[name, limit] : dynamicMax)
    dynMax[name] = llvm::json::Object{{"max", limit.first}, {"what", limit.second}};
  llvm::json::Object root{{"format", "loom-manifest-5"}, {"model", model},
                          {"dynamic", std::move(dyn)},
                          {"dynamic_max", std::move(dynMax)},
                          {"pack_blocker", packBlocker},
                          {"inputs", std::move(ins)},    {"outputs", std::move(outs)},
                          {"weights", std::move(ws)},    {"prepared", std::move(ps)},
                          {"unused", std::move(us)},
                          {"cpu", llvm::json::Object{{"name", cpu},
                                                     {"features", std::move(features)}}}};
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::json::Value(std::move(root));
  return s;
}

bool loom::collectManifest(mlir::ModuleOp module, Manifest &m, std::string &error) {
  if (auto name = module->getAttrOfType<mlir::StringAttr>("loom.model"))
    m.model = name.str();
  auto fn = module.lookupSymbol<mlir::func::FuncOp>("forward");
  if (!fn) {
    error = "no func @forward in the module";
    return false;
  }
  auto shapeOf = [](mlir::Type t) {
    auto r = mlir::cast<mlir::RankedTensorType>(t);
    return std::vector<int64_t>(r.getShape().begin(), r.getShape().end());
  };
  auto dtypeOf = [](mlir::Type t) -> std::string {
    mlir::Type e = mlir::cast<mlir::RankedTensorType>(t).getElementType();
    if (e.isInteger(32))
      return "I32";
    if (e.isInteger(64))
      return "I64";
    return "F32";
  };
  auto dynamicDimsOf = [&](mlir::ArrayAttr names, Manifest::Buffer &buf) {
    if (!names)
      return;
    for (auto n : names.getAsRange<mlir::StringAttr>()) {
      buf.dynamicDims.push_back(n.str());
      if (!n.getValue().empty() && !llvm::is_contained(m.dynamic, n.str()))
        m.dynamic.push_back(n.str());
    }
  };
  for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
    mlir::Type t = fn.getArgument(i).getType();
    if (auto a = fn.getArgAttrOfType<mlir::StringAttr>(i, "loom.input"))
    {
      m.inputs.push_back({a.str(), shapeOf(t), dtypeOf(t)});
      if (auto bound = fn.getArgAttrOfType<mlir::IntegerAttr>(i, "loom.index_bound"))
        m.inputs.back().bound = bound.getInt();
      dynamicDimsOf(fn.getArgAttrOfType<mlir::ArrayAttr>(i, "loom.dynamic_dims"), m.inputs.back());
      if (auto dim = fn.getArgAttrOfType<mlir::StringAttr>(i, "loom.index_bound_dim")) {
        m.inputs.back().boundDim = dim.str();
        if (auto plus = fn.getArgAttrOfType<mlir::IntegerAttr>(i, "loom.index_bound_plus"))
          m.inputs.back().boundPlus = plus.getInt();
      }
    }
    else if (auto a = fn.getArgAttrOfType<mlir::StringAttr>(i, "loom.weight"))
      m.weights.push_back({a.str(), shapeOf(t)});
    else if (fn.getArgAttr(i, "loom.prepared"))
      m.prepared.push_back({"prepared." + std::to_string(m.prepared.size()), shapeOf(t), dtypeOf(t)});
    else {
      error = "argument " + std::to_string(i) + " of @forward has no loom role";
      return false;
    }
  }
  for (unsigned r = 0; r < fn.getNumResults(); ++r) {
    auto name = fn.getResultAttrOfType<mlir::StringAttr>(r, "loom.output");
    m.outputs.push_back({name ? name.str() : std::string("output"), shapeOf(fn.getResultTypes()[r]),
                         dtypeOf(fn.getResultTypes()[r])});
    dynamicDimsOf(fn.getResultAttrOfType<mlir::ArrayAttr>(r, "loom.dynamic_dims"), m.outputs.back());
  }
  // Every dynamic dimension must be named: the wrapper sizes it from loom_forward's dims.
  auto checkNamed = [&](const std::vector<Manifest::Buffer> &bufs, const char *kind) {
    for (const Manifest::Buffer &b : bufs)
      for (auto [d, size] : llvm::enumerate(b.shape))
        if (mlir::ShapedType::isDynamic(size) &&
            (d >= b.dynamicDims.size() || b.dynamicDims[d].empty())) {
          error = std::string(kind) + " '" + b.name + "' has an unnamed dynamic dimension " +
                  std::to_string(d);
          return false;
        }
    return true;
  };
  if (!checkNamed(m.inputs, "input") || !checkNamed(m.outputs, "output") ||
      !checkNamed(m.weights, "weight") || !checkNamed(m.prepared, "prepared buffer"))
    return false;
  if (auto unused = module->getAttrOfType<mlir::ArrayAttr>("loom.unused_weights"))
    for (auto d : unused.getAsRange<mlir::DictionaryAttr>()) {
      auto shape = mlir::cast<mlir::DenseI64ArrayAttr>(d.get("shape")).asArrayRef();
      m.unused.push_back({mlir::cast<mlir::StringAttr>(d.get("name")).str(),
                          std::vector<int64_t>(shape.begin(), shape.end()),
                          mlir::cast<mlir::StringAttr>(d.get("dtype")).str()});
    }
  m.hasPrepare = module.lookupSymbol<mlir::func::FuncOp>("forward_prepare") != nullptr;
  if (auto bounds = module->getAttrOfType<mlir::DictionaryAttr>("loom.dynamic_bounds"))
    for (mlir::NamedAttribute nb : bounds) {
      auto d = mlir::cast<mlir::DictionaryAttr>(nb.getValue());
      m.dynamicMax[nb.getName().str()] = {mlir::cast<mlir::IntegerAttr>(d.get("max")).getInt(),
                                          mlir::cast<mlir::StringAttr>(d.get("what")).str()};
    }
  if (auto blocker = module->getAttrOfType<mlir::StringAttr>("loom.pack_blocker"))
    m.packBlocker = blocker.str();
  return true;
}

std::unique_ptr<llvm::Module> loom::translateToLLVMIR(mlir::ModuleOp module, const Manifest &m,
                                                      llvm::LLVMContext &ctx, std::string &error) {
  // The loom.* argument roles are in the manifest; LLVM has no use for them.
  module.walk([](mlir::FunctionOpInterface fn) {
    auto strip = [](llvm::ArrayRef<mlir::NamedAttribute> attrs) {
      llvm::SmallVector<mlir::NamedAttribute> kept;
      for (mlir::NamedAttribute a : attrs)
        if (!a.getName().strref().starts_with("loom."))
          kept.push_back(a);
      return kept;
    };
    for (unsigned i = 0; i < fn.getNumArguments(); ++i)
      fn.setArgAttrs(i, strip(fn.getArgAttrs(i)));
    for (unsigned i = 0; i < fn.getNumResults(); ++i)
      fn.setResultAttrs(i, strip(fn.getResultAttrs(i)));
  });
  mlir::DialectRegistry registry;
  mlir::registerAllToLLVMIRTranslations(registry);
  module->getContext()->appendDialectRegistry(registry);
  std::unique_ptr<llvm::Module> llvmModule = mlir::translateModuleToLLVMIR(module, ctx, "loom");
  if (!llvmModule) {
    error = "translation to LLVM IR failed";
    return nullptr;
  }
  llvm::IRBuilder<> b(ctx);
  llvm::Type *ptr = b.getPtrTy();
  auto loadAll = [&](llvm::Value *array, size_t n, std::vector<llvm::Value *> &out) {
    for (size_t i = 0; i < n; ++i)
      out.push_back(b.CreateLoad(ptr, b.CreateConstInBoundsGEP1_64(ptr, array, i)));
  };

  // loom_forward(inputs, weights, prepared, output, dims)
  llvm::Function *fwd = llvmModule->getFunction("forward");
  if (!fwd) {
    error = "no @forward after lowering";
    return nullptr;
  }
  llvm::Type *i64 = b.getInt64Ty();
  // Appends to `out` the arguments for the buffers `bufs`, whose pointers are in `array`.
  // Static models take bare pointers (use-bare-ptr-memref-call-conv). Models with dynamic
  // dimensions take memref descriptors, unpacked: allocated and aligned pointer, offset 0,
  // the sizes (a dynamic one read from `dims`), then the row-major strides.
  auto passBuffers = [&](llvm::Value *array, const std::vector<Manifest::Buffer> &bufs,
                         llvm::Value *dims, std::vector<llvm::Value *> &out) {
    if (m.dynamic.empty()) {
      loadAll(array, bufs.size(), out);
      return;
    }
    for (size_t i = 0; i < bufs.size(); ++i) {
      llvm::Value *p = b.CreateLoad(ptr, b.CreateConstInBoundsGEP1_64(ptr, array, i));
      const Manifest::Buffer &buf = bufs[i];
      std::vector<llvm::Value *> sizes;
      for (auto [d, size] : llvm::enumerate(buf.shape)) {
        if (!mlir::ShapedType::isDynamic(size)) {
          sizes.push_back(b.getInt64(size));
          continue;
        }
        size_t k = llvm::find(m.dynamic, buf.dynamicDims[d]) - m.dynamic.begin();
        sizes.push_back(b.CreateLoad(i64, b.CreateConstInBoundsGEP1_64(i64, dims, k)));
      }
      std::vector<llvm::Value *> strides(sizes.size());
      llvm::Value *stride = b.getInt64(1);
      for (size_t d = sizes.size(); d-- > 0;) {
        strides[d] = stride;
        stride = b.CreateMul(stride, sizes[d]);
      }
      out.push_back(p);
      out.push_back(p);
      out.push_back(b.getInt64(0));
      out.insert(out.end(), sizes.begin(), sizes.end());
      out.insert(out.end(), strides.begin(), strides.end());
    }
  };
  auto *fwdTy = llvm::FunctionType::get(b.getVoidTy(), {ptr, ptr, ptr, ptr, ptr}, false);
  auto *wrap = llvm::Function::Create(fwdTy, llvm::Function::ExternalLinkage, "loom_forward",
                                      *llvmModule);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", wrap));
  std::vector<llvm::Value *> args;
  passBuffers(wrap->getArg(0), m.inputs, wrap->getArg(4), args);
  passBuffers(wrap->getArg(1), m.weights, wrap->getArg(4), args);
  passBuffers(wrap->getArg(2), m.prepared, wrap->getArg(4), args);
  passBuffers(wrap->getArg(3), m.outputs, wrap->getArg(4), args);
  if (args.size() != fwd->arg_size()) {
    error = "@forward takes " + std::to_string(fwd->arg_size()) + " buffers, the manifest lists " +
            std::to_string(args.size());
    return nullptr;
  }
  b.CreateCall(fwd, args);
  b.CreateRetVoid();

  // loom_prepare(weights, prepared)
  auto *prepTy = llvm::FunctionType::get(b.getVoidTy(), {ptr, ptr}, false);
  auto *prepWrap = llvm::Function::Create(prepTy, llvm::Function::ExternalLinkage,
                                          "loom_prepare", *llvmModule);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", prepWrap));
  if (llvm::Function *prep = llvmModule->getFunction("forward_prepare")) {
    std::vector<llvm::Value *> pargs;
    passBuffers(prepWrap->getArg(0), m.weights, nullptr, pargs); // weights are static
    passBuffers(prepWrap->getArg(1), m.prepared, nullptr, pargs);
    if (pargs.size() != prep->arg_size()) {
      error = "@forward_prepare's buffers do not match the manifest";
      return nullptr;
    }
    b.CreateCall(prep, pargs);
  }
  b.CreateRetVoid();

  // The manifest, NUL-terminated.
  auto *init = llvm::ConstantDataArray::getString(ctx, m.toJSON(), /*AddNull=*/true);
  new llvm::GlobalVariable(*llvmModule, init->getType(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, init, "loom_manifest");
  // Internal entry points: only the C ABI stays visible.
  for (const char *name : {"forward", "forward_prepare"})
    if (llvm::Function *f = llvmModule->getFunction(name))
      f->setLinkage(llvm::GlobalValue::InternalLinkage);

  std::string verifyErr;
  llvm::raw_string_ostream vos(verifyErr);
  if (llvm::verifyModule(*llvmModule, &vos)) {
    error = "invalid LLVM IR: " + verifyErr;
    return nullptr;
  }
  return llvmModule;
}

namespace {
const llvm::Target *nativeTarget(llvm::Triple &triple, std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  triple = llvm::Triple(llvm::sys::getDefaultTargetTriple());
  return llvm::TargetRegistry::lookupTarget(triple, error);
}

std::unique_ptr<llvm::MCSubtargetInfo> subtargetInfo(const loom::TargetCPU &t,
                                                     std::string &error) {
  llvm::Triple triple;
  const llvm::Target *target = nativeTarget(triple, error);
  if (!target)
    return nullptr;
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(triple, t.cpu, t.features));
  if (!sti)
    error = "no subtarget information for " + triple.str();
  return sti;
}

std::unique_ptr<llvm::TargetMachine> targetMachine(llvm::Module &module,
                                                   const loom::TargetCPU &t,
                                                   std::string &error) {
  llvm::Triple triple;
  const llvm::Target *target = nativeTarget(triple, error);
  if (!target)
    return nullptr;
  llvm::TargetOptions opts;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, t.cpu, t.features, opts, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!tm) {
    error = "cannot create a target machine for " + triple.str();
    return nullptr;
  }
  module.setTargetTriple(triple);
  module.setDataLayout(tm->createDataLayout());
  return tm;
}

void optimize(llvm::Module &module, llvm::TargetMachine *tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  mpm.run(module, mam);
}
} // namespace

bool loom::resolveTarget(const std::string &cpu, const std::string &attrs, TargetCPU &target,
                         std::string &error) {
  target = TargetCPU();
  if (cpu.empty() || cpu == "native") {
    target.cpu = llvm::sys::getHostCPUName().str();
    for (const auto &f : llvm::sys::getHostCPUFeatures())
      target.features +=
          (target.features.empty() ? "" : ",") + std::string(f.second ? "+" : "-") + f.first().str();
  } else {
    target.cpu = cpu;
  }
  // Checked against the generic CPU's tables: LLVM warns about an unknown CPU name only
  // when a subtarget is created for it.
  std::unique_ptr<llvm::MCSubtargetInfo> sti = subtargetInfo(TargetCPU{"generic", ""}, error);
  if (!sti)
    return false;
  if (!sti->isCPUStringValid(target.cpu)) {
    error = "unknown CPU '" + target.cpu + "' for --mcpu (LLVM's x86 names, e.g. znver3, " +
            "skylake-avx512, x86-64-v3; or native)";
    return false;
  }
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(attrs).split(parts, ',', -1, false);
  for (llvm::StringRef a : parts) {
    a = a.trim();
    llvm::StringRef name = a.drop_front();
    bool known = llvm::any_of(sti->getAllProcessorFeatures(),
                              [&](const llvm::SubtargetFeatureKV &kv) { return name == kv.Key; });
    if ((!a.starts_with("+") && !a.starts_with("-")) || !known) {
      error = "--mattr expects +feature or -feature with LLVM's x86 feature names (e.g. "
              "+avx512f,-fma), got '" + a.str() + "'";
      return false;
    }
    target.features += (target.features.empty() ? "" : ",") + a.str();
  }
  return true;
}

bool loom::targetHasFeature(const TargetCPU &target, const std::string &feature) {
  std::string error;
  std::unique_ptr<llvm::MCSubtargetInfo> sti = subtargetInfo(target, error);
  return sti && sti->checkFeatures("+" + feature);
}

bool loom::recordTarget(const TargetCPU &target, Manifest &manifest, std::string &error) {
  manifest.cpu = target.cpu;
  manifest.cpuFeatures.clear();
  std::unique_ptr<llvm::MCSubtargetInfo> sti = subtargetInfo(target, error);
  if (!sti)
    return false;
#define LOOM_RECORD_FEATURE(name)                                                         \
  if (sti->checkFeatures("+" name))                                                       \
    manifest.cpuFeatures.push_back(name);
  LOOM_CPU_FEATURES(LOOM_RECORD_FEATURE)
#undef LOOM_RECORD_FEATURE
  return true;
}

bool loom::optimizeFor(llvm::Module &module, const TargetCPU &target, std::string &error) {
  auto tm = targetMachine(module, target, error);
  if (!tm)
    return false;
  optimize(module, tm.get());
  return true;
}

namespace {
/// Turns off LLVM's machine-instruction schedulers (pre- and post-register-allocation)
/// unless the user set them on the command line. The generated kernels have long basic
/// blocks (unrolled register tiles and row vectors) on which both schedulers are
/// quadratic: for the 6-layer encoder they took 11.7 of 14.6 s of code generation, and
/// the code ran no faster with them (145.4 vs 147.3 ms median, Zen 3; the out-of-order
/// core does the scheduling).
void disableMachineSchedulers() {
  auto &opts = llvm::cl::getRegisteredOptions();
  for (const char *name : {"enable-misched", "post-RA-scheduler"}) {
    auto it = opts.find(name);
    if (it == opts.end() || it->second->getNumOccurrences() > 0)
      continue;
    // As if given on the command line: the passes only override the subtarget's choice
    // for an option that occurred.
    it->second->addOccurrence(1, name, "false");
  }
}
} // namespace

bool loom::emitObject(llvm::Module &module, const TargetCPU &target, const std::string &path,
                      bool assembly, std::string &error) {
  disableMachineSchedulers();
  auto tm = targetMachine(module, target, error);
  if (!tm)
    return false;
  optimize(module, tm.get());
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write '" + path + "': " + ec.message();
    return false;
  }
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, os, nullptr,
                              assembly ? llvm::CodeGenFileType::AssemblyFile
                                       : llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return false;
  }
  pm.run(module);
  return true;
}
