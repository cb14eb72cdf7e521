using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Receiver.Common.MessagePack;

namespace Receiver.Transport.Tests;

/// <summary>Generic value trees (null, bool, long, ulong, double, float, string, byte[], List, Dictionary) over the codec, and the python3-msgpack runner.</summary>
internal static class MessagePackTestSupport
{
    public static string FixtureDirectory([CallerFilePath] string sourceFile = "") =>
        Path.Combine(Path.GetDirectoryName(sourceFile)!, "Fixtures");

    public static void WriteTree(MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNil(); break;
            case bool b: writer.Write(b); break;
            case long l: writer.Write(l); break;
            case int i: writer.Write(i); break;
            case ulong u: writer.Write(u); break;
            case double d: writer.Write(d); break;
            case float f: writer.Write(f); break;
            case string s: writer.Write(s); break;
            case byte[] bytes: writer.WriteBinary(bytes); break;
            case List<object?> list:
                writer.WriteArrayHeader(list.Count);
                foreach (var item in list) WriteTree(writer, item);
                break;
            case List<KeyValuePair<string, object?>> map:
                writer.WriteMapHeader(map.Count);
                foreach (var (key, item) in map) { writer.Write(key); WriteTree(writer, item); }
                break;
            default: throw new ArgumentException($"no MessagePack mapping for {value.GetType()}");
        }
    }

    /// <summary>Reads one value; integers come back as long (or ulong above long.MaxValue), float32 as float.</summary>
    public static object? ReadTree(ref MessagePackReader reader)
    {
        switch (reader.NextType)
        {
            case MessagePackType.Nil: Assert.True(reader.TryReadNil()); return null;
            case MessagePackType.Boolean: Assert.True(reader.TryReadBoolean(out var b)); return b;
            case MessagePackType.Integer:
                if (reader.TryReadInt64(out var l)) return l;
                Assert.True(reader.TryReadUInt64(out var u));
                return u;
            case MessagePackType.Float:
                Assert.True(reader.TryReadDouble(out var d));
                return d;
            case MessagePackType.String: Assert.True(reader.TryReadString(out var s)); return s;
            case MessagePackType.Binary: Assert.True(reader.TryReadBinary(out var bin)); return bin.ToArray();
            case MessagePackType.Array:
            {
                Assert.True(reader.TryReadArrayHeader(out var count));
                var list = new List<object?>(count);
                for (var i = 0; i < count; i++) list.Add(ReadTree(ref reader));
                return list;
            }
            case MessagePackType.Map:
            {
                Assert.True(reader.TryReadMapHeader(out var count));
                var map = new List<KeyValuePair<string, object?>>(count);
                for (var i = 0; i < count; i++)
                {
                    Assert.True(reader.TryReadString(out var key));
                    map.Add(new(key!, ReadTree(ref reader)));
                }
                return map;
            }
            default: throw new InvalidDataException($"unexpected MessagePack type {reader.NextType}");
        }
    }

    public static void AssertTreeEqual(object? expected, object? actual, string path = "$")
    {
        switch (expected)
        {
            case List<object?> list:
                var actualList = Assert.IsType<List<object?>>(actual);
                Assert.True(list.Count == actualList.Count, $"{path}: {actualList.Count} items, expected {list.Count}");
                for (var i = 0; i < list.Count; i++) AssertTreeEqual(list[i], actualList[i], $"{path}[{i}]");
                break;
            case List<KeyValuePair<string, object?>> map:
                var actualMap = Assert.IsType<List<KeyValuePair<string, object?>>>(actual);
                Assert.True(map.Count == actualMap.Count, $"{path}: {actualMap.Count} entries, expected {map.Count}");
                for (var i = 0; i < map.Count; i++)
                {
                    Assert.Equal(map[i].Key, actualMap[i].Key);
                    AssertTreeEqual(map[i].Value, actualMap[i].Value, $"{path}.{map[i].Key}");
                }
                break;
            case byte[] bytes:
                Assert.True(actual is byte[] actualBytes && bytes.AsSpan().SequenceEqual(actualBytes), $"{path}: bin differs");
                break;
            case float f:
                Assert.True(actual is double d && (float)d == f, $"{path}: {actual}, expected float32 {f}");
                break;
            case int i:
                Assert.True(actual is long l && l == i, $"{path}: {actual}, expected {i}");
                break;
            default:
                Assert.True(Equals(expected, actual), $"{path}: {actual ?? "nil"} ({actual?.GetType().Name}), expected {expected ?? "nil"} ({expected?.GetType().Name})");
                break;
        }
    }

    private static List<KeyValuePair<string, object?>> Map(params (string Key, object? Value)[] entries) =>
        entries.Select(e => new KeyValuePair<string, object?>(e.Key, e.Value)).ToList();

    private static List<object?> Range(int count) => Enumerable.Range(0, count).Select(i => (object?)(long)i).ToList();

    /// <summary>The same values, in the same key order, as <c>reference()</c> in Fixtures/msgpack_interop.py.</summary>
    public static object Reference() => Map(
        ("nil", null),
        ("bools", new List<object?> { true, false }),
        ("ints", new List<object?>
        {
            0L, 1L, 127L, 128L, 255L, 256L, 65535L, 65536L, (long)uint.MaxValue, 1L << 32, long.MaxValue, ulong.MaxValue,
            -1L, -32L, -33L, -128L, -129L, -32768L, -32769L, (long)int.MinValue, (long)int.MinValue - 1, long.MinValue,
        }),
        ("doubles", new List<object?> { 1.5, -0.1, 1e300, double.PositiveInfinity }),
        ("strs", new List<object?> { "", new string('a', 31), new string('b', 32), new string('c', 255), new string('d', 256), new string('e', 65535), new string('f', 65536), "h\u00e9llo \u2713" }),
        ("bins", new List<object?> { Array.Empty<byte>(), Filled('x', 255), Filled('y', 256), Filled('z', 65535), Filled('w', 65536) }),
        ("arrays", new List<object?> { new List<object?>(), Range(15), Range(16), Range(65536) }),
        ("maps", new List<object?>
        {
            Map(),
            Enumerable.Range(0, 15).Select(i => new KeyValuePair<string, object?>(i.ToString(), (long)i)).ToList(),
            Enumerable.Range(0, 16).Select(i => new KeyValuePair<string, object?>(i.ToString(), (long)i)).ToList(),
        }),
        ("nested", Map(("k", new List<object?> { 1L, Map(("x", null), ("y", new List<object?> { new byte[] { 0 }, -5L })) }))));

    public static readonly float[] Singles = [1.5f, -0.25f, float.MaxValue];

    private static byte[] Filled(char c, int count) => Enumerable.Repeat((byte)c, count).ToArray();

    /// <summary>Runs Fixtures/msgpack_interop.py; fails with the script's message (or a missing-module hint).</summary>
    public static byte[] RunPython(string mode, byte[]? stdin = null)
    {
        const string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), $"{python} is missing: MessagePack interop tests need Debian's python3 with python3-msgpack (scripts/setup.sh)");
        var start = new ProcessStartInfo(python, [Path.Combine(FixtureDirectory(), "msgpack_interop.py"), mode])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderrTask = process.StandardError.ReadToEndAsync();
        var stdoutTask = Task.Run(() =>
        {
            using var buffer = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(buffer);
            return buffer.ToArray();
        });
        if (stdin is not null) process.StandardInput.BaseStream.Write(stdin);
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(60_000), $"msgpack_interop.py {mode} did not finish in 60 s");
        var stderr = stderrTask.Result;
        Assert.False(process.ExitCode == 3, $"python3-msgpack is missing: {stderr.Trim()}");
        Assert.True(process.ExitCode == 0, $"msgpack_interop.py {mode} failed (exit {process.ExitCode}): {stderr.Trim()}");
        return stdoutTask.Result;
    }

    public static byte[] Encode(Action<MessagePackWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new MessagePackWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
