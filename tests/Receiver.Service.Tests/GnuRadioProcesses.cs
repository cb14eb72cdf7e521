using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Receiver.Service.Tests;

/// <summary>Where the GNU Radio flowgraphs and Debian's python live, and a check that gr-zeromq is installed.</summary>
internal static class GnuRadio
{
    /// <summary>xunit collection of the tests that run flowgraphs: one at a time, so two cores are not shared by several flowgraphs and services.</summary>
    public const string Collection = "GNU Radio flowgraphs";

    /// <summary>Debian's python: the one that sees the gnuradio, zmq and numpy packages.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>The repository root: the first folder holding flowgraphs/ldpc_tx.py above the test binaries, the working directory or this source file (builds with --artifacts-path put the binaries outside the repository).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Flowgraph(string name) => Path.Combine(RepositoryRoot, "flowgraphs", name);

    /// <summary>Fails (never skips) when GNU Radio with gr-zeromq cannot be imported by <see cref="Python"/>.</summary>
    public static async Task RequireInstalledAsync()
    {
        const string install = "install it with scripts/setup.sh (Debian: apt-get install gnuradio python3-zmq)";
        if (!File.Exists(Python))
            Assert.Fail($"GNU Radio end-to-end test needs {Python} with gnuradio; {Python} is missing: {install}");
        using var check = ChildProcess.Start(Python, ["-c", "import gnuradio.zeromq, gnuradio.digital, numpy"], RepositoryRoot);
        var exitCode = await check.WaitForExitAsync(TimeSpan.FromSeconds(60));
        if (exitCode != 0)
            Assert.Fail($"GNU Radio end-to-end test needs gnuradio 3.10 with gr-zeromq for {Python}, and importing it failed " +
                $"(exit {exitCode?.ToString() ?? "timeout"}): {check.Error.Trim()}; {install}");
    }

    private static string FindRepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        string[] starts = [AppContext.BaseDirectory, Directory.GetCurrentDirectory(), Path.GetDirectoryName(sourceFile) ?? ""];
        foreach (var start in starts)
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "flowgraphs", "ldpc_tx.py"))) return dir.FullName;
        throw new InvalidOperationException($"no flowgraphs/ldpc_tx.py above {string.Join(", ", starts)}");
    }
}

/// <summary>A child process whose stdout and stderr are collected line by line; killed on dispose if still running.</summary>
internal sealed class ChildProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _error = new();
    private readonly List<(string Line, TaskCompletionSource Seen)> _awaitedLines = [];

    private ChildProcess(Process process) => _process = process;

    public string Output { get { lock (_out) return _out.ToString(); } }

    public string Error { get { lock (_error) return _error.ToString(); } }

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (child._error) child._error.AppendLine(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Completes when stdout prints exactly <paramref name="line"/> (trimmed), or when the process exits without it.</summary>
    public async Task<bool> WaitForLineAsync(string line, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_out)
        {
            if (_out.ToString().Split('\n').Any(l => l.Trim() == line)) return true;
            _awaitedLines.Add((line, seen));
        }
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout));
        return first == seen.Task;
    }

    /// <summary>The exit code, or null when the process is still running after <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Asks for a graceful stop (SIGTERM: the .NET host and GNU Radio's generated main both stop on it).</summary>
    public void Terminate() => Signal(SigTerm);

    /// <summary>Sends a signal (15 SIGTERM, 2 SIGINT) unless the process has exited.</summary>
    public void Signal(int signal)
    {
        if (!_process.HasExited) _ = Kill(_process.Id, signal);
    }

    public string Describe(string name) => $"--- {name} stdout:\n{Output}--- {name} stderr:\n{Error}";

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private void OnOutput(string? data)
    {
        if (data is null) return;
        lock (_out)
        {
            _out.AppendLine(data);
            foreach (var (line, seen) in _awaitedLines)
                if (data.Trim() == line) seen.TrySetResult();
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

/// <summary>Loopback TCP endpoints for GNU Radio peers: NetMQ's ipc:// is its own emulation and does not reach libzmq's Unix sockets.</summary>
internal static class LoopbackPorts
{
    /// <summary>tcp://127.0.0.1:P with a port free at the time of the call.</summary>
    public static string FreeEndpoint()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"tcp://127.0.0.1:{port}";
    }
}

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
internal sealed class TemporaryFolder : IDisposable
{
    public TemporaryFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rx-gr-" + Guid.NewGuid().ToString("N")[..12]);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a socket file still held by a dying process: leave it to the temp cleaner
        }
    }
}
