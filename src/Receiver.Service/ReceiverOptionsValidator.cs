using Microsoft.Extensions.Options;
using Receiver.Decoders;
using Receiver.Neural.Runtime;

namespace Receiver.Service;

/// <summary>
/// Checks a <see cref="ReceiverOptions"/> before anything starts. Each failure is one line naming
/// the JSON path, the bad value and what is allowed, e.g.
/// <c>Receiver:Ingest[0]:Format: 'gr-flaot' is not one of gr-float, gr-char, gr-tagged, framed</c>.
/// </summary>
public sealed class ReceiverOptionsValidator : IValidateOptions<ReceiverOptions>
{
    public static readonly string[] IngestSockets = ["pull", "sub"];
    public static readonly string[] IngestFormats = ["gr-float", "gr-char", "gr-tagged", "framed"];
    public static readonly string[] LlrSigns = ["gnuradio", "canonical"];
    public static readonly string[] OverflowPolicies = ["block", "drop-oldest"];
    public static readonly string[] BatchPolicies = ["idle-takes-all", "max-wait"];
    public static readonly string[] PublishSockets = ["pub", "push"];
    public static readonly string[] Roles = ["standalone", "frontend", "worker"];
    public static readonly string[] OutputFormats = ["unpacked-info", "packed-info", "unpacked-codeword", "packed-codeword"];
    private static readonly string[] Transports = ["tcp", "ipc", "inproc", "pgm", "epgm", "ws"];

