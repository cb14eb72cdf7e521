using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Receiver.Codes;
using Receiver.Decoders;
using Receiver.Neural;
using Receiver.Neural.Runtime;
using Spectre.Console;

namespace Receiver.Cli;

/// <summary>
/// <c>receiver models list [--json]</c>: the installed neural models (see <see cref="ModelCatalog"/> for where they are
/// looked for), with the shared backbones and per-code adapters of SAP models.
/// <c>receiver models onboard --code SPEC</c>: SAP Algorithm 1 for a new code (spectral signature, nearest mask-library
/// entries, reuse or derive), then <c>train/sap.py onboard --model=FOLDER --code=FILE --tau=T --minutes=M</c>
/// trains its adapter (nr: codes first get their graph exported into FOLDER/codes, as <c>codes export</c> writes it).
/// </summary>
internal static class ModelsCommand
{
    /// <summary>The model onboard uses when --model is not given.</summary>
    public const string DefaultSapModel = "fecct-sap";

    /// <summary>Library entries onboard prints.</summary>
    private const int NearestShown = 3;

    public static Command Build(Terminal terminal)
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per model and line (name, architecture, code, path, parameters, flops_per_frame; SAP models add backbones and adapters)" };
        var list = new Command("list", $"List the installed models ({ModelCatalog.ModelsDirectoryVariable}, models/ beside the app, models/ above it or the current directory)") { json };
        list.SetAction(parsed => List(terminal, parsed.GetValue(json), ModelCatalog.Default));
        return new Command("models", "Neural decoder models (ONNX and TorchScript per code + manifest.json)") { list, BuildCheck(terminal), BuildOnboard(terminal) };
    }

    private static Command BuildCheck(Terminal terminal)
    {
        var names = new Argument<string[]>("MODEL") { Arity = ArgumentArity.ZeroOrMore, Description = "Models to check (names, folders or manifests; default: every installed model)" };
        var runtime = new Option<string>("--runtime") { HelpName = "all|onnxruntime|torchsharp", Description = "Runtimes to check each code's artifact in", DefaultValueFactory = _ => "all" };
        var device = new Option<string>("--device") { HelpName = "cpu|cuda[:N]", Description = "Where the artifacts run", DefaultValueFactory = _ => "cpu" };
        var check = new Command("check", "Check installed models as loading does: every artifact's sha256 against the manifest, then each code's golden file in each runtime; one line per code and runtime")
        {
            names, runtime, device,
        };
        check.SetAction(parsed => Check(terminal, parsed.GetValue(names) ?? [], parsed.GetValue(runtime)!, parsed.GetValue(device)!, ModelCatalog.Default));
        return check;
    }

    /// <summary>One line per (model, code, runtime): ok, refused (the reason), or no artifact (why); exit 1 when any is refused.</summary>
    internal static int Check(Terminal terminal, IReadOnlyList<string> names, string runtimeName, string deviceName, ModelCatalog catalog)
    {
        ComputeDevice device;
        NeuralRuntime[] runtimes;
        try
        {
            device = ComputeDevice.Parse(deviceName);
            runtimes = runtimeName.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)
                ? [NeuralRuntime.OnnxRuntime, NeuralRuntime.TorchSharp]
                : [NeuralRuntimes.Parse(runtimeName)];
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        var models = names.Count == 0 ? catalog.List() : names.Select(catalog.Resolve).ToArray();
        var refused = 0;
        foreach (var model in models)
            foreach (var entry in model.Codes)
                foreach (var runtime in runtimes)
                {
                    var label = $"{model.Name} {entry.Code} {NeuralRuntimes.Name(runtime)} {device}";
                    if (runtime == NeuralRuntime.OnnxRuntime && entry.Onnx is null)
                    {
                        terminal.Out.WriteLine($"{label}: no .onnx ({entry.OnnxMissing ?? "not exported"})");
                        continue;
                    }
                    try
                    {
                        using var session = ModelSessions.Open(model, entry, runtime, device, threads: 1);
                        terminal.Out.WriteLine($"{label}: ok ({Path.GetFileName(session.ArtifactPath)}: sha256 and golden outputs match)");
                    }
                    catch (Exception e) when (e is ArgumentException or ModelRuntimeException)
                    {
                        refused++;
                        terminal.Out.WriteLine($"{label}: refused: {e.Message}");
                    }
                }
        terminal.Out.Flush();
        return refused == 0 ? Cli.ExitSuccess : Cli.ExitFailure;
    }

    private static Command BuildOnboard(Terminal terminal)
    {
        var code = new Option<string>("--code") { HelpName = "PATH|NAME|nr:K,N", Description = "The code to onboard", Required = true };
        var model = new Option<string>("--model") { HelpName = "NAME|FOLDER", Description = "SAP model (its manifest names a mask library)", DefaultValueFactory = _ => DefaultSapModel };
        var tau = new Option<double?>("--tau") { HelpName = "T", Description = "Reuse the nearest library mask when its kappa >= T (default: the library's tau, 0.5 in the paper)" };
        var minutes = new Option<double>("--minutes") { HelpName = "M", Description = "Training time for the adapter (and a new mask's importance pass)", DefaultValueFactory = _ => 10 };
        var plan = new Option<bool>("--plan") { Description = "Print the retrieval, the decision and the training command without running it" };
        var json = new Option<bool>("--json") { Description = "One JSON line on stdout (signature, nearest entries, kappa, decision, command); the training's output goes to stderr" };
        var onboard = new Command("onboard", "Onboard a code onto a SAP model: spectral signature, nearest mask-library entries and the reuse/derive decision (Algorithm 1), then train its LoRA adapter with train/sap.py onboard")
        {
            code, model, tau, minutes, plan, json,
        };
        onboard.SetAction((parsed, cancellationToken) => OnboardAsync(terminal, new OnboardRequest(
            parsed.GetValue(code)!, parsed.GetValue(model)!, parsed.GetValue(tau), parsed.GetValue(minutes), parsed.GetValue(plan), parsed.GetValue(json)), cancellationToken));
        return onboard;
    }

    private sealed record OnboardRequest(string Code, string Model, double? Tau, double Minutes, bool Plan, bool Json);

    /// <summary>
    /// The model folder onboarding writes into. A bare name resolves in the repository's models/ first (unless
    /// RECEIVER_MODELS_DIR is set): the copy beside the app is replaced by the next build, so an adapter trained into it would be lost.
    /// </summary>
    private static ModelManifest ResolveForWriting(string spec)
    {
        var root = PythonScript.FindRepository();
        var bareName = spec.IndexOfAny(['/', '\\']) < 0 && !Directory.Exists(spec) && !File.Exists(spec);
        if (bareName && root is not null && Environment.GetEnvironmentVariable(ModelCatalog.ModelsDirectoryVariable) is null
            && File.Exists(Path.Combine(root, ModelCatalog.ModelsFolderName, spec.Trim(), ModelManifest.FileName)))
            return ModelManifest.Load(Path.Combine(root, ModelCatalog.ModelsFolderName, spec.Trim(), ModelManifest.FileName));
        return ModelCatalog.Default.Resolve(spec);
    }

    private static async Task<int> OnboardAsync(Terminal terminal, OnboardRequest request, CancellationToken cancellationToken)
    {
        if (!(request.Minutes > 0)) throw new UsageException($"--minutes must be positive, got {request.Minutes}");
        var code = CodeLibrary.Load(request.Code);
        var model = ResolveForWriting(request.Model);
        var library = model.LoadLibrary();
        var signature = SpectralSignature.Compute(code.H, library.Signature.K);
        var ranking = library.Rank(signature);
        var decision = library.Decide(signature, request.Tau);
        var existing = model.FindCode(code.Name);
        var adapter = string.IsNullOrWhiteSpace(existing?.Adapter) ? null : model.PathOf(existing.Adapter);

        CodesCommand.ExportedGraph? exported = null;
        string[]? command = null;
        string? root = null;
        if (adapter is null)
        {
            string codeFile;
            if (code.Name.StartsWith(CodeLibrary.NrPrefix, StringComparison.OrdinalIgnoreCase))
            {
                exported = CodesCommand.ExportGraph(code, model.PathOf("codes"));
                codeFile = exported.Alist;
            }
            else
            {
                codeFile = Path.GetFullPath(CodeLibrary.ResolveCodeFile(request.Code.Trim(), CodeLibrary.FindCodesDirectory()));
            }
            root = PythonScript.FindRepository();
            if (root is null && !request.Plan)
                throw new UsageException($"train/sap.py not found above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}: run the receiver from a checkout of the repository, or use --plan");
            // train/sap.py reads its options as --key=value.
            command = [PythonScript.Python, SapScript, "onboard", $"--model={model.Folder}", $"--code={codeFile}",
                $"--tau={Number(decision.Tau)}", $"--minutes={Number(request.Minutes)}"];
        }

        if (request.Json)
        {
            terminal.Out.WriteLine(JsonSerializer.Serialize(new
            {
                code = code.Name,
                n = code.N,
                k = code.K,
                model = model.Name,
                model_folder = model.Folder,
                library = library.Path,
                signature,
                nearest = ranking.Take(NearestShown).Select(m => new { code = m.Entry.Code, distance = m.Distance, kappa = m.Kappa, source = m.Entry.Source }),
                kappa = decision.Nearest?.Kappa,
                tau = decision.Tau,
                decision = adapter is not null ? "present" : decision.Reuse ? "reuse" : "derive",
                mask = decision.Reuse ? decision.Nearest?.Entry.Code : null,
                description = decision.Describe(),
                adapter,
                exported = exported is null ? null : new { alist = exported.Alist, json = exported.Json, sha256 = exported.Sha256 },
                working_directory = root,
                command,
            }, JsonOptions));
        }
        else
        {
            var output = terminal.Out;
            output.WriteLine($"code {code.Name}: n {code.N}, k {code.K}, H {code.H.Rows} x {code.H.Columns}");
            output.WriteLine($"signature (k {signature.Length}): {string.Join(' ', signature.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)))}");
            output.WriteLine($"model {model.Name}: library {library.Path} ({library.Entries.Count} entries, beta {Number(library.Signature.Beta)})");
            if (ranking.Count > 0) output.WriteLine("nearest entries:");
            var width = ranking.Take(NearestShown).Select(m => m.Entry.Code.Length).DefaultIfEmpty(0).Max();
            foreach (var match in ranking.Take(NearestShown))
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {match.Entry.Code.PadRight(width)}  d {match.Distance,8:0.000}  kappa {match.Kappa:0.000}{(match.Entry.Source is null ? "" : $"  ({match.Entry.Source})")}"));
            output.WriteLine($"decision: {decision.Describe()}");
            if (adapter is not null)
                output.WriteLine($"model {model.Name} already has an adapter for {code.Name}: {adapter}");
            if (exported is not null) output.WriteLine($"graph exported: {exported.Alist} (+ {Path.GetFileName(exported.Json)})");
            if (command is not null)
                output.WriteLine($"{(request.Plan ? "would run" : "running")} (in {root ?? "the repository root"}): {string.Join(' ', command.Select(Quote))}");
        }
        terminal.Out.Flush();
        if (command is null || request.Plan) return Cli.ExitSuccess;
        // With --json, stdout holds the one JSON line: the script's output goes to stderr.
        return await PythonScript.RunAsync(root!, SapScript, command.Skip(2), request.Json ? terminal.Error : terminal.Out, terminal.Error, cancellationToken);
    }

    private static readonly string SapScript = Path.Combine("train", "sap.py");

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>An argument as a POSIX shell word: single-quoted when it holds anything but safe characters.</summary>
    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or ':' or ',' or '=' or '+')
            ? argument
            : "'" + argument.Replace("'", "'\\''") + "'";

    /// <summary>Lists the models of <paramref name="catalog"/> as a table, or as one JSON object per model and line.</summary>
    internal static int List(Terminal terminal, bool asJson, ModelCatalog catalog)
    {
        var problems = new List<string>();
        var models = catalog.List(problems);
        foreach (var problem in problems) terminal.Error.WriteLine($"warning: skipping {problem}");
        if (asJson)
        {
            foreach (var model in models)
            {
                var sap = model.Backbones.Count > 0;
                terminal.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    name = model.Name,
                    architecture = model.Architecture,
                    code = model.CodeList,
                    path = model.Folder,
                    parameters = model.Parameters,
                    flops_per_frame = model.FlopsPerFrame,
                    artifacts = model.Codes.Select(c => new { code = c.Code, onnx = c.Onnx, torchscript = c.TorchScript, onnx_missing = c.OnnxMissing }),
                    description = model.Description,
                    teacher = model.Teacher,
                    library = model.Library,
                    backbones = sap
                        ? model.Backbones.Select(b => new { mask = b.Mask, weights = b.Weights, parameters = b.Parameters, heads = b.Heads, ffn = b.Ffn, bytes = FileBytes(model, b.Weights) })
                        : null,
                    adapters = sap
                        ? model.Codes.Select(c => new { code = c.Code, mask = c.Mask, kappa = c.Kappa, adapter = c.Adapter, adapter_parameters = c.AdapterParameters, bytes = FileBytes(model, c.Adapter), merged = c.Merged })
                        : null,
                }, JsonOptions));
            }
            terminal.Out.Flush();
            return Cli.ExitSuccess;
        }
        if (models.Count == 0)
        {
            terminal.Error.WriteLine(catalog.SearchFolders.Count == 0
                ? $"no models installed: no models/ folder found (set {ModelCatalog.ModelsDirectoryVariable})"
                : $"no models installed in {string.Join(", ", catalog.SearchFolders)}");
            return Cli.ExitSuccess;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(terminal.Out),
            Ansi = terminal.OutIsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal.OutIsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal.OutIsTerminal) console.Profile.Width = 160;
        var table = NewTable(null, "name", "architecture", "code", "artifacts", "parameters", "FLOPs/frame", "path");
        foreach (var model in models)
            table.AddRow(Markup.Escape(model.Name), Markup.Escape(model.Architecture), Markup.Escape(model.CodeList), Markup.Escape(Artifacts(model)),
                Count(model.Parameters), model.FlopsPerFrame?.ToString("0.###E+0", CultureInfo.InvariantCulture) ?? "",
                Markup.Escape(model.Folder));
        console.Write(table);
        foreach (var missing in models.SelectMany(m => m.Codes.Where(c => c.Onnx is null).Select(c => (m.Name, c.Code, c.OnnxMissing))))
            terminal.Out.WriteLine($"{missing.Name} {missing.Code}: no .onnx ({missing.OnnxMissing ?? "not exported"}): runs on TorchSharp only");
        foreach (var model in models.Where(m => m.Backbones.Count > 0))
        {
            var backbones = NewTable($"{model.Name}: shared backbones", "mask", "parameters", "heads kept", "FFN kept", "bytes", "weights");
            foreach (var backbone in model.Backbones)
                backbones.AddRow(Markup.Escape(backbone.Mask), Count(backbone.Parameters), string.Join(",", backbone.Heads), string.Join(",", backbone.Ffn),
                    Count(FileBytes(model, backbone.Weights)), Markup.Escape(backbone.Weights));
            console.Write(backbones);
            var adapters = NewTable($"{model.Name}: per-code adapters", "code", "mask", "kappa", "parameters", "bytes", "merged", "adapter");
            foreach (var entry in model.Codes)
                adapters.AddRow(Markup.Escape(entry.Code), Markup.Escape(entry.Mask ?? ""), entry.Kappa?.ToString("0.000", CultureInfo.InvariantCulture) ?? "",
                    Count(entry.AdapterParameters), Count(FileBytes(model, entry.Adapter)), entry.Merged is { } merged ? (merged ? "yes" : "no") : "",
                    Markup.Escape(entry.Adapter ?? ""));
            console.Write(adapters);
        }
        terminal.Out.Flush();
        return Cli.ExitSuccess;
    }

    /// <summary>Which runtimes the model's codes can run on: ".onnx + .pt" (ONNX Runtime and TorchSharp) or ".pt" (TorchSharp only).</summary>
    private static string Artifacts(ModelManifest model) =>
        model.Codes.All(c => c.Onnx is not null) ? ".onnx + .pt"
        : model.Codes.Any(c => c.Onnx is not null) ? ".onnx (some codes) + .pt"
        : ".pt";

    private static Table NewTable(string? title, params string[] columns)
    {
        var table = new Table();
        if (title is not null) table.Title(Markup.Escape(title));
        string[] numeric = ["parameters", "FLOPs/frame", "bytes", "kappa"];
        foreach (var column in columns)
            table.AddColumn(new TableColumn(column) { Alignment = numeric.Contains(column) ? Justify.Right : Justify.Left });
        return table;
    }

    private static string Count(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "";

    /// <summary>Size of a file the manifest names, or null when none is named or it is missing.</summary>
    private static long? FileBytes(ModelManifest model, string? relative)
    {
        if (string.IsNullOrWhiteSpace(relative)) return null;
        var file = new FileInfo(model.PathOf(relative));
        return file.Exists ? file.Length : null;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
}
