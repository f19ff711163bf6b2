//===- RuntimeTest.cpp - unit tests of the runtime's file parsing ---------===//
#include "loom/Runtime/Runtime.h"

#include <gtest/gtest.h>

#include <cmath>

#include <cstdio>
#include <cstring>
#include <functional>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace loom::rt;

namespace {

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "/loom_runtime_test_" + name;
}

void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// A safetensors file: 8-byte little-endian header length, the header, then `data`.
std::string safetensors(const std::string &header, const std::string &data) {
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

std::string floats(std::initializer_list<float> values) {
  std::string out;
  for (float v : values)
    out.append(reinterpret_cast<const char *>(&v), sizeof(float));
  return out;
}

std::string errorOf(const std::function<void()> &fn) {
  try {
    fn();
  } catch (const RuntimeError &e) {
    return e.what();
  }
  return "";
}

TEST(Npy, RoundTripsFloat32) {
  Array a = Array::zeros({2, 3});
  for (int i = 0; i < 6; ++i)
    a.data.get()[i] = 0.5f * static_cast<float>(i) - 1.0f;
  std::string path = tempPath("roundtrip.npy");
  writeNpy(path, a);
  Array b = readNpy(path);
  EXPECT_EQ(b.shape, (Shape{2, 3}));
  EXPECT_EQ(b.dtype, "F32");
  EXPECT_EQ(0, std::memcmp(a.data.get(), b.data.get(), 6 * sizeof(float)));
}

TEST(Npy, ReadsInt64) {
  std::string header = "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }";
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string file = std::string("\x93NUMPY\x01\x00", 8);
  file += static_cast<char>(header.size() & 0xff);
  file += static_cast<char>(header.size() >> 8);
  int64_t values[3] = {7, 0, -2};
  file += header + std::string(reinterpret_cast<const char *>(values), sizeof(values));
  std::string path = tempPath("int64.npy");
  writeBytes(path, file);
  Array a = readNpy(path);
  EXPECT_EQ(a.dtype, "I64");
  EXPECT_EQ(a.shape, (Shape{3}));
  EXPECT_EQ(reinterpret_cast<int64_t *>(a.data.get())[2], -2);
}

TEST(Npy, RejectsBadFiles) {
  std::string path = tempPath("bad.npy");
  writeBytes(path, "not numpy at all");
  EXPECT_NE(errorOf([&] { readNpy(path); }).find("not a .npy file"), std::string::npos);

  Array a = Array::zeros({4});
  writeNpy(path, a);
  std::ifstream in(path, std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  writeBytes(path, all.substr(0, all.size() - 4)); // one float short
  EXPECT_NE(errorOf([&] { readNpy(path); }).find("needs 16 data bytes, the file has 12"),
            std::string::npos);

  std::string fortran = all;
  fortran.replace(fortran.find("False"), 5, "True ");
  writeBytes(path, fortran);
  EXPECT_NE(errorOf([&] { readNpy(path); }).find("Fortran-order"), std::string::npos);
}

TEST(SafeTensors, ParsesAndBinds) {
  std::string header = R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                       R"("a":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]},)"
                       R"("__metadata__":{"format":"pt"}})";
  std::string path = tempPath("ok.safetensors");
  writeBytes(path, safetensors(header, floats({1.f, 2.f, 3.f})));
  SafeTensors st(path);
  EXPECT_EQ(st.entries().size(), 2u);
  std::vector<void *> ptrs = st.bind({{"a", {1, 1}, "F32"}, {"b", {2}, "F32"}});
  EXPECT_EQ(static_cast<float *>(ptrs[0])[0], 3.f);
  EXPECT_EQ(static_cast<float *>(ptrs[1])[1], 2.f);
}

// Weights stay readable when another process truncates the file after it was opened (a
// mapped file would raise SIGBUS on the next access).
TEST(SafeTensors, SurvivesTruncationAfterOpen) {
  constexpr int n = 1 << 18; // 1 MiB of data, many pages
  std::string data(n * sizeof(float), '\0');
  for (int i = 0; i < n; ++i) {
    float v = static_cast<float>(i);
    std::memcpy(&data[i * sizeof(float)], &v, sizeof v);
  }
  std::string header = R"({"w":{"dtype":"F32","shape":[)" + std::to_string(n) +
                       R"(],"data_offsets":[0,)" + std::to_string(data.size()) + "]}}";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string path = tempPath("truncated.safetensors");
  writeBytes(path, safetensors(header, data));
  SafeTensors st(path);
  std::vector<void *> ptrs = st.bind({{"w", {n}, "F32"}});
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  const float *w = static_cast<const float *>(ptrs[0]);
  double sum = 0;
  for (int i = 0; i < n; ++i)
    sum += w[i];
  EXPECT_EQ(sum, static_cast<double>(n) * (n - 1) / 2);
}

// Found by the C API fuzzer: each rejected file leaked its mapping, and after ~65k of them
// (vm.max_map_count) the process could not map anything. A rejected file now frees all.
TEST(SafeTensors, RejectedFilesLeakNothing) {
  std::string path = tempPath("rejected.safetensors");
  writeBytes(path, safetensors(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,9]}})",
                               floats({1.f, 2.f})));
  std::string first = errorOf([&] { SafeTensors st(path); });
  ASSERT_NE(first, "");
  for (int i = 0; i < 70000; ++i)
    ASSERT_EQ(errorOf([&] { SafeTensors st(path); }), first) << "open " << i;
}

