/* loom_model_run_sized on a model compiled with -D seq=? -D batch=? (its manifest's
 * "dynamic" is ["batch", "seq"]): a run at the sizes of the reference against it, and the
 * errors for sizes that are missing, miscounted or zero (test/e2e/c-api-dynamic.test).
 *
 * usage: capi_dynamic WEIGHTS INPUT.f32 EXPECTED.f32 BATCH SEQ D_MODEL */
#include "loom/Runtime/loom.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static float *readFloats(const char *path, long n) {
  FILE *f = fopen(path, "rb");
  float *data = malloc((size_t)n * sizeof(float));
  if (!f || fread(data, sizeof(float), (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "cannot read %ld floats from %s\n", n, path);
    exit(2);
  }
  fclose(f);
  return data;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s WEIGHTS INPUT EXPECTED BATCH SEQ D_MODEL\n", argv[0]);
    return 2;
  }
  char err[512];
  loom_model *m = loom_model_open(argv[1], err, sizeof err);
  if (!m) {
    printf("FAIL open: %s\n", err);
    return 1;
  }
  int64_t dims[] = {atol(argv[4]), atol(argv[5])};
  long n = (long)(dims[0] * dims[1] * atol(argv[6]));
  float *x = readFloats(argv[2], n), *expected = readFloats(argv[3], n);
  float *y = calloc((size_t)n, sizeof(float));
  const void *inputs[] = {x};
  void *outputs[] = {y};
  if (loom_model_run(m, inputs, outputs, err, sizeof err) != 0)
    printf("no sizes: %s\n", err);
  if (loom_model_run_sized(m, dims, 1, inputs, outputs, err, sizeof err) != 0)
    printf("one size: %s\n", err);
  int64_t zero[] = {dims[0], 0};
  if (loom_model_run_sized(m, zero, 2, inputs, outputs, err, sizeof err) != 0)
    printf("zero: %s\n", err);
  if (loom_model_run_sized(m, dims, 2, inputs, outputs, err, sizeof err) != 0) {
    printf("FAIL run: %s\n", err);
    return 1;
  }
  double maxErr = 0;
  for (long i = 0; i < n; ++i)
    maxErr = fmax(maxErr, fabs((double)y[i] - (double)expected[i]));
  printf("%s max abs error %.3e\n", maxErr <= 1e-4 ? "PASS" : "FAIL", maxErr);
  loom_model_close(m);
  free(x);
  free(expected);
  free(y);
  return maxErr <= 1e-4 ? 0 : 1;
}
