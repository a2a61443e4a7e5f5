namespace LsLab;

/// <summary>
/// An error caused by the user's input (a file, a field, an option), with a message that says
/// what was wrong and what was expected. The CLI prints only its message, with no stack trace.
/// </summary>
public class LsLabException : Exception
{
    public LsLabException(string message) : base(message) { }
    public LsLabException(string message, Exception inner) : base(message, inner) { }
}
