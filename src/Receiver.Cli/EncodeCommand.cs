using System.CommandLine;
using System.Text.Json;
using Receiver.Codes;
using Receiver.Codes.Channel;

namespace Receiver.Cli;

/// <summary>
/// <c>receiver codes encode</c>: random info bits and their codewords as raw 0/1-byte files, the
/// reference data a GNU Radio transmitter flowgraph sends and a bit sink compares against.
/// </summary>
internal static class EncodeCommand
{
    /// <summary>Adds <c>encode</c> to the <c>codes</c> command and returns it.</summary>
    public static Command AddTo(Command codes, Terminal terminal)
    {
        codes.Subcommands.Add(Build(terminal));
        return codes;
    }

    private static Command Build(Terminal terminal)
    {
        var code = new Option<string>("--code") { HelpName = "PATH|NAME|nr:K,N", Description = "Code: a .alist/.txt path, a bundled name (receiver codes list) or nr:K,N", Required = true };
        var frames = new Option<int>("--frames") { HelpName = "F", Description = "Codewords to write", Required = true };
        var seed = new Option<ulong>("--seed") { HelpName = "S", Description = "Seed of the random info bits (same seed, same files)", DefaultValueFactory = _ => 1 };
        var infoOut = new Option<string>("--info-out") { HelpName = "FILE", Description = "Info bits, F x K bytes of 0/1", Required = true };
        var codewordOut = new Option<string>("--codeword-out") { HelpName = "FILE", Description = "Transmitted bits, F x N bytes of 0/1", Required = true };
        var command = new Command("encode", "Write random info bits and their encoded transmitted bits as raw 0/1-byte files (for GNU Radio flowgraphs); prints one JSON line")
        {
            code, frames, seed, infoOut, codewordOut,
        };
        command.SetAction(parsed => Encode(terminal, parsed.GetValue(code)!, parsed.GetValue(frames), parsed.GetValue(seed),
            parsed.GetValue(infoOut)!, parsed.GetValue(codewordOut)!));
        return command;
    }

    private static int Encode(Terminal terminal, string codeSpec, int frames, ulong seed, string infoPath, string codewordPath)
    {
        if (frames < 1) throw new UsageException($"--frames must be at least 1, got {frames}");
        if (Path.GetFullPath(infoPath) == Path.GetFullPath(codewordPath))
            throw new UsageException($"--info-out and --codeword-out must be different files, both are '{infoPath}'");
        IBlockCode code;
        try
        {
            code = CodeLibrary.Load(codeSpec);
        }
        catch (NotImplementedException e)
        {
            throw new UsageException($"code {codeSpec} is not available yet", e);
        }

        var random = new Xoshiro256StarStarX8(seed);
        var info = new byte[code.K];
        var transmitted = new byte[code.N];
        using (var infoFile = new FileStream(infoPath, FileMode.Create, FileAccess.Write))
        using (var codewordFile = new FileStream(codewordPath, FileMode.Create, FileAccess.Write))
        {
            for (var frame = 0; frame < frames; frame++)
            {
                random.FillBits(info);
                code.Encode(info, transmitted);
                infoFile.Write(info);
                codewordFile.Write(transmitted);
            }
        }

        terminal.Out.WriteLine(JsonSerializer.Serialize(new
        {
            code = code.Name,
            n = code.N,
            k = code.K,
            rate = (double)code.K / code.N,
            frames,
            seed,
            info_out = infoPath,
            codeword_out = codewordPath,
        }));
        terminal.Out.Flush();
        return Cli.ExitSuccess;
    }
}
