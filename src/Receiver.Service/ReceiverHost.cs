using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Receiver.Common;
using Receiver.Decoders;
using Receiver.Pipeline;
using Receiver.Service.Distributed;
using Receiver.Service.Metrics;
using Receiver.Service.Publishing;
using Receiver.Transport.Framing;
using Receiver.Transport.Ingest;

namespace Receiver.Service;

/// <summary>What one receiver process does (configuration <c>Role</c>).</summary>
public enum ServiceRole
{
    /// <summary>Ingest, decode and publish in this process.</summary>
    Standalone,
    /// <summary>Ingest and frame, hand frames to workers, publish their results in order.</summary>
    FrontEnd,
    /// <summary>Decode what a front end sends and send the results back.</summary>
    Worker,
}

/// <summary>How a host is set up around the service (not part of the JSON configuration).</summary>
public sealed record ReceiverHostSettings
{
    /// <summary>Where the single line <c>ready</c> goes once every socket is up (the CLI's stdout); null for nowhere.</summary>
    public TextWriter? ReadyWriter { get; init; }

    /// <summary>Least severe log level written (to stderr).</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Keep ground truth for a loopback source: registers a <see cref="GroundTruthStore"/> the batcher compares against.</summary>
    public bool GroundTruth { get; init; }

    /// <summary>Ground-truth slots per code: more than the frames in flight between source and decoder.</summary>
    public int GroundTruthCapacity { get; init; } = 1 << 17;
}

/// <summary>
/// Builds the receiver service as a .NET generic host: options bound from the "Receiver" section (then
/// overridden, then validated on start), and hosted services started in data-flow order from the output
/// back (metrics, publisher, batcher, ingests) so stopping runs the other way: ingest stops first, the
/// framers and batcher drain, the publisher flushes, and the metrics summary comes last.
/// </summary>
public static class ReceiverHost
{
    /// <summary>A host builder for the configuration (its "Receiver" section), with <paramref name="overrides"/> applied before validation.</summary>
    public static HostApplicationBuilder CreateBuilder(IConfiguration configuration, ReceiverOverrides? overrides = null, ReceiverHostSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        settings ??= new ReceiverHostSettings();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.SetMinimumLevel(settings.LogLevel);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // A start failure is reported once by the caller (the CLI's one error line), not also as a stack trace here.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        // Signals are the caller's business (the CLI cancels a token on Ctrl-C/SIGTERM), so two hosts in one process never fight over them.
        builder.Services.AddSingleton<IHostLifetime, CallerLifetime>();
        builder.Services.AddReceiver(builder.Configuration.GetSection(ReceiverOptions.SectionName), overrides, settings);
        return builder;
    }

