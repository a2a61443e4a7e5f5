using System.CommandLine;
using System.CommandLine.Parsing;

namespace LsLab.Cli;

/// <summary>Turns System.CommandLine's parse errors into one line naming the option and what was expected.</summary>
static class ParseErrors
{
    /// <summary>"lslab translate train" for the command the parse ended in.</summary>
    public static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? s = result; s is CommandResult c; s = c.Parent)
            names.Add(c.Command is RootCommand ? "lslab" : c.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>One line for the first parse error (and how many more there are).</summary>
    public static string Describe(ParseResult r)
    {
        // The most specific first: an unknown token explains a "command required" that follows from it.
        var ordered = r.Errors.OrderBy(e => r.UnmatchedTokens.Any(t => e.Message.Contains(t, StringComparison.Ordinal)) ? 0
                                          : e.SymbolResult is OptionResult or ArgumentResult { Parent: OptionResult } ? 1 : 2).ToList();
        string first = Describe(r, ordered[0]);
        int more = ordered.Skip(1).Select(e => Describe(r, e)).Distinct().Count(m => m != first);
        return more == 0 ? first : $"{first} (and {more} more error{(more == 1 ? "" : "s")})";
    }

    static string Describe(ParseResult r, ParseError e)
    {
        string message = Cli.OneLine(e.Message);
        var option = e.SymbolResult switch
        {
            OptionResult o => o.Option,
            ArgumentResult { Parent: OptionResult o } => o.Option,
            _ => null,
        };
        if (option is not null)
        {
            if (message.StartsWith(option.Name, StringComparison.Ordinal)) return message; // our own validators name the option
            var optionResult = e.SymbolResult as OptionResult ?? (OptionResult)e.SymbolResult!.Parent!;
            if (optionResult.IdentifierToken is null)
                return $"{option.Name} is required: {Describe(option)}";
            var tokens = e.SymbolResult!.Tokens;
            if (tokens.Count == 0)
                return $"{option.Name} needs a value: {Expected(option)}.";
            if (tokens.Count > option.Arity.MaximumNumberOfValues)
                return $"{option.Name} takes one value, got {tokens.Count}: {string.Join(", ", tokens.Select(t => $"'{t.Value}'"))} (given more than once?).";
            string given = string.Join(" ", tokens.Select(t => t.Value));
            string expected = Expected(option);
            return expected == "a value" ? $"{option.Name}: {message}" : $"{option.Name}: '{given}' is not {expected}.";
        }
        if (e.SymbolResult is ArgumentResult { Argument: var arg })
            return $"argument <{arg.Name}>: {message}";
        // Unknown tokens: say which, and suggest the closest option of the command.
        var command = r.CommandResult.Command;
        var unknown = r.UnmatchedTokens.FirstOrDefault();
        if (unknown is not null && message.Contains(unknown, StringComparison.Ordinal))
        {
            string where = CommandPath(r.CommandResult);
            if (unknown.StartsWith('-'))
            {
                var names = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--")).Distinct().ToList();
                var best = names.OrderBy(n => Distance(n, unknown)).FirstOrDefault();
                string hint = best is not null && Distance(best, unknown) <= Math.Max(2, unknown.Length / 3) ? $"; did you mean {best}?" : "";
                return $"unknown option '{unknown}' for `{where}`{hint}";
            }
            if (command.Subcommands.Count > 0)
                return $"unknown command '{unknown}' for `{where}`: expected one of {string.Join(", ", command.Subcommands.Select(c => c.Name))}.";
            return $"unexpected argument '{unknown}' for `{where}` (a value needs its option, e.g. --out DIR).";
        }
        // A missing required option is reported on the command.
        foreach (var o in command.Options.Where(o => o.Required))
            if (r.GetResult(o) is null && message.Contains(o.Name, StringComparison.Ordinal))
                return $"{o.Name} is required: {Describe(o)}";
        if (command.Subcommands.Count > 0 && command.Action is null)
            return $"`{CommandPath(r.CommandResult)}` needs a command: one of {string.Join(", ", command.Subcommands.Select(c => c.Name))}.";
        return message;
    }

    static string Describe(Option o) => (o.Description ?? Expected(o)).TrimEnd('.') + ".";

    /// <summary>What an option's value must look like, from its type.</summary>
    static string Expected(Option o)
    {
        var t = Nullable.GetUnderlyingType(o.ValueType) ?? o.ValueType;
        if (t.IsArray) t = t.GetElementType()!;
        if (t.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(t))}";
        if (t == typeof(int) || t == typeof(long)) return "an integer (e.g. 10)";
        if (t == typeof(double) || t == typeof(float)) return "a number (e.g. 0.1)";
        if (t == typeof(bool)) return "true or false (or no value)";
        return "a value";
    }

    static int Distance(string a, string b)
    {
        var d = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) d[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int prev = d[0];
            d[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cur = d[j];
                d[j] = Math.Min(Math.Min(d[j] + 1, d[j - 1] + 1), prev + (a[i - 1] == b[j - 1] ? 0 : 1));
                prev = cur;
            }
        }
        return d[b.Length];
    }
}
