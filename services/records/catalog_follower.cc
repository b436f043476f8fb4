#include "services/records/catalog_follower.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "common/proto_time.h"

namespace hitclock::records {
namespace {

namespace cv1 = catalog::v1;

constexpr int kPageSize = 1000;

std::string ProviderKey(const std::string& provider, const std::string& id) {
  return absl::StrCat(provider, "\x1f", id);
}

core::TrackKind KindOf(cv1::TrackKind kind) {
  switch (kind) {
    case cv1::TRACK_KIND_SINGLE:
      return core::TrackKind::kSingle;
    case cv1::TRACK_KIND_OST:
      return core::TrackKind::kOst;
    case cv1::TRACK_KIND_ALBUM_TRACK:
      return core::TrackKind::kAlbumTrack;
    default:
      return core::TrackKind::kUnspecified;
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// CatalogFacts

void CatalogFacts::PutTrack(const cv1::Track& track) {
  std::unique_lock lock(mu_);
  if (auto old = tracks_.find(track.id()); old != tracks_.end()) {
    for (const auto& a : old->second.track.artists()) {
      credits_[a.artist_id()].erase(track.id());
    }
    for (const auto& p : old->second.track.provider_ids()) {
      provider_ids_.erase(ProviderKey(p.provider(), p.id()));
    }
  }
  for (const auto& a : track.artists())
    credits_[a.artist_id()].insert(track.id());
  for (const auto& p : track.provider_ids()) {
    provider_ids_[ProviderKey(p.provider(), p.id())] = track.id();
  }
  HeldTrack& held = tracks_[track.id()];
  held.track = track;
  Resummarize(held);
}

std::vector<std::string> CatalogFacts::PutArtist(const cv1::Artist& artist) {
  std::unique_lock lock(mu_);
  artists_[artist.id()] = artist;
  // A renamed artist shows in the next answer of every track crediting it.
  ResummarizeCredits(artist.id());
  auto it = credits_.find(artist.id());
  if (it == credits_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

void CatalogFacts::RemoveTrack(const std::string& track_id) {
  std::unique_lock lock(mu_);
  auto old = tracks_.find(track_id);
  if (old == tracks_.end()) return;
  for (const auto& a : old->second.track.artists()) {
    credits_[a.artist_id()].erase(track_id);
  }
  for (const auto& p : old->second.track.provider_ids()) {
    provider_ids_.erase(ProviderKey(p.provider(), p.id()));
  }
  tracks_.erase(old);
}

std::vector<std::string> CatalogFacts::RemoveArtist(
    const std::string& artist_id) {
  std::unique_lock lock(mu_);
  artists_.erase(artist_id);
  // The tracks crediting it show its id instead of its name from now on.
  ResummarizeCredits(artist_id);
  auto it = credits_.find(artist_id);
  if (it == credits_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

bool CatalogFacts::HasTrack(const std::string& track_id) const {
  std::shared_lock lock(mu_);
  return tracks_.contains(track_id);
}

bool CatalogFacts::HasArtist(const std::string& artist_id) const {
  std::shared_lock lock(mu_);
  return artists_.contains(artist_id);
}

std::optional<core::TrackFacts> CatalogFacts::Facts(
    const std::string& track_id) const {
  std::shared_lock lock(mu_);
  auto it = tracks_.find(track_id);
  if (it == tracks_.end()) return std::nullopt;
  const cv1::Track& track = it->second.track;
  core::TrackFacts facts;
  if (track.has_release_time())
    facts.release_time = common::ToMicros(track.release_time());
  facts.kind = KindOf(track.kind());
  for (const auto& credit : track.artists()) {
    core::CreditedArtist a;
    a.artist_id = credit.artist_id();
    a.role = credit.role() == cv1::CREDIT_ROLE_FEATURED
                 ? core::CreditRole::kFeatured
                 : core::CreditRole::kMain;
    if (auto artist = artists_.find(credit.artist_id());
        artist != artists_.end()) {
      a.kind = artist->second.kind() == cv1::ARTIST_KIND_SOLO
                   ? core::ArtistKind::kSoloist
               : artist->second.kind() == cv1::ARTIST_KIND_GROUP
                   ? core::ArtistKind::kGroup
                   : core::ArtistKind::kUnspecified;
      a.origin_country = artist->second.origin_country();
    }
    facts.artists.push_back(std::move(a));
  }
  return facts;
}

void CatalogFacts::Resummarize(HeldTrack& held) const {
  const cv1::Track& track = held.track;
  v1::TrackSummary& summary = held.summary;
  summary.Clear();
  summary.set_track_id(track.id());
  summary.set_title(track.title());
  if (track.has_release_time()) {
    *summary.mutable_release_time() = track.release_time();
  }
  // Main artists joined with " & ", then featured ones after " feat. ".
  std::vector<std::string> main, featured;
  for (const auto& credit : track.artists()) {
    auto artist = artists_.find(credit.artist_id());
    std::string name =
        artist != artists_.end() ? artist->second.name() : credit.artist_id();
    (credit.role() == cv1::CREDIT_ROLE_FEATURED ? featured : main)
        .push_back(std::move(name));
  }
  std::string line = absl::StrJoin(main, " & ");
  if (!featured.empty()) {
    absl::StrAppend(&line, " feat. ", absl::StrJoin(featured, " & "));
  }
  summary.set_artists(std::move(line));
}

void CatalogFacts::ResummarizeCredits(const std::string& artist_id) {
  auto it = credits_.find(artist_id);
  if (it == credits_.end()) return;
  for (const std::string& track_id : it->second) {
    if (auto held = tracks_.find(track_id); held != tracks_.end()) {
      Resummarize(held->second);
    }
  }
}

bool CatalogFacts::GetSummary(const std::string& track_id,
                              v1::TrackSummary& out) const {
  {
    std::shared_lock lock(mu_);
    auto it = tracks_.find(track_id);
    if (it != tracks_.end()) {
      out = it->second.summary;
      return true;
    }
  }
  out.Clear();
  out.set_track_id(track_id);
  return false;
}

v1::TrackSummary CatalogFacts::Summary(const std::string& track_id) const {
  v1::TrackSummary summary;
  GetSummary(track_id, summary);
  return summary;
}

std::optional<std::string> CatalogFacts::TrackOfProviderId(
    const std::string& provider, const std::string& id) const {
  std::shared_lock lock(mu_);
  auto it = provider_ids_.find(ProviderKey(provider, id));
  if (it == provider_ids_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> CatalogFacts::TrackIds() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> ids;
  ids.reserve(tracks_.size());
  for (const auto& [id, track] : tracks_) ids.push_back(id);
  return ids;
}

std::vector<std::string> CatalogFacts::MissingArtists(
    const std::string& track_id) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> missing;
  auto it = tracks_.find(track_id);
  if (it == tracks_.end()) return missing;
  for (const auto& credit : it->second.track.artists()) {
    if (!artists_.contains(credit.artist_id())) {
      missing.push_back(credit.artist_id());
    }
  }
  return missing;
}

// ---------------------------------------------------------------------------
// CatalogFollower

CatalogFollower::CatalogFollower(FollowerOptions options, CatalogFacts& facts,
                                 FactsSink sink)
    : options_(std::move(options)), facts_(facts), sink_(std::move(sink)) {
  if (!options_.address.empty()) {
    auto channel = common::CreatePeerChannel(options_.address, options_.tls);
    if (channel.ok()) {
      stub_ = cv1::CatalogService::NewStub(*channel);
    } else {
      common::LogError("catalog channel cannot be created",
                       {{"address", options_.address},
                        {"error", std::string(channel.status().message())}});
    }
  }
}

CatalogFollower::~CatalogFollower() { Stop(); }

void CatalogFollower::Start() {
  if (stub_ == nullptr || thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

bool CatalogFollower::WaitForInitialLoad(absl::Duration timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [this] {
    return loaded_ || stop_;
  }) && loaded_;
}

void CatalogFollower::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CatalogFollower::RequestTracks(const std::vector<std::string>& track_ids) {
  if (stub_ == nullptr) return;
  bool added = false;
  {
    std::lock_guard lock(mu_);
    for (const std::string& id : track_ids) {
      if (absent_.contains(id) || facts_.HasTrack(id)) continue;
      added |= requested_.insert(id).second;
    }
  }
  if (added) cv_.notify_all();
}

std::unique_ptr<grpc::ClientContext> CatalogFollower::Context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + options_.call_timeout));
  common::SetBearerToken(ctx.get(), options_.token);
  return ctx;
}

absl::StatusOr<bool> CatalogFollower::FetchTrack(const std::string& track_id) {
  if (stub_ == nullptr) {
    return absl::UnavailableError("records has no catalog address configured");
  }
  std::vector<std::string> changed, missing;
  absl::Status s = FetchTracks({track_id}, changed, &missing);
  if (!s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("the catalog cannot be reached: ", s.message()));
  }
  if (!changed.empty()) sink_(changed);
  if (!missing.empty()) {
    std::lock_guard lock(mu_);
    absent_.insert(track_id);
    return false;
  }
  return true;
}

absl::Status CatalogFollower::FetchArtists(const std::vector<std::string>& ids,
                                           std::vector<std::string>& changed) {
  for (const std::string& id : ids) {
    cv1::GetArtistRequest request;
    request.set_id(id);
    cv1::GetArtistResponse response;
    grpc::Status s = stub_->GetArtist(Context().get(), request, &response);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) continue;
    if (!s.ok()) return common::FromGrpcStatus(s);
    for (std::string& t : facts_.PutArtist(response.artist())) {
      changed.push_back(std::move(t));
    }
  }
  return absl::OkStatus();
}

absl::Status CatalogFollower::FetchTracks(const std::vector<std::string>& ids,
                                          std::vector<std::string>& changed,
                                          std::vector<std::string>* missing) {
  std::vector<cv1::Track> found;
  for (size_t start = 0; start < ids.size(); start += kPageSize) {
    cv1::BatchGetTracksRequest request;
    for (size_t i = start; i < std::min(ids.size(), start + kPageSize); ++i) {
      request.add_ids(ids[i]);
    }
    cv1::BatchGetTracksResponse response;
    grpc::Status s = stub_->BatchGetTracks(Context().get(), request, &response);
    if (s.ok()) {
      for (auto& t : *response.mutable_tracks()) found.push_back(std::move(t));
      continue;
    }
    if (s.error_code() != grpc::StatusCode::NOT_FOUND &&
        s.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
      return common::FromGrpcStatus(s);
    }
    // Some id is unknown (or not an id at all): one by one.
    for (const std::string& id : request.ids()) {
      cv1::GetTrackRequest one;
      one.set_id(id);
      cv1::GetTrackResponse track;
      grpc::Status t = stub_->GetTrack(Context().get(), one, &track);
      if (t.ok()) {
        found.push_back(std::move(*track.mutable_track()));
      } else if (t.error_code() == grpc::StatusCode::NOT_FOUND ||
                 t.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
        if (missing != nullptr) missing->push_back(id);
      } else {
        return common::FromGrpcStatus(t);
      }
    }
  }
  std::vector<std::string> artists;
  for (const cv1::Track& track : found) {
    facts_.PutTrack(track);
    changed.push_back(track.id());
    for (std::string& a : facts_.MissingArtists(track.id())) {
      artists.push_back(std::move(a));
    }
  }
  std::sort(artists.begin(), artists.end());
  artists.erase(std::unique(artists.begin(), artists.end()), artists.end());
  return FetchArtists(artists, changed);
}

absl::Status CatalogFollower::FullLoad() {
  // The revision first: changes made during the load are polled again.
  cv1::ListChangesRequest probe;
  probe.set_after_revision(std::numeric_limits<int64_t>::max());
  probe.set_page_size(1);
  cv1::ListChangesResponse latest;
  if (grpc::Status s = stub_->ListChanges(Context().get(), probe, &latest);
      !s.ok()) {
    return common::FromGrpcStatus(s);
  }
  std::vector<cv1::Artist> artists;
  std::string token;
  do {
    cv1::ListArtistsRequest request;
    request.set_page_size(kPageSize);
    request.set_page_token(token);
    cv1::ListArtistsResponse response;
    if (grpc::Status s =
            stub_->ListArtists(Context().get(), request, &response);
        !s.ok()) {
      return common::FromGrpcStatus(s);
    }
    for (auto& a : *response.mutable_artists()) artists.push_back(std::move(a));
    token = response.next_page_token();
  } while (!token.empty());
  std::vector<cv1::Track> tracks;
  do {
    cv1::ListTracksRequest request;
    request.set_page_size(kPageSize);
    request.set_page_token(token);
    cv1::ListTracksResponse response;
    if (grpc::Status s = stub_->ListTracks(Context().get(), request, &response);
        !s.ok()) {
      return common::FromGrpcStatus(s);
    }
    for (auto& t : *response.mutable_tracks()) tracks.push_back(std::move(t));
    token = response.next_page_token();
  } while (!token.empty());

  // Replace what is held: tracks the catalog no longer has go.
  absl::flat_hash_set<std::string> present;
  for (const auto& t : tracks) present.insert(t.id());
  std::vector<std::string> changed;
  for (const std::string& id : facts_.TrackIds()) {
    if (!present.contains(id)) {
      facts_.RemoveTrack(id);
      changed.push_back(id);
    }
  }
  for (const auto& a : artists) facts_.PutArtist(a);
  for (const auto& t : tracks) {
    facts_.PutTrack(t);
    changed.push_back(t.id());
  }
  revision_ = latest.latest_revision();
  sink_(changed);
  {
    std::lock_guard lock(mu_);
    absent_.clear();
    loaded_ = true;
  }
  cv_.notify_all();
  common::LogInfo("catalog facts loaded",
                  {{"artists", absl::StrCat(artists.size())},
                   {"tracks", absl::StrCat(tracks.size())},
                   {"revision", absl::StrCat(revision_)}});
  return absl::OkStatus();
}

absl::Status CatalogFollower::PollChanges() {
  std::vector<cv1::Change> changes;
  int64_t latest = revision_;
  std::string token;
  do {
    cv1::ListChangesRequest request;
    request.set_after_revision(revision_);
    request.set_page_size(kPageSize);
    request.set_page_token(token);
    cv1::ListChangesResponse response;
    if (grpc::Status s =
            stub_->ListChanges(Context().get(), request, &response);
        !s.ok()) {
      return common::FromGrpcStatus(s);
    }
    for (auto& c : *response.mutable_changes()) changes.push_back(std::move(c));
    latest = response.latest_revision();
    token = response.next_page_token();
  } while (!token.empty());
  if (latest < revision_) {
    // The catalog went back in time (a new database): load it all again.
    common::LogWarn(
        "catalog revision went back; reloading its facts",
        {{"held", absl::StrCat(revision_)}, {"latest", absl::StrCat(latest)}});
    return FullLoad();
  }
  if (changes.empty()) return absl::OkStatus();

  std::set<std::string> track_ids, artist_ids;
  std::vector<std::string> changed;
  for (const cv1::Change& c : changes) {
    if (c.kind() == cv1::RESOURCE_KIND_TRACK) {
      if (c.deleted()) {
        track_ids.erase(c.id());
        facts_.RemoveTrack(c.id());
        changed.push_back(c.id());
      } else {
        track_ids.insert(c.id());
      }
      std::lock_guard lock(mu_);
      absent_.erase(c.id());
    } else if (c.kind() == cv1::RESOURCE_KIND_ARTIST) {
      if (c.deleted()) {
        artist_ids.erase(c.id());
        for (std::string& t : facts_.RemoveArtist(c.id())) {
          changed.push_back(std::move(t));
        }
      } else {
        artist_ids.insert(c.id());
      }
    }
  }
  if (absl::Status s =
          FetchArtists({artist_ids.begin(), artist_ids.end()}, changed);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          FetchTracks({track_ids.begin(), track_ids.end()}, changed, nullptr);
      !s.ok()) {
    return s;
  }
  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  revision_ = changes.back().revision();
  sink_(changed);
  return absl::OkStatus();
}

void CatalogFollower::SetReachable(bool reachable, const absl::Status& why) {
  {
    std::lock_guard lock(mu_);
    if (reachable_ == reachable) return;
    reachable_ = reachable;
  }
  if (reachable) {
    common::LogInfo("catalog reachable", {{"address", options_.address}});
  } else {
    common::LogWarn(
        "catalog unreachable; serving with the facts held",
        {{"address", options_.address}, {"error", std::string(why.message())}});
  }
}

void CatalogFollower::Run() {
  absl::Duration backoff = options_.poll_interval;
  while (true) {
    bool loaded;
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      loaded = loaded_;
    }
    absl::Status status = loaded ? PollChanges() : FullLoad();
    if (status.ok()) {
      std::vector<std::string> wanted;
      {
        std::lock_guard lock(mu_);
        wanted.assign(requested_.begin(), requested_.end());
        requested_.clear();
      }
      if (!wanted.empty()) {
        std::vector<std::string> changed, missing;
        status = FetchTracks(wanted, changed, &missing);
        if (!changed.empty()) sink_(changed);
        std::lock_guard lock(mu_);
        if (status.ok()) {
          absent_.insert(missing.begin(), missing.end());
        } else {
          requested_.insert(wanted.begin(), wanted.end());
        }
      }
    }
    SetReachable(status.ok(), status);
    absl::Duration wait = options_.poll_interval;
    if (status.ok()) {
      backoff = options_.poll_interval;
    } else {
      wait = backoff;
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, absl::ToChronoNanoseconds(wait), [this, status] {
      return stop_ || (status.ok() && !requested_.empty());
    });
  }
}

}  // namespace hitclock::records
