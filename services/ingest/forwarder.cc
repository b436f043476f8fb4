#include "services/ingest/forwarder.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <random>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "services/ingest/convert.h"

namespace hitclock::ingest {
namespace {

// Outbox rows read per round.
constexpr int kReadBatch = 512;
// Acknowledged rows are marked in batches of at most this many, or sooner
// when nothing more is in flight or `kAckFlushInterval` passed.
constexpr size_t kAckBatch = 256;
constexpr absl::Duration kAckFlushInterval = absl::Milliseconds(50);
// How long the idle worker sleeps before looking at the outbox again
// without being woken.
constexpr auto kIdlePoll = std::chrono::seconds(1);
// The progress watchdog looks at the link at least this often.
constexpr absl::Duration kWatchdogPoll = absl::Seconds(1);

// An entry as the catalog sees it, for asking each distinct one once.
struct EntryKey {
  std::string_view title, artist_credit, provider, provider_track_id;
  bool operator==(const EntryKey&) const = default;
};
struct EntryKeyHash {
  size_t operator()(const EntryKey& k) const {
    const std::hash<std::string_view> h;
    size_t seed = h(k.title);
    for (const std::string_view* s :
         {&k.artist_credit, &k.provider, &k.provider_track_id}) {
      seed ^= h(*s) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
    }
    return seed;
  }
};

// Logs the first failure of a run and every tenth after it.
bool ShouldLog(int failures) { return failures == 1 || failures % 10 == 0; }

}  // namespace

void LinkState::Succeeded(absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (failures_ > 0) {
    common::LogInfo(
        "peer reachable again",
        {{"address", address_}, {"failures", std::to_string(failures_)}});
  }
  state_ = v1::LINK_STATE_READY;
  last_success_ = now;
  stalled_since_.reset();
  last_error_.clear();
  failures_ = 0;
}

int LinkState::Failed(const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  state_ = v1::LINK_STATE_UNREACHABLE;
  stalled_since_.reset();
  last_error_ = error;
  ++failures_;
  if (ShouldLog(failures_)) {
    common::LogWarn("peer call failed",
                    {{"address", address_},
                     {"error", error},
                     {"failures", std::to_string(failures_)}});
  }
  return failures_;
}

int LinkState::Stalled(absl::Time since, const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != v1::LINK_STATE_STALLED || !stalled_since_) {
    stalled_since_ = since;
  }
  state_ = v1::LINK_STATE_STALLED;
  last_error_ = error;
  ++failures_;
  if (ShouldLog(failures_)) {
    common::LogWarn("peer stalled", {{"address", address_},
                                     {"error", error},
                                     {"failures", std::to_string(failures_)}});
  }
  return failures_;
}

v1::DownstreamStatus LinkState::Status() const {
  std::lock_guard<std::mutex> lock(mu_);
  v1::DownstreamStatus s;
  s.set_address(address_);
  s.set_reachable(state_ == v1::LINK_STATE_READY);
  if (last_success_)
    *s.mutable_last_success_time() = ToTimestamp(*last_success_);
  s.set_last_error(last_error_);
  s.set_consecutive_failure_count(failures_);
  s.set_state(state_);
  if (state_ == v1::LINK_STATE_STALLED && stalled_since_) {
    *s.mutable_no_progress_since_time() = ToTimestamp(*stalled_since_);
  }
  return s;
}

CatalogClient::CatalogClient(const ForwarderOptions& options)
    : options_(options), link_(options.catalog_address) {}

std::shared_ptr<catalog::v1::CatalogService::Stub> CatalogClient::Stub(
    bool fresh) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fresh || stub_ == nullptr) {
    auto channel = common::CreatePeerChannel(options_.catalog_address,
                                             options_.tls, options_.keepalive);
    if (!channel.ok()) return nullptr;
    stub_ = catalog::v1::CatalogService::NewStub(*channel);
  }
  return stub_;
}

