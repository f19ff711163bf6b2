/* Runs a model built with `loomc --emit=shared` through its C API (loom.h) and compares the
 * output with a reference. usage: capi WEIGHTS INPUT.f32 EXPECTED.f32 N_INPUT N_OUTPUT
 * (raw little-endian float32 files). Prints "PASS max abs error E" or "FAIL ...". */
#include "loom/Runtime/loom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static float *readFloats(const char *path, long n) {
  FILE *f = fopen(path, "rb");
  float *data = malloc(sizeof(float) * (size_t)n);
  if (!f || fread(data, sizeof(float), (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "cannot read %ld floats from %s\n", n, path);
    exit(2);
  }
  fclose(f);
  return data;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s WEIGHTS INPUT EXPECTED N_INPUT N_OUTPUT\n", argv[0]);
    return 2;
  }
  char err[512];
  /* A missing weights file is an error message, not a crash. */
  if (loom_model_open("/nonexistent.safetensors", err, sizeof err) == NULL)
    printf("open error: %s\n", err);
  loom_model *m = loom_model_open(argv[1], err, sizeof err);
  if (!m) {
    printf("FAIL open: %s\n", err);
    return 1;
  }
  long nIn = atol(argv[4]), nOut = atol(argv[5]);
  float *x = readFloats(argv[2], nIn), *expected = readFloats(argv[3], nOut);
  float *y = calloc((size_t)nOut, sizeof(float));
  const void *inputs[] = {x};
  loom_set_num_threads(2);
  /* An output that overlaps the input is refused (the model writes it in place). */
  void *inPlace[] = {x};
  if (loom_model_run(m, inputs, inPlace, err, sizeof err) != 0)
    printf("overlap error: %s\n", err);
  void *outputs[] = {y};
  if (loom_model_run(m, inputs, outputs, err, sizeof err) != 0) {
    printf("FAIL run: %s\n", err);
    return 1;
  }
  double maxErr = 0;
  for (long i = 0; i < nOut; ++i)
    maxErr = fmax(maxErr, fabs((double)y[i] - (double)expected[i]));
  printf("%s max abs error %.3e\n", maxErr <= 1e-4 ? "PASS" : "FAIL", maxErr);
  loom_model_close(m);
  return maxErr <= 1e-4 ? 0 : 1;
}
