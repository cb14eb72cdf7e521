using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using NetMQ;
using Receiver.Common;
using Receiver.Pipeline;
using Receiver.Pipeline.Distributed;
using Receiver.Transport.Zmq;

namespace Receiver.Service.Distributed;

/// <summary>
/// A worker's input: a PULL socket connected to the front end's work endpoint; each work message becomes a pooled
/// frame (its sequence = the front end's ticket) written to the micro-batcher. Malformed messages and unknown codes
/// are counted dropped with their reason and logged at most once a second.
/// </summary>
public sealed partial class WorkReceiver : IDisposable
{
    private readonly DistributeOptions _options;
    private readonly ICodeDirectory _codes;
    private readonly IFrameSink _sink;
    private readonly ReceiverMetrics _metrics;
    private readonly FramePool _pool;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<string> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly KeyValuePair<string, object?>[] _codeTags;
    private Thread? _thread;
    private long _lastLog = long.MinValue / 2;
    private int _disposed;

    public WorkReceiver(DistributeOptions options, ICodeDirectory codes, IFrameSink sink, ReceiverMetrics metrics, FramePool pool, ILogger logger)
    {
        _options = options;
        _codes = codes;
        _sink = sink;
        _metrics = metrics;
        _pool = pool;
        _logger = logger;
        _codeTags = Enumerable.Range(0, codes.Count).Select(i => new KeyValuePair<string, object?>("code", codes.NameOf(i))).ToArray();
    }

    public string? Endpoint { get; private set; }

    public async Task StartAsync()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "worker ingest" };
        _thread.Start();
        Endpoint = await _opened.Task.ConfigureAwait(false);
    }

    /// <summary>Stops taking work; messages queued at this worker but not taken are left to the front end's deadline.</summary>
    public Task StopAsync()
    {
        _stop.Cancel();
        _thread?.Join();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    private void Run()
    {
        NetMQSocket socket;
        try
        {
            socket = ZmqSockets.Create(ZmqSocketKind.Pull, new ZmqSocketSettings { ReceiveHighWaterMark = _options.Hwm });
            _opened.SetResult(string.Join(",", ZmqSockets.Open(socket, _options.WorkEndpoint.Trim(), defaultBind: false)));
        }
        catch (Exception e)
        {
            _opened.TrySetException(e);
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
                    if (!socket.TryReceive(ref message, TimeSpan.FromMilliseconds(20))) continue;
                    var received = Stopwatch.GetTimestamp();
                    if (message.HasMore)
                    {
                        Drop(DropReason.Malformed, null, "work message has more than one part");
                        while (message.HasMore && socket.TryReceive(ref message, TimeSpan.FromSeconds(1))) { }
                        continue;
                    }
                    Take(new ReadOnlyMemory<byte>(message.Data, message.Offset, message.Size), received);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                LogFailed(_logger, e, e.Message);
            }
            finally
            {
                message.Close();
            }
        }
    }

    private void Take(ReadOnlyMemory<byte> bytes, long received)
    {
        if (!WorkEnvelopes.TryReadWork(bytes, out var ticket, out var code, out var llrBytes, out var error))
        {
            Drop(DropReason.Malformed, null, error!);
            return;
        }
        if (!_codes.TryGetIndex(code, out var index))
        {
            Drop(DropReason.UnknownCode, null, $"work for code '{code}', which this worker is not configured for (configure the front end's codes here too)");
            return;
        }
        var llrs = MemoryMarshal.Cast<byte, float>(llrBytes.IsSingleSegment ? llrBytes.FirstSpan : llrBytes.ToArray());
        if (llrs.Length != _codes.FrameLength(index))
        {
            Drop(DropReason.Malformed, index, $"work for {code} carries {llrs.Length} LLRs, the code has {_codes.FrameLength(index)}");
            return;
        }
        var frame = _pool.Rent(llrs.Length);
        llrs.CopyTo(frame.LlrSpan);
        frame.CodeIndex = index;
        frame.Sequence = ticket;
        frame.IngestTimestamp = received;
        _metrics.FramesIn.Add(1, _codeTags[index]);
        _sink.WriteAsync(frame, _stop.Token).AsTask().GetAwaiter().GetResult();
    }

    private void Drop(DropReason reason, int? codeIndex, string why)
    {
        var tag = new KeyValuePair<string, object?>("reason", DropReasons.Tag(reason));
        if (codeIndex is { } i) _metrics.FramesDropped.Add(1, tag, _codeTags[i]);
        else _metrics.FramesDropped.Add(1, tag);
        var now = Stopwatch.GetTimestamp();
        if (now - _lastLog < Stopwatch.Frequency) return;
        _lastLog = now;
        LogDropped(_logger, DropReasons.Tag(reason), why);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "worker: work dropped ({Reason}): {Why}")]
    private static partial void LogDropped(ILogger logger, string reason, string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "worker ingest failed: {Message}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string message);
}

