using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Receiver.Codes;

namespace Receiver.Service.Bench;

/// <summary>How <see cref="ServiceBench.FindMaxAsync"/> searches.</summary>
/// <param name="StartRate">First rate tried, frames per second.</param>
/// <param name="Growth">Factor between rates while every run keeps up.</param>
/// <param name="BisectSteps">Runs between the last rate that kept up and the first that did not.</param>
/// <param name="P99LimitUs">End-to-end p99 above this counts as blown up.</param>
/// <param name="MaxRate">Highest rate tried.</param>
/// <param name="LatencyRetries">A run that kept up except for its p99 is tried again this often before the rate counts as failed
/// (other load on the machine shows in single runs' tails; overload shows in every run).</param>
public sealed record FindMaxSettings(double StartRate = 1000, double Growth = 2, int BisectSteps = 3, double P99LimitUs = 50_000, double MaxRate = 2_000_000, int LatencyRetries = 1);

/// <summary>Outcome of a search: every run, the highest rate sustained, and a run at half of it.</summary>
public sealed record FindMaxResult(IReadOnlyList<BenchRunResult> Runs, double? MaxSustainedRate, BenchRunResult? HalfRateRun);

/// <summary>
/// Latency and throughput benchmark of the receiver service over ZMQ loopback. Starts the service once
/// (in-process or as a <c>receiver run</c> subprocess) with the client's endpoints patched into its
/// configuration (the client binds tcp://127.0.0.1 on picked ports; the service's ingest, PUSH output and
/// metadata stream connect to them), then does runs at set rates or as fast as possible. Runs are separated:
/// each waits until every frame it sent came out or was counted dropped before the next begins.
/// </summary>
public sealed class ServiceBench : IAsyncDisposable
{
    private readonly BenchSettings _settings;
    private readonly BenchClient _client;
    private readonly IBenchTarget _target;
    private readonly string _configPath;

    private ServiceBench(BenchSettings settings, BenchClient client, IBenchTarget target, string configPath, IBlockCode code, string decoder)
    {
        _settings = settings;
        _client = client;
        _target = target;
        _configPath = configPath;
        Code = code;
        Decoder = decoder;
    }

    public IBlockCode Code { get; }

    public string Decoder { get; }

    /// <summary>"in-process" or "subprocess".</summary>
    public string TargetName => _target.Name;

    /// <summary>Resident set size of the service's process now (in-process: this process, the bench client included).</summary>
    public long ServiceResidentBytes() => _target.ResidentBytes();

    /// <summary>Generates the frame pool, binds the client sockets and starts the service connected to them.</summary>
    public static async Task<ServiceBench> StartAsync(BenchSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Format is not ("framed" or "gr-float")) throw new ArgumentException($"the bench sends framed or gr-float, not '{settings.Format}'");
        if (settings.Target == BenchTargetKind.Subprocess && string.IsNullOrEmpty(settings.CliPath)) throw new ArgumentException("a subprocess target needs the CLI's path");

        var configuration = LoadConfiguration(settings.ConfigPath);
        var receiver = PrepareReceiverSection(configuration, settings);
        var codeSpec = receiver["Codes"]![0]!["Spec"]!.GetValue<string>();
        var decoder = receiver["Codes"]![0]!["Chain"]?["Decoder"]?.GetValue<string>() ?? new ChainOptions().Decoder;
        var code = CodeLibrary.Load(codeSpec);

        var client = new BenchClient(code, settings);
        var configPath = Path.Combine(Path.GetTempPath(), $"receiver-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        try
        {
            var ingest = ">" + client.IngestEndpoint;
            var publish = ">" + client.OutputEndpoint;
            receiver["Ingest"]![0]!["Endpoints"] = new JsonArray(ingest);
            receiver["Publish"]!["Endpoint"] = publish;
            receiver["Publish"]!["MetadataEndpoint"] = ">" + client.MetadataEndpoint;
            var metricsPort = settings.Target == BenchTargetKind.Subprocess ? SubprocessTarget.FreePort() : 0;
            receiver["Metrics"]!["PrometheusPort"] = metricsPort;
            await File.WriteAllTextAsync(configPath, configuration.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken);

            IBenchTarget target = settings.Target == BenchTargetKind.Subprocess
                ? await SubprocessTarget.StartAsync(settings.CliPath!, configPath, ingest, publish, metricsPort, cancellationToken)
                : await InProcessTarget.StartAsync(configPath, cancellationToken);
            return new ServiceBench(settings, client, target, configPath, code, decoder);
        }
        catch
        {
            client.Dispose();
            File.Delete(configPath);
            throw;
        }
    }

