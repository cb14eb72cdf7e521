namespace Receiver.Service;

/// <summary>
/// Command-line overrides of a configuration file (null: keep the file's value). Ingest settings apply
/// to the first ingest (one is created when the file has none); decoder settings to every code.
/// </summary>
public sealed record ReceiverOverrides
{
    /// <summary>Replaces the configured codes with this one (keeping the first code's chain); raw ingests decode it.</summary>
    public string? Code { get; init; }

    public string? IngestEndpoint { get; init; }

    public string? IngestFormat { get; init; }

    public string? LlrSign { get; init; }

    public string? Decoder { get; init; }

    public int? Iterations { get; init; }

    /// <summary>Model of a neural decoder, for every code.</summary>
    public string? Model { get; init; }

    /// <summary>Runtime of a neural decoder (auto, onnxruntime, torchsharp), for every code.</summary>
    public string? Runtime { get; init; }

    /// <summary>Device of the decoder (cpu, cuda, cuda:N), for every code.</summary>
    public string? Device { get; init; }

    public string? PublishEndpoint { get; init; }

    public string? Output { get; init; }

    public int? MetricsPort { get; init; }

    /// <summary>Applies the overrides; validation runs afterwards on the result.</summary>
    public void ApplyTo(ReceiverOptions options)
    {
        if (Code is { } code)
        {
            var chain = options.Codes.FirstOrDefault()?.Chain ?? new ChainOptions();
            options.Codes = [new CodeOptions { Spec = code, Chain = chain }];
            foreach (var ingest in options.Ingest) ingest.Code = code;
        }
        if (IngestEndpoint is not null || IngestFormat is not null || LlrSign is not null)
        {
            if (options.Ingest.Count == 0) options.Ingest.Add(new IngestEndpointOptions { Code = options.Codes.FirstOrDefault()?.Spec });
            var first = options.Ingest[0];
            if (IngestEndpoint is { } endpoint) first.Endpoints = [endpoint];
            if (IngestFormat is { } format) first.Format = format;
            if (LlrSign is { } sign) first.LlrSign = sign;
        }
        foreach (var configured in options.Codes)
        {
            if (Decoder is { } decoder) configured.Chain.Decoder = decoder;
            if (Iterations is { } iterations) configured.Chain.Iterations = iterations;
            if (Model is { } model) configured.Chain.Model = model;
            if (Runtime is { } runtime) configured.Chain.Runtime = runtime;
            if (Device is { } device) configured.Chain.Device = device;
        }
        if (PublishEndpoint is { } publish) options.Publish.Endpoint = publish;
        if (Output is { } output) options.Publish.Output = output;
        if (MetricsPort is { } port) options.Metrics.PrometheusPort = port;
    }
}
