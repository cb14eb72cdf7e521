using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NetMQ;
using Receiver.Common;
using Receiver.Pipeline;
using Receiver.Pipeline.Distributed;
using Receiver.Service.Publishing;
using Receiver.Transport.Zmq;

namespace Receiver.Service.Distributed;

/// <summary>
/// The front end of distributed decoding (ZeroMQ's ventilator and sink): framed frames take a ticket in the
/// <see cref="ReorderWindow"/> and go out as work messages on a PUSH socket (ZeroMQ spreads them over whichever
/// workers are connected); a collector thread takes results from a PULL socket, files them in the window and
/// publishes through the <see cref="PublisherSink"/> in ticket order. Frames not back within the deadline are
/// counted dropped with reason lost (logged at most once a second).
/// </summary>
public sealed partial class FrontEndDispatcher : IFrameSink, IDisposable
{
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(10);

    private readonly DistributeOptions _options;
    private readonly CodeRegistry _codes;
    private readonly ReceiverMetrics _metrics;
    private readonly FramePool _pool;
    private readonly ILogger _logger;
    private readonly ReorderWindow _window;
    private readonly Channel<(byte[] Buffer, int Length)> _outbox = Channel.CreateUnbounded<(byte[], int)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ArrayBufferWriter<byte> _encoder = new(4096);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<string> _workOpened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _resultOpened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly KeyValuePair<string, object?>[] _codeTags;
    private Thread? _sender;
    private Thread? _collector;
    private long _lostSinceLog;
    private (long Ticket, int CodeIndex, long Sequence) _lastLost;
    private long _lastLostLog = long.MinValue / 2;
    private long _malformedResults;
    private int _disposed;

    public FrontEndDispatcher(DistributeOptions options, CodeRegistry codes, int maxBatch, PublisherSink publisher, ReceiverMetrics metrics, FramePool pool, ILogger logger)
    {
        _options = options;
        _codes = codes;
        _metrics = metrics;
        _pool = pool;
        _logger = logger;
        _codeTags = Enumerable.Range(0, codes.Count).Select(i => new KeyValuePair<string, object?>("code", codes.NameOf(i))).ToArray();
        _window = new ReorderWindow(Enumerable.Range(0, codes.Count).Select(i => codes[i]).ToArray(), options.Window,
            TimeSpan.FromMilliseconds(options.DeadlineMs), maxBatch, publisher, metrics, pool, OnLost);
        metrics.Meter.CreateObservableGauge("receiver.distribute.in_flight", () => _window.InFlight, "{frame}", "Frames out at decoding workers (front end).");
        metrics.Meter.CreateObservableCounter("receiver.distribute.late_results", () => _window.LateResults + Interlocked.Read(ref _malformedResults), "{message}",
            "Results ignored by the front end: after their frame was counted lost, duplicated, or malformed.");
    }

    public string? WorkEndpoint { get; private set; }

    public string? ResultEndpoint { get; private set; }

    /// <summary>Frames out at workers now.</summary>
    public long InFlight => _window.InFlight;

    /// <summary>Starts the sender and collector threads; completes once both sockets are bound (or throws the bind error).</summary>
    public async Task StartAsync()
    {
        _collector = new Thread(Collect) { IsBackground = true, Name = "distribute collector" };
        _collector.Start();
        ResultEndpoint = await _resultOpened.Task.ConfigureAwait(false);
        _sender = new Thread(Send) { IsBackground = true, Name = "distribute sender" };
        _sender.Start();
        WorkEndpoint = await _workOpened.Task.ConfigureAwait(false);
        LogStarted(_logger, WorkEndpoint, ResultEndpoint, _options.Window, _options.DeadlineMs);
    }

    /// <summary>Takes a ticket (waiting while the window is full) and queues the frame's work message.</summary>
    public ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if ((uint)frame.CodeIndex >= (uint)_codes.Count || frame.Length != _codes.FrameLength(frame.CodeIndex))
        {
            _metrics.FramesDropped.Add(1, new KeyValuePair<string, object?>("reason", DropReasons.Tag(DropReason.Malformed)));
            _pool.Return(frame);
            return ValueTask.CompletedTask;
        }
        byte[]? buffer = null;
        var length = 0;
        lock (_encoder)
        {
            // Encoded right after the reservation: the window owns the frame from then on.
            if (_window.TryReserve(frame, cancellationToken, out var ticket))
            {
                _encoder.ResetWrittenCount();
                WorkEnvelopes.WriteWork(_encoder, ticket, _codes.NameOf(frame.CodeIndex), frame.LlrSpan);
                length = _encoder.WrittenCount;
                buffer = ArrayPool<byte>.Shared.Rent(length);
                _encoder.WrittenSpan.CopyTo(buffer);
            }
        }
        if (buffer is null)
        {
            _metrics.FramesDropped.Add(1, new KeyValuePair<string, object?>("reason", DropReasons.Tag(DropReason.Shutdown)), _codeTags[frame.CodeIndex]);
            _pool.Return(frame);
            return ValueTask.CompletedTask;
        }
        _outbox.Writer.TryWrite((buffer, length));
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Waits until every frame out is back or counted lost, or <paramref name="timeLeft"/> passes; what is still out
    /// then is dropped with reason shutdown. Stops both threads.
    /// </summary>
    public async Task CompleteAsync(TimeSpan timeLeft)
    {
        var clock = Stopwatch.StartNew();
        while (_window.InFlight > 0 && clock.Elapsed < timeLeft) await Task.Delay(10).ConfigureAwait(false);
        var dropped = _window.Complete(DropReasons.Tag(DropReason.Shutdown));
        if (dropped > 0) LogShutdownDropped(_logger, dropped);
        _outbox.Writer.TryComplete();
        _stop.Cancel();
        _sender?.Join();
        _collector?.Join();
    }

