// The regions a snapshot may name: the shared storefront table of
// `common/storefronts.h`, under the names the ingest core has always used.
#ifndef HITCLOCK_SERVICES_INGEST_CORE_STOREFRONTS_H_
#define HITCLOCK_SERVICES_INGEST_CORE_STOREFRONTS_H_

#include "common/storefronts.h"

namespace hitclock::ingest::core {

using common::FindStorefront;
using common::RegionKind;
using common::RegionKindOf;
using common::Storefront;
using common::Storefronts;

}  // namespace hitclock::ingest::core

#endif  // HITCLOCK_SERVICES_INGEST_CORE_STOREFRONTS_H_
