using System.Runtime.CompilerServices;
using Receiver.Codes;

namespace Receiver.Codes.Tests;

/// <summary>Finds the repository's codes/ folder as CodeLibrary does, plus the source tree, so runs with an outside artifacts path still find it.</summary>
internal static class TestCodes
{
    public static string Directory { get; } = Locate();

    public static string PathOf(string relative) => System.IO.Path.Combine(Directory, relative);

    /// <summary>Bundled files with their m x n and GF(2) rank, from codes/SOURCE.md (wimax's rank computed here).</summary>
    public static readonly (string File, int Rows, int Columns, int Rank)[] Table =
    [
        ("BCH_N31_K16.txt", 15, 31, 15),
        ("BCH_N63_K36.txt", 27, 63, 27),
        ("BCH_N63_K45.txt", 18, 63, 18),
        ("BCH_N63_K51.txt", 12, 63, 12),
        ("POLAR_N64_K32.txt", 32, 64, 32),
        ("POLAR_N64_K48.txt", 16, 64, 16),
        ("POLAR_N128_K64.txt", 64, 128, 64),
        ("POLAR_N128_K86.txt", 42, 128, 42),
        ("POLAR_N128_K96.txt", 32, 128, 32),
        ("POLAR_N512_K384.txt", 128, 512, 128),
        ("CCSDS_N128_K64.alist", 64, 128, 64),
        ("MACKAY_N96_K48.alist", 48, 96, 48),
        ("LDPC_N49_K24.alist", 28, 49, 25),
        ("LDPC_N121_K60.alist", 66, 121, 61),
        ("LDPC_N121_K70.alist", 55, 121, 51),
        ("LDPC_N121_K80.alist", 44, 121, 41),
        ("LDPC_N529_K440.alist", 92, 529, 89),
        ("LDPC_N648_K540.alist", 108, 648, 108),
        ("LDPC_N1056_K880.alist", 176, 1056, 176),
        ("WRAN_N384_K320.alist", 64, 384, 64),
        ("LTE_TURBO_N132_K40.txt", 92, 132, 92),
        ("crossmpt_variant/POLAR_N128_K64.txt", 64, 128, 64),
        ("wimax_576_0.5.alist", 288, 576, 288),
    ];

    public static IEnumerable<object[]> TableRows() => Table.Select(t => new object[] { t.File, t.Rows, t.Columns, t.Rank });

    public static IEnumerable<object[]> Files(string extension) =>
        Table.Where(t => t.File.EndsWith(extension, StringComparison.Ordinal)).Select(t => new object[] { t.File });

    public static IEnumerable<object[]> AllFiles() => Table.Select(t => new object[] { t.File });

    public static ParityCheckMatrix Read(string relative) =>
        relative.EndsWith(".alist", StringComparison.Ordinal) ? AlistFormat.ReadFile(PathOf(relative)) : DenseFormat.ReadFile(PathOf(relative));

    public static void AssertSameMatrix(ParityCheckMatrix expected, ParityCheckMatrix actual)
    {
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.Columns, actual.Columns);
        for (var r = 0; r < expected.Rows; r++)
            Assert.Equal(expected.RowSupport(r).ToArray(), actual.RowSupport(r).ToArray());
    }

    private static string Locate([CallerFilePath] string sourceFile = "")
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(CodeLibrary.CodesDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return System.IO.Path.GetFullPath(fromEnvironment);
        foreach (var start in new[] { AppContext.BaseDirectory, System.IO.Directory.GetCurrentDirectory(), System.IO.Path.GetDirectoryName(sourceFile)! })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var codes = System.IO.Path.Combine(dir.FullName, "codes");
                if (File.Exists(System.IO.Path.Combine(codes, "SOURCE.md"))) return codes;
            }
        }
        throw new InvalidOperationException("codes/ folder with SOURCE.md not found above the test binaries or sources");
    }
}

public class MatrixFormatTests
{
    // 2x4 example: H = [1 1 0 1; 0 1 1 1].
    private const string SmallAlist = "4 2\n2 3\n1 2 1 2\n3 3\n1 0\n1 2\n2 0\n1 2\n1 2 4\n2 3 4\n";

    private static ParityCheckMatrix SmallH() => ParityCheckMatrix.FromRowSupports(2, 4, [new[] { 0, 1, 3 }, new[] { 1, 2, 3 }]);

    [Fact]
    public void TableCoversEveryBundledCodeFile()
    {
        var onDisk = CodeLibrary.BundledCodeNames(TestCodes.Directory);
        Assert.Equal(TestCodes.Table.Select(t => t.File).Order(StringComparer.Ordinal), onDisk);
    }

