LsLab.Native.Engine.Initialize();
using var a = TorchSharp.torch.ones(3, 3);
Console.WriteLine(a.sum().item<float>());
