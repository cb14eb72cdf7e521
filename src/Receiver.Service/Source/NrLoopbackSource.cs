using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Receiver.Codes;
using Receiver.Codes.Channel;
using Receiver.Common;
using Receiver.Transport.Zmq;

namespace Receiver.Service.Source;

/// <summary>What the simulated source sends.</summary>
public sealed record SourceSettings
{
    /// <summary>Endpoint of the service's ingest ('>' connects, '@' binds; no prefix connects).</summary>
    public required string Endpoint { get; init; }

    public double EbN0Db { get; init; } = 3;

    public Modulation Modulation { get; init; } = Modulation.Bpsk;

    /// <summary>"framed" (MessagePack envelopes, one per frame) or "gr-float" (raw float32 stream, one frame per message).</summary>
    public string Format { get; init; } = "framed";

    /// <summary>gr-float only: send GNU Radio's sign (positive means bit 1) instead of the canonical one.</summary>
    public bool GnuRadioSign { get; init; }

    /// <summary>Frames per second; 0 sends as fast as the socket takes them.</summary>
    public double FramesPerSecond { get; init; }

    /// <summary>Stop after this many frames (0: until cancelled).</summary>
    public long MaxFrames { get; init; }

    public ulong Seed { get; init; } = 1;

    /// <summary>Send high-water mark: above it the source waits (PUSH blocks, nothing is lost).</summary>
    public int Hwm { get; init; } = 10000;
}

/// <summary>Receives each frame's info bits, under its sequence number, before the frame is sent.</summary>
public delegate void GroundTruthRecorder(long sequence, ReadOnlySpan<byte> infoBits);

/// <summary>
/// Simulated 5G NR LDPC transmitter for loopback runs: random info bits -> encoder -> BPSK (or Gray
/// QPSK) -> AWGN at the configured Eb/N0 (sigma from the code's nominal rate) -> canonical LLRs ->
/// ZMQ PUSH, paced to a frame rate or as fast as possible. Ground truth goes to a recorder first,
/// so the service can count bit and frame errors end to end. Runs on its own thread, which owns the socket.
/// </summary>
public sealed class NrLoopbackSource : IDisposable
{
    /// <summary>Longest the socket stays open after the last send, for the peer to take what is queued.</summary>
    private static readonly TimeSpan HoldOpen = TimeSpan.FromSeconds(60);

    private readonly ManualResetEventSlim _close = new();
    private readonly IBlockCode _code;
    private readonly SourceSettings _settings;
    private readonly GroundTruthRecorder? _truth;
    private long _framesSent;

    public NrLoopbackSource(IBlockCode code, SourceSettings settings, GroundTruthRecorder? truth = null)
    {
        _code = code;
        _settings = settings;
        _truth = truth;
        if (settings.Format is not ("framed" or "gr-float")) throw new ArgumentException($"the source sends framed or gr-float, not '{settings.Format}'");
        if (!(settings.FramesPerSecond >= 0) || !double.IsFinite(settings.FramesPerSecond)) throw new ArgumentException($"frame rate must be 0 (as fast as possible) or positive, got {settings.FramesPerSecond}");
    }

    /// <summary>Frames handed to the socket so far.</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>
    /// Runs the send loop on a new thread until cancelled or <see cref="SourceSettings.MaxFrames"/> are sent; completes
    /// when the last frame is handed to the socket. The socket stays open (delivering what it queued) until
    /// <see cref="Dispose"/> or for at most a minute: NetMQ can drop a closed socket's queue on a busy machine.
    /// </summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(cancellationToken, done);
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = "nr-source" };
        thread.Start();
        return done.Task;
    }

    /// <summary>Lets the socket close now (queued frames are then only delivered within its linger).</summary>
    public void Dispose() => _close.Set();

    private void Run(CancellationToken cancellationToken, TaskCompletionSource sent)
    {
        try
        {
            SendAll(cancellationToken, sent);
        }
        finally
        {
            sent.TrySetResult();
        }
    }

    private void SendAll(CancellationToken cancellationToken, TaskCompletionSource sent)
    {
        // Frames still queued when the loop ends are delivered in the background, not discarded at close.
        using var socket = ZmqSockets.Create(ZmqSocketKind.Push, new ZmqSocketSettings { SendHighWaterMark = _settings.Hwm, Linger = TimeSpan.FromSeconds(60) });
        ZmqSockets.Open(socket, _settings.Endpoint, defaultBind: false);
        var slice = TimeSpan.FromMilliseconds(50);

        var sigma = EbN0.NoiseSigma(_settings.EbN0Db, _code.K / (double)_code.N);
        var bits = new Xoshiro256StarStarX8(_settings.Seed);
        var channel = new AwgnChannel(_settings.Seed ^ 0xD1B54A32D192ED03UL, _settings.Modulation);
        var info = new byte[_code.K];
        var transmitted = new byte[_code.N];
        var llrs = new float[_code.N];
        var message = new ArrayBufferWriter<byte>(_code.N * sizeof(float) + 64);
        var framed = _settings.Format == "framed";
        var clock = Stopwatch.StartNew();

        for (long sequence = 0; _settings.MaxFrames == 0 || sequence < _settings.MaxFrames; sequence++)
        {
            if (cancellationToken.IsCancellationRequested) break;
            if (_settings.FramesPerSecond > 0 && !WaitForSlot(clock, sequence / _settings.FramesPerSecond, cancellationToken)) break;

            bits.FillBits(info);
            _code.Encode(info, transmitted);
            channel.Transmit(transmitted, sigma, llrs);
            _truth?.Invoke(sequence, info);

            ReadOnlySpan<byte> payload;
            if (framed)
            {
                message.ResetWrittenCount();
                FrameEnvelope.Write(message, _code.Name, sequence, UnixNanoseconds(), llrs);
                payload = message.WrittenSpan;
            }
            else
            {
                if (_settings.GnuRadioSign)
                    for (var i = 0; i < llrs.Length; i++) llrs[i] = -llrs[i];
                payload = MemoryMarshal.AsBytes(llrs.AsSpan());
            }
            // PUSH waits at the high-water mark; retry in short steps so cancellation is seen.
            while (!ZmqSockets.TrySend(socket, payload, more: false, slice))
                if (cancellationToken.IsCancellationRequested) break;
            Interlocked.Increment(ref _framesSent);
        }
    Stopped:
        sent.TrySetResult();
        _close.Wait(HoldOpen);
    }

    /// <summary>
    /// Sleeps until the frame is due, but sends up to a millisecond early rather than spin: at high rates frames
    /// leave in small bursts per millisecond and the source never burns a core waiting. False when cancelled first.
    /// </summary>
    private static bool WaitForSlot(Stopwatch clock, double dueSeconds, CancellationToken cancellationToken)
    {
        double remaining;
        while ((remaining = dueSeconds - clock.Elapsed.TotalSeconds) > 0.001)
        {
            if (cancellationToken.IsCancellationRequested) return false;
            Thread.Sleep(TimeSpan.FromSeconds(Math.Min(remaining - 0.0005, 0.05)));
        }
        return true;
    }

    private static long UnixNanoseconds() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
}
