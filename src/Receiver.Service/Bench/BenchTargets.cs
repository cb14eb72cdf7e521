using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Receiver.Common;
using Receiver.Pipeline;

namespace Receiver.Service.Bench;

/// <summary>The service under test, as the bench sees it between runs.</summary>
internal interface IBenchTarget : IAsyncDisposable
{
    /// <summary>"in-process" or "subprocess".</summary>
    string Name { get; }

    /// <summary>Where <see cref="ServiceLatency"/> comes from: "histogram" or "metadata".</summary>
    string LatencySource { get; }

    /// <summary>Starts counting drops (and, in-process, latency) for a new run.</summary>
    Task BeginRunAsync(CancellationToken cancellationToken);

    /// <summary>Frames dropped since the run began, by reason (snake_case).</summary>
    Task<IReadOnlyDictionary<string, long>> DropsAsync(CancellationToken cancellationToken);

    /// <summary>Metadata records the service could not send since the run began (their frames were published).</summary>
    Task<long> MetadataDroppedAsync(CancellationToken cancellationToken);

    /// <summary>The service's own latency histogram for the run; null when only the metadata stream has it.</summary>
    LatencyQuantiles? ServiceLatency();

    /// <summary>Resident set size of the process the service runs in (in-process: this one, client included).</summary>
    long ResidentBytes();

    /// <summary>CPU time used by the service so far (in-process: by the whole process).</summary>
    TimeSpan CpuTime();
}

/// <summary>A <see cref="ReceiverHost"/> in this process; per run, the difference of two readouts of its metrics pipeline.</summary>
internal sealed class InProcessTarget : IBenchTarget
{
    private readonly IHost _host;
    private readonly Metrics.MetricsCollector _collector;
    private readonly Process _process = Process.GetCurrentProcess();
    private Metrics.MetricsReadout? _runStart;

    private InProcessTarget(IHost host)
    {
        _host = host;
        _collector = host.Services.GetRequiredService<Metrics.MetricsCollector>();
    }

    public string Name => "in-process";

    public string LatencySource => "histogram";

    public static async Task<InProcessTarget> StartAsync(string configPath, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(configPath, optional: false, reloadOnChange: false).Build();
        var host = ReceiverHost.CreateBuilder(configuration, settings: new ReceiverHostSettings { LogLevel = LogLevel.Warning }).Build();
        try
        {
            await host.StartAsync(cancellationToken);
            await host.Services.GetRequiredService<ServiceEndpoints>().Ready.WaitAsync(cancellationToken);
            return new InProcessTarget(host);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    public Task BeginRunAsync(CancellationToken cancellationToken)
    {
        _runStart = _collector.Read();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, long>> DropsAsync(CancellationToken cancellationToken)
    {
        var drops = new SortedDictionary<string, long>(StringComparer.Ordinal);
        if (_runStart is not null)
            foreach (var (reason, count) in _collector.Read().DroppedByReason)
                if (count - _runStart.DroppedByReason.GetValueOrDefault(reason) is var delta and > 0) drops[reason] = delta;
        return Task.FromResult<IReadOnlyDictionary<string, long>>(drops);
    }

    public Task<long> MetadataDroppedAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_collector.Read().MetadataDropped - (_runStart?.MetadataDropped ?? 0));

    public LatencyQuantiles? ServiceLatency() => _runStart is null ? null : LatencyQuantiles.Of(_collector.Read().Latency.Since(_runStart.Latency));

    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public long ResidentBytes()
    {
        _process.Refresh();
        return _process.WorkingSet64;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        _process.Dispose();
    }
}

/// <summary>
/// <c>dotnet receiver.dll run --config FILE --ingest &gt;... --publish &gt;...</c> as a child process, started once; ready when it
/// prints <c>ready</c>. Drops come from its Prometheus endpoint (counter deltas per run); stopped with SIGTERM (it drains).
/// </summary>
internal sealed partial class SubprocessTarget : IBenchTarget
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly string _metricsUrl;
    private readonly StringBuilder _errors = new();
    private IReadOnlyDictionary<string, long> _baseline = new Dictionary<string, long>();
    private long _metadataBaseline;

    private SubprocessTarget(Process process, string metricsUrl)
    {
        _process = process;
        _metricsUrl = metricsUrl;
    }

    public string Name => "subprocess";

    public string LatencySource => "metadata";

    /// <summary>A free TCP port on 127.0.0.1 for the child's Prometheus endpoint (free when asked; the child binds it next).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static async Task<SubprocessTarget> StartAsync(string cliPath, string configPath, string ingest, string publish, int metricsPort, CancellationToken cancellationToken)
    {
        var isDll = cliPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(isDll ? "dotnet" : cliPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (isDll) start.ArgumentList.Add(cliPath);
        foreach (var argument in new[] { "run", "--config", configPath, "--ingest", ingest, "--publish", publish, "--log-level", "Warning" })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var target = new SubprocessTarget(process, $"http://127.0.0.1:{metricsPort}/metrics");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (target._errors)
                if (target._errors.Length < 16_000) target._errors.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReadyTimeout);
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"the service exited before it was ready (exit code {ExitCodeOf(process)}): {target.ErrorTail()}");
                if (line.Trim() == "ready") break;
            }
            // Keep reading stdout so the child never blocks on a full pipe.
            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            return target;
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    public async Task BeginRunAsync(CancellationToken cancellationToken)
    {
        var text = await ScrapeAsync(cancellationToken);
        (_baseline, _metadataBaseline) = (ParseDrops(text), ParseTotal(text, "receiver_metadata_dropped_total"));
    }

