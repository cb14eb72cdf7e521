namespace Receiver.Service;

/// <summary>
/// The service's configuration, bound from the JSON section "Receiver" (see configs/README.md).
/// Names in the JSON are the property names; enum-like values are the lower-case words the CLI
/// uses ("drop-oldest", "unpacked-info"), checked by <see cref="ReceiverOptionsValidator"/>.
/// </summary>
public sealed class ReceiverOptions
{
    public const string SectionName = "Receiver";

    /// <summary>
    /// "standalone" (ingest, decode and publish in this process), "frontend" (ingest, frame, hand frames to workers over
    /// Distribute:WorkEndpoint, publish their results in order) or "worker" (decode what a front end sends; Ingest and
    /// Publish unused).
    /// </summary>
    public string Role { get; set; } = "standalone";

    /// <summary>Front end and workers: sockets, reorder window and deadline.</summary>
    public DistributeOptions Distribute { get; set; } = new();

    /// <summary>Codes the service decodes, each with its decoder chain.</summary>
    public List<CodeOptions> Codes { get; set; } = [];

    /// <summary>Ingest sockets; each feeds one framer.</summary>
    public List<IngestEndpointOptions> Ingest { get; set; } = [];

    public BatchingOptions Batching { get; set; } = new();

    public PublishOptions Publish { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();

    public ShutdownOptions Shutdown { get; set; } = new();
}

/// <summary>One configured code: where it comes from, what else it is called, how it is decoded.</summary>
public sealed class CodeOptions
{
    /// <summary>A .alist/.txt path, a bundled code name or nr:K,N.</summary>
    public string Spec { get; set; } = "";

    /// <summary>Another name envelopes and ingest configurations may use for this code.</summary>
    public string? Alias { get; set; }

    public ChainOptions Chain { get; set; } = new();
}

/// <summary>Decoder chain of one code: syndrome check, main decoder, optional fallback.</summary>
public sealed class ChainOptions
{
    /// <summary>Frames whose hard decisions already satisfy H skip the decoder.</summary>
    public bool SyndromeCheck { get; set; } = true;

    /// <summary>Main decoder name (receiver eval --help lists them).</summary>
    public string Decoder { get; set; } = "layered-nms";

    /// <summary>Iteration cap of iterative decoders.</summary>
    public int Iterations { get; set; } = 20;

    /// <summary>Element type of layered-nms's SIMD lanes: "float", "int16" or "int8"; empty takes the decoder's default (see DecoderOptions.ElementType).</summary>
    public string? ElementType { get; set; }

    /// <summary>Decoder that retries frames the main decoder leaves unconverged (none when empty).</summary>
    public string? Fallback { get; set; }

    /// <summary>Model of a neural main decoder (ecct, fecct, eccfm, uecct, aecct, ddecc): a name (receiver models list), a model folder or a manifest.json path.</summary>
    public string? Model { get; set; }

    /// <summary>Runtime of a neural main decoder: "auto" (ONNX Runtime where the model ships an .onnx file), "onnxruntime" or "torchsharp".</summary>
    public string Runtime { get; set; } = "auto";

    /// <summary>Where the main decoder runs: "cpu", "cuda" or "cuda:N" (neural decoders only; no CUDA device is an error at start).</summary>
    public string Device { get; set; } = "cpu";
}

/// <summary>One ingest socket and the framing of what arrives on it.</summary>
public sealed class IngestEndpointOptions
{
    /// <summary>ZMQ endpoints; '@' binds, '>' connects, no prefix connects.</summary>
    public List<string> Endpoints { get; set; } = [];

    /// <summary>"pull" or "sub" (SUB subscribes to everything).</summary>
    public string Socket { get; set; } = "pull";

    /// <summary>"gr-float", "gr-char", "gr-tagged" or "framed".</summary>
    public string Format { get; set; } = "framed";

    /// <summary>Code of the raw formats (every frame on this socket); framed envelopes name their own code.</summary>
    public string? Code { get; set; }

    /// <summary>"gnuradio" (positive means bit 1, negated on ingest) or "canonical" (positive means bit 0).</summary>
    public string LlrSign { get; set; } = "canonical";

    /// <summary>gr-char: LLR = byte value times this scale.</summary>
    public float CharScale { get; set; } = 1f / 16;

    /// <summary>gr-tagged: frames start at items carrying this tag key.</summary>
    public string TagKey { get; set; } = "frame_start";

    /// <summary>Messages longer than this are dropped as malformed.</summary>
    public int MaxMessageBytes { get; set; } = 16 << 20;

    /// <summary>Messages come as [key][payload]: the first part is skipped.</summary>
    public bool TwoPart { get; set; }

    /// <summary>Receive high-water mark, in messages.</summary>
    public int Hwm { get; set; } = 1000;

    /// <summary>CURVE security of this socket (off when empty).</summary>
    public CurveOptions Curve { get; set; } = new();
}

/// <summary>How frames are grouped for the decoders.</summary>
public sealed class BatchingOptions
{
    /// <summary>Most frames per batch; unset: <see cref="CpuMaxBatch"/>, or <see cref="GpuMaxBatch"/> when a code runs on a CUDA device.</summary>
    public int? MaxBatch { get; set; }

    public const int CpuMaxBatch = 64;

    /// <summary>A GPU is busy only with large batches; frames queue while one runs.</summary>
    public const int GpuMaxBatch = 1024;

    /// <summary><see cref="MaxBatch"/>, or its default for <paramref name="codes"/>: <see cref="GpuMaxBatch"/> when one runs on a CUDA device.</summary>
    public int MaxBatchFor(IEnumerable<CodeOptions>? codes) => MaxBatch
        ?? ((codes ?? []).Any(c => c?.Chain?.Device?.Trim().StartsWith("cuda", StringComparison.OrdinalIgnoreCase) == true) ? GpuMaxBatch : CpuMaxBatch);

