using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Receiver.Codes;
using Spectre.Console;

namespace Receiver.Cli;

/// <summary>
/// <c>receiver codes list</c>: the bundled codes with n, k, m (rows of H) and rank.
/// <c>receiver codes export SPEC --out DIR</c>: a code's decoding graph as an alist file plus a JSON description of
/// which graph columns are transmitted and which are known zeros, for tools (train/sap.py) that cannot build nr: codes.
/// </summary>
internal static class CodesCommand
{
    public static Command Build(Terminal terminal)
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per code and line" };
        var list = new Command("list", "List the bundled codes (n, k, rows m of H, GF(2) rank, edges)") { json };
        list.SetAction(parsed => List(terminal, parsed.GetValue(json)));

        var spec = new Argument<string>("SPEC") { Description = "Code file path, bundled code name or nr:K,N" };
        var output = new Option<string>("--out") { Description = "Folder to write STEM.alist and STEM.json into (created when missing)", Required = true };
        var export = new Command("export", "Write a code's decoding graph H as STEM.alist and STEM.json (n, k, graph_columns, transmitted_columns, known_zero_columns, sha256 of the alist text); prints one JSON line with the paths") { spec, output };
        export.SetAction(parsed => Export(terminal, parsed.GetValue(spec)!, parsed.GetValue(output)!));
        return new Command("codes", "Bundled parity-check matrices") { list, export };
    }

    /// <summary>The files <see cref="ExportGraph"/> wrote, and the code's name and the sha256 of the alist text.</summary>
    internal sealed record ExportedGraph(string Code, string Alist, string Json, string Sha256);

    private static int Export(Terminal terminal, string spec, string folder)
    {
        var exported = ExportGraph(CodeLibrary.Load(spec), folder);
        terminal.Out.WriteLine(JsonSerializer.Serialize(new { code = exported.Code, alist = exported.Alist, json = exported.Json, sha256 = exported.Sha256 }));
        terminal.Out.Flush();
        return Cli.ExitSuccess;
    }

    /// <summary>
    /// Writes <c>FOLDER/STEM.alist</c> (H as alist text) and <c>FOLDER/STEM.json</c>; STEM is the code name with every
    /// character other than letters, digits, '-', '_' and '.' replaced by '_' (nr:224,256 gives nr_224_256).
    /// </summary>
    internal static ExportedGraph ExportGraph(IBlockCode code, string folder)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(folder);
        var stem = FileStem(code.Name);
        var alistPath = Path.GetFullPath(Path.Combine(folder, stem + ".alist"));
        var jsonPath = Path.GetFullPath(Path.Combine(folder, stem + ".json"));
        var text = AlistFormat.ToText(code.H);
        var sha = AlistFormat.TextSha256(code.H);
        var roles = GraphColumnRoles.Of(code);
        File.WriteAllText(alistPath, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.WriteAllText(jsonPath, JsonSerializer.Serialize(new
        {
            code = code.Name,
            n = code.N,
            k = code.K,
            graph_columns = code.H.Columns,
            transmitted_columns = roles.Transmitted,
            known_zero_columns = roles.KnownZero,
            sha256 = sha,
        }) + "\n");
        return new ExportedGraph(code.Name, alistPath, jsonPath, sha);
    }

    /// <summary>A code name as a file name: characters other than letters, digits, '-', '_' and '.' become '_'.</summary>
    internal static string FileStem(string codeName) =>
        string.Concat(codeName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    private static int List(Terminal terminal, bool asJson)
    {
        var directory = CodeLibrary.FindCodesDirectory()
            ?? throw new UsageException($"no bundled codes directory found; set {CodeLibrary.CodesDirectoryVariable}");
        var table = new Table().Title(Markup.Escape(directory));
        foreach (var column in new[] { "code", "n", "k", "m", "rank", "edges" })
            table.AddColumn(new TableColumn(column) { Alignment = column == "code" ? Justify.Left : Justify.Right });

        foreach (var name in CodeLibrary.BundledCodeNames(directory))
        {
            IBlockCode code;
            try
            {
                code = CodeLibrary.Load(name, directory);
            }
            catch (CodeFormatException e)
            {
                terminal.Error.WriteLine($"warning: skipping {name}: {e.Message}");
                continue;
            }
            int? rank = code is LinearBlockCode linear ? linear.Rank : null;
            if (asJson)
                terminal.Out.WriteLine(JsonSerializer.Serialize(new { code = name, n = code.N, k = code.K, m = code.H.Rows, rank, edges = code.H.EdgeCount }));
            else
                table.AddRow(Markup.Escape(name), Text(code.N), Text(code.K), Text(code.H.Rows), rank is null ? "" : Text(rank.Value), Text(code.H.EdgeCount));
        }
        if (!asJson)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(terminal.Out),
                Ansi = terminal.OutIsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
                ColorSystem = terminal.OutIsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });
            if (!terminal.OutIsTerminal) console.Profile.Width = 120;
            console.Write(table);
        }
        terminal.Out.Flush();
        return Cli.ExitSuccess;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
