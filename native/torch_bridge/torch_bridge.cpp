#include "torch_bridge.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

namespace {

struct Model {
    torch::jit::script::Module module;
    torch::Device device;
};

void write_error(char* err, int errlen, const std::string& message) {
    if (err == nullptr || errlen <= 0) return;
    std::snprintf(err, static_cast<size_t>(errlen), "%s", message.c_str());
}

// libtorch's what() carries a C++ backtrace after the first line, so the first line is the message;
// TorchScript interpreter errors instead put a script traceback first and the cause ("RuntimeError: ...") last.
std::string summary(const char* what) {
    std::string text(what);
    if (text.rfind("The following operation failed in the TorchScript interpreter", 0) == 0) {
        auto end = text.find_last_not_of("\n ");
        auto start = text.rfind('\n', end);
        return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
    }
    auto end = text.find('\n');
    return end == std::string::npos ? text : text.substr(0, end);
}

std::string shape_string(const at::Tensor& t) {
    std::string s = "[";
    for (int64_t i = 0; i < t.dim(); ++i) {
        if (i > 0) s += ", ";
        s += std::to_string(t.size(i));
    }
    return s + "]";
}

}  // namespace

extern "C" {

int tb_abi_version(void) { return TB_ABI_VERSION; }

void* tb_load(const char* path, int device, char* err, int errlen) {
    if (path == nullptr) {
        write_error(err, errlen, "tb_load: path is null");
        return nullptr;
    }
    if (device != 0 && device != 1) {
        write_error(err, errlen, "tb_load: device must be 0 (cpu) or 1 (cuda), got " + std::to_string(device));
        return nullptr;
    }
    if (device == 1 && !torch::cuda::is_available()) {
        write_error(err, errlen, "tb_load: CUDA requested but this libtorch sees no CUDA device");
        return nullptr;
    }
    try {
        torch::Device target = device == 1 ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
        auto model = std::make_unique<Model>(Model{torch::jit::load(path, target), target});
        model->module.eval();
        return model.release();
    } catch (const std::exception& e) {
        write_error(err, errlen, std::string("tb_load: cannot load TorchScript file '") + path + "': " + summary(e.what()));
        return nullptr;
    }
}

int tb_forward(void* handle, const float* in, int64_t batch, int64_t in_len,
               float* out, int64_t out_len, char* err, int errlen) {
    if (handle == nullptr || in == nullptr || out == nullptr) {
        write_error(err, errlen, "tb_forward: null handle or buffer");
        return -1;
    }
    if (batch <= 0 || in_len <= 0 || out_len <= 0) {
        write_error(err, errlen, "tb_forward: batch, in_len and out_len must be positive");
        return -1;
    }
    auto* model = static_cast<Model*>(handle);
    try {
        c10::InferenceMode inference;
        // from_blob wraps the caller's memory without copying; the module must not write into its input.
        auto input = torch::from_blob(const_cast<float*>(in), {batch, in_len}, torch::kFloat32);
        if (model->device.is_cuda()) input = input.to(model->device, /*non_blocking=*/false);
        auto result = model->module.forward({input});
        if (!result.isTensor()) {
            write_error(err, errlen, "tb_forward: model returned " + result.tagKind() + ", expected a tensor");
            return -1;
        }
        auto output = result.toTensor();
        if (output.dim() != 2 || output.size(0) != batch || output.size(1) != out_len) {
            write_error(err, errlen, "tb_forward: output shape " + shape_string(output) + " does not match expected [" +
                                         std::to_string(batch) + ", " + std::to_string(out_len) + "]");
            return -1;
        }
        output = output.to(torch::kCPU, torch::kFloat32).contiguous();
        std::memcpy(out, output.data_ptr<float>(), static_cast<size_t>(batch * out_len) * sizeof(float));
        return 0;
    } catch (const std::exception& e) {
        write_error(err, errlen, std::string("tb_forward: ") + summary(e.what()));
        return -2;
    }
}

void tb_free(void* handle) { delete static_cast<Model*>(handle); }

void tb_set_threads(int threads) {
    if (threads >= 1) at::set_num_threads(threads);
}

int tb_set_blas_threads(int threads) {
    using SetThreads = void (*)(int);
    auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    if (set == nullptr) return 0;
    if (threads >= 1) set(threads);
    return 1;
}

int tb_cuda_available(void) { return torch::cuda::is_available() ? 1 : 0; }

}  // extern "C"
