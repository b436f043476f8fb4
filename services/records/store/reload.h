// The reload of a restart: every snapshot the records store holds, loaded
// into a records engine through its bulk path (`core::EngineLoader`). Every
// chart is reloaded alike. Lives beside the store: it reads the store's
// numbered form and speaks core types, and links no gRPC.

#ifndef HITCLOCK_SERVICES_RECORDS_STORE_RELOAD_H_
#define HITCLOCK_SERVICES_RECORDS_STORE_RELOAD_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "services/records/core/records_engine.h"
#include "services/records/store/records_store.h"

namespace hitclock::records {

// Declares the store's aggregate regions to `engine`, then loads every
// stored snapshot into it (the derived state rebuilt once at the end).
// Returns how many snapshots were loaded. `DataLoss` when a stored
// snapshot does not load; the store's errors as they come. Two threads: the
// store is decoded on a second one while this one applies.
absl::StatusOr<int64_t> ReloadEngine(RecordsStore& store,
                                     core::RecordsEngine& engine);

}  // namespace hitclock::records

#endif  // HITCLOCK_SERVICES_RECORDS_STORE_RELOAD_H_
