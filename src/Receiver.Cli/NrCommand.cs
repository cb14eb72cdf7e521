using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Receiver.Codes.Channel;
using Receiver.Codes.Nr5g.Chain;

namespace Receiver.Cli;

/// <summary>
/// <c>receiver nr</c>: the TS 38.212 transport-block chain. <c>dump</c> writes every stage's bits for a
/// bit-exact comparison with another 3GPP implementation; <c>bler</c> measures BLER with HARQ.
/// </summary>
internal static partial class NrCommand
{
    public static Command Build(Terminal terminal)
    {
        var command = new Command("nr", "5G NR LDPC transport-block chain of TS 38.212 (CRC, segmentation, rate matching, QAM, HARQ)");
        command.Subcommands.Add(BuildDump(terminal));
        command.Subcommands.Add(BuildBler(terminal));
        return command;
    }

    private static Option<int> TbsOption() => new("--tbs") { HelpName = "A", Description = "Transport block size A (payload bits, before the TB CRC)", Required = true };

    private static Option<int> LayersOption() => new("--layers") { HelpName = "N_L", Description = "Transmission layers N_L (E_r is a multiple of N_L Q_m)", DefaultValueFactory = _ => 1 };

    private static Option<int?> LbrmOption() => new("--lbrm-tbs") { HelpName = "TBS_LBRM", Description = "Limited-buffer rate matching: N_ref = floor(TBS_LBRM / (C 2/3)) (default: off, N_cb = N)" };

