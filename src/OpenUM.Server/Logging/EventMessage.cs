using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace OpenUM.Server.Logging;

/// <summary>
/// An event's message as pieces the providers encode straight into their lines, so that no string of it is made: the
/// template's text between the holes and the values in the holes. Only where that gives the bytes the message string
/// would have: a state of Microsoft.Extensions.Logging's own (LoggerMessage.Define, which the generated methods of up to
/// six values use, and ILogger.Log*) with its own formatter, a template of plain holes ("{Name}": no format, alignment
/// or escaped brace) and a string in every hole (what the call events carry). Anything else is the formatter's string,
/// one piece.
/// </summary>
internal readonly struct EventMessage
{
    private const string OriginalFormat = "{OriginalFormat}";
    private static readonly System.Reflection.Assembly Microsofts = typeof(ILogger).Assembly;
    private readonly string? _text;
    private readonly Template? _template;
    private readonly IReadOnlyList<KeyValuePair<string, object?>>? _values;

    private EventMessage(string? text, Template? template, IReadOnlyList<KeyValuePair<string, object?>>? values) =>
        (_text, _template, _values) = (text, template, values);

    /// <summary>The message of one Log call; <paramref name="values"/> is the state as a list (null when it is none), for the properties.</summary>
    public static EventMessage Of<TState>(TState state, Exception? exception, Func<TState, Exception?, string> formatter,
        IReadOnlyList<KeyValuePair<string, object?>>? values)
    {
        if (values is not null && Trusted<TState>.Formatter(formatter) && TemplateOf(values) is { } template && FitsHoles(template, values))
            return new EventMessage(null, template, values);
        return new EventMessage(formatter(state, exception), null, null);
    }

    /// <summary>A message that is a string already.</summary>
    public static EventMessage Text(string? text) => new(text, null, null);

    /// <summary>True when the formatter gave no message (null), as opposed to an empty one.</summary>
    public bool IsNull => _template is null && _text is null;

    /// <summary>How many pieces <see cref="Piece"/> gives (at least one unless <see cref="IsNull"/>).</summary>
    public int Pieces => _template is { } t ? 2 * t.Literals.Length - 1 : _text is null ? 0 : 1;

    /// <summary>The pieces in order: text, value, text, ..., text.</summary>
    public ReadOnlySpan<char> Piece(int i) => _template is not { } t ? _text
        : (i & 1) == 0 ? t.Literals[i >> 1] : (string)_values![i >> 1].Value!;

    /// <summary>Characters of the whole message.</summary>
    public int Length
    {
        get
        {
            int length = 0;
            for (int i = 0; i < Pieces; i++) length += Piece(i).Length;
            return length;
        }
    }

    // A string in every hole, and no surrogate pair split across pieces (whole, it is one character; in pieces, two halves).
    private static bool FitsHoles(Template template, IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        if (values.Count != template.Literals.Length) return false; // the holes, and {OriginalFormat}
        for (int i = 0; i < values.Count - 1; i++)
            if (values[i].Value is not string value || SplitsAPair(value)) return false;
        return !template.SplitsAPair;
    }

    private static bool SplitsAPair(string piece) =>
        piece.Length > 0 && (char.IsLowSurrogate(piece[0]) || char.IsHighSurrogate(piece[^1]));

    private static Template? TemplateOf(IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        if (values.Count == 0 || values[^1] is not { Key: OriginalFormat, Value: string format }) return null;
        return Templates.TryGetValue(format, out var template) ? template : Parse(format);
    }

    // Templates by reference: a template is its call site's constant, so this is a lookup without hashing its text. Past
    // MaxCached (a caller building templates at run time) a template is parsed each time.
    private const int MaxCached = 1024;
    private static readonly ConcurrentDictionary<string, Template?> Templates = new(ReferenceEqualityComparer.Instance);

    private static Template? Parse(string format)
    {
        var literals = new List<string>();
        int start = 0, i = 0;
        while (i < format.Length)
        {
            char c = format[i];
            if (c == '}') return Cache(format, null); // "}}" or a stray brace
            if (c != '{')
            {
                i++;
                continue;
            }
            int end = format.IndexOf('}', i + 1);
            // "{{", an unclosed hole, a format or an alignment: Microsoft's formatter does those.
            if (end < 0 || format.AsSpan(i + 1, end - i - 1).IndexOfAny("{,:") >= 0) return Cache(format, null);
            literals.Add(format[start..i]);
            i = start = end + 1;
        }
        literals.Add(format[start..]);
        return Cache(format, new Template([.. literals]));
    }

    private static Template? Cache(string format, Template? template)
    {
        if (Templates.Count < MaxCached) Templates.TryAdd(format, template);
        return template;
    }

    /// <summary>A template's text around its holes.</summary>
    private sealed class Template
    {
        public Template(string[] literals)
        {
            Literals = literals;
            SplitsAPair = literals.Length > 1 && literals.Any(EventMessage.SplitsAPair);
        }

        public string[] Literals { get; }

        public bool SplitsAPair { get; }
    }

    // The formatter Microsoft's state of this type came with (state.ToString()): one check of where it is from per type.
    private static class Trusted<TState>
    {
        private static readonly bool IsMicrosofts = typeof(TState).Assembly == Microsofts;
        private static Func<TState, Exception?, string>? s_formatter;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Formatter(Func<TState, Exception?, string> formatter)
        {
            if (ReferenceEquals(formatter, s_formatter)) return true;
            if (!IsMicrosofts || formatter.Method.DeclaringType?.Assembly != Microsofts) return false;
            s_formatter = formatter;
            return true;
        }
    }
}
