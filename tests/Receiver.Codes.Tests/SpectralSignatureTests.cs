using Receiver.Codes;

namespace Receiver.Codes.Tests;

/// <summary>The SAP spectral signature: hand-checked small matrices, invariances, padding, and agreement with numpy.</summary>
public class SpectralSignatureTests
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void OneRowOfTwoOnesHasSingularValueRootTwo()
    {
        var signature = SpectralSignature.Compute(Matrix(new byte[,] { { 1, 1 } }));
        Assert.Equal(20, signature.Length);
        AssertClose([Math.Sqrt(2), -Math.Sqrt(2)], signature.AsSpan(0, 2));
        Assert.All(signature[2..], value => Assert.Equal(0, value));
    }

    [Fact]
    public void TwoByThreeMatrixHasSingularValuesRootThreeAndOne()
    {
        // H Hᵀ = [[2, 1], [1, 2]] has eigenvalues 3 and 1.
        var h = Matrix(new byte[,] { { 1, 1, 0 }, { 0, 1, 1 } });
        AssertClose([Math.Sqrt(3), 1], SpectralSignature.SingularValues(h));
        AssertClose([Math.Sqrt(3), -Math.Sqrt(3), 1, -1, 0, 0], SpectralSignature.Compute(h, 6));
    }

    [Fact]
    public void TallMatrixUsesTheColumnGramAndGivesTheSameValues()
    {
        var tall = Matrix(new byte[,] { { 1, 0 }, { 1, 1 }, { 0, 1 } });
        AssertClose([Math.Sqrt(3), 1], SpectralSignature.SingularValues(tall));
    }

    [Fact]
    public void RedundantRowsCountAndRankDeficiencyGivesExactZeros()
    {
        // H Hᵀ = [[2, 2], [2, 2]]: eigenvalues 4 and 0.
        var h = Matrix(new byte[,] { { 1, 1 }, { 1, 1 } });
        Assert.Equal([2.0, 0.0], SpectralSignature.SingularValues(h).Select(v => Math.Round(v, 12)));
        Assert.Equal(0, SpectralSignature.SingularValues(h)[1]);
        AssertClose([2, -2, 0, 0, 0], SpectralSignature.Compute(h, 5));
    }

    [Fact]
    public void OddLengthEndsOnAPositiveValue()
    {
        var h = Matrix(new byte[,] { { 1, 1, 0 }, { 0, 1, 1 } });
        AssertClose([Math.Sqrt(3), -Math.Sqrt(3), 1], SpectralSignature.Compute(h, 3));
    }

    [Theory]
    [InlineData("LDPC_N49_K24")]
    [InlineData("BCH_N63_K36")]
    [InlineData("POLAR_N64_K48")]
    public void SignatureIgnoresTheOrderOfRowsAndColumns(string name)
    {
        var h = CodeLibrary.Load(name, TestCodes.Directory).H;
        var random = new Random(5);
        var rowOrder = Enumerable.Range(0, h.Rows).OrderBy(_ => random.Next()).ToArray();
        var columnOrder = Enumerable.Range(0, h.Columns).OrderBy(_ => random.Next()).ToArray();
        var permuted = ParityCheckMatrix.FromRowSupports(h.Rows, h.Columns,
            rowOrder.Select(r => h.RowSupport(r).ToArray().Select(c => columnOrder[c]).ToArray()).ToArray<IEnumerable<int>>());
        AssertClose(SpectralSignature.Compute(h), SpectralSignature.Compute(permuted));
        Assert.Equal(0, SpectralSignature.Distance(SpectralSignature.Compute(h), SpectralSignature.Compute(h)));
    }

    /// <summary>
    /// Expected values from numpy: eigvalsh of A = [[0, Hᵀ], [H, 0]], the positive ones (the singular values) sorted
    /// down and interleaved with their negatives. Generated with
    /// <c>/usr/bin/python3 /tmp/sap_sig2.py codes/BCH_N31_K16.txt codes/LDPC_N49_K24.alist codes/POLAR_N64_K32.txt</c>,
    /// a script that reads the files, builds A, calls <c>np.linalg.eigvalsh(A)</c>, keeps w &gt; 1e-9, sorts them down and
    /// writes phi[0::2] = s, phi[1::2] = -s (and asserts |phi| equals the 20 largest |w|).
    /// </summary>
    [Theory]
    [InlineData("BCH_N31_K16", new[] { 6.249543398753, 3.387329722547, 3.070420895120, 3.033261248940, 2.828427124746, 2.791934195488, 2.479939272091, 2.459190396357, 2.160832834037, 2.069968075574 })]
    [InlineData("LDPC_N49_K24", new[] { 5.291502622129, 2.645751311065, 2.645751311065, 2.645751311065, 2.645751311065, 2.645751311065, 2.645751311065, 2.645751311065, 2.645751311065, 2.645751311065 })]
    [InlineData("POLAR_N64_K32", new[] { 16.809218695163, 6.392552215202, 6.251603270188, 6.251603270188, 6.251603270188, 6.251603270188, 5.037660340571, 2.387899965032, 2.387899965032, 2.387899965032 })]
    public void AgreesWithNumpy(string name, double[] singularValues)
    {
        var expected = singularValues.SelectMany(s => new[] { s, -s }).ToArray();
        var signature = SpectralSignature.Compute(CodeLibrary.Load(name, TestCodes.Directory).H);
        AssertClose(expected, signature, 1e-9);
    }

    [Fact]
    public void DistanceAndSimilarity()
    {
        double[] a = [3, 0, 0];
        double[] b = [0, 4, 0];
        Assert.Equal(5, SpectralSignature.Distance(a, b), 12);
        Assert.Equal(Math.Exp(-0.5), SpectralSignature.Similarity(a, b), 12);
        Assert.Equal(Math.Exp(-1.0), SpectralSignature.Similarity(a, b, beta: 0.2), 12);
        Assert.Equal(1, SpectralSignature.Similarity(a, a));
        Assert.Throws<ArgumentException>(() => SpectralSignature.Distance(a, [1.0]));
    }

    [Fact]
    public void NrGraphSignatureIsFinite()
    {
        var code = CodeLibrary.Load("nr:40,80", TestCodes.Directory);
        var signature = SpectralSignature.Compute(code.H);
        Assert.All(signature, value => Assert.True(double.IsFinite(value)));
        Assert.True(signature[0] > 0 && signature[0] == -signature[1] && signature[0] >= signature[2]);
    }

    private static ParityCheckMatrix Matrix(byte[,] dense) => ParityCheckMatrix.FromDense(dense);

    private static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance = Tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }
}
