using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Receiver.Codes;
using Receiver.Codes.Channel;
using Receiver.Common;
using Receiver.Pipeline;
using NetMQ;
using Receiver.Transport.Zmq;

namespace Receiver.Service.Bench;

/// <summary>What one paced send produced.</summary>
/// <param name="FirstSequence">Sequence number of the run's first frame.</param>
/// <param name="Frames">Frames sent.</param>
/// <param name="Start">Stopwatch timestamp of the first send.</param>
/// <param name="End">Stopwatch timestamp after the last send.</param>
/// <param name="CpuTime">CPU time of the sender thread during the run.</param>
internal readonly record struct SendReport(long FirstSequence, long Frames, long Start, long End, TimeSpan CpuTime);

/// <summary>Latencies recorded by the receiver thread for frames of one run (sequence at or above <see cref="FirstSequence"/>).</summary>
internal sealed class RunRecorder(long firstSequence)
{
    public long FirstSequence { get; } = firstSequence;

    /// <summary>Service latency from each frame's metadata record (latency_us).</summary>
    public LogLinearHistogram Service { get; } = new();

    /// <summary>Client send to client receipt.</summary>
    public LogLinearHistogram EndToEnd { get; } = new();

    /// <summary>Stopwatch timestamp of the last metadata record counted.</summary>
    public long LastReceipt;
}

/// <summary>
/// The bench's ZMQ side: a PUSH socket the service's ingest connects to, fed by a sender thread with a pool
/// of pre-generated noisy frames (round-robin) paced on the Stopwatch; and PULL sockets for the service's
/// output and metadata streams, read by one receiver thread that matches metadata sequence numbers to send
/// times. All sockets bind tcp://127.0.0.1 on ports picked at bind time; the service connects.
/// </summary>
internal sealed partial class BenchClient : IDisposable
{
    private const int SendTimeRing = 1 << 20;
    private static readonly TimeSpan SendSlice = TimeSpan.FromMilliseconds(50);
    private readonly IBlockCode _code;
    private readonly string _format;
    private readonly int _framesPerMessage;
    private readonly float[] _pool;
    private readonly int _poolFrames;
    private readonly NetMQSocket _ingest;
    private readonly NetMQSocket _output;
    private readonly NetMQSocket _metadata;
    private readonly string _ingestEndpoint, _outputEndpoint, _metadataEndpoint;
    private readonly long[] _sendTimes = new long[SendTimeRing];
    private readonly Thread _receiver;
    private volatile bool _stopping;
    private volatile RunRecorder? _recorder;
    private volatile string? _receiverStat;
    private long _outputs;
    private long _nextSequence;

    public BenchClient(IBlockCode code, BenchSettings settings)
    {
        _code = code;
        _format = settings.Format;
        _framesPerMessage = settings.Format == "gr-float" ? Math.Max(1, settings.FramesPerMessage) : 1;
        _poolFrames = (Math.Max(1, settings.PoolFrames) + _framesPerMessage - 1) / _framesPerMessage * _framesPerMessage;
        _pool = GeneratePool(code, settings, _poolFrames);
        try
        {
            _ingest = Bind(ZmqSocketKind.Push, new ZmqSocketSettings { SendHighWaterMark = settings.SendHighWaterMark }, out _ingestEndpoint);
            _output = Bind(ZmqSocketKind.Pull, new ZmqSocketSettings { ReceiveHighWaterMark = 0 }, out _outputEndpoint);
            _metadata = Bind(ZmqSocketKind.Pull, new ZmqSocketSettings { ReceiveHighWaterMark = 0 }, out _metadataEndpoint);
        }
        catch
        {
            _ingest?.Dispose();
            _output?.Dispose();
            throw;
        }
        _receiver = new Thread(Receive) { IsBackground = true, Name = "bench-receiver" };
        _receiver.Start();
    }

    public string IngestEndpoint => _ingestEndpoint;

    public string OutputEndpoint => _outputEndpoint;

    public string MetadataEndpoint => _metadataEndpoint;

    /// <summary>Output messages received so far (all runs).</summary>
    public long Outputs => Interlocked.Read(ref _outputs);

    /// <summary>CPU time of the receiver thread so far.</summary>
    public TimeSpan ReceiverCpuTime => ThreadCpu.Read(_receiverStat);

    /// <summary>Starts recording latencies for frames from the next one sent on.</summary>
    public RunRecorder BeginRun() => _recorder = new RunRecorder(Interlocked.Read(ref _nextSequence));