    /// <summary>Idempotent (the container disposes it once per service type it is registered as).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _outbox.Writer.TryComplete();
        _stop.Cancel();
        _sender?.Join(TimeSpan.FromSeconds(5));
        _collector?.Join(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    private void Send()
    {
        NetMQSocket socket;
        try
        {
            socket = ZmqSockets.Create(ZmqSocketKind.Push, new ZmqSocketSettings { SendHighWaterMark = _options.Hwm });
            _workOpened.SetResult(string.Join(",", ZmqSockets.Open(socket, _options.WorkEndpoint.Trim(), defaultBind: true)));
        }
        catch (Exception e)
        {
            _workOpened.TrySetException(e);
            return;
        }
        using (socket)
        {
            var reader = _outbox.Reader;
            try
            {
                while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                {
                    while (reader.TryRead(out var work))
                    {
                        // No worker connected: PUSH waits; the window's deadline counts the frame lost if none comes.
                        while (!_stop.IsCancellationRequested && !ZmqSockets.TrySend(socket, work.Buffer.AsSpan(0, work.Length), more: false, Slice)) { }
                        ArrayPool<byte>.Shared.Return(work.Buffer);
                    }
                }
            }
            catch (Exception e)
            {
                LogFailed(_logger, e, "sender", e.Message);
            }
        }
    }

    private void Collect()
    {
        NetMQSocket socket;
        try
        {
            socket = ZmqSockets.Create(ZmqSocketKind.Pull, new ZmqSocketSettings { ReceiveHighWaterMark = _options.Hwm });
            _resultOpened.SetResult(string.Join(",", ZmqSockets.Open(socket, _options.ResultEndpoint.Trim(), defaultBind: true)));
        }
        catch (Exception e)
        {
            _resultOpened.TrySetException(e);
            return;
        }
        using (socket)
        {
            var message = new Msg();
            message.InitEmpty();
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    // Drain what has arrived, then release in order (and count the overdue lost).
                    var timeout = Slice;
                    while (socket.TryReceive(ref message, timeout))
                    {
                        timeout = TimeSpan.Zero;
                        File(new ReadOnlyMemory<byte>(message.Data, message.Offset, message.Size), message.HasMore);
                        if (message.HasMore) SkipRest(socket, ref message);
                    }
                    _window.Release();
                    LogLostSoFar(force: false);
                }
                _window.Release();
                LogLostSoFar(force: true);
            }
            catch (Exception e)
            {
                LogFailed(_logger, e, "collector", e.Message);
            }
            finally
            {
                message.Close();
            }
        }
    }

    private void File(ReadOnlyMemory<byte> bytes, bool multipart)
    {
        string? error;
        if (multipart) error = "result message has more than one part";
        else if (!WorkEnvelopes.TryReadResult(bytes, out var ticket, out var status, out var stage, out var bits, out error)) { }
        else if (_window.TryComplete(ticket, status, stage, bits, out error)) return;
        else
        {
            LogIgnoredResult(_logger, error ?? "");
            return;
        }
        Interlocked.Increment(ref _malformedResults);
        LogIgnoredResult(_logger, error ?? "unreadable result message");
    }

    private static void SkipRest(NetMQSocket socket, ref Msg message)
    {
        while (message.HasMore && socket.TryReceive(ref message, TimeSpan.FromSeconds(1))) { }
    }

    private void OnLost(long ticket, Frame frame)
    {
        // Called under the window's lock on the collector thread: note it, log from the collector loop.
        _lostSinceLog++;
        _lastLost = (ticket, frame.CodeIndex, frame.Sequence);
    }

    /// <summary>One warning per second at most for the frames counted lost since the last one (collector thread).</summary>
    private void LogLostSoFar(bool force)
    {
        if (_lostSinceLog == 0) return;
        var now = Stopwatch.GetTimestamp();
        if (!force && now - _lastLostLog < Stopwatch.Frequency) return;
        _lastLostLog = now;
        LogLost(_logger, _lostSinceLog, _options.DeadlineMs, _lastLost.Ticket, _codes.NameOf(_lastLost.CodeIndex), _lastLost.Sequence);
        _lostSinceLog = 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "frontend: work {Work}, results {Results} (window {Window} frames, deadline {Deadline} ms)")]
    private static partial void LogStarted(ILogger logger, string work, string results, int window, int deadline);

    [LoggerMessage(Level = LogLevel.Warning, Message = "frontend: {Count} frame(s) not back from a worker within {Deadline} ms, counted dropped (lost); latest ticket {Ticket} ({Code} seq {Sequence})")]
    private static partial void LogLost(ILogger logger, long count, int deadline, long ticket, string code, long sequence);

    [LoggerMessage(Level = LogLevel.Debug, Message = "frontend: result ignored: {Reason}")]
    private static partial void LogIgnoredResult(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "frontend: {Count} frame(s) still out at workers when the drain deadline passed, dropped (shutdown)")]
    private static partial void LogShutdownDropped(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "frontend {Part} failed: {Message}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string part, string message);
}