    public ValidateOptionsResult Validate(string? name, ReceiverOptions options)
    {
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The first problem of a configuration, or null when it is valid.</summary>
    public static string? FirstFailure(ReceiverOptions options) => Failures(options).FirstOrDefault();

    /// <summary>Every problem of a configuration, one line each, in the order of the JSON.</summary>
    public static IEnumerable<string> Failures(ReceiverOptions options)
    {
        const string root = ReceiverOptions.SectionName;
        if (options.Codes is not { Count: > 0 }) yield return $"{root}:Codes: configure at least one code (e.g. {{\"Spec\": \"nr:224,256\"}})";
        var codeNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < (options.Codes?.Count ?? 0); i++)
        {
            var code = options.Codes![i];
            var path = $"{root}:Codes[{i}]";
            if (string.IsNullOrWhiteSpace(code.Spec)) yield return $"{path}:Spec: missing (a .alist/.txt path, a bundled code name or nr:K,N)";
            else if (!codeNames.Add(code.Spec.Trim())) yield return $"{path}:Spec: '{code.Spec}' is configured twice";
            if (!string.IsNullOrWhiteSpace(code.Alias) && !codeNames.Add(code.Alias.Trim())) yield return $"{path}:Alias: '{code.Alias}' names another code already";
            var chain = code.Chain ?? new ChainOptions();
            if (!DecoderFactory.IsKnown(chain.Decoder ?? "")) yield return $"{path}:Chain:Decoder: '{chain.Decoder}' is not one of {string.Join(", ", DecoderFactory.Names)}";
            if (!string.IsNullOrWhiteSpace(chain.Fallback) && !DecoderFactory.IsKnown(chain.Fallback)) yield return $"{path}:Chain:Fallback: '{chain.Fallback}' is not one of {string.Join(", ", DecoderFactory.Names)}";
            if (DecoderFactory.NeedsModel(chain.Decoder ?? "") && string.IsNullOrWhiteSpace(chain.Model))
                yield return $"{path}:Chain:Model: decoder '{chain.Decoder}' needs a model (a name from receiver models list, a model folder or a manifest.json path)";
            if (RuntimeProblem(chain.Runtime) is { } runtime) yield return $"{path}:Chain:Runtime: {runtime}";
            if (DeviceProblem(chain.Device) is { } device) yield return $"{path}:Chain:Device: {device}";
            if (chain.Iterations < 1) yield return $"{path}:Chain:Iterations: must be at least 1, got {chain.Iterations}";
            if (!string.IsNullOrWhiteSpace(chain.ElementType) && OneOf(chain.ElementType, LaneElementTypes.Names.ToArray()) is { } element) yield return $"{path}:Chain:ElementType: {element}";
        }

        if (OneOf(options.Role, Roles) is { } role) yield return $"{root}:Role: {role}";
        var isWorker = string.Equals(options.Role?.Trim(), "worker", StringComparison.OrdinalIgnoreCase);
        if (isWorker || string.Equals(options.Role?.Trim(), "frontend", StringComparison.OrdinalIgnoreCase))
        {
            var distribute = options.Distribute ?? new DistributeOptions();
            if (EndpointProblem(distribute.WorkEndpoint) is { } work) yield return $"{root}:Distribute:WorkEndpoint: {work}";
            if (EndpointProblem(distribute.ResultEndpoint) is { } result) yield return $"{root}:Distribute:ResultEndpoint: {result}";
            if (distribute.Window < 1) yield return $"{root}:Distribute:Window: must be at least 1, got {distribute.Window}";
            if (distribute.DeadlineMs < 1) yield return $"{root}:Distribute:DeadlineMs: must be at least 1, got {distribute.DeadlineMs}";
            if (distribute.Hwm < 0) yield return $"{root}:Distribute:Hwm: must be 0 (no limit) or more, got {distribute.Hwm}";
        }

        if (!isWorker && options.Ingest is not { Count: > 0 }) yield return $"{root}:Ingest: configure at least one ingest socket (e.g. {{\"Endpoints\": [\">tcp://127.0.0.1:5555\"]}})";
        for (var i = 0; i < (options.Ingest?.Count ?? 0); i++)
        {
            var ingest = options.Ingest![i];
            var path = $"{root}:Ingest[{i}]";
            if (ingest.Endpoints is not { Count: > 0 }) yield return $"{path}:Endpoints: give at least one endpoint such as >tcp://127.0.0.1:5555";
            else
                for (var e = 0; e < ingest.Endpoints.Count; e++)
                    if (EndpointProblem(ingest.Endpoints[e]) is { } problem) yield return $"{path}:Endpoints[{e}]: {problem}";
            if (OneOf(ingest.Socket, IngestSockets) is { } socket) yield return $"{path}:Socket: {socket}";
            if (OneOf(ingest.Format, IngestFormats) is { } format) yield return $"{path}:Format: {format}";
            if (OneOf(ingest.LlrSign, LlrSigns) is { } sign) yield return $"{path}:LlrSign: {sign}";
            var raw = IngestFormats.Contains(ingest.Format?.Trim(), StringComparer.OrdinalIgnoreCase) && !string.Equals(ingest.Format?.Trim(), "framed", StringComparison.OrdinalIgnoreCase);
            if (raw && string.IsNullOrWhiteSpace(ingest.Code)) yield return $"{path}:Code: format {ingest.Format} carries no code id: name one of the configured codes";
            if (!(ingest.CharScale > 0) || !float.IsFinite(ingest.CharScale)) yield return $"{path}:CharScale: must be a positive number, got {ingest.CharScale}";
            if (string.Equals(ingest.Format, "gr-tagged", StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(ingest.TagKey))
                yield return $"{path}:TagKey: gr-tagged needs the tag key that marks frame starts (e.g. frame_start)";
            if (ingest.MaxMessageBytes < 1) yield return $"{path}:MaxMessageBytes: must be at least 1, got {ingest.MaxMessageBytes}";
            if (ingest.Hwm < 0) yield return $"{path}:Hwm: must be 0 (no limit) or more, got {ingest.Hwm}";
        }

        var batching = options.Batching ?? new BatchingOptions();
        if (batching.MaxBatch is < 1) yield return $"{root}:Batching:MaxBatch: must be at least 1, got {batching.MaxBatch}";
        if (batching.MaxWaitUs < 0) yield return $"{root}:Batching:MaxWaitUs: must be 0 or more, got {batching.MaxWaitUs}";
        var maxBatch = batching.MaxBatchFor(options.Codes);
        if (batching.QueueCapacity < Math.Max(1, maxBatch)) yield return $"{root}:Batching:QueueCapacity: must be at least MaxBatch ({maxBatch}), got {batching.QueueCapacity}";
        if (OneOf(batching.Policy, BatchPolicies) is { } policy) yield return $"{root}:Batching:Policy: {policy}";
        if (OneOf(batching.Overflow, OverflowPolicies) is { } overflow) yield return $"{root}:Batching:Overflow: {overflow}";
        if (batching.Workers < 0) yield return $"{root}:Batching:Workers: must be 0 (one) or more, got {batching.Workers}";

        var publish = options.Publish ?? new PublishOptions();
        if (EndpointProblem(publish.Endpoint) is { } publishProblem) yield return $"{root}:Publish:Endpoint: {publishProblem}";
        if (OneOf(publish.Socket, PublishSockets) is { } publishSocket) yield return $"{root}:Publish:Socket: {publishSocket}";
        if (OneOf(publish.Output, OutputFormats) is { } output) yield return $"{root}:Publish:Output: {output}";
        if (!string.IsNullOrEmpty(publish.MetadataEndpoint) && EndpointProblem(publish.MetadataEndpoint) is { } metadataProblem)
            yield return $"{root}:Publish:MetadataEndpoint: {metadataProblem}";
        if (publish.Hwm < 0) yield return $"{root}:Publish:Hwm: must be 0 (no limit) or more, got {publish.Hwm}";

        var metrics = options.Metrics ?? new MetricsOptions();
        if (metrics.PrometheusPort is < 0 or > 65535) yield return $"{root}:Metrics:PrometheusPort: must be 0 (off) or a TCP port up to 65535, got {metrics.PrometheusPort}";
        if (!string.IsNullOrWhiteSpace(metrics.OtlpEndpoint)
            && !(Uri.TryCreate(metrics.OtlpEndpoint, UriKind.Absolute, out var otlp) && otlp.Scheme is "http" or "https"))
            yield return $"{root}:Metrics:OtlpEndpoint: '{metrics.OtlpEndpoint}' is not an http(s) URL such as http://127.0.0.1:4317";
        if (!(metrics.ConsoleIntervalSeconds >= 0) || !double.IsFinite(metrics.ConsoleIntervalSeconds))
            yield return $"{root}:Metrics:ConsoleIntervalSeconds: must be 0 (off) or more, got {metrics.ConsoleIntervalSeconds}";

        var shutdown = options.Shutdown ?? new ShutdownOptions();
        if (shutdown.DrainDeadlineMs < 0) yield return $"{root}:Shutdown:DrainDeadlineMs: must be 0 or more, got {shutdown.DrainDeadlineMs}";
    }

    /// <summary>Why an endpoint such as "@tcp://127.0.0.1:5555" is unusable, or null when it looks right.</summary>
    public static string? EndpointProblem(string? endpoint)
    {
        if (string.IsNullOrWhiteSpace(endpoint)) return "missing endpoint (e.g. @tcp://127.0.0.1:5555 to bind, >tcp://127.0.0.1:5555 to connect)";
        var address = endpoint.Trim().TrimStart('@', '>');
        var schemeEnd = address.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0 || !Transports.Contains(address[..schemeEnd]) || address.Length == schemeEnd + 3)
            return $"'{endpoint}' is not a ZMQ endpoint (expected [@|>]{string.Join("|", Transports)}://ADDRESS, e.g. @tcp://127.0.0.1:5555)";
        return null;
    }

    private static string? OneOf(string? value, string[] allowed)
        => value is not null && allowed.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase)
            ? null
            : $"'{value}' is not one of {string.Join(", ", allowed)}";

    private static string? RuntimeProblem(string? runtime)
    {
        try
        {
            NeuralRuntimes.Parse(runtime);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    private static string? DeviceProblem(string? device)
    {
        try
        {
            ComputeDevice.Parse(device);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
