using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using Perfolizer.Metrology;

namespace OpenUM.Bench;

/// <summary>Allocated memory in bytes, never rounded to KB: the allocation figures are what these benchmarks compare.</summary>
public sealed class ExactBytesConfig : ManualConfig
{
    /// <summary>Sets the summary's size unit to bytes.</summary>
    public ExactBytesConfig() => SummaryStyle = SummaryStyle.Default.WithSizeUnit(SizeUnit.B);
}
