using Receiver.Codes.Bch;

namespace Receiver.Codes.Tests;

public class BchGaloisFieldTests
{
    [Theory]
    [InlineData(3)] [InlineData(4)] [InlineData(5)] [InlineData(6)] [InlineData(7)]
    [InlineData(8)] [InlineData(9)] [InlineData(10)] [InlineData(11)] [InlineData(12)] [InlineData(16)]
    public void DefaultPolynomialIsPrimitiveAndTablesInvert(int m)
    {
        var field = GaloisField.Create(m);
        Assert.Equal((1 << m) - 1, field.Order);
        var seen = new HashSet<int>();
        for (var i = 0; i < field.Order; i++)
        {
            var element = field.Exp(i);
            Assert.True(seen.Add(element), $"alpha^{i} repeats");
            Assert.Equal(i, field.Log(element));
        }
        Assert.DoesNotContain(0, seen);
    }

    [Fact]
    public void DefaultsMatchTheBchFiles()
    {
        Assert.Equal(0b100101, GaloisField.DefaultPrimitivePolynomial(5));  // x^5 + x^2 + 1
        Assert.Equal(0b1000011, GaloisField.DefaultPrimitivePolynomial(6)); // x^6 + x + 1
    }

    [Fact]
    public void NonPrimitivePolynomialIsRejected()
    {
        // x^4 + x^3 + x^2 + x + 1 is irreducible but alpha has order 5, not 15.
        Assert.Throws<ArgumentException>(() => new GaloisField(4, 0b11111));
        // x^4 + 1 = (x + 1)^4 is reducible.
        Assert.Throws<ArgumentException>(() => new GaloisField(4, 0b10001));
    }

    [Fact]
    public void MultiplicationAgreesWithCarrylessProductModuloThePolynomial()
    {
        var field = GaloisField.Create(6);
        for (var a = 0; a < field.Size; a++)
            for (var b = 0; b < field.Size; b++)
            {
                var product = 0;
                for (var bit = 0; bit < 6; bit++)
                    if (((b >> bit) & 1) != 0) product ^= a << bit;
                for (var bit = 11; bit >= 6; bit--)
                    if (((product >> bit) & 1) != 0) product ^= field.PrimitivePolynomial << (bit - 6);
                Assert.Equal(product, field.Multiply(a, b));
                if (b != 0) Assert.Equal(a, field.Multiply(field.Divide(a, b), b));
            }
        Assert.Equal(1, field.Multiply(37, field.Inverse(37)));
        Assert.Equal(field.Multiply(field.Multiply(5, 5), 5), field.Power(5, 3));
        Assert.Equal(field.Inverse(5), field.Power(5, -1));
    }

    [Fact]
    public void MinimalPolynomialsVanishOnTheirCosetAndHaveTheCosetDegree()
    {
        var field = GaloisField.Create(6);
        Assert.Equal(field.PrimitivePolynomial, field.MinimalPolynomial(1));
        Assert.Equal(0b111, field.MinimalPolynomial(21));  // alpha^21 has order 3: x^2 + x + 1
        for (var e = 1; e < field.Order; e++)
        {
            var polynomial = field.MinimalPolynomial(e);
            var coset = field.CyclotomicCoset(e);
            Assert.Equal(coset.Length, 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)polynomial));
            foreach (var conjugate in coset)
            {
                var root = field.Exp(conjugate);
                var value = 0;
                for (var j = 0; j <= 6; j++)
                    if (((polynomial >> j) & 1) != 0) value ^= field.Power(root, j);
                Assert.Equal(0, value);
            }
        }
    }
}
