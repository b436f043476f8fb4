// Catalog facts for records: a cache of the catalog's tracks and artists and
// the follower that keeps it (and the engine) in step with the catalog.
#ifndef HITCLOCK_SERVICES_RECORDS_CATALOG_FOLLOWER_H_
#define HITCLOCK_SERVICES_RECORDS_CATALOG_FOLLOWER_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/probe.h"
#include "hitclock/catalog/v1/catalog.grpc.pb.h"
#include "hitclock/records/v1/records.pb.h"
#include "services/records/core/types.h"

namespace hitclock::records {

// The catalog's tracks and artists as records last saw them, and the facts
// and summaries derived from them. Thread-safe: changes come from the
// follower's thread, reads from many request threads at once (they share
// the lock).
class CatalogFacts {
 public:
  // Adds or replaces a track.
  void PutTrack(const catalog::v1::Track& track);
  // Adds or replaces an artist; returns the ids of the tracks crediting it.
  std::vector<std::string> PutArtist(const catalog::v1::Artist& artist);
  void RemoveTrack(const std::string& track_id);
  // Forgets an artist; returns the ids of the tracks crediting it.
  std::vector<std::string> RemoveArtist(const std::string& artist_id);

  bool HasTrack(const std::string& track_id) const;
  bool HasArtist(const std::string& artist_id) const;
  // The core facts of a track: kind, release instant, credited artists with
  // their kind and origin. Unset when the track is unknown.
  std::optional<core::TrackFacts> Facts(const std::string& track_id) const;
  // The track as answers show it; only `track_id` is set when unknown.
  v1::TrackSummary Summary(const std::string& track_id) const;
  // Sets `out` to `Summary(track_id)` and returns whether the track is held:
  // one look-up for both, copying a summary built when the facts changed.
  bool GetSummary(const std::string& track_id, v1::TrackSummary& out) const;
  // The track a provider id names, if any.
  std::optional<std::string> TrackOfProviderId(const std::string& provider,
                                               const std::string& id) const;
  // Every track id held.
  std::vector<std::string> TrackIds() const;
  // The artist ids credited by a track that are not held.
  std::vector<std::string> MissingArtists(const std::string& track_id) const;

 private:
  // A track as held, with its summary. Answers show a summary on every read
  // (a time-to-threshold answer, each leaderboard row), so it is built once
  // here, when the track or one of its artists changes, rather than joining
  // artist names per read.
  struct HeldTrack {
    catalog::v1::Track track;
    v1::TrackSummary summary;
  };
  // Rebuilds the summary of `held` from its track and the artists held.
  // Needs `mu_` held exclusively.
  void Resummarize(HeldTrack& held) const;
  // Rebuilds the summaries of the tracks crediting an artist. Needs `mu_`
  // held exclusively.
  void ResummarizeCredits(const std::string& artist_id);

  mutable std::shared_mutex mu_;
  absl::flat_hash_map<std::string, HeldTrack> tracks_;
  absl::flat_hash_map<std::string, catalog::v1::Artist> artists_;
  // artist id -> ids of the tracks crediting it.
  absl::flat_hash_map<std::string, std::set<std::string>> credits_;
  // "provider\x1fid" -> track id.
  absl::flat_hash_map<std::string, std::string> provider_ids_;
};

// Receives the ids of tracks whose facts changed in `CatalogFacts`.
using FactsSink = std::function<void(const std::vector<std::string>&)>;

// How the follower reaches the catalog.
struct FollowerOptions {
  // The catalog's address (`--catalog-address`); empty: no catalog.
  std::string address;
  common::ClientTls tls;
  // Sent as a bearer token (the suite's token) when not empty.
  std::string token;
  // How often to ask the catalog for changes.
  absl::Duration poll_interval = absl::Seconds(1);
  // Longest wait between attempts while the catalog is unreachable.
  absl::Duration max_backoff = absl::Seconds(10);
  // Deadline of one catalog call.
  absl::Duration call_timeout = absl::Seconds(5);
};

// Keeps `CatalogFacts` in step with the catalog: loads every artist and
// track once reachable, then polls `ListChanges` about every
// `poll_interval` and refreshes what changed (an artist change refreshes
// every track crediting it), telling the sink which tracks changed. While
// the catalog is unreachable the facts held stay in use; attempts back off
// up to `max_backoff`, and each change of reachability is logged once.
// Tracks seen in appends but unknown are fetched on request, in batches, on
// the follower's own thread.
class CatalogFollower {
 public:
  CatalogFollower(FollowerOptions options, CatalogFacts& facts, FactsSink sink);
  ~CatalogFollower();  // Stop()
  CatalogFollower(const CatalogFollower&) = delete;
  CatalogFollower& operator=(const CatalogFollower&) = delete;

  // Starts following (a no-op without an address).
  void Start();
  // Waits until the first full load is done (true) or `timeout` passes.
  bool WaitForInitialLoad(absl::Duration timeout);
  // Stops the thread; idempotent.
  void Stop();

  // Whether a catalog address is configured.
  bool enabled() const { return !options_.address.empty(); }

  // Asks for these tracks to be fetched soon (never blocks on the catalog).
  void RequestTracks(const std::vector<std::string>& track_ids);

  // Fetches one track (and its unknown artists) now, in the caller's
  // thread: true when the catalog has it (the facts are then held and the
  // sink told), false when it does not, UNAVAILABLE when it cannot be
  // reached.
  absl::StatusOr<bool> FetchTrack(const std::string& track_id);

 private:
  void Run();
  absl::Status FullLoad();
  absl::Status PollChanges();
  absl::Status FetchTracks(const std::vector<std::string>& ids,
                           std::vector<std::string>& changed,
                           std::vector<std::string>* missing);
  absl::Status FetchArtists(const std::vector<std::string>& ids,
                            std::vector<std::string>& changed);
  std::unique_ptr<grpc::ClientContext> Context() const;
  void SetReachable(bool reachable, const absl::Status& why);

  FollowerOptions options_;
  CatalogFacts& facts_;
  FactsSink sink_;
  std::unique_ptr<catalog::v1::CatalogService::Stub> stub_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool loaded_ = false;
  std::optional<bool> reachable_;
  absl::flat_hash_set<std::string> requested_;
  // Ids the catalog said it does not have (until a change names them).
  absl::flat_hash_set<std::string> absent_;
  int64_t revision_ = 0;  // follower thread only
  std::thread thread_;
};

}  // namespace hitclock::records

#endif  // HITCLOCK_SERVICES_RECORDS_CATALOG_FOLLOWER_H_
