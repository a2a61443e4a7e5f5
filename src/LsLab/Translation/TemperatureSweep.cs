namespace LsLab.Translation;

/// <summary>BLEU, chrF, NLL and calibration of one translator at one decoding temperature.</summary>
public sealed record TemperatureRow(double Temperature, double Nll, double Accuracy, double Ece, double Bleu, double BrevityPenalty, double Chrf);

/// <summary>
/// A translator scored at several softmax temperatures: corpus BLEU and chrF of beam search, and the
/// teacher-forced next-token NLL, accuracy and ECE at that temperature. The one scoring path of
/// `lslab translate score` and the translation experiment.
/// </summary>
public static class TemperatureSweep
{
    /// <summary>
    /// One row (and the hypotheses) per temperature; <paramref name="tokens"/> are the same pairs' teacher-forced predictions,
    /// <paramref name="references"/> each pair's references (null: its target alone).
    /// </summary>
    public static List<(TemperatureRow Row, List<string> Hypotheses)> Run(Translator translator, IReadOnlyList<SentencePair> pairs, TokenPredictions tokens,
        DecodeOptions decode, IEnumerable<double> temperatures, bool lowercase = false, Action<TemperatureRow>? onRow = null,
        IReadOnlyList<IReadOnlyList<string>>? references = null)
    {
        var sources = pairs.Select(p => p.Source).ToList();
        var refs = references ?? pairs.Select(p => (IReadOnlyList<string>)new[] { p.Target }).ToList();
        if (refs.Count != pairs.Count) throw new ArgumentException($"{pairs.Count} pairs but {refs.Count} reference sets.");
        var rows = new List<(TemperatureRow, List<string>)>();
        foreach (double t in temperatures)
        {
            var h = translator.Translate(sources, decode with { Temperature = t }).ToList();
            var bleu = Bleu.Corpus(h, refs, lowercase);
            var s = tokens.Score(t);
            var row = new TemperatureRow(t, s.Nll, s.Accuracy, s.Ece, bleu.Score, bleu.BrevityPenalty, Chrf.Corpus(h, refs, lowercase).Score);
            onRow?.Invoke(row);
            rows.Add((row, h));
        }
        return rows;
    }
}
