/* Runs one loaded model from several threads at once through the C API (loom.h): each call
 * must give the reference output. usage: capi_threads WEIGHTS INPUT.f32 EXPECTED.f32 N_INPUT
 * N_OUTPUT THREADS RUNS (raw little-endian float32 files). Prints "PASS ..." or "FAIL ...". */
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

struct Job {
  loom_model *model;
  const float *input, *expected;
  long nOut;
  int runs;
  double maxErr;
  int failed;
};

static void *work(void *arg) {
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
    for (long i = 0; i < job->nOut; ++i) {
      double e = fabs((double)out[i] - (double)job->expected[i]);
      if (!(e <= job->maxErr))
        job->maxErr = e;
    }
  }
  free(out);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: %s WEIGHTS INPUT EXPECTED N_INPUT N_OUTPUT THREADS RUNS\n", argv[0]);
    return 2;
  }
  char err[512];
  loom_model *m = loom_model_open(argv[1], err, sizeof err);
  if (!m) {
    printf("FAIL open: %s\n", err);
    return 1;
  }
  long nIn = atol(argv[4]), nOut = atol(argv[5]);
  int threads = atoi(argv[6]), runs = atoi(argv[7]);
  float *input = readFloats(argv[2], nIn), *expected = readFloats(argv[3], nOut);
  loom_set_num_threads(1); /* each caller's OpenMP team: one thread */
  pthread_t tid[64];
  struct Job jobs[64];
  for (int t = 0; t < threads && t < 64; ++t) {
    jobs[t] = (struct Job){m, input, expected, nOut, runs, 0.0, 0};
    pthread_create(&tid[t], NULL, work, &jobs[t]);
  }
  double maxErr = 0;
  int failed = 0;
  for (int t = 0; t < threads && t < 64; ++t) {
    pthread_join(tid[t], NULL);
    failed |= jobs[t].failed;
    if (!(jobs[t].maxErr <= maxErr))
      maxErr = jobs[t].maxErr;
  }
  loom_model_close(m);
  int ok = !failed && maxErr <= 1e-4;
  printf("%s max abs error %.3e over %d threads x %d runs\n", ok ? "PASS" : "FAIL", maxErr,
         threads, runs);
  return ok ? 0 : 1;
}
