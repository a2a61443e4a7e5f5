using static TorchSharp.torch;

namespace LsLab.Models;

/// <summary>
/// G <see cref="CifarResNet"/>s of one depth as one model: members' channels stacked [B, G·C, H, W], every
/// convolution grouped (groups = G), batch norm over the G·C channels (per-channel statistics are each
/// member's own, running statistics included), option-A shortcuts padded per member, head as a batched
/// matmul (see <see cref="GroupedClassifier"/>).
/// </summary>
public sealed class GroupedResNet : GroupedClassifier
{
    readonly (int Stride, int PadChannels)[] blocks;

    /// <summary>Stacks the members' current weights and running statistics (all of one depth).</summary>
    public GroupedResNet(IReadOnlyList<CifarResNet> members) : base("grouped-resnet", members) =>
        blocks = members[0].BlockShapes.ToArray();

    /// <inheritdoc />
    public override Tensor forward(Tensor x, IReadOnlyList<Generator>? generators)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(BatchNorm(Conv(StackChannels(x), "stem", padding: 1), "stemBn"));
        for (int b = 0; b < blocks.Length; b++) y = Block(y, $"blocks.{b}.", blocks[b].Stride, blocks[b].PadChannels);
        var features = MemberFeatures(nn.functional.adaptive_avg_pool2d(y, 1));
        return Linear(features, "head").MoveToOuterDisposeScope();
    }

    /// <summary><see cref="CifarResNet.BasicBlock"/> for every member at once.</summary>
    Tensor Block(Tensor x, string prefix, int stride, int padChannels)
    {
        var y = nn.functional.relu(BatchNorm(Conv(x, prefix + "conv1", stride, 1), prefix + "bn1"));
        y = BatchNorm(Conv(y, prefix + "conv2", 1, 1), prefix + "bn2");
        var shortcut = x;
        if (stride != 1 || padChannels != 0)
        {
            var sub = x[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(null, null, stride), TensorIndex.Slice(null, null, stride)];
            // Pad each member's channels (dimension 2 of [B, G, C, H, W]) as the single block pads its own.
            var perMember = sub.reshape(sub.shape[0], Count, -1, sub.shape[2], sub.shape[3]);
            shortcut = nn.functional.pad(perMember, new long[] { 0, 0, 0, 0, padChannels / 2, padChannels - padChannels / 2 }).flatten(1, 2);
        }
        return nn.functional.relu(y.Plus(shortcut));
    }
}
