using System.Numerics;

namespace Receiver.Codes;

/// <summary>
/// Spectral signature of a code's Tanner graph (SAP, eq. 2-5): the top-K eigenvalues, by decreasing magnitude, of the
/// bipartite adjacency A = [[0, Hᵀ], [H, 0]] of H as stored (redundant rows included), a tie λ / -λ ordered positive
/// first, padded with zeros when A has fewer than K eigenvalues. A is bipartite, so its eigenvalues are ±σᵢ (the
/// singular values of H) and zeros: the signature is [σ₁, -σ₁, σ₂, -σ₂, ...] cut to K, computed from the eigenvalues of
/// the smaller Gram matrix H Hᵀ or Hᵀ H in double precision. Codes compare by the L2 distance d of their signatures and
/// the similarity κ = exp(-β d).
/// </summary>
public static class SpectralSignature
{
    /// <summary>Signature length K of the paper and the mask library.</summary>
    public const int DefaultLength = 20;

    /// <summary>Scaling β of the similarity κ = exp(-β d).</summary>
    public const double DefaultBeta = 0.1;

    /// <summary>Reuse threshold τ: a library mask is reused when κ ≥ τ.</summary>
    public const double DefaultTau = 0.5;

    /// <summary>The signature of <paramref name="h"/>: <paramref name="length"/> eigenvalues of its bipartite adjacency.</summary>
    public static double[] Compute(ParityCheckMatrix h, int length = DefaultLength)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var singular = SingularValues(h);
        var signature = new double[length];
        for (var i = 0; i < singular.Length && 2 * i < length; i++)
        {
            signature[2 * i] = singular[i];
            if (2 * i + 1 < length) signature[2 * i + 1] = -singular[i];
        }
        return signature;
    }

    /// <summary>
    /// Singular values of <paramref name="h"/>, largest first, min(rows, columns) of them. Values at round-off level
    /// (σ² below 1e-10 of the largest times the Gram size) are exact zeros, as they are for a rank-deficient H.
    /// </summary>
    public static double[] SingularValues(ParityCheckMatrix h)
    {
        ArgumentNullException.ThrowIfNull(h);
        var gram = h.Rows <= h.Columns ? RowGram(h) : ColumnGram(h);
        var eigenvalues = SymmetricEigenvalues.Compute(gram);
        Array.Sort(eigenvalues, (a, b) => b.CompareTo(a));
        var size = eigenvalues.Length;
        var floor = size == 0 ? 0 : Math.Max(eigenvalues[0], 0) * 1e-10 * size;
        var singular = new double[size];
        for (var i = 0; i < size; i++) singular[i] = eigenvalues[i] > floor ? Math.Sqrt(eigenvalues[i]) : 0;
        return singular;
    }

    /// <summary>L2 distance of two signatures of the same length.</summary>
    public static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"signatures of different lengths cannot be compared: {a.Length} and {b.Length}");
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            var difference = a[i] - b[i];
            sum += difference * difference;
        }
        return Math.Sqrt(sum);
    }

    /// <summary>Similarity κ = exp(-β d) of two signatures, in (0, 1].</summary>
    public static double Similarity(ReadOnlySpan<double> a, ReadOnlySpan<double> b, double beta = DefaultBeta) =>
        SimilarityOf(Distance(a, b), beta);

    /// <summary>Similarity κ = exp(-β d) for a distance <paramref name="distance"/>.</summary>
    public static double SimilarityOf(double distance, double beta = DefaultBeta)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(beta);
        return Math.Exp(-beta * distance);
    }

    /// <summary>H Hᵀ: entry (i, j) counts the columns rows i and j share (built from the column supports).</summary>
    private static double[][] RowGram(ParityCheckMatrix h)
    {
        var gram = Square(h.Rows);
        for (var c = 0; c < h.Columns; c++)
        {
            var rows = h.ColumnSupport(c);
            foreach (var i in rows)
                foreach (var j in rows)
                    gram[i][j]++;
        }
        return gram;
    }

    /// <summary>Hᵀ H: entry (i, j) counts the rows columns i and j share (built from the row supports).</summary>
    private static double[][] ColumnGram(ParityCheckMatrix h)
    {
        var gram = Square(h.Columns);
        for (var r = 0; r < h.Rows; r++)
        {
            var columns = h.RowSupport(r);
            foreach (var i in columns)
                foreach (var j in columns)
                    gram[i][j]++;
        }
        return gram;
    }

    private static double[][] Square(int size)
    {
        var rows = new double[size][];
        for (var i = 0; i < size; i++) rows[i] = new double[size];
        return rows;
    }
}

