using Receiver.Codes.Channel;

namespace Receiver.Service.Bench;

/// <summary>Where the benchmarked service runs.</summary>
public enum BenchTargetKind
{
    /// <summary>A <see cref="ReceiverHost"/> in the bench's own process.</summary>
    InProcess,

    /// <summary><c>dotnet receiver.dll run --config ...</c> as a child process (started once, reused by every run).</summary>
    Subprocess,
}

/// <summary>What <see cref="ServiceBench"/> sets up: the service's configuration and the client's traffic.</summary>
public sealed record BenchSettings
{
    /// <summary>Base JSON configuration (its "Receiver" section); null for built-in defaults. Endpoints, publish socket and metrics are replaced.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>Code to send and decode (replaces the configured codes); null keeps the configuration's first code (or nr:224,256 without one).</summary>
    public string? Code { get; init; }

    /// <summary>Main decoder of the code's chain; null keeps the configuration's.</summary>
    public string? Decoder { get; init; }

    /// <summary>Model of a neural main decoder (name, folder or manifest.json path); null keeps the configuration's.</summary>
    public string? Model { get; init; }

    /// <summary>Runtime of a neural main decoder (auto, onnxruntime, torchsharp); null keeps the configuration's.</summary>
    public string? Runtime { get; init; }

    /// <summary>Device of the main decoder (cpu, cuda, cuda:N); null keeps the configuration's.</summary>
    public string? Device { get; init; }

    /// <summary>Iteration cap; null keeps the configuration's.</summary>
    public int? Iterations { get; init; }

    /// <summary>Batcher overrides; null keeps the configuration's.</summary>
    public int? MaxBatch { get; init; }

    public int? Workers { get; init; }

    /// <summary>"block" or "drop-oldest"; null keeps the configuration's.</summary>
    public string? Overflow { get; init; }

    /// <summary>"framed" (one MessagePack envelope per frame, with seq and t_ns) or "gr-float" (raw float32 stream).</summary>
    public string Format { get; init; } = "framed";

    /// <summary>gr-float only: frames per ZMQ message (GNU Radio's messages are not aligned to frames anyway).</summary>
    public int FramesPerMessage { get; init; } = 1;

    /// <summary>Channel Eb/N0 of the pre-generated frames.</summary>
    public double EbN0Db { get; init; } = 4.5;

    public Modulation Modulation { get; init; } = Modulation.Bpsk;

    /// <summary>Distinct noisy frames generated once and sent round-robin.</summary>
    public int PoolFrames { get; init; } = 256;

    public ulong Seed { get; init; } = 1;

    public BenchTargetKind Target { get; init; } = BenchTargetKind.InProcess;

    /// <summary>Subprocess: the CLI's receiver.dll (run with <c>dotnet</c>).</summary>
    public string? CliPath { get; init; }

    /// <summary>Client PUSH send high-water mark, in messages.</summary>
    public int SendHighWaterMark { get; init; } = 1000;

    /// <summary>How long, after the last send, a run waits for every frame to come out or be counted dropped.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
