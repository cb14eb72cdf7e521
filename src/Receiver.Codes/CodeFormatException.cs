namespace Receiver.Codes;

/// <summary>
/// A code file or code spec that cannot be used: malformed text, inconsistent counts, a name that
/// disagrees with the matrix, a missing file. The message is one line meant for the user, in the
/// compiler style <c>file:line: what is wrong</c> when a file and line are known.
/// </summary>
public sealed class CodeFormatException : Exception
{
    /// <summary>The file (or other source) the problem was found in, when known.</summary>
    public string? FileName { get; }

    /// <summary>1-based line number of the problem, when it is tied to a line.</summary>
    public int? LineNumber { get; }

    public CodeFormatException(string message) : base(message) { }

    public CodeFormatException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Problem at a line of a file: the message reads <c>file:line: problem</c> (or <c>line N: problem</c> without a file name).</summary>
    public CodeFormatException(string? fileName, int lineNumber, string problem)
        : base(fileName is null ? $"line {lineNumber}: {problem}" : $"{fileName}:{lineNumber}: {problem}")
    {
        FileName = fileName;
        LineNumber = lineNumber;
    }

    /// <summary>Problem with a whole file (no single line to blame): the message reads <c>file: problem</c>.</summary>
    public CodeFormatException(string? fileName, string problem)
        : base(fileName is null ? problem : $"{fileName}: {problem}")
    {
        FileName = fileName;
    }
}