absl::StatusOr<std::vector<EntryResolution>> CatalogClient::Resolve(
    std::span<const hitclock::common::v1::ChartEntry* const> entries) {
  if (options_.catalog_address.empty()) {
    return absl::FailedPreconditionError(
        "no catalog address configured (--catalog-address)");
  }
  std::vector<EntryResolution> out;
  out.reserve(entries.size());
  for (size_t start = 0; start < entries.size(); start += kMaxResolveBatch) {
    const size_t end = std::min(entries.size(), start + kMaxResolveBatch);
    catalog::v1::ResolveTracksRequest request;
    request.mutable_entries()->Reserve(static_cast<int>(end - start));
    for (size_t i = start; i < end; ++i) *request.add_entries() = *entries[i];
    auto stub = Stub(/*fresh=*/failures_.load() > 0);
    if (stub == nullptr) {
      return absl::FailedPreconditionError("cannot read the TLS CA file");
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(
        absl::ToChronoTime(absl::Now() + options_.resolve_timeout));
    common::SetBearerToken(&ctx, options_.token);
    catalog::v1::ResolveTracksResponse response;
    const grpc::Status status = stub->ResolveTracks(&ctx, request, &response);
    if (!status.ok() ||
        response.resolutions_size() != static_cast<int>(end - start)) {
      const std::string error =
          status.ok() ? "catalog answered the wrong number of resolutions"
                      : absl::StrCat("ResolveTracks: ", status.error_message());
      ++failures_;
      link_.Failed(error);
      if (!status.ok()) {
        const absl::Status s = common::FromGrpcStatus(status);
        return absl::Status(s.code(), error);
      }
      return absl::InternalError(error);
    }
    failures_ = 0;
    link_.Succeeded(absl::Now());
    for (auto& r : *response.mutable_resolutions()) {
      EntryResolution e;
      e.track_id = std::move(*r.mutable_track_id());
      e.detail = std::move(*r.mutable_detail());
      out.push_back(std::move(e));
    }
  }
  return out;
}

struct Forwarder::Stream {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<records::v1::RecordsService::Stub> stub;
  grpc::ClientContext ctx;
  std::unique_ptr<
      grpc::ClientReaderWriter<records::v1::AppendSnapshotsRequest,
                               records::v1::AppendSnapshotsResponse>>
      rw;
  std::thread reader;
  int64_t next_index = 0;
  // Guarded by Forwarder::mu_.
  bool broken = false;
  // Cancelled by the watchdog: the link is already reported STALLED.
  bool stalled = false;
  bool reads_ended = false;
  std::string error;
};

Forwarder::Forwarder(IngestStore& store, CatalogClient& catalog,
                     ForwarderOptions options)
    : store_(store),
      catalog_(catalog),
      options_(std::move(options)),
      records_link_(options_.records_address),
      progress_(options_.progress_deadline) {}

Forwarder::~Forwarder() { Stop(); }

void Forwarder::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (worker_.joinable() || stop_) return;
  worker_ = std::thread([this] { Run(); });
  watchdog_ = std::thread([this] { WatchProgress(); });
}

void Forwarder::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    if (stream_) stream_->ctx.TryCancel();
    if (opening_ != nullptr) opening_->ctx.TryCancel();
  }
  cv_.notify_all();
  watchdog_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  if (watchdog_.joinable()) watchdog_.join();
}

void Forwarder::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

std::optional<absl::Time> Forwarder::NextAttempt() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_attempt_;
}

void Forwarder::Backoff(int failures) {
  absl::Duration delay = options_.initial_backoff;
  for (int i = 1; i < failures && delay < options_.max_backoff; ++i) delay *= 2;
  delay = std::min(delay, options_.max_backoff);
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  delay = delay * jitter(rng);
  std::unique_lock<std::mutex> lock(mu_);
  next_attempt_ = absl::Now() + delay;
  cv_.wait_for(lock, absl::ToChronoNanoseconds(delay), [&] { return stop_; });
  next_attempt_.reset();
}

