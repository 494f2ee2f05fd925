using System.Buffers;
using System.IO.Pipelines;

namespace OpenUM.Sip.Transport;

// The bytes waiting for a stream connection's writer, and who that writer is: the first sender to find no write in
// progress becomes it and writes on its own thread (no hand-off to a write loop); senders meanwhile only queue.
// The lock covers the queue and a copy into the pipe's buffer, never a write to the socket.
internal sealed class SendQueue
{
    private readonly Queue<ReadOnlyMemory<byte>> _items = new();
    private readonly Lock _gate = new();
    private bool _writing;
    private bool _completed;

    // Queues the data; false after Complete. writer: the caller must now write the queue out (TakeAll until false).
    public bool TryAdd(ReadOnlyMemory<byte> data, out bool writer)
    {
        lock (_gate)
        {
            writer = false;
            if (_completed) return false;
            _items.Enqueue(data);
            if (!_writing) _writing = writer = true;
            return true;
        }
    }

    // No more data. True when no write is in progress: the caller ends the write side itself (nobody becomes the
    // writer any more). False when a writer is at work (it ends the write side once the queue is out) or when the
    // queue was completed already.
    public bool Complete()
    {
        lock (_gate)
        {
            if (_completed) return false;
            _completed = true;
            bool idle = !_writing;
            _writing = true;
            return idle;
        }
    }

    // For the writer: copies everything queued into the pipe (bytes = how much), true; or, with nothing queued, gives up
    // the writer's role and returns false, ended = the queue is complete (the writer then ends the write side).
    public bool TakeAll(PipeWriter pipe, out long bytes, out bool ended)
    {
        bytes = 0;
        lock (_gate)
        {
            ended = _completed;
            if (_items.Count == 0)
            {
                if (!_completed) _writing = false;
                return false;
            }
            while (_items.TryDequeue(out var data))
            {
                pipe.Write(data.Span);
                bytes += data.Length;
            }
            return true;
        }
    }
}
