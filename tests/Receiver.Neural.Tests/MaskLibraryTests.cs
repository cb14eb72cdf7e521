using System.Globalization;
using System.Text.Json.Nodes;
using Receiver.Codes;
using Receiver.Neural;

namespace Receiver.Neural.Tests;

/// <summary>
/// The SAP mask library and the SAP fields of a model manifest, on the fixture folder Fixtures/sap/fecct-sap-fixture
/// (signatures of its three entries computed with numpy; its backbone and adapter files are placeholders).
/// </summary>
public sealed class MaskLibraryTests
{
    public static string SapFixtureModels { get; } = Path.Combine(TestModels.ProjectFolder, "Fixtures", "sap");
    public static string SapFixtureFolder { get; } = Path.Combine(SapFixtureModels, "fecct-sap-fixture");
    private static string LibraryPath => Path.Combine(SapFixtureFolder, MaskLibrary.FileName);

    [Fact]
    public void LibraryIsRead()
    {
        var library = MaskLibrary.Load(LibraryPath);
        Assert.Equal((2, 4, 8), (library.Layers, library.Heads, library.Ffn));
        Assert.Equal((20, 0.1, 0.5), (library.Signature.K, library.Signature.Beta, library.Signature.Tau));
        Assert.Equal(0.4, library.FlopsReduction);
        Assert.Equal(["BCH_N63_K51", "LDPC_N49_K24", "POLAR_N64_K32"], library.Entries.Select(e => e.Code));
        var bch = library.Find("bch_n63_k51")!;
        Assert.Equal((63, 12, "reference"), (bch.N, bch.M, bch.Source));
        Assert.Equal([3, 3], bch.KeptHeads);
        Assert.Equal([5, 5], bch.KeptFfn);
        Assert.Equal(LibraryPath, library.Path);
    }

    [Fact]
    public void StoredSignaturesMatchTheCSharpSignatureOfTheirCodes()
    {
        var library = MaskLibrary.Load(LibraryPath);
        foreach (var entry in library.Entries)
        {
            var signature = SpectralSignature.Compute(TestModels.LoadCode(entry.Code).H, library.Signature.K);
            Assert.True(SpectralSignature.Distance(signature, entry.Signature.ToArray()) < 1e-9, entry.Code);
        }
    }

    [Fact]
    public void NearestOfALibraryCodeIsItselfWithKappaOne()
    {
        var library = MaskLibrary.Load(LibraryPath);
        var signature = SpectralSignature.Compute(TestModels.LoadCode("LDPC_N49_K24").H);
        var nearest = library.Nearest(signature)!.Value;
        Assert.Equal("LDPC_N49_K24", nearest.Entry.Code);
        Assert.True(nearest.Distance < 1e-9);
        Assert.Equal(1, nearest.Kappa, 9);
        Assert.True(library.Decide(signature).Reuse);
    }

    [Fact]
    public void RankingOrdersEveryEntryByDistanceWithKappaExpMinusBetaD()
    {
        var library = MaskLibrary.Load(LibraryPath);
        var signature = SpectralSignature.Compute(TestModels.LoadCode("BCH_N63_K45").H);
        var ranking = library.Rank(signature);
        Assert.Equal(3, ranking.Count);
        Assert.Equal("BCH_N63_K51", ranking[0].Entry.Code);
        for (var i = 0; i < ranking.Count; i++)
        {
            Assert.Equal(SpectralSignature.Distance(signature, ranking[i].Entry.Signature.ToArray()), ranking[i].Distance, 12);
            Assert.Equal(Math.Exp(-0.1 * ranking[i].Distance), ranking[i].Kappa, 12);
            if (i > 0) Assert.True(ranking[i].Distance >= ranking[i - 1].Distance);
        }
        Assert.Equal(ranking[0], library.Nearest(signature));
    }

