using System.Runtime.InteropServices;
using TorchSharp;

namespace LsLab.Native;

/// <summary>
/// One place that prepares libtorch before first use: thread count, the optional MKL
/// vendor-check override on non-Intel CPUs, and a clear message when the native glue fails to load.
/// Call <see cref="Initialize"/> before touching <c>torch</c>; it is cheap and idempotent.
/// </summary>
public static class Engine
{
    static readonly object Gate = new();
    static bool _initialized;

    /// <summary>Number of intra-op threads libtorch uses (defaults to the core count).</summary>
    public static int Threads { get; private set; }

    /// <summary>Where models run and batches go (CPU unless <see cref="UseDevice"/> chose CUDA). Data sets stay on the CPU.</summary>
    public static torch.Device Device { get; private set; } = torch.CPU;

    /// <summary>True when <see cref="Device"/> is the CPU (the only device this build's tests run on).</summary>
    public static bool OnCpu => Device.type == DeviceType.CPU;

    /// <summary>
    /// Selects the device for this process from `--device`: cpu, cuda (or cuda:N) or auto (CUDA when
    /// available, else CPU). Asking for CUDA where it is not available — always, in the TorchSharp-cpu
    /// build — is a user error naming the option.
    /// </summary>
    public static torch.Device UseDevice(string name)
    {
        Initialize(Threads);
        var n = name.Trim().ToLowerInvariant();
        bool cuda = n.StartsWith("cuda", StringComparison.Ordinal);
        if (n is not ("cpu" or "auto") && !(cuda && (n == "cuda" || (n.Length > 5 && n[4] == ':' && int.TryParse(n[5..], out _)))))
            throw new LsLabException($"--device must be cpu, cuda, cuda:N or auto, got '{name}'.");
        bool available = torch.cuda.is_available();
        if (cuda && !available)
            throw new LsLabException($"--device {name}: CUDA is not available here (this build uses TorchSharp-cpu, or no GPU/driver was found). Use --device cpu, or build with -p:LsLabCuda=true on a machine with CUDA (docs/architecture.md).");
        Device = n == "cpu" || (n == "auto" && !available) ? torch.CPU : torch.device(n == "auto" ? "cuda" : n);
        return Device;
    }

    /// <summary><paramref name="t"/> on <see cref="Device"/>; the same tensor when that is the CPU (no copy, bit-identical CPU runs).</summary>
    public static torch.Tensor ToDevice(torch.Tensor t) => OnCpu ? t : t.to(Device);

    /// <summary>Prepares libtorch; <paramref name="threads"/> ≤ 0 means all cores.</summary>
    public static void Initialize(int threads = 0)
    {
        lock (Gate)
        {
            if (!_initialized)
            {
                MklOverride.TryLoad();
                try
                {
                    torch.InitializeDeviceType(DeviceType.CPU);
                }
                catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException)
                {
                    throw new InvalidOperationException(
                        "libtorch could not be loaded. On Debian 12 the build patches libLibTorchSharp.so " +
                        "(GLIBCXX_3.4.32); rebuild with `dotnet build` so the patch runs. Cause: " + e.GetBaseException().Message, e);
                }
                _initialized = true;
            }
            int want = threads > 0 ? threads : Environment.ProcessorCount;
            if (Threads != want)
            {
                torch.set_num_threads(want);
                Threads = want;
            }
        }
    }
}

/// <summary>
/// Loads a tiny library that answers MKL's "is this an Intel CPU?" with yes, so libtorch's MKL
/// uses its AVX-512 kernels on AMD processors (measured: matmul ~170 → ~390 GFLOP/s on Zen 5).
/// Only on non-Intel x86 CPUs; off with LSLAB_MKL_OVERRIDE=0; on with =1 (any CPU, for tests).
/// </summary>
public static class MklOverride
{
    /// <summary>File name of the override library built next to the assemblies.</summary>
    public const string LibraryName = "liblslab_mkl_override.so";

    /// <summary>True when the override library was loaded into this process.</summary>
    public static bool Loaded { get; private set; }

    /// <summary>Why the override is or is not active, for diagnostics (`lslab info`).</summary>
    public static string Status { get; private set; } = "not attempted";

    [DllImport("libc", EntryPoint = "dlopen")]
    static extern IntPtr DlOpen(string path, int flags);

    [DllImport("libc", EntryPoint = "dlerror")]
    static extern IntPtr DlError();

    /// <summary>CPU vendor string from /proc/cpuinfo, or "" when unknown.</summary>
    public static string CpuVendor()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("vendor_id", StringComparison.Ordinal))
                    return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return "";
    }

    internal static void TryLoad()
    {
        if (!OperatingSystem.IsLinux()) { Status = "off: not Linux"; return; }
        var setting = Environment.GetEnvironmentVariable("LSLAB_MKL_OVERRIDE");
        if (setting == "0") { Status = "off: LSLAB_MKL_OVERRIDE=0"; return; }
        var vendor = CpuVendor();
        if (setting != "1" && (vendor == "GenuineIntel" || vendor == "")) { Status = $"off: not needed on CPU vendor '{vendor}'"; return; }
        var path = Path.Combine(AppContext.BaseDirectory, LibraryName);
        if (!File.Exists(path)) { Status = $"off: {path} not built (needs a C compiler at build time)"; return; }
        const int RtldNow = 0x2, RtldGlobal = 0x100;
        if (DlOpen(path, RtldNow | RtldGlobal) == IntPtr.Zero)
        {
            Status = "off: dlopen failed: " + Marshal.PtrToStringAnsi(DlError());
            return;
        }
        Loaded = true;
        Status = $"on (CPU vendor '{vendor}')";
    }
}
