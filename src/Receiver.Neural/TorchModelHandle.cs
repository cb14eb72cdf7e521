using Microsoft.Win32.SafeHandles;

namespace Receiver.Neural;

/// <summary>Owns a model handle returned by <c>tb_load</c> and frees it with <c>tb_free</c>.</summary>
internal sealed class TorchModelHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Used by the interop marshaller.</summary>
    public TorchModelHandle() : base(ownsHandle: true)
    {
    }

    internal TorchModelHandle(nint handle) : base(ownsHandle: true) => SetHandle(handle);

    protected override bool ReleaseHandle()
    {
        TorchBridgeNative.tb_free(handle);
        return true;
    }
}