    /// <summary>Registers the service's options, pipeline objects and hosted services.</summary>
    public static IServiceCollection AddReceiver(this IServiceCollection services, IConfiguration section, ReceiverOverrides? overrides = null, ReceiverHostSettings? settings = null)
    {
        settings ??= new ReceiverHostSettings();
        services.AddOptions<ReceiverOptions>()
            .Bind(section)
            .PostConfigure(o => overrides?.ApplyTo(o))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReceiverOptions>, ReceiverOptionsValidator>());
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(1));
        services.AddMetrics();

        services.AddSingleton(sp => new ReceiverMetrics(sp.GetRequiredService<IMeterFactory>()));
        services.AddSingleton(sp => new MetricsCollector(sp.GetRequiredService<ReceiverMetrics>(), Options(sp).Metrics.PrometheusPort, Options(sp).Metrics.OtlpEndpoint));
        services.AddSingleton<ServiceEndpoints>();
        services.AddSingleton<ShutdownDeadline>();
        services.AddSingleton<FramePool>();
        services.AddSingleton(sp => new CodeRegistry(Options(sp).Codes.Select(c =>
            new CodeEntry(c.Spec, string.IsNullOrWhiteSpace(c.Alias) ? null : [c.Alias]))));
        services.AddSingleton<ICodeDirectory>(sp => sp.GetRequiredService<CodeRegistry>());
        if (settings.GroundTruth)
        {
            services.AddSingleton(sp => new GroundTruthStore(sp.GetRequiredService<CodeRegistry>(), settings.GroundTruthCapacity));
            services.AddSingleton<IGroundTruth>(sp => sp.GetRequiredService<GroundTruthStore>());
        }
        services.AddSingleton(sp => new PublisherSink(
            PublisherSettingsOf(Options(sp)), sp.GetRequiredService<ICodeDirectory>(),
            sp.GetRequiredService<ReceiverMetrics>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Receiver.Publish")));
        services.AddSingleton(sp => new ResultSink(Options(sp).Distribute, sp.GetRequiredService<ICodeDirectory>(), sp.GetRequiredService<ReceiverMetrics>()));
        services.AddSingleton(sp => new FrontEndDispatcher(Options(sp).Distribute, sp.GetRequiredService<CodeRegistry>(), BatcherOptionsOf(Options(sp)).MaxBatch,
            sp.GetRequiredService<PublisherSink>(), sp.GetRequiredService<ReceiverMetrics>(), sp.GetRequiredService<FramePool>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Receiver.FrontEnd")));
        // What the batcher hands decoded frames to, and what the framers hand frames to, depend on the role.
        services.AddSingleton<IDecodedSink>(sp => RoleOf(Options(sp)) == ServiceRole.Worker ? sp.GetRequiredService<ResultSink>() : sp.GetRequiredService<PublisherSink>());
        services.AddSingleton<IFrameSink>(sp => RoleOf(Options(sp)) == ServiceRole.FrontEnd ? sp.GetRequiredService<FrontEndDispatcher>() : sp.GetRequiredService<MicroBatcher>());
        services.AddSingleton(CreateBatcher);

        // Start order = data flow from the output back; stop order is the reverse. Each service does nothing in a role that has no use for it.
        services.AddSingleton<MetricsService>();
        services.AddHostedService(sp => sp.GetRequiredService<MetricsService>());
        services.AddHostedService<PublisherService>();
        services.AddHostedService<ResultSinkService>();
        services.AddHostedService<BatcherService>();
        services.AddHostedService<FrontEndService>();
        services.AddHostedService<WorkReceiverService>();
        services.AddSingleton<IngestServices>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestServices>());
        services.AddHostedService(sp => new ReadyService(settings.ReadyWriter, sp.GetRequiredService<ServiceEndpoints>()));
        // Registered last, so stopped first: the drain deadline runs from the moment shutdown begins.
        services.AddHostedService<ShutdownStarter>();
        return services;
    }

    /// <summary>The configured role (validated before start).</summary>
    public static ServiceRole RoleOf(ReceiverOptions options) => options.Role?.Trim().ToLowerInvariant() switch
    {
        "frontend" => ServiceRole.FrontEnd,
        "worker" => ServiceRole.Worker,
        _ => ServiceRole.Standalone,
    };

    /// <summary>The ingest options the framers take, from one configured ingest.</summary>
    public static IngestOptions IngestOptionsOf(IngestEndpointOptions ingest)
    {
        IngestNames.TryParseFormat(ingest.Format, out var format);
        IngestNames.TryParseLlrSign(ingest.LlrSign, out var sign);
        IngestNames.TryParseSocketType(ingest.Socket, out var socket);
        return new IngestOptions
        {
            Endpoint = string.Join(",", ingest.Endpoints.Select(e => e.Trim())),
            SocketType = socket,
            Format = format,
            Code = ingest.Code,
            LlrSign = sign,
            CharScale = ingest.CharScale,
            TagKey = ingest.TagKey,
            MaxMessageBytes = ingest.MaxMessageBytes,
            TwoPart = ingest.TwoPart,
            ReceiveHighWaterMark = ingest.Hwm,
            Curve = ingest.Curve?.Load(),
        };
    }

    public static PublisherSettings PublisherSettingsOf(ReceiverOptions options) => new(
        options.Publish.Endpoint.Trim(),
        string.Equals(options.Publish.Socket, "push", StringComparison.OrdinalIgnoreCase),
        OutputFormatter.Parse(options.Publish.Output),
        string.IsNullOrEmpty(options.Publish.Key) ? null : options.Publish.Key,
        string.IsNullOrWhiteSpace(options.Publish.MetadataEndpoint) ? null : options.Publish.MetadataEndpoint.Trim(),
        options.Publish.Hwm,
        Curve: options.Publish.Curve?.Load());

    public static MicroBatcherOptions BatcherOptionsOf(ReceiverOptions options) => new()
    {
        MaxBatch = options.Batching.MaxBatchFor(options.Codes),
        MaxWaitUs = options.Batching.MaxWaitUs,
        Policy = string.Equals(options.Batching.Policy, "max-wait", StringComparison.OrdinalIgnoreCase) ? BatchPolicy.MaxWait : BatchPolicy.IdleTakesAll,
        QueueCapacity = options.Batching.QueueCapacity,
        Overflow = string.Equals(options.Batching.Overflow, "drop-oldest", StringComparison.OrdinalIgnoreCase) ? OverflowPolicy.DropOldest : OverflowPolicy.Block,
        Workers = Math.Max(1, options.Batching.Workers),
        // GNU Radio bit sinks rely on arrival order; several workers keep it unless told otherwise.
        PreserveOrder = options.Batching.PreserveOrder,
    };

    /// <summary>
    /// Runs a chain on noisy all-zero codewords for a moment before frames arrive, so the first real frames do
    /// not wait for the JIT to compile and optimise the decoder (otherwise the first ~100 ms show up in p99).
    /// </summary>
    private static void WarmUp(DecoderChain chain)
    {
        var frames = chain.MaxBatch;
        var llrs = new float[frames * chain.InputLength];
        var random = new Random(1);
        for (var i = 0; i < llrs.Length; i++) llrs[i] = 2f + (float)random.NextDouble() * 6f - 4.5f;
        var bits = new byte[frames * chain.OutputLength];
        var status = new DecodeStatus[frames];
        var stages = new DecodeStage[frames];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var round = 0; round < 200 && clock.ElapsedMilliseconds < 300; round++)
        {
            var count = round % 2 == 0 ? 1 : frames;
            chain.Process(llrs.AsSpan(0, count * chain.InputLength), bits.AsSpan(0, count * chain.OutputLength), status.AsSpan(0, count), stages.AsSpan(0, count));
        }
    }

    private static ReceiverOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<ReceiverOptions>>().Value;

    private static MicroBatcher CreateBatcher(IServiceProvider services)
    {
        var options = Options(services);
        var registry = services.GetRequiredService<CodeRegistry>();
        var batcherOptions = BatcherOptionsOf(options);
        var chains = registry.Codes.Select((code, i) =>
        {
            var chain = options.Codes[i].Chain;
            // A single worker lets the decoder spread large batches over the cores; several workers each keep to their thread.
            var decoderOptions = new DecoderOptions
            {
                Iterations = chain.Iterations,
                Parallelism = batcherOptions.Workers == 1 ? 0 : 1,
                Model = string.IsNullOrWhiteSpace(chain.Model) ? null : chain.Model,
                NeuralMaxBatch = Math.Max(1, batcherOptions.MaxBatch),
                Runtime = chain.Runtime,
                Device = ComputeDevice.Parse(chain.Device),
                ElementType = string.IsNullOrWhiteSpace(chain.ElementType) ? null : LaneElementTypes.Parse(chain.ElementType),
            };
            return new DecoderChain(code, new DecoderChainOptions
            {
                SyndromeCheck = chain.SyndromeCheck,
                Decoder = chain.Decoder,
                DecoderOptions = decoderOptions,
                Fallback = string.IsNullOrWhiteSpace(chain.Fallback) ? null : chain.Fallback,
            }, batcherOptions.MaxBatch);
        }).ToArray();
        foreach (var chain in chains) WarmUp(chain);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Receiver.Batcher");
        return new MicroBatcher(chains, batcherOptions, services.GetRequiredService<IDecodedSink>(), services.GetRequiredService<ReceiverMetrics>(),
            services.GetRequiredService<FramePool>(), services.GetService<IGroundTruth>(),
            e => logger.LogError(e, "decoding a batch failed: {Message}", e.Message));
    }
}

