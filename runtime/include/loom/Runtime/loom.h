/*===- loom.h - C API of a model compiled with `loomc --emit=shared` ------===*
 *
 *   char err[512];
 *   loom_model *m = loom_model_open("weights.safetensors", err, sizeof err);
 *   if (!m) { fprintf(stderr, "%s\n", err); ... }
 *   const void *inputs[] = {x};            // manifest order; x is [batch, seq, d_model] f32
 *   void *outputs[] = {y};                 // main output, then any extra outputs
 *   loom_model_run(m, inputs, outputs, err, sizeof err);
 *   loom_model_close(m);
 *
 * Buffers are dense row-major arrays of the shapes and dtypes in loom_model_manifest().
 * Functions that fail return NULL or non-zero and write a message to `err` (NUL-terminated,
 * truncated to `err_len`). Thread count: loom_set_num_threads (OpenMP).
 *
 * Threads: one loaded model may run from several threads at once. Weights and their
 * prepared forms are read only after loom_model_open, and every call allocates its own
 * activations; each call runs an OpenMP team of loom_set_num_threads threads, so callers
 * that run in parallel usually set 1 (test/e2e/c_api_main.c). loom_model_close must not
 * overlap a run.
 *===----------------------------------------------------------------------===*/
#ifndef LOOM_RUNTIME_LOOM_H
#define LOOM_RUNTIME_LOOM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct loom_model loom_model;

/* The model's manifest (JSON): inputs, output, weights with names, shapes and dtypes. */
const char *loom_model_manifest(void);
/* Reads and checks the weights (a safetensors file), then runs the one-time weight
 * preparation. */
loom_model *loom_model_open(const char *weights_path, char *err, size_t err_len);
/* loom_model_open that skips the file's tensors whose names match one of the `n_ignore`
 * shell globs in `ignore` (the executable's --ignore: buffers such as 'h.*.attn.bias'). */
loom_model *loom_model_open_ignoring(const char *weights_path, const char *const *ignore,
                                     size_t n_ignore, char *err, size_t err_len);
/* Opens the model on weights the caller holds (no file): `weights[i]` is the i-th entry of
 * the manifest's "weights", dense row-major in its shape and dtype, 4-byte aligned. Nothing
 * is copied: the buffers must stay valid and unchanged until loom_model_close. Names and
 * shapes are the caller's to check (the Python package does). */
loom_model *loom_model_open_buffers(const void *const *weights, char *err, size_t err_len);
/* Runs the model: `inputs` and `outputs` in manifest order (the main output first). Each
 * output needs memory of its own: the model writes outputs while it still reads its inputs,
 * so an output that overlaps an input or another output is an error (non-zero return). */
int loom_model_run(loom_model *model, const void *const *inputs, void *const *outputs, char *err,
                   size_t err_len);
/* loom_model_run for a model with dynamic dimensions (`loomc -D seq=?`): `dims[k]` sizes the
 * k-th name of the manifest's "dynamic" list (e.g. {"batch", "seq"}), each at least 1, and the
 * buffers have the manifest's shapes with those sizes. loom_model_run is this with no sizes,
 * an error for a model with dynamic dimensions. */
int loom_model_run_sized(loom_model *model, const int64_t *dims, size_t n_dims,
                         const void *const *inputs, void *const *outputs, char *err,
                         size_t err_len);
/* loom_model_run_sized without the batch's padding: each example runs alone on the rows its
 * entry of the lengths input gives (a model with dynamic batch and seq whose attention masks
 * keys by a lengths input [batch]), so the position-wise work skips the padded rows. The
 * valid rows equal loom_model_run_sized's; the padded output rows are zeros (where
 * loom_model_run_sized computes them as PyTorch does). */
int loom_model_run_packed(loom_model *model, const int64_t *dims, size_t n_dims,
                          const void *const *inputs, void *const *outputs, char *err,
                          size_t err_len);
void loom_model_close(loom_model *model);
/* The number of OpenMP threads of every later run, whichever thread calls loom_model_run;
 * n <= 0 keeps the current one, and more than 1024 is clamped to 1024. */
void loom_set_num_threads(int n);

#ifdef __cplusplus
}
#endif

#endif