TEST(SafeTensors, CopiesMisalignedTensors) {
  // "w" starts at byte 2 of the data: not 4-byte aligned, so bind() hands out an aligned copy.
  std::string header = R"({"pad":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                       R"("w":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string path = tempPath("misaligned.safetensors");
  writeBytes(path, safetensors(header, std::string(2, '\0') + floats({4.5f})));
  SafeTensors st(path);
  std::vector<void *> ptrs = st.bind({{"pad", {2}, "U8"}, {"w", {1}, "F32"}});
  EXPECT_EQ(reinterpret_cast<uintptr_t>(ptrs[1]) % alignof(float), 0u);
  EXPECT_EQ(*static_cast<float *>(ptrs[1]), 4.5f);
}

TEST(SafeTensors, RejectsLiesAndMismatches) {
  std::string path = tempPath("bad.safetensors");
  std::string ok = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  writeBytes(path, safetensors(ok, floats({1.f})));  // data is 4 bytes short
  EXPECT_NE(errorOf([&] { SafeTensors st(path); }).find("lie outside the data section"),
            std::string::npos);
  writeBytes(path, safetensors(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
                               floats({1.f, 2.f})));
  EXPECT_NE(errorOf([&] { SafeTensors st(path); }).find("needs 12 bytes but data_offsets span 8"),
            std::string::npos);
  writeBytes(path, safetensors(R"({"w":{"dtype":"F99","shape":[2],"data_offsets":[0,8]}})",
                               floats({1.f, 2.f})));
  EXPECT_NE(errorOf([&] { SafeTensors st(path); }).find("unknown dtype 'F99'"), std::string::npos);
  writeBytes(path, safetensors("[1, 2]", ""));
  EXPECT_NE(errorOf([&] { SafeTensors st(path); }).find("must be a JSON object"), std::string::npos);
  // The tensors must tile the data section: a byte past them, or two on the same bytes.
  writeBytes(path, safetensors(ok, floats({1.f, 2.f}) + "x"));
  EXPECT_NE(errorOf([&] { SafeTensors st(path); }).find("has 9 bytes but its tensors cover 8"),
            std::string::npos);
  writeBytes(path, safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                               R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                               floats({1.f, 2.f})));
  EXPECT_NE(errorOf([&] { SafeTensors st(path); }).find("overlapping data_offsets"),
            std::string::npos);

  writeBytes(path, safetensors(ok, floats({1.f, 2.f})));
  SafeTensors st(path);
  EXPECT_NE(errorOf([&] { st.bind({{"w", {2}, "F32"}, {"v", {1}, "F32"}}); })
                .find("missing tensor 'v'"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { st.bind({}); }).find("unexpected tensor 'w'"), std::string::npos);
  EXPECT_NE(errorOf([&] { st.bind({{"w", {1, 2}, "F32"}}); }).find("has shape [2], the model expects [1, 2]"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { st.bind({{"w", {2}, "I32"}}); }).find("has dtype F32, the model expects I32"),
            std::string::npos);
}