/// <summary>
/// The shutdown drain deadline (Shutdown:DrainDeadlineMs), counted from the moment the host begins to stop, so
/// every stage (ingest hand-off, batcher drain, publisher sends) shares one bound on how long stopping takes.
/// </summary>
public sealed class ShutdownDeadline(IOptions<ReceiverOptions> options)
{
    private long _deadline;

    /// <summary>Starts the clock (once).</summary>
    public void Start()
    {
        var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + options.Value.Shutdown.DrainDeadlineMs * System.Diagnostics.Stopwatch.Frequency / 1000;
        Interlocked.CompareExchange(ref _deadline, deadline, 0);
    }

    /// <summary>Time left until the deadline (the whole allowance before the clock starts; never negative).</summary>
    public TimeSpan TimeLeft
    {
        get
        {
            var deadline = Interlocked.Read(ref _deadline);
            if (deadline == 0) return TimeSpan.FromMilliseconds(options.Value.Shutdown.DrainDeadlineMs);
            var left = deadline - System.Diagnostics.Stopwatch.GetTimestamp();
            return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(left / (double)System.Diagnostics.Stopwatch.Frequency);
        }
    }
}

/// <summary>Stopped first: starts the drain deadline and tells the publisher when to give up on a missing consumer.</summary>
internal sealed class ShutdownStarter(ShutdownDeadline deadline, IServiceProvider services, IOptions<ReceiverOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        deadline.Start();
        if (ReceiverHost.RoleOf(options.Value) == ServiceRole.Worker) services.GetRequiredService<ResultSink>().BeginShutdown(deadline.TimeLeft);
        else services.GetRequiredService<PublisherSink>().BeginShutdown(deadline.TimeLeft);
        return Task.CompletedTask;
    }
}

