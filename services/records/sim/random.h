// Portable randomness for the simulator (see below).
#ifndef HITCLOCK_SERVICES_RECORDS_SIM_RANDOM_H_
#define HITCLOCK_SERVICES_RECORDS_SIM_RANDOM_H_

#include <cmath>
#include <cstdint>

namespace hitclock::records::sim {

// The simulator's randomness. Every distribution is computed here from
// 64-bit integers, never with <random>'s distributions (whose algorithms
// differ between standard libraries), so a seed gives the same stream on
// every platform with IEEE doubles and the same libm.

// SplitMix64's finalizer: a bijective 64-bit mix, used as a stateless hash.
inline uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Hashes a sequence of keys into 64 bits (order matters).
inline uint64_t HashKeys(uint64_t a, uint64_t b, uint64_t c = 0,
                         uint64_t d = 0) {
  return Mix64(Mix64(Mix64(Mix64(a) ^ b) ^ c) ^ d);
}

// A uniform double in [0, 1) from the top 53 bits of `bits`.
inline double UnitFromBits(uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

// A small, fast, seeded generator: xoshiro256** seeded through SplitMix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& s : s_) {
      x += 0x9e3779b97f4a7c15ULL;
      s = Mix64(x);
    }
  }

  // The next 64 random bits.
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return UnitFromBits(Next()); }

  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }

  // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; the tiny bias
  // is irrelevant here and the result is platform-independent).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >>
                                 64);
  }

  // True with probability `p`.
  bool Bernoulli(double p) { return Uniform() < p; }

  // Exponential with the given mean (inverse transform).
  double Exponential(double mean) { return -mean * std::log1p(-Uniform()); }

  // Standard normal (Box-Muller; one value per call, the pair's twin is
  // dropped to keep the stream position simple).
  double Normal() {
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t s_[4];
};

}  // namespace hitclock::records::sim

#endif  // HITCLOCK_SERVICES_RECORDS_SIM_RANDOM_H_
