#include "services/records/store/reload.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace hitclock::records {

absl::StatusOr<int64_t> ReloadEngine(RecordsStore& store,
                                     core::RecordsEngine& engine) {
  auto aggregates = store.AggregateRegions();
  if (!aggregates.ok()) return aggregates.status();
  for (const std::string& code : *aggregates) {
    engine.SetRegionKind(code, core::RegionKind::kAggregate);
  }
  core::EngineLoader loader(engine);
  // The bulk path: track numbers instead of ids, each region's captures in
  // time order, the derived state rebuilt once at the end.
  int64_t count = 0;
  const std::vector<std::string> names = store.TrackNames();
  std::vector<uint32_t> engine_track(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (!names[i].empty()) engine_track[i] = loader.TrackNumber(names[i]);
  }
  // Store numbers map to engine numbers in the same order when the engine
  // interned them in store order (it starts empty): the store's sorted
  // bodies then need no sort here.
  bool monotone = true;
  for (size_t i = 0, last = 0, seen = 0; i < names.size(); ++i) {
    if (names[i].empty()) continue;
    if (seen++ > 0 && engine_track[i] <= engine_track[last]) monotone = false;
    last = i;
  }
  // Two threads: this one applies snapshots to the engine while a reader
  // decodes the next ones from the store. They are handed over in batches
  // (one flat observation array each) through a small bounded queue, and
  // applied batches go back to the reader to be refilled, so that no
  // snapshot costs an allocation.
  struct Header {
    std::string_view chart, region;
    int64_t capture_time = 0;
    int chart_size = 0;
    size_t begin = 0, end = 0;
  };
  struct Batch {
    std::vector<Header> headers;
    std::vector<std::pair<uint32_t, int>> observations;
  };
  constexpr size_t kBatch = 1024, kBatchesAhead = 4;
  std::mutex queue_mu;
  std::condition_variable queue_cv;
  std::deque<Batch> queue, spare;
  bool reading_done = false, stop_reading = false;
  absl::Status read_status;
  std::thread reader([&] {
    Batch batch;
    auto hand_over = [&]() -> bool {
      std::unique_lock lock(queue_mu);
      queue_cv.wait(
          lock, [&] { return queue.size() < kBatchesAhead || stop_reading; });
      if (stop_reading) return false;
      queue.push_back(std::move(batch));
      queue_cv.notify_all();
      if (!spare.empty()) {
        batch = std::move(spare.front());
        spare.pop_front();
      } else {
        batch = Batch{};
      }
      batch.headers.clear();
      batch.observations.clear();
      return true;
    };
    absl::Status s = store.ForEachStored([&](StoredSnapshot& snapshot) {
      Header h{
          snapshot.chart,      snapshot.region,           snapshot.capture_time,
          snapshot.chart_size, batch.observations.size(), 0};
      for (const auto& [track, position] : snapshot.observations) {
        batch.observations.emplace_back(engine_track[track], position);
      }
      h.end = batch.observations.size();
      if (!monotone) {
        std::sort(batch.observations.begin() + h.begin,
                  batch.observations.end());
      }
      batch.headers.push_back(h);
      if (batch.headers.size() == kBatch && !hand_over()) {
        return absl::CancelledError("reload stopped");
      }
      return absl::OkStatus();
    });
    if (s.ok() && !batch.headers.empty()) hand_over();
    std::lock_guard lock(queue_mu);
    read_status = s;
    reading_done = true;
    queue_cv.notify_all();
  });
  absl::Status reload;
  while (reload.ok()) {
    Batch batch;
    {
      std::unique_lock lock(queue_mu);
      queue_cv.wait(lock, [&] { return !queue.empty() || reading_done; });
      if (queue.empty()) break;
      batch = std::move(queue.front());
      queue.pop_front();
      queue_cv.notify_all();
    }
    for (const Header& h : batch.headers) {
      absl::Status s = loader.Load(
          h.chart, h.region, h.capture_time, h.chart_size,
          absl::MakeSpan(batch.observations.data() + h.begin, h.end - h.begin));
      if (!s.ok()) {
        reload = absl::DataLossError(absl::StrCat(
            "records store: a stored snapshot does not load: ", s.message()));
        break;
      }
      ++count;
    }
    std::lock_guard lock(queue_mu);
    spare.push_back(std::move(batch));
  }
  {
    std::lock_guard lock(queue_mu);
    stop_reading = true;
    queue_cv.notify_all();
  }
  reader.join();
  if (reload.ok()) reload = read_status;
  loader.Finish();
  if (!reload.ok()) return reload;
  return count;
}

}  // namespace hitclock::records
