using Microsoft.Extensions.Logging;
using OpenUM.Delivery.Spool;
using OpenUM.Media.Session;
using OpenUM.Sip;

namespace OpenUM.Calls;

/// <summary>
/// What the call controller hands every answered call (voice mail, subscriber access, the storage-full
/// announcement): media ports and clock, timers, the voice message spool, prompts, the server's options, time and
/// the event logger. One record, built once per controller, so a new kind of call needs no new plumbing.
/// </summary>
internal sealed record CallServices(RtpPortRange Ports, MediaClock Clock, TimerWheel Timers, IVoiceMessageSpool Spool,
    PromptLibrary Prompts, CallControllerOptions Options, TimeProvider Time, ILogger Logger);
