using Receiver.Codes;

namespace Receiver.Codes.Tests;

public class CodeLibraryTests
{
    private static string Dir => TestCodes.Directory;

    [Theory]
    [InlineData("LDPC_N49_K24", "LDPC_N49_K24", 49, 24)]
    [InlineData("LDPC_N49_K24.alist", "LDPC_N49_K24", 49, 24)]
    [InlineData("BCH_N31_K16.txt", "BCH_N31_K16", 31, 16)]
    [InlineData("  POLAR_N64_K32 ", "POLAR_N64_K32", 64, 32)]
    [InlineData("crossmpt_variant/POLAR_N128_K64", "POLAR_N128_K64", 128, 64)]
    [InlineData("wimax_576_0.5", "wimax_576_0.5", 576, 288)]
    public void BundledNamesLoad(string spec, string name, int n, int k)
    {
        var code = CodeLibrary.Load(spec, Dir);
        Assert.IsType<LinearBlockCode>(code);
        Assert.Equal(name, code.Name);
        Assert.Equal(n, code.N);
        Assert.Equal(k, code.K);
    }

    [Fact]
    public void FullPathLoads()
    {
        var code = CodeLibrary.Load(TestCodes.PathOf("MACKAY_N96_K48.alist"), codesDirectory: null);
        Assert.Equal((96, 48), (code.N, code.K));
    }

    [Fact]
    public void LoadMatrixReturnsHAndName()
    {
        var (h, name) = CodeLibrary.LoadMatrix(TestCodes.PathOf("LDPC_N121_K60.alist"));
        Assert.Equal("LDPC_N121_K60", name);
        Assert.Equal((66, 121), (h.Rows, h.Columns));
    }

    [Fact]
    public void MissingFileListsTheBundledCodesOnOneLine()
    {
        var e = Assert.Throws<CodeFormatException>(() => CodeLibrary.Load("LDPC_N50_K25", Dir));
        Assert.StartsWith("code file not found: LDPC_N50_K25 (bundled codes: ", e.Message);
        Assert.Contains("LDPC_N49_K24.alist", e.Message);
        Assert.Contains("crossmpt_variant/POLAR_N128_K64.txt", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MissingFileWithoutCodesDirectorySaysHowToSetIt()
    {
        var e = Assert.Throws<CodeFormatException>(() => CodeLibrary.Load("LDPC_N50_K25", codesDirectory: null));
        Assert.Contains(CodeLibrary.CodesDirectoryVariable, e.Message);
    }

    [Fact]
    public void UnknownExtensionIsRejected()
    {
        var e = Assert.Throws<CodeFormatException>(() => CodeLibrary.LoadMatrix(TestCodes.PathOf("SOURCE.md")));
        Assert.Contains("unknown code file type '.md'", e.Message);
    }

    [Fact]
    public void FileWhoseNameDisagreesWithItsMatrixIsRejected()
    {
        var dir = Directory.CreateTempSubdirectory("receiver-codes-");
        try
        {
            File.Copy(TestCodes.PathOf("LDPC_N49_K24.alist"), Path.Combine(dir.FullName, "LDPC_N49_K30.alist"));
            File.Copy(TestCodes.PathOf("LDPC_N49_K24.alist"), Path.Combine(dir.FullName, "LDPC_N49_K60.alist"));
            var wrongK = Assert.Throws<CodeFormatException>(() => CodeLibrary.Load("LDPC_N49_K30", dir.FullName));
            Assert.Contains("dimension n - rank = 24", wrongK.Message);
            var kAboveN = Assert.Throws<CodeFormatException>(() => CodeLibrary.Load("LDPC_N49_K60", dir.FullName));
            Assert.Contains("K = 60 exceeds N = 49", kAboveN.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("nr:abc", "expected nr:K,N")]
    [InlineData("nr:", "expected nr:K,N")]
    [InlineData("nr:224", "expected nr:K,N")]
    [InlineData("nr:1,2,3", "expected nr:K,N")]
    [InlineData("nr:224,x", "expected nr:K,N")]
    [InlineData("nr:0,100", "must be positive")]
    [InlineData("nr:-5,100", "must be positive")]
    [InlineData("nr:300,200", "K = 300 exceeds N = 200")]
    public void BadNrSpecsAreRejected(string spec, string fragment)
    {
        var e = Assert.Throws<CodeFormatException>(() => CodeLibrary.Load(spec, Dir));
        Assert.Contains($"'{spec}'", e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Theory]
    [InlineData("nr:224,256")]
    [InlineData("NR: 100 , 300")]
    public void NrSpecsBuildThe5gCode(string spec)
    {
        var code = CodeLibrary.Load(spec, Dir);
        var parts = spec[3..].Split(',').Select(p => int.Parse(p.Trim())).ToArray();
        Assert.Equal((parts[0], parts[1]), (code.K, code.N));
    }

    [Fact]
    public void NrSpecTheCodeCannotBuildIsACodeFormatError()
    {
        var e = Assert.Throws<CodeFormatException>(() => CodeLibrary.Load("nr:100,100", Dir));
        Assert.IsAssignableFrom<ArgumentException>(e.InnerException);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void EmptySpecIsRejected(string spec)
    {
        Assert.Throws<CodeFormatException>(() => CodeLibrary.Load(spec, Dir));
    }

    [Fact]
    public void BundledCodeNamesAreSortedRelativePathsThatLoad()
    {
        var names = CodeLibrary.BundledCodeNames(Dir);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Contains("LDPC_N49_K24.alist", names);
        Assert.Contains("crossmpt_variant/POLAR_N128_K64.txt", names);
        Assert.DoesNotContain(names, n => n.EndsWith(".md", StringComparison.Ordinal) || n.EndsWith(".csv", StringComparison.Ordinal));
        Assert.Empty(CodeLibrary.BundledCodeNames(codesDirectory: null));
    }

    [Fact]
    public void CodesFolderIsFoundAboveAnyFolderInsideTheRepository()
    {
        Assert.Equal(Path.GetFullPath(Dir), CodeLibrary.FindCodesFolderAbove(Path.Combine(Dir, "nr5g")));
    }

    [Fact]
    public void EnvironmentVariableChoosesTheCodesDirectory()
    {
        // Points the variable at the real folder, so tests elsewhere that rely on discovery see the same codes.
        var previous = Environment.GetEnvironmentVariable(CodeLibrary.CodesDirectoryVariable);
        Environment.SetEnvironmentVariable(CodeLibrary.CodesDirectoryVariable, Dir);
        try
        {
            Assert.Equal(Path.GetFullPath(Dir), CodeLibrary.FindCodesDirectory());
            Assert.Equal(24, CodeLibrary.Load("LDPC_N49_K24").K);
            Assert.Contains("BCH_N31_K16.txt", CodeLibrary.BundledCodeNames());
        }
        finally
        {
            Environment.SetEnvironmentVariable(CodeLibrary.CodesDirectoryVariable, previous);
        }
    }
}
