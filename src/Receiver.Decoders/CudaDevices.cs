using System.Runtime.InteropServices;

namespace Receiver.Decoders;

/// <summary>
/// Which CUDA devices this machine has, asked of the NVIDIA driver (libcuda.so.1) itself, so the answer does not
/// depend on which runtime (ONNX Runtime, TorchSharp) or build of it the process carries.
/// </summary>
public static unsafe class CudaDevices
{
    private static readonly Lazy<(int Count, string Reason)> s_probe = new(Probe);

    /// <summary>CUDA devices the driver reports (0 without a driver or device).</summary>
    public static int Count => s_probe.Value.Count;

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="device"/> is a CUDA device this machine lacks.</summary>
    public static void Require(ComputeDevice device)
    {
        if (!device.IsCuda) return;
        var (count, reason) = s_probe.Value;
        if (device.Index >= count)
            throw new ArgumentException(count == 0
                ? $"device {device} asked for, but this machine has no CUDA device ({reason}); use device cpu"
                : $"device {device} asked for, but this machine has {count} CUDA device(s) (cuda:0..cuda:{count - 1})");
    }

    private static (int, string) Probe()
    {
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var library)) return (0, "no NVIDIA driver: libcuda.so.1 not found");
        try
        {
            var init = (delegate* unmanaged<uint, int>)NativeLibrary.GetExport(library, "cuInit");
            var getCount = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(library, "cuDeviceGetCount");
            var status = init(0);
            if (status != 0) return (0, $"the NVIDIA driver's cuInit failed with CUDA error {status}");
            int count;
            status = getCount(&count);
            return status == 0 ? (count, "the driver reports none") : (0, $"cuDeviceGetCount failed with CUDA error {status}");
        }
        catch (EntryPointNotFoundException e)
        {
            return (0, $"libcuda.so.1 lacks {e.Message}");
        }
    }
}