    public async Task<IReadOnlyDictionary<string, long>> DropsAsync(CancellationToken cancellationToken)
    {
        var now = ParseDrops(await ScrapeAsync(cancellationToken));
        return new SortedDictionary<string, long>(now.ToDictionary(p => p.Key, p => p.Value - _baseline.GetValueOrDefault(p.Key)), StringComparer.Ordinal);
    }

    public async Task<long> MetadataDroppedAsync(CancellationToken cancellationToken) =>
        ParseTotal(await ScrapeAsync(cancellationToken), "receiver_metadata_dropped_total") - _metadataBaseline;

    public LatencyQuantiles? ServiceLatency() => null;

    public long ResidentBytes()
    {
        try
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
        catch (InvalidOperationException)
        {
            return 0;
        }
    }

    public TimeSpan CpuTime()
    {
        try
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
        catch (InvalidOperationException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>The child's Prometheus text.</summary>
    private async Task<string> ScrapeAsync(CancellationToken cancellationToken)
    {
        if (_process.HasExited) throw new InvalidOperationException($"the service exited (code {ExitCodeOf(_process)}): {ErrorTail()}");
        return await _http.GetStringAsync(_metricsUrl, cancellationToken);
    }

    /// <summary>The sum of every series of one counter (any labels) in Prometheus text.</summary>
    internal static long ParseTotal(string prometheusText, string name)
    {
        var total = 0L;
        foreach (var line in prometheusText.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || (line[name.Length] != '{' && line[name.Length] != ' ')) continue;
            var space = line.LastIndexOf(' ');
            if (double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) total += (long)Math.Round(value);
        }
        return total;
    }

    /// <summary>receiver_frames_dropped_total{reason="..."} series of the child's Prometheus text.</summary>

    internal static IReadOnlyDictionary<string, long> ParseDrops(string prometheusText)
    {
        var drops = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in prometheusText.Split('\n'))
        {
            if (!line.StartsWith("receiver_frames_dropped_total{", StringComparison.Ordinal)) continue;
            var match = ReasonLabel().Match(line);
            var space = line.LastIndexOf(' ');
            if (!match.Success || space < 0 || !double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) continue;
            var reason = DropNames.SnakeCase(match.Groups[1].Value);
            drops[reason] = drops.GetValueOrDefault(reason) + (long)Math.Round(value);
        }
        return drops;
    }

    [System.Text.RegularExpressions.GeneratedRegex("reason=\"([^\"]*)\"")]
    private static partial System.Text.RegularExpressions.Regex ReasonLabel();

    private string ErrorTail()
    {
        lock (_errors)
        {
            var text = _errors.ToString().Trim();
            return text.Length > 2000 ? text[^2000..] : text;
        }
    }

    private static string ExitCodeOf(Process process)
    {
        try
        {
            return process.HasExited ? process.ExitCode.ToString(CultureInfo.InvariantCulture) : "running";
        }
        catch (InvalidOperationException)
        {
            return "unknown";
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private const int SigTerm = 15;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // SIGTERM: the service drains and exits; kill it only if that takes too long.
                if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) Kill(_process.Id, SigTerm);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    await _process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        _http.Dispose();
    }
}

/// <summary>Drop reasons as the bench reports them: "QueueFull", "queue-full" and "queue_full" all become "queue_full".</summary>
internal static class DropNames
{
    public static string SnakeCase(string reason)
    {
        var result = new StringBuilder(reason.Length + 4);
        for (var i = 0; i < reason.Length; i++)
        {
            var c = reason[i];
            if (char.IsUpper(c) && i > 0 && reason[i - 1] is not ('_' or '-')) result.Append('_');
            result.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        }
        return result.ToString();
    }
}
