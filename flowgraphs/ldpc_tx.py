#!/usr/bin/env python3
# -*- coding: utf-8 -*-

#
# SPDX-License-Identifier: GPL-3.0
#
# GNU Radio Python Flow Graph
# Title: LDPC transmitter (BPSK over AWGN, float LLRs over ZeroMQ)
# Author: Receiver project
# Description: Encoded bits -> BPSK (bit 1 -> +1) -> AWGN at Eb/N0 -> float LLRs 2y/sigma^2 (GNU Radio sign: positive means bit 1) -> ZMQ PUSH, vlen 1, raw stream (pass_tags False)
# GNU Radio version: 3.10.5.1

from gnuradio import analog
from gnuradio import blocks
import pmt
from gnuradio import digital
from gnuradio import gr
from gnuradio.filter import firdes
from gnuradio.fft import window
import sys
import signal
from argparse import ArgumentParser
from gnuradio.eng_arg import eng_float, intx
from gnuradio import eng_notation
from gnuradio import zeromq
import os




class ldpc_tx(gr.top_block):

    def __init__(self, codeword_file='codewords.bin', endpoint='tcp://127.0.0.1:5555', ebn0=8, rate=0.5, noise_seed=42):
        gr.top_block.__init__(self, "LDPC transmitter (BPSK over AWGN, float LLRs over ZeroMQ)", catch_exceptions=True)

        ##################################################
        # Parameters
        ##################################################
        self.codeword_file = codeword_file
        self.endpoint = endpoint
        self.ebn0 = ebn0
        self.rate = rate
        self.noise_seed = noise_seed

        ##################################################
        # Variables
        ##################################################
        self.sigma = sigma = (1.0 / (2.0 * rate * 10.0 ** (ebn0 / 10.0))) ** 0.5
        self.llr_scale = llr_scale = 2.0 / sigma ** 2
        self.codeword_bits = codeword_bits = os.path.getsize(codeword_file) if os.path.exists(codeword_file) else 0

        ##################################################
        # Blocks
        ##################################################

        self.zeromq_push_sink_0 = zeromq.push_sink(gr.sizeof_float, 1, endpoint, 100, False, (-1))
        self.digital_chunks_to_symbols_xx_0 = digital.chunks_to_symbols_bf([-1.0, 1.0], 1)
        self.blocks_multiply_const_vxx_0 = blocks.multiply_const_ff(llr_scale)
        self.blocks_head_0 = blocks.head(gr.sizeof_float*1, codeword_bits)
        self.blocks_file_source_0 = blocks.file_source(gr.sizeof_char*1, codeword_file, False, 0, 0)
        self.blocks_file_source_0.set_begin_tag(pmt.PMT_NIL)
        self.blocks_add_xx_0 = blocks.add_vff(1)
        self.analog_noise_source_x_0 = analog.noise_source_f(analog.GR_GAUSSIAN, sigma, noise_seed)


        ##################################################
        # Connections
        ##################################################
        self.connect((self.analog_noise_source_x_0, 0), (self.blocks_head_0, 0))
        self.connect((self.blocks_add_xx_0, 0), (self.blocks_multiply_const_vxx_0, 0))
        self.connect((self.blocks_file_source_0, 0), (self.digital_chunks_to_symbols_xx_0, 0))
        self.connect((self.blocks_head_0, 0), (self.blocks_add_xx_0, 1))
        self.connect((self.blocks_multiply_const_vxx_0, 0), (self.zeromq_push_sink_0, 0))
        self.connect((self.digital_chunks_to_symbols_xx_0, 0), (self.blocks_add_xx_0, 0))


    def get_codeword_file(self):
        return self.codeword_file

    def set_codeword_file(self, codeword_file):
        self.codeword_file = codeword_file
        self.set_codeword_bits(os.path.getsize(self.codeword_file) if os.path.exists(self.codeword_file) else 0)
        self.blocks_file_source_0.open(self.codeword_file, False)

    def get_endpoint(self):
        return self.endpoint

    def set_endpoint(self, endpoint):
        self.endpoint = endpoint

    def get_ebn0(self):
        return self.ebn0

    def set_ebn0(self, ebn0):
        self.ebn0 = ebn0
        self.set_sigma((1.0 / (2.0 * self.rate * 10.0 ** (self.ebn0 / 10.0))) ** 0.5)

    def get_rate(self):
        return self.rate

    def set_rate(self, rate):
        self.rate = rate
        self.set_sigma((1.0 / (2.0 * self.rate * 10.0 ** (self.ebn0 / 10.0))) ** 0.5)

    def get_noise_seed(self):
        return self.noise_seed

    def set_noise_seed(self, noise_seed):
        self.noise_seed = noise_seed

    def get_sigma(self):
        return self.sigma

    def set_sigma(self, sigma):
        self.sigma = sigma
        self.set_llr_scale(2.0 / self.sigma ** 2)
        self.analog_noise_source_x_0.set_amplitude(self.sigma)

    def get_llr_scale(self):
        return self.llr_scale

    def set_llr_scale(self, llr_scale):
        self.llr_scale = llr_scale
        self.blocks_multiply_const_vxx_0.set_k(self.llr_scale)

    def get_codeword_bits(self):
        return self.codeword_bits

    def set_codeword_bits(self, codeword_bits):
        self.codeword_bits = codeword_bits
        self.blocks_head_0.set_length(self.codeword_bits)



def argument_parser():
    description = 'Encoded bits -> BPSK (bit 1 -> +1) -> AWGN at Eb/N0 -> float LLRs 2y/sigma^2 (GNU Radio sign: positive means bit 1) -> ZMQ PUSH, vlen 1, raw stream (pass_tags False)'
    parser = ArgumentParser(description=description)
    parser.add_argument(
        "--codeword-file", dest="codeword_file", type=str, default='codewords.bin',
        help="Set Codeword bits file [default=%(default)r]")
    parser.add_argument(
        "--endpoint", dest="endpoint", type=str, default='tcp://127.0.0.1:5555',
        help="Set ZMQ endpoint (bind) [default=%(default)r]")
    parser.add_argument(
        "--ebn0", dest="ebn0", type=eng_float, default=eng_notation.num_to_str(float(8)),
        help="Set Eb/N0 (dB) [default=%(default)r]")
    parser.add_argument(
        "--rate", dest="rate", type=eng_float, default=eng_notation.num_to_str(float(0.5)),
        help="Set Code rate K/N [default=%(default)r]")
    parser.add_argument(
        "--noise-seed", dest="noise_seed", type=intx, default=42,
        help="Set Noise seed [default=%(default)r]")
    return parser


def main(top_block_cls=ldpc_tx, options=None):
    if options is None:
        options = argument_parser().parse_args()
    tb = top_block_cls(codeword_file=options.codeword_file, endpoint=options.endpoint, ebn0=options.ebn0, rate=options.rate, noise_seed=options.noise_seed)

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
