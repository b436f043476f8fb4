// The suite's one message size limit, shared by every server (what it
// receives), the peer channels between services and the `hitclock` client
// (what they receive). Header only (listed with `hitclock_domain`).
#ifndef HITCLOCK_COMMON_LIMITS_H_
#define HITCLOCK_COMMON_LIMITS_H_

namespace hitclock::common {

// 8 MiB: a request or response larger than this is refused with
// RESOURCE_EXHAUSTED. The protos and the README state the same figure.
inline constexpr int kMaxMessageBytes = 8 * 1024 * 1024;

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_LIMITS_H_