/// <summary>Starts the publisher thread (binding its sockets) and, on stop, flushes what the drained batcher handed it. Not used by workers.</summary>
internal sealed class PublisherService(IServiceProvider services, IOptions<ReceiverOptions> options, ServiceEndpoints endpoints) : IHostedService
{
    private PublisherSink? _publisher;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (ReceiverHost.RoleOf(options.Value) == ServiceRole.Worker) return;
        _publisher = services.GetRequiredService<PublisherSink>();
        await _publisher.StartAsync();
        endpoints.Publish = _publisher.Endpoint;
        endpoints.Metadata = _publisher.MetadataEndpoint;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _publisher?.CompleteAsync() ?? Task.CompletedTask;
}

/// <summary>Worker: connects the result socket on start; on stop (after the batcher drained) closes it, delivering within the deadline.</summary>
internal sealed class ResultSinkService(IServiceProvider services, IOptions<ReceiverOptions> options, ServiceEndpoints endpoints, ShutdownDeadline deadline) : IHostedService
{
    private ResultSink? _sink;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (ReceiverHost.RoleOf(options.Value) != ServiceRole.Worker) return Task.CompletedTask;
        _sink = services.GetRequiredService<ResultSink>();
        _sink.Start();
        endpoints.Results = _sink.Endpoint;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _sink?.Close(deadline.TimeLeft);
        return Task.CompletedTask;
    }
}

/// <summary>Front end: binds the work and result sockets on start; on stop (after ingest stopped) waits for what is out, within the deadline.</summary>
internal sealed class FrontEndService(IServiceProvider services, IOptions<ReceiverOptions> options, ServiceEndpoints endpoints, ShutdownDeadline deadline) : IHostedService
{
    private FrontEndDispatcher? _dispatcher;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (ReceiverHost.RoleOf(options.Value) != ServiceRole.FrontEnd) return;
        _dispatcher = services.GetRequiredService<FrontEndDispatcher>();
        await _dispatcher.StartAsync();
        endpoints.Work = _dispatcher.WorkEndpoint;
        endpoints.Results = _dispatcher.ResultEndpoint;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _dispatcher?.CompleteAsync(deadline.TimeLeft) ?? Task.CompletedTask;
}

