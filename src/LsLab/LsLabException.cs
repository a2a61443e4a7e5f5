namespace LsLab;

/// <summary>
/// An error caused by the user's input (a file, a field, an option), with a message that says
/// what was wrong and what was expected. The CLI prints only its message, with no stack trace.
/// </summary>
public class LsLabException : Exception
{
    /// <summary>A user error: <paramref name="message"/> is one line naming the file or option and what was expected.</summary>
    public LsLabException(string message) : base(message) { }
    /// <summary>A user error caused by <paramref name="inner"/>.</summary>
    public LsLabException(string message, Exception inner) : base(message, inner) { }
}
