using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Receiver.Codes.Bch;

/// <summary>
/// Narrow-sense primitive binary BCH code: length n = 2^m - 1, designed correction capability t,
/// generator g(x) = lcm of the minimal polynomials of alpha^1, alpha^3, ..., alpha^(2t-1),
/// dimension k = n - deg g. Bit i of a codeword is the coefficient of x^i ("natural order"),
/// so c is a codeword exactly when c(alpha^j) = 0 for j = 1..2t.
/// </summary>
public sealed class BchCode
{
    private readonly byte[] _generator;

    public GaloisField Field { get; }

    /// <summary>Code length 2^m - 1.</summary>
    public int N { get; }

    /// <summary>Dimension n - deg g.</summary>
    public int K { get; }

    /// <summary>Designed number of correctable errors; the bounded-distance decoder corrects every pattern of weight &lt;= T.</summary>
    public int T { get; }

    /// <summary>Designed distance 2t + 1 (a lower bound on the minimum distance).</summary>
    public int DesignedDistance => 2 * T + 1;

    /// <summary>Coefficients of g(x), index j = coefficient of x^j (length n - k + 1).</summary>
    public ReadOnlySpan<byte> Generator => _generator;

    private BchCode(GaloisField field, int t, byte[] generator)
    {
        Field = field;
        T = t;
        N = field.Order;
        _generator = generator;
        K = N - (generator.Length - 1);
    }

    /// <summary>The t-error-correcting code of length 2^m - 1 over <paramref name="field"/> (default: the standard primitive polynomial).</summary>
    public static BchCode Create(int m, int t, GaloisField? field = null)
    {
        field ??= GaloisField.Create(m);
        if (field.M != m) throw new ArgumentException($"field {field} does not have degree {m}", nameof(field));
        // 2t - 1 < n keeps every listed root a distinct nonzero power; larger t gives g = x^n - 1 (k = 0).
        if (t < 1 || 2 * t - 1 >= field.Order)
            throw new ArgumentOutOfRangeException(nameof(t), t, $"t must be in 1..{field.Order / 2} for n = {field.Order}");
        return new BchCode(field, t, BuildGenerator(field, t));
    }

    private static byte[] BuildGenerator(GaloisField field, int t)
    {
        byte[] generator = [1];
        var covered = new bool[field.Order];
        for (var j = 1; j <= 2 * t - 1; j += 2)
        {
            if (covered[j]) continue; // alpha^j is a conjugate of an earlier root: same minimal polynomial
            foreach (var e in field.CyclotomicCoset(j)) covered[e] = true;
            generator = MultiplyBinary(generator, field.MinimalPolynomial(j));
        }
        return generator;
    }

    private static byte[] MultiplyBinary(byte[] polynomial, int factorMask)
    {
        var factorDegree = 31 - BitOperations.LeadingZeroCount((uint)factorMask);
        var product = new byte[polynomial.Length + factorDegree];
        for (var i = 0; i < polynomial.Length; i++)
        {
            if (polynomial[i] == 0) continue;
            for (var j = 0; j <= factorDegree; j++) product[i + j] ^= (byte)((factorMask >> j) & 1);
        }
        return product;
    }

    /// <summary>
    /// Systematic encoding: c(x) = x^(n-k) u(x) + (x^(n-k) u(x) mod g(x)). Info bit i lands on
    /// position n - k + i; positions 0..n-k-1 hold the parity (the remainder).
    /// </summary>
    public void Encode(ReadOnlySpan<byte> info, Span<byte> codeword)
    {
        if (info.Length != K) throw new ArgumentException($"need {K} info bits, got {info.Length}", nameof(info));
        if (codeword.Length != N) throw new ArgumentException($"need {N} codeword bits, got {codeword.Length}", nameof(codeword));
        var parityLength = N - K;
        codeword.Clear();
        info.CopyTo(codeword[parityLength..]);
        // Long division of x^(n-k) u(x) by the monic g(x), highest degree first; the remainder is left in codeword[0..n-k).
        Span<byte> remainder = codeword.Length <= 1024 ? stackalloc byte[codeword.Length] : new byte[codeword.Length];
        codeword.CopyTo(remainder);
        for (var degree = N - 1; degree >= parityLength; degree--)
        {
            if ((remainder[degree] & 1) == 0) continue;
            var shift = degree - parityLength;
            for (var j = 0; j <= parityLength; j++) remainder[shift + j] ^= _generator[j];
        }
        remainder[..parityLength].CopyTo(codeword);
    }

