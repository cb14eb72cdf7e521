using Receiver.Codes.Channel;
using Receiver.Codes.Nr5g.Chain;
using Receiver.Decoders;
using Receiver.Decoders.Nr5g;

namespace Receiver.Evaluation;

/// <summary>
/// BLER of one transport-block configuration at one Es/N0 with HARQ: TBs counted, and for each t = 1..T the TBs
/// whose CRC still failed after t transmissions (incremental redundancy, soft-combined in one HARQ process).
/// </summary>
public sealed record NrBlerPoint(string Config, NrTransportBlockLayout Layout, double SnrDb, long TransportBlocks, long[] ErrorsAfter, StopReason Stop)
{
    /// <summary>BLER after t transmissions (1-based).</summary>
    public double Bler(int transmissions) => TransportBlocks == 0 ? double.NaN : (double)ErrorsAfter[transmissions - 1] / TransportBlocks;
}

/// <summary>
/// Monte-Carlo BLER of the TS 38.212 chain: random payload -> <see cref="NrTransportBlockEncoder"/> -> rate matching
/// for each redundancy version of the sequence -> TS 38.211 mapping -> complex AWGN at Es/N0 (unit symbol energy)
/// -> demapping -> <see cref="NrTransportBlockDecoder"/>, retransmitting until the TB CRC passes or the sequence
/// ends. TB i of a point draws payload and noise from a seed of (seed, SNR, i): the same TBs for any thread count.
/// A point stops once <see cref="StopRule.MinFrameErrors"/> TBs failed their first transmission, or after
/// <see cref="StopRule.MaxFrames"/> TBs (workers finish the TB they hold, so a point may overshoot by a few).
/// </summary>
public static class NrBler
{
    public static NrBlerPoint RunPoint(string name, NrTransportBlockLayout layout, double snrDb, IReadOnlyList<int> rvSequence,
        DecoderOptions options, NrDemapping demapping, StopRule stop, ulong seed, int threads, CancellationToken cancellationToken = default,
        bool crcEarlyTermination = true)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(rvSequence);
        ArgumentNullException.ThrowIfNull(stop);
        stop.Validate();
        if (rvSequence.Count < 1 || rvSequence.Any(rv => rv is < 0 or > 3)) throw new ArgumentException("redundancy-version sequence must hold 1 or more of 0..3");
        var transmissions = rvSequence.Count;
        var errorsAfter = new long[transmissions];
        long next = -1, done = 0, firstErrors = 0;
        var pointSeed = seed ^ (ulong)BitConverter.DoubleToInt64Bits(snrDb) * 0x9E3779B97F4A7C15UL;
        var n0 = NrAwgn.NoiseVariance(snrDb);
        var workers = Math.Max(1, threads > 0 ? threads : Environment.ProcessorCount);
        var decoderOptions = options with { Parallelism = 1 };

        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
        {
            var encoder = new NrTransportBlockEncoder(layout);
            var decoder = new NrTransportBlockDecoder(layout, decoderOptions, crcEarlyTermination);
            var process = decoder.CreateProcess();
            var modulator = NrModulator.For(layout.Modulation);
            var payload = new byte[layout.TbSize];
            var decoded = new byte[layout.TbSize];
            var g = new byte[layout.Bits];
            var symbols = new float[2 * layout.Bits / layout.BitsPerSymbol];
            var llrs = new float[layout.Bits];
            var blocks = new NrCodeBlockResult[layout.CodeBlocks];
            var random = new Xoshiro256StarStarX8(0);
            var awgn = new NrAwgn(0);
            var local = new long[transmissions];
            while (!cancellationToken.IsCancellationRequested)
            {
                if (stop.MinFrameErrors > 0 && Interlocked.Read(ref firstErrors) >= stop.MinFrameErrors) break;
                var tb = Interlocked.Increment(ref next);
                if (tb >= stop.MaxFrames) break;
                var tbSeed = pointSeed + (ulong)tb * 0xD1B54A32D192ED03UL;
                random.Reseed(tbSeed);
                random.FillBits(payload);
                encoder.Encode(payload);
                process.Reset();
                var passedAt = transmissions; // index of the first passing transmission; transmissions = never
                for (var t = 0; t < transmissions; t++)
                {
                    encoder.RateMatch(rvSequence[t], g);
                    modulator.Map(g, symbols);
                    awgn.Reseed(tbSeed ^ (0xA5A5A5A5UL + (ulong)t));
                    awgn.AddNoise(symbols, n0);
                    modulator.Demap(symbols, n0, demapping, llrs);
                    var result = decoder.Decode(llrs, rvSequence[t], process, decoded, blocks);
                    if (result.CrcOk && decoded.AsSpan().SequenceEqual(payload))
                    {
                        passedAt = t;
                        break;
                    }
                }
                for (var t = 0; t < passedAt; t++) local[t]++;
                if (passedAt > 0) Interlocked.Increment(ref firstErrors);
                Interlocked.Increment(ref done);
            }
            lock (errorsAfter)
                for (var t = 0; t < transmissions; t++) errorsAfter[t] += local[t];
        });

        var reason = cancellationToken.IsCancellationRequested ? StopReason.Cancelled
            : stop.MinFrameErrors > 0 && firstErrors >= stop.MinFrameErrors ? StopReason.FrameErrors : StopReason.MaxFrames;
        return new NrBlerPoint(name, layout, snrDb, done, errorsAfter, reason);
    }
}
