/*===- Abi.h - what a compiled Loom object exports ------------------------===*
 *
 * Every buffer is a dense, row-major f32 array; shapes are listed in the manifest.
 *
 *   loom_manifest  NUL-terminated JSON: {"model", "inputs": [{name, shape, dtype}...],
 *                  "outputs": [...], "weights": [...], "prepared": [...],
 *                  "cpu": {"name", "features": [...]}}; "cpu" is the CPU the code was
 *                  generated for (loomc --mcpu) and those of LOOM_CPU_FEATURES it uses.
 *                  Models with dynamic dimensions (loomc -D seq=?) also list "dynamic"
 *                  (their names), "dynamic_max" ({name: {max, what}}: run-time limits,
 *                  e.g. a position table's rows) and, for index inputs bounded by one,
 *                  "bound_dim" and "bound_plus" (entries in [0, size + bound_plus)).
 *                  "pack_blocker" names the first block whose valid rows read the
 *                  padding ("'depthwise_conv1d' at file:line:col"), or is "": a packed
 *                  run (loom_model_run_packed) is refused when it is set.
 *   loom_prepare   computes the prepared buffers (e.g. transposed or concatenated weights)
 *                  from the weights; call once after loading, before loom_forward.
 *   loom_forward   inputs (the first is [batch, seq, d_model] f32; others such as key
 *                  lengths are i32/i64) -> output; inputs, weights and prepared buffers in
 *                  manifest order. `dims` sizes the manifest's "dynamic" dimensions, in
 *                  its order (a shape lists a dynamic dimension by name: ["batch", "seq",
 *                  512]); unread by a static model. Thread count: OpenMP
 *                  (omp_set_num_threads).
 *===----------------------------------------------------------------------===*/
#ifndef LOOM_RUNTIME_ABI_H
#define LOOM_RUNTIME_ABI_H

/* The instruction-set extensions a compiled model may require, by the names that LLVM
 * and __builtin_cpu_supports share. loomc lists in the manifest those its target CPU
 * has; the runtime refuses to run generated code on a CPU that lacks one of them (it
 * would die of SIGILL otherwise). X("name") is applied to each. */
#define LOOM_CPU_FEATURES(X)                                                              \
  X("sse4.2") X("popcnt") X("avx") X("avx2") X("fma") X("f16c") X("bmi") X("bmi2")       \
  X("avx512f") X("avx512cd") X("avx512dq") X("avx512bw") X("avx512vl") X("avx512vnni")

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const char loom_manifest[];
void loom_prepare(void **weights, void **prepared);
void loom_forward(void **inputs, void **weights, void **prepared, void **outputs,
                  const int64_t *dims);

#ifdef __cplusplus
}
#endif

#endif
