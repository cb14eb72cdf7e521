using Receiver.Codes;
using Receiver.Decoders;
using Receiver.Neural.Runtime;

namespace Receiver.Neural;

/// <summary>
/// Builds the neural decoders for <see cref="DecoderFactory"/>: finds the model <see cref="DecoderOptions.Model"/>
/// names, checks it fits the code (<see cref="NeuralDecoder.Check"/>), opens its artifact in the runtime and on the
/// device the options ask for (<see cref="ModelSessions.Open"/>: integrity and golden check) and wraps it.
/// </summary>
public sealed class NeuralDecoders : INeuralDecoderProvider
{
    /// <summary>The decoder for <paramref name="architecture"/> (one of <see cref="DecoderFactory.NeuralArchitectures"/>).</summary>
    /// <exception cref="ArgumentException">No model given, a CUDA device this machine lacks, or a model that cannot be found, used or trusted for this code (<see cref="ModelException"/>).</exception>
    public IBatchDecoder Create(string architecture, IBlockCode code, DecoderOptions options) => Open(architecture, code, options);

    /// <inheritdoc cref="Create"/>
    public static NeuralDecoder Open(string architecture, IBlockCode code, DecoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Parallelism, nameof(options.Parallelism));
        if (string.IsNullOrWhiteSpace(options.Model))
            throw new ArgumentException(
                $"decoder {architecture} needs a model: pass --model NAME|FOLDER|manifest.json (receiver models list shows the installed ones), or set Chain:Model in a service configuration");
        var runtime = NeuralRuntimes.Parse(options.Runtime);
        CudaDevices.Require(options.Device);
        var model = ModelCatalog.Default.Resolve(options.Model);
        var entry = NeuralDecoder.Check(architecture, code, model);
        // 0 means one intra-op thread here, not all cores: these models' ops are too small to split well (bench/README.md).
        var threads = options.Parallelism > 0 ? options.Parallelism : 1;
        var session = ModelSessions.Open(model, entry, runtime, options.Device, threads);
        return new NeuralDecoder(architecture, code, model, entry, session, options.NeuralBatch);
    }
}
