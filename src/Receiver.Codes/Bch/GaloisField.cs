namespace Receiver.Codes.Bch;

/// <summary>
/// The finite field GF(2^m), 2 &lt;= m &lt;= 16. Elements are integers 0..2^m - 1 whose bit j is the
/// coefficient of alpha^j in the polynomial basis; alpha is a root of the primitive polynomial.
/// Multiplication goes through log/antilog tables.
/// </summary>
public sealed class GaloisField
{
    // Standard primitive polynomials (Lin & Costello, table 2.7), bit j = coefficient of x^j; index m.
    private static readonly int[] DefaultPolynomials =
    [
        0, 0,
        0b111,                 // x^2 + x + 1
        0b1011,                // x^3 + x + 1
        0b10011,               // x^4 + x + 1
        0b100101,              // x^5 + x^2 + 1
        0b1000011,             // x^6 + x + 1
        0b10001001,            // x^7 + x^3 + 1
        0b100011101,           // x^8 + x^4 + x^3 + x^2 + 1
        0b1000010001,          // x^9 + x^4 + 1
        0b10000001001,         // x^10 + x^3 + 1
        0b100000000101,        // x^11 + x^2 + 1
        0b1000001010011,       // x^12 + x^6 + x^4 + x + 1
        0b10000000011011,      // x^13 + x^4 + x^3 + x + 1
        0b100010001000011,     // x^14 + x^10 + x^6 + x + 1
        0b1000000000000011,    // x^15 + x + 1
        0b10001000000001011,   // x^16 + x^12 + x^3 + x + 1
    ];

    public const int MinDegree = 2;
    public const int MaxDegree = 16;

    private readonly ushort[] _exp; // alpha^i for i in [0, 2 * Order): a sum of two logs needs no reduction
    private readonly ushort[] _log; // log_alpha(a) for a in [1, Size); _log[0] is unused

    /// <summary>Extension degree m.</summary>
    public int M { get; }

    /// <summary>Number of elements, 2^m.</summary>
    public int Size { get; }

    /// <summary>Multiplicative order of alpha, 2^m - 1 (the length of a primitive BCH code).</summary>
    public int Order { get; }

    /// <summary>The primitive polynomial defining alpha, bit j = coefficient of x^j (degree m).</summary>
    public int PrimitivePolynomial { get; }

    /// <summary>Builds GF(2^m) from <paramref name="primitivePolynomial"/>; throws when it is not primitive of degree m.</summary>
    public GaloisField(int m, int primitivePolynomial)
    {
        if (m is < MinDegree or > MaxDegree)
            throw new ArgumentOutOfRangeException(nameof(m), m, $"GF(2^m) is supported for m in {MinDegree}..{MaxDegree}");
        if (primitivePolynomial >> m != 1)
            throw new ArgumentException($"polynomial 0x{primitivePolynomial:X} does not have degree {m}", nameof(primitivePolynomial));
        M = m;
        Size = 1 << m;
        Order = Size - 1;
        PrimitivePolynomial = primitivePolynomial;
        _exp = new ushort[2 * Order];
        _log = new ushort[Size];

        var element = 1;
        for (var i = 0; i < Order; i++)
        {
            // A repeat before Order steps (or reaching 0) means x does not generate the field.
            if (element == 0 || (i > 0 && element == 1))
                throw new ArgumentException($"polynomial 0x{primitivePolynomial:X} is not primitive for GF(2^{m})", nameof(primitivePolynomial));
            _exp[i] = (ushort)element;
            _log[element] = (ushort)i;
            element <<= 1;
            if ((element & Size) != 0) element ^= primitivePolynomial;
        }
        if (element != 1)
            throw new ArgumentException($"polynomial 0x{primitivePolynomial:X} is not primitive for GF(2^{m})", nameof(primitivePolynomial));
        for (var i = Order; i < 2 * Order; i++) _exp[i] = _exp[i - Order];
    }

    /// <summary>GF(2^m) with the standard primitive polynomial (x^5 + x^2 + 1 for m = 5, x^6 + x + 1 for m = 6, ...).</summary>
    public static GaloisField Create(int m) => new(m, DefaultPrimitivePolynomial(m));

