// The forwarder: drains ingest's outbox toward records, resolving entries
// through the catalog on the way, with retries and backoff.
#ifndef HITCLOCK_SERVICES_INGEST_FORWARDER_H_
#define HITCLOCK_SERVICES_INGEST_FORWARDER_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/probe.h"
#include "hitclock/catalog/v1/catalog.grpc.pb.h"
#include "hitclock/ingest/v1/ingest.pb.h"
#include "hitclock/records/v1/records.grpc.pb.h"
#include "services/ingest/core/progress.h"
#include "services/ingest/store/ingest_store.h"

namespace hitclock::ingest {

// Most entries one ResolveTracks call carries (the catalog's limit).
inline constexpr int kMaxResolveBatch = 10000;

// How the forwarder reaches its peers and paces its retries.
struct ForwarderOptions {
  std::string catalog_address;  // empty: nothing is resolved or forwarded
  std::string records_address;  // empty: nothing is forwarded
  std::string token;            // bearer token sent to both peers
  common::ClientTls tls;
  // Retry delays after consecutive failures: initial * 2^n, capped, with
  // jitter (each delay is drawn from [d/2, d]).
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(10);
  // Snapshots sent to records whose result has not arrived yet, at most.
  int window = 1024;
  // Deadline of one ResolveTracks call.
  absl::Duration resolve_timeout = absl::Seconds(30);
  // How long snapshots sent to records (or the stream being opened) may go
  // without a result before the link counts as STALLED: the stream is then
  // cancelled and retried after the backoff.
  absl::Duration progress_deadline = absl::Seconds(10);
  // Keepalive pings on the channels to both peers, so that a connection to
  // a peer that answers nothing (e.g. a frozen process) fails even when no
  // snapshot is in flight.
  common::ClientKeepalive keepalive = {.time = absl::Seconds(20),
                                       .timeout = absl::Seconds(10)};
};

// The health of the link to one peer, shared by the callers of that peer.
// Thread-safe.
class LinkState {
 public:
  explicit LinkState(std::string address) : address_(std::move(address)) {}
  // A call made progress at `now`: LINK_STATE_READY.
  void Succeeded(absl::Time now);
  // A call failed: LINK_STATE_UNREACHABLE. Returns the number of
  // consecutive failures, this one included.
  int Failed(const std::string& error);
  // Work sent to the peer has had no result since `since`, for longer than
  // the progress deadline: LINK_STATE_STALLED (since the start of the first
  // stall in a row), counted as a failure. Returns the number of
  // consecutive failures, this one included.
  int Stalled(absl::Time since, const std::string& error);
  v1::DownstreamStatus Status() const;
  const std::string& address() const { return address_; }

 private:
  const std::string address_;
  mutable std::mutex mu_;
  v1::LinkState state_ = v1::LINK_STATE_UNSPECIFIED;
  std::optional<absl::Time> last_success_;
  std::optional<absl::Time> stalled_since_;
  std::string last_error_;
  int failures_ = 0;
};

// Resolves chart entries through the catalog's ResolveTracks, in batches
// of at most `kMaxResolveBatch`. Thread-safe.
class CatalogClient {
 public:
  explicit CatalogClient(const ForwarderOptions& options);
  // One resolution per entry, in order. UNAVAILABLE (or the call's own
  // error) when the catalog cannot be asked; FAILED_PRECONDITION when no
  // catalog address is configured.
  absl::StatusOr<std::vector<EntryResolution>> Resolve(
      std::span<const hitclock::common::v1::ChartEntry* const> entries);
  v1::DownstreamStatus Status() const { return link_.Status(); }
  int consecutive_failures() const { return failures_.load(); }

 private:
  std::shared_ptr<catalog::v1::CatalogService::Stub> Stub(bool fresh);

  const ForwarderOptions options_;
  LinkState link_;
  std::atomic<int> failures_{0};
  std::mutex mu_;
  std::shared_ptr<catalog::v1::CatalogService::Stub> stub_;
};

// The background worker that appends every outbox row to records, in outbox
// order: resolves the entries of snapshots never resolved (many snapshots
// per ResolveTracks call), sends each snapshot on one long-lived
// AppendSnapshots stream with at most `window` results outstanding, and
// removes the row only when records' result arrives (APPENDED, DUPLICATE,
// MERGED, REPLACED: forwarded; REJECTED with INVALID_ARGUMENT or
// ALREADY_EXISTS: FAILED for good, with the error). A failed call or stream
// is retried from the oldest row still in the outbox after a capped,
// jittered exponential backoff: records is idempotent, so a resend is
// harmless, and nothing leaves the outbox unacknowledged. When records
// answers nothing for longer than `progress_deadline` while snapshots are
// in flight (or while the stream is being opened), the link is STALLED and
// the stream is cancelled and retried the same way.
class Forwarder {
 public:
  Forwarder(IngestStore& store, CatalogClient& catalog,
            ForwarderOptions options);
  ~Forwarder();  // Stop()

  // Starts the worker and the progress watchdog.
  void Start();
  // Stops the worker and the watchdog and closes the stream; rows not
  // acknowledged stay in the outbox. Idempotent.
  void Stop();
  // Tells the worker new rows are in the outbox.
  void Wake();

  v1::DownstreamStatus RecordsStatus() const { return records_link_.Status(); }
  // When the worker will try again after a failure; nullopt when it is not
  // waiting to retry.
  std::optional<absl::Time> NextAttempt() const;

 private:
  struct InFlight {
    OutboxAck ack;
    int64_t index = 0;
  };
  struct Stream;

  void Run();
  // Resolves the items that need it and drops those replaced meanwhile.
  absl::Status ResolveItems(std::vector<OutboxItem>& items);
  // Opens the records stream and its reader; false when stopping.
  bool OpenStream();
  // Reads results until the stream ends; runs on the reader thread.
  void ReadResults(Stream* stream);
  // Cancels the stream (or the opening of one) whenever it outlives the
  // progress deadline; runs on the watchdog thread until stopped.
  void WatchProgress();
  void FlushAcks(std::vector<OutboxAck>& acks);
  // Ends the current stream (cancelling it), joins its reader, and notes
  // `error` on the rows left in flight.
  void CloseStream(const std::string& error);
  // Sleeps for the backoff after `failures` consecutive failures, or until
  // stopped.
  void Backoff(int failures);

  IngestStore& store_;
  CatalogClient& catalog_;
  const ForwarderOptions options_;
  LinkState records_link_;
  int records_failures_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::optional<absl::Time> next_attempt_;
  std::deque<InFlight> in_flight_;
  // Busy while a stream is being opened or snapshots are in flight.
  core::ProgressWatch progress_;
  std::unique_ptr<Stream> stream_;
  // The stream being started by OpenStream, outside the lock; Stop and the
  // watchdog cancel it.
  Stream* opening_ = nullptr;
  std::thread worker_;
  // Wakes the watchdog when stopping.
  std::condition_variable watchdog_cv_;
  std::thread watchdog_;
};

}  // namespace hitclock::ingest

#endif  // HITCLOCK_SERVICES_INGEST_FORWARDER_H_
