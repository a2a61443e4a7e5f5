using LsLab.Models;
using static TorchSharp.torch;

namespace LsLab.Tests.Models;

public class ModelTests
{
    public ModelTests() => Engine.Initialize();

    [Theory]
    [InlineData("mlp", 1, 28, 1200)]
    [InlineData("mlp-small", 1, 28, 800)]
    [InlineData("convnet", 1, 28, 256)]
    [InlineData("convnet", 3, 32, 256)]
    [InlineData("alexnet", 3, 32, 192)]
    [InlineData("alexnet", 1, 28, 192)]
    [InlineData("resnet20", 3, 32, 64)]
    [InlineData("resnet20", 1, 28, 64)]
    public void Logits_are_the_head_applied_to_the_penultimate_features(string name, int c, int hw, int featureDim)
    {
        using var model = ModelRegistry.Create(name, new ModelSpec(c, hw, hw, 10));
        model.eval();
        using var x = rand(3, c, hw, hw);
        using var feats = model.Features(x);
        Assert.Equal(new long[] { 3, featureDim }, feats.shape);
        Assert.Equal(new long[] { 10, featureDim }, model.Head.weight!.shape);
        using var logits = model.forward(x);
        using var manual = feats.matmul(model.Head.weight!.t()) + model.Head.bias!;
        Assert.True(logits.allclose(manual, 1e-5, 1e-5));
    }

    [Fact]
    public void Resnet_depths_have_the_known_parameter_counts()
    {
        // He et al. report 0.27M (ResNet-20) and 0.85M (ResNet-56) parameters for CIFAR-10 with option A.
        long Count(string n) { using var m = ModelRegistry.Create(n, new ModelSpec(3, 32, 32, 10)); return m.parameters().Sum(p => p.numel()); }
        Assert.InRange(Count("resnet20"), 265_000, 275_000);
        Assert.InRange(Count("resnet56"), 845_000, 860_000);
        Assert.Equal(784L * 1200 + 1200 + 1200 * 1200 + 1200 + 1200 * 10 + 10, Count2("mlp"));
        static long Count2(string n) { using var m = ModelRegistry.Create(n, new ModelSpec(1, 28, 28, 10)); return m.parameters().Sum(p => p.numel()); }
    }

    [Fact]
    public void Unknown_model_names_list_the_known_ones()
    {
        var e = Assert.Throws<LsLabException>(() => ModelRegistry.Create("vgg", new ModelSpec(1, 28, 28, 10)));
        Assert.Contains("resnet20", e.Message);
    }
}
