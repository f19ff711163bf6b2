/*===- Abi.h - what a compiled Loom object exports ------------------------===*
 *
 * Every buffer is a dense, row-major f32 array; shapes are listed in the manifest.
 *
 *   loom_manifest  NUL-terminated JSON: {"model", "inputs": [{name, shape, dtype}...],
 *                  "outputs": [...], "weights": [...], "prepared": [...]}
 *   loom_prepare   computes the prepared buffers (e.g. transposed or concatenated weights)
 *                  from the weights; call once after loading, before loom_forward.
 *   loom_forward   inputs (the first is [batch, seq, d_model] f32; others such as key
 *                  lengths are i32/i64) -> output; inputs, weights and prepared buffers in
 *                  manifest order. Thread count: OpenMP (omp_set_num_threads).
 *===----------------------------------------------------------------------===*/
#ifndef LOOM_RUNTIME_ABI_H
#define LOOM_RUNTIME_ABI_H

#ifdef __cplusplus
extern "C" {
#endif

extern const char loom_manifest[];
void loom_prepare(void **weights, void **prepared);
void loom_forward(void **inputs, void **weights, void **prepared, void **outputs);

#ifdef __cplusplus
}
#endif

#endif
