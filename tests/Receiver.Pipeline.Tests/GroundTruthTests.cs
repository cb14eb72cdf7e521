namespace Receiver.Pipeline.Tests;

public class GroundTruthTests
{
    [Fact]
    public void StoreGivesEachEntryOnceAndEvictsByAge()
    {
        var store = new GroundTruthStore([70], capacity: 4);
        var random = new Random(6);
        var sent = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, 70).Select(_ => (byte)random.Next(2)).ToArray()).ToArray();
        for (var s = 0; s < 6; s++) store.Add(0, s, sent[s]);

        var taken = new byte[70];
        Assert.False(store.TryTake(0, 0, taken)); // overwritten by sequence 4
        Assert.False(store.TryTake(0, 1, taken));
        Assert.Equal(2, store.Evicted);
        Assert.True(store.TryTake(0, 5, taken));
        Assert.Equal(sent[5], taken);
        Assert.False(store.TryTake(0, 5, taken)); // taken once
        Assert.True(store.TryTake(0, 2, taken));
        Assert.Equal(sent[2], taken);
        Assert.False(store.TryTake(1, 3, taken));  // no such code
        Assert.False(store.TryTake(0, 9, taken));
    }

    [Fact]
    public async Task BatcherCountsBitAndFrameErrorsAgainstTruth()
    {
        var code = TestCodes.Hamming74;
        var truth = new GroundTruthStore([code.K], capacity: 64);
        await using var h = new Harness(new MicroBatcherOptions { MaxBatch = 4 }, new RecordingSink(), truth);
        var random = new Random(7);
        var expectedBitErrors = 0;
        var expectedFrameErrors = 0;
        for (var s = 0; s < 10; s++)
        {
            var info = TestCodes.RandomInfo(code, random);
            truth.Add(0, s, info);
            var sentInfo = (byte[])info.Clone();
            if (s is 3 or 7)
            {
                // Send a different (valid) codeword: the decoder outputs it, truth disagrees in the flipped bits.
                sentInfo[0] ^= 1;
                if (s == 7) sentInfo[2] ^= 1;
                expectedBitErrors += s == 7 ? 2 : 1;
                expectedFrameErrors++;
            }
            await h.Batcher.WriteAsync(TestCodes.Frame(h.Pool, s, TestCodes.Llrs(TestCodes.Encode(code, sentInfo))), CancellationToken.None);
        }
        await h.Write(10); // no truth for it: not checked
        await h.Batcher.CompleteAsync(TimeSpan.FromSeconds(30));

        var totals = h.Snapshot.Totals();
        Assert.Equal(11, totals.FramesPublished);
        Assert.Equal(10, totals.CheckedFrames);
        Assert.Equal(expectedFrameErrors, totals.FrameErrors);
        Assert.Equal(expectedBitErrors, totals.BitErrors);
        Assert.Equal(40, totals.BitsChecked);
        Assert.Equal(3.0 / 40, totals.Ber, 12);
        Assert.Equal(0.2, totals.Fer, 12);
    }
}
