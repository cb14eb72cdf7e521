using System.Security.Cryptography;
using System.Text;
using Receiver.Codes;
using Receiver.Neural;

namespace Receiver.Neural.Tests;

/// <summary>NeuralDecoder.Check for nr: codes, which no file names: the manifest's sha256 is that of the graph's alist text.</summary>
public sealed class NrCodeCheckTests
{
    private static readonly IBlockCode Code = CodeLibrary.Load("nr:40,80");

    private static ModelManifest ManifestWith(string sha256) => new()
    {
        Format = ModelManifest.CurrentFormat,
        Name = "fecct-nr",
        Architecture = "fecct",
        Codes = [new ModelCodeEntry { Code = "nr:40,80", N = Code.H.Columns, M = Code.H.Rows, K = 40, TorchScript = "nr_40_80.pt", Sha256 = sha256 }],
    };

    [Fact]
    public void TheAlistTextShaOfTheGraphIsAccepted()
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(AlistFormat.ToText(Code.H))));
        var entry = NeuralDecoder.Check("fecct", Code, ManifestWith(sha.ToUpperInvariant()));
        Assert.Equal("nr:40,80", entry.Code);
    }

    [Fact]
    public void AnotherShaIsRefusedInOneLine()
    {
        var other = new string('0', 64);
        var e = Assert.Throws<ModelException>(() => NeuralDecoder.Check("fecct", Code, ManifestWith(other)));
        Assert.StartsWith("model 'fecct-nr' was trained on another graph: nr:40,80 as alist text has sha256 ", e.Message);
        Assert.EndsWith($"the manifest's nr:40,80 has {other}", e.Message);
    }
}
