using System.Buffers;
using Receiver.Codes;

namespace Receiver.Decoders;

/// <summary>
/// Hybrid decoding against the error floor of a neural decoder (ecct-error-floor-hybrid.txt, Fig. 2): an optional
/// hard-decision pre-decoder, the main decoder, an optional hard-decision post-decoder, named by their stages joined with
/// '+' ("bm+ecct+bm", "bm+ecct", "ecct+bm").
/// <list type="number">
/// <item>The pre-decoder runs on the channel LLRs; a frame it turns into a codeword is done.</item>
/// <item>The main decoder runs on the channel LLRs of the other frames; a frame whose output is a codeword is done.</item>
/// <item>The post-decoder runs on the main decoder's hard output (as LLRs of magnitude 1) of the frames still failing:
/// a neural decoder often leaves fewer errors than it received, within the post-decoder's radius. A soft-input
/// post-decoder (<see cref="ISoftInputDecoder"/>: OSD, SCL) reads those frames' channel LLRs instead ("bp+osd2",
/// "eccfm+osd2"). Its output replaces the main output only when it is a codeword; otherwise the frame keeps the main
/// output and status (failure declared).</item>
/// </list>
/// Status and bits of each frame are those of the stage whose output it keeps.
/// </summary>
public sealed class HybridDecoder : IBatchDecoder, IDisposable
{
    /// <summary>Chains <paramref name="main"/> with an optional pre- and post-decoder; all must decode the same code.</summary>
    /// <exception cref="ArgumentException">A stage decodes another code, or a post-decoder is asked for on a code whose graph word is not its transmitted word.</exception>
    public HybridDecoder(IBatchDecoder? pre, IBatchDecoder main, IBatchDecoder? post)
    {
        ArgumentNullException.ThrowIfNull(main);
        if (pre is null && post is null) throw new ArgumentException("a hybrid decoder needs a pre- or a post-decoder", nameof(pre));
        foreach (var stage in new[] { pre, post })
            if (stage is not null && (stage.InputLength != main.InputLength || stage.OutputLength != main.OutputLength))
                throw new ArgumentException($"hybrid stage {stage.Name} decodes {stage.Code.Name}, not {main.Code.Name}");
        if (post is not null and not ISoftInputDecoder && main.InputLength != main.OutputLength)
            throw new ArgumentException($"{main.Code.Name}: a post-decoder reads the main decoder's graph word as its input, which needs N = graph length ({main.InputLength} != {main.OutputLength})", nameof(post));
        Pre = pre;
        Main = main;
        Post = post;
        Name = string.Join("+", new[] { pre, main, post }.OfType<IBatchDecoder>().Select(d => d.Name));
    }

    public IBatchDecoder? Pre { get; }
    public IBatchDecoder Main { get; }
    public IBatchDecoder? Post { get; }

    public string Name { get; }
    public IBlockCode Code => Main.Code;
    public int InputLength => Main.InputLength;
    public int OutputLength => Main.OutputLength;

    public void Decode(ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
    {
        var frames = status.Length;
        if (llrs.Length != frames * InputLength || bits.Length != frames * OutputLength)
            throw new ArgumentException($"{Name}: {frames} frames need {frames * InputLength} LLRs and {frames * OutputLength} bits, got {llrs.Length} and {bits.Length}");
        if (frames == 0) return;

        var pending = ArrayPool<int>.Shared.Rent(frames);
        var stageLlrs = ArrayPool<float>.Shared.Rent(frames * InputLength);
        var stageBits = ArrayPool<byte>.Shared.Rent(frames * OutputLength);
        var stageStatus = ArrayPool<DecodeStatus>.Shared.Rent(frames);
        try
        {
            int count;
            if (Pre is null)
            {
                Main.Decode(llrs, bits, status);
                count = Failing(status, pending);
            }
            else
            {
                Pre.Decode(llrs, bits, status);
                count = Failing(status, pending);
                for (var j = 0; j < count; j++)
                    llrs.Slice(pending[j] * InputLength, InputLength).CopyTo(stageLlrs.AsSpan(j * InputLength));
                RunStage(Main, count, stageLlrs, stageBits, stageStatus, pending, bits, status, keepAll: true);
                count = Failing(status, pending);
            }
            if (Post is null || count == 0) return;
            for (var j = 0; j < count; j++)
            {
                var frameLlrs = stageLlrs.AsSpan(j * InputLength, InputLength);
                if (Post is ISoftInputDecoder)
                {
                    llrs.Slice(pending[j] * InputLength, InputLength).CopyTo(frameLlrs);
                    continue;
                }
                var frameBits = bits.Slice(pending[j] * OutputLength, OutputLength);
                for (var i = 0; i < frameBits.Length; i++) frameLlrs[i] = frameBits[i] == 0 ? 1f : -1f;
            }
            RunStage(Post, count, stageLlrs, stageBits, stageStatus, pending, bits, status, keepAll: false);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(pending);
            ArrayPool<float>.Shared.Return(stageLlrs);
            ArrayPool<byte>.Shared.Return(stageBits);
            ArrayPool<DecodeStatus>.Shared.Return(stageStatus);
        }
    }

    /// <summary>Decodes the first <paramref name="count"/> gathered frames and scatters the results back (all, or only codewords).</summary>
    private void RunStage(IBatchDecoder stage, int count, float[] stageLlrs, byte[] stageBits, DecodeStatus[] stageStatus,
        int[] pending, Span<byte> bits, Span<DecodeStatus> status, bool keepAll)
    {
        if (count == 0) return;
        stage.Decode(stageLlrs.AsSpan(0, count * InputLength), stageBits.AsSpan(0, count * OutputLength), stageStatus.AsSpan(0, count));
        for (var j = 0; j < count; j++)
        {
            if (!keepAll && !stageStatus[j].IsCodeword) continue;
            stageBits.AsSpan(j * OutputLength, OutputLength).CopyTo(bits.Slice(pending[j] * OutputLength, OutputLength));
            status[pending[j]] = stageStatus[j];
        }
    }

    /// <summary>Writes the indices of the frames that are not codewords into <paramref name="pending"/> and returns their count.</summary>
    private static int Failing(ReadOnlySpan<DecodeStatus> status, int[] pending)
    {
        var count = 0;
        for (var f = 0; f < status.Length; f++)
            if (!status[f].IsCodeword) pending[count++] = f;
        return count;
    }

    public void Dispose()
    {
        foreach (var stage in new[] { Pre, Main, Post })
            (stage as IDisposable)?.Dispose();
    }
}
