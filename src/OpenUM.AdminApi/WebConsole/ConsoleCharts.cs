using System.Globalization;
using System.Text;
using OpenUM.Server.Metrics;

namespace OpenUM.AdminApi.WebConsole;

/// <summary>
/// Calls, refusals and delivery latency per minute (<see cref="MetricsHistory"/>) as small inline SVG bar charts drawn
/// on the server: no script, only presentation attributes (the policy forbids style attributes). Each chart has its
/// axes labelled in text, a sentence that says what it shows for screen readers, and a table of its non-empty minutes.
/// </summary>
internal static class ConsoleCharts
{
    // The plot: 360 units wide (one per minute over six hours), 100 high, with room for the labels around it.
    private const int Left = 40, Top = 18, PlotWidth = 360, PlotHeight = 100, ViewWidth = Left + PlotWidth + 12, ViewHeight = Top + PlotHeight + 30;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>One chart: what it counts, how it reads in a sentence, and the columns of its table.</summary>
    private sealed record Series(string Id, string Title, string Unit, Func<MetricsMinute, long> Count, Func<MetricsMinute, double> Value,
        Func<MetricsMinute, double>? Peak, Func<MetricsMinute[], string> Summary, string[] Columns, Func<MetricsMinute, string[]> Cells);

    private static readonly Series Calls = new("calls", "Calls per minute", "calls", m => m.Calls, m => m.Calls, null, CallsSummary,
        ["Calls", "Answered", "Refused or failed"], m => [N(m.Calls), N(m.Answered), N(m.Calls - m.Answered)]);

    private static readonly Series Refusals = new("refusals", "Refusals per minute", "refusals", m => m.Refusals, m => m.Refusals, null,
        m => Totals(m, x => x.Refusals, "refusal", "refusals") + ".",
        ["Refusals"], m => [N(m.Refusals)]);

    private static readonly Series Latency = new("latency", "Delivery latency (maildir and SMTP), seconds", "s", m => m.Deliveries,
        m => m.LatencyMeanSeconds, m => m.LatencyMaxSeconds, LatencySummary,
        ["Delivered", "Into a maildir", "By SMTP", "Mean (s)", "Longest (s)"],
        m => [N(m.Deliveries), N(m.MaildirDeliveries), N(m.SmtpDeliveries), S(m.LatencyMeanSeconds), S(m.LatencyMaxSeconds)]);

    /// <summary>The Charts page's body: the three charts over all of <paramref name="minutes"/> (oldest first, the current minute last).</summary>
    public static string Page(MetricsMinute[] minutes)
    {
        var html = new StringBuilder("<p>The last ").Append(minutes.Length / 60).Append(" hours of this server, minute by minute, in UTC; ")
            .Append("the rightmost bar (orange) is the current minute. Kept in the server's memory since it started; this page reloads every 60 s. ")
            .Append("The same data as JSON: <code>GET /api/v1/metrics/history</code>.</p>");
        foreach (var series in new[] { Calls, Refusals, Latency }) Chart(html, series, minutes, compact: false);
        return html.ToString();
    }

    /// <summary>The Status page's compact version: calls and refusals over the last hour, and a link to the Charts page.</summary>
    public static string Compact(MetricsMinute[] minutes)
    {
        var html = new StringBuilder("<h2>The last hour</h2>");
        foreach (var series in new[] { Calls, Refusals }) Chart(html, series, minutes[^Math.Min(60, minutes.Length)..], compact: true);
        return html.Append("<p><a href=\"/console/charts\">Six hours of calls, refusals and delivery latency</a></p>").ToString();
    }

