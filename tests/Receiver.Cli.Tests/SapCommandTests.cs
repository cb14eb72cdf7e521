using System.Security.Cryptography;
using System.Text.Json;
using Receiver.Cli;
using Receiver.Codes;
using Receiver.Neural;
using static Receiver.Cli.Tests.CliTestSupport;

namespace Receiver.Cli.Tests;

/// <summary>
/// <c>codes export</c>, <c>models onboard --plan</c> and <c>models list</c> of SAP models, on the fixture SAP model of
/// Receiver.Neural.Tests (Fixtures/sap/fecct-sap-fixture; copied to a temporary folder where onboarding writes files).
/// No test runs python.
/// </summary>
public class SapCommandTests
{
    private static readonly string SapModels = Path.Combine(NeuralFixtures, "sap");
    private static readonly string SapModel = Path.Combine(SapModels, "fecct-sap-fixture");
    private static readonly string EcctModel = Path.Combine(NeuralFixtures, "models", "ecct-fixture-ldpc49");

    [Fact]
    public async Task ExportWritesTheNrGraphWithItsTransmittedAndFillerColumns()
    {
        var folder = TemporaryFolder();
        var (exitCode, stdout, stderr) = await Run("codes", "export", "nr:40,80", "--out", folder);
        Assert.True(exitCode == Cli.ExitSuccess, stderr);
        using var line = JsonDocument.Parse(stdout.Trim());
        var alist = line.RootElement.GetProperty("alist").GetString()!;
        var jsonPath = line.RootElement.GetProperty("json").GetString()!;
        Assert.Equal(Path.Combine(folder, "nr_40_80.alist"), alist);
        Assert.Equal(Path.Combine(folder, "nr_40_80.json"), jsonPath);

        var code = (Receiver.Codes.Nr5g.Nr5gLdpcCode)CodeLibrary.Load("nr:40,80");
        var h = AlistFormat.ReadFile(alist);
        Assert.Equal(AlistFormat.ToText(code.H), AlistFormat.ToText(h));
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(alist)));
        Assert.Equal(sha, line.RootElement.GetProperty("sha256").GetString());

        using var description = JsonDocument.Parse(File.ReadAllText(jsonPath));
        var root = description.RootElement;
        Assert.Equal("nr:40,80", root.GetProperty("code").GetString());
        Assert.Equal((80, 40, code.H.Columns), (root.GetProperty("n").GetInt32(), root.GetProperty("k").GetInt32(), root.GetProperty("graph_columns").GetInt32()));
        Assert.Equal(code.TransmittedColumns.ToArray(), Ints(root.GetProperty("transmitted_columns")));
        Assert.Equal(Enumerable.Range(code.K, code.FillerCount), Ints(root.GetProperty("known_zero_columns")));
        Assert.Equal(sha, root.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task ExportOfAFileCodeTransmitsEveryColumn()
    {
        var folder = TemporaryFolder();
        var (exitCode, _, stderr) = await Run("codes", "export", "LDPC_N49_K24", "--out", folder);
        Assert.True(exitCode == Cli.ExitSuccess, stderr);
        using var description = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "LDPC_N49_K24.json")));
        Assert.Equal(Enumerable.Range(0, 49), Ints(description.RootElement.GetProperty("transmitted_columns")));
        Assert.Empty(Ints(description.RootElement.GetProperty("known_zero_columns")));
        Assert.Equal(49, description.RootElement.GetProperty("graph_columns").GetInt32());
    }

    [Theory]
    [InlineData("nr:224,256", "nr_224_256")]
    [InlineData("BCH_N63_K45", "BCH_N63_K45")]
    [InlineData("wimax_576_0.5", "wimax_576_0.5")]
    public void FileStemsAreFileSafe(string code, string stem) => Assert.Equal(stem, CodesCommand.FileStem(code));

    [Fact]
    public async Task OnboardPlanReportsRetrievalDecisionAndCommandAsJson()
    {
        var model = CopySapModel();
        var (exitCode, stdout, stderr) = await Run("models", "onboard", "--code", "BCH_N63_K36", "--model", model, "--plan", "--json");
        Assert.True(exitCode == Cli.ExitSuccess, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var result = JsonDocument.Parse(Assert.Single(lines));
        var root = result.RootElement;
        Assert.Equal("BCH_N63_K36", root.GetProperty("code").GetString());
        Assert.Equal("fecct-sap-fixture", root.GetProperty("model").GetString());

        var expectedSignature = SpectralSignature.Compute(CodeLibrary.Load("BCH_N63_K36").H);
        Assert.Equal(expectedSignature, root.GetProperty("signature").EnumerateArray().Select(v => v.GetDouble()));

        var library = MaskLibrary.Load(Path.Combine(model, "masks.json"));
        var ranking = library.Rank(expectedSignature);
        var nearest = root.GetProperty("nearest").EnumerateArray().ToArray();
        Assert.Equal(ranking.Select(m => m.Entry.Code), nearest.Select(n => n.GetProperty("code").GetString()));
        Assert.Equal(ranking[0].Kappa, root.GetProperty("kappa").GetDouble(), 12);
        Assert.Equal(0.5, root.GetProperty("tau").GetDouble());
        var reuse = ranking[0].Kappa >= 0.5;
        Assert.Equal(reuse ? "reuse" : "derive", root.GetProperty("decision").GetString());
        Assert.Equal(library.Decide(expectedSignature).Describe(), root.GetProperty("description").GetString());

        var command = root.GetProperty("command").EnumerateArray().Select(a => a.GetString()!).ToArray();
        var codeFile = CodeLibrary.ResolveCodeFile("BCH_N63_K36", CodeLibrary.FindCodesDirectory());
        Assert.Equal(["/usr/bin/python3", "train/sap.py", "onboard", $"--model={model}", $"--code={Path.GetFullPath(codeFile)}", "--tau=0.5", "--minutes=10"], command);
    }

    [Fact]
    public async Task OnboardOfAnNrCodeExportsItsGraphIntoTheModelFolder()
    {
        var model = CopySapModel();
        var (exitCode, stdout, stderr) = await Run("models", "onboard", "--code", "nr:224,256", "--model", model, "--plan", "--json", "--tau", "0.99", "--minutes", "2.5");
        Assert.True(exitCode == Cli.ExitSuccess, stderr);
        using var result = JsonDocument.Parse(stdout.Trim());
        var root = result.RootElement;
        var alist = Path.Combine(model, "codes", "nr_224_256.alist");
        Assert.True(File.Exists(alist));
        Assert.True(File.Exists(Path.Combine(model, "codes", "nr_224_256.json")));
        Assert.Equal(alist, root.GetProperty("exported").GetProperty("alist").GetString());
        Assert.Equal("derive", root.GetProperty("decision").GetString());
        Assert.False(root.TryGetProperty("mask", out _));
        var command = root.GetProperty("command").EnumerateArray().Select(a => a.GetString()!).ToArray();
        Assert.Equal([$"--code={alist}", "--tau=0.99", "--minutes=2.5"], command[4..]);
    }

    [Fact]
    public async Task OnboardPlanAsTextNamesTheNearestEntriesAndTheDecision()
    {
        var model = CopySapModel();
        var (exitCode, stdout, stderr) = await Run("models", "onboard", "--code", "LDPC_N49_K24", "--model", model, "--plan");
        Assert.True(exitCode == Cli.ExitSuccess, stderr);
        Assert.Contains("nearest entries:", stdout);
        Assert.Matches(@"\n  LDPC_N49_K24 +d +0\.000  kappa 1\.000  \(reference\)\n", stdout);
        Assert.Contains("decision: reuse mask of LDPC_N49_K24 (kappa 1.000 >= tau 0.5)", stdout);
        Assert.Contains($"would run (in ", stdout);
        Assert.Contains($"/usr/bin/python3 train/sap.py onboard --model={model} --code=", stdout);
    }

    [Fact]
    public async Task OnboardStopsWhenTheModelAlreadyHasAnAdapterForTheCode()
    {
        var model = CopySapModel();
        var (exitCode, stdout, stderr) = await Run("models", "onboard", "--code", "BCH_N63_K45", "--model", model);
        Assert.True(exitCode == Cli.ExitSuccess, stderr);
        Assert.Contains($"model fecct-sap-fixture already has an adapter for BCH_N63_K45: {Path.Combine(model, "adapters", "BCH_N63_K45.safetensors")}", stdout);
        Assert.DoesNotContain("python3", stdout);

        (exitCode, stdout, stderr) = await Run("models", "onboard", "--code", "BCH_N63_K45", "--model", model, "--json");
        Assert.True(exitCode == Cli.ExitSuccess, stderr);
        using var result = JsonDocument.Parse(stdout.Trim());
        Assert.Equal("present", result.RootElement.GetProperty("decision").GetString());
        Assert.False(result.RootElement.TryGetProperty("command", out _));
    }

    [Fact]
    public async Task OnboardNeedsAModelWithAMaskLibrary()
    {
        var (exitCode, _, stderr) = await Run("models", "onboard", "--code", "LDPC_N49_K24", "--model", EcctModel, "--plan");
        Assert.Equal(Cli.ExitUsage, exitCode);
        Assert.StartsWith("error: model 'ecct-fixture-ldpc49' has no mask library (no \"library\" in ", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ListShowsBackbonesAndAdaptersWithTheirFileSizes()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = ModelsCommand.List(new Terminal(stdout, stderr), asJson: true, new ModelCatalog([SapModels]));
        Assert.True(exitCode == Cli.ExitSuccess, stderr.ToString());
        using var line = JsonDocument.Parse(stdout.ToString().Trim());
        var root = line.RootElement;
        Assert.Equal("fecct-multi", root.GetProperty("teacher").GetString());
        Assert.Equal("masks.json", root.GetProperty("library").GetString());
        var backbone = Assert.Single(root.GetProperty("backbones").EnumerateArray().ToArray());
        Assert.Equal(("BCH_N63_K51", 17123L, 1000L), (backbone.GetProperty("mask").GetString(), backbone.GetProperty("parameters").GetInt64(), backbone.GetProperty("bytes").GetInt64()));
        Assert.Equal([3, 3], Ints(backbone.GetProperty("heads")));
        var adapters = root.GetProperty("adapters").EnumerateArray().ToDictionary(a => a.GetProperty("code").GetString()!);
        var adapter = adapters["BCH_N63_K45"];
        Assert.Equal(("BCH_N63_K51", 0.83, 4096L, 200L, true), (adapter.GetProperty("mask").GetString(), adapter.GetProperty("kappa").GetDouble(),
            adapter.GetProperty("adapter_parameters").GetInt64(), adapter.GetProperty("bytes").GetInt64(), adapter.GetProperty("merged").GetBoolean()));
        Assert.Equal(300, adapters["BCH_N63_K51"].GetProperty("bytes").GetInt64());

        using var text = new StringWriter();
        Assert.Equal(Cli.ExitSuccess, ModelsCommand.List(new Terminal(text, stderr), asJson: false, new ModelCatalog([SapModels])));
        Assert.Contains("fecct-sap-fixture: shared backbones", text.ToString());
        Assert.Contains("fecct-sap-fixture: per-code adapters", text.ToString());
        Assert.Contains("17,123", text.ToString());
    }

    [Fact]
    public void ListOfAModelWithoutBackbonesHasNoSapFields()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        ModelsCommand.List(new Terminal(stdout, stderr), asJson: true, new ModelCatalog([Path.GetDirectoryName(EcctModel)!]));
        using var line = JsonDocument.Parse(stdout.ToString().Trim());
        Assert.False(line.RootElement.TryGetProperty("backbones", out _));
        Assert.False(line.RootElement.TryGetProperty("adapters", out _));
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static string TemporaryFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "sap-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>A copy of the SAP fixture model (onboarding nr: codes writes into the model folder).</summary>
    private static string CopySapModel()
    {
        var folder = Path.Combine(TemporaryFolder(), "fecct-sap-fixture");
        foreach (var file in Directory.EnumerateFiles(SapModel, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(SapModel, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return folder;
    }

}
