namespace Receiver.Cli;

/// <summary>Bad command-line input: reported as one <c>error: ...</c> line, exit code 2.</summary>
public sealed class UsageException(string message, Exception? innerException = null) : Exception(message, innerException);
