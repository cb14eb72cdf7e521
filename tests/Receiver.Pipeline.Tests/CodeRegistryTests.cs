using Receiver.Codes;

namespace Receiver.Pipeline.Tests;

public class CodeRegistryTests
{
    [Fact]
    public void CodesAreFoundByIndexNameSpecAndAlias()
    {
        var registry = new CodeRegistry([new CodeEntry("nr:224,256", ["nr-short"]), new CodeEntry("LDPC_N121_K70", ["ldpc121"])], TestCodes.Directory);
        Assert.Equal(2, registry.Count);
        Assert.Equal("nr:224,256", registry.NameOf(0));
        Assert.Equal(256, registry.FrameLength(0));
        Assert.Equal("LDPC_N121_K70", registry.NameOf(1));
        Assert.Equal(121, registry.FrameLength(1));
        Assert.True(registry.TryGetIndex("NR-SHORT", out var alias));
        Assert.Equal(0, alias);
        Assert.True(registry.TryGetIndex("ldpc_n121_k70", out var byName));
        Assert.Equal(1, byName);
        Assert.Equal(1, registry.IndexOf("ldpc121"));
        Assert.False(registry.TryGetIndex("nr:100,200", out _));
        Assert.Contains("nr-short", Assert.Throws<ArgumentException>(() => registry.IndexOf("nope")).Message);
    }

    [Fact]
    public void BadConfigurationsFailWithClearMessages()
    {
        Assert.Contains("used by both", Assert.Throws<ArgumentException>(() =>
            new CodeRegistry([new CodeEntry("nr:224,256", ["x"]), new CodeEntry("LDPC_N121_K70", ["x"])], TestCodes.Directory)).Message);
        Assert.Throws<ArgumentException>(() => new CodeRegistry([new CodeEntry("nr:224,256"), new CodeEntry("nr:224,256")], TestCodes.Directory));
        Assert.Throws<CodeFormatException>(() => new CodeRegistry([new CodeEntry("LDPC_N1_K1")], TestCodes.Directory));
        Assert.Throws<ArgumentException>(() => new CodeRegistry(Array.Empty<CodeEntry>(), TestCodes.Directory));
    }
}