    /// <summary>
    /// One run: sends for <paramref name="seconds"/> at <paramref name="framesPerSecond"/> (null: as fast as possible),
    /// waits until everything is accounted for (or the settle timeout), and reports.
    /// </summary>
    public async Task<BenchRunResult> RunAsync(double? framesPerSecond, double seconds, CancellationToken cancellationToken = default)
    {
        if (framesPerSecond is { } rate && !(rate > 0 && double.IsFinite(rate))) throw new ArgumentOutOfRangeException(nameof(framesPerSecond), rate, "rate must be positive");
        if (!(seconds > 0 && double.IsFinite(seconds))) throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "seconds must be positive");

        await _target.BeginRunAsync(cancellationToken);
        var outputsBefore = _client.Outputs;
        var recorder = _client.BeginRun();
        var serviceCpuBefore = _target.CpuTime();
        var receiverCpuBefore = _client.ReceiverCpuTime;
        var wallStart = Stopwatch.GetTimestamp();

        var sent = await _client.SendAsync(framesPerSecond, seconds, cancellationToken);

        // Settle: every frame sent comes out of the output socket or is counted dropped.
        var settle = Stopwatch.StartNew();
        var drops = await _target.DropsAsync(cancellationToken);
        var accounted = false;
        while (true)
        {
            var received = _client.Outputs - outputsBefore;
            if (received >= sent.Frames) drops = await _target.DropsAsync(cancellationToken);
            if (received + drops.Values.Sum() >= sent.Frames)
            {
                accounted = true;
                break;
            }
            if (settle.Elapsed > _settings.SettleTimeout || cancellationToken.IsCancellationRequested) break;
            await Task.Delay(_target is InProcessTarget ? 5 : 50, CancellationToken.None);
            if (_client.Outputs - outputsBefore < sent.Frames) drops = await _target.DropsAsync(cancellationToken);
        }
        // Metadata follows its output on the same publisher thread: give the last records a moment.
        var metadataWait = Stopwatch.StartNew();
        var metadataDropped = await _target.MetadataDroppedAsync(cancellationToken);
        while (recorder.EndToEnd.Count + drops.Values.Sum() + metadataDropped < sent.Frames && metadataWait.Elapsed < TimeSpan.FromSeconds(1))
        {
            await Task.Delay(2, CancellationToken.None);
            metadataDropped = await _target.MetadataDroppedAsync(cancellationToken);
        }

        var wallSeconds = Stopwatch.GetElapsedTime(wallStart).TotalSeconds;
        var clientCpu = sent.CpuTime + (_client.ReceiverCpuTime - receiverCpuBefore);
        var serviceCpu = _target.CpuTime() - serviceCpuBefore;
        if (_target is InProcessTarget) serviceCpu -= clientCpu;

