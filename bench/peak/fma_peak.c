/* Peak fp32 FMA throughput probe: every thread runs 12 independent FMA chains (enough to cover the
   FMA latency on two ports) with AVX-512 (16 lanes) or AVX2 (8 lanes); 1 FMA = 2 FLOP per lane.
   Reports GFLOP/s over wall time (what 2 threads achieve) and per CPU-second of each thread
   (what a core achieves while it runs: robust when other processes share the machine).
   The AVX-512 kernel runs only where the CPU has AVX-512 (checked at run time); "peak" is the widest
   vector unit's rate. No clock reading: a dependent add chain measures the clock only on cores that
   do not fuse or eliminate such adds, and gave 11.8 "GHz" on one CPU.
   Build: gcc -O2 -fopenmp fma_peak.c -o fma_peak   (kernels carry their own target attributes)
   Run:   OMP_NUM_THREADS=2 ./fma_peak     (last line: JSON, best of 5 repeats) */
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double wall(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
static double cpu(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }

/* 12 independent accumulators in named variables, so they stay in registers (an array may be
   kept in memory, and then store-to-load latency, not the FMA units, sets the pace). */
#define CHAINS 12
#define KERNEL(NAME, TARGET, VEC, SET1, FMA, STORE, LANES)                                  \
__attribute__((target(TARGET))) static double NAME(long iters, double *cpu_s) {                                             \
    double flops = 0, cs = 0;                                                               \
    _Pragma("omp parallel reduction(+:flops, cs)")                                           \
    {                                                                                       \
        double c0 = cpu();                                                                  \
        VEC a0 = SET1(1.000f), a1 = SET1(1.001f), a2 = SET1(1.002f), a3 = SET1(1.003f);     \
        VEC a4 = SET1(1.004f), a5 = SET1(1.005f), a6 = SET1(1.006f), a7 = SET1(1.007f);     \
        VEC a8 = SET1(1.008f), a9 = SET1(1.009f), a10 = SET1(1.010f), a11 = SET1(1.011f);   \
        const VEC m = SET1(0.9999999f), b = SET1(1e-7f);                                    \
        for (long i = 0; i < iters; i++) {                                                  \
            a0 = FMA(a0, m, b); a1 = FMA(a1, m, b); a2 = FMA(a2, m, b); a3 = FMA(a3, m, b); \
            a4 = FMA(a4, m, b); a5 = FMA(a5, m, b); a6 = FMA(a6, m, b); a7 = FMA(a7, m, b); \
            a8 = FMA(a8, m, b); a9 = FMA(a9, m, b); a10 = FMA(a10, m, b); a11 = FMA(a11, m, b); \
            __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5)); \
        }                                                                                   \
        float tmp[LANES];                                                                   \
        VEC t = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;                \
        STORE(tmp, t);                                                                      \
        if (tmp[0] == 12345.0f) printf("!");                                                \
        flops += (double)iters * CHAINS * LANES * 2;                                        \
        cs += cpu() - c0;                                                                   \
    }                                                                                       \
    *cpu_s = cs;                                                                            \
    return flops;                                                                           \
}
KERNEL(run512, "avx512f,fma", __m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_storeu_ps, 16)
KERNEL(run256, "avx2,fma", __m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_storeu_ps, 8)

static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(void) {
    enum { R = 5 };
    long iters = 50000000;
    int has512 = __builtin_cpu_supports("avx512f");
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) { fprintf(stderr, "no AVX2+FMA: no peak\n"); return 1; }
    double w512[R] = {0}, w256[R], c512[R] = {0}, c256[R], cs;
    int threads = omp_get_max_threads();
    if (has512) run512(iters / 10, &cs); else run256(iters / 10, &cs);
    for (int r = 0; r < R; r++) {
        double t0, f, t;
        if (has512) {
            t0 = wall(); f = run512(iters, &cs); t = wall() - t0;
            w512[r] = f / t / 1e9; c512[r] = f / cs / 1e9 * threads; /* per-core rate x threads */
        }
        t0 = wall(); f = run256(iters, &cs); t = wall() - t0;
        w256[r] = f / t / 1e9; c256[r] = f / cs / 1e9 * threads;
        fprintf(stderr, "threads %d  avx512 %.1f GFLOP/s wall (%.1f per CPU-s x threads)  avx2 %.1f (%.1f)\n",
                threads, w512[r], c512[r], w256[r], c256[r]);
    }
    qsort(w512, R, sizeof(double), cmp); qsort(w256, R, sizeof(double), cmp);
    qsort(c512, R, sizeof(double), cmp); qsort(c256, R, sizeof(double), cmp);
    double peak = has512 ? w512[R - 1] : w256[R - 1], peak_cpu = has512 ? c512[R - 1] : c256[R - 1];
    printf("{\"side\": \"probe\", \"work\": \"peak\", \"threads\": %d, \"isa\": \"%s\", \"peak_gflops\": %.1f, \"peak_gflops_cpu\": %.1f, "
           "\"avx512_gflops\": %.1f, \"avx2_gflops\": %.1f, \"avx512_gflops_cpu\": %.1f, \"avx2_gflops_cpu\": %.1f}\n",
           threads, has512 ? "AVX-512" : "AVX2", peak, peak_cpu, w512[R - 1], w256[R - 1], c512[R - 1], c256[R - 1]);
    return 0;
}
