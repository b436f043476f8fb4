#include "services/records/regions.h"

#include "common/storefronts.h"

namespace hitclock::records {

bool IsStorefront(std::string_view code) {
  return common::FindStorefront(code) != nullptr;
}

bool IsKnownAggregate(std::string_view code) {
  return common::IsAggregateRegion(code);
}

}  // namespace hitclock::records