    /// <summary>The standard primitive polynomial of degree m (bit j = coefficient of x^j).</summary>
    public static int DefaultPrimitivePolynomial(int m) =>
        m is >= MinDegree and <= MaxDegree
            ? DefaultPolynomials[m]
            : throw new ArgumentOutOfRangeException(nameof(m), m, $"GF(2^m) is supported for m in {MinDegree}..{MaxDegree}");

    /// <summary>alpha^i for i in [0, 2 * Order), so that Exp[Log a + Log b] needs no modulo.</summary>
    public ReadOnlySpan<ushort> ExpTable => _exp;

    /// <summary>log_alpha(a) for nonzero a; entry 0 is meaningless.</summary>
    public ReadOnlySpan<ushort> LogTable => _log;

    /// <summary>alpha^power for any integer power.</summary>
    public int Exp(long power)
    {
        var reduced = (int)(power % Order);
        return _exp[reduced < 0 ? reduced + Order : reduced];
    }

    /// <summary>log_alpha(a), in [0, Order).</summary>
    public int Log(int element)
    {
        CheckNonZero(element);
        return _log[element];
    }

    public int Multiply(int a, int b)
    {
        CheckElement(a);
        CheckElement(b);
        return a == 0 || b == 0 ? 0 : _exp[_log[a] + _log[b]];
    }

    public int Divide(int a, int b)
    {
        CheckElement(a);
        CheckNonZero(b);
        return a == 0 ? 0 : _exp[_log[a] + Order - _log[b]];
    }

    public int Inverse(int a)
    {
        CheckNonZero(a);
        return _exp[Order - _log[a]];
    }

    /// <summary>a^e for any integer e (0^e = 0 for e != 0, a^0 = 1).</summary>
    public int Power(int a, long e)
    {
        CheckElement(a);
        if (e == 0) return 1;
        if (a == 0) return e > 0 ? 0 : throw new DivideByZeroException("0 has no negative powers");
        return Exp(_log[a] * (e % Order));
    }

    /// <summary>
    /// The cyclotomic coset of <paramref name="exponent"/> modulo Order: { e, 2e, 4e, ... } mod (2^m - 1),
    /// the exponents of the conjugates of alpha^e, ascending.
    /// </summary>
    public int[] CyclotomicCoset(int exponent)
    {
        var first = ((exponent % Order) + Order) % Order;
        var coset = new List<int> { first };
        for (var e = 2 * first % Order; e != first; e = 2 * e % Order) coset.Add(e);
        coset.Sort();
        return [.. coset];
    }

    /// <summary>
    /// Minimal polynomial over GF(2) of alpha^exponent: the product of (x + alpha^e) over its
    /// cyclotomic coset. Returned as a bit mask, bit j = coefficient of x^j (degree &lt;= m).
    /// </summary>
    public int MinimalPolynomial(int exponent)
    {
        // Coefficients live in GF(2^m) while multiplying; the product's coefficients come out in {0, 1}.
        Span<int> product = stackalloc int[M + 2];
        product.Clear();
        product[0] = 1;
        var degree = 0;
        foreach (var e in CyclotomicCoset(exponent))
        {
            var root = _exp[e];
            degree++;
            for (var j = degree; j >= 1; j--)
                product[j] = product[j - 1] ^ MultiplyUnchecked(product[j], root);
            product[0] = MultiplyUnchecked(product[0], root);
        }
        var mask = 0;
        for (var j = 0; j <= degree; j++)
        {
            if (product[j] > 1) throw new InvalidOperationException("minimal polynomial has a coefficient outside GF(2)");
            mask |= product[j] << j;
        }
        return mask;
    }

    private int MultiplyUnchecked(int a, int b) => a == 0 || b == 0 ? 0 : _exp[_log[a] + _log[b]];

    private void CheckElement(int a)
    {
        if ((uint)a >= (uint)Size) throw new ArgumentOutOfRangeException(nameof(a), a, $"not an element of GF(2^{M})");
    }

    private void CheckNonZero(int a)
    {
        CheckElement(a);
        if (a == 0) throw new DivideByZeroException("0 has no logarithm or inverse");
    }

    public override string ToString() => $"GF(2^{M}) mod 0x{PrimitivePolynomial:X}";
}
