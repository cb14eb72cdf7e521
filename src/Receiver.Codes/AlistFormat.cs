using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Receiver.Codes;

/// <summary>
/// MacKay alist text format for sparse parity-check matrices:
/// line 1 <c>n m</c>; line 2 max column weight, max row weight; line 3 the n column weights;
/// line 4 the m row weights; then n lines of 1-based row indices per column and m lines of 1-based
/// column indices per row, each padded with zeros to the max weight.
/// </summary>
/// <remarks>
/// Reading tolerates extra spaces, tabs, blank lines, CRLF and any number of trailing padding zeros,
/// and accepts a file that stops after the column lists (the ECCT reader uses only those).
/// It is strict about consistency: counts, index ranges, duplicates, and, when the row lists are
/// present, that they describe exactly the ones the column lists put in each row.
/// H is built from the column lists.
/// </remarks>
public static class AlistFormat
{
    /// <summary>Reads an alist file; problems throw <see cref="CodeFormatException"/> naming the path and line.</summary>
    public static ParityCheckMatrix ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new CodeFormatException($"code file not found: {path}");
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    /// <summary>Parses alist text; <paramref name="sourceName"/> (e.g. a file name) prefixes error messages.</summary>
    public static ParityCheckMatrix Parse(string text, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Read(new StringReader(text), sourceName);
    }

    /// <summary>Reads alist text from a reader; <paramref name="sourceName"/> prefixes error messages.</summary>
    public static ParityCheckMatrix Read(TextReader reader, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lines = new TokenLines(reader, sourceName, commentChar: null);

        var header = lines.Next("the header line 'n m'");
        header.ExpectCount(2, "the header line needs 'n m' (columns rows)");
        var n = header.PositiveInt(0, "n (columns)");
        var m = header.PositiveInt(1, "m (rows)");

        var maxWeights = lines.Next("line 2 (max column weight, max row weight)");
        maxWeights.ExpectCount(2, "line 2 needs 'max-column-weight max-row-weight'");
        var maxColumnWeight = maxWeights.NonNegativeInt(0, "max column weight");
        var maxRowWeight = maxWeights.NonNegativeInt(1, "max row weight");

        var columnWeightLine = lines.Next($"line 3 (the {n} column weights)");
        columnWeightLine.ExpectCount(n, $"expected {n} column weights (n = {n})");
        var columnWeights = ReadWeights(columnWeightLine, "column", maxColumnWeight, m, "m");

        var rowWeightLine = lines.Next($"line 4 (the {m} row weights)");
        rowWeightLine.ExpectCount(m, $"expected {m} row weights (m = {m})");
        var rowWeights = ReadWeights(rowWeightLine, "row", maxRowWeight, n, "n");

        var rowsOfColumn = new int[n][];
        for (var c = 0; c < n; c++)
        {
            var line = lines.Next($"the list of column {c + 1} of {n}");
            rowsOfColumn[c] = ReadIndexList(line, "column", c, columnWeights[c], "row", m, "m");
        }

        // H is defined by the column lists; the row weights must agree with them.
        var columnsOfRow = new List<int>[m];
        for (var r = 0; r < m; r++) columnsOfRow[r] = new List<int>(rowWeights[r]);
        for (var c = 0; c < n; c++)
            foreach (var r in rowsOfColumn[c]) columnsOfRow[r].Add(c);
        for (var r = 0; r < m; r++)
        {
            if (columnsOfRow[r].Count != rowWeights[r])
                throw rowWeightLine.Error($"row {r + 1} has weight {rowWeights[r]} here but the column lists put {columnsOfRow[r].Count} ones in it");
        }

        if (lines.TryNext(out var firstRowLine))
        {
            var rowLine = firstRowLine;
            for (var r = 0; r < m; r++)
            {
                if (r > 0) rowLine = lines.Next($"the list of row {r + 1} of {m}");
                var listed = ReadIndexList(rowLine, "row", r, rowWeights[r], "column", n, "n");
                Array.Sort(listed);
                if (!listed.AsSpan().SequenceEqual(CollectionsMarshal.AsSpan(columnsOfRow[r])))
                {
                    // Same count on both sides, so the row names a column that does not name it back.
                    var stray = listed.Except(columnsOfRow[r]).First();
                    throw rowLine.Error($"row {r + 1} lists column {stray + 1}, but column {stray + 1} does not list row {r + 1}");
                }
            }
            if (lines.TryNext(out var extra))
                throw extra.Error($"unexpected text after the {m} row lists");
        }

        return ParityCheckMatrix.FromRowSupports(m, n, columnsOfRow);
    }

    /// <summary>Writes H as alist text, padding each list with zeros to the max weight; reads back to the same H.</summary>
    public static void Write(ParityCheckMatrix h, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(writer);
        var maxColumnWeight = 0;
        var maxRowWeight = 0;
        for (var c = 0; c < h.Columns; c++) maxColumnWeight = Math.Max(maxColumnWeight, h.ColumnWeight(c));
        for (var r = 0; r < h.Rows; r++) maxRowWeight = Math.Max(maxRowWeight, h.RowWeight(r));

        var line = new StringBuilder();
        writer.Write($"{h.Columns} {h.Rows}\n{maxColumnWeight} {maxRowWeight}\n");
        WriteLine(writer, line, Enumerable.Range(0, h.Columns).Select(h.ColumnWeight), 0);
        WriteLine(writer, line, Enumerable.Range(0, h.Rows).Select(h.RowWeight), 0);
        for (var c = 0; c < h.Columns; c++)
            WriteLine(writer, line, h.ColumnSupport(c).ToArray().Select(r => r + 1), maxColumnWeight);
        for (var r = 0; r < h.Rows; r++)
            WriteLine(writer, line, h.RowSupport(r).ToArray().Select(c => c + 1), maxRowWeight);
    }