    /// <summary>
    /// A full-rank (n - k) x n parity-check matrix in natural order, from h(x) = (x^n - 1) / g(x):
    /// row r checks coefficient x^(k+r) of c(x) h(x), i.e. has ones at columns k + r - j for h_j = 1.
    /// </summary>
    public ParityCheckMatrix CreateParityCheckMatrix()
    {
        var h = CheckPolynomial();
        var rows = new List<IEnumerable<int>>(N - K);
        for (var r = 0; r < N - K; r++)
        {
            var support = new List<int>();
            for (var j = 0; j <= K; j++)
                if (h[j] != 0) support.Add(K + r - j);
            rows.Add(support);
        }
        return ParityCheckMatrix.FromRowSupports(N - K, N, rows);
    }

    /// <summary>h(x) = (x^n - 1) / g(x), coefficients ascending (length k + 1).</summary>
    private byte[] CheckPolynomial()
    {
        var dividend = new byte[N + 1];
        dividend[0] = 1;
        dividend[N] = 1;
        var quotient = new byte[K + 1];
        var parityLength = N - K;
        for (var degree = N; degree >= parityLength; degree--)
        {
            if (dividend[degree] == 0) continue;
            var shift = degree - parityLength;
            quotient[shift] = 1;
            for (var j = 0; j <= parityLength; j++) dividend[shift + j] ^= _generator[j];
        }
        return quotient;
    }

    /// <summary>
    /// Proves that a loaded code is a narrow-sense primitive BCH code in natural order and returns
    /// its algebra; throws <see cref="ArgumentException"/> otherwise. See <see cref="TryIdentify"/>.
    /// </summary>
    public static BchCode Identify(IBlockCode code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return TryIdentify(code.H, code.K, out var bch, out var reason)
            ? bch
            : throw new ArgumentException($"{code.Name} is not a narrow-sense BCH code in natural order: {reason}", nameof(code));
    }

    /// <summary>
    /// Finds m from n = H.Columns = 2^m - 1 and t from n - deg g = k (standard primitive polynomial),
    /// then proves the code of H is that BCH code: every shift x^i g(x), i &lt; k, satisfies H c = 0
    /// (BCH ⊆ code of H) and n - rank(H) = k (equal dimensions).
    /// </summary>
    public static bool TryIdentify(ParityCheckMatrix h, int k, [NotNullWhen(true)] out BchCode? code, out string reason)
    {
        ArgumentNullException.ThrowIfNull(h);
        code = null;
        var n = h.Columns;
        if (!BitOperations.IsPow2(n + 1) || n + 1 < 1 << 3)
        {
            reason = $"length {n} is not 2^m - 1 with m >= 3";
            return false;
        }
        var m = BitOperations.Log2((uint)n + 1);
        if (m > GaloisField.MaxDegree)
        {
            reason = $"length {n} needs m = {m} > {GaloisField.MaxDegree}";
            return false;
        }

        var field = GaloisField.Create(m);
        BchCode? candidate = null;
        for (var t = 1; 2 * t - 1 < n; t++)
        {
            var trial = Create(m, t, field);
            if (trial.K < k) break;
            if (trial.K == k) candidate = trial; // keep the largest t with this dimension (its designed distance is the best bound)
        }
        if (candidate is null)
        {
            reason = $"no BCH code of length {n} has dimension {k}";
            return false;
        }

        var dense = h.ToBitMatrix();
        var rank = Gf2.Rank(dense);
        if (n - rank != k)
        {
            reason = $"H has rank {rank}, so its code has dimension {n - rank}, not {k}";
            return false;
        }
        var shifted = new ulong[dense.WordsPerRow];
        for (var shift = 0; shift < k; shift++)
        {
            Array.Clear(shifted);
            for (var j = 0; j < candidate._generator.Length; j++)
                if (candidate._generator[j] != 0) shifted[(shift + j) >> 6] |= 1UL << ((shift + j) & 63);
            for (var r = 0; r < dense.Rows; r++)
            {
                var row = dense.Row(r);
                var parity = 0;
                for (var w = 0; w < row.Length; w++) parity ^= BitOperations.PopCount(row[w] & shifted[w]);
                if ((parity & 1) != 0)
                {
                    reason = $"x^{shift} g(x) of BCH({n},{k}), t = {candidate.T}, violates row {r} of H";
                    return false;
                }
            }
        }
        code = candidate;
        reason = "";
        return true;
    }

    public override string ToString() => $"BCH({N},{K}), t = {T}, {Field}";
}
