using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LsLab.Models;

/// <summary>Small CNN for 28×28 or 32×32 inputs: two conv5×5 + max-pool stages, then fc-256 (the penultimate layer).</summary>
public sealed class ConvNet : Classifier
{
    readonly Conv2d conv1, conv2;
    readonly Linear fc, head;

    /// <summary>Builds the network for <paramref name="spec"/>'s input shape and class count.</summary>
    public ConvNet(ModelSpec spec) : base("convnet")
    {
        int width = spec.HiddenWidth ?? 256;
        if (spec.Height < 4 || spec.Width < 4)
            throw new LsLabException($"convnet: images of {spec.Height}×{spec.Width} are too small for its two 2×2 poolings (at least 4×4).");
        conv1 = nn.Conv2d(spec.Channels, 32, 5, padding: 2);
        conv2 = nn.Conv2d(32, 64, 5, padding: 2);
        fc = nn.Linear(64 * (spec.Height / 4) * (spec.Width / 4), width);
        head = nn.Linear(width, spec.NumClasses);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Linear Head => head;

    /// <inheritdoc />
    public override Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.max_pool2d(nn.functional.relu(conv1.forward(x)), 2);
        h = nn.functional.max_pool2d(nn.functional.relu(conv2.forward(h)), 2);
        return nn.functional.relu(fc.forward(h.flatten(1))).MoveToOuterDisposeScope();
    }
}
