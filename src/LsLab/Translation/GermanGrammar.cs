using System.Text;

namespace LsLab.Translation;

/// <summary>
/// Our own English→German corpus, generated from a small grammar so that it can ship with the code
/// (the real dictionary data is GPL). The German side has real morphology and syntax: gender
/// (der/die/das), nominative/accusative/dative with article and adjective endings (weak, mixed,
/// strong), plurals (dative plural -n), weak nouns (den Jungen), verb-second main clauses,
/// verb-first questions, verb-final subordinate clauses, modal verbs with the infinitive at the end,
/// "nicht" vs "kein" negation, "must not" → "darf nicht" and "does not have to" → "muss nicht".
/// Many English sentences have several valid German translations (synonyms such as Auto/Wagen,
/// Lehrer/Lehrerin, du/ihr/Sie, weil/da; an optional "dass"; fronted or middle-field adverbs), drawn
/// at random, so the best model is uncertain and its calibration matters.
/// Deterministic: the same seed gives the same corpus.
/// </summary>
public static class GermanGrammar
{
    /// <summary>One generated sentence: the pair and the abstract structure it came from.</summary>
    public sealed record Sample(SentencePair Pair, object Structure);

    /// <summary><paramref name="count"/> pairs with distinct English sides, deterministic in <paramref name="seed"/>.</summary>
    public static IReadOnlyList<Sample> Generate(int count, int seed)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), "count must be positive.");
        var rng = new Random(seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<Sample>(count);
        int attempts = 0;
        while (result.Count < count)
        {
            if (++attempts > count * 50) throw new InvalidOperationException($"The grammar could not produce {count} distinct sentences.");
            var s = SampleSentence(rng);
            var en = English(s);
            if (!seen.Add(en)) continue;
            result.Add(new Sample(new SentencePair(en, German(s, rng)), s));
        }
        return result;
    }

    /// <summary>Another valid German translation of a generated sample's English side (fresh random choices).</summary>
    public static string Retranslate(Sample sample, Random rng) => German((Sentence)sample.Structure, rng);

    /// <summary>
    /// Up to <paramref name="count"/> distinct valid German translations of a sample: its own target first, then
    /// retranslations in the order drawn (at most 32 draws per wanted reference, so a sentence with fewer distinct
    /// translations than <paramref name="count"/> gets all that the draws found). Deterministic in <paramref name="rng"/>.
    /// </summary>
    public static IReadOnlyList<string> References(Sample sample, int count, Random rng)
    {
        var refs = new List<string> { sample.Pair.Target };
        var seen = new HashSet<string>(refs, StringComparer.Ordinal);
        for (int draw = 0; draw < 32 * (count - 1) && refs.Count < count; draw++)
        {
            var r = Retranslate(sample, rng);
            if (seen.Add(r)) refs.Add(r);
        }
        return refs;
    }

    /// <summary>Gender (m, f, n) of each German singular noun form the grammar uses, weak oblique forms included (for checks and documentation).</summary>
    public static IReadOnlyDictionary<string, char> NounGenders =>
        Nouns.SelectMany(n => n.De).SelectMany(d => new[] { (Form: d.Sg, d.Gender), (Form: d.SgOblique ?? d.Sg, d.Gender) })
            .GroupBy(x => x.Form).ToDictionary(g => g.Key, g => g.First().Gender);

    /// <summary>Every German plural noun form, dative -n included.</summary>
    public static IReadOnlySet<string> PluralNouns =>
        Nouns.SelectMany(n => n.De).SelectMany(d => new[] { d.Form(true, Case.Nom), d.Form(true, Case.Dat) }).ToHashSet();

    /// <summary>Every finite German verb form the grammar can produce (main, modal and "that"-clause verbs).</summary>
    public static IReadOnlySet<string> FiniteVerbForms =>
        Verbs.SelectMany(v => v.De).Concat(MatrixVerbs.SelectMany(m => m.De))
            .Concat(new[] { Koennen, Muessen, Duerfen, Sollen, Wollen }).SelectMany(v => v.Forms).ToHashSet();

    // ---------------------------------------------------------------- lexicon

    [Flags]
    enum Kind { Person = 1, Animal = 2, Portable = 4, Large = 8, Place = 16, Readable = 32, Openable = 64, Any = 127 }

    enum Case { Nom, Acc, Dat }

    /// <summary>A German noun: gender m/f/n, singular, plural, and the oblique singular of weak nouns.</summary>
    sealed record DeNoun(char Gender, string Sg, string Pl, string? SgOblique = null)
    {
        public string Form(bool plural, Case c) =>
            plural ? (c == Case.Dat && !Pl.EndsWith('n') && !Pl.EndsWith('s') ? Pl + "n" : Pl)
                   : (c != Case.Nom && SgOblique is not null ? SgOblique : Sg);
    }

    sealed record Noun(string EnSg, string EnPl, Kind Kind, DeNoun[] De);

    static DeNoun M(string sg, string pl, string? obl = null) => new('m', sg, pl, obl);
    static DeNoun F(string sg, string pl) => new('f', sg, pl);
    static DeNoun N(string sg, string pl) => new('n', sg, pl);

    static readonly Noun[] Nouns =
    {
        new("man", "men", Kind.Person, new[] { M("Mann", "Männer") }),
        new("woman", "women", Kind.Person, new[] { F("Frau", "Frauen") }),
        new("child", "children", Kind.Person, new[] { N("Kind", "Kinder") }),
        new("boy", "boys", Kind.Person, new[] { M("Junge", "Jungen", "Jungen") }),
        new("girl", "girls", Kind.Person, new[] { N("Mädchen", "Mädchen") }),
        new("teacher", "teachers", Kind.Person, new[] { M("Lehrer", "Lehrer"), F("Lehrerin", "Lehrerinnen") }),
        new("doctor", "doctors", Kind.Person, new[] { M("Arzt", "Ärzte"), F("Ärztin", "Ärztinnen") }),
        new("friend", "friends", Kind.Person, new[] { M("Freund", "Freunde"), F("Freundin", "Freundinnen") }),
        new("student", "students", Kind.Person, new[] { M("Student", "Studenten", "Studenten"), F("Studentin", "Studentinnen") }),
        new("neighbour", "neighbours", Kind.Person, new[] { M("Nachbar", "Nachbarn", "Nachbarn"), F("Nachbarin", "Nachbarinnen") }),
        new("dog", "dogs", Kind.Animal, new[] { M("Hund", "Hunde") }),
        new("cat", "cats", Kind.Animal, new[] { F("Katze", "Katzen") }),
        new("bird", "birds", Kind.Animal, new[] { M("Vogel", "Vögel") }),
        new("horse", "horses", Kind.Animal, new[] { N("Pferd", "Pferde") }),
        new("car", "cars", Kind.Large, new[] { N("Auto", "Autos"), M("Wagen", "Wagen") }),
        new("house", "houses", Kind.Large | Kind.Place, new[] { N("Haus", "Häuser") }),
        new("book", "books", Kind.Portable | Kind.Readable | Kind.Openable, new[] { N("Buch", "Bücher") }),
        new("letter", "letters", Kind.Portable | Kind.Readable | Kind.Openable, new[] { M("Brief", "Briefe") }),
        new("newspaper", "newspapers", Kind.Portable | Kind.Readable, new[] { F("Zeitung", "Zeitungen") }),
        new("apple", "apples", Kind.Portable, new[] { M("Apfel", "Äpfel") }),
        new("ball", "balls", Kind.Portable, new[] { M("Ball", "Bälle") }),
        new("key", "keys", Kind.Portable, new[] { M("Schlüssel", "Schlüssel") }),
        new("bag", "bags", Kind.Portable | Kind.Openable, new[] { F("Tasche", "Taschen") }),
        new("flower", "flowers", Kind.Portable, new[] { F("Blume", "Blumen") }),
        new("present", "presents", Kind.Portable | Kind.Openable, new[] { N("Geschenk", "Geschenke") }),
        new("picture", "pictures", Kind.Portable, new[] { N("Bild", "Bilder") }),
        new("bread", "breads", Kind.Portable, new[] { N("Brot", "Brote") }),
        new("table", "tables", Kind.Large, new[] { M("Tisch", "Tische") }),
        new("door", "doors", Kind.Large | Kind.Openable, new[] { F("Tür", "Türen") }),
        new("window", "windows", Kind.Large | Kind.Openable, new[] { N("Fenster", "Fenster") }),
        new("city", "cities", Kind.Place, new[] { F("Stadt", "Städte") }),
        new("garden", "gardens", Kind.Place, new[] { M("Garten", "Gärten") }),
        new("kitchen", "kitchens", Kind.Place, new[] { F("Küche", "Küchen") }),
        new("school", "schools", Kind.Place, new[] { F("Schule", "Schulen") }),
        new("park", "parks", Kind.Place, new[] { M("Park", "Parks") }),
    };

    /// <summary>An adjective: English word, German synonyms (base form, stem before endings), what it can describe.</summary>
    sealed record Adjective(string En, (string Base, string Stem)[] De, Kind Kind);

    static (string, string) A(string word) => (word, word.EndsWith('e') ? word[..^1] : word);

    static readonly Adjective[] Adjectives =
    {
        new("big", new[] { A("groß") }, Kind.Any),
        new("small", new[] { A("klein") }, Kind.Any),
        new("old", new[] { A("alt") }, Kind.Any),
        new("new", new[] { A("neu") }, Kind.Portable | Kind.Large | Kind.Place),
        new("young", new[] { A("jung") }, Kind.Person | Kind.Animal),
        new("red", new[] { A("rot") }, Kind.Portable | Kind.Large),
        new("green", new[] { A("grün") }, Kind.Portable | Kind.Large | Kind.Place),
        new("beautiful", new[] { A("schön"), A("hübsch") }, Kind.Any),
        new("tired", new[] { A("müde") }, Kind.Person | Kind.Animal),
        new("happy", new[] { A("glücklich"), A("froh") }, Kind.Person | Kind.Animal),
        new("good", new[] { A("gut") }, Kind.Any),
        new("expensive", new[] { ("teuer", "teur") }, Kind.Portable | Kind.Large),
    };

    /// <summary>German verb forms for ich, du, er/sie/es, wir, ihr, sie/Sie, and the infinitive.</summary>
    sealed record DeVerb(string[] Forms, string Infinitive)
    {
        public static DeVerb Of(string forms, string? infinitive = null)
        {
            var f = forms.Split(' ');
            if (f.Length != 6) throw new ArgumentException($"Six verb forms expected: '{forms}'.");
            return new DeVerb(f, infinitive ?? f[3]);
        }

        public static DeVerb Regular(string infinitive)
        {
            string stem = infinitive[..^2];
            return Of($"{stem}e {stem}st {stem}t {infinitive} {stem}t {infinitive}");
        }
    }

    enum Frame { Intransitive, Accusative, Dative, Ditransitive }

    sealed record Verb(string En, string En3, Frame Frame, Kind Subject, Kind Object, bool Manner, DeVerb[] De);

    static DeVerb V(string forms) => DeVerb.Of(forms);
    static DeVerb R(string infinitive) => DeVerb.Regular(infinitive);

    static readonly Verb[] Verbs =
    {
        new("see", "sees", Frame.Accusative, Kind.Person | Kind.Animal, Kind.Any, false, new[] { V("sehe siehst sieht sehen seht sehen") }),
        new("buy", "buys", Frame.Accusative, Kind.Person, Kind.Portable | Kind.Large | Kind.Animal, false, new[] { R("kaufen") }),
        new("find", "finds", Frame.Accusative, Kind.Person | Kind.Animal, Kind.Portable | Kind.Animal | Kind.Person, false, new[] { V("finde findest findet finden findet finden") }),
        new("like", "likes", Frame.Accusative, Kind.Person | Kind.Animal, Kind.Any, false, new[] { V("mag magst mag mögen mögt mögen") }),
        new("read", "reads", Frame.Accusative, Kind.Person, Kind.Readable, true, new[] { V("lese liest liest lesen lest lesen") }),
        new("have", "has", Frame.Accusative, Kind.Person, Kind.Portable | Kind.Large | Kind.Animal, false, new[] { V("habe hast hat haben habt haben") }),
        new("carry", "carries", Frame.Accusative, Kind.Person, Kind.Portable, true, new[] { V("trage trägst trägt tragen tragt tragen") }),
        new("love", "loves", Frame.Accusative, Kind.Person, Kind.Any, false, new[] { R("lieben") }),
        new("need", "needs", Frame.Accusative, Kind.Person | Kind.Animal, Kind.Portable | Kind.Large | Kind.Person, false, new[] { R("brauchen") }),
        new("visit", "visits", Frame.Accusative, Kind.Person, Kind.Person | Kind.Place, false, new[] { R("besuchen") }),
        new("wash", "washes", Frame.Accusative, Kind.Person, Kind.Animal | Kind.Large | Kind.Portable, true, new[] { V("wasche wäschst wäscht waschen wascht waschen") }),
        new("open", "opens", Frame.Accusative, Kind.Person, Kind.Openable, true, new[] { V("öffne öffnest öffnet öffnen öffnet öffnen") }),
        new("take", "takes", Frame.Accusative, Kind.Person, Kind.Portable, true, new[] { V("nehme nimmst nimmt nehmen nehmt nehmen") }),
        new("paint", "paints", Frame.Accusative, Kind.Person, Kind.Large | Kind.Portable | Kind.Animal | Kind.Person, true, new[] { R("malen") }),
        new("help", "helps", Frame.Dative, Kind.Person, Kind.Person, false, new[] { V("helfe hilfst hilft helfen helft helfen") }),
        new("thank", "thanks", Frame.Dative, Kind.Person, Kind.Person, false, new[] { R("danken") }),
        new("follow", "follows", Frame.Dative, Kind.Person | Kind.Animal, Kind.Person | Kind.Animal, true, new[] { R("folgen") }),
        new("give", "gives", Frame.Ditransitive, Kind.Person, Kind.Portable, false, new[] { V("gebe gibst gibt geben gebt geben") }),
        new("show", "shows", Frame.Ditransitive, Kind.Person, Kind.Portable, false, new[] { R("zeigen") }),
        new("bring", "brings", Frame.Ditransitive, Kind.Person, Kind.Portable, false, new[] { V("bringe bringst bringt bringen bringt bringen") }),
        new("send", "sends", Frame.Ditransitive, Kind.Person, Kind.Portable, false, new[] { R("schicken"), V("sende sendest sendet senden sendet senden") }),
        new("sleep", "sleeps", Frame.Intransitive, Kind.Person | Kind.Animal, 0, true, new[] { V("schlafe schläfst schläft schlafen schlaft schlafen") }),
        new("laugh", "laughs", Frame.Intransitive, Kind.Person, 0, true, new[] { R("lachen") }),
        new("wait", "waits", Frame.Intransitive, Kind.Person | Kind.Animal, 0, true, new[] { V("warte wartest wartet warten wartet warten") }),
        new("run", "runs", Frame.Intransitive, Kind.Person | Kind.Animal, 0, true, new[] { V("laufe läufst läuft laufen lauft laufen"), R("rennen") }),
        new("sing", "sings", Frame.Intransitive, Kind.Person | Kind.Animal, 0, true, new[] { R("singen") }),
        new("work", "works", Frame.Intransitive, Kind.Person, 0, true, new[] { V("arbeite arbeitest arbeitet arbeiten arbeitet arbeiten") }),
        new("play", "plays", Frame.Intransitive, Kind.Person | Kind.Animal, 0, true, new[] { R("spielen") }),
    };

    /// <summary>
    /// A modal. English: "can see" / "cannot see" / "Can X see"; lexical ones ("want to", "have to")
    /// take do-support. German: the modal is finite and the main verb's infinitive goes to the end;
    /// a negated modal may switch verbs (must not → darf nicht).
    /// </summary>
    sealed record Modal(string En, string En3, string EnNeg, bool Lexical, DeVerb De, DeVerb DeNeg);

    static readonly DeVerb Koennen = V("kann kannst kann können könnt können");
    static readonly DeVerb Muessen = V("muss musst muss müssen müsst müssen");
    static readonly DeVerb Duerfen = V("darf darfst darf dürfen dürft dürfen");
    static readonly DeVerb Sollen = V("soll sollst soll sollen sollt sollen");
    static readonly DeVerb Wollen = V("will willst will wollen wollt wollen");

    static readonly Modal[] Modals =
    {
        new("can", "can", "cannot", false, Koennen, Koennen),
        new("must", "must", "must not", false, Muessen, Duerfen),
        new("should", "should", "should not", false, Sollen, Sollen),
        new("want to", "wants to", "want to", true, Wollen, Wollen),
        new("have to", "has to", "have to", true, Muessen, Muessen),
    };

    /// <summary>An adverb: English word, German synonyms, and its type (time and frequency may be fronted in German).</summary>
    enum AdvType { Time, Frequency, Manner }

    sealed record Adverb(string En, string[] De, AdvType Type);

    static readonly Adverb[] Adverbs =
    {
        new("today", new[] { "heute" }, AdvType.Time),
        new("tomorrow", new[] { "morgen" }, AdvType.Time),
        new("now", new[] { "jetzt", "nun" }, AdvType.Time),
        new("often", new[] { "oft", "häufig" }, AdvType.Frequency),
        new("always", new[] { "immer" }, AdvType.Frequency),
        new("sometimes", new[] { "manchmal" }, AdvType.Frequency),
        new("quickly", new[] { "schnell", "rasch" }, AdvType.Manner),
        new("slowly", new[] { "langsam" }, AdvType.Manner),
        new("quietly", new[] { "leise" }, AdvType.Manner),
        new("loudly", new[] { "laut" }, AdvType.Manner),
        new("carefully", new[] { "vorsichtig", "sorgfältig" }, AdvType.Manner),
    };

    /// <summary>Verbs taking a "that"-clause; <c>DassOptional</c>: German may drop "dass" and use verb-second.</summary>
    sealed record MatrixVerb(string En, string En3, DeVerb[] De, bool DassOptional);

    static readonly MatrixVerb[] MatrixVerbs =
    {
        new("know", "knows", new[] { V("weiß weißt weiß wissen wisst wissen") }, false),
        new("think", "thinks", new[] { R("glauben"), R("denken") }, true),
        new("believe", "believes", new[] { R("glauben") }, true),
        new("say", "says", new[] { R("sagen") }, true),
        new("hope", "hopes", new[] { R("hoffen") }, true),
    };

    sealed record Conjunction(string En, string[] De);

    static readonly Conjunction[] Conjunctions =
    {
        new("because", new[] { "weil", "da" }),
        new("if", new[] { "wenn", "falls" }),
        new("when", new[] { "wenn" }),
        new("while", new[] { "während" }),
        new("although", new[] { "obwohl" }),
        new("before", new[] { "bevor" }),
    };

    // ---------------------------------------------------------------- structures

    enum Det { The, A, My, Our, This, Bare }

    enum Pronoun { I, You, He, She, We, They }

    sealed record NounPhrase(Noun Noun, Det Det, bool Plural, Adjective? Adjective, bool Very);

    /// <summary>Subject: a pronoun or a noun phrase.</summary>
    sealed record Subject(Pronoun? Pronoun, NounPhrase? Phrase)
    {
        public Kind Kind => Phrase?.Noun.Kind ?? Kind.Person;
    }

    sealed record Clause(
        Subject Subject, Verb Verb, NounPhrase? Dative, NounPhrase? Accusative, Modal? Modal, bool Negated,
        Adverb? Adverb, bool AdverbFrontEn, Adverb? Manner, NounPhrase? With, NounPhrase? Place, bool ToForm);

    abstract record Sentence;
    sealed record Simple(Clause Clause, bool Question) : Sentence;
    sealed record Complement(Subject Subject, MatrixVerb Verb, bool EnThat, Clause Inner) : Sentence;
    sealed record Adverbial(Clause Main, Conjunction Conjunction, Clause Sub, bool SubFirst) : Sentence;

    // ---------------------------------------------------------------- sampling the English side

    static T Pick<T>(Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    static Sentence SampleSentence(Random rng)
    {
        double u = rng.NextDouble();
        if (u < 0.45) return new Simple(SampleClause(rng, 1.0, allowFrontedAdverb: true), false);
        if (u < 0.57) return new Simple(SampleClause(rng, 1.0, allowFrontedAdverb: false, question: true), true);
        if (u < 0.75)
            return new Complement(SampleSubject(rng, Kind.Person), Pick(rng, MatrixVerbs), rng.NextDouble() < 0.5,
                SampleClause(rng, 0.5, allowFrontedAdverb: false));
        bool subFirst = rng.NextDouble() < 0.35;
        return new Adverbial(SampleClause(rng, 0.5, allowFrontedAdverb: !subFirst), Pick(rng, Conjunctions),
            SampleClause(rng, 0.5, allowFrontedAdverb: false), subFirst);
    }

    static Clause SampleClause(Random rng, double optional, bool allowFrontedAdverb, bool question = false)
    {
        double f = rng.NextDouble();
        var frame = f < 0.25 ? Frame.Intransitive : f < 0.68 ? Frame.Accusative : f < 0.8 ? Frame.Dative : Frame.Ditransitive;
        var verb = Pick(rng, Verbs.Where(v => v.Frame == frame).ToList());
        var subject = SampleSubject(rng, verb.Subject);
        NounPhrase? dat = null, acc = null;
        switch (frame)
        {
            case Frame.Accusative: acc = SamplePhrase(rng, verb.Object); break;
            case Frame.Dative: dat = SamplePhrase(rng, verb.Object); break;
            case Frame.Ditransitive: dat = SamplePhrase(rng, Kind.Person); acc = SamplePhrase(rng, verb.Object); break;
        }
        var modal = rng.NextDouble() < 0.25 ? Pick(rng, Modals) : null;
        Adverb? adverb = null;
        bool front = false;
        if (rng.NextDouble() < 0.3 * optional)
        {
            adverb = Pick(rng, Adverbs.Where(a => a.Type != AdvType.Manner).ToList());
            front = allowFrontedAdverb && adverb.Type == AdvType.Time && rng.NextDouble() < 0.4;
        }
        var manner = verb.Manner && rng.NextDouble() < 0.2 * optional ? Pick(rng, Adverbs.Where(a => a.Type == AdvType.Manner).ToList()) : null;
        var with = rng.NextDouble() < 0.1 * optional ? SamplePhrase(rng, Kind.Person | Kind.Animal) : null;
        NounPhrase? place = null;
        if (rng.NextDouble() < 0.18 * optional)
        {
            var noun = Pick(rng, Nouns.Where(n => n.Kind.HasFlag(Kind.Place)).ToList());
            double d = rng.NextDouble();
            place = new NounPhrase(noun, d < 0.7 ? Det.The : d < 0.9 ? Det.My : Det.Our, false, null, false);
        }
        // Negation only where its German position is unambiguous (no manner adverb, no prepositional
        // phrase, no frequency adverb) and never in questions.
        bool negated = !question && manner is null && with is null && place is null && adverb?.Type != AdvType.Frequency
                       && rng.NextDouble() < 0.25;
        return new Clause(subject, verb, dat, acc, modal, negated, adverb, front, manner, with, place,
            frame == Frame.Ditransitive && rng.NextDouble() < 0.5);
    }

    static Subject SampleSubject(Random rng, Kind allowed)
    {
        if (allowed.HasFlag(Kind.Person) && rng.NextDouble() < 0.35)
            return new Subject((Pronoun)rng.Next(6), null);
        return new Subject(null, SamplePhrase(rng, allowed & (Kind.Person | Kind.Animal)));
    }

    static NounPhrase SamplePhrase(Random rng, Kind allowed)
    {
        var nouns = Nouns.Where(n => (n.Kind & allowed) != 0).ToList();
        var noun = Pick(rng, nouns);
        bool plural = rng.NextDouble() < 0.3;
        double d = rng.NextDouble();
        Det det = plural
            ? (d < 0.35 ? Det.The : d < 0.7 ? Det.Bare : d < 0.8 ? Det.My : d < 0.85 ? Det.Our : Det.This)
            : (d < 0.45 ? Det.The : d < 0.75 ? Det.A : d < 0.85 ? Det.My : d < 0.9 ? Det.Our : Det.This);
        Adjective? adj = null;
        bool very = false;
        if (rng.NextDouble() < 0.3)
        {
            adj = Pick(rng, Adjectives.Where(a => (a.Kind & noun.Kind) != 0).ToList());
            very = rng.NextDouble() < 0.15;
        }
        return new NounPhrase(noun, det, plural, adj, very);
    }

    // ---------------------------------------------------------------- English

    static string English(Sentence s)
    {
        var w = new List<string>();
        switch (s)
        {
            case Simple { Question: false } x: w.AddRange(EnglishClause(x.Clause, allowFront: true)); w.Add("."); break;
            case Simple x: w.AddRange(EnglishQuestion(x.Clause)); w.Add("?"); break;
            case Complement x:
                w.Add(EnglishSubject(x.Subject));
                w.Add(ThirdSingular(x.Subject) ? x.Verb.En3 : x.Verb.En);
                if (x.EnThat) w.Add("that");
                w.AddRange(EnglishClause(x.Inner, allowFront: false));
                w.Add(".");
                break;
            case Adverbial x when x.SubFirst:
                w.Add(x.Conjunction.En);
                w.AddRange(EnglishClause(x.Sub, allowFront: false));
                w.Add(",");
                w.AddRange(EnglishClause(x.Main, allowFront: false));
                w.Add(".");
                break;
            case Adverbial x:
                w.AddRange(EnglishClause(x.Main, allowFront: true));
                w.Add(x.Conjunction.En);
                w.AddRange(EnglishClause(x.Sub, allowFront: false));
                w.Add(".");
                break;
        }
        return Join(w);
    }

    static bool ThirdSingular(Subject s) =>
        s.Pronoun is Pronoun p ? p is Pronoun.He or Pronoun.She : !s.Phrase!.Plural;

    static string EnglishSubject(Subject s) => s.Pronoun switch
    {
        Pronoun.I => "I", Pronoun.You => "you", Pronoun.He => "he", Pronoun.She => "she", Pronoun.We => "we", Pronoun.They => "they",
        _ => EnglishPhrase(s.Phrase!),
    };

    static string EnglishPhrase(NounPhrase np)
    {
        var w = new List<string>();
        string noun = np.Plural ? np.Noun.EnPl : np.Noun.EnSg;
        if (np.Very) w.Add("very");
        if (np.Adjective is not null) w.Add(np.Adjective.En);
        w.Add(noun);
        string first = w[0];
        string? det = np.Det switch
        {
            Det.The => "the",
            Det.A => "aeiou".Contains(first[0]) ? "an" : "a",
            Det.My => "my",
            Det.Our => "our",
            Det.This => np.Plural ? "these" : "this",
            _ => null,
        };
        if (det is not null) w.Insert(0, det);
        return string.Join(' ', w);
    }

    /// <summary>Subject, verb group, objects, manner, with-phrase, place, end adverb.</summary>
    static List<string> EnglishClause(Clause c, bool allowFront)
    {
        var w = new List<string>();
        bool front = allowFront && c.AdverbFrontEn && c.Adverb is not null;
        if (front) w.Add(c.Adverb!.En);
        w.Add(EnglishSubject(c.Subject));
        bool third = ThirdSingular(c.Subject);
        string? freq = c.Adverb?.Type == AdvType.Frequency ? c.Adverb.En : null;
        if (c.Modal is { } m)
        {
            if (m.Lexical)
            {
                if (c.Negated) w.AddRange(new[] { third ? "does" : "do", "not", m.EnNeg });
                else { if (freq is not null) w.Add(freq); w.Add(third ? m.En3 : m.En); }
            }
            else
            {
                w.Add(c.Negated ? m.EnNeg : m.En);
                if (freq is not null) w.Add(freq);
            }
            w.Add(c.Verb.En);
        }
        else if (c.Negated)
        {
            w.AddRange(new[] { third ? "does" : "do", "not", c.Verb.En });
        }
        else
        {
            if (freq is not null) w.Add(freq);
            w.Add(third ? c.Verb.En3 : c.Verb.En);
        }
        EnglishRest(c, w);
        if (!front && c.Adverb is { Type: AdvType.Time }) w.Add(c.Adverb.En);
        return w;
    }

    static void EnglishRest(Clause c, List<string> w)
    {
        if (c.Verb.Frame == Frame.Ditransitive && c.ToForm)
        {
            w.Add(EnglishPhrase(c.Accusative!));
            w.Add("to");
            w.Add(EnglishPhrase(c.Dative!));
        }
        else
        {
            if (c.Dative is not null) w.Add(EnglishPhrase(c.Dative));
            if (c.Accusative is not null) w.Add(EnglishPhrase(c.Accusative));
        }
        if (c.Manner is not null) w.Add(c.Manner.En);
        if (c.With is not null) { w.Add("with"); w.Add(EnglishPhrase(c.With)); }
        if (c.Place is not null) { w.Add("in"); w.Add(EnglishPhrase(c.Place)); }
    }

    static List<string> EnglishQuestion(Clause c)
    {
        var w = new List<string>();
        bool third = ThirdSingular(c.Subject);
        string? freq = c.Adverb?.Type == AdvType.Frequency ? c.Adverb.En : null;
        if (c.Modal is { Lexical: false } m)
        {
            w.Add(m.En);
            w.Add(EnglishSubject(c.Subject));
            if (freq is not null) w.Add(freq);
            w.Add(c.Verb.En);
        }
        else
        {
            w.Add(third ? "does" : "do");
            w.Add(EnglishSubject(c.Subject));
            if (freq is not null) w.Add(freq);
            if (c.Modal is { } lm) w.Add(lm.En);
            w.Add(c.Verb.En);
        }
        EnglishRest(c, w);
        if (c.Adverb is { Type: AdvType.Time }) w.Add(c.Adverb.En);
        return w;
    }

    // ---------------------------------------------------------------- German

    /// <summary>Per-sentence choices that must stay consistent (the German for "you").</summary>
    sealed class DeContext(Random rng)
    {
        public Random Rng { get; } = rng;
        Pronoun2? _you;

        public enum Pronoun2 { Du, Ihr, Sie }

        public Pronoun2 You => _you ??= (Pronoun2)Rng.Next(3);

        public T Pick<T>(IReadOnlyList<T> items) => items[Rng.Next(items.Count)];
    }

    static string German(Sentence s, Random rng)
    {
        var ctx = new DeContext(rng);
        var w = new List<string>();
        switch (s)
        {
            case Simple { Question: false } x: w.AddRange(GermanClause(x.Clause, Mode.Main, ctx)); w.Add("."); break;
            case Simple x: w.AddRange(GermanClause(x.Clause, Mode.Question, ctx)); w.Add("?"); break;
            case Complement x:
                var mv = ctx.Pick(x.Verb.De);
                var (subj, person) = GermanSubject(x.Subject, ctx);
                w.Add(subj);
                w.Add(mv.Forms[person]);
                w.Add(",");
                if (x.Verb.DassOptional && ctx.Rng.NextDouble() < 0.35)
                    w.AddRange(GermanClause(x.Inner, Mode.MainNoFronting, ctx));
                else
                {
                    w.Add("dass");
                    w.AddRange(GermanClause(x.Inner, Mode.Subordinate, ctx));
                }
                w.Add(".");
                break;
            case Adverbial x when x.SubFirst:
                w.Add(ctx.Pick(x.Conjunction.De));
                w.AddRange(GermanClause(x.Sub, Mode.Subordinate, ctx));
                w.Add(",");
                w.AddRange(GermanClause(x.Main, Mode.Question, ctx)); // prefield taken: verb comes first
                w.Add(".");
                break;
            case Adverbial x:
                w.AddRange(GermanClause(x.Main, Mode.Main, ctx));
                w.Add(",");
                w.Add(ctx.Pick(x.Conjunction.De));
                w.AddRange(GermanClause(x.Sub, Mode.Subordinate, ctx));
                w.Add(".");
                break;
        }
        return Join(w);
    }

    /// <summary>Main: verb-second (an adverb may be fronted); MainNoFronting: subject first; Question: verb first; Subordinate: verb last.</summary>
    enum Mode { Main, MainNoFronting, Question, Subordinate }

    static (string Word, int Person) GermanSubject(Subject s, DeContext ctx)
    {
        if (s.Pronoun is Pronoun p)
            return p switch
            {
                Pronoun.I => ("ich", 0),
                Pronoun.You => ctx.You switch { DeContext.Pronoun2.Du => ("du", 1), DeContext.Pronoun2.Ihr => ("ihr", 4), _ => ("Sie", 5) },
                Pronoun.He => ("er", 2),
                Pronoun.She => ("sie", 2),
                Pronoun.We => ("wir", 3),
                _ => ("sie", 5),
            };
        var np = s.Phrase!;
        return (GermanPhrase(np, Case.Nom, negate: false, ctx), np.Plural ? 5 : 2);
    }

    static List<string> GermanClause(Clause c, Mode mode, DeContext ctx)
    {
        var verb = ctx.Pick(c.Verb.De);
        var (subject, person) = GermanSubject(c.Subject, ctx);
        string? finite, infinitive = null;
        if (c.Modal is { } m)
        {
            finite = (c.Negated ? m.DeNeg : m.De).Forms[person];
            infinitive = verb.Infinitive;
        }
        else finite = verb.Forms[person];

        // "kein" replaces "ein"/no article on the object carrying the negation; otherwise "nicht".
        NounPhrase? keinOn = null;
        if (c.Negated)
        {
            var obj = c.Accusative ?? c.Dative;
            if (obj is { Det: Det.A or Det.Bare }) keinOn = obj;
        }
        string? adverb = c.Adverb is null ? null : ctx.Pick(c.Adverb.De);
        bool front = false;
        if (mode == Mode.Main && adverb is not null)
        {
            double p = c.Adverb!.Type == AdvType.Time ? (c.AdverbFrontEn ? 0.7 : 0.25) : 0.2;
            front = ctx.Rng.NextDouble() < p;
        }

        var middle = new List<string>();
        if (mode is Mode.Question or Mode.Subordinate || front) middle.Add(subject);
        if (adverb is not null && !front) middle.Add(adverb);
        if (c.Dative is not null) middle.Add(GermanPhrase(c.Dative, Case.Dat, ReferenceEquals(keinOn, c.Dative), ctx));
        if (c.Accusative is not null) middle.Add(GermanPhrase(c.Accusative, Case.Acc, ReferenceEquals(keinOn, c.Accusative), ctx));
        if (c.With is not null) { middle.Add("mit"); middle.Add(GermanPhrase(c.With, Case.Dat, false, ctx)); }
        if (c.Manner is not null) middle.Add(ctx.Pick(c.Manner.De));
        if (c.Negated && keinOn is null) middle.Add("nicht");
        if (c.Place is not null) middle.Add(GermanPlace(c.Place, ctx));

        var w = new List<string>();
        switch (mode)
        {
            case Mode.Main:
            case Mode.MainNoFronting:
                w.Add(front ? adverb! : subject);
                w.Add(finite);
                w.AddRange(middle);
                if (infinitive is not null) w.Add(infinitive);
                break;
            case Mode.Question:
                w.Add(finite);
                w.AddRange(middle);
                if (infinitive is not null) w.Add(infinitive);
                break;
            case Mode.Subordinate:
                w.AddRange(middle);
                if (infinitive is not null) w.Add(infinitive);
                w.Add(finite);
                break;
        }
        return w;
    }

    static string GermanPlace(NounPhrase np, DeContext ctx)
    {
        var noun = ctx.Pick(np.Noun.De);
        if (np.Det == Det.The && !np.Plural && noun.Gender != 'f') return "im " + noun.Form(false, Case.Dat);
        return "in " + GermanPhrase(np, Case.Dat, false, ctx, noun);
    }

    static string GermanPhrase(NounPhrase np, Case c, bool negate, DeContext ctx, DeNoun? chosen = null)
    {
        var noun = chosen ?? ctx.Pick(np.Noun.De);
        char g = noun.Gender;
        bool pl = np.Plural;
        var w = new List<string>();
        // Declension class of the adjective: weak after der-words, mixed after ein-words (singular), strong without article.
        string adjEnding;
        Det det = negate ? (pl ? Det.Bare : Det.A) : np.Det;
        string? article;
        if (negate)
        {
            article = "kein" + EinEnding(g, pl, c);
            adjEnding = pl ? "en" : MixedEnding(g, c);
        }
        else
        {
            switch (det)
            {
                case Det.The: article = DefiniteArticle(g, pl, c); adjEnding = WeakEnding(g, pl, c); break;
                case Det.This: article = "dies" + DerEnding(g, pl, c); adjEnding = WeakEnding(g, pl, c); break;
                case Det.A: article = "ein" + EinEnding(g, pl, c); adjEnding = MixedEnding(g, c); break;
                case Det.My: article = "mein" + EinEnding(g, pl, c); adjEnding = pl ? "en" : MixedEnding(g, c); break;
                case Det.Our: article = "unser" + EinEnding(g, pl, c); adjEnding = pl ? "en" : MixedEnding(g, c); break;
                default: article = null; adjEnding = c == Case.Dat ? "en" : "e"; break; // strong plural
            }
        }
        if (article is not null) w.Add(article);
        if (np.Adjective is not null)
        {
            if (np.Very) w.Add("sehr");
            var (_, stem) = ctx.Pick(np.Adjective.De);
            w.Add(stem + adjEnding);
        }
        w.Add(noun.Form(pl, c));
        return string.Join(' ', w);
    }

    static string DefiniteArticle(char g, bool pl, Case c) =>
        pl ? (c == Case.Dat ? "den" : "die")
           : (g, c) switch
           {
               ('m', Case.Nom) => "der", ('m', Case.Acc) => "den", ('m', _) => "dem",
               ('f', Case.Dat) => "der", ('f', _) => "die",
               (_, Case.Dat) => "dem", _ => "das",
           };

    /// <summary>Endings of der-words (dieser): -er -e -es / -en -e -es / -em -er -em; plural -e -e -en.</summary>
    static string DerEnding(char g, bool pl, Case c) =>
        pl ? (c == Case.Dat ? "en" : "e")
           : (g, c) switch
           {
               ('m', Case.Nom) => "er", ('m', Case.Acc) => "en", ('m', _) => "em",
               ('f', Case.Dat) => "er", ('f', _) => "e",
               (_, Case.Dat) => "em", _ => "es",
           };

    /// <summary>Endings of ein-words (ein, kein, mein, unser): as der-words but none in masculine nominative and neuter nominative/accusative.</summary>
    static string EinEnding(char g, bool pl, Case c) =>
        !pl && ((g == 'm' && c == Case.Nom) || (g == 'n' && c != Case.Dat)) ? "" : DerEnding(g, pl, c);

    static string WeakEnding(char g, bool pl, Case c) =>
        pl || c == Case.Dat || (g == 'm' && c == Case.Acc) ? "en" : "e";

    static string MixedEnding(char g, Case c) => c switch
    {
        Case.Dat => "en",
        Case.Acc when g == 'm' => "en",
        _ => g switch { 'm' => "er", 'f' => "e", _ => "es" },
    };

    /// <summary>Joins words, attaching punctuation to the word before it and capitalising the first letter.</summary>
    static string Join(List<string> words)
    {
        var sb = new StringBuilder();
        foreach (var word in words)
        {
            if (word.Length == 0) continue;
            if (sb.Length > 0 && word is not ("." or "," or "?")) sb.Append(' ');
            sb.Append(word);
        }
        if (sb.Length > 0) sb[0] = char.ToUpperInvariant(sb[0]);
        return sb.ToString();
    }
}