    private static void Chart(StringBuilder html, Series series, MetricsMinute[] minutes, bool compact)
    {
        string id = (compact ? "compact-" : "") + series.Id;
        double top = Scale(minutes.Max(m => series.Peak?.Invoke(m) ?? series.Value(m)));
        double bar = (double)PlotWidth / minutes.Length;
        var current = minutes[^1];
        html.Append("<section class=\"chart\" id=\"").Append(id).Append("\" data-current-minute=\"").Append(Iso(current.Start))
            .Append("\" data-current=\"").Append(F(series.Value(current))).Append("\"><h").Append(compact ? '3' : '2').Append(" id=\"").Append(id)
            .Append("-title\">").Append(ConsoleHtml.E(series.Title)).Append("</h").Append(compact ? '3' : '2').Append('>');
        html.Append("<p id=\"").Append(id).Append("-summary\">").Append(ConsoleHtml.E(series.Summary(minutes))).Append("</p>");
        html.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").Append(ViewWidth).Append(' ').Append(ViewHeight)
            .Append("\" role=\"img\" aria-labelledby=\"").Append(id).Append("-title\" aria-describedby=\"").Append(id).Append("-summary\">");
        Axes(html, series, minutes, top);
        for (int i = 0; i < minutes.Length; i++)
        {
            var m = minutes[i];
            if (series.Count(m) == 0) continue;
            double x = Left + i * bar;
            // The longest latency as a pale bar behind the mean.
            if (series.Peak is { } peak) Rect(html, x, bar, peak(m) / top, "#b9c7d8");
            Rect(html, x, bar, series.Value(m) / top, i == minutes.Length - 1 ? "#f0a500" : "#1f3a5f");
        }
        html.Append("</svg>");
        if (series.Peak is not null)
            html.Append("<p class=\"legend\"><small>Dark: mean latency of the minute; pale: its longest. Maildir: end of the recording to the message in ")
                .Append("the mailbox; SMTP: queued to accepted by the smart host.</small></p>");
        if (!compact) Table(html, series, minutes);
        html.Append("</section>");
    }

    // The y axis (0 and its top value), a tick and an HH:00 label at each whole hour, the x axis's title.
    private static void Axes(StringBuilder html, Series series, MetricsMinute[] minutes, double top)
    {
        const int bottom = Top + PlotHeight;
        html.Append("<g stroke=\"#555\" stroke-width=\"0.5\"><line x1=\"").Append(Left).Append("\" y1=\"").Append(Top).Append("\" x2=\"").Append(Left)
            .Append("\" y2=\"").Append(bottom).Append("\"/><line x1=\"").Append(Left).Append("\" y1=\"").Append(bottom).Append("\" x2=\"")
            .Append(Left + PlotWidth).Append("\" y2=\"").Append(bottom).Append("\"/></g><g font-size=\"9\" fill=\"#1b1b1b\">");
        Text(html, Left - 4, Top + 4, "end", F(top));
        Text(html, Left - 4, bottom, "end", "0");
        Text(html, Left - 4, Top - 8, "end", series.Unit);
        double bar = (double)PlotWidth / minutes.Length;
        for (int i = 0; i < minutes.Length; i++)
        {
            if (minutes[i].Start.Minute != 0 && !(minutes.Length <= 60 && minutes[i].Start.Minute % 15 == 0)) continue;
            double x = Left + i * bar;
            html.Append("<line x1=\"").Append(F(x)).Append("\" y1=\"").Append(bottom).Append("\" x2=\"").Append(F(x)).Append("\" y2=\"")
                .Append(bottom + 3).Append("\" stroke=\"#555\" stroke-width=\"0.5\"/>");
            Text(html, x, bottom + 12, "middle", minutes[i].Start.ToString("HH:mm", Invariant));
        }
        Text(html, Left + PlotWidth / 2.0, bottom + 25, "middle", $"time (UTC), one bar per minute, up to {minutes[^1].Start.ToString("HH:mm", Invariant)}");
        html.Append("</g>");
    }

