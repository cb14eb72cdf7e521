using Receiver.Codes;

namespace Receiver.Decoders;

/// <summary>Builds the neural decoders of <see cref="DecoderFactory.NeuralArchitectures"/> (implemented by Receiver.Neural).</summary>
public interface INeuralDecoderProvider
{
    /// <summary>The decoder of <paramref name="architecture"/> for <paramref name="code"/> with the model <see cref="DecoderOptions.Model"/> names.</summary>
    IBatchDecoder Create(string architecture, IBlockCode code, DecoderOptions options);
}
