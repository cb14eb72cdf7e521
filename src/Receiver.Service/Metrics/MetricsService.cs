using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Receiver.Service.Metrics;

/// <summary>
/// Logs the service's metrics: where the Prometheus endpoint and the OTLP export go (both set up by the
/// <see cref="MetricsCollector"/>) and a periodic one-line summary read from the same OpenTelemetry pipeline.
/// Started first and stopped last, so the final summary counts everything the drain published.
/// </summary>
public sealed class MetricsService(
    MetricsCollector collector,
    IOptions<ReceiverOptions> options,
    ServiceEndpoints endpoints,
    ILogger<MetricsService> logger) : IHostedService, IAsyncDisposable
{
    private readonly MetricsOptions _options = options.Value.Metrics;
    private CancellationTokenSource? _summaryStop;
    private Task _summaryLoop = Task.CompletedTask;
    private readonly Stopwatch _clock = new();
    private int _disposed;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _clock.Start();
        if (collector.PrometheusUrl is { } url)
        {
            endpoints.Metrics = url;
            logger.LogInformation("metrics: {Url}", url);
        }
        if (!string.IsNullOrWhiteSpace(_options.OtlpEndpoint)) logger.LogInformation("metrics: OTLP export to {Endpoint}", _options.OtlpEndpoint);
        if (_options.ConsoleIntervalSeconds > 0)
        {
            _summaryStop = new CancellationTokenSource();
            _summaryLoop = SummaryLoopAsync(TimeSpan.FromSeconds(_options.ConsoleIntervalSeconds), _summaryStop.Token);
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_summaryStop is not null)
        {
            await _summaryStop.CancelAsync();
            await _summaryLoop;
        }
        logger.LogInformation("final: {Summary}", Summary(collector.Read(), null, 0));
        collector.Flush();
    }

    /// <summary>"in 1200 out 1198 dropped 2 (malformed 2) 240.0 fr/s p50 85 us p99 310 us" (rate over the last interval when given).</summary>
    public static string Summary(MetricsReadout now, MetricsReadout? before, double intervalSeconds)
    {
        var dropped = now.FramesDropped == 0
            ? "dropped 0"
            : $"dropped {now.FramesDropped} ({string.Join(", ", now.DroppedByReason.Where(r => r.Value > 0).Select(r => $"{r.Key} {r.Value}"))})";
        var rate = before is not null && intervalSeconds > 0
            ? string.Create(CultureInfo.InvariantCulture, $" {(now.FramesPublished - before.FramesPublished) / intervalSeconds:0.0} fr/s")
            : "";
        var truth = now.CheckedFrames > 0 ? string.Create(CultureInfo.InvariantCulture, $" fer {now.FrameErrors / (double)now.CheckedFrames:0.00E+00}") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"in {now.FramesIn} out {now.FramesPublished} {dropped}{rate} p50 {now.LatencyUs.P50:0} us p99 {now.LatencyUs.P99:0} us{truth}");
    }

    private async Task SummaryLoopAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        var before = collector.Read();
        var last = _clock.Elapsed;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = collector.Read();
                var elapsed = _clock.Elapsed;
                logger.LogInformation("{Summary}", Summary(now, before, (elapsed - last).TotalSeconds));
                before = now;
                last = elapsed;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Idempotent: the container disposes this object both as itself and as a hosted service.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return ValueTask.CompletedTask;
        _summaryStop?.Dispose();
        return ValueTask.CompletedTask;
    }
}
