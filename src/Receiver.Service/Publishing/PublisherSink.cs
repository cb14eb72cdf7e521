using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Receiver.Common;
using Receiver.Pipeline;
using Receiver.Transport.Zmq;

namespace Receiver.Service.Publishing;

/// <summary>Publisher settings, resolved from <see cref="PublishOptions"/>.</summary>
/// <param name="Endpoint">Output endpoint; no prefix binds.</param>
/// <param name="Push">PUSH instead of PUB.</param>
/// <param name="Output">What each frame's message carries.</param>
/// <param name="Key">When set, each output is sent as [key][bits].</param>
/// <param name="MetadataEndpoint">Second socket (same type) for one MessagePack metadata map per frame; null for none.</param>
/// <param name="SendHighWaterMark">ZMQ_SNDHWM of both sockets.</param>
/// <param name="QueueCapacity">Formatted outputs waiting for the publisher thread before decoder workers wait.</param>
public sealed record PublisherSettings(
    string Endpoint,
    bool Push,
    OutputFormat Output,
    string? Key = null,
    string? MetadataEndpoint = null,
    int SendHighWaterMark = 10000,
    int QueueCapacity = 8192);

/// <summary>
/// The service's output: an <see cref="IDecodedSink"/> that formats each decoded frame (on the calling
/// worker, into a pooled slot) and hands it over a bounded channel to one publisher thread, which owns the
/// ZMQ PUB/PUSH socket(s) and sends. The batcher counts a frame published (and its latency) once
/// <see cref="Publish"/> returns; an output the thread then cannot send (PUSH without a peer at shutdown)
/// is counted on receiver.publish.unsent. Slots are reused, so the steady state does not allocate per frame.
/// </summary>
public sealed class PublisherSink : IDecodedSink, IDisposable
{
    /// <summary>How long libzmq keeps trying to deliver outputs queued at close.</summary>
    private const int LingerMs = 5000;
    private static readonly string[] StageNames = ["syndrome", "main", "fallback"];
    private readonly ZmqContext _context;
    private readonly PublisherSettings _settings;
    private readonly ReceiverMetrics _metrics;
    private readonly ICodeDirectory _codes;
    private readonly ILogger _logger;
    private readonly Channel<OutputSlot> _queue;
    private readonly ConcurrentBag<OutputSlot> _freeSlots = [];
    private readonly byte[]? _key;
    private Thread? _thread;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Counter<long> _unsent;
    private volatile bool _abandon;

    public PublisherSink(ZmqContext context, PublisherSettings settings, ICodeDirectory codes, ReceiverMetrics metrics, ILogger logger)
    {
        _context = context;
        _settings = settings;
        _codes = codes;
        _metrics = metrics;
        _logger = logger;
        _unsent = metrics.Meter.CreateCounter<long>("receiver.publish.unsent", "{frame}", "Decoded outputs the publisher could not send before shutdown gave up (PUSH without a peer).");
        _key = settings.Key is { Length: > 0 } key ? System.Text.Encoding.UTF8.GetBytes(key) : null;
        _queue = Channel.CreateBounded<OutputSlot>(new BoundedChannelOptions(settings.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The output endpoint in use (the picked port after binding port 0); set once started.</summary>
    public string? Endpoint { get; private set; }

    public string? MetadataEndpoint { get; private set; }

    /// <summary>Starts the publisher thread; completes once its sockets are bound or connected (or throws the bind error).</summary>
    public Task StartAsync()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "publisher" };
        _thread.Start();
        return _started.Task;
    }

    public void Publish(DecodedBatch batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var frame = batch.Frame(i);
            var slot = RentSlot(OutputFormatter.OutputLength(batch.Code, _settings.Output));
            slot.Length = OutputFormatter.Format(batch.Code, _settings.Output, batch.GraphBits(i), slot.Data);
            slot.CodeIndex = frame.CodeIndex;
            slot.Metadata.ResetWrittenCount();
            if (_settings.MetadataEndpoint is not null)
            {
                var status = batch.Status(i);
                MetadataEnvelope.Write(slot.Metadata, frame.Sequence, _codes.NameOf(frame.CodeIndex), status.Outcome.ToString(), status.Iterations,
                    Stopwatch.GetElapsedTime(frame.IngestTimestamp).TotalMicroseconds, StageNames[(int)batch.Stage(i)]);
            }
            if (!_queue.Writer.TryWrite(slot))
            {
                // Full: the decoder worker waits for the publisher (back-pressure), unless the channel was completed.
                try
                {
                    _queue.Writer.WriteAsync(slot).AsTask().GetAwaiter().GetResult();
                }
                catch (ChannelClosedException)
                {
                    Drop(slot);
                }
            }
        }
    }