    /// <summary>A batch closes this long after its first frame arrived, full or not.</summary>
    public int MaxWaitUs { get; set; } = 200;

    /// <summary>"idle-takes-all" (a free worker takes what is queued at once: latency first) or "max-wait" (a batch waits up to MaxWaitUs to fill: throughput first).</summary>
    public string Policy { get; set; } = "idle-takes-all";

    /// <summary>Frames a (code, decoder) queue holds before the overflow policy applies.</summary>
    public int QueueCapacity { get; set; } = 4096;

    /// <summary>"block" (ingest waits; the socket's HWM then pushes back) or "drop-oldest" (counted as queue-full).</summary>
    public string Overflow { get; set; } = "block";

    /// <summary>
    /// Decoding workers per code (0 or 1: one, whose decoder spreads large batches over the cores). More workers
    /// decode batches side by side; with <see cref="PreserveOrder"/> each code's outputs still leave in arrival order.
    /// </summary>
    public int Workers { get; set; }

    /// <summary>With several workers, publish each code's batches in arrival order (true, the default) or as they finish (false).</summary>
    public bool PreserveOrder { get; set; } = true;
}

/// <summary>Where decoded bits go.</summary>
public sealed class PublishOptions
{
    /// <summary>ZMQ endpoint; '@' binds, '>' connects, no prefix binds.</summary>
    public string Endpoint { get; set; } = "@tcp://127.0.0.1:5556";

    /// <summary>"pub" or "push".</summary>
    public string Socket { get; set; } = "pub";

    /// <summary>"unpacked-info", "packed-info", "unpacked-codeword" or "packed-codeword".</summary>
    public string Output { get; set; } = "unpacked-info";

    /// <summary>When set, every output is a two-part message [key][bits].</summary>
    public string? Key { get; set; }

    /// <summary>Optional second PUB/PUSH endpoint carrying one MessagePack metadata record per frame.</summary>
    public string? MetadataEndpoint { get; set; }

    /// <summary>Send high-water mark, in messages.</summary>
    public int Hwm { get; set; } = 10000;

    /// <summary>CURVE security of the output (and metadata) socket (off when empty).</summary>
    public CurveOptions Curve { get; set; } = new();
}

/// <summary>
/// CURVE security of one socket, from key files (CZMQ certificates as pyzmq's zmq.auth.create_certificates writes
/// them, or a file with one Z85 key). A server gives only SecretKeyFile; a client gives ServerPublicKeyFile and
/// optionally its own SecretKeyFile (a fresh key pair otherwise). Both empty: plain TCP.
/// </summary>
public sealed class CurveOptions
{
    /// <summary>This socket's certificate: the server's secret key file, or the client's own.</summary>
    public string? SecretKeyFile { get; set; }

    /// <summary>Makes this socket a CURVE client of the server with the public key in this file.</summary>
    public string? ServerPublicKeyFile { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(SecretKeyFile) || !string.IsNullOrWhiteSpace(ServerPublicKeyFile);

    /// <summary>The keys, read from the files; null when CURVE is off.</summary>
    public Transport.Zmq.CurveKeys? Load() =>
        !Enabled ? null
        : !string.IsNullOrWhiteSpace(ServerPublicKeyFile) ? Transport.Zmq.CurveKeys.Client(ServerPublicKeyFile, SecretKeyFile)
        : Transport.Zmq.CurveKeys.Server(SecretKeyFile!);
}

/// <summary>Metrics exporters.</summary>
public sealed class MetricsOptions
{
    /// <summary>Prometheus text endpoint at http://127.0.0.1:PORT/metrics; 0 turns it off.</summary>
    public int PrometheusPort { get; set; }

    /// <summary>OTLP collector endpoint (e.g. http://127.0.0.1:4317); empty turns the exporter off.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Seconds between one-line summaries on the log (0: none).</summary>
    public double ConsoleIntervalSeconds { get; set; } = 5;
}

public sealed class ShutdownOptions
{
    /// <summary>How long shutdown waits for queued frames to be decoded and published before dropping the rest as "shutdown".</summary>
    public int DrainDeadlineMs { get; set; } = 5000;
}

/// <summary>
/// The ventilator / workers / sink sockets between a front end and its decoding workers. The front end binds both
/// endpoints (workers connect, so they may join and leave while it runs); a worker gives the same two endpoints with '>'.
/// </summary>
public sealed class DistributeOptions
{
    /// <summary>Framed work goes out here (front end PUSH, workers PULL; ZeroMQ spreads it over the connected workers).</summary>
    public string WorkEndpoint { get; set; } = "@tcp://127.0.0.1:5560";

    /// <summary>Decoded results come back here (workers PUSH, front end PULL).</summary>
    public string ResultEndpoint { get; set; } = "@tcp://127.0.0.1:5561";

    /// <summary>
    /// Front end: most frames out at workers at once (the reorder window); a full window pushes back on ingest. Keep
    /// Window well under DeadlineMs times the workers' frames per millisecond, or frames that are merely queued time out.
    /// </summary>
    public int Window { get; set; } = 1024;

    /// <summary>
    /// Front end: a frame not back within this many milliseconds of its dispatch is counted dropped with reason lost
    /// (it is also how long the ordered output stalls behind a frame a dead worker held).
    /// </summary>
    public int DeadlineMs { get; set; } = 3000;

    /// <summary>High-water mark of the work and result sockets, in messages; small keeps few frames queued at a worker that may die.</summary>
    public int Hwm { get; set; } = 256;
}
