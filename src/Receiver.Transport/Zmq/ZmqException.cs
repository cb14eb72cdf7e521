namespace Receiver.Transport.Zmq;

/// <summary>
/// A libzmq call failed. The message names the call, the endpoint when there is one, and libzmq's
/// own text for <see cref="ErrorNumber"/> (from <c>zmq_strerror</c>).
/// </summary>
public sealed class ZmqException : Exception
{
    /// <summary>The errno value libzmq reported (Linux errno or a libzmq code such as ETERM).</summary>
    public int ErrorNumber { get; }

    /// <summary>The libzmq function that failed, e.g. <c>zmq_bind</c>.</summary>
    public string Call { get; }

    /// <summary>The endpoint the call was about, when it was about one.</summary>
    public string? Endpoint { get; }

    public ZmqException(int errorNumber, string call, string? endpoint = null)
        : base(Describe(errorNumber, call, endpoint))
    {
        ErrorNumber = errorNumber;
        Call = call;
        Endpoint = endpoint;
    }

    internal static ZmqException FromLastError(string call, string? endpoint = null) =>
        new(ZmqNative.LastError(), call, endpoint);

    private static string Describe(int errorNumber, string call, string? endpoint) =>
        endpoint is null
            ? $"{call} failed: {ZmqNative.ErrorText(errorNumber)} (errno {errorNumber})"
            : $"{call} '{endpoint}' failed: {ZmqNative.ErrorText(errorNumber)} (errno {errorNumber})";
}