void Forwarder::Run() {
  int64_t cursor = 0;
  for (;;) {
    bool broken = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stop_) break;
      if (options_.records_address.empty() ||
          options_.catalog_address.empty()) {
        cv_.wait_for(lock, kIdlePoll, [&] { return stop_; });
        continue;
      }
      broken = stream_ != nullptr && stream_->broken;
    }
    if (broken) {
      CloseStream("");
      cursor = 0;  // resend everything still in the outbox
      int failures;
      {
        std::lock_guard<std::mutex> lock(mu_);
        failures = ++records_failures_;
      }
      Backoff(failures);
      continue;
    }
    absl::StatusOr<std::vector<OutboxItem>> items =
        store_.ReadOutbox(cursor, kReadBatch);
    if (!items.ok()) {
      common::LogError("cannot read the outbox",
                       {{"error", items.status().ToString()}});
      Backoff(5);
      continue;
    }
    if (items->empty()) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, kIdlePoll, [&] {
        return stop_ || woken_ || (stream_ != nullptr && stream_->broken);
      });
      woken_ = false;
      continue;
    }
    const int64_t last_seq = items->back().outbox_seq;
    if (absl::Status s = ResolveItems(*items); !s.ok()) {
      Backoff(std::max(1, catalog_.consecutive_failures()));
      continue;
    }
    bool have_stream;
    {
      std::lock_guard<std::mutex> lock(mu_);
      have_stream = stream_ != nullptr;
    }
    if (!have_stream && !OpenStream()) break;
    bool interrupted = false;
    for (OutboxItem& item : *items) {
      Stream* stream;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] {
          return stop_ || stream_->broken ||
                 static_cast<int>(in_flight_.size()) < options_.window;
        });
        if (stop_ || stream_->broken) {
          interrupted = true;
          break;
        }
        stream = stream_.get();
        in_flight_.push_back(
            {{item.outbox_seq, item.snapshot_seq}, stream->next_index++});
        progress_.Busy(absl::Now());
      }
      records::v1::AppendSnapshotsRequest request;
      *request.mutable_snapshot() = ToRecordsSnapshot(std::move(item));
      request.set_replace(item.replace);
      if (!stream->rw->Write(request)) {
        std::lock_guard<std::mutex> lock(mu_);
        stream->broken = true;
        interrupted = true;
        break;
      }
    }
    if (!interrupted) cursor = last_seq;
  }
  CloseStream("forwarder stopped");
}

absl::Status Forwarder::ResolveItems(std::vector<OutboxItem>& items) {
  std::vector<bool> dropped(items.size(), false);
  size_t i = 0;
  while (i < items.size()) {
    // One ResolveTracks batch: consecutive items needing resolution whose
    // distinct entries number at most kMaxResolveBatch. A chart's entries
    // repeat across regions and captures, so each distinct entry (title,
    // credit, provider, provider id) is asked once per batch: the same
    // question gets the same answer.
    std::vector<size_t> batch;
    std::vector<const hitclock::common::v1::ChartEntry*> distinct;
    std::unordered_map<EntryKey, uint32_t, EntryKeyHash> index_of;
    std::vector<uint32_t> entry_index;  // per entry of the batch, in order
    for (; i < items.size(); ++i) {
      if (!items[i].needs_resolution) continue;
      const int n = items[i].snapshot.entries_size();
      if (!batch.empty() &&
          distinct.size() + n > static_cast<size_t>(kMaxResolveBatch)) {
        break;
      }
      batch.push_back(i);
      for (const auto& e : items[i].snapshot.entries()) {
        const hitclock::common::v1::ChartEntry& entry = e.entry();
        auto [it, added] = index_of.try_emplace(
            EntryKey{entry.title(), entry.artist_credit(), entry.provider(),
                     entry.provider_track_id()},
            static_cast<uint32_t>(distinct.size()));
        if (added) distinct.push_back(&entry);
        entry_index.push_back(it->second);
      }
    }
    if (batch.empty()) break;
    absl::StatusOr<std::vector<EntryResolution>> resolutions =
        catalog_.Resolve(distinct);
    if (!resolutions.ok()) return resolutions.status();
    std::vector<ResolutionUpdate> updates;
    updates.reserve(batch.size());
    size_t offset = 0;
    for (size_t b : batch) {
      ResolutionUpdate u;
      u.snapshot_seq = items[b].snapshot_seq;
      u.version = items[b].version;
      u.snapshot = &items[b].snapshot;
      const size_t n = items[b].snapshot.entries_size();
      u.entries.reserve(n);
      for (size_t k = offset; k < offset + n; ++k) {
        u.entries.push_back((*resolutions)[entry_index[k]]);
      }
      offset += n;
      updates.push_back(std::move(u));
    }
    std::vector<std::optional<std::vector<core::ResolvedEntry>>> resolved;
    if (absl::Status s = store_.SaveResolutions(updates, &resolved); !s.ok()) {
      common::LogError("cannot save resolutions", {{"error", s.ToString()}});
      return s;
    }
    for (size_t k = 0; k < batch.size(); ++k) {
      OutboxItem& item = items[batch[k]];
      if (!resolved[k]) {
        dropped[batch[k]] = true;  // replaced meanwhile: its new row follows
        continue;
      }
      item.resolved = *std::move(resolved[k]);
      item.needs_resolution = false;
    }
  }
  size_t kept = 0;
  for (size_t k = 0; k < items.size(); ++k) {
    if (!dropped[k]) {
      if (kept != k) items[kept] = std::move(items[k]);
      ++kept;
    }
  }
  items.resize(kept);
  return absl::OkStatus();
}

