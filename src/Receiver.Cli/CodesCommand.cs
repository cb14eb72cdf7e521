using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Receiver.Codes;
using Spectre.Console;

namespace Receiver.Cli;

/// <summary><c>receiver codes list</c>: the bundled codes with n, k, m (rows of H) and rank.</summary>
internal static class CodesCommand
{
    public static Command Build(Terminal terminal)
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per code and line" };
        var list = new Command("list", "List the bundled codes (n, k, rows m of H, GF(2) rank, edges)") { json };
        list.SetAction(parsed => List(terminal, parsed.GetValue(json)));
        return new Command("codes", "Bundled parity-check matrices") { list };
    }

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
