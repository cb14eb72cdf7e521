using System.Text;
using System.Text.Json;
using Receiver.Decoders;
using Receiver.Evaluation;

namespace Receiver.Cli;

/// <summary>One point of <c>receiver eval --json</c> as a single-line JSON object; non-finite numbers (no errors yet) are null.</summary>
internal static class PointJson
{
    public static string Format(PointResult r, EvalSettings s)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("code", r.Code);
            json.WriteNumber("n", r.N);
            json.WriteNumber("k", r.K);
            json.WriteString("decoder", r.Decoder);
            json.WriteNumber("iterations", s.Iterations);
            json.WriteBoolean("early_stop", s.EarlyStop);
            if (s.Element is { } element) json.WriteString("element", LaneElementTypes.NameOf(element));
            if (EvalCommand.ModelFor(r.Decoder, s.Model) is { } model) json.WriteString("model", model);
            if (r.Decoder is "nms" or "layered-nms") json.WriteNumber("alpha", s.Alpha);
            if (r.Decoder is "oms") json.WriteNumber("offset", s.Offset);
            json.WriteNumber("ebn0_db", r.EbN0Db);
            json.WriteNumber("frames", r.Frames);
            json.WriteNumber("bit_errors", r.BitErrors);
            json.WriteNumber("frame_errors", r.FrameErrors);
            json.WriteNumber("info_bit_errors", r.InfoBitErrors);
            WriteNumberOrNull(json, "ber", r.Ber);
            WriteNumberOrNull(json, "fer", r.Fer);
            WriteNumberOrNull(json, "neg_ln_ber", r.NegLnBer);
            WriteNumberOrNull(json, "info_ber", r.InfoBer);
            json.WriteNumber("ml_frame_errors", r.MlFrameErrors);
            WriteNumberOrNull(json, "ml_lower_bound_fer", r.MlLowerBoundFer);
            WriteNumberOrNull(json, "avg_iterations", r.AverageIterations);
            json.WriteNumber("decoder_iterations", r.DecoderIterations);
            json.WriteNumber("seed", r.Seed);
            json.WriteNumber("min_frame_errors", s.Stop.MinFrameErrors);
            json.WriteNumber("max_frames", s.Stop.MaxFrames);
            json.WriteString("stop_reason", StopReasonName(r.StopReason));
            if (!s.Shard.IsWhole)
            {
                json.WriteNumber("shard", s.Shard.Index);
                json.WriteNumber("shard_count", s.Shard.Count);
                json.WriteNumber("first_frame", s.Shard.Range(s.Stop.MaxFrames).FirstFrame);
            }
            json.WriteBoolean("all_zero", s.AllZero);
            json.WriteString("modulation", s.Modulation.ToString().ToLowerInvariant());
            json.WriteString("fading", s.Fading.ToString().ToLowerInvariant());
            json.WriteNumber("elapsed_s", Math.Round(r.ElapsedSeconds, 6));
            json.WriteNumber("frames_per_s", Math.Round(r.FramesPerSecond, 3));
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static string StopReasonName(StopReason reason) => reason switch
    {
        StopReason.FrameErrors => "frame_errors",
        StopReason.MaxFrames => "max_frames",
        StopReason.Cancelled => "cancelled",
        _ => "running",
    };

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name);
    }
}