    /// <summary>Writes H to an alist file.</summary>
    public static void WriteFile(ParityCheckMatrix h, string path)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Write(h, writer);
    }

    /// <summary>H as alist text.</summary>
    public static string ToText(ParityCheckMatrix h)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(h, writer);
        return writer.ToString();
    }

    /// <summary>SHA-256 (lower-case hex) of H's alist text as UTF-8: the identity of a code no file names (nr:K,N), as <c>codes export</c> writes it.</summary>
    public static string TextSha256(ParityCheckMatrix h) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(ToText(h))));

    /// <summary>Space-separated values padded with zeros to <paramref name="padTo"/> entries; an empty list still writes one "0" so the line is not blank.</summary>
    private static void WriteLine(TextWriter writer, StringBuilder line, IEnumerable<int> values, int padTo)
    {
        line.Clear();
        var count = 0;
        foreach (var v in values)
        {
            if (count++ > 0) line.Append(' ');
            line.Append(v.ToString(CultureInfo.InvariantCulture));
        }
        for (; count < Math.Max(padTo, 1); count++)
        {
            if (count > 0) line.Append(' ');
            line.Append('0');
        }
        line.Append('\n');
        writer.Write(line);
    }

    private static int[] ReadWeights(TokenLine line, string kind, int maxWeight, int limit, string limitName)
    {
        var weights = new int[line.Count];
        for (var i = 0; i < weights.Length; i++)
        {
            var w = line.NonNegativeInt(i, $"{kind} weight {i + 1}");
            if (w > maxWeight) throw line.Error($"{kind} {i + 1} has weight {w}, above the max {kind} weight {maxWeight} of line 2");
            if (w > limit) throw line.Error($"{kind} {i + 1} has weight {w} but {limitName} = {limit}");
            weights[i] = w;
        }
        return weights;
    }

    /// <summary>Reads one column (or row) list: <paramref name="weight"/> distinct 1-based indices, then only padding zeros; returns 0-based indices.</summary>
    private static int[] ReadIndexList(TokenLine line, string kind, int which, int weight, string entryKind, int limit, string limitName)
    {
        var indices = new int[weight];
        var count = 0;
        for (var t = 0; t < line.Count; t++)
        {
            var value = line.NonNegativeInt(t, $"{entryKind} index");
            if (value == 0) continue;
            if (t > count) throw line.Error($"{kind} {which + 1} lists {entryKind} {value} after a padding zero");
            if (value > limit) throw line.Error($"{kind} {which + 1} lists {entryKind} {value} but {limitName} = {limit}");
            if (count == weight) throw line.Error($"{kind} {which + 1} lists more than its weight {weight} of {entryKind}s");
            if (indices.AsSpan(0, count).Contains(value - 1)) throw line.Error($"{kind} {which + 1} lists {entryKind} {value} twice");
            indices[count++] = value - 1;
        }
        if (count != weight) throw line.Error($"{kind} {which + 1} lists {count} {entryKind}s but its weight is {weight}");
        return indices;
    }
}

/// <summary>One non-blank line of a code file split into tokens, with its 1-based line number for messages.</summary>
internal readonly record struct TokenLine(string? SourceName, int Number, string[] Tokens)
{
    public int Count => Tokens.Length;

    public CodeFormatException Error(string problem) => new(SourceName, Number, problem);

    public void ExpectCount(int count, string problem)
    {
        if (Tokens.Length != count) throw Error($"{problem}; found {Tokens.Length} value{(Tokens.Length == 1 ? "" : "s")}");
    }

    public int NonNegativeInt(int index, string what)
    {
        if (!int.TryParse(Tokens[index], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw Error($"{what}: '{Tokens[index]}' is not a non-negative integer");
        return value;
    }

    public int PositiveInt(int index, string what)
    {
        var value = NonNegativeInt(index, what);
        if (value == 0) throw Error($"{what} must be positive");
        return value;
    }
}

/// <summary>Walks the non-blank lines of a text, splitting on spaces and tabs and dropping comments when a comment character is given.</summary>
internal sealed class TokenLines(TextReader reader, string? sourceName, char? commentChar)
{
    private static readonly char[] Separators = [' ', '\t', '\r', '\f', '\v'];
    private int _lineNumber;

    public bool TryNext(out TokenLine line)
    {
        while (reader.ReadLine() is { } text)
        {
            _lineNumber++;
            if (commentChar is { } comment && text.IndexOf(comment) is var at and >= 0) text = text[..at];
            var tokens = text.Split(Separators, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0) continue;
            line = new TokenLine(sourceName, _lineNumber, tokens);
            return true;
        }
        line = default;
        return false;
    }

    /// <summary>The next non-blank line; at the end of the text, an error blaming the line after the last one.</summary>
    public TokenLine Next(string expected)
    {
        if (TryNext(out var line)) return line;
        throw new CodeFormatException(sourceName, _lineNumber + 1, $"file ends early: expected {expected}");
    }
}
