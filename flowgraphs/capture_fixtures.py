#!/usr/bin/python3
"""Capture real gr-zeromq wire messages as test fixtures for the receiver's framers.

Each fixture is a sequence of records [u32 little-endian length][message bytes], one record
per ZeroMQ message part, in the order received. The flowgraphs are headless top_blocks with
known item values, so tests can assert every item (see
tests/Receiver.Transport.Tests/Fixtures/README.md for the per-file description).

Run: /usr/bin/python3 flowgraphs/capture_fixtures.py [OUTPUT_DIR]
"""

import os
import struct
import sys
import time

import pmt
import zmq
from gnuradio import blocks, gr, zeromq

DEFAULT_OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                              "Receiver.Transport.Tests", "Fixtures")
MAX_NOUTPUT_ITEMS = 96  # forces several messages whose boundaries do not follow frames
RECEIVE_TIMEOUT_MS = 5000


def float_items(count):
    return [float(i) for i in range(count)]


def char_items(count):
    # item i is the byte i % 256 (read as int8: (sbyte)(i % 256))
    return [(i % 256) for i in range(count)]


def make_tags(key, value_of, first_offset, period, count):
    tags = []
    for offset in range(first_offset, count, period):
        tag = gr.tag_t()
        tag.offset = offset
        tag.key = pmt.intern(key)
        tag.value = value_of(offset)
        tag.srcid = pmt.intern("capture")
        tags.append(tag)
    return tags


def read_messages(socket, expected_items, itemsize, tagged):
    """Receive whole messages (list of parts) until expected_items items arrived."""
    messages = []
    items = 0
    while items < expected_items:
        if not socket.poll(RECEIVE_TIMEOUT_MS):
            raise RuntimeError(f"timed out after {items} of {expected_items} items")
        parts = socket.recv_multipart()
        messages.append(parts)
        payload = parts[-1]
        header = tag_header_length(payload) if tagged else 0
        items += (len(payload) - header) // itemsize
    return messages


def tag_header_length(message):
    """Length of gr-zeromq's tag header (magic 0x5FF0, version 1, offset, ntags, tags)."""
    magic, version, _offset, ntags = struct.unpack_from("<HBQQ", message, 0)
    if magic != 0x5FF0 or version != 1:
        raise ValueError(f"bad tag header magic {magic:#x} version {version}")
    position = 19
    for _ in range(ntags):
        position += 8
        for _field in range(3):  # key, value, srcid
            position = pmt_end(message, position)
    return position


def pmt_end(buffer, position):
    """End of one serialized PMT starting at position, by round-tripping through pmt."""
    for end in range(position + 1, len(buffer) + 1):
        try:
            candidate = pmt.deserialize_str(bytes(buffer[position:end]))
        except Exception:
            continue
        if pmt.serialize_str(candidate) == bytes(buffer[position:end]):
            return end
    raise ValueError("unterminated PMT")


def write_records(path, messages):
    with open(path, "wb") as stream:
        for parts in messages:
            for part in parts:
                stream.write(struct.pack("<I", len(part)))
                stream.write(part)


def capture_push(path, source, itemsize, count, pass_tags):
    top = gr.top_block()
    sink = zeromq.push_sink(itemsize, 1, "tcp://127.0.0.1:0", 100, pass_tags, -1)
    top.connect(source, sink)
    context = zmq.Context()
    pull = context.socket(zmq.PULL)
    pull.connect(sink.last_endpoint())
    top.start(MAX_NOUTPUT_ITEMS)
    messages = read_messages(pull, count, itemsize, pass_tags)
    top.wait()
    pull.close()
    context.term()
    write_records(path, messages)
    return messages


def capture_pub_with_key(path, count, key):
    top = gr.top_block()
    source = blocks.vector_source_f(float_items(count), False, 1, [])
    sink = zeromq.pub_sink(gr.sizeof_float, 1, "tcp://127.0.0.1:0", 100, False, -1, key)
    top.connect(source, sink)
    context = zmq.Context()
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(sink.last_endpoint())
    time.sleep(0.5)  # PUB drops until the subscription has reached it
    top.start(MAX_NOUTPUT_ITEMS)
    messages = read_messages(sub, count, gr.sizeof_float, False)
    top.wait()
    sub.close()
    context.term()
    write_records(path, messages)
    return messages


def describe(name, messages, itemsize, tagged):
    sizes = []
    for parts in messages:
        payload = parts[-1]
        header = tag_header_length(payload) if tagged else 0
        sizes.append((len(payload) - header) // itemsize)
    print(f"{name}: {len(messages)} messages, {len(messages[0])} part(s) each, items per message {sizes}")
    if tagged:
        for parts in messages:
            payload = parts[-1]
            _magic, _version, offset, ntags = struct.unpack_from("<HBQQ", payload, 0)
            position = 19
            tags = []
            for _ in range(ntags):
                (tag_offset,) = struct.unpack_from("<Q", payload, position)
                position += 8
                fields = []
                for _field in range(3):
                    end = pmt_end(payload, position)
                    fields.append(pmt.deserialize_str(bytes(payload[position:end])))
                    position = end
                tags.append((tag_offset, pmt.symbol_to_string(fields[0]), str(fields[1])))
            print(f"  offset {offset} ntags {ntags} header {position} bytes tags {tags}")


def main():
    output = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUTPUT)
    os.makedirs(output, exist_ok=True)
    float_count = 1000
    char_count = 1000
    frame_length = 121

    raw = capture_push(os.path.join(output, "gr_float_raw.bin"),
                       blocks.vector_source_f(float_items(float_count), False, 1, []),
                       gr.sizeof_float, float_count, False)
    describe("gr_float_raw.bin", raw, gr.sizeof_float, False)

    frame_tags = make_tags("frame_start", lambda offset: pmt.from_long(offset // frame_length),
                           0, frame_length, float_count)
    tagged = capture_push(os.path.join(output, "gr_float_tagged.bin"),
                          blocks.vector_source_f(float_items(float_count), False, 1, frame_tags),
                          gr.sizeof_float, float_count, True)
    describe("gr_float_tagged.bin", tagged, gr.sizeof_float, True)

    packet_tags = make_tags("packet_len", lambda offset: pmt.from_long(frame_length),
                            0, frame_length, float_count)
    packet = capture_push(os.path.join(output, "gr_float_packet_len.bin"),
                          blocks.vector_source_f(float_items(float_count), False, 1, packet_tags),
                          gr.sizeof_float, float_count, True)
    describe("gr_float_packet_len.bin", packet, gr.sizeof_float, True)

    untagged = capture_push(os.path.join(output, "gr_float_tagged_notags.bin"),
                            blocks.vector_source_f(float_items(float_count), False, 1, []),
                            gr.sizeof_float, float_count, True)
    describe("gr_float_tagged_notags.bin", untagged, gr.sizeof_float, True)

    chars = capture_push(os.path.join(output, "gr_char_raw.bin"),
                         blocks.vector_source_b(char_items(char_count), False, 1, []),
                         gr.sizeof_char, char_count, False)
    describe("gr_char_raw.bin", chars, gr.sizeof_char, False)

    keyed = capture_pub_with_key(os.path.join(output, "gr_float_pub_key.bin"), float_count, "llr")
    describe("gr_float_pub_key.bin", keyed, gr.sizeof_float, False)


if __name__ == "__main__":
    main()
