using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Receiver.Service.Metrics;

/// <summary>
/// A tiny HTTP/1.1 responder on 127.0.0.1 serving the Prometheus text exposition at /metrics
/// (the OpenTelemetry Prometheus exporters are not served here). One request per connection;
/// anything but GET /metrics gets 404.
/// </summary>
public sealed class PrometheusEndpoint : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<string> _render;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private int _disposed;

    /// <summary>Starts listening at once; <paramref name="port"/> 0 picks a free port (see <see cref="Port"/>).</summary>
    public PrometheusEndpoint(int port, Func<string> render, ILogger logger)
    {
        _render = render;
        _logger = logger;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptLoopAsync();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/metrics";

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => RespondAsync(client));
        }
    }

    private async Task RespondAsync(TcpClient client)
    {
        using var connection = client;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var stream = client.GetStream();
            var requestLine = await ReadHeadAsync(stream, timeout.Token);
            var parts = requestLine.Split(' ');
            var (status, contentType, body) = parts.Length >= 2 && parts[0] == "GET" && parts[1].Split('?')[0] == "/metrics"
                ? ("200 OK", "text/plain; version=0.0.4; charset=utf-8", _render())
                : ("404 Not Found", "text/plain; charset=utf-8", "only GET /metrics is served here\n");
            var bodyBytes = Encoding.UTF8.GetBytes(body);
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {bodyBytes.Length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(head, timeout.Token);
            await stream.WriteAsync(bodyBytes, timeout.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            _logger.LogDebug("metrics request failed: {Message}", e.Message);
        }
    }

    /// <summary>Reads the request head (up to the blank line, at most 8 KiB) and returns its first line.</summary>
    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0) break;
            filled += read;
            if (buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8) >= 0) break;
        }
        var text = Encoding.ASCII.GetString(buffer, 0, filled);
        var end = text.IndexOf('\r');
        return end >= 0 ? text[..end] : text;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping.Cancel();
        _listener.Stop();
        await _accepting;
        _stopping.Dispose();
    }
}
