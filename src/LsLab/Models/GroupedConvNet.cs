using static TorchSharp.torch;

namespace LsLab.Models;

/// <summary>
/// G <see cref="ConvNet"/>s as one model: the members' images stacked on the channel axis [B, G·C, H, W],
/// each convolution one grouped convolution (groups = G), pooling and ReLU unchanged (they act per
/// channel), fc and head as batched matmuls (see <see cref="GroupedClassifier"/>). ConvNet has no dropout.
/// </summary>
public sealed class GroupedConvNet(IReadOnlyList<ConvNet> members) : GroupedClassifier("grouped-convnet", members)
{
    /// <inheritdoc />
    public override Tensor forward(Tensor x, IReadOnlyList<Generator>? generators)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.max_pool2d(nn.functional.relu(Conv(StackChannels(x), "conv1", padding: 2)), 2);
        h = nn.functional.max_pool2d(nn.functional.relu(Conv(h, "conv2", padding: 2)), 2);
        h = nn.functional.relu(Linear(MemberFeatures(h), "fc"));
        return Linear(h, "head").MoveToOuterDisposeScope();
    }
}
