namespace Receiver.Transport.Framing;

/// <summary>What arrives on an ingest socket.</summary>
public enum IngestFormat
{
    /// <summary>gr-zeromq sink, pass_tags=False, float32 items in host order; message boundaries unrelated to frames.</summary>
    GrFloat,
    /// <summary>gr-zeromq sink, pass_tags=False, int8 soft bits; LLR = value * <see cref="IngestOptions.CharScale"/>.</summary>
    GrChar,
    /// <summary>gr-zeromq sink, pass_tags=True, float32 items after the tag header; frames align on <see cref="IngestOptions.TagKey"/>.</summary>
    GrTagged,
    /// <summary>The project's MessagePack envelope (<see cref="Receiver.Common.FrameEnvelope"/>), one frame per message.</summary>
    Framed,
}

/// <summary>Sign convention of the LLRs on the wire.</summary>
public enum LlrSign
{
    /// <summary>ln P(0)/P(1): positive means bit 0 (the receiver's own convention; no conversion).</summary>
    Canonical,
    /// <summary>GNU Radio soft decisions: positive means bit 1; negated once at ingest.</summary>
    GnuRadio,
}

/// <summary>ZeroMQ socket type of an ingest.</summary>
public enum IngestSocketType
{
    Pull,
    Sub,
}

/// <summary>
/// One ingest: socket, wire format and framing limits. The service binds it from JSON (enums by name, or
/// the CLI spellings through <see cref="IngestNames"/>).
/// </summary>
public sealed record IngestOptions
{
    /// <summary>ZMQ endpoint; '@' binds, '>' connects, no prefix connects.</summary>
    public string Endpoint { get; init; } = "";

    public IngestSocketType SocketType { get; init; } = IngestSocketType.Pull;

    public IngestFormat Format { get; init; } = IngestFormat.Framed;

    /// <summary>Code of every frame on a raw stream (gr-float, gr-char, gr-tagged); framed envelopes name their own.</summary>
    public string? Code { get; init; }

    public LlrSign LlrSign { get; init; } = LlrSign.Canonical;

    /// <summary>gr-char: LLR = int8 value * CharScale (before the sign convention is applied).</summary>
    public float CharScale { get; init; } = 1f / 16;

    /// <summary>gr-tagged: a frame starts at every item carrying a tag with this key.</summary>
    public string TagKey { get; init; } = "frame_start";

    /// <summary>
    /// Handed to the socket (ZMQ_MAXMSGSIZE): a peer sending a larger message is disconnected before the message is
    /// buffered, which the receive loop logs and counts (stream event peer_disconnected).
    /// </summary>
    public int MaxMessageBytes { get; init; } = 16 << 20;

    /// <summary>
    /// Messages are two-part <c>[key][payload]</c> (gr-zeromq pub_sink with a key, or clients tagging a stream):
    /// the receive loop drops the key part and writes only the payload as a record, so framers never see keys.
    /// </summary>
    public bool TwoPart { get; init; }

    /// <summary>SUB only: subscription prefix ("" = everything).</summary>
    public string Subscribe { get; init; } = "";

    /// <summary>ZMQ_RCVHWM in messages (0 = unlimited).</summary>
    public int ReceiveHighWaterMark { get; init; } = 1000;

    /// <summary>CURVE keys of the ingest socket; null for plain TCP.</summary>
    public Zmq.CurveKeys? Curve { get; init; }

    /// <summary>Largest message limit: a NetMQ message is at most int.MaxValue bytes.</summary>
    public const int MaxMessageBytesLimit = int.MaxValue;

    /// <summary>One line per problem; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var address = Endpoint.TrimStart('@', '>');
        if (string.IsNullOrWhiteSpace(Endpoint))
            errors.Add("ingest endpoint is empty (expected e.g. tcp://127.0.0.1:5555, '@' to bind, '>' to connect)");
        else if (!address.Contains("://", StringComparison.Ordinal))
            errors.Add($"ingest endpoint '{Endpoint}' has no transport (expected tcp://, ipc:// or inproc://)");
        if (!Enum.IsDefined(SocketType)) errors.Add($"ingest socket type {(int)SocketType} is not pull or sub");
        if (!Enum.IsDefined(Format)) errors.Add($"ingest format {(int)Format} is not gr-float, gr-char, gr-tagged or framed");
        if (!Enum.IsDefined(LlrSign)) errors.Add($"llr sign {(int)LlrSign} is not canonical or gnuradio");
        if (Format != IngestFormat.Framed && string.IsNullOrWhiteSpace(Code))
            errors.Add($"ingest format {IngestNames.FormatName(Format)} needs a code (the stream carries no code id)");
        if (Format == IngestFormat.GrChar && !(float.IsFinite(CharScale) && CharScale > 0))
            errors.Add($"gr-char scale must be a finite number > 0, got {CharScale}");
        if (Format == IngestFormat.GrTagged && string.IsNullOrEmpty(TagKey))
            errors.Add("gr-tagged needs a tag key (e.g. frame_start or packet_len)");
        if (MaxMessageBytes <= 0 || MaxMessageBytes > MaxMessageBytesLimit)
            errors.Add($"max message bytes must be in 1..{MaxMessageBytesLimit}, got {MaxMessageBytes}");
        if (SocketType == IngestSocketType.Pull && !string.IsNullOrEmpty(Subscribe))
            errors.Add($"subscribe prefix '{Subscribe}' needs a sub socket (this ingest is pull)");
        if (ReceiveHighWaterMark < 0) errors.Add($"receive high-water mark must be >= 0, got {ReceiveHighWaterMark}");
        return errors;
    }
}

/// <summary>The CLI/JSON spellings of the ingest enums ("gr-float", "gnuradio", ...); enum names are accepted too.</summary>
public static class IngestNames
{
    public static string FormatName(IngestFormat format) => format switch
    {
        IngestFormat.GrFloat => "gr-float",
        IngestFormat.GrChar => "gr-char",
        IngestFormat.GrTagged => "gr-tagged",
        IngestFormat.Framed => "framed",
        _ => format.ToString(),
    };

    public static bool TryParseFormat(string? text, out IngestFormat format)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "gr-float" or "grfloat" or "float": format = IngestFormat.GrFloat; return true;
            case "gr-char" or "grchar" or "char": format = IngestFormat.GrChar; return true;
            case "gr-tagged" or "grtagged" or "tagged": format = IngestFormat.GrTagged; return true;
            case "framed" or "envelope": format = IngestFormat.Framed; return true;
            default: format = default; return false;
        }
    }

    public static bool TryParseLlrSign(string? text, out LlrSign sign)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "canonical": sign = LlrSign.Canonical; return true;
            case "gnuradio" or "gnu-radio" or "gr": sign = LlrSign.GnuRadio; return true;
            default: sign = default; return false;
        }
    }

    public static bool TryParseSocketType(string? text, out IngestSocketType type)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "pull": type = IngestSocketType.Pull; return true;
            case "sub": type = IngestSocketType.Sub; return true;
            default: type = default; return false;
        }
    }
}