bool Forwarder::OpenStream() {
  auto stream = std::make_unique<Stream>();
  // A fresh channel for each stream: it connects at once, instead of
  // waiting out the reconnect backoff of a channel that saw the peer down.
  auto channel = common::CreatePeerChannel(options_.records_address,
                                           options_.tls, options_.keepalive);
  if (!channel.ok()) {
    records_link_.Failed(channel.status().ToString());
    Backoff(5);
    std::lock_guard<std::mutex> lock(mu_);
    return !stop_;
  }
  stream->channel = *channel;
  stream->stub = records::v1::RecordsService::NewStub(stream->channel);
  common::SetBearerToken(&stream->ctx, options_.token);
  Stream* raw = stream.get();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return false;
    // So that Stop and the watchdog can cancel the call while it starts.
    opening_ = raw;
    progress_.Busy(absl::Now());
  }
  // Starting the call waits for the connection (up to gRPC's connect
  // timeout when records accepts TCP but answers nothing, e.g. frozen), so
  // it runs without the lock: Wake(), from every acknowledged write, and
  // the status calls take the lock and must never wait on a peer.
  stream->rw = stream->stub->AppendSnapshots(&stream->ctx);
  {
    std::lock_guard<std::mutex> lock(mu_);
    opening_ = nullptr;
    progress_.Idle();  // open: the wait is for results from now on
    stream_ = std::move(stream);
    // Stopped or stalled meanwhile: the call was cancelled; Run closes it.
  }
  raw->reader = std::thread([this, raw] { ReadResults(raw); });
  return true;
}

void Forwarder::FlushAcks(std::vector<OutboxAck>& acks) {
  if (acks.empty()) return;
  if (absl::Status s = store_.MarkForwarded(acks, absl::Now()); !s.ok()) {
    // The rows stay in the outbox and are sent again: records is idempotent.
    common::LogError("cannot mark snapshots forwarded",
                     {{"error", s.ToString()}});
  }
  acks.clear();
}

void Forwarder::ReadResults(Stream* stream) {
  records::v1::AppendSnapshotsResponse response;
  std::vector<OutboxAck> acks;
  absl::Time last_flush = absl::Now();
  std::string error;
  while (stream->rw->Read(&response)) {
    InFlight f;
    bool idle;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (in_flight_.empty()) {
        error = "records sent a result for no snapshot";
        break;
      }
      f = in_flight_.front();
      in_flight_.pop_front();
      idle = in_flight_.empty();
      progress_.Progressed(absl::Now(), !idle);
    }
    cv_.notify_all();
    if (response.index() != f.index) {
      error = absl::StrCat("records answered index ", response.index(),
                           ", expected ", f.index);
      break;
    }
    switch (response.outcome()) {
      case records::v1::APPEND_OUTCOME_APPENDED:
      case records::v1::APPEND_OUTCOME_DUPLICATE:
      case records::v1::APPEND_OUTCOME_MERGED:
      case records::v1::APPEND_OUTCOME_REPLACED:
        acks.push_back(f.ack);
        break;
      case records::v1::APPEND_OUTCOME_REJECTED:
      default: {
        const auto& e = response.error();
        const std::string message = absl::StrCat(
            "records rejected it: ",
            absl::StatusCodeToString(static_cast<absl::StatusCode>(e.code())),
            e.field().empty() ? "" : absl::StrCat(" ", e.field()), ": ",
            e.message());
        if (response.outcome() == records::v1::APPEND_OUTCOME_REJECTED &&
            (e.code() == static_cast<int>(absl::StatusCode::kInvalidArgument) ||
             e.code() == static_cast<int>(absl::StatusCode::kAlreadyExists))) {
          FlushAcks(acks);
          common::LogWarn("snapshot dead-lettered",
                          {{"snapshot", SnapshotId(f.ack.snapshot_seq)},
                           {"error", message}});
          if (absl::Status s = store_.MarkFailed(f.ack, message); !s.ok()) {
            common::LogError("cannot mark snapshot failed",
                             {{"error", s.ToString()}});
          }
        } else {
          error = message;  // transient: retry from the outbox
        }
      }
    }
    if (!error.empty()) break;
    {
      std::lock_guard<std::mutex> lock(mu_);
      records_failures_ = 0;
    }
    records_link_.Succeeded(absl::Now());
    const absl::Time now = absl::Now();
    if (idle || acks.size() >= kAckBatch ||
        now - last_flush > kAckFlushInterval) {
      FlushAcks(acks);
      last_flush = now;
    }
  }
  FlushAcks(acks);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stream->broken = true;
    stream->reads_ended = error.empty();
    if (stream->error.empty()) stream->error = error;
    if (!error.empty()) stream->ctx.TryCancel();
  }
  cv_.notify_all();
}

