using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LsLab.Models;

/// <summary>
/// G classifiers of one architecture trained as one model (model ensembling, like functorch's
/// <c>combine_state_for_ensemble</c> + <c>vmap</c>): every parameter and buffer of the members stacked to
/// [G, …] under the member's own name, so member g's slice is exactly a single model's state
/// (<see cref="CopyTo"/>). Subclasses write the forward pass with the layer helpers here: linear layers as
/// one batched matmul over [G,B,…], convolutions as one grouped convolution (groups = G) over the members'
/// channels stacked [B, G·C, H, W], batch norm per channel of that stack (so per member).
/// </summary>
public abstract class GroupedClassifier : nn.Module<Tensor, Tensor>
{
    readonly Dictionary<string, Tensor> byName = new();

    /// <summary>Stacks the members' current parameters and buffers (all of one architecture).</summary>
    protected GroupedClassifier(string name, IReadOnlyList<Classifier> members) : base(name)
    {
        if (members.Count == 0) throw new ArgumentException("a group needs at least one member.");
        Names = members[0].named_parameters().Select(p => p.name).ToList();
        BufferNames = members[0].named_buffers().Select(b => b.name).ToList();
        using (no_grad())
        {
            foreach (var n in Names)
            {
                var p = new Parameter(stack(members.Select(m => Parameter(m, n)).ToArray()));
                byName[n] = p;
                register_parameter(n.Replace('.', '_'), p);
            }
            foreach (var n in BufferNames)
            {
                var b = stack(members.Select(m => Buffer(m, n)).ToArray());
                byName[n] = b;
                register_buffer(n.Replace('.', '_'), b);
            }
        }
    }

    /// <summary>
    /// The grouped form of <paramref name="members"/> (mlp / mlp-small, convnet, resnet-n), or
    /// throws for architectures that have none (<see cref="Supports"/> says which).
    /// </summary>
    public static GroupedClassifier Create(IReadOnlyList<Classifier> members) => members.Count == 0
        ? throw new ArgumentException("a group needs at least one member.")
        : members[0] switch
        {
            Mlp => new GroupedMlp(members.Cast<Mlp>().ToList()),
            ConvNet => new GroupedConvNet(members.Cast<ConvNet>().ToList()),
            CifarResNet => new GroupedResNet(members.Cast<CifarResNet>().ToList()),
            var m => throw new ArgumentException($"{m.GetName()} has no grouped form."),
        };

    /// <summary>Registered model names that have a grouped form (see <see cref="Create"/>).</summary>
    public static bool Supports(string model) => model.ToLowerInvariant() is "mlp" or "mlp-small" or "convnet" or "resnet20" or "resnet56";

    /// <summary>Number of members G.</summary>
    public int Count => (int)byName[Names[0]].shape[0];

    /// <summary>The members' parameter names, in <see cref="nn.Module.parameters"/> order of a single member.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The members' buffer names (batch-norm running statistics), stacked like the parameters.</summary>
    public IReadOnlyList<string> BufferNames { get; }

    /// <summary>The stacked parameters in <see cref="Names"/> order (so optimizer state index j is parameter j of a member).</summary>
    public IReadOnlyList<Parameter> Stacked => Names.Select(n => (Parameter)byName[n]).ToList();

    /// <summary>The stacked parameter or buffer of a member's <paramref name="name"/>, [G, …].</summary>
    public Tensor this[string name] => byName[name];

    /// <summary>Logits [G,B,K] for inputs [G,B,…]; in training mode, member g's random draws (dropout) come from <paramref name="generators"/>[g].</summary>
    public abstract Tensor forward(Tensor x, IReadOnlyList<Generator>? generators);

    /// <summary>Forward without generators (for models without dropout, or in eval mode).</summary>
    public override Tensor forward(Tensor x) => forward(x, null);

    /// <summary>Copies member <paramref name="g"/>'s parameters and buffers into <paramref name="member"/> (a single model of the same shape).</summary>
    public void CopyTo(int g, Classifier member)
    {
        using var _ = no_grad();
        foreach (var n in Names) Parameter(member, n).copy_(byName[n][g]);
        foreach (var n in BufferNames) Buffer(member, n).copy_(byName[n][g]);
    }

    static Tensor Parameter(nn.Module m, string name) => m.named_parameters().First(p => p.name == name).parameter;
    static Tensor Buffer(nn.Module m, string name) => m.named_buffers().First(b => b.name == name).buffer;

    /// <summary>bias + h·Wᵀ per member in one call, h [G,B,D] (TorchSharp's <c>batch1.baddbmm(batch2, mat)</c> is mat + batch1·batch2).</summary>
    protected Tensor Linear(Tensor h, string layer) => h.baddbmm(byName[layer + ".weight"].transpose(1, 2), byName[layer + ".bias"].unsqueeze(1));

    /// <summary>Members' inputs [G,B,C,H,W] → one image batch with the members' channels stacked, [B, G·C, H, W].</summary>
    protected static Tensor StackChannels(Tensor x) => x.transpose(0, 1).flatten(1, 2);

    /// <summary>[B, G·C, …] → [G, B, C·…]: each member's flattened features, as a single model's <c>flatten(1)</c> orders them.</summary>
    protected Tensor MemberFeatures(Tensor h) => h.reshape(h.shape[0], Count, -1).transpose(0, 1);

    /// <summary>Every member's convolution <paramref name="layer"/> (weights [G,O,I,k,k]) as one grouped convolution over [B, G·I, H, W].</summary>
    protected Tensor Conv(Tensor x, string layer, long stride = 1, long padding = 0)
    {
        var bias = byName.GetValueOrDefault(layer + ".bias");
        return nn.functional.conv2d(x, byName[layer + ".weight"].flatten(0, 1), bias?.flatten(),
            strides: new[] { stride, stride }, padding: new[] { padding, padding }, groups: Count);
    }

    /// <summary>
    /// Every member's batch norm <paramref name="layer"/> over [B, G·C, H, W]: per-channel statistics of the stack are per member,
    /// and in training mode the running statistics (views of the stacked buffers) update in place as a single model's do.
    /// </summary>
    /// <remarks>Momentum 0.1 and ε 1e-5, the defaults of <c>nn.BatchNorm2d</c> that every LsLab model uses.</remarks>
    protected Tensor BatchNorm(Tensor x, string layer)
    {
        if (training && byName.TryGetValue(layer + ".num_batches_tracked", out var tracked))
        {
            using var one = 1.ToScalar();
            tracked.add_(one);
        }
        return nn.functional.batch_norm(x, byName[layer + ".running_mean"].view(-1), byName[layer + ".running_var"].view(-1),
            byName[layer + ".weight"].flatten(), byName[layer + ".bias"].flatten(), training, 0.1, 1e-5);
    }
}
