using TorchSharp;
using static TorchSharp.torch;

namespace LsLab.Models;

/// <summary>
/// G <see cref="Mlp"/>s of one shape as one model: each linear layer one batched matmul over inputs
/// [G,B,…], dropout drawn per member from the member's own generator (see <see cref="GroupedClassifier"/>).
/// </summary>
public sealed class GroupedMlp : GroupedClassifier
{
    readonly double dropout;

    /// <summary>Stacks the members' current weights (all of one architecture and dropout rate).</summary>
    public GroupedMlp(IReadOnlyList<Mlp> members) : base("grouped-mlp", members)
    {
        dropout = members[0].DropoutRate;
        if (members.Any(m => m.DropoutRate != dropout)) throw new ArgumentException("group members differ in dropout.");
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, IReadOnlyList<Generator>? generators)
    {
        using var scope = NewDisposeScope();
        var h = x.flatten(2);
        h = Drop(nn.functional.relu(Linear(h, "fc1")), generators);
        h = Drop(nn.functional.relu(Linear(h, "fc2")), generators);
        return Linear(h, "head").MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Dropout as PyTorch's CPU kernel does it (noise = bernoulli(1−p) / (1−p), times the input), per member,
    /// so a member given the generator its single run would use draws the same masks.
    /// </summary>
    Tensor Drop(Tensor h, IReadOnlyList<Generator>? generators)
    {
        if (!training || dropout == 0) return h;
        if (generators is null || generators.Count != h.shape[0])
            throw new ArgumentException("training with dropout needs one generator per member.");
        var shape = h.shape.Skip(1).ToArray();
        var noise = stack(generators.Select(g => empty(shape, h.dtype, h.device).bernoulli_(1 - dropout, generator: g)).ToArray());
        noise.DivideInPlace(1 - dropout);
        return h * noise;
    }
}