        var frequency = (double)Stopwatch.Frequency;
        var sendSeconds = Math.Max(1e-9, (sent.End - sent.Start) / frequency);
        var framesReceived = _client.Outputs - outputsBefore;
        var lastReceipt = Volatile.Read(ref recorder.LastReceipt);
        var publishSeconds = lastReceipt > sent.Start ? (lastReceipt - sent.Start) / frequency : double.NaN;
        var llrBytes = (double)Code.N * sizeof(float);
        var serviceLatency = _target.ServiceLatency() ?? LatencyQuantiles.Of(recorder.Service);
        return new BenchRunResult(
            framesPerSecond is null ? "max" : "rate",
            framesPerSecond,
            sent.Frames / sendSeconds,
            framesReceived / publishSeconds,
            sent.Frames,
            framesReceived,
            drops.Values.Sum(),
            drops,
            sendSeconds,
            sent.Frames * llrBytes / sendSeconds / 1e6,
            serviceLatency,
            _target.ServiceLatency() is null ? "metadata" : _target.LatencySource,
            LatencyQuantiles.Of(recorder.EndToEnd),
            new CpuUse(Math.Max(0, serviceCpu.TotalSeconds) / wallSeconds, clientCpu.TotalSeconds / wallSeconds),
            Code.Name,
            Code.N,
            Code.K,
            Decoder,
            _settings.Format,
            _target.Name,
            accounted,
            metadataDropped);
    }

    /// <summary>
    /// Raises the rate by <see cref="FindMaxSettings.Growth"/> from <see cref="FindMaxSettings.StartRate"/> until a run
    /// does not keep up (<see cref="BenchRunResult.Sustained"/>), bisects between the last good and the first bad
    /// rate, then runs at half the highest sustained rate.
    /// </summary>
    public async Task<FindMaxResult> FindMaxAsync(FindMaxSettings search, double seconds, Action<BenchRunResult>? onRun = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(search);
        var runs = new List<BenchRunResult>();
        async Task<bool> TryRate(double rate)
        {
            for (var attempt = 0; ; attempt++)
            {
                var result = await RunAsync(rate, seconds, cancellationToken);
                runs.Add(result);
                onRun?.Invoke(result);
                if (result.Sustained(search.P99LimitUs)) return true;
                if (!result.Sustained(double.PositiveInfinity) || attempt >= search.LatencyRetries || cancellationToken.IsCancellationRequested) return false;
            }
        }

        double? good = null, bad = null;
        for (var rate = search.StartRate; rate <= search.MaxRate && !cancellationToken.IsCancellationRequested; rate *= search.Growth)
        {
            if (await TryRate(Math.Round(rate))) good = Math.Round(rate);
            else
            {
                bad = Math.Round(rate);
                break;
            }
        }
        if (good is { } low && bad is { } high)
        {
            for (var step = 0; step < search.BisectSteps && !cancellationToken.IsCancellationRequested; step++)
            {
                var middle = Math.Round((low + high) / 2);
                if (middle <= low || middle >= high) break;
                if (await TryRate(middle)) low = middle;
                else high = middle;
            }
            good = low;
        }
        BenchRunResult? half = null;
        if (good is { } best && !cancellationToken.IsCancellationRequested)
        {
            half = await RunAsync(best / 2, seconds, cancellationToken);
            onRun?.Invoke(half);
        }
        return new FindMaxResult(runs, good, half);
    }

    public async ValueTask DisposeAsync()
    {
        await _target.DisposeAsync();
        _client.Dispose();
        try
        {
            File.Delete(_configPath);
        }
        catch (IOException)
        {
        }
    }

    private static JsonObject LoadConfiguration(string? path)
    {
        if (path is null) return new JsonObject();
        if (!File.Exists(path)) throw new FileNotFoundException($"config file '{path}' not found", path);
        var options = new JsonNodeOptions { PropertyNameCaseInsensitive = true };
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), options, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new FormatException($"config file '{path}' is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"config file '{path}' is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>
    /// The "Receiver" section with the bench's choices: one code (the configured first one unless overridden), one
    /// PULL ingest of the bench's format, a PUSH publisher with a metadata stream, no console summary or OTLP.
    /// Endpoints are filled in once the client's sockets are bound.
    /// </summary>
    private static JsonObject PrepareReceiverSection(JsonObject configuration, BenchSettings settings)
    {
        var receiver = Child(configuration, ReceiverOptions.SectionName);
        var codes = receiver["Codes"] as JsonArray;
        if (settings.Code is not null || codes is not { Count: > 0 })
        {
            var chain = (codes is { Count: > 0 } ? codes[0]?["Chain"]?.DeepClone() : null) ?? new JsonObject();
            receiver["Codes"] = codes = new JsonArray(new JsonObject { ["Spec"] = settings.Code ?? "nr:224,256", ["Chain"] = chain });
        }
        else
        {
            receiver["Codes"] = codes = new JsonArray(codes[0]!.DeepClone());
        }
        var code = (JsonObject)codes[0]!;
        var chainOptions = Child(code, "Chain");
        if (settings.Decoder is { } decoder) chainOptions["Decoder"] = decoder;
        if (settings.Iterations is { } iterations) chainOptions["Iterations"] = iterations;
        // A model folder or manifest path is made absolute: a subprocess service may resolve it from another directory.
        if (settings.Runtime is { } runtime) chainOptions["Runtime"] = runtime;
        if (settings.Device is { } device) chainOptions["Device"] = device;
        if (settings.Model is { } model) chainOptions["Model"] = File.Exists(model) || Directory.Exists(model) ? Path.GetFullPath(model) : model;

        var ingest = (receiver["Ingest"] as JsonArray) is { Count: > 0 } configured ? (JsonObject)configured[0]!.DeepClone() : new JsonObject();
        ingest["Socket"] = "pull";
        ingest["Format"] = settings.Format;
        ingest["Code"] = code["Spec"]!.GetValue<string>();
        ingest["LlrSign"] = "canonical";
        ingest["TwoPart"] = false;
        ingest["Endpoints"] = new JsonArray();
        receiver["Ingest"] = new JsonArray(ingest);

        var publish = Child(receiver, "Publish");
        publish["Socket"] = "push";
        publish.Remove("Key");

        var batching = Child(receiver, "Batching");
        if (settings.MaxBatch is { } maxBatch) batching["MaxBatch"] = maxBatch;
        if (settings.Workers is { } workers) batching["Workers"] = workers;
        if (settings.Overflow is { } overflow) batching["Overflow"] = overflow;

        var metrics = Child(receiver, "Metrics");
        metrics["ConsoleIntervalSeconds"] = 0;
        metrics.Remove("OtlpEndpoint");
        return receiver;
    }

    private static JsonObject Child(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject existing) return existing;
        var created = new JsonObject();
        parent[name] = created;
        return created;
    }
}
