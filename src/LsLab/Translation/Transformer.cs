using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LsLab.Translation;

/// <summary>Size of the encoder–decoder Transformer.</summary>
public sealed record TransformerConfig
{
    /// <summary>Source vocabulary size (from the source BPE).</summary>
    public int SourceVocab { get; init; }
    /// <summary>Target vocabulary size (from the target BPE).</summary>
    public int TargetVocab { get; init; }
    /// <summary>Width d of embeddings and layers.</summary>
    public int DModel { get; init; } = 128;
    /// <summary>Attention heads (d must be a multiple).</summary>
    public int Heads { get; init; } = 4;
    /// <summary>Inner width of each feed-forward block.</summary>
    public int FeedForward { get; init; } = 512;
    /// <summary>Encoder layers.</summary>
    public int EncoderLayers { get; init; } = 2;
    /// <summary>Decoder layers.</summary>
    public int DecoderLayers { get; init; } = 2;
    /// <summary>Dropout rate in embeddings, attention and feed-forward blocks.</summary>
    public double Dropout { get; init; } = 0.1;
    /// <summary>Longest sequence the sinusoidal position table covers (source or target, with EOS/BOS).</summary>
    public int MaxPositions { get; init; } = 256;

    /// <summary>Checks the sizes before libtorch sees them and returns this.</summary>
    public TransformerConfig Validate()
    {
        if (SourceVocab < 5 || TargetVocab < 5) throw new LsLabException($"vocabularies must hold the 4 special tokens and at least one piece (source {SourceVocab}, target {TargetVocab}).");
        if (DModel <= 0 || Heads <= 0 || DModel % Heads != 0) throw new LsLabException($"d_model ({DModel}) must be a positive multiple of heads ({Heads}).");
        if (EncoderLayers <= 0 || DecoderLayers <= 0 || FeedForward <= 0) throw new LsLabException("layers and feed-forward width must be positive.");
        if (Dropout < 0 || Dropout >= 1) throw new LsLabException($"dropout must be in [0, 1), got {Dropout}.");
        return this;
    }
}

/// <summary>Multi-head scaled dot-product attention with separate key/value projection (for caching).</summary>
sealed class Attention : nn.Module
{
    readonly Linear q, k, v, o;
    readonly Dropout drop;
    readonly int heads, dh;

    public Attention(string name, int d, int heads, double dropout) : base(name)
    {
        this.heads = heads;
        dh = d / heads;
        q = nn.Linear(d, d); k = nn.Linear(d, d); v = nn.Linear(d, d); o = nn.Linear(d, d);
        drop = nn.Dropout(dropout);
        RegisterComponents();
    }

    Tensor Split(Tensor x) => x.view(x.shape[0], x.shape[1], heads, dh).transpose(1, 2);

    /// <summary>Keys and values [N, heads, T, dh] of <paramref name="x"/> [N, T, d].</summary>
    public (Tensor K, Tensor V) KeysValues(Tensor x) => (Split(k.forward(x)), Split(v.forward(x)));

    /// <summary>Attends from <paramref name="x"/> [N, Tq, d] to K/V; <paramref name="blocked"/> (bool, true = masked) broadcasts to [N, heads, Tq, Tk].</summary>
    public Tensor Attend(Tensor x, Tensor K, Tensor V, Tensor? blocked)
    {
        var Q = Split(q.forward(x));
        var s = Q.matmul(K.transpose(-2, -1)).Times(1.0 / Math.Sqrt(dh));
        if (blocked is not null) s = s.MaskedMinusInfinity(blocked);
        var a = drop.forward(s.softmax(-1));
        var y = a.matmul(V).transpose(1, 2).reshape(x.shape[0], x.shape[1], heads * dh);
        return o.forward(y);
    }
}

/// <summary>Pre-LayerNorm encoder layer: x + Attn(LN(x)), then x + FFN(LN(x)).</summary>
sealed class EncoderLayer : nn.Module
{
    readonly LayerNorm ln1, ln2;
    readonly Attention attn;
    readonly Linear ff1, ff2;
    readonly Dropout drop;

