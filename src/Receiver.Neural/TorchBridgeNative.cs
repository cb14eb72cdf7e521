using System.Reflection;
using System.Runtime.InteropServices;

namespace Receiver.Neural;

/// <summary>
/// Source-generated imports of the C ABI in <c>native/torch_bridge/torch_bridge.h</c>. The library
/// (<c>libtorch_bridge.so</c>) is looked for, in order: at <c>RECEIVER_TORCH_BRIDGE</c> (a file or a folder),
/// next to this assembly, next to the application, in <c>artifacts/native</c> of any folder above the
/// application or the current directory, then on the loader's default path.
/// </summary>
internal static unsafe partial class TorchBridgeNative
{
    private const string Library = "torch_bridge";
    private const string FileName = "libtorch_bridge.so";
    internal const string EnvironmentVariable = "RECEIVER_TORCH_BRIDGE";
    internal const int AbiVersion = 2;
    internal const int ErrorLength = 1024;

    internal static string NotFoundMessage =>
        $"The libtorch bridge ({FileName}) was not found. Build it with " +
        "'apt-get install libtorch-dev && cmake -S native/torch_bridge -B artifacts/native -DCMAKE_BUILD_TYPE=Release " +
        $"&& cmake --build artifacts/native -j2', or point {EnvironmentVariable} at the built file." +
        (s_loadError is null ? "" : $" Last load error: {s_loadError}");

    private static readonly nint s_library;
    private static readonly string? s_loadError;

    static TorchBridgeNative()
    {
        foreach (var candidate in Candidates())
        {
            try
            {
                s_library = NativeLibrary.Load(candidate);
                s_loadError = null;
                break;
            }
            catch (DllNotFoundException e) when (File.Exists(candidate))
            {
                // The file is there but a dependency (libtorch) is not: keep the loader's reason for the message.
                s_loadError = e.Message;
            }
            catch (DllNotFoundException)
            {
            }
        }
        NativeLibrary.SetDllImportResolver(typeof(TorchBridgeNative).Assembly, Resolve);
    }

    private static IEnumerable<string> Candidates()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(configured))
            yield return Directory.Exists(configured) ? Path.Combine(configured, FileName) : configured;
        var assemblyFolder = Path.GetDirectoryName(typeof(TorchBridgeNative).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyFolder))
            yield return Path.Combine(assemblyFolder, FileName);
        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var built = Path.Combine(folder.FullName, "artifacts", "native", FileName);
                if (File.Exists(built)) yield return built;
            }
        }
        yield return FileName;
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == Library ? s_library : 0;

    /// <summary>True when the bridge library (and the libtorch it links) could be loaded.</summary>
    internal static bool IsLoaded => s_library != 0;

    /// <summary>Throws <see cref="DllNotFoundException"/> saying how to build the bridge when it is missing.</summary>
    internal static void EnsureLoaded()
    {
        if (s_library == 0) throw new DllNotFoundException(NotFoundMessage);
        var version = tb_abi_version();
        if (version != AbiVersion)
            throw new TorchBridgeException(
                $"{FileName} has C ABI version {version}, this assembly expects {AbiVersion}: rebuild native/torch_bridge.");
    }

    /// <summary>Decodes the NUL-terminated UTF-8 message the bridge wrote into an error buffer.</summary>
    internal static string ReadError(ReadOnlySpan<byte> error)
    {
        var end = error.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? error : error[..end]);
    }

    [LibraryImport(Library)]
    internal static partial int tb_abi_version();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint tb_load(string path, int device, byte* error, int errorLength);

    [LibraryImport(Library)]
    internal static partial int tb_forward(TorchModelHandle model, float* input, long batch, long inputLength,
        float* output, long outputLength, byte* error, int errorLength);

    [LibraryImport(Library)]
    internal static partial void tb_free(nint model);

    [LibraryImport(Library)]
    internal static partial void tb_set_threads(int threads);

    [LibraryImport(Library)]
    internal static partial int tb_set_blas_threads(int threads);

    [LibraryImport(Library)]
    internal static partial int tb_cuda_available();
}
