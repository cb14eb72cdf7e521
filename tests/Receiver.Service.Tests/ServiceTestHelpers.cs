using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Receiver.Service;

namespace Receiver.Service.Tests;

/// <summary>Shared pieces of the service tests: repository paths, in-memory configurations, polling.</summary>
internal static class ServiceTestHelpers
{
    /// <summary>The repository root (the folder holding configs/ and src/), found upwards from this source file.</summary>
    public static string RepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        for (var directory = new FileInfo(sourceFile).Directory; directory is not null; directory = directory.Parent)
            if (Directory.Exists(Path.Combine(directory.FullName, "configs")) && Directory.Exists(Path.Combine(directory.FullName, "src")))
                return directory.FullName;
        throw new DirectoryNotFoundException("repository root (configs/ and src/) not found above " + sourceFile);
    }

    /// <summary>A configuration from "Receiver:..." keys.</summary>
    public static IConfiguration Configuration(IDictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    /// <summary>A one-code service binding its ingest(s) and publisher on free loopback ports.</summary>
    public static Dictionary<string, string?> LoopbackValues(string code = "nr:224,256", string decoder = "layered-nms") => new()
    {
        ["Receiver:Codes:0:Spec"] = code,
        ["Receiver:Codes:0:Chain:Decoder"] = decoder,
        ["Receiver:Codes:0:Chain:Iterations"] = "20",
        ["Receiver:Ingest:0:Endpoints:0"] = "@tcp://127.0.0.1:0",
        ["Receiver:Ingest:0:Format"] = "framed",
        ["Receiver:Batching:Workers"] = "1",
        ["Receiver:Publish:Endpoint"] = "@tcp://127.0.0.1:0",
        ["Receiver:Publish:Socket"] = "pub",
        ["Receiver:Metrics:ConsoleIntervalSeconds"] = "0",
        ["Receiver:Shutdown:DrainDeadlineMs"] = "5000",
    };

    public static ReceiverHostSettings QuietHost(bool groundTruth = false) => new() { LogLevel = LogLevel.Error, GroundTruth = groundTruth };

    /// <summary>Polls until the condition holds or the timeout passes; returns whether it held.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) return false;
            await Task.Delay(10);
        }
        return true;
    }
}