    /// <summary>
    /// Stops taking outputs and waits until everything queued is sent. Past <paramref name="deadline"/> the
    /// thread gives up on outputs it cannot send (PUSH without a peer) and counts them unsent.
    /// </summary>
    public async Task CompleteAsync(TimeSpan deadline)
    {
        _queue.Writer.TryComplete();
        if (_thread is null) return;
        if (await Task.WhenAny(_finished.Task, Task.Delay(deadline)) != _finished.Task)
        {
            _abandon = true;
            await _finished.Task;
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _abandon = true;
        _thread?.Join(TimeSpan.FromSeconds(5));
    }

    private void Run()
    {
        ZmqSocket? output = null, metadata = null;
        try
        {
            try
            {
                output = Open(_settings.Endpoint);
                Endpoint = output.LastEndpoint;
                if (_settings.MetadataEndpoint is { } metadataEndpoint)
                {
                    metadata = Open(metadataEndpoint);
                    MetadataEndpoint = metadata.LastEndpoint;
                }
            }
            catch (Exception e)
            {
                _started.SetException(e);
                _finished.SetResult();
                return;
            }
            _started.SetResult();
            _logger.LogInformation("publish: {Socket} {Endpoint} ({Output}){Metadata}", _settings.Push ? "push" : "pub", Endpoint,
                OutputFormatter.NameOf(_settings.Output), MetadataEndpoint is null ? "" : $", metadata {MetadataEndpoint}");

            var reader = _queue.Reader;
            while (true)
            {
                while (reader.TryRead(out var slot)) Send(output, metadata, slot);
                if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult()) break;
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "publisher failed: {Message}", e.Message);
            while (_queue.Reader.TryRead(out var slot)) Drop(slot);
        }
        finally
        {
            metadata?.Dispose();
            output?.Dispose();
            _finished.TrySetResult();
        }
    }

    private ZmqSocket Open(string endpoint)
    {
        var socket = _context.CreateSocket(_settings.Push ? ZmqSocketType.Push : ZmqSocketType.Pub);
        try
        {
            socket.SendHighWaterMark = _settings.SendHighWaterMark;
            // Outputs still queued when the socket closes are sent in the background for a while, not discarded.
            socket.LingerMs = LingerMs;
            socket.Open(endpoint, defaultBind: true);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Send(ZmqSocket output, ZmqSocket? metadata, OutputSlot slot)
    {
        // PUB never waits; PUSH waits for a peer, in short steps so shutdown can give up on it.
        var sent = (_key is null || SendPart(output, _key, more: true)) && SendPart(output, slot.Data.AsSpan(0, slot.Length), more: false);
        if (sent && metadata is not null && slot.Metadata.WrittenCount > 0) SendPart(metadata, slot.Metadata.WrittenSpan, more: false);
        if (sent) _freeSlots.Add(slot);
        else Drop(slot);
    }

    private bool SendPart(ZmqSocket socket, ReadOnlySpan<byte> data, bool more)
    {
        while (!socket.TrySend(data, more, timeoutMs: 100))
            if (_abandon) return false;
        return true;
    }

    private void Drop(OutputSlot slot)
    {
        _unsent.Add(1, new KeyValuePair<string, object?>("code", _codes.NameOf(slot.CodeIndex)));
        _freeSlots.Add(slot);
    }

    private OutputSlot RentSlot(int length)
    {
        if (!_freeSlots.TryTake(out var slot) || slot.Data.Length < length) slot = new OutputSlot(length);
        return slot;
    }

    /// <summary>One frame's formatted output and metadata, reused across frames.</summary>
    private sealed class OutputSlot(int capacity)
    {
        public readonly byte[] Data = new byte[capacity];
        public readonly ArrayBufferWriter<byte> Metadata = new(96);
        public int Length;
        public int CodeIndex;
    }
}