/// <summary>Worker: takes work from the front end (instead of the configured ingests).</summary>
internal sealed class WorkReceiverService(IServiceProvider services, IOptions<ReceiverOptions> options, ServiceEndpoints endpoints, ILoggerFactory loggers) : IHostedService, IDisposable
{
    private WorkReceiver? _receiver;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (ReceiverHost.RoleOf(options.Value) != ServiceRole.Worker) return;
        _receiver = new WorkReceiver(options.Value.Distribute, services.GetRequiredService<ICodeDirectory>(), services.GetRequiredService<MicroBatcher>(),
            services.GetRequiredService<ReceiverMetrics>(), services.GetRequiredService<FramePool>(), loggers.CreateLogger("Receiver.Worker"));
        await _receiver.StartAsync();
        endpoints.Work = _receiver.Endpoint;
        loggers.CreateLogger("Receiver.Worker").LogInformation("worker: work from {Work}, results to {Results}", endpoints.Work, endpoints.Results);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _receiver?.StopAsync() ?? Task.CompletedTask;

    public void Dispose() => _receiver?.Dispose();
}

/// <summary>Owns the micro-batcher's lifetime: created (workers running) on start, drained within the deadline on stop. Not used by a front end.</summary>
internal sealed class BatcherService(IServiceProvider services, IOptions<ReceiverOptions> options, ShutdownDeadline deadline, ILogger<BatcherService> logger) : IHostedService
{
    private MicroBatcher? _batcher;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (ReceiverHost.RoleOf(options.Value) == ServiceRole.FrontEnd) return Task.CompletedTask;
        _batcher = services.GetRequiredService<MicroBatcher>();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_batcher is null) return;
        var timeLeft = deadline.TimeLeft;
        logger.LogDebug("draining the batcher ({Left} ms left)", timeLeft.TotalMilliseconds);
        await _batcher.CompleteAsync(timeLeft);
    }
}

/// <summary>One <see cref="IngestReceiver"/> per configured ingest, started in order and stopped together.</summary>
internal sealed class IngestServices(IServiceProvider services, IOptions<ReceiverOptions> options, ShutdownDeadline deadline, ILoggerFactory loggers) : IHostedService, IDisposable
{
    private readonly List<IngestReceiver> _started = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (ReceiverHost.RoleOf(options.Value) == ServiceRole.Worker) return;
        var codes = services.GetRequiredService<ICodeDirectory>();
        var sink = services.GetRequiredService<IFrameSink>();
        var endpoints = services.GetRequiredService<ServiceEndpoints>();
        for (var i = 0; i < options.Value.Ingest.Count; i++)
        {
            var ingestOptions = ReceiverHost.IngestOptionsOf(options.Value.Ingest[i]);
            var logger = loggers.CreateLogger($"Receiver.Ingest.{i}");
            var framer = MessageFramer.Create(ingestOptions, codes, services.GetRequiredService<FramePool>(), services.GetRequiredService<ReceiverMetrics>(), logger);
            var ingest = new IngestReceiver(i, ingestOptions, framer, sink, logger);
            endpoints.Ingest[i] = await ingest.StartAsync();
            _started.Add(ingest);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.WhenAll(_started.Select(i => i.StopAsync(deadline.TimeLeft)));

    public void Dispose()
    {
        foreach (var ingest in _started) ingest.Dispose();
    }
}

/// <summary>Registered last: once every other service has started (sockets up), writes the line <c>ready</c>.</summary>
internal sealed class ReadyService(TextWriter? ready, ServiceEndpoints endpoints) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (ready is not null)
        {
            ready.WriteLine("ready");
            ready.Flush();
        }
        endpoints.MarkReady();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A host lifetime that leaves signals alone: the host stops when its caller says so.</summary>
internal sealed class CallerLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
