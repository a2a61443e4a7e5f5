using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LsLab.Models;

/// <summary>
/// G <see cref="Mlp"/>s of one shape trained as one model (model ensembling, like functorch's
/// <c>combine_state_for_ensemble</c> + <c>vmap</c>): every parameter stacked to [G, …], each linear layer
/// one batched matmul over inputs [G,B,…], dropout drawn per member from the member's own generator.
/// Members stay separable: <see cref="CopyTo"/> writes member g's slice into an ordinary <see cref="Mlp"/>.
/// </summary>
public sealed class GroupedMlp : nn.Module<Tensor, Tensor>
{
    readonly Dictionary<string, Parameter> byName = new();
    readonly double dropout;

    /// <summary>Stacks the members' current weights (all of one architecture and dropout rate).</summary>
    public GroupedMlp(IReadOnlyList<Mlp> members) : base("grouped-mlp")
    {
        if (members.Count == 0) throw new ArgumentException("a group needs at least one member.");
        dropout = members[0].DropoutRate;
        if (members.Any(m => m.DropoutRate != dropout)) throw new ArgumentException("group members differ in dropout.");
        Names = members[0].named_parameters().Select(p => p.name).ToList();
        using (no_grad())
            foreach (var name in Names)
            {
                var p = new Parameter(stack(members.Select(m => Of(m, name)).ToArray()));
                byName[name] = p;
                register_parameter(name.Replace('.', '_'), p);
            }
    }

    /// <summary>Number of members G.</summary>
    public int Count => (int)byName[Names[0]].shape[0];

    /// <summary>The members' parameter names, in <see cref="nn.Module.parameters"/> order of a single <see cref="Mlp"/>.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The stacked parameters in <see cref="Names"/> order (so optimizer state index j is parameter j of a member).</summary>
    public IReadOnlyList<Parameter> Stacked => Names.Select(n => byName[n]).ToList();

    static Parameter Of(Mlp m, string name) => m.named_parameters().First(p => p.name == name).parameter;

    /// <summary>Logits [G,B,K] for inputs [G,B,…]; in training mode with dropout, member g's masks come from <paramref name="dropoutGenerators"/>[g].</summary>
    public Tensor forward(Tensor x, IReadOnlyList<Generator>? dropoutGenerators)
    {
        using var scope = NewDisposeScope();
        var h = x.flatten(2);
        h = Drop(nn.functional.relu(Linear(h, "fc1")), dropoutGenerators);
        h = Drop(nn.functional.relu(Linear(h, "fc2")), dropoutGenerators);
        return Linear(h, "head").MoveToOuterDisposeScope();
    }

    /// <summary>Eval-style forward without dropout generators (dropout must be 0 or the module in eval mode).</summary>
    public override Tensor forward(Tensor x) => forward(x, null);

    /// <summary>bias + h·Wᵀ per member in one call (TorchSharp's <c>batch1.baddbmm(batch2, mat)</c> is mat + batch1·batch2).</summary>
    Tensor Linear(Tensor h, string layer) => h.baddbmm(byName[layer + ".weight"].transpose(1, 2), byName[layer + ".bias"].unsqueeze(1));

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
        noise.div_(1 - dropout);
        return h * noise;
    }

    /// <summary>Copies member <paramref name="g"/>'s weights into <paramref name="member"/> (an Mlp of the same shape).</summary>
    public void CopyTo(int g, Mlp member)
    {
        using var _ = no_grad();
        foreach (var name in Names) Of(member, name).copy_(byName[name][g]);
    }
}
