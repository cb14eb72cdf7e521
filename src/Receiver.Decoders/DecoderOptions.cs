using Receiver.Neural;

namespace Receiver.Decoders;

/// <summary>Knobs shared by the iterative decoders; each decoder reads the ones it uses and checks them in its constructor.</summary>
public sealed record DecoderOptions
{
    /// <summary>Iteration cap (BP/min-sum); decoding stops earlier when every check is satisfied.</summary>
    public int Iterations { get; init; } = 50;

    /// <summary>Stop as soon as the hard decision satisfies H c = 0.</summary>
    public bool EarlyStop { get; init; } = true;

    /// <summary>Normalized min-sum scaling of check-to-variable messages (alpha).</summary>
    public float Normalization { get; init; } = 0.75f;

    /// <summary>Offset min-sum subtraction (beta).</summary>
    public float Offset { get; init; } = 0.5f;

    /// <summary>Threads one Decode call may use; 0 means all cores.</summary>
    public int Parallelism { get; init; }

    /// <summary>Neural decoders (ecct, fecct, eccfm, uecct, aecct, ddecc): a model name (receiver models list), a model folder or a manifest.json path.</summary>
    public string? Model { get; init; }

    /// <summary>Neural decoders: most frames one forward pass takes; larger batches run in parts.</summary>
    public int NeuralMaxBatch { get; init; } = 256;

    /// <summary>Neural decoders: where the model runs (CUDA needs a CUDA build of libtorch behind the bridge).</summary>
    public TorchDevice NeuralDevice { get; init; } = TorchDevice.Cpu;
}