/// <summary>
/// A worker's output: the micro-batcher's sink, sending each decoded frame back to the front end's result endpoint
/// over PUSH (the ticket it came with, status, stage and graph bits). A frame counts as published here once its
/// result is handed to the socket; after the shutdown deadline, what cannot be sent is dropped (reason unsent).
/// </summary>
public sealed class ResultSink : IDecodedSink, IDisposable
{
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(20);

    private readonly DistributeOptions _options;
    private readonly ReceiverMetrics _metrics;
    private readonly ArrayBufferWriter<byte> _writer = new(1024);
    private readonly CancellationTokenSource _giveUp = new();
    private readonly object _gate = new();
    private readonly KeyValuePair<string, object?>[] _codeTags;
    private NetMQSocket? _socket;
    private int _disposed;

    public ResultSink(DistributeOptions options, ICodeDirectory codes, ReceiverMetrics metrics)
    {
        _options = options;
        _metrics = metrics;
        _codeTags = Enumerable.Range(0, codes.Count).Select(i => new KeyValuePair<string, object?>("code", codes.NameOf(i))).ToArray();
    }

    public string? Endpoint { get; private set; }

    public void Start()
    {
        lock (_gate)
        {
            _socket = ZmqSockets.Create(ZmqSocketKind.Push, new ZmqSocketSettings { SendHighWaterMark = _options.Hwm });
            Endpoint = string.Join(",", ZmqSockets.Open(_socket, _options.ResultEndpoint.Trim(), defaultBind: false));
        }
    }

    /// <summary>Sends wait for the front end at most <paramref name="timeLeft"/> from now.</summary>
    public void BeginShutdown(TimeSpan timeLeft) => _giveUp.CancelAfter(timeLeft < TimeSpan.Zero ? TimeSpan.Zero : timeLeft);

    public void Publish(DecodedBatch batch)
    {
        // Decoder workers may call at once; a NetMQ socket takes one thread at a time.
        lock (_gate)
        {
            var socket = _socket ?? throw new InvalidOperationException("result sink not started");
            var tag = _codeTags[batch.CodeIndex];
            for (var i = 0; i < batch.Count; i++)
            {
                _writer.ResetWrittenCount();
                WorkEnvelopes.WriteResult(_writer, batch.Frame(i).Sequence, batch.Status(i), batch.Stage(i), batch.GraphBits(i));
                var sent = false;
                while (!(sent = ZmqSockets.TrySend(socket, _writer.WrittenSpan, more: false, _giveUp.IsCancellationRequested ? TimeSpan.Zero : Slice)))
                    if (_giveUp.IsCancellationRequested) break;
                if (sent) _metrics.FramesPublished.Add(1, tag);
                else _metrics.FramesDropped.Add(1, new KeyValuePair<string, object?>("reason", DropReasons.Tag(DropReason.Unsent)), tag);
            }
        }
    }

    /// <summary>Closes the socket, letting it deliver what it holds until <paramref name="linger"/> passes.</summary>
    public void Close(TimeSpan linger)
    {
        lock (_gate)
        {
            if (_socket is null) return;
            _socket.Options.Linger = linger < TimeSpan.Zero ? TimeSpan.Zero : linger;
            _socket.Dispose();
            _socket = null;
        }
    }

    /// <summary>Idempotent (the container disposes it once per service type it is registered as).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Close(TimeSpan.Zero);
        _giveUp.Dispose();
    }
}
