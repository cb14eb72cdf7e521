using System.Globalization;

namespace Receiver.Decoders;

/// <summary>What kind of processor a decoder runs on.</summary>
public enum DeviceKind
{
    Cpu,
    Cuda,
}

/// <summary>
/// Where a decoder runs: <c>cpu</c>, or CUDA device N (<c>cuda</c> is <c>cuda:0</c>). Classical decoders run on the
/// CPU only; neural decoders run their model on either (see <see cref="CudaDevices"/> for the check at start).
/// </summary>
public readonly record struct ComputeDevice(DeviceKind Kind, int Index)
{
    public static ComputeDevice Cpu => new(DeviceKind.Cpu, 0);

    public bool IsCuda => Kind == DeviceKind.Cuda;

    /// <summary>Parses cpu, cuda or cuda:N (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Anything else, with the accepted forms.</exception>
    public static ComputeDevice Parse(string? text)
    {
        var value = (text ?? "").Trim().ToLowerInvariant();
        if (value is "cpu") return Cpu;
        if (value is "cuda") return new(DeviceKind.Cuda, 0);
        if (value.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            return new(DeviceKind.Cuda, index);
        throw new ArgumentException($"device '{text}' is not one of cpu, cuda, cuda:N");
    }

    public override string ToString() => IsCuda ? $"cuda:{Index}" : "cpu";
}
