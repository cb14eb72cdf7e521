using Receiver.Codes;
using Receiver.Neural;

namespace Receiver.Neural.Tests;

public class ErasedBitSolverTests
{
    [Theory]
    [InlineData(224, 256)]
    [InlineData(40, 80)]
    [InlineData(500, 1000)]
    public void ErasedColumnsOfNrCodewordsAreRecoveredFromTheOtherBits(int k, int n)
    {
        var code = CodeLibrary.Load($"nr:{k},{n}");
        var solver = ErasedBitSolver.Create(code);
        Assert.NotNull(solver);
        Assert.Contains(0, solver.Erased); // the punctured systematic columns
        var random = new Random(5);
        var info = new byte[code.K];
        var codeword = new byte[code.H.Columns];
        var syndrome = new byte[code.H.Rows];
        for (var frame = 0; frame < 20; frame++)
        {
            for (var i = 0; i < info.Length; i++) info[i] = (byte)random.Next(2);
            ((Receiver.Codes.Nr5g.Nr5gLdpcCode)code).EncodeGraph(info, codeword);
            var bits = (byte[])codeword.Clone();
            foreach (var column in solver.Erased) bits[column] = (byte)random.Next(2);
            solver.Fill(bits, syndrome);
            Assert.Equal(codeword, bits);
        }
    }

    [Fact]
    public void CodesWithoutErasedColumnsNeedNoSolver() =>
        Assert.Null(ErasedBitSolver.Create(new LinearBlockCode(ParityCheckMatrix.FromRowSupports(2, 3, [[0, 1], [1, 2]]), "tiny")));
}