    public EncoderLayer(string name, TransformerConfig c) : base(name)
    {
        ln1 = nn.LayerNorm(c.DModel); ln2 = nn.LayerNorm(c.DModel);
        attn = new Attention("attn", c.DModel, c.Heads, c.Dropout);
        ff1 = nn.Linear(c.DModel, c.FeedForward); ff2 = nn.Linear(c.FeedForward, c.DModel);
        drop = nn.Dropout(c.Dropout);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor padBlocked)
    {
        var h = ln1.forward(x);
        var (K, V) = attn.KeysValues(h);
        x = x.Plus(drop.forward(attn.Attend(h, K, V, padBlocked)));
        return x.Plus(drop.forward(ff2.forward(drop.forward(nn.functional.relu(ff1.forward(ln2.forward(x)))))));
    }
}

/// <summary>Pre-LayerNorm decoder layer: causal self-attention, cross-attention, feed-forward.</summary>
sealed class DecoderLayer : nn.Module
{
    readonly LayerNorm ln1, ln2, ln3;
    readonly Attention self_attn, cross_attn;
    readonly Linear ff1, ff2;
    readonly Dropout drop;

    public DecoderLayer(string name, TransformerConfig c) : base(name)
    {
        ln1 = nn.LayerNorm(c.DModel); ln2 = nn.LayerNorm(c.DModel); ln3 = nn.LayerNorm(c.DModel);
        self_attn = new Attention("self_attn", c.DModel, c.Heads, c.Dropout);
        cross_attn = new Attention("cross_attn", c.DModel, c.Heads, c.Dropout);
        ff1 = nn.Linear(c.DModel, c.FeedForward); ff2 = nn.Linear(c.FeedForward, c.DModel);
        drop = nn.Dropout(c.Dropout);
        RegisterComponents();
    }

    public (Tensor K, Tensor V) MemoryKeysValues(Tensor memory) => cross_attn.KeysValues(memory);

    /// <summary>Whole target sequence (training): <paramref name="causal"/> blocks future positions.</summary>
    public Tensor Forward(Tensor x, Tensor memK, Tensor memV, Tensor srcBlocked, Tensor causal)
    {
        var h = ln1.forward(x);
        var (K, V) = self_attn.KeysValues(h);
        x = x.Plus(drop.forward(self_attn.Attend(h, K, V, causal)));
        return CrossAndFeedForward(x, memK, memV, srcBlocked);
    }

    /// <summary>One new position per row (decoding): appends its keys/values to the cache and attends to all cached ones.</summary>
    public Tensor Step(Tensor x, ref Tensor cacheK, ref Tensor cacheV, Tensor memK, Tensor memV, Tensor srcBlocked)
    {
        var h = ln1.forward(x);
        var (k, v) = self_attn.KeysValues(h);
        var K = cacheK.numel() == 0 ? k : cat(new[] { cacheK, k }, 2);
        var V = cacheV.numel() == 0 ? v : cat(new[] { cacheV, v }, 2);
        x = x.Plus(drop.forward(self_attn.Attend(h, K, V, null)));
        cacheK = K;
        cacheV = V;
        return CrossAndFeedForward(x, memK, memV, srcBlocked);
    }

    Tensor CrossAndFeedForward(Tensor x, Tensor memK, Tensor memV, Tensor srcBlocked)
    {
        x = x.Plus(drop.forward(cross_attn.Attend(ln2.forward(x), memK, memV, srcBlocked)));
        return x.Plus(drop.forward(ff2.forward(drop.forward(nn.functional.relu(ff1.forward(ln3.forward(x)))))));
    }
}

