#include "services/records/store/checksums.h"

namespace hitclock::records {
namespace {

// FNV-1a, 64 bits: small, stable across builds and platforms, and good at
// what it is for here (finding changed bytes, not resisting an attacker).
class Fnv1a {
 public:
  void Byte(uint8_t b) {
    h_ ^= b;
    h_ *= 1099511628211ull;
  }
  void Bytes(std::string_view bytes) {
    for (char c : bytes) Byte(static_cast<uint8_t>(c));
  }
  // The low `n` bytes of `v`, least significant first.
  void Int(uint64_t v, int n = 8) {
    for (int i = 0; i < n; ++i) Byte(static_cast<uint8_t>(v >> (8 * i)));
  }
  int64_t value() const { return static_cast<int64_t>(h_); }

 private:
  uint64_t h_ = 1469598103934665603ull;
};

}  // namespace

int64_t BodyChecksum(int chart_size, std::string_view body) {
  // The chart size as 4 bytes, then the body: the layout of schema version 1,
  // whose stored `hash` values this must keep matching.
  Fnv1a h;
  h.Int(static_cast<uint32_t>(chart_size), 4);
  h.Bytes(body);
  return h.value();
}

int64_t NameChecksum(int64_t id, std::string_view name, int64_t flag) {
  Fnv1a h;
  h.Int(static_cast<uint64_t>(id));
  h.Int(static_cast<uint64_t>(flag));
  h.Int(name.size());
  h.Bytes(name);
  return h.value();
}

int64_t CaptureChecksum(int64_t chart, int64_t region, int64_t capture_time,
                        int64_t body) {
  Fnv1a h;
  h.Int(static_cast<uint64_t>(chart));
  h.Int(static_cast<uint64_t>(region));
  h.Int(static_cast<uint64_t>(capture_time));
  h.Int(static_cast<uint64_t>(body));
  return h.value();
}

}  // namespace hitclock::records