/// <summary>
/// Eigenvalues of a real symmetric matrix: Householder reduction to tridiagonal form, then the implicit QL method with
/// Wilkinson shifts (as in EISPACK tred1/tql1): O(n³) once, where cyclic Jacobi would need several O(n³) sweeps. The
/// reduction keeps the whole symmetric matrix in row arrays so every inner loop is a contiguous SIMD dot product or
/// update. Measured through <c>receiver models onboard --plan</c> on this 2-core machine: LDPC_N1056_K880 and nr:224,256
/// 0.3 s, nr:1000,2000 1.1 s, nr:3000,6000 (a 3840-row Gram matrix) 35 s, against 55 s for the textbook
/// lower-triangle loops, which walk columns; past a few thousand rows the reduction is bound by memory bandwidth.
/// </summary>
internal static class SymmetricEigenvalues
{
    /// <summary>The eigenvalues, unsorted, of the symmetric matrix whose rows are <paramref name="rows"/> (overwritten).</summary>
    public static double[] Compute(double[][] rows)
    {
        var n = rows.Length;
        if (rows.Any(row => row.Length != n)) throw new ArgumentException($"matrix has {n} rows of unequal or other lengths, not square");
        var diagonal = new double[n];
        var offDiagonal = new double[n];
        Tridiagonalize(rows, diagonal, offDiagonal);
        TridiagonalQl(diagonal, offDiagonal);
        return diagonal;
    }

    /// <summary>
    /// Householder tridiagonalisation without accumulating the transformations: <paramref name="diagonal"/> gets the
    /// diagonal, <paramref name="offDiagonal"/>[i] the element (i, i-1) ([0] = 0). Step i reflects row i's leading
    /// part u = a[i, 0..i) onto its last element and updates the leading block: A -= u qᵀ + q uᵀ with p = A u / h,
    /// q = p - (uᵀp / 2h) u.
    /// </summary>
    private static void Tridiagonalize(double[][] a, double[] diagonal, double[] offDiagonal)
    {
        var n = diagonal.Length;
        var q = new double[n];
        for (var i = n - 1; i > 0; i--)
        {
            var length = i; // the leading block is [0, i)
            var u = a[i].AsSpan(0, length);
            var scale = 0.0;
            foreach (var value in u) scale += Math.Abs(value);
            if (length == 1 || scale == 0)
            {
                offDiagonal[i] = u[length - 1];
                continue;
            }
            for (var k = 0; k < length; k++) u[k] /= scale;
            var h = Dot(u, u);
            var f = u[length - 1];
            var g = f >= 0 ? -Math.Sqrt(h) : Math.Sqrt(h);
            offDiagonal[i] = scale * g;
            h -= f * g;
            u[length - 1] = f - g;
            var p = q.AsSpan(0, length);
            for (var j = 0; j < length; j++) p[j] = Dot(a[j].AsSpan(0, length), u) / h;
            var half = Dot(p, u) / (h + h);
            for (var j = 0; j < length; j++) p[j] -= half * u[j];
            for (var j = 0; j < length; j++) SubtractTwo(a[j].AsSpan(0, length), u[j], p, p[j], u);
        }
        offDiagonal[0] = 0;
        for (var i = 0; i < n; i++) diagonal[i] = a[i][i];
    }

    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var width = Vector<double>.Count;
        var sum = Vector<double>.Zero;
        var k = 0;
        for (; k <= x.Length - width; k += width) sum += new Vector<double>(x[k..]) * new Vector<double>(y[k..]);
        var total = Vector.Sum(sum);
        for (; k < x.Length; k++) total += x[k] * y[k];
        return total;
    }

    /// <summary>row -= a x + b y.</summary>
    private static void SubtractTwo(Span<double> row, double a, ReadOnlySpan<double> x, double b, ReadOnlySpan<double> y)
    {
        var width = Vector<double>.Count;
        var k = 0;
        for (; k <= row.Length - width; k += width)
            (new Vector<double>(row[k..]) - a * new Vector<double>(x[k..]) - b * new Vector<double>(y[k..])).CopyTo(row[k..]);
        for (; k < row.Length; k++) row[k] -= a * x[k] + b * y[k];
    }
    /// <summary>Implicit QL with shifts on a symmetric tridiagonal matrix; the eigenvalues replace <paramref name="d"/>.</summary>
    private static void TridiagonalQl(double[] d, double[] e)
    {
        var n = d.Length;
        for (var i = 1; i < n; i++) e[i - 1] = e[i];
        if (n > 0) e[n - 1] = 0;
        for (var l = 0; l < n; l++)
        {
            for (var iteration = 0; ; iteration++)
            {
                int m;
                for (m = l; m < n - 1; m++)
                {
                    var dd = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) <= double.Epsilon || Math.Abs(e[m]) <= 1e-15 * dd) break;
                }
                if (m == l) break;
                if (iteration == 60) throw new InvalidOperationException("symmetric eigenvalues: QL did not converge in 60 iterations");
                var g = (d[l + 1] - d[l]) / (2 * e[l]);
                var r = Hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.Abs(r) : -Math.Abs(r)));
                double s = 1, c = 1, p = 0;
                int i;
                for (i = m - 1; i >= l; i--)
                {
                    var f = s * e[i];
                    var b = c * e[i];
                    e[i + 1] = r = Hypot(f, g);
                    if (r == 0)
                    {
                        d[i + 1] -= p;
                        e[m] = 0;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                }
                if (r == 0 && i >= l) continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        }
    }

    private static double Hypot(double a, double b)
    {
        var absA = Math.Abs(a);
        var absB = Math.Abs(b);
        if (absA > absB) return absA * Math.Sqrt(1 + (absB / absA) * (absB / absA));
        return absB == 0 ? 0 : absB * Math.Sqrt(1 + (absA / absB) * (absA / absB));
    }
}
