using System.Globalization;
using System.Text;

namespace Receiver.Codes;

/// <summary>
/// Dense 0/1 text format for parity-check matrices, as <c>np.loadtxt</c> reads it: one row of H per
/// line, entries separated by spaces or tabs. Blank lines and <c>#</c> comments are skipped; entries
/// may also be written as numbers equal to 0 or 1 (e.g. <c>1.0</c>, as <c>np.savetxt</c> writes them).
/// Ragged rows, other values and empty files throw <see cref="CodeFormatException"/> with the line number.
/// </summary>
public static class DenseFormat
{
    /// <summary>Reads a dense matrix file; problems throw <see cref="CodeFormatException"/> naming the path and line.</summary>
    public static ParityCheckMatrix ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new CodeFormatException($"code file not found: {path}");
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    /// <summary>Parses dense 0/1 text; <paramref name="sourceName"/> (e.g. a file name) prefixes error messages.</summary>
    public static ParityCheckMatrix Parse(string text, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Read(new StringReader(text), sourceName);
    }

    /// <summary>Reads dense 0/1 text from a reader; <paramref name="sourceName"/> prefixes error messages.</summary>
    public static ParityCheckMatrix Read(TextReader reader, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lines = new TokenLines(reader, sourceName, commentChar: '#');
        var first = lines.Next("the first row of the 0/1 matrix (the file is empty)");
        var columns = first.Count;
        var rows = new List<int[]>();
        var line = first;
        do
        {
            if (line.Count != columns)
                throw line.Error($"row {rows.Count + 1} has {line.Count} entries but the first row (line {first.Number}) has {columns}");
            var support = new List<int>();
            for (var c = 0; c < columns; c++)
                if (ReadBit(line, c)) support.Add(c);
            rows.Add(support.ToArray());
        } while (lines.TryNext(out line));
        return ParityCheckMatrix.FromRowSupports(rows.Count, columns, rows);
    }

    /// <summary>Writes H as dense text: one line per row, entries "0"/"1" separated by single spaces.</summary>
    public static void Write(ParityCheckMatrix h, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(writer);
        var line = new StringBuilder(2 * h.Columns);
        for (var r = 0; r < h.Rows; r++)
        {
            line.Clear();
            line.Insert(0, "0 ", h.Columns);
            line[^1] = '\n';
            foreach (var c in h.RowSupport(r)) line[2 * c] = '1';
            writer.Write(line);
        }
    }

    /// <summary>Writes H to a dense text file.</summary>
    public static void WriteFile(ParityCheckMatrix h, string path)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Write(h, writer);
    }

    /// <summary>H as dense text.</summary>
    public static string ToText(ParityCheckMatrix h)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(h, writer);
        return writer.ToString();
    }

    private static bool ReadBit(TokenLine line, int column)
    {
        var token = line.Tokens[column];
        if (token == "0") return false;
        if (token == "1") return true;
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is 0 or 1)
            return value == 1;
        throw line.Error($"column {column + 1}: '{token}' is not 0 or 1");
    }
}