    [Fact]
    public void DecisionReusesAtOrAboveTauAndDerivesBelow()
    {
        var library = MaskLibrary.Load(LibraryPath);
        var signature = SpectralSignature.Compute(TestModels.LoadCode("BCH_N63_K45").H);
        var kappa = library.Nearest(signature)!.Value.Kappa;
        Assert.True(kappa is > 0 and < 1);

        var reuse = library.Decide(signature, kappa);
        Assert.True(reuse.Reuse);
        var kappaText = kappa.ToString("0.000", CultureInfo.InvariantCulture);
        Assert.Equal($"reuse mask of BCH_N63_K51 (kappa {kappaText} >= tau {kappa.ToString("0.###", CultureInfo.InvariantCulture)})", reuse.Describe());

        var derive = library.Decide(signature, Math.Min(1, kappa + 1e-6));
        Assert.False(derive.Reuse);
        Assert.StartsWith($"derive a new mask: nearest BCH_N63_K51 has kappa {kappaText} < tau ", derive.Describe());

        Assert.Equal(0.5, library.Decide(signature).Tau);
        Assert.Throws<ModelException>(() => library.Decide(signature, 1.5));
    }

    [Fact]
    public void EmptyLibraryAlwaysDerives()
    {
        var path = WriteEdited(root => root["entries"] = new JsonArray());
        var library = MaskLibrary.Load(path);
        var decision = library.Decide(new double[20]);
        Assert.Null(decision.Nearest);
        Assert.False(decision.Reuse);
        Assert.Equal("derive a new mask: the library has no entries (tau 0.5)", decision.Describe());
    }

    [Fact]
    public void JaccardCountsKeptUnitsOfAllLayers()
    {
        var library = MaskLibrary.Load(LibraryPath);
        var bch = library.Find("BCH_N63_K51")!;
        var ldpc = library.Find("LDPC_N49_K24")!;
        // Heads: 2 of 4 kept in both per layer; FFN: 3 of 7 per layer; so 10 / 22.
        Assert.Equal(10.0 / 22, MaskLibrary.Jaccard(bch, ldpc), 12);
        Assert.Equal(1, MaskLibrary.Jaccard(bch, bch));
        Assert.Equal(MaskLibrary.Jaccard(bch, ldpc), MaskLibrary.Jaccard(ldpc, bch));
    }

    [Fact]
    public void ASignatureOfAnotherLengthIsRefused()
    {
        var library = MaskLibrary.Load(LibraryPath);
        var e = Assert.Throws<ModelException>(() => library.Nearest(new double[10]));
        Assert.Equal("signature has 10 values, the library's entries have k = 20", e.Message);
    }

    [Theory]
    [InlineData("format", "format is 'receiver-sap-masks/0', this receiver reads 'receiver-sap-masks/1'")]
    [InlineData("signature-length", "entry BCH_N63_K51: signature has 19 values, k is 20")]
    [InlineData("mask-value", "entry LDPC_N49_K24: ffn mask of layer 1 holds a value other than 0 or 1")]
    [InlineData("mask-layers", "entry POLAR_N64_K32: heads mask has 1 layers, the backbone has 2")]
    [InlineData("mask-units", "entry BCH_N63_K51: heads mask of layer 0 has 3 units, the backbone has 4")]
    [InlineData("duplicate", "code BCH_N63_K51 has two entries")]
    [InlineData("json", "")]
    public void BadLibrariesThrowOneLineNamingTheFile(string breakage, string expected)
    {
        var path = breakage == "json"
            ? WriteText("{ \"format\": ")
            : WriteEdited(root =>
            {
                var entries = root["entries"]!.AsArray();
                switch (breakage)
                {
                    case "format": root["format"] = "receiver-sap-masks/0"; break;
                    case "signature-length": entries[0]!["signature"]!.AsArray().RemoveAt(19); break;
                    case "mask-value": entries[1]!["ffn"]![1]![2] = 2; break;
                    case "mask-layers": entries[2]!["heads"]!.AsArray().RemoveAt(1); break;
                    case "mask-units": entries[0]!["heads"]![0]!.AsArray().RemoveAt(3); break;
                    case "duplicate": entries.Add(entries[0]!.DeepClone()); break;
                }
            });
        var e = Assert.Throws<ModelException>(() => MaskLibrary.Load(path));
        Assert.StartsWith($"bad mask library {path}: ", e.Message);
        Assert.EndsWith(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MissingLibraryIsAModelException()
    {
        var e = Assert.Throws<ModelException>(() => MaskLibrary.Load("/no/such/masks.json"));
        Assert.Equal("mask library not found: /no/such/masks.json", e.Message);
    }

    [Fact]
    public void SapManifestFieldsAreRead()
    {
        var manifest = ModelManifest.Load(Path.Combine(SapFixtureFolder, ModelManifest.FileName));
        Assert.Equal("fecct-multi", manifest.Teacher);
        Assert.Equal("masks.json", manifest.Library);
        var backbone = Assert.Single(manifest.Backbones);
        Assert.Equal(("BCH_N63_K51", "backbones/BCH_N63_K51.safetensors", 17123L), (backbone.Mask, backbone.Weights, backbone.Parameters!.Value));
        Assert.Equal([3, 3], backbone.Heads);
        Assert.Equal([5, 5], backbone.Ffn);
        Assert.Same(backbone, manifest.FindBackbone("bch_n63_k51"));
        var entry = manifest.RequireCode("BCH_N63_K45");
        Assert.Equal(("BCH_N63_K51", 0.83, "adapters/BCH_N63_K45.safetensors", 4096L, true),
            (entry.Mask, entry.Kappa!.Value, entry.Adapter, entry.AdapterParameters!.Value, entry.Merged!.Value));
        Assert.Equal(["BCH_N63_K51", "LDPC_N49_K24", "POLAR_N64_K32"], manifest.LoadLibrary().Entries.Select(e => e.Code));
    }

    [Fact]
    public void AManifestWithoutSapFieldsStillLoadsWithNoneOfThem()
    {
        var manifest = TestModels.Fixture();
        Assert.Null(manifest.Teacher);
        Assert.Null(manifest.Library);
        Assert.Empty(manifest.Backbones);
        var entry = manifest.RequireCode(TestModels.FixtureCode);
        Assert.Null(entry.Mask);
        Assert.Null(entry.Adapter);
        Assert.Null(entry.Merged);
        var e = Assert.Throws<ModelException>(() => manifest.LoadLibrary());
        Assert.StartsWith($"model '{TestModels.FixtureName}' has no mask library", e.Message);
    }

    [Fact]
    public void ABackboneWithoutWeightsIsABadManifest()
    {
        var folder = Path.Combine(Path.GetTempPath(), "sap-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(SapFixtureFolder, ModelManifest.FileName)))!;
        manifest["backbones"]![0]!["weights"] = "";
        var path = Path.Combine(folder, ModelManifest.FileName);
        File.WriteAllText(path, manifest.ToJsonString());
        var e = Assert.Throws<ModelException>(() => ModelManifest.Load(path));
        Assert.Equal($"bad model manifest {path}: backbone BCH_N63_K51 has no weights file", e.Message);
    }

    private static string WriteEdited(Action<JsonNode> edit)
    {
        var root = JsonNode.Parse(File.ReadAllText(LibraryPath))!;
        edit(root);
        return WriteText(root.ToJsonString());
    }

    private static string WriteText(string text)
    {
        var folder = Path.Combine(Path.GetTempPath(), "sap-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, MaskLibrary.FileName);
        File.WriteAllText(path, text);
        return path;
    }
}
