// The FMA peak of one core, measured: CHAINS independent chains of vector fused
// multiply-adds (acc = acc * a + b) on the widest vectors the compiler targets (ymm with
// -mavx2 -mfma, zmm with -mavx512f). Enough chains hide the FMA latency (Zen 3: 4 cycles,
// 2 pipes, so at least 8 chains), so the loop runs at the core's FMA throughput.
//
// usage: fma_peak [ITERATIONS] [TRIALS]
// Each trial is ITERATIONS steps (the default takes about 4 ms, as long as one of
// bench/bench_matmul.py's matmuls), so that load on a shared machine hits the trials as it
// hits the runs it is compared with. Prints one JSON line: {"median_gflops": ...,
// "best_gflops": ..., "lanes": floats per vector, "chains": ...}. A multiply-add counts as 2
// flops, as in bench/bench.py.
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHAINS 12

#if defined(__AVX512F__)
typedef __m512 vec;
#define LANES 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define ADD _mm512_add_ps
#define STORE _mm512_storeu_ps
#else
typedef __m256 vec;
#define LANES 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define ADD _mm256_add_ps
#define STORE _mm256_storeu_ps
#endif

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// Runs `iters` steps of CHAINS independent FMAs; returns a value that depends on all of
// them, so that the compiler keeps every chain.
static float run(long iters, float seed) {
  vec acc[CHAINS];
  for (int c = 0; c < CHAINS; ++c)
    acc[c] = SET1(seed + (float)c);
  vec a = SET1(0.999999f), b = SET1(1e-6f);
  for (long i = 0; i < iters; ++i) {
    for (int c = 0; c < CHAINS; ++c)
      acc[c] = FMA(acc[c], a, b);
  }
  vec sum = acc[0];
  for (int c = 1; c < CHAINS; ++c)
    sum = ADD(sum, acc[c]);
  float out[LANES];
  STORE(out, sum);
  return out[0];
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  long iters = argc > 1 ? atol(argv[1]) : 2000000;
  int trials = argc > 2 ? atoi(argv[2]) : 31;
  if (iters <= 0 || trials <= 0 || trials > 100000) {
    fprintf(stderr, "usage: fma_peak [ITERATIONS > 0] [TRIALS in 1..100000]\n");
    return 2;
  }
  double *gflops = malloc(sizeof(double) * trials);
  float sink = 0;
  sink += run(iters, -1.0f); // warm-up: the clock ramps and the code is paged in
  for (int t = 0; t < trials; ++t) {
    double t0 = now();
    sink += run(iters, (float)t);
    double dt = now() - t0;
    gflops[t] = 2.0 * LANES * CHAINS * (double)iters / dt / 1e9;
  }
  qsort(gflops, trials, sizeof(double), cmp);
  printf("{\"median_gflops\": %.2f, \"best_gflops\": %.2f, \"lanes\": %d, \"chains\": %d, "
         "\"sink\": %g}\n",
         gflops[trials / 2], gflops[trials - 1], LANES, CHAINS, sink);
  free(gflops);
  return 0;
}
