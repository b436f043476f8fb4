// The suite's protos (protos/hitclock/**) as one serialized
// google.protobuf.FileDescriptorSet, with their imports and their comments
// (source info), built by protoc at build time and embedded in the binary.
#ifndef HITCLOCK_PROTOS_DESCRIPTOR_SET_H_
#define HITCLOCK_PROTOS_DESCRIPTOR_SET_H_

#include <string_view>

namespace hitclock::protos {

// The bytes of the set; files come in dependency order (an import before the
// files that import it).
std::string_view DescriptorSet();

}  // namespace hitclock::protos

#endif  // HITCLOCK_PROTOS_DESCRIPTOR_SET_H_
