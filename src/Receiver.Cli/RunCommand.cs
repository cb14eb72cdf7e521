using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Receiver.Codes;
using Receiver.Neural;
using Receiver.Service;
using NetMQ;

namespace Receiver.Cli;

/// <summary>
/// <c>receiver run --config FILE [overrides]</c>: runs the streaming service until Ctrl-C or SIGTERM, then
/// drains and exits 0. Prints the single line <c>ready</c> on stdout once its sockets are up; logs go to stderr.
/// A bad configuration or flag is one <c>error: ...</c> line and exit code 2.
/// </summary>
internal static class RunCommand
{
    public static Command Build(Terminal terminal)
    {
        var config = new Option<string>("--config") { HelpName = "FILE", Description = "JSON configuration (see configs/README.md)", Required = true };
        var overrides = new OverrideOptions();
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Least severe log level written to stderr", DefaultValueFactory = _ => LogLevel.Information };
        var command = new Command("run", "Run the streaming receiver service (ZMQ in, decoded bits out) until Ctrl-C or SIGTERM") { config, logLevel };
        overrides.AddTo(command);
        command.SetAction((parsed, cancellationToken) => RunAsync(
            parsed.GetValue(config)!, overrides.Read(parsed), parsed.GetValue(logLevel), terminal, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string configPath, ReceiverOverrides overrides, LogLevel logLevel, Terminal terminal, CancellationToken cancellationToken)
    {
        var configuration = LoadConfiguration(configPath);
        CheckOptions(configuration, overrides, configPath);

        // SIGTERM stops the service like Ctrl-C does (the CLI's own handler cancels the token on SIGINT). The
        // handlers only complete a task, so the drain never runs inside a signal handler or a Cancel call.
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.TrySetResult();
        });
        await using var interrupt = cancellationToken.Register(() => stop.TrySetResult());

        var builder = ReceiverHost.CreateBuilder(configuration, overrides, new ReceiverHostSettings { ReadyWriter = terminal.Out, LogLevel = logLevel });
        using (var host = builder.Build())
        {
            await StartAsync(host, configPath, cancellationToken);
            await stop.Task;
            await host.StopAsync(CancellationToken.None);
        }
        return Cli.ExitSuccess;
    }

    /// <summary>Starts the host; configuration problems found while starting (a code that does not load, an endpoint in use) become usage errors.</summary>
    internal static async Task StartAsync(IHost host, string source, CancellationToken cancellationToken)
    {
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (OptionsValidationException e)
        {
            throw new UsageException($"{source}: {e.Failures.FirstOrDefault() ?? e.Message}", e);
        }
        catch (Exception e) when (e is ArgumentException or CodeFormatException or NetMQException or InvalidOperationException or Receiver.Neural.Runtime.ModelRuntimeException or FormatException or FileNotFoundException)
        {
            throw new UsageException($"{source}: {Cli.MessageOf(e)}", e);
        }
    }

