using System.IO.Pipelines;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Receiver.Common;
using Receiver.Transport.Framing;
using Receiver.Transport.Zmq;

namespace Receiver.Service.Ingest;

/// <summary>
/// One ingest socket: a receive loop on its own thread (which owns the ZMQ PULL/SUB socket) copies each
/// message as a <see cref="MessageRecord"/> into a <see cref="Pipe"/>, and a <see cref="FrameReader"/> task
/// turns the records into frames for the batcher. Stopping ends the receive loop and completes the pipe,
/// so the reader hands on every frame already framed before the batcher drains.
/// </summary>
public sealed class IngestService : IHostedService
{
    /// <summary>Receive timeout per poll: how quickly the loop notices a stop.</summary>
    private const int PollMs = 20;
    /// <summary>Messages taken without waiting before the pipe is flushed (bursts amortise the flush).</summary>
    private const int BurstMessages = 64;

    private readonly int _index;
    private readonly IngestOptions _options;
    private readonly ZmqContext _context;
    private readonly FrameReader _reader;
    private readonly ServiceEndpoints _endpoints;
    private readonly ILogger _logger;
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 64 << 20, resumeWriterThreshold: 32 << 20, useSynchronizationContext: false));
    private readonly CancellationTokenSource _stopReceiving = new();
    private readonly TaskCompletionSource _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _receiveDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _reading = Task.CompletedTask;
    private long _messages;

    public IngestService(int index, IngestOptions options, ZmqContext context, MessageFramer framer, IFrameSink sink, ServiceEndpoints endpoints, ILogger logger)
    {
        _index = index;
        _options = options;
        _context = context;
        _reader = new FrameReader(framer, sink);
        _endpoints = endpoints;
        _logger = logger;
    }

    /// <summary>Messages received so far (including oversized ones).</summary>
    public long MessagesReceived => Interlocked.Read(ref _messages);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var thread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"ingest {_index}" };
        thread.Start();
        await _bound.Task;
        // The reader must not stop on the host's token: it drains until the receive loop completes the pipe.
        _reading = Task.Run(() => _reader.RunAsync(_pipe.Reader, CancellationToken.None), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopReceiving.CancelAsync();
        await _receiveDone.Task;
        await _reading;
        _logger.LogDebug("ingest {Index}: {Messages} messages, {Frames} frames", _index, MessagesReceived, _reader.Framer.FramesOut);
    }

    private void ReceiveLoop()
    {
        var writer = _pipe.Writer;
        ZmqSocket? socket = null;
        try
        {
            try
            {
                socket = _context.CreateSocket(_options.SocketType == IngestSocketType.Sub ? ZmqSocketType.Sub : ZmqSocketType.Pull);
                socket.ReceiveHighWaterMark = _options.ReceiveHighWaterMark;
                if (_options.SocketType == IngestSocketType.Sub) socket.Subscribe(_options.Subscribe);
                socket.Open(_options.Endpoint, defaultBind: false);
                _endpoints.Ingest[_index] = [socket.LastEndpoint];
            }
            catch (Exception e)
            {
                _bound.SetException(e);
                return;
            }
            _bound.SetResult();
            _logger.LogInformation("ingest {Index}: {Socket} {Endpoint} ({Format})", _index, _options.SocketType.ToString().ToLowerInvariant(),
                socket.LastEndpoint, IngestNames.FormatName(_options.Format));

            using var message = new ZmqMessage();
            var stop = _stopReceiving.Token;
            while (!stop.IsCancellationRequested)
            {
                if (!ReceiveWhole(socket, message, PollMs)) continue;
                var burst = 1;
                Append(writer, message);
                while (burst < BurstMessages && ReceiveWhole(socket, message, 0))
                {
                    Append(writer, message);
                    burst++;
                }
                var flush = writer.FlushAsync(CancellationToken.None);
                if (!flush.IsCompleted) flush.AsTask().GetAwaiter().GetResult();
            }
        }
        catch (ObjectDisposedException)
        {
            // The context was shut down under the loop: a clean exit.
        }
        catch (Exception e)
        {
            _logger.LogError(e, "ingest {Index} receive loop failed: {Message}", _index, e.Message);
        }
        finally
        {
            socket?.Dispose();
            writer.Complete();
            _bound.TrySetResult();
            _receiveDone.SetResult();
        }
    }

    /// <summary>Receives one message; with two-part ingest the leading key part(s) are skipped so only the payload is written.</summary>
    private bool ReceiveWhole(ZmqSocket socket, ZmqMessage message, int timeoutMs)
    {
        if (!socket.TryReceive(message, timeoutMs)) return false;
        // The parts of one message arrive together, so waiting for the rest returns at once.
        while (_options.TwoPart && message.More)
            if (!socket.TryReceive(message, -1)) return false;
        return true;
    }

    private void Append(PipeWriter writer, ZmqMessage message)
    {
        Interlocked.Increment(ref _messages);
        MessageRecord.Write(writer, message.Data, _options.MaxMessageBytes);
    }
}
