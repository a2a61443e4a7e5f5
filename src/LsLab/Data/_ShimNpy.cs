// TEMPORARY placeholder so `lslab evaluate` compiles before the Calibration work lands.
// CALIBRATION HELPER: delete this file when you add the real Npy (keep Npy.Write(string, Tensor)
// or update Training/Evaluation.cs).
using static TorchSharp.torch;
namespace LsLab.Data;
public static class Npy { public static void Write(string path, Tensor t) => throw new NotImplementedException(); }
