using System.Text;

namespace OpenUM.Directory.Dialing;

/// <summary>
/// Reads dialing rule entries from CSV with the column headers Name, NumberMask, DialedNumber and
/// optionally Comment (any order, case-insensitive), as Exchange admins fed Import-Csv to Set-UMDialPlan.
/// RFC 4180 quoting; a leading "#TYPE" line written by PowerShell's Export-Csv is skipped.
/// </summary>
public static class DialingRuleCsv
{
    private static readonly string[] Columns = ["Name", "NumberMask", "DialedNumber", "Comment"];

    /// <summary>Parses the whole text; on failure returns false with an error naming the line.</summary>
    public static bool TryParse(string csv, out IReadOnlyList<DialingRuleEntry> entries, out string error)
    {
        ArgumentNullException.ThrowIfNull(csv);
        entries = [];
        if (!TryReadRecords(csv.TrimStart('\uFEFF'), out var records, out error))
        {
            return false;
        }

        var index = 0;
        while (index < records.Count && (IsBlank(records[index].Fields) || records[index].Fields[0].StartsWith("#TYPE", StringComparison.OrdinalIgnoreCase)))
        {
            index++;
        }

        if (index == records.Count)
        {
            error = "the CSV has no header line; the first line must be Name,NumberMask,DialedNumber[,Comment]";
            return false;
        }

        var header = records[index];
        var positions = new int[Columns.Length];
        Array.Fill(positions, -1);
        for (var i = 0; i < header.Fields.Count; i++)
        {
            var column = Array.FindIndex(Columns, c => c.Equals(header.Fields[i].Trim(), StringComparison.OrdinalIgnoreCase));
            if (column < 0 || positions[column] >= 0)
            {
                error = $"line {header.Line}: column '{header.Fields[i]}' is {(column < 0 ? "unknown" : "given twice")}; the columns are Name, NumberMask, DialedNumber and optionally Comment";
                return false;
            }

            positions[column] = i;
        }

        if (Array.IndexOf(positions, -1) is var missing and >= 0 and < 3)
        {
            error = $"line {header.Line}: the header has no {Columns[missing]} column; the columns are Name, NumberMask, DialedNumber and optionally Comment";
            return false;
        }

        var result = new List<DialingRuleEntry>();
        foreach (var record in records.Skip(index + 1))
        {
            if (IsBlank(record.Fields))
            {
                continue;
            }

            if (record.Fields.Count != header.Fields.Count)
            {
                error = $"line {record.Line}: {record.Fields.Count} fields where the header has {header.Fields.Count}";
                return false;
            }

            string Field(int column) => positions[column] < 0 ? "" : record.Fields[positions[column]].Trim();
            var comment = Field(3);
            result.Add(new DialingRuleEntry(Field(0), Field(1), Field(2), comment.Length == 0 ? null : comment));
        }

        entries = result;
        error = "";
        return true;
    }

    private static bool IsBlank(List<string> fields) => fields.Count == 1 && string.IsNullOrWhiteSpace(fields[0]);

    private static bool TryReadRecords(string text, out List<(int Line, List<string> Fields)> records, out string error)
    {
        records = [];
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                fields.Add(field.ToString());
                field.Clear();
                records.Add((recordLine, fields));
                fields = [];
                recordLine = ++line;
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            error = $"line {recordLine}: a quoted field is not closed";
            return false;
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add((recordLine, fields));
        }

        error = "";
        return true;
    }
}
