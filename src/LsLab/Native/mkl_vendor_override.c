/* Answers MKL's "is this an Intel CPU?" with yes, so the MKL inside libtorch uses its AVX-512
   kernels on AMD processors too. Loaded by LsLab.Native.MklOverride (dlopen RTLD_GLOBAL) before
   libtorch, only on non-Intel CPUs, unless LSLAB_MKL_OVERRIDE=0. Built by Directory.Build.targets. */
int mkl_serv_intel_cpu_true(void) { return 1; }
