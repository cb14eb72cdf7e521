/* torch_bridge: a small C ABI over libtorch that loads a TorchScript module and runs batched
 * forward passes into caller-owned buffers. Every call that can fail takes an error buffer
 * (err, errlen) and writes a NUL-terminated message into it on failure. */
#ifndef TORCH_BRIDGE_H
#define TORCH_BRIDGE_H

#include <stdint.h>

#if defined(_WIN32)
#define TB_API __declspec(dllexport)
#else
#define TB_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version; bumped whenever a signature below changes. */
#define TB_ABI_VERSION 2
TB_API int tb_abi_version(void);

/* Loads a TorchScript file on device 0 (CPU) or 1 (CUDA), in eval mode.
 * Returns an opaque handle, or NULL with a message in err. */
TB_API void* tb_load(const char* path, int device, char* err, int errlen);

/* Runs forward on in[batch * in_len] (row-major float32, shape [batch, in_len]) and copies the
 * result, which must have shape [batch, out_len], into out[batch * out_len].
 * Returns 0 on success, -1 on a bad argument or shape mismatch, -2 on a libtorch exception. */
TB_API int tb_forward(void* handle, const float* in, int64_t batch, int64_t in_len,
                      float* out, int64_t out_len, char* err, int errlen);

/* Releases a handle from tb_load; NULL is ignored. */
TB_API void tb_free(void* handle);

/* Sets libtorch's intra-op thread count (at_set_num_threads); values < 1 are ignored. */
TB_API void tb_set_threads(int threads);

/* Sets OpenBLAS's own thread count when the process has OpenBLAS loaded (libtorch then calls it from
 * its own intra-op threads, so 1 avoids oversubscription). Returns 1 when OpenBLAS was found, else 0
 * (for example when libblas.so.3 is the reference BLAS). Same effect as OPENBLAS_NUM_THREADS. */
TB_API int tb_set_blas_threads(int threads);

/* 1 when this libtorch build sees a CUDA device, else 0. */
TB_API int tb_cuda_available(void);

#ifdef __cplusplus
}
#endif

#endif
