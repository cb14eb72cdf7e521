using System.Text.Json;
using Receiver.Cli;
using static Receiver.Cli.Tests.CliTestSupport;

namespace Receiver.Cli.Tests;

/// <summary><c>eval --decoder ecct --model</c>, <c>models list</c> and <c>train</c> on the fixture model of Receiver.Neural.Tests.</summary>
public class NeuralCommandTests
{
    private static readonly string FixtureModels = Path.Combine(NeuralFixtures, "models");
    private static readonly string FixtureModel = Path.Combine(FixtureModels, "ecct-fixture-ldpc49");

    [Fact]
    public async Task EvalRunsANeuralDecoderFromAModelFolder()
    {
        var (exitCode, stdout, stderr) = await Run("eval", "--code", "LDPC_N49_K24", "--decoder", "ecct", "--model", FixtureModel,
            "--ebn0", "6", "--min-frame-errors", "0", "--max-frames", "64", "--threads", "1", "--json");
        Assert.True(exitCode == Cli.ExitSuccess, stderr);
        using var point = JsonDocument.Parse(stdout.Trim());
        Assert.Equal("ecct", point.RootElement.GetProperty("decoder").GetString());
        Assert.Equal(FixtureModel, point.RootElement.GetProperty("model").GetString());
        Assert.Equal(64, point.RootElement.GetProperty("frames").GetInt64());
    }

    [Theory]
    [InlineData("ecct", null, "error: decoder ecct needs a model: pass --model")]
    [InlineData("eccfm", "FIXTURE", "error: decoder eccfm: model 'ecct-fixture-ldpc49' is an ecct model, not eccfm: use --decoder ecct with it")]
    [InlineData("ecct", "no-such-model", "error: decoder ecct: unknown model 'no-such-model'")]
    public async Task EvalExplainsAModelThatCannotBeUsed(string decoder, string? model, string expected)
    {
        string[] args = ["eval", "--code", "LDPC_N49_K24", "--decoder", decoder, "--max-frames", "10"];
        if (model is not null) args = [.. args, "--model", model == "FIXTURE" ? FixtureModel : model];
        var (exitCode, _, stderr) = await Run(args);
        Assert.Equal(Cli.ExitUsage, exitCode);
        Assert.StartsWith(expected, stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task ACommaListOfModelsGivesEachNeuralDecoderOneOfItsArchitecture()
    {
        var (exitCode, _, stderr) = await Run("eval", "--code", "LDPC_N49_K24", "--decoder", "ecct,eccfm", "--model", $"{FixtureModel},{FixtureModel}", "--max-frames", "10");
        Assert.Equal(Cli.ExitUsage, exitCode);
        Assert.StartsWith($"error: --model {FixtureModel},{FixtureModel}: none of these is an eccfm model ({FixtureModel}: ecct, ", stderr);
        Assert.Null(EvalCommand.ModelFor("bp", FixtureModel));
        Assert.Equal(FixtureModel, EvalCommand.ModelFor("ecct", $"{FixtureModel}, {FixtureModel}"));
    }

    [Fact]
    public async Task ModelsListPrintsOneJsonObjectPerModel()
    {
        var previous = Environment.GetEnvironmentVariable("RECEIVER_MODELS_DIR");
        Environment.SetEnvironmentVariable("RECEIVER_MODELS_DIR", FixtureModels);
        try
        {
            var (exitCode, stdout, stderr) = await Run("models", "list", "--json");
            Assert.True(exitCode == Cli.ExitSuccess, stderr);
            var fixture = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => JsonDocument.Parse(line).RootElement)
                .Single(model => model.GetProperty("name").GetString() == "ecct-fixture-ldpc49");
            Assert.Equal("ecct", fixture.GetProperty("architecture").GetString());
            Assert.Equal("LDPC_N49_K24", fixture.GetProperty("code").GetString());
            Assert.Equal(FixtureModel, fixture.GetProperty("path").GetString());
            Assert.True(fixture.GetProperty("parameters").GetInt64() > 0);
            Assert.True(fixture.GetProperty("flops_per_frame").GetDouble() > 0);
        }
        finally
        {
            Environment.SetEnvironmentVariable("RECEIVER_MODELS_DIR", previous);
        }
    }

    [Fact]
    public void TrainFindsTheRepositoryAboveItsStart()
    {
        var repository = Path.GetFullPath(Path.Combine(TestFolder(), "..", ".."));
        Assert.Equal(repository, TrainCommand.FindRepository(TestFolder()));
        Assert.Null(TrainCommand.FindRepository(Path.GetTempPath()));
    }

}
