using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Receiver.Neural;
using Spectre.Console;

namespace Receiver.Cli;

/// <summary><c>receiver models list [--json]</c>: the installed neural models (see <see cref="ModelCatalog"/> for where they are looked for).</summary>
internal static class ModelsCommand
{
    public static Command Build(Terminal terminal)
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per model and line (name, architecture, code, path, parameters, flops_per_frame)" };
        var list = new Command("list", $"List the installed models ({ModelCatalog.ModelsDirectoryVariable}, models/ beside the app, models/ above it or the current directory)") { json };
        list.SetAction(parsed => List(terminal, parsed.GetValue(json)));
        return new Command("models", "Neural decoder models (TorchScript + manifest.json)") { list };
    }

    private static int List(Terminal terminal, bool asJson)
    {
        var catalog = ModelCatalog.Default;
        var problems = new List<string>();
        var models = catalog.List(problems);
        foreach (var problem in problems) terminal.Error.WriteLine($"warning: skipping {problem}");
        if (asJson)
        {
            foreach (var model in models)
                terminal.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    name = model.Name,
                    architecture = model.Architecture,
                    code = model.CodeList,
                    path = model.Folder,
                    parameters = model.Parameters,
                    flops_per_frame = model.FlopsPerFrame,
                    description = model.Description,
                }, JsonOptions));
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
        var table = new Table();
        foreach (var column in new[] { "name", "architecture", "code", "parameters", "FLOPs/frame", "path" })
            table.AddColumn(new TableColumn(column) { Alignment = column is "parameters" or "FLOPs/frame" ? Justify.Right : Justify.Left });
        foreach (var model in models)
            table.AddRow(Markup.Escape(model.Name), Markup.Escape(model.Architecture), Markup.Escape(model.CodeList),
                model.Parameters?.ToString("N0", CultureInfo.InvariantCulture) ?? "",
                model.FlopsPerFrame?.ToString("0.###E+0", CultureInfo.InvariantCulture) ?? "",
                Markup.Escape(model.Folder));
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(terminal.Out),
            Ansi = terminal.OutIsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal.OutIsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal.OutIsTerminal) console.Profile.Width = 160;
        console.Write(table);
        terminal.Out.Flush();
        return Cli.ExitSuccess;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
}
