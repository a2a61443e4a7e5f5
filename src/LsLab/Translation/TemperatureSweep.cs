namespace LsLab.Translation;

/// <summary>BLEU, NLL and calibration of one translator at one decoding temperature.</summary>
public sealed record TemperatureRow(double Temperature, double Nll, double Accuracy, double Ece, double Bleu, double BrevityPenalty);

/// <summary>
/// A translator scored at several softmax temperatures: corpus BLEU of beam search, and the
/// teacher-forced next-token NLL, accuracy and ECE at that temperature. The one scoring path of
/// `lslab translate score` and the translation experiment.
/// </summary>
public static class TemperatureSweep
{
    /// <summary>One row (and the hypotheses) per temperature; <paramref name="tokens"/> are the same pairs' teacher-forced predictions.</summary>
    public static List<(TemperatureRow Row, List<string> Hypotheses)> Run(Translator translator, IReadOnlyList<SentencePair> pairs, TokenPredictions tokens,
        DecodeOptions decode, IEnumerable<double> temperatures, bool lowercase = false, Action<TemperatureRow>? onRow = null)
    {
        var sources = pairs.Select(p => p.Source).ToList();
        var refs = pairs.Select(p => p.Target).ToList();
        var rows = new List<(TemperatureRow, List<string>)>();
        foreach (double t in temperatures)
        {
            var h = translator.Translate(sources, decode with { Temperature = t }).ToList();
            var bleu = Bleu.Corpus(h, refs, lowercase);
            var s = tokens.Score(t);
            var row = new TemperatureRow(t, s.Nll, s.Accuracy, s.Ece, bleu.Score, bleu.BrevityPenalty);
            onRow?.Invoke(row);
            rows.Add((row, h));
        }
        return rows;
    }
}