/// <summary>
/// Encoder–decoder Transformer (Vaswani et al. 2017) with pre-LayerNorm residual blocks and a final
/// LayerNorm on each side, sinusoidal positions, embeddings scaled by √d, and the output projection
/// tied to the target embedding (plus a bias). Token id 0 is padding.
/// </summary>
public sealed class Seq2SeqTransformer : nn.Module
{
    readonly Embedding src_embed, tgt_embed;
    readonly ModuleList<EncoderLayer> encoder;
    readonly ModuleList<DecoderLayer> decoder;
    readonly LayerNorm enc_norm, dec_norm;
    readonly Parameter out_bias;
    readonly Dropout drop;
    readonly Tensor positions;

    /// <summary>A freshly initialised Transformer of <paramref name="config"/>'s size.</summary>
    public Seq2SeqTransformer(TransformerConfig config) : base("seq2seq_transformer")
    {
        Config = config.Validate();
        int d = config.DModel;
        src_embed = nn.Embedding(config.SourceVocab, d, padding_idx: Bpe.Pad);
        tgt_embed = nn.Embedding(config.TargetVocab, d, padding_idx: Bpe.Pad);
        encoder = new ModuleList<EncoderLayer>(Enumerable.Range(0, config.EncoderLayers).Select(i => new EncoderLayer($"enc{i}", config)).ToArray());
        decoder = new ModuleList<DecoderLayer>(Enumerable.Range(0, config.DecoderLayers).Select(i => new DecoderLayer($"dec{i}", config)).ToArray());
        enc_norm = nn.LayerNorm(d); dec_norm = nn.LayerNorm(d);
        out_bias = nn.Parameter(zeros(config.TargetVocab));
        drop = nn.Dropout(config.Dropout);
        positions = Sinusoid(config.MaxPositions, d);
        using (no_grad())
        {
            foreach (var e in new[] { src_embed, tgt_embed })
            {
                nn.init.normal_(e.weight!, 0, Math.Pow(d, -0.5));
                e.weight![Bpe.Pad].zero_();
            }
        }
        RegisterComponents();
    }

    /// <summary>The model's size.</summary>
    public TransformerConfig Config { get; }

    /// <summary>PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(…).</summary>
    static Tensor Sinusoid(int max, int d)
    {
        var pe = zeros(max, d);
        var pos = arange(max, dtype: ScalarType.Float32).unsqueeze(1);
        var div = exp(arange(0, d, 2, dtype: ScalarType.Float32) * (-Math.Log(10000.0) / d));
        pe[TensorIndex.Colon, TensorIndex.Slice(0, null, 2)] = sin(pos * div);
        pe[TensorIndex.Colon, TensorIndex.Slice(1, null, 2)] = cos(pos * div);
        return pe;
    }

    Tensor Embed(Embedding e, Tensor ids, int offset)
    {
        long t = ids.shape[1];
        if (offset + t > Config.MaxPositions)
            throw new LsLabException($"sequence of {offset + t} tokens exceeds the model's {Config.MaxPositions} positions.");
        var x = e.forward(ids).Times(Math.Sqrt(Config.DModel)).Plus(positions.narrow(0, offset, t).unsqueeze(0));
        return drop.forward(x);
    }

    /// <summary>Encoder output [N, S, d] and the source padding mask [N, 1, 1, S] (true = padding) for <paramref name="src"/> [N, S].</summary>
    public (Tensor Memory, Tensor SrcBlocked) Encode(Tensor src)
    {
        var blocked = src.eq(Bpe.Pad).unsqueeze(1).unsqueeze(1);
        var x = Embed(src_embed, src, 0);
        foreach (var layer in encoder) x = layer.Forward(x, blocked);
        return (enc_norm.forward(x), blocked);
    }

    /// <summary>Target logits [N, T, V] for teacher-forced decoder input <paramref name="tgtIn"/> [N, T] (BOS + target).</summary>
    public Tensor Forward(Tensor src, Tensor tgtIn)
    {
        var (memory, blocked) = Encode(src);
        return Decode(memory, blocked, tgtIn);
    }

