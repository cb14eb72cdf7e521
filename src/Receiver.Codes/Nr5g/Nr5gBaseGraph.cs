using System.Globalization;

namespace Receiver.Codes.Nr5g;

/// <summary>One non-null entry of a 5G NR base graph: block (Row, Column) with its shift coefficient V for each lifting-set index.</summary>
internal readonly record struct BaseGraphEntry(int Row, int Column, int[] ShiftBySet);

/// <summary>
/// A 5G NR LDPC base graph (TS 38.212 Tables 5.3.2-2/3), read once from the embedded CSV copies of
/// Sionna's tables. Entries are sorted row-major.
/// </summary>
internal sealed class Nr5gBaseGraph
{
    /// <summary>Number of row blocks that form the core (the double-diagonal part solved first by the encoder).</summary>
    public const int CoreRows = 4;

    /// <summary>Lifting sets of TS 38.212 Table 5.3.2-1: set i_LS holds a * 2^j up to 384.</summary>
    public static readonly int[][] LiftingSets =
    [
        [2, 4, 8, 16, 32, 64, 128, 256],
        [3, 6, 12, 24, 48, 96, 192, 384],
        [5, 10, 20, 40, 80, 160, 320],
        [7, 14, 28, 56, 112, 224],
        [9, 18, 36, 72, 144, 288],
        [11, 22, 44, 88, 176, 352],
        [13, 26, 52, 104, 208],
        [15, 30, 60, 120, 240],
    ];

    private static readonly Lazy<Nr5gBaseGraph> Bg1 = new(() => Load(1, rows: 46, columns: 68, infoColumns: 22));
    private static readonly Lazy<Nr5gBaseGraph> Bg2 = new(() => Load(2, rows: 42, columns: 52, infoColumns: 10));

    public int Number { get; }
    public int Rows { get; }
    public int Columns { get; }

    /// <summary>Systematic columns of the mother code (22 for BG1, 10 for BG2), fillers included.</summary>
    public int InfoColumns { get; }

    public IReadOnlyList<BaseGraphEntry> Entries { get; }

    private Nr5gBaseGraph(int number, int rows, int columns, int infoColumns, IReadOnlyList<BaseGraphEntry> entries)
    {
        Number = number;
        Rows = rows;
        Columns = columns;
        InfoColumns = infoColumns;
        Entries = entries;
    }

    public static Nr5gBaseGraph Get(int number) => number switch
    {
        1 => Bg1.Value,
        2 => Bg2.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(number), "5G NR base graph must be 1 or 2."),
    };

    private static Nr5gBaseGraph Load(int number, int rows, int columns, int infoColumns)
    {
        var resource = $"Receiver.Codes.Nr5g.5G_bg{number}.csv";
        using var stream = typeof(Nr5gBaseGraph).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource {resource} is missing");
        using var reader = new StreamReader(stream);

        var entries = new List<BaseGraphEntry>();
        var row = -1;
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (lineNumber <= 2 || line.Length == 0) continue; // two header lines
            var fields = line.Split(';');
            if (fields.Length != 10) throw new InvalidDataException($"{resource} line {lineNumber}: expected 10 fields, got {fields.Length}");
            if (fields[0].Length > 0) row = int.Parse(fields[0], CultureInfo.InvariantCulture);
            var column = int.Parse(fields[1], CultureInfo.InvariantCulture);
            if (row < 0 || row >= rows || column < 0 || column >= columns)
                throw new InvalidDataException($"{resource} line {lineNumber}: block ({row},{column}) outside {rows}x{columns}");
            var shifts = new int[LiftingSets.Length];
            for (var set = 0; set < shifts.Length; set++) shifts[set] = int.Parse(fields[2 + set], CultureInfo.InvariantCulture);
            entries.Add(new BaseGraphEntry(row, column, shifts));
        }
        entries.Sort((a, b) => a.Row != b.Row ? a.Row.CompareTo(b.Row) : a.Column.CompareTo(b.Column));
        return new Nr5gBaseGraph(number, rows, columns, infoColumns, entries);
    }
}