// F16 and BF16 tensors bind to F32 weights, converted exactly (normal, subnormal, signed
// zero, infinity); every mismatch is listed in one error; --ignore globs skip tensors.
TEST(SafeTensors, HalfPrecisionIgnoreAndManyErrors) {
  std::string path = tempPath("half.safetensors");
  auto halves = [](std::initializer_list<uint16_t> values) {
    std::string out;
    for (uint16_t v : values)
      out.append(reinterpret_cast<const char *>(&v), 2);
    return out;
  };
  // F16: 1.0, -2.5, the smallest subnormal 2^-24, -0.0, +inf; BF16: 1.0, -2.5, 2^-133.
  std::string header = R"({"h":{"dtype":"F16","shape":[5],"data_offsets":[0,10]},)"
                       R"("b":{"dtype":"BF16","shape":[3],"data_offsets":[10,16]},)"
                       R"("h.0.attn.bias":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}})";
  writeBytes(path, safetensors(header, halves({0x3c00, 0xc100, 0x0001, 0x8000, 0x7c00}) +
                                           halves({0x3f80, 0xc020, 0x0001}) + floats({0.f})));
  SafeTensors st(path);
  std::vector<void *> p =
      st.bind({{"h", {5}, "F32"}, {"b", {3}, "F32"}}, {}, {"h.*.attn.bias"});
  const float *h = static_cast<const float *>(p[0]), *b = static_cast<const float *>(p[1]);
  EXPECT_EQ(h[0], 1.0f);
  EXPECT_EQ(h[1], -2.5f);
  EXPECT_EQ(h[2], std::ldexp(1.0f, -24));
  EXPECT_TRUE(h[3] == 0.0f && std::signbit(h[3]));
  EXPECT_TRUE(std::isinf(h[4]) && h[4] > 0);
  EXPECT_EQ(b[0], 1.0f);
  EXPECT_EQ(b[1], -2.5f);
  EXPECT_EQ(b[2], std::ldexp(1.0f, -133));
  // Without the glob the buffer is unexpected; with a wrong shape too, both are named.
  std::string err = errorOf([&] { st.bind({{"h", {5}, "F32"}, {"b", {4}, "F32"}}); });
  EXPECT_NE(err.find("2 tensors do not match the model"), std::string::npos) << err;
  EXPECT_NE(err.find("unexpected tensor 'h.0.attn.bias'"), std::string::npos) << err;
  EXPECT_NE(err.find("tensor 'b' has shape [3], the model expects [4]"), std::string::npos) << err;
  // A half-precision tensor does not bind to an integer weight.
  EXPECT_NE(errorOf([&] { st.bind({{"h", {5}, "I32"}, {"b", {3}, "F32"}}, {}, {"*.bias"}); })
                .find("has dtype F16, the model expects I32"),
            std::string::npos);
}

TEST(Manifest, ParsesAndRejectsCorruption) {
  Manifest m = Manifest::parse(
      R"({"model":"M","inputs":[{"name":"x","shape":[1,2,3],"dtype":"F32"}],)"
      R"("outputs":[{"name":"output","shape":[1,2,3],"dtype":"F32"}],)"
      R"("weights":[{"name":"w","shape":[3],"dtype":"F32"}],"prepared":[]})");
  EXPECT_EQ(m.model, "M");
  ASSERT_EQ(m.inputs.size(), 1u);
  EXPECT_EQ(m.inputs[0].shape, (Shape{1, 2, 3}));
  EXPECT_EQ(m.weights[0].name, "w");
  EXPECT_NE(errorOf([] { Manifest::parse(R"({"model":"M"})"); }).find("corrupt model manifest"),
            std::string::npos);
}

std::string manifestWithCPU(const std::string &features) {
  return R"({"model":"M","inputs":[],"outputs":[],"weights":[],"prepared":[],)"
         R"("cpu":{"name":"some-cpu","features":[)" + features + "]}}";
}

TEST(Manifest, ChecksTheCPUFeatures) {
  Manifest m = Manifest::parse(manifestWithCPU(R"("sse4.2")").c_str());
  EXPECT_EQ(m.cpu, "some-cpu");
  EXPECT_EQ(m.cpuFeatures, (std::vector<std::string>{"sse4.2"}));
  // A feature this host lacks is refused by name; one it has is accepted.
  __builtin_cpu_init();
  std::string avx512 = errorOf([] { Manifest::parse(manifestWithCPU(R"("avx512f")").c_str()); });
  if (__builtin_cpu_supports("avx512f"))
    EXPECT_EQ(avx512, "");
  else
    EXPECT_NE(avx512.find("compiled for the CPU 'some-cpu', and this CPU lacks avx512f"),
              std::string::npos)
        << avx512;
  // A name outside LOOM_CPU_FEATURES cannot be checked: an error, not a guess.
  EXPECT_NE(errorOf([] { Manifest::parse(manifestWithCPU(R"("avx9000")").c_str()); })
                .find("names the CPU feature 'avx9000', which this runtime cannot check"),
            std::string::npos);
  EXPECT_NE(errorOf([] { Manifest::parse(manifestWithCPU("1").c_str()); })
                .find("corrupt model manifest"),
            std::string::npos);
}

} // namespace
