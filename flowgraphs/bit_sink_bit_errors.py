"""Bit error counter for the receiver's published info bits."""

import json
import os
import signal

import numpy as np
from gnuradio import gr


class blk(gr.sync_block):
    """Compares received 0/1 bytes with a reference file of info bits, frame by frame. Prints one
    JSON line (frames, bits, bit_errors, frame_errors, ber, fer, and misordered_frames: frames in
    error that equal another reference frame) once the whole reference has been compared, then ends the program with SIGTERM (a ZMQ source never ends by itself; the
    generated main stops the flowgraph on it), or prints it on stop (Ctrl-C)."""

    def __init__(self, reference_file='info.bin', frame_bits=70):
        gr.sync_block.__init__(self, name='Bit error counter', in_sig=[np.uint8], out_sig=None)
        self.frame_bits = max(1, int(frame_bits))
        # GRC instantiates the block once with its defaults: a missing file is not an error here
        self.reference = (np.fromfile(reference_file, dtype=np.uint8)
                          if os.path.exists(reference_file) else np.zeros(0, dtype=np.uint8))
        self.frames_in_error = np.zeros(len(self.reference) // self.frame_bits + 1, dtype=bool)
        self.received = np.zeros(len(self.reference), dtype=np.uint8)
        self.frame_index = {self.reference[start:start + self.frame_bits].tobytes(): start // self.frame_bits
                            for start in range(0, len(self.reference) - self.frame_bits + 1, self.frame_bits)}
        self.misordered_frames = 0
        self.compared = 0
        self.bit_errors = 0
        self.reported = False

    def work(self, input_items, output_items):
        bits = input_items[0]
        take = min(len(bits), len(self.reference) - self.compared)
        wrong = np.flatnonzero(bits[:take] != self.reference[self.compared:self.compared + take])
        self.bit_errors += len(wrong)
        self.frames_in_error[(self.compared + wrong) // self.frame_bits] = True
        self.received[self.compared:self.compared + take] = bits[:take]
        for frame in range(self.compared // self.frame_bits, (self.compared + take) // self.frame_bits):
            if self.frames_in_error[frame]:
                start = frame * self.frame_bits
                if self.frame_index.get(self.received[start:start + self.frame_bits].tobytes(), frame) != frame:
                    self.misordered_frames += 1
        self.compared += take
        if len(self.reference) > 0 and self.compared >= len(self.reference):
            self.report()
            os.kill(os.getpid(), signal.SIGTERM)
            return -1  # WORK_DONE
        return len(bits)

    def stop(self):
        self.report()
        return True

    def report(self):
        if self.reported:
            return
        self.reported = True
        frames = self.compared // self.frame_bits
        frame_errors = int(self.frames_in_error[:frames].sum())
        print(json.dumps({
            "frames": frames,
            "expected_frames": len(self.reference) // self.frame_bits,
            "bits": self.compared,
            "bit_errors": self.bit_errors,
            "frame_errors": frame_errors,
            "misordered_frames": self.misordered_frames,
            "ber": self.bit_errors / self.compared if self.compared else None,
            "fer": frame_errors / frames if frames else None,
        }), flush=True)