    private static void Table(StringBuilder html, Series series, MetricsMinute[] minutes)
    {
        var rows = minutes.Where(m => series.Count(m) > 0).Reverse().ToList();
        html.Append("<details><summary>").Append(ConsoleHtml.E(series.Title)).Append(" as a table (").Append(rows.Count)
            .Append(rows.Count == 1 ? " minute" : " minutes").Append(" with data, newest first)</summary><div class=\"scroll\"><table id=\"")
            .Append(series.Id).Append("-table\"><thead><tr><th scope=\"col\">Minute (UTC)</th>");
        foreach (string c in series.Columns) html.Append("<th scope=\"col\">").Append(ConsoleHtml.E(c)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var m in rows)
        {
            html.Append("<tr data-minute=\"").Append(Iso(m.Start)).Append("\" data-value=\"").Append(F(series.Value(m))).Append("\"><th scope=\"row\">")
                .Append(m.Start.ToString("yyyy-MM-dd HH:mm", Invariant)).Append("</th>");
            foreach (string cell in series.Cells(m)) html.Append("<td>").Append(cell).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table></div></details>");
    }

    private static string CallsSummary(MetricsMinute[] minutes) =>
        Totals(minutes, m => m.Calls, "call", "calls") + $"; {N(minutes.Sum(m => m.Answered))} answered.";

    private static string LatencySummary(MetricsMinute[] minutes)
    {
        long delivered = minutes.Sum(m => m.Deliveries);
        string span = $"in the last {Span(minutes)}";
        if (delivered == 0) return $"No voice message delivered {span}.";
        var slowest = minutes.MaxBy(m => m.LatencyMaxSeconds);
        return $"{N(delivered)} voice {(delivered == 1 ? "message" : "messages")} delivered {span} ({N(minutes.Sum(m => m.MaildirDeliveries))} into a maildir, " +
            $"{N(minutes.Sum(m => m.SmtpDeliveries))} by SMTP); mean latency {S(minutes.Sum(m => m.LatencySumSeconds) / delivered)} s, " +
            $"longest {S(slowest.LatencyMaxSeconds)} s at {slowest.Start.ToString("HH:mm", Invariant)} UTC.";
    }

    // "12 calls in the last 6 hours; at most 3 in a minute (14:05 UTC); 1 in the current minute (15:22 UTC)"
    private static string Totals(MetricsMinute[] minutes, Func<MetricsMinute, long> count, string one, string many)
    {
        long total = minutes.Sum(count);
        var busiest = minutes.MaxBy(count);
        var current = minutes[^1];
        string text = $"{N(total)} {(total == 1 ? one : many)} in the last {Span(minutes)}";
        if (total > 0) text += $"; at most {N(count(busiest))} in a minute ({busiest.Start.ToString("HH:mm", Invariant)} UTC)";
        return text + $"; {N(count(current))} in the current minute ({current.Start.ToString("HH:mm", Invariant)} UTC)";
    }

    private static string Span(MetricsMinute[] minutes) => minutes.Length % 60 == 0 && minutes.Length > 60 ? $"{minutes.Length / 60} hours" : $"{minutes.Length} minutes";

    private static void Rect(StringBuilder html, double x, double width, double fraction, string fill)
    {
        double height = Math.Max(0.5, fraction * PlotHeight);
        html.Append("<rect x=\"").Append(F(x)).Append("\" y=\"").Append(F(Top + PlotHeight - height)).Append("\" width=\"").Append(F(width))
            .Append("\" height=\"").Append(F(height)).Append("\" fill=\"").Append(fill).Append("\"/>");
    }

    private static void Text(StringBuilder html, double x, double y, string anchor, string text) =>
        html.Append("<text x=\"").Append(F(x)).Append("\" y=\"").Append(F(y)).Append("\" text-anchor=\"").Append(anchor).Append("\">")
            .Append(ConsoleHtml.E(text)).Append("</text>");

    // The axis's top: the largest value rounded up to 1, 2 or 5 times a power of ten, so the label is a round number.
    private static double Scale(double max)
    {
        if (max <= 0) return 1;
        double power = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (double step in new[] { 1.0, 2, 5, 10 })
            if (step * power >= max) return step * power;
        return 10 * power;
    }

    private static string Iso(DateTimeOffset start) => start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", Invariant);

    private static string N(long n) => n.ToString("N0", Invariant);

    private static string S(double seconds) => seconds.ToString("0.###", Invariant);

    private static string F(double value) => value.ToString("0.##", Invariant);
}
