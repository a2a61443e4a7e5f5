using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LsLab.Models;

/// <summary>Fully connected net: input → hidden → hidden → K, ReLU, dropout after each hidden layer.</summary>
public sealed class Mlp : Classifier
{
    readonly Linear fc1, fc2, head;
    readonly Dropout drop;

    /// <summary>Two hidden layers of <paramref name="hidden"/> units with dropout <paramref name="dropout"/>, registered as <paramref name="name"/>.</summary>
    public Mlp(ModelSpec spec, int hidden, double dropout, string name) : base(name)
    {
        if (hidden < 1) throw new LsLabException($"--width must be ≥ 1, got {hidden}.");
        if (!double.IsFinite(dropout) || dropout < 0 || dropout >= 1) throw new LsLabException($"--dropout must be in [0, 1), got {dropout}.");
        fc1 = nn.Linear(spec.InputSize, hidden);
        fc2 = nn.Linear(hidden, hidden);
        head = nn.Linear(hidden, spec.NumClasses);
        drop = nn.Dropout(dropout);
        DropoutRate = dropout;
        RegisterComponents();
    }

    /// <summary>Dropout probability after each hidden layer (0 = none).</summary>
    public double DropoutRate { get; }

    /// <inheritdoc />
    public override Linear Head => head;

    /// <inheritdoc />
    public override Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = drop.forward(nn.functional.relu(fc1.forward(x.flatten(1))));
        return drop.forward(nn.functional.relu(fc2.forward(h))).MoveToOuterDisposeScope();
    }
}