    [Theory]
    [MemberData(nameof(TestCodes.TableRows), MemberType = typeof(TestCodes))]
    public void BundledMatrixHasDocumentedShapeAndRank(string file, int rows, int columns, int rank)
    {
        var h = TestCodes.Read(file);
        Assert.Equal(rows, h.Rows);
        Assert.Equal(columns, h.Columns);
        Assert.Equal(rank, Gf2.Rank(h));
    }

    [Theory]
    [MemberData(nameof(TestCodes.Files), ".alist", MemberType = typeof(TestCodes))]
    public void AlistRoundTripGivesSameMatrix(string file)
    {
        var h = TestCodes.Read(file);
        var text = AlistFormat.ToText(h);
        var back = AlistFormat.Parse(text, "roundtrip");
        TestCodes.AssertSameMatrix(h, back);
        Assert.Equal(text, AlistFormat.ToText(back));
    }

    [Theory]
    [MemberData(nameof(TestCodes.Files), ".txt", MemberType = typeof(TestCodes))]
    public void DenseRoundTripGivesSameMatrix(string file)
    {
        var h = TestCodes.Read(file);
        var back = DenseFormat.Parse(DenseFormat.ToText(h), "roundtrip");
        TestCodes.AssertSameMatrix(h, back);
    }

    [Fact]
    public void AlistAndDenseFilesWrittenToDiskReadBack()
    {
        var h = TestCodes.Read("LDPC_N49_K24.alist");
        var dir = Directory.CreateTempSubdirectory("receiver-codes-");
        try
        {
            var alist = Path.Combine(dir.FullName, "x.alist");
            var dense = Path.Combine(dir.FullName, "x.txt");
            AlistFormat.WriteFile(h, alist);
            DenseFormat.WriteFile(h, dense);
            TestCodes.AssertSameMatrix(h, AlistFormat.ReadFile(alist));
            TestCodes.AssertSameMatrix(h, DenseFormat.ReadFile(dense));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void AlistReadsSmallExample()
    {
        TestCodes.AssertSameMatrix(SmallH(), AlistFormat.Parse(SmallAlist));
    }

    [Theory]
    [InlineData("4 2\r\n2 3\r\n1 2 1 2\r\n3 3\r\n1 0\r\n1 2\r\n2 0\r\n1 2\r\n1 2 4\r\n2 3 4\r\n")]           // CRLF
    [InlineData("\n  4\t 2  \n\n2 3\n1 2 1 2\n3 3\n\n1\n1 2\n2\n1 2 0 0\n1 2 4 0\n2 3 4\n\n\n")]            // blanks, tabs, padding varies
    [InlineData("4 2\n2 3\n1 2 1 2\n3 3\n1 0\n1 2\n2 0\n1 2\n")]                                         // column lists only (as ECCT reads)
    [InlineData("4 2\n2 3\n1 2 1 2\n3 3\n1 0\n2 1\n2 0\n2 1\n4 2 1\n3 2 4\n")]                           // lists in any order
    public void AlistReaderToleratesLayout(string text)
    {
        TestCodes.AssertSameMatrix(SmallH(), AlistFormat.Parse(text));
    }

    [Fact]
    public void AlistErrorNamesFileLineAndProblem()
    {
        var text = "4 2\n2 3\n1 2 1 2\n3 3\n99 0\n1 2\n2 0\n1 2\n";
        var e = Assert.Throws<CodeFormatException>(() => AlistFormat.Parse(text, "LDPC_X.alist"));
        Assert.Equal("LDPC_X.alist:5: column 1 lists row 99 but m = 2", e.Message);
        Assert.Equal("LDPC_X.alist", e.FileName);
        Assert.Equal(5, e.LineNumber);
    }

    [Theory]
    [InlineData("", 1, "file ends early")]                                                         // empty file
    [InlineData("4 2\n2 3\n1 2 1\n3 3\n", 3, "expected 4 column weights")]                             // wrong count of weights
    [InlineData("4 2\n2 3\n1 2 1 2\n3 3\n1 0\n1 2\n2 x\n1 2\n", 7, "'x'")]                            // garbage token
    [InlineData("4 2\n2 3\n1 2 1 2\n3 3\n1 0\n1 2\n", 7, "file ends early")]                           // truncated in the columns
    [InlineData("4 2\n2 3\n1 2 1 2\n3 3\n1 0\n1 2\n2 0\n1 2\n1 2 4\n", 10, "file ends early")]           // truncated in the rows
    [InlineData("4 2\n2 3\n1 2 1 2\n3 3\n1 2\n1 2\n2 0\n1 2\n", 5, "more than its weight 1")] // column list longer than its weight
    [InlineData("4 2\n2 3\n1 2 1 2\n3 3\n1 0\n1 1\n2 0\n1 2\n", 6, "twice")]                          // duplicate index
    [InlineData("4 2\n2 3\n1 2 1 2\n3 3\n1 0\n0 1\n2 0\n1 2\n", 6, "after a padding zero")]           // index after padding
    [InlineData("4 2\n2 3\n1 2 1 2\n2 3\n1 0\n1 2\n2 0\n1 2\n", 4, "row 1 has weight 2")]             // row weights disagree with columns
    [InlineData("4 2\n2 3\n1 2 1 2\n3 3\n1 0\n1 2\n2 0\n1 2\n1 2 3\n2 3 4\n", 9, "row 1 lists column 3")] // rows disagree with columns
    [InlineData("4 2\n2 3\n1 2 1 2\n3 3\n1 0\n1 2\n2 0\n1 2\n1 2 4\n2 3 4\n7\n", 11, "unexpected text")]
    [InlineData("4 2\n1 3\n1 2 1 2\n3 3\n", 3, "above the max column weight")]
    [InlineData("4 0\n", 1, "m (rows) must be positive")]
    [InlineData("4 2 7\n", 1, "header")]
    [InlineData("4 2\n2 3\n1 2 1 2\n3 3\n1 0\n1 2\n2 0\n1 5\n", 8, "column 4 lists row 5 but m = 2")]
    public void MalformedAlistThrowsWithLineNumber(string text, int line, string fragment)
    {
        var e = Assert.Throws<CodeFormatException>(() => AlistFormat.Parse(text, "bad.alist"));
        Assert.StartsWith($"bad.alist:{line}: ", e.Message);
        Assert.Contains(fragment, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AlistWriterPadsAndRoundTripsIrregularMatrix()
    {
        var h = SmallH();
        var text = AlistFormat.ToText(h);
        Assert.Equal("4 2\n2 3\n1 2 1 2\n3 3\n1 0\n1 2\n2 0\n1 2\n1 2 4\n2 3 4\n", text);
        TestCodes.AssertSameMatrix(h, AlistFormat.Parse(text));
    }

    [Fact]
    public void AlistWriterKeepsEmptyColumnsReadable()
    {
        var h = ParityCheckMatrix.FromRowSupports(2, 3, [new[] { 0 }, new[] { 0 }]);
        TestCodes.AssertSameMatrix(h, AlistFormat.Parse(AlistFormat.ToText(h)));
    }

    [Theory]
    [InlineData("1 1 0 1\n0 1 1 1\n")]
    [InlineData("# comment\n\n1\t1 0 1  \r\n\n0 1 1 1 # trailing comment\n")]
    [InlineData("1.0 1 0.000000000000000000e+00 1\n0 1e0 1 1")]
    public void DenseReaderToleratesLayout(string text)
    {
        TestCodes.AssertSameMatrix(SmallH(), DenseFormat.Parse(text));
    }

    [Fact]
    public void DenseWriterWritesSpaceSeparatedRows()
    {
        Assert.Equal("1 1 0 1\n0 1 1 1\n", DenseFormat.ToText(SmallH()));
    }

    [Theory]
    [InlineData("", 1, "file ends early")]                    // empty file
    [InlineData("# only a comment\n\n", 3, "file ends early")] // no rows
    [InlineData("1 0 1\n0 1\n", 2, "row 2 has 2 entries but the first row (line 1) has 3")]
    [InlineData("1 0 1\n\n0 2 1\n", 3, "column 2: '2' is not 0 or 1")]
    [InlineData("1 0 1\n0 a 1\n", 2, "'a' is not 0 or 1")]
    [InlineData("1 0 1\n0 1 1 1\n", 2, "has 4 entries")]
    public void MalformedDenseThrowsWithLineNumber(string text, int line, string fragment)
    {
        var e = Assert.Throws<CodeFormatException>(() => DenseFormat.Parse(text, "bad.txt"));
        Assert.StartsWith($"bad.txt:{line}: ", e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void MissingFileIsACodeFormatError()
    {
        var e = Assert.Throws<CodeFormatException>(() => AlistFormat.ReadFile(Path.Combine(TestCodes.Directory, "NOPE.alist")));
        Assert.Contains("code file not found", e.Message);
    }
}
