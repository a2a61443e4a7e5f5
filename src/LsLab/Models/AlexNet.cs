using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LsLab.Models;

/// <summary>
/// The paper's CIFAR-10 "AlexNet": the TensorFlow CIFAR-10 tutorial model
/// (conv5×5-64 → maxpool 3/2 → LRN → conv5×5-64 → LRN → maxpool 3/2 → fc384 → fc192 → linear).
/// fc192 is the penultimate layer.
/// </summary>
public sealed class AlexNet : Classifier
{
    readonly Conv2d conv1, conv2;
    readonly LocalResponseNorm lrn;
    readonly Linear fc1, fc2, head;

    /// <summary>Builds the network for <paramref name="spec"/>'s input shape and class count.</summary>
    public AlexNet(ModelSpec spec) : base("alexnet")
    {
        conv1 = nn.Conv2d(spec.Channels, 64, 5, padding: 2);
        conv2 = nn.Conv2d(64, 64, 5, padding: 2);
        // TF's lrn(depth_radius=4, bias=1, alpha=0.001/9, beta=0.75) ≈ PyTorch LRN(size=9, alpha=0.001, k=1).
        lrn = nn.LocalResponseNorm(9, alpha: 0.001, beta: 0.75, k: 1.0);
        int h = PooledSize(PooledSize(spec.Height)), w = PooledSize(PooledSize(spec.Width));
        fc1 = nn.Linear(64 * h * w, 384);
        fc2 = nn.Linear(384, 192);
        head = nn.Linear(192, spec.NumClasses);
        RegisterComponents();
    }

    static int PooledSize(int n) => (n + 2 * 1 - 3) / 2 + 1; // kernel 3, stride 2, padding 1

    /// <inheritdoc />
    public override Linear Head => head;

    /// <inheritdoc />
    public override Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.max_pool2d(nn.functional.relu(conv1.forward(x)), 3, 2, 1);
        y = lrn.forward(y);
        y = nn.functional.max_pool2d(lrn.forward(nn.functional.relu(conv2.forward(y))), 3, 2, 1);
        y = nn.functional.relu(fc1.forward(y.flatten(1)));
        return nn.functional.relu(fc2.forward(y)).MoveToOuterDisposeScope();
    }
}
