#!/usr/bin/env python3
# -*- coding: utf-8 -*-

#
# SPDX-License-Identifier: GPL-3.0
#
# GNU Radio Python Flow Graph
# Title: Bit sink (bit and frame errors of the receiver output)
# Author: Receiver project
# Description: Reads the receiver's published unpacked info bits (0/1 bytes) from a ZMQ PUSH socket and counts bit and frame errors against the reference info file; prints one JSON line
# GNU Radio version: 3.10.5.1

from gnuradio import gr
from gnuradio.filter import firdes
from gnuradio.fft import window
import sys
import signal
from argparse import ArgumentParser
from gnuradio.eng_arg import eng_float, intx
from gnuradio import eng_notation
from gnuradio import zeromq
import bit_sink_bit_errors as bit_errors  # embedded python block




class bit_sink(gr.top_block):

    def __init__(self, endpoint='tcp://127.0.0.1:5556', reference_file='info.bin', info_bits=70):
        gr.top_block.__init__(self, "Bit sink (bit and frame errors of the receiver output)", catch_exceptions=True)

        ##################################################
        # Parameters
        ##################################################
        self.endpoint = endpoint
        self.reference_file = reference_file
        self.info_bits = info_bits

        ##################################################
        # Blocks
        ##################################################

        self.zeromq_pull_source_0 = zeromq.pull_source(gr.sizeof_char, 1, endpoint, 100, False, (-1))
        self.bit_errors = bit_errors.blk(reference_file=reference_file, frame_bits=info_bits)


        ##################################################
        # Connections
        ##################################################
        self.connect((self.zeromq_pull_source_0, 0), (self.bit_errors, 0))


    def get_endpoint(self):
        return self.endpoint

    def set_endpoint(self, endpoint):
        self.endpoint = endpoint

    def get_reference_file(self):
        return self.reference_file

    def set_reference_file(self, reference_file):
        self.reference_file = reference_file

    def get_info_bits(self):
        return self.info_bits

    def set_info_bits(self, info_bits):
        self.info_bits = info_bits
        self.bit_errors.frame_bits = self.info_bits



def argument_parser():
    description = "Reads the receiver's published unpacked info bits (0/1 bytes) from a ZMQ PUSH socket and counts bit and frame errors against the reference info file; prints one JSON line"
    parser = ArgumentParser(description=description)
    parser.add_argument(
        "--endpoint", dest="endpoint", type=str, default='tcp://127.0.0.1:5556',
        help="Set ZMQ endpoint (connect) [default=%(default)r]")
    parser.add_argument(
        "--reference-file", dest="reference_file", type=str, default='info.bin',
        help="Set Reference info bits file [default=%(default)r]")
    parser.add_argument(
        "--info-bits", dest="info_bits", type=intx, default=70,
        help="Set Info bits per frame (K) [default=%(default)r]")
    return parser


def main(top_block_cls=bit_sink, options=None):
    if options is None:
        options = argument_parser().parse_args()
    tb = top_block_cls(endpoint=options.endpoint, reference_file=options.reference_file, info_bits=options.info_bits)

    def sig_handler(sig=None, frame=None):
        tb.stop()
        tb.wait()

        sys.exit(0)

    signal.signal(signal.SIGINT, sig_handler)
    signal.signal(signal.SIGTERM, sig_handler)

    tb.start()

    tb.wait()


if __name__ == '__main__':
    main()
