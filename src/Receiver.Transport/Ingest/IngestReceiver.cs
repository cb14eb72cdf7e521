using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using NetMQ;
using NetMQ.Monitoring;
using Receiver.Common;
using Receiver.Transport.Framing;
using Receiver.Transport.Zmq;

namespace Receiver.Transport.Ingest;

/// <summary>
/// One ingest socket and its receive loop on a thread of its own, which owns the NetMQ PULL/SUB socket: each
/// message is framed straight from NetMQ's buffer into pooled frames (the only copy before the batch) and the
/// frames are written to the sink. A socket monitor reports peers that go away (closed, killed, or
/// disconnected by the socket for a message over <see cref="IngestOptions.MaxMessageBytes"/>): each is logged
/// and counted, and once what they sent has been framed, a partial raw-stream frame is dropped (reason truncated).
/// </summary>
/// <remarks>
/// Stopping ends the receive loop; frames already framed are handed on, waiting for room in the sink until the
/// shutdown deadline, after which the rest are dropped (reason shutdown).
/// </remarks>
public sealed partial class IngestReceiver : IDisposable
{
    /// <summary>Receive timeout per poll: how quickly the loop notices a stop, and how long an idle socket waits before a lost peer's partial frame is dropped.</summary>
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(20);

    private static int _monitors;

    private readonly int _index;
    private readonly IngestOptions _options;
    private readonly MessageFramer _framer;
    private readonly IFrameSink _sink;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<IReadOnlyList<string>> _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _giveUp = new();
    private volatile bool _stopping;
    private int _peersLost, _disposed;
    private long _messages, _disconnects;

    public IngestReceiver(int index, IngestOptions options, MessageFramer framer, IFrameSink sink, ILogger logger)
    {
        _index = index;
        _options = options;
        _framer = framer;
        _sink = sink;
        _logger = logger;
    }

    public MessageFramer Framer => _framer;

    /// <summary>Messages received so far.</summary>
    public long MessagesReceived => Interlocked.Read(ref _messages);

    /// <summary>Peers that went away so far.</summary>
    public long PeerDisconnects => Interlocked.Read(ref _disconnects);

    /// <summary>Starts the receive thread; completes with the endpoints in use once the socket is bound or connected (or throws the bind error).</summary>
    public Task<IReadOnlyList<string>> StartAsync()
    {
        var thread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"ingest {_index}" };
        thread.Start();
        return _bound.Task;
    }

    /// <summary>Stops receiving and waits until the loop has handed on (or, past <paramref name="timeLeft"/>, dropped) what it framed.</summary>
    public Task StopAsync(TimeSpan timeLeft)
    {
        _stopping = true;
        _giveUp.CancelAfter(timeLeft < TimeSpan.Zero ? TimeSpan.Zero : timeLeft);
        return _done.Task;
    }

    /// <summary>Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping = true;
        _giveUp.Cancel();
        _done.Task.Wait(TimeSpan.FromSeconds(5));
        _giveUp.Dispose();
    }

    private void ReceiveLoop()
    {
        NetMQSocket? socket = null;
        NetMQMonitor? monitor = null;
        Task monitoring = Task.CompletedTask;
        var message = new Msg();
        message.InitEmpty();
        try
        {
            try
            {
                socket = ZmqSockets.Create(_options.SocketType == IngestSocketType.Sub ? ZmqSocketKind.Sub : ZmqSocketKind.Pull, new ZmqSocketSettings
                {
                    ReceiveHighWaterMark = _options.ReceiveHighWaterMark,
                    MaxMessageBytes = _options.MaxMessageBytes,
                    Subscribe = _options.Subscribe,
                    Curve = _options.Curve,
                });
                monitor = new NetMQMonitor(socket, $"inproc://receiver-ingest-monitor-{Interlocked.Increment(ref _monitors)}", SocketEvents.Disconnected);
                monitor.Disconnected += (_, e) => OnDisconnected(e.Address);
                monitoring = monitor.StartAsync();
                var endpoints = ZmqSockets.Open(socket, _options.Endpoint, defaultBind: false);
                _bound.SetResult(endpoints);
                LogStarted(_logger, _index, _options.SocketType.ToString().ToLowerInvariant(), string.Join(",", endpoints), IngestNames.FormatName(_options.Format),
                    _options.Curve is null ? "" : ", CURVE");
            }
            catch (Exception e)
            {
                _bound.TrySetException(e);
                return;
            }

            while (!_stopping)
            {
                if (!socket.TryReceive(ref message, PollTimeout))
                {
                    // Idle: whatever a lost peer sent has been framed, so its partial frame is dead.
                    if (Interlocked.Exchange(ref _peersLost, 0) > 0) _framer.OnPeerLost();
                    continue;
                }
                var received = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref _messages);
                // Two-part ingest: the leading key part(s) are skipped; the parts of one message arrive together.
                while (_options.TwoPart && message.HasMore)
                    if (!socket.TryReceive(ref message, TimeSpan.FromSeconds(1))) break;
                _framer.ReceivedTimestamp = received;
                _framer.OnMessage(new ReadOnlySequence<byte>(message.SliceAsMemory()));
                if (!HandOn()) break;
            }
        }
        catch (Exception e)
        {
            LogFailed(_logger, e, _index, e.Message);
        }
        finally
        {
            if (message.IsInitialised) message.Close();
            _framer.OnCompleted();
            if (monitor is not null)
            {
                monitor.Stop();
                monitoring.Wait(TimeSpan.FromSeconds(2));
                monitor.Dispose();
            }
            socket?.Dispose();
            _bound.TrySetResult([]);
            _done.TrySetResult();
        }
    }

    /// <summary>Writes the framed frames to the sink; false when shutdown gave up waiting for room (the rest are dropped, reason shutdown).</summary>
    private bool HandOn()
    {
        var pending = _framer.Pending;
        for (var i = 0; i < pending.Count; i++)
        {
            try
            {
                var write = _sink.WriteAsync(pending[i], _giveUp.Token);
                if (!write.IsCompletedSuccessfully) write.AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_giveUp.IsCancellationRequested)
            {
                // The sink dropped (and counted) the frame it was waiting with; the ones after it never reached it.
                _framer.DropPendingOnShutdown(i + 1);
                return false;
            }
        }
        pending.Clear();
        return true;
    }

    private void OnDisconnected(string address)
    {
        Interlocked.Increment(ref _disconnects);
        Interlocked.Exchange(ref _peersLost, 1);
        _framer.CountStreamEvent("peer_disconnected");
        LogPeerLost(_logger, _index, address, _options.MaxMessageBytes);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ingest {Index}: {Socket} {Endpoint} ({Format}{Curve})")]
    private static partial void LogStarted(ILogger logger, int index, string socket, string endpoint, string format, string curve);

    [LoggerMessage(Level = LogLevel.Error, Message = "ingest {Index}: receive loop failed: {Message}")]
    private static partial void LogFailed(ILogger logger, Exception exception, int index, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "ingest {Index}: peer {Address} disconnected (closed, or sent a message over MaxMessageBytes = {MaxBytes}); a partial frame it leaves is dropped as truncated")]
    private static partial void LogPeerLost(ILogger logger, int index, string address, int maxBytes);
}
