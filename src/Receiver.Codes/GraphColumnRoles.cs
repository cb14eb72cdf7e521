namespace Receiver.Codes;

/// <summary>
/// What each column of a code's decoding graph carries, read off the code's own <see cref="IBlockCode.ToGraphLlr"/>:
/// the column of each transmitted bit (in transmission order), the known-zero filler columns, and the erased columns
/// (punctured or untransmitted: LLR 0). For a plain code every column is transmitted, in order.
/// </summary>
public sealed record GraphColumnRoles(int[] Transmitted, int[] KnownZero, int[] Erased)
{
    public static GraphColumnRoles Of(IBlockCode code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var channel = new float[code.N];
        for (var i = 0; i < channel.Length; i++) channel[i] = -(i + 1); // channel LLR -(i + 1) lands in bit i's column
        var graph = new float[code.H.Columns];
        code.ToGraphLlr(channel, graph);
        var transmitted = new int[code.N];
        var knownZero = new List<int>();
        var erased = new List<int>();
        for (var column = 0; column < graph.Length; column++)
        {
            if (graph[column] < 0) transmitted[(int)-graph[column] - 1] = column;
            else if (graph[column] == IBlockCode.KnownBitLlr) knownZero.Add(column);
            else erased.Add(column);
        }
        return new GraphColumnRoles(transmitted, knownZero.ToArray(), erased.ToArray());
    }
}
