using Microsoft.Extensions.Logging;

namespace OpenUM.Calls;

// Language packs (Prompts/<language>, <data-dir>/prompts/<language>): logged when the server starts, or once per language.
public static partial class CallEvents
{
    [LoggerMessage(EventId = 2078, EventName = "PromptMissing", Level = LogLevel.Warning,
        Message = "Prompt {Prompt} of language pack {Language}: {Problem}; {Fallback} is played instead")]
    public static partial void PromptMissing(ILogger logger, string language, string prompt, string problem, string fallback);

    [LoggerMessage(EventId = 2079, EventName = "LanguageUnavailable", Level = LogLevel.Warning,
        Message = "Language {Language}: {Reason}; en-US is spoken instead")]
    public static partial void LanguageUnavailable(ILogger logger, string language, string reason);
}