    /// <summary>
    /// Sends on a new thread for <paramref name="seconds"/>: paced to <paramref name="framesPerSecond"/> (each message
    /// due at its own time from the start, so a late one is followed by catch-up sends), or as fast as the socket
    /// takes messages when null. The PUSH socket waits at its high-water mark, so nothing is lost here.
    /// </summary>
    public Task<SendReport> SendAsync(double? framesPerSecond, double seconds, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<SendReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(Send(framesPerSecond, seconds, cancellationToken));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = "bench-sender", Priority = ThreadPriority.AboveNormal };
        thread.Start();
        return done.Task;
    }

    private SendReport Send(double? framesPerSecond, double seconds, CancellationToken cancellationToken)
    {
        var stat = ThreadCpu.CurrentThreadStatPath();
        var cpuStart = ThreadCpu.Read(stat);
        var n = _code.N;
        var perMessage = _framesPerMessage;
        var envelope = new ArrayBufferWriter<byte>(n * sizeof(float) + 64);
        var first = Interlocked.Read(ref _nextSequence);
        var sequence = first;
        var frequency = (double)Stopwatch.Frequency;
        var ticksPerMessage = framesPerSecond is { } rate ? frequency * perMessage / rate : 0;
        var messages = framesPerSecond is { } r ? Math.Max(1, (long)Math.Round(r * seconds / perMessage)) : long.MaxValue;
        var durationTicks = (long)(seconds * frequency);
        var start = Stopwatch.GetTimestamp();
        for (long m = 0; m < messages; m++)
        {
            if (cancellationToken.IsCancellationRequested) break;
            if (ticksPerMessage > 0) WaitUntil(start + (long)(m * ticksPerMessage));
            else if (Stopwatch.GetTimestamp() - start >= durationTicks) break;

            var poolIndex = (int)(sequence % _poolFrames);
            ReadOnlySpan<byte> payload;
            if (_format == "framed")
            {
                envelope.ResetWrittenCount();
                FrameEnvelope.Write(envelope, _code.Name, sequence, (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100, _pool.AsSpan(poolIndex * n, n));
                payload = envelope.WrittenSpan;
            }
            else
            {
                payload = MemoryMarshal.AsBytes(_pool.AsSpan(poolIndex * n, perMessage * n));
            }
            var now = Stopwatch.GetTimestamp();
            for (var j = 0; j < perMessage; j++) Volatile.Write(ref _sendTimes[(sequence + j) & (SendTimeRing - 1)], now);
            // Retry in short steps at the high-water mark so cancellation is seen.
            while (!ZmqSockets.TrySend(_ingest, payload, more: false, SendSlice))
                if (cancellationToken.IsCancellationRequested) break;
            if (cancellationToken.IsCancellationRequested) break;
            sequence += perMessage;
            Interlocked.Exchange(ref _nextSequence, sequence);
        }
        var end = Stopwatch.GetTimestamp();
        return new SendReport(first, sequence - first, start, end, ThreadCpu.Read(stat) - cpuStart);
    }

    /// <summary>
    /// Sleeps (usleep, about 60 us late at worst on Linux) until shortly before the due time, then yields the core
    /// and spins for the last few microseconds: precise without keeping a core busy between widely spaced sends.
    /// </summary>
    private static void WaitUntil(long due)
    {
        var spinTicks = Stopwatch.Frequency / 50_000; // 20 us
        var sleepMarginTicks = Stopwatch.Frequency / 5_000; // 200 us
        while (true)
        {
            var remaining = due - Stopwatch.GetTimestamp();
            if (remaining <= 0) return;
            if (remaining > sleepMarginTicks) SleepMicroseconds((remaining - sleepMarginTicks / 2) * 1_000_000 / Stopwatch.Frequency);
            else if (remaining > spinTicks) Thread.Yield();
            else Thread.SpinWait(20);
        }
    }

    private static void SleepMicroseconds(long microseconds)
    {
        if (OperatingSystem.IsLinux()) Usleep((uint)Math.Min(microseconds, 100_000));
        else Thread.Sleep(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, microseconds * 10)));
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int Usleep(uint microseconds);

    private void Receive()
    {
        _receiverStat = ThreadCpu.CurrentThreadStatPath();
        var message = new Msg();
        message.InitEmpty();
        var wait = TimeSpan.FromMilliseconds(1);
        try
        {
            while (!_stopping)
            {
                // Wait on the metadata stream, but drain the outputs either way: metadata is best effort (the service
                // drops records its socket cannot take), so outputs must never wait for a record that will not come.
                if (_metadata.TryReceive(ref message, wait)) OnMetadata(message.SliceAsMemory());
                // Bounded turns so neither stream waits long behind the other.
                for (var i = 0; i < 64 && _metadata.TryReceive(ref message, TimeSpan.Zero); i++)
                    OnMetadata(message.SliceAsMemory());
                for (var i = 0; i < 128 && _output.TryReceive(ref message, TimeSpan.Zero); i++)
                    if (!message.HasMore) Interlocked.Increment(ref _outputs);
            }
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            message.Close();
        }
    }

    private void OnMetadata(ReadOnlyMemory<byte> record)
    {
        var now = Stopwatch.GetTimestamp();
        if (!TryReadMetadata(record, out var sequence, out var latencyUs)) return;
        var recorder = _recorder;
        if (recorder is null || sequence < recorder.FirstSequence) return;
        recorder.Service.Record(latencyUs);
        var sent = Volatile.Read(ref _sendTimes[sequence & (SendTimeRing - 1)]);
        recorder.EndToEnd.Record((now - sent) * 1e6 / Stopwatch.Frequency);
        Volatile.Write(ref recorder.LastReceipt, now);
    }

    /// <summary>Reads seq and latency_us of a metadata map without allocating (see <see cref="MetadataEnvelope"/>).</summary>
    internal static bool TryReadMetadata(ReadOnlyMemory<byte> record, out long sequence, out double latencyUs)
    {
        sequence = -1;
        latencyUs = double.NaN;
        var reader = new MessagePack.MessagePackReader(record);
        try
        {
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                if (!reader.TryReadStringSpan(out var key)) return false;
                if (key.SequenceEqual("seq"u8)) sequence = unchecked((long)reader.ReadUInt64());
                else if (key.SequenceEqual("latency_us"u8)) latencyUs = reader.ReadDouble();
                else reader.Skip();
            }
        }
        catch (Exception e) when (e is MessagePack.MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            return false;
        }
        return sequence >= 0;
    }

    private static NetMQSocket Bind(ZmqSocketKind kind, ZmqSocketSettings settings, out string endpoint)
    {
        var socket = ZmqSockets.Create(kind, settings);
        try
        {
            endpoint = ZmqSockets.Open(socket, "@tcp://127.0.0.1:0", defaultBind: true)[0];
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Random info bits -> encoder -> modulation -> AWGN at the set Eb/N0 -> canonical LLRs, once per pool frame.</summary>
    private static float[] GeneratePool(IBlockCode code, BenchSettings settings, int frames)
    {
        var sigma = EbN0.NoiseSigma(settings.EbN0Db, code.K / (double)code.N);
        var bits = new Xoshiro256StarStarX8(settings.Seed);
        var channel = new AwgnChannel(settings.Seed ^ 0x9E3779B97F4A7C15UL, settings.Modulation);
        var info = new byte[code.K];
        var codeword = new byte[code.N];
        var pool = new float[(long)frames * code.N];
        for (var f = 0; f < frames; f++)
        {
            bits.FillBits(info);
            code.Encode(info, codeword);
            channel.Transmit(codeword, sigma, pool.AsSpan(f * code.N, code.N));
        }
        return pool;
    }

    public void Dispose()
    {
        _stopping = true;
        _receiver.Join(TimeSpan.FromSeconds(2));
        _ingest.Dispose();
        _output.Dispose();
        _metadata.Dispose();
    }
}

/// <summary>CPU time of one thread from /proc (Linux); zero where /proc is not there.</summary>
internal static class ThreadCpu
{
    /// <summary>USER_HZ: the unit of utime/stime in /proc stat files on Linux.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>The calling thread's /proc/PID/task/TID/stat path (null where /proc/thread-self does not exist).</summary>
    public static string? CurrentThreadStatPath()
    {
        try
        {
            var target = new FileInfo("/proc/thread-self").LinkTarget;
            return target is null ? null : Path.Combine("/proc", target, "stat");
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>utime + stime of the thread whose stat file this is.</summary>
    public static TimeSpan Read(string? statPath)
    {
        if (statPath is null) return TimeSpan.Zero;
        try
        {
            var text = File.ReadAllText(statPath);
            // Fields after the command name (which may contain spaces) start at field 3 (state); utime and stime are fields 14 and 15.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / TicksPerSecond);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return TimeSpan.Zero;
        }
    }
}