void Forwarder::CloseStream(const std::string& reason) {
  std::unique_ptr<Stream> stream;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stream_ == nullptr) return;
    if (!stream_->reads_ended) stream_->ctx.TryCancel();
  }
  // The reader ends once the stream does (cancelled or finished).
  stream_->reader.join();
  const grpc::Status status = stream_->rw->Finish();
  std::vector<int64_t> pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stream = std::move(stream_);
    for (const InFlight& f : in_flight_) {
      pending.push_back(f.ack.snapshot_seq);
    }
    in_flight_.clear();
    progress_.Idle();
  }
  cv_.notify_all();
  std::string error = stream->error;
  if (error.empty() && !status.ok()) {
    error = absl::StrCat("AppendSnapshots: ", status.error_message());
  }
  if (error.empty()) error = reason.empty() ? "stream ended" : reason;
  // A stalled stream was reported (and counted) when the watchdog cancelled
  // it.
  if (reason.empty() && !stream->stalled) records_link_.Failed(error);
  if (!pending.empty()) {
    if (absl::Status s = store_.NoteForwardError(pending, error); !s.ok()) {
      common::LogError("cannot note forward errors", {{"error", s.ToString()}});
    }
  }
}

void Forwarder::WatchProgress() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const absl::Time now = absl::Now();
    Stream* stream = opening_ != nullptr ? opening_ : stream_.get();
    if (progress_.Stalled(now) && stream != nullptr && !stream->broken) {
      const absl::Time since = *progress_.waiting_since();
      const std::string deadline =
          absl::FormatDuration(options_.progress_deadline);
      const std::string error =
          opening_ != nullptr
              ? absl::StrCat(
                    "records did not accept the stream within the progress "
                    "deadline (",
                    deadline, ")")
              : absl::StrCat("records answered none of the ", in_flight_.size(),
                             " snapshots in flight within the progress "
                             "deadline (",
                             deadline, ")");
      // The attempt is given up: the worker closes the stream, notes the
      // error on the rows in flight and retries them after the backoff.
      stream->stalled = true;
      stream->broken = true;
      if (stream->error.empty()) stream->error = error;
      stream->ctx.TryCancel();
      progress_.Idle();
      lock.unlock();
      cv_.notify_all();
      records_link_.Stalled(since, error);
      lock.lock();
      continue;
    }
    // Until the stall would begin, looking again at least every poll
    // (work that starts meanwhile does not wake the watchdog); a stall
    // already being closed by the worker is looked at again after a poll.
    absl::Duration wait = std::min(kWatchdogPoll, options_.progress_deadline);
    if (!progress_.Stalled(now)) {
      wait = std::min(wait, progress_.StallTime() - now);
    }
    watchdog_cv_.wait_for(
        lock, absl::ToChronoNanoseconds(std::max(wait, absl::Milliseconds(1))));
  }
}

}  // namespace hitclock::ingest
