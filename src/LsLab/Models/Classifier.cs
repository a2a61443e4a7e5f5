using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LsLab.Models;

/// <summary>Shape of the input and of the output a model is built for.</summary>
public sealed record ModelSpec(int Channels, int Height, int Width, int NumClasses, int? HiddenWidth = null, double? Dropout = null)
{
    /// <summary>Values per example (C·H·W), the input width of a fully connected model.</summary>
    public int InputSize => Channels * Height * Width;

    /// <summary>Checks every size before libtorch sees it; names the option (--width, --dropout) or the data's shape.</summary>
    public ModelSpec Validate(string model)
    {
        if (Channels < 1 || Height < 1 || Width < 1 || (long)Channels * Height * Width > int.MaxValue)
            throw new LsLabException($"{model}: input images of {Channels}×{Height}×{Width} cannot be fed to a model.");
        if (NumClasses < 2) throw new LsLabException($"{model}: a classifier needs at least 2 classes, the data set has {NumClasses}.");
        if (HiddenWidth is int w && w < 1) throw new LsLabException($"--width must be ≥ 1, got {w}.");
        if (Dropout is double d && (!double.IsFinite(d) || d < 0 || d >= 1)) throw new LsLabException($"--dropout must be in [0, 1), got {d}.");
        return this;
    }
}

/// <summary>
/// Every LsLab classifier: a feature extractor producing the penultimate activations, then one
/// linear layer whose weight rows are the class templates (the paper's w_k) and whose bias is kept
/// separately. logits = Head(Features(x)).
/// </summary>
public abstract class Classifier : nn.Module<Tensor, Tensor>
{
    /// <summary>A module registered under <paramref name="name"/>.</summary>
    protected Classifier(string name) : base(name) { }

    /// <summary>Penultimate activations [N,D] for input [N,C,H,W].</summary>
    public abstract Tensor Features(Tensor x);

    /// <summary>The final linear layer: Weight [K,D] (class templates) and Bias [K].</summary>
    public abstract Linear Head { get; }

    /// <summary>Logits [N,K]: the head applied to the features.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return Head.forward(Features(x)).MoveToOuterDisposeScope();
    }
}

/// <summary>Creates models by name, like timm's registry: one small file per model.</summary>
public static class ModelRegistry
{
    static readonly Dictionary<string, (string Description, Func<ModelSpec, Classifier> Create)> Models = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mlp"] = ("784-1200-1200-K ReLU with dropout: the paper's MNIST teacher", s => new Mlp(s, s.HiddenWidth ?? 1200, s.Dropout ?? 0.2, "mlp")),
        ["mlp-small"] = ("two hidden layers of --width (800) units, no regularisation: the paper's MNIST student", s => new Mlp(s, s.HiddenWidth ?? 800, s.Dropout ?? 0.0, "mlp-small")),
        ["convnet"] = ("small CNN: conv5x5-32, pool, conv5x5-64, pool, fc-256", s => new ConvNet(s)),
        ["alexnet"] = ("CIFAR 'AlexNet' of the TF tutorial: conv5x5-64, pool, LRN, conv5x5-64, LRN, pool, fc384, fc192", s => new AlexNet(s)),
        ["resnet20"] = ("He et al. CIFAR ResNet, 3 stages x 3 basic blocks (16/32/64), option-A shortcuts", s => new CifarResNet(s, 3, "resnet20")),
        ["resnet56"] = ("He et al. CIFAR ResNet, 3 stages x 9 basic blocks (16/32/64), option-A shortcuts", s => new CifarResNet(s, 9, "resnet56")),
    };

    /// <summary>Registered names with one-line descriptions, for --help.</summary>
    public static IEnumerable<(string Name, string Description)> List() => Models.Select(kv => (kv.Key, kv.Value.Description));

    /// <summary>Builds a model; unknown names give an error listing the known ones.</summary>
    public static Classifier Create(string name, ModelSpec spec)
    {
        if (!Models.TryGetValue(name, out var entry))
            throw new LsLabException($"Unknown model '{name}'. Known models: {string.Join(", ", Models.Keys)}.");
        return entry.Create(spec.Validate(name));
    }
}
