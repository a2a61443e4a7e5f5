using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LsLab.Models;

/// <summary>
/// He et al. (2016) CIFAR ResNet-(6n+2): conv3×3-16, three stages of n basic blocks with 16/32/64
/// channels (stride 2 at stages 2 and 3), global average pooling (the penultimate layer), linear.
/// Shortcuts are option A (parameter-free: subsample by 2 and zero-pad the new channels), as in the
/// original CIFAR experiments; resnet20 has n=3 (0.27M parameters), resnet56 n=9 (0.85M).
/// </summary>
public sealed class CifarResNet : Classifier
{
    readonly Conv2d stem;
    readonly BatchNorm2d stemBn;
    readonly ModuleList<BasicBlock> blocks = new();
    readonly Linear head;

    /// <summary>Three stages of <paramref name="blocksPerStage"/> blocks (16, 32, 64 channels): 3 gives ResNet-20, 9 ResNet-56.</summary>
    public CifarResNet(ModelSpec spec, int blocksPerStage, string name) : base(name)
    {
        stem = nn.Conv2d(spec.Channels, 16, 3, padding: 1, bias: false);
        stemBn = nn.BatchNorm2d(16);
        int inC = 16;
        foreach (var (outC, stride) in new[] { (16, 1), (32, 2), (64, 2) })
            for (int b = 0; b < blocksPerStage; b++)
            {
                blocks.Add(new BasicBlock(inC, outC, b == 0 ? stride : 1));
                inC = outC;
            }
        head = nn.Linear(64, spec.NumClasses);
        RegisterComponents();
        foreach (var m in modules())
            if (m is Conv2d c) nn.init.kaiming_normal_(c.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
    }

    /// <inheritdoc />
    public override Linear Head => head;

    /// <summary>Each block's stride and shortcut zero-padding, in order (what <see cref="GroupedResNet"/> needs besides the weights).</summary>
    internal IEnumerable<(int Stride, int PadChannels)> BlockShapes => blocks.Select(b => (b.Stride, b.PadChannels));

    /// <inheritdoc />
    public override Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(stemBn.forward(stem.forward(x)));
        foreach (var b in blocks) y = b.forward(y);
        return nn.functional.adaptive_avg_pool2d(y, 1).flatten(1).MoveToOuterDisposeScope();
    }

    /// <summary>conv3×3-BN-ReLU-conv3×3-BN plus an option-A shortcut, then ReLU.</summary>
    public sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        readonly Conv2d conv1, conv2;
        readonly BatchNorm2d bn1, bn2;
        readonly int stride, padChannels;

        internal int Stride => stride;
        internal int PadChannels => padChannels;

        /// <summary>A block from <paramref name="inC"/> to <paramref name="outC"/> channels; stride 2 halves the resolution.</summary>
        public BasicBlock(int inC, int outC, int stride) : base("block")
        {
            conv1 = nn.Conv2d(inC, outC, 3, stride: stride, padding: 1, bias: false);
            bn1 = nn.BatchNorm2d(outC);
            conv2 = nn.Conv2d(outC, outC, 3, padding: 1, bias: false);
            bn2 = nn.BatchNorm2d(outC);
            this.stride = stride;
            padChannels = outC - inC;
            RegisterComponents();
        }

        /// <summary>The block's output for input <paramref name="x"/> [N,C,H,W].</summary>
        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = nn.functional.relu(bn1.forward(conv1.forward(x)));
            y = bn2.forward(conv2.forward(y));
            var shortcut = x;
            if (stride != 1 || padChannels != 0)
            {
                var sub = x[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(null, null, stride), TensorIndex.Slice(null, null, stride)];
                shortcut = nn.functional.pad(sub, new long[] { 0, 0, 0, 0, padChannels / 2, padChannels - padChannels / 2 });
            }
            return nn.functional.relu(y + shortcut).MoveToOuterDisposeScope();
        }
    }
}