    /// <summary>Reads a JSON configuration file; a missing or unreadable file is a usage error naming it.</summary>
    internal static IConfiguration LoadConfiguration(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new UsageException($"config file '{path}' not found");
        try
        {
            return new ConfigurationBuilder().AddJsonFile(fullPath, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            throw new UsageException($"config file '{path}' is not valid JSON: {(e.InnerException ?? e).Message}", e);
        }
    }

    /// <summary>Binds and validates the options the host will use, so problems are reported before anything starts.</summary>
    internal static ReceiverOptions CheckOptions(IConfiguration configuration, ReceiverOverrides overrides, string source)
    {
        foreach (var section in configuration.GetChildren())
            if (!string.Equals(section.Key, ReceiverOptions.SectionName, StringComparison.Ordinal))
            {
                var missing = configuration.GetSection(ReceiverOptions.SectionName).Exists() ? "" : $"no \"{ReceiverOptions.SectionName}\" section; ";
                throw new UsageException($"{source}: {missing}unknown root section \"{section.Key}\" (the configuration lives under \"{ReceiverOptions.SectionName}\"; see configs/README.md)");
            }
        var options = new ReceiverOptions();
        try
        {
            configuration.GetSection(ReceiverOptions.SectionName).Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException($"{source}: {(e.InnerException is { } inner ? $"{e.Message.TrimEnd('.')}: {inner.Message}" : e.Message)}", e);
        }
        if (!configuration.GetSection(ReceiverOptions.SectionName).Exists() && overrides.IngestEndpoint is null)
            throw new UsageException($"{source}: no \"{ReceiverOptions.SectionName}\" section (see configs/README.md)");
        overrides.ApplyTo(options);
        if (ReceiverOptionsValidator.FirstFailure(options) is { } failure) throw new UsageException($"{source}: {failure}");
        return options;
    }
}

/// <summary>The flags that override a configuration (shared by run and tests).</summary>
internal sealed class OverrideOptions
{
    private readonly Option<string?> _code = new("--code") { HelpName = "PATH|NAME|nr:K,N", Description = "Decode this code only (raw ingests carry it)" };
    private readonly Option<string?> _ingest = new("--ingest") { HelpName = "ENDPOINT", Description = "Ingest endpoint of the first ingest ('@' binds, '>' connects; default connect)" };
    private readonly Option<string?> _ingestFormat = new("--ingest-format") { HelpName = "gr-float|gr-char|gr-tagged|framed", Description = "Wire format of the first ingest" };
    private readonly Option<string?> _llrSign = new("--llr-sign") { HelpName = "gnuradio|canonical", Description = "LLR sign on the first ingest (gnuradio: positive means bit 1)" };
    private readonly Option<string?> _decoder = new("--decoder") { HelpName = "NAME", Description = "Main decoder of every code" };
    private readonly Option<int?> _iterations = new("--iterations") { HelpName = "N", Description = "Iteration cap of every code's decoder" };
    private readonly Option<string?> _model = new("--model") { HelpName = "NAME|DIR|manifest.json", Description = "Model of a neural decoder (ecct, fecct, eccfm, uecct, aecct, ddecc) for every code" };
    private readonly Option<string?> _runtime = new Option<string?>("--runtime") { HelpName = "auto|onnxruntime|torchsharp", Description = "Runtime of a neural decoder: auto (ONNX Runtime where the model ships an .onnx file, else TorchSharp), onnxruntime or torchsharp" };
    private readonly Option<string?> _device = new Option<string?>("--device") { HelpName = "cpu|cuda[:N]", Description = "Where the decoder runs: cpu, or a CUDA device for neural decoders (no such device is an error at start)" };
    private readonly Option<string?> _publish = new("--publish") { HelpName = "ENDPOINT", Description = "Output endpoint ('@' binds, '>' connects; default bind)" };
    private readonly Option<string?> _output = new("--output") { HelpName = "unpacked-info|packed-info|unpacked-codeword|packed-codeword", Description = "What each output message carries" };
    private readonly Option<int?> _metricsPort = new("--metrics-port") { HelpName = "P", Description = "Prometheus endpoint port on 127.0.0.1 (0: off)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _code, _ingest, _ingestFormat, _llrSign, _decoder, _iterations, _model, _runtime, _device, _publish, _output, _metricsPort })
            command.Options.Add(option);
    }

    public ReceiverOverrides Read(ParseResult parsed) => new()
    {
        Code = parsed.GetValue(_code),
        IngestEndpoint = parsed.GetValue(_ingest),
        IngestFormat = parsed.GetValue(_ingestFormat),
        LlrSign = parsed.GetValue(_llrSign),
        Decoder = parsed.GetValue(_decoder),
        Iterations = parsed.GetValue(_iterations),
        Model = parsed.GetValue(_model),
        Runtime = parsed.GetValue(_runtime),
        Device = parsed.GetValue(_device),
        PublishEndpoint = parsed.GetValue(_publish),
        Output = parsed.GetValue(_output),
        MetricsPort = parsed.GetValue(_metricsPort),
    };
}
