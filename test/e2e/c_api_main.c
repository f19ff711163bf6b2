/* Runs a model built with `loomc --emit=shared` through its C API (loom.h) and compares the
 * output with a reference. usage: capi WEIGHTS INPUT.f32 EXPECTED.f32 N_INPUT N_OUTPUT
 * [THREADS RUNS] (raw little-endian float32 files). Prints "PASS max abs error E" or
 * "FAIL ...". With THREADS and RUNS, the loaded model then runs from THREADS threads at once,
 * RUNS times each, and every output is compared too. */
#include "loom/Runtime/loom.h"

#include <math.h>
#include <pthread.h>
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

static double maxAbsError(const float *y, const float *expected, long n) {
  double maxErr = 0;
  for (long i = 0; i < n; ++i) {
    double e = fabs((double)y[i] - (double)expected[i]);
    if (!(e <= maxErr)) /* NaN counts as an error */
      maxErr = e;
  }
  return maxErr;
}

struct Job {
  loom_model *model;
  const float *input, *expected;
  long nOut;
  int runs, failed;
  double maxErr;
};

static void *runMany(void *arg) {
  struct Job *job = arg;
  float *out = malloc(sizeof(float) * (size_t)job->nOut);
  char err[512];
  for (int r = 0; r < job->runs; ++r) {
    const void *inputs[] = {job->input};
    void *outputs[] = {out};
    if (loom_model_run(job->model, inputs, outputs, err, sizeof err) != 0) {
      fprintf(stderr, "run error: %s\n", err);
      job->failed = 1;
      break;
    }
    double e = maxAbsError(out, job->expected, job->nOut);
    if (!(e <= job->maxErr))
      job->maxErr = e;
  }
  free(out);
  return NULL;
}

/* THREADS threads run the model RUNS times each, at the same time. */
static int runConcurrently(loom_model *m, const float *x, const float *expected, long nOut,
                           int threads, int runs) {
  pthread_t tid[64];
  struct Job jobs[64];
  if (threads > 64)
    threads = 64;
  loom_set_num_threads(1); /* each caller's OpenMP team: one thread */
  for (int t = 0; t < threads; ++t) {
    jobs[t] = (struct Job){m, x, expected, nOut, runs, 0, 0.0};
    pthread_create(&tid[t], NULL, runMany, &jobs[t]);
  }
  double maxErr = 0;
  int failed = 0;
  for (int t = 0; t < threads; ++t) {
    pthread_join(tid[t], NULL);
    failed |= jobs[t].failed;
    if (!(jobs[t].maxErr <= maxErr))
      maxErr = jobs[t].maxErr;
  }
  int ok = !failed && maxErr <= 1e-4;
  printf("%s max abs error %.3e over %d threads x %d runs\n", ok ? "PASS" : "FAIL", maxErr,
         threads, runs);
  return ok;
}

int main(int argc, char **argv) {
  if (argc != 6 && argc != 8) {
    fprintf(stderr, "usage: %s WEIGHTS INPUT EXPECTED N_INPUT N_OUTPUT [THREADS RUNS]\n",
            argv[0]);
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
  double maxErr = maxAbsError(y, expected, nOut);
  printf("%s max abs error %.3e\n", maxErr <= 1e-4 ? "PASS" : "FAIL", maxErr);
  int ok = maxErr <= 1e-4;
  if (argc == 8)
    ok = runConcurrently(m, x, expected, nOut, atoi(argv[6]), atoi(argv[7])) && ok;
  loom_model_close(m);
  free(x);
  free(expected);
  free(y);
  return ok ? 0 : 1;
}
