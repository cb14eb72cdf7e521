using BenchmarkDotNet.Running;
using Receiver.Bench;

// `quick`: self-timed figures in under a minute; `ldpc [code filter]`: the generic decoders on the AFF3CT comparison codes, one thread; `neural RUNTIME [model filter] [peak GFLOP/s]`: neural models through one runtime (onnxruntime, torchsharp); `fer`: int8 vs float FER; `chain [CRC check limit]`: TS 38.212 TB decoding vs the bare decoder; `bdn [BenchmarkDotNet args]`: the full BenchmarkDotNet run.
switch (args.FirstOrDefault())
{
    case "quick":
        QuickBench.Run(Console.Out, args.Length > 1 ? args[1] : "");
        return 0;
    case "neural":
        NeuralBench.Run(Console.Out, args.Length > 2 ? args[2] : "", args.Length > 1 ? args[1] : "onnxruntime",
            args.Length > 3 ? double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : NeuralBench.PeakGflops);
        return 0;
    case "ldpc":
        LdpcBench.Run(Console.Out, args.Length > 1 ? args[1] : "");
        return 0;
    case "fer":
        FerParity.Run(Console.Out);
        return 0;
    case "chain":
        NrChainBench.Run(Console.Out, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : null);
        return 0;
    case "bdn":
        BenchmarkSwitcher.FromAssembly(typeof(BenchCase).Assembly).Run(args[1..]);
        return 0;
    default:
        Console.Error.WriteLine("usage: dotnet run -c Release --project bench/Receiver.Bench -- quick [case filter] | ldpc [code filter] | neural RUNTIME [model filter] [peak GFLOP/s] | fer | chain | bdn [BenchmarkDotNet options, e.g. --filter '*']");
        return 2;
}
