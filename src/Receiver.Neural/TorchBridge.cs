namespace Receiver.Neural;

/// <summary>Process-wide facts and settings of the native libtorch bridge.</summary>
public static class TorchBridge
{
    /// <summary>True when <c>libtorch_bridge.so</c> and its libtorch could be loaded.</summary>
    public static bool IsAvailable => TorchBridgeNative.IsLoaded;

    /// <summary>True when the loaded libtorch sees a CUDA device.</summary>
    public static bool CudaAvailable
    {
        get
        {
            TorchBridgeNative.EnsureLoaded();
            return TorchBridgeNative.tb_cuda_available() != 0;
        }
    }

    /// <summary>Sets libtorch's intra-op thread count for the whole process.</summary>
    public static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        TorchBridgeNative.EnsureLoaded();
        TorchBridgeNative.tb_set_threads(threads);
    }

    /// <summary>
    /// Sets OpenBLAS's own thread count when the process has OpenBLAS loaded (Debian's libtorch calls
    /// libblas.so.3, which is OpenBLAS when libopenblas0 is installed). Use 1 so OpenBLAS does not spawn
    /// threads under libtorch's intra-op threads. Returns false when no OpenBLAS is loaded.
    /// </summary>
    public static bool SetBlasThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        TorchBridgeNative.EnsureLoaded();
        return TorchBridgeNative.tb_set_blas_threads(threads) != 0;
    }
}

/// <summary>Where a <see cref="TorchScriptModel"/> runs; the values are the bridge's device codes.</summary>
public enum TorchDevice
{
    /// <summary>The CPU.</summary>
    Cpu = 0,

    /// <summary>The first CUDA device (needs a CUDA build of libtorch).</summary>
    Cuda = 1,
}

/// <summary>A failure reported by the libtorch bridge: a file that is not a loadable TorchScript module, or an exception in forward.</summary>
public class TorchBridgeException(string message) : Exception(message);

/// <summary>The model's output (or the caller's buffers) did not have the shape the caller asked for.</summary>
public sealed class TorchShapeMismatchException(string message) : TorchBridgeException(message);