    private static Command BuildDump(Terminal terminal)
    {
        var tbs = TbsOption();
        var modulation = new Option<string>("--modulation") { HelpName = "bpsk|qpsk|16qam|64qam|256qam", Description = "Modulation (TS 38.211 5.1)", DefaultValueFactory = _ => "qpsk" };
        var rate = new Option<double>("--rate") { HelpName = "R", Description = "Target code rate: selects the base graph (7.2.2) and, without --bits, G", DefaultValueFactory = _ => 0.5 };
        var bits = new Option<int?>("--bits") { HelpName = "G", Description = "Rate-matched bits G of the transport block (default: the smallest multiple of N_L Q_m with A/G <= R)" };
        var layers = LayersOption();
        var lbrm = LbrmOption();
        var rvs = new Option<string>("--rv") { HelpName = "RV[,RV...]", Description = "Redundancy versions to write", DefaultValueFactory = _ => "0,1,2,3" };
        var payload = new Option<string?>("--payload") { HelpName = "FILE", Description = "Payload bits as text ('0'/'1', other characters ignored); default random from --seed" };
        var seed = new Option<ulong>("--seed") { HelpName = "S", Description = "Seed of the random payload", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { HelpName = "DIR", Description = "Folder for the stage files (created; files in it are overwritten)", Required = true };
        var command = new Command("dump", "Write every stage of the TS 38.212 chain for one transport block to text files (format in README: 'receiver nr dump')")
        {
            tbs, modulation, rate, bits, layers, lbrm, rvs, payload, seed, output,
        };
        command.SetAction(parsed =>
        {
            var config = Configure(parsed.GetValue(tbs), NrModulationExtensions.Parse(parsed.GetValue(modulation)!), parsed.GetValue(rate),
                parsed.GetValue(bits), parsed.GetValue(layers), parsed.GetValue(lbrm));
            return Dump(terminal, config, ParseRvs(parsed.GetValue(rvs)!), parsed.GetValue(payload), parsed.GetValue(seed), parsed.GetValue(output)!);
        });
        return command;
    }

    private static NrTransportBlockConfig Configure(int tbs, NrModulation modulation, double rate, int? bits, int layers, int? lbrm)
    {
        if (tbs < 1) throw new UsageException($"--tbs must be at least 1, got {tbs}");
        if (!(rate > 0 && rate < 1)) throw new UsageException($"--rate must be in (0, 1), got {rate}");
        var config = NrTransportBlockConfig.ForRate(tbs, modulation, rate, layers, lbrm);
        return bits is { } g ? config with { Bits = g } : config;
    }

    private static int[] ParseRvs(string text)
    {
        var rvs = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var rv) && rv is >= 0 and <= 3
                ? rv : throw new UsageException($"redundancy version '{part}' is not 0..3")).ToArray();
        return rvs.Length > 0 ? rvs : throw new UsageException("give at least one redundancy version");
    }

    private static byte[] ReadPayload(string path, int tbSize)
    {
        var bits = File.ReadAllText(path).Where(ch => ch is '0' or '1').Select(ch => (byte)(ch - '0')).ToArray();
        if (bits.Length != tbSize) throw new UsageException($"{path} holds {bits.Length} bits ('0'/'1' characters), --tbs is {tbSize}");
        return bits;
    }

    private static int Dump(Terminal terminal, NrTransportBlockConfig config, int[] rvs, string? payloadPath, ulong seed, string folder)
    {
        var layout = new NrTransportBlockLayout(config);
        var encoder = new NrTransportBlockEncoder(layout);
        byte[] payload;
        if (payloadPath is not null)
        {
            payload = ReadPayload(payloadPath, layout.TbSize);
        }
        else
        {
            payload = new byte[layout.TbSize];
            new Xoshiro256StarStarX8(seed).FillBits(payload);
        }
        encoder.Encode(payload);
        Directory.CreateDirectory(folder);

        var files = new List<string>();
        void Write(string name, Action<StringBuilder> fill)
        {
            var text = new StringBuilder();
            fill(text);
            File.WriteAllText(Path.Combine(folder, name), text.ToString());
            files.Add(name);
        }
        void Bits(StringBuilder text, ReadOnlySpan<byte> values, int fillerStart = -1, int fillerEnd = -1)
        {
            for (var i = 0; i < values.Length; i++) text.Append(i >= fillerStart && i < fillerEnd ? "-1" : values[i] == 0 ? "0" : "1").Append('\n');
        }

        Write("payload.txt", text => Bits(text, payload));
        Write("tb_crc.txt", text => Bits(text, encoder.TbWithCrc));
        for (var r = 0; r < layout.CodeBlocks; r++)
        {
            var block = r;
            Write($"cb_{block}.txt", text => Bits(text, encoder.CodeBlock(block), layout.KPrime, layout.K));
            Write($"codeword_{block}.txt", text => Bits(text, encoder.Codeword(block), layout.FillerStart, layout.FillerEnd));
        }
        var modulator = NrModulator.For(layout.Modulation);
        var g = new byte[layout.Bits];
        var symbols = new float[2 * layout.Bits / layout.BitsPerSymbol];
        foreach (var rv in rvs.Distinct())
        {
            for (var r = 0; r < layout.CodeBlocks; r++)
            {
                var e = new byte[layout.BlockBits(r)];
                encoder.SelectBits(r, rv, e);
                var f = new byte[e.Length];
                NrRateMatching.Interleave<byte>(e, layout.BitsPerSymbol, f);
                Write($"rv{rv}_ratematched_{r}.txt", text => Bits(text, e));
                Write($"rv{rv}_interleaved_{r}.txt", text => Bits(text, f));
            }
            encoder.RateMatch(rv, g);
            Write($"rv{rv}_concatenated.txt", text => Bits(text, g));
            modulator.Map(g, symbols);
            Write($"rv{rv}_symbols.txt", text =>
            {
                for (var s = 0; s < symbols.Length; s += 2)
                    text.Append(CultureInfo.InvariantCulture, $"{symbols[s]:0.000000000} {symbols[s + 1]:0.000000000}\n");
            });
        }

        var summary = new
        {
            tbs = layout.TbSize,
            modulation = layout.Modulation.Name(),
            qm = layout.BitsPerSymbol,
            layers = config.Layers,
            target_code_rate = config.TargetCodeRate,
            g = layout.Bits,
            tb_crc = layout.TbCrc.Name,
            b = layout.B,
            base_graph = layout.BaseGraph,
            c = layout.CodeBlocks,
            cb_crc_bits = layout.CodeBlockCrcLength,
            k_prime = layout.KPrime,
            z = layout.Z,
            k = layout.K,
            fillers = layout.Fillers,
            n = layout.N,
            lbrm_tbs = config.LbrmTbs,
            n_ref = layout.NRef,
            n_cb = layout.Ncb,
            e = Enumerable.Range(0, layout.CodeBlocks).Select(layout.BlockBits).ToArray(),
            k0 = Enumerable.Range(0, 4).Select(layout.K0).ToArray(),
            rv = rvs.Distinct().ToArray(),
            payload = payloadPath ?? $"random, seed {seed}",
            files,
        };
        var json = JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(folder, "config.json"), json + "\n");
        terminal.Out.WriteLine(JsonSerializer.Serialize(summary));
        terminal.Out.Flush();
        return Cli.ExitSuccess;
    }
}
