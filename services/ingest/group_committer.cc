#include "services/ingest/group_committer.h"

#include <utility>
#include <vector>

#include "absl/time/clock.h"

namespace hitclock::ingest {

GroupCommitter::GroupCommitter(IngestStore& store,
                               std::function<void()> committed)
    : common::GroupCommitter<Submission, absl::StatusOr<SubmitResult>>(
          [&store,
           committed = std::move(committed)](std::vector<Submission>& batch) {
            std::vector<const Submission*> pointers;
            pointers.reserve(batch.size());
            for (const Submission& s : batch) pointers.push_back(&s);
            auto results = store.Submit(pointers, absl::Now());
            if (results.ok() && committed) committed();
            std::vector<absl::StatusOr<SubmitResult>> out;
            out.reserve(batch.size());
            for (size_t i = 0; i < batch.size(); ++i) {
              if (results.ok()) {
                out.emplace_back(std::move((*results)[i]));
              } else {
                out.emplace_back(results.status());
              }
            }
            return out;
          },
          kMaxBatch) {}

}  // namespace hitclock::ingest