    /// <summary>Target logits [N, T, V] for decoder input <paramref name="tgtIn"/> given the encoder's output and padding mask.</summary>
    public Tensor Decode(Tensor memory, Tensor srcBlocked, Tensor tgtIn)
    {
        long t = tgtIn.shape[1];
        var causal = ones(t, t, dtype: ScalarType.Bool, device: tgtIn.device).triu(1);
        var x = Embed(tgt_embed, tgtIn, 0);
        foreach (var layer in decoder)
        {
            var (mk, mv) = layer.MemoryKeysValues(memory);
            x = layer.Forward(x, mk, mv, srcBlocked, causal);
        }
        return Project(dec_norm.forward(x));
    }

    Tensor Project(Tensor h) => h.matmul(tgt_embed.weight!.t()).Plus(out_bias);

    /// <summary>Starts incremental decoding from encoder output (rows may be repeated for beams).</summary>
    public DecoderState Start(Tensor memory, Tensor srcBlocked)
    {
        var state = new DecoderState(decoder.Count);
        for (int i = 0; i < decoder.Count; i++)
        {
            var (mk, mv) = decoder[i].MemoryKeysValues(memory);
            state.MemK[i] = mk.DetachFromDisposeScope();
            state.MemV[i] = mv.DetachFromDisposeScope();
            state.K[i] = empty(0, device: memory.device).DetachFromDisposeScope();
            state.V[i] = empty(0, device: memory.device).DetachFromDisposeScope();
        }
        state.SrcBlocked = srcBlocked.clone().DetachFromDisposeScope();
        return state;
    }

    /// <summary>Logits [N, V] for the next token after feeding <paramref name="last"/> [N] at the state's position; updates the cache.</summary>
    public Tensor Step(DecoderState state, Tensor last)
    {
        var x = Embed(tgt_embed, last.unsqueeze(1), state.Position);
        for (int i = 0; i < decoder.Count; i++)
        {
            Tensor K = state.K[i], V = state.V[i];
            x = decoder[i].Step(x, ref K, ref V, state.MemK[i], state.MemV[i], state.SrcBlocked);
            state.K[i].Dispose(); state.V[i].Dispose();
            state.K[i] = K.DetachFromDisposeScope();
            state.V[i] = V.DetachFromDisposeScope();
        }
        state.Position++;
        return Project(dec_norm.forward(x)).squeeze(1);
    }
}

/// <summary>Key/value caches of incremental decoding; rows can be reordered when beams are re-ranked.</summary>
public sealed class DecoderState : IDisposable
{
    internal DecoderState(int layers)
    {
        K = new Tensor[layers]; V = new Tensor[layers]; MemK = new Tensor[layers]; MemV = new Tensor[layers];
        SrcBlocked = null!;
    }

    internal Tensor[] K, V, MemK, MemV;
    internal Tensor SrcBlocked;
    /// <summary>Number of target positions already fed.</summary>
    public int Position { get; internal set; }

    /// <summary>Keeps rows <paramref name="rows"/> (int64 [N]) of every cache, in that order.</summary>
    public void Reorder(Tensor rows)
    {
        static void Take(Tensor[] a, Tensor rows)
        {
            for (int i = 0; i < a.Length; i++)
            {
                if (a[i].numel() == 0) continue;
                var t = a[i].index_select(0, rows).DetachFromDisposeScope();
                a[i].Dispose();
                a[i] = t;
            }
        }
        Take(K, rows); Take(V, rows); Take(MemK, rows); Take(MemV, rows);
        var s = SrcBlocked.index_select(0, rows).DetachFromDisposeScope();
        SrcBlocked.Dispose();
        SrcBlocked = s;
    }

    /// <summary>Frees the cached keys and values.</summary>
    public void Dispose()
    {
        foreach (var a in new[] { K, V, MemK, MemV }) foreach (var t in a) t?.Dispose();
        SrcBlocked?.Dispose();
    }
}
