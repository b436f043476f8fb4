#include "services/catalog/catalog_handler.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/page_token.h"
#include "common/status.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/catalog/core/normalize.h"
#include "services/catalog/validation.h"

namespace hitclock::catalog {
namespace {

using common::InvalidField;
using google::protobuf::FieldMask;
using google::protobuf::util::FieldMaskUtil;

core::ResolverArtist ToResolverArtist(const v1::Artist& artist) {
  core::ResolverArtist out;
  out.id = artist.id();
  out.name = artist.name();
  out.aliases.assign(artist.aliases().begin(), artist.aliases().end());
  return out;
}

core::ResolverTrack ToResolverTrack(const v1::Track& track) {
  core::ResolverTrack out;
  out.id = track.id();
  out.title = track.title();
  out.title_aliases.assign(track.title_aliases().begin(),
                           track.title_aliases().end());
  for (const auto& a : track.artists()) {
    (a.role() == v1::CREDIT_ROLE_FEATURED ? out.featured_artist_ids
                                          : out.main_artist_ids)
        .push_back(a.artist_id());
  }
  for (const auto& p : track.provider_ids()) {
    out.provider_ids.emplace_back(p.provider(), p.id());
  }
  return out;
}

v1::MatchKind ToProto(core::MatchKind kind) {
  switch (kind) {
    case core::MatchKind::kProviderId:
      return v1::MATCH_KIND_PROVIDER_ID;
    case core::MatchKind::kTitleAndArtists:
      return v1::MATCH_KIND_TITLE_AND_ARTISTS;
    case core::MatchKind::kUnresolved:
      break;
  }
  return v1::MATCH_KIND_UNSPECIFIED;
}

absl::Status CheckRequestId(const std::string& id, const std::string& field) {
  if (id.empty()) return InvalidField(field, "must not be empty");
  if (!IsValidId(id)) {
    return InvalidField(
        field,
        absl::StrCat("\"", absl::CEscape(id.substr(0, 80)), "\" is not an id"));
  }
  return absl::OkStatus();
}

// Applies `patch` to `target` along `mask` (every field when the mask is
// empty). Output-only fields and the id cannot be named.
template <typename Message>
absl::Status ApplyMask(const Message& patch, const FieldMask& mask,
                       Message& target) {
  if (mask.paths().empty()) {
    Message merged = patch;
    merged.set_id(target.id());
    *merged.mutable_create_time() = target.create_time();
    target = std::move(merged);
    return absl::OkStatus();
  }
  for (int i = 0; i < mask.paths_size(); ++i) {
    const std::string& path = mask.paths(i);
    if (path == "id" || path == "create_time" || path == "update_time") {
      return InvalidField(absl::StrCat("update_mask.paths[", i, "]"),
                          absl::StrCat("\"", path, "\" cannot be updated"));
    }
    if (!FieldMaskUtil::GetFieldDescriptors(Message::descriptor(), path,
                                            nullptr)) {
      return InvalidField(
          absl::StrCat("update_mask.paths[", i, "]"),
          absl::StrCat("\"", absl::CEscape(path.substr(0, 80)),
                       "\" is not a field of ", Message::descriptor()->name()));
    }
  }
  FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  FieldMaskUtil::MergeMessageTo(patch, mask, options, &target);
  return absl::OkStatus();
}

// Decodes a listing's page token and size.
struct Paging {
  std::string after;
  int size = 0;
};

absl::StatusOr<Paging> StartPage(const common::PageTokens& tokens,
                                 const std::string& token,
                                 const std::string& scope, int page_size) {
  Paging paging;
  auto after = tokens.Decode(token, scope);
  if (!after.ok()) return after.status();
  paging.after = *std::move(after);
  auto size = common::PageSize(page_size);
  if (!size.ok()) return size.status();
  paging.size = *size;
  return paging;
}

template <typename Message>
std::string NextToken(const common::PageTokens& tokens,
                      const Page<Message>& page, const std::string& scope) {
  return page.last_id.has_value() ? tokens.Encode(scope, *page.last_id)
                                  : std::string();
}

}  // namespace

CatalogHandler::CatalogHandler(std::unique_ptr<CatalogStore> store, Clock clock)
    : store_(std::move(store)),
      page_tokens_(store_->page_token_secret()),
      clock_(std::move(clock)) {}

absl::StatusOr<std::unique_ptr<CatalogHandler>> CatalogHandler::Create(
    std::unique_ptr<CatalogStore> store, Clock clock) {
  std::unique_ptr<CatalogHandler> handler(
      new CatalogHandler(std::move(store), std::move(clock)));
  if (auto s = handler->store_->ForEachArtist(
          [&](const v1::Artist& a) { handler->IndexArtist(a); });
      !s.ok()) {
    return s;
  }
  if (auto s = handler->store_->ForEachTrack(
          [&](const v1::Track& t) { handler->IndexTrack(t); });
      !s.ok()) {
    return s;
  }
  return handler;
}

void CatalogHandler::IndexArtist(const v1::Artist& artist) {
  std::unique_lock lock(resolver_mu_);
  resolver_.UpsertArtist(ToResolverArtist(artist));
}

void CatalogHandler::IndexTrack(const v1::Track& track) {
  std::unique_lock lock(resolver_mu_);
  resolver_.UpsertTrack(ToResolverTrack(track));
}

absl::StatusOr<std::string> CatalogHandler::DeriveId(
    std::string_view text, std::string_view fallback,
    const std::function<absl::StatusOr<bool>(const std::string&)>& exists) {
  std::string base = SlugFromText(text);
  if (base.empty()) base = std::string(fallback);
  for (int n = 1; n <= 1000; ++n) {
    std::string id = n == 1 ? base : absl::StrCat(base, "-", n);
    auto taken = exists(id);
    if (!taken.ok()) return taken.status();
    if (!*taken) return id;
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("no free id derived from \"", base, "\": choose one"));
}

// ---------------------------------------------------------------- artists

absl::StatusOr<v1::CreateArtistResponse> CatalogHandler::CreateArtist(
    const v1::CreateArtistRequest& request) {
  v1::Artist artist = request.artist();
  if (auto s = ValidateArtist(artist, "artist", false); !s.ok()) return s;
  std::lock_guard lock(store_mu_);
  if (artist.id().empty()) {
    auto id = DeriveId(artist.name(), "artist", [&](const std::string& id) {
      return store_->ArtistExists(id);
    });
    if (!id.ok()) return id.status();
    artist.set_id(*id);
  }
  if (auto s = store_->CreateArtist(artist, clock_()); !s.ok()) return s;
  IndexArtist(artist);
  v1::CreateArtistResponse response;
  *response.mutable_artist() = std::move(artist);
  return response;
}

absl::StatusOr<v1::GetArtistResponse> CatalogHandler::GetArtist(
    const v1::GetArtistRequest& request) {
  if (auto s = CheckRequestId(request.id(), "id"); !s.ok()) return s;
  std::lock_guard lock(store_mu_);
  auto artist = store_->GetArtist(request.id());
  if (!artist.ok()) return artist.status();
  v1::GetArtistResponse response;
  *response.mutable_artist() = *std::move(artist);
  return response;
}

absl::StatusOr<v1::ListArtistsResponse> CatalogHandler::ListArtists(
    const v1::ListArtistsRequest& request) {
  ArtistFilter filter;
  if (!v1::ArtistKind_IsValid(request.kind())) {
    return InvalidField("kind", "is not an ArtistKind");
  }
  filter.kind = request.kind();
  if (!request.origin_country().empty()) {
    if (!IsCountryCode(request.origin_country())) {
      return InvalidField("origin_country",
                          "is not an ISO 3166-1 alpha-2 code");
    }
    filter.origin_country = absl::AsciiStrToUpper(request.origin_country());
  }
  if (!request.group_id().empty()) {
    if (auto s = CheckRequestId(request.group_id(), "group_id"); !s.ok())
      return s;
    filter.group_id = request.group_id();
  }
  if (!request.name().empty()) {
    if (request.name().size() > kMaxStringBytes ||
        !core::IsValidUtf8(request.name())) {
      return InvalidField("name", "must be UTF-8 of at most 1024 bytes");
    }
    filter.name_key = core::NameKey(request.name());
    if (filter.name_key.empty()) {
      return InvalidField("name", "has no letters or digits to match on");
    }
  }
  const std::string scope =
      absl::StrCat("artists|", filter.kind, "|", filter.origin_country, "|",
                   filter.group_id, "|", filter.name_key);
  auto paging =
      StartPage(page_tokens_, request.page_token(), scope, request.page_size());
  if (!paging.ok()) return paging.status();
  std::lock_guard lock(store_mu_);
  auto page = store_->ListArtists(filter, paging->after, paging->size);
  if (!page.ok()) return page.status();
  v1::ListArtistsResponse response;
  for (auto& a : page->items) *response.add_artists() = std::move(a);
  response.set_next_page_token(NextToken(page_tokens_, *page, scope));
  return response;
}

absl::StatusOr<v1::UpdateArtistResponse> CatalogHandler::UpdateArtist(
    const v1::UpdateArtistRequest& request) {
  if (auto s = CheckRequestId(request.artist().id(), "artist.id"); !s.ok())
    return s;
  std::lock_guard lock(store_mu_);
  auto artist = store_->GetArtist(request.artist().id());
  if (!artist.ok()) return artist.status();
  if (auto s = ApplyMask(request.artist(), request.update_mask(), *artist);
      !s.ok())
    return s;
  if (auto s = ValidateArtist(*artist, "artist", true); !s.ok()) return s;
  auto outcome = store_->ReplaceArtist(*artist, clock_());
  if (!outcome.ok()) return outcome.status();
  IndexArtist(*artist);
  v1::UpdateArtistResponse response;
  *response.mutable_artist() = *std::move(artist);
  return response;
}

absl::StatusOr<v1::DeleteArtistResponse> CatalogHandler::DeleteArtist(
    const v1::DeleteArtistRequest& request) {
  if (auto s = CheckRequestId(request.id(), "id"); !s.ok()) return s;
  std::lock_guard lock(store_mu_);
  if (auto s = store_->DeleteArtist(request.id(), clock_()); !s.ok()) return s;
  std::unique_lock index_lock(resolver_mu_);
  resolver_.RemoveArtist(request.id());
  return v1::DeleteArtistResponse();
}

// ---------------------------------------------------------------- tracks

absl::StatusOr<v1::CreateTrackResponse> CatalogHandler::CreateTrack(
    const v1::CreateTrackRequest& request) {
  v1::Track track = request.track();
  if (auto s = ValidateTrack(track, "track", false); !s.ok()) return s;
  std::lock_guard lock(store_mu_);
  if (track.id().empty()) {
    auto id = DeriveId(track.title(), "track", [&](const std::string& id) {
      return store_->TrackExists(id);
    });
    if (!id.ok()) return id.status();
    track.set_id(*id);
  }
  if (auto s = store_->CreateTrack(track, clock_()); !s.ok()) return s;
  IndexTrack(track);
  v1::CreateTrackResponse response;
  *response.mutable_track() = std::move(track);
  return response;
}

absl::StatusOr<v1::GetTrackResponse> CatalogHandler::GetTrack(
    const v1::GetTrackRequest& request) {
  if (auto s = CheckRequestId(request.id(), "id"); !s.ok()) return s;
  std::lock_guard lock(store_mu_);
  auto track = store_->GetTrack(request.id());
  if (!track.ok()) return track.status();
  v1::GetTrackResponse response;
  *response.mutable_track() = *std::move(track);
  return response;
}

absl::StatusOr<v1::BatchGetTracksResponse> CatalogHandler::BatchGetTracks(
    const v1::BatchGetTracksRequest& request) {
  if (request.ids_size() > kMaxBatchGet) {
    return InvalidField("ids", absl::StrCat("has ", request.ids_size(),
                                            " ids; at most ", kMaxBatchGet));
  }
  for (int i = 0; i < request.ids_size(); ++i) {
    if (auto s = CheckRequestId(request.ids(i), absl::StrCat("ids[", i, "]"));
        !s.ok())
      return s;
  }
  std::lock_guard lock(store_mu_);
  v1::BatchGetTracksResponse response;
  for (const auto& id : request.ids()) {
    auto track = store_->GetTrack(id);
    if (!track.ok()) return track.status();
    *response.add_tracks() = *std::move(track);
  }
  return response;
}

absl::StatusOr<v1::ListTracksResponse> CatalogHandler::ListTracks(
    const v1::ListTracksRequest& request) {
  TrackFilter filter;
  if (!request.artist_id().empty()) {
    if (auto s = CheckRequestId(request.artist_id(), "artist_id"); !s.ok())
      return s;
    filter.artist_id = request.artist_id();
  } else if (request.include_group_tracks()) {
    return InvalidField("include_group_tracks", "needs artist_id");
  }
  filter.include_group_tracks = request.include_group_tracks();
  if (!request.production_id().empty()) {
    if (auto s = CheckRequestId(request.production_id(), "production_id");
        !s.ok())
      return s;
    filter.production_id = request.production_id();
  }
  if (!v1::TrackKind_IsValid(request.kind())) {
    return InvalidField("kind", "is not a TrackKind");
  }
  filter.kind = request.kind();
  if (request.release_year() != 0 &&
      (request.release_year() < 1900 || request.release_year() > 2200)) {
    return InvalidField("release_year", "must be 0 or 1900 to 2200");
  }
  filter.release_year = request.release_year();
  const std::string scope = absl::StrCat(
      "tracks|", filter.artist_id, "|", filter.include_group_tracks, "|",
      filter.production_id, "|", filter.kind, "|", filter.release_year);
  auto paging =
      StartPage(page_tokens_, request.page_token(), scope, request.page_size());
  if (!paging.ok()) return paging.status();
  std::lock_guard lock(store_mu_);
  auto page = store_->ListTracks(filter, paging->after, paging->size);
  if (!page.ok()) return page.status();
  v1::ListTracksResponse response;
  for (auto& t : page->items) *response.add_tracks() = std::move(t);
  response.set_next_page_token(NextToken(page_tokens_, *page, scope));
  return response;
}

absl::StatusOr<v1::UpdateTrackResponse> CatalogHandler::UpdateTrack(
    const v1::UpdateTrackRequest& request) {
  if (auto s = CheckRequestId(request.track().id(), "track.id"); !s.ok())
    return s;
  std::lock_guard lock(store_mu_);
  auto track = store_->GetTrack(request.track().id());
  if (!track.ok()) return track.status();
  if (auto s = ApplyMask(request.track(), request.update_mask(), *track);
      !s.ok())
    return s;
  if (auto s = ValidateTrack(*track, "track", true); !s.ok()) return s;
  auto outcome = store_->ReplaceTrack(*track, clock_());
  if (!outcome.ok()) return outcome.status();
  IndexTrack(*track);
  v1::UpdateTrackResponse response;
  *response.mutable_track() = *std::move(track);
  return response;
}

absl::StatusOr<v1::DeleteTrackResponse> CatalogHandler::DeleteTrack(
    const v1::DeleteTrackRequest& request) {
  if (auto s = CheckRequestId(request.id(), "id"); !s.ok()) return s;
  std::lock_guard lock(store_mu_);
  if (auto s = store_->DeleteTrack(request.id(), clock_()); !s.ok()) return s;
  std::unique_lock index_lock(resolver_mu_);
  resolver_.RemoveTrack(request.id());
  return v1::DeleteTrackResponse();
}

// ---------------------------------------------------------------- productions

absl::StatusOr<v1::CreateProductionResponse> CatalogHandler::CreateProduction(
    const v1::CreateProductionRequest& request) {
  v1::Production production = request.production();
  if (auto s = ValidateProduction(production, "production", false); !s.ok())
    return s;
  std::lock_guard lock(store_mu_);
  if (production.id().empty()) {
    auto id = DeriveId(
        production.title(), "production",
        [&](const std::string& id) { return store_->ProductionExists(id); });
    if (!id.ok()) return id.status();
    production.set_id(*id);
  }
  if (auto s = store_->CreateProduction(production, clock_()); !s.ok())
    return s;
  v1::CreateProductionResponse response;
  *response.mutable_production() = std::move(production);
  return response;
}

absl::StatusOr<v1::GetProductionResponse> CatalogHandler::GetProduction(
    const v1::GetProductionRequest& request) {
  if (auto s = CheckRequestId(request.id(), "id"); !s.ok()) return s;
  std::lock_guard lock(store_mu_);
  auto production = store_->GetProduction(request.id());
  if (!production.ok()) return production.status();
  v1::GetProductionResponse response;
  *response.mutable_production() = *std::move(production);
  return response;
}

absl::StatusOr<v1::ListProductionsResponse> CatalogHandler::ListProductions(
    const v1::ListProductionsRequest& request) {
  if (!v1::ProductionKind_IsValid(request.kind())) {
    return InvalidField("kind", "is not a ProductionKind");
  }
  const std::string scope = absl::StrCat("productions|", request.kind());
  auto paging =
      StartPage(page_tokens_, request.page_token(), scope, request.page_size());
  if (!paging.ok()) return paging.status();
  std::lock_guard lock(store_mu_);
  auto page =
      store_->ListProductions(request.kind(), paging->after, paging->size);
  if (!page.ok()) return page.status();
  v1::ListProductionsResponse response;
  for (auto& p : page->items) *response.add_productions() = std::move(p);
  response.set_next_page_token(NextToken(page_tokens_, *page, scope));
  return response;
}

absl::StatusOr<v1::UpdateProductionResponse> CatalogHandler::UpdateProduction(
    const v1::UpdateProductionRequest& request) {
  if (auto s = CheckRequestId(request.production().id(), "production.id");
      !s.ok())
    return s;
  std::lock_guard lock(store_mu_);
  auto production = store_->GetProduction(request.production().id());
  if (!production.ok()) return production.status();
  if (auto s =
          ApplyMask(request.production(), request.update_mask(), *production);
      !s.ok())
    return s;
  if (auto s = ValidateProduction(*production, "production", true); !s.ok())
    return s;
  auto outcome = store_->ReplaceProduction(*production, clock_());
  if (!outcome.ok()) return outcome.status();
  v1::UpdateProductionResponse response;
  *response.mutable_production() = *std::move(production);
  return response;
}

absl::StatusOr<v1::DeleteProductionResponse> CatalogHandler::DeleteProduction(
    const v1::DeleteProductionRequest& request) {
  if (auto s = CheckRequestId(request.id(), "id"); !s.ok()) return s;
  std::lock_guard lock(store_mu_);
  if (auto s = store_->DeleteProduction(request.id(), clock_()); !s.ok())
    return s;
  return v1::DeleteProductionResponse();
}

// ---------------------------------------------------------------- resolve

absl::StatusOr<v1::ResolveTracksResponse> CatalogHandler::ResolveTracks(
    const v1::ResolveTracksRequest& request) const {
  if (request.entries_size() > kMaxResolveEntries) {
    return InvalidField("entries",
                        absl::StrCat("has ", request.entries_size(),
                                     " entries; at most ", kMaxResolveEntries));
  }
  for (int i = 0; i < request.entries_size(); ++i) {
    const auto& e = request.entries(i);
    for (const auto& [value, name] :
         {std::pair{&e.title(), "title"},
          {&e.artist_credit(), "artist_credit"},
          {&e.provider(), "provider"},
          {&e.provider_track_id(), "provider_track_id"}}) {
      if (value->size() > kMaxStringBytes || !core::IsValidUtf8(*value)) {
        return InvalidField(absl::StrCat("entries[", i, "].", name),
                            "must be UTF-8 of at most 1024 bytes");
      }
    }
  }
  v1::ResolveTracksResponse response;
  response.mutable_resolutions()->Reserve(request.entries_size());
  std::shared_lock lock(resolver_mu_);
  for (const auto& e : request.entries()) {
    core::Resolution r = resolver_.Resolve(core::EntryQuery{
        e.title(), e.artist_credit(), e.provider(), e.provider_track_id()});
    v1::Resolution* out = response.add_resolutions();
    out->set_track_id(std::move(r.track_id));
    out->set_match(ToProto(r.kind));
    out->set_detail(std::move(r.detail));
    for (auto& c : r.candidate_track_ids) {
      out->add_candidate_track_ids(std::move(c));
    }
  }
  return response;
}

// ---------------------------------------------------------------- import

absl::StatusOr<v1::ImportCatalogResponse> CatalogHandler::ImportCatalog(
    const v1::ImportCatalogRequest& request) {
  v1::CatalogDocument document = request.document();
  for (int i = 0; i < document.artists_size(); ++i) {
    if (auto s =
            ValidateArtist(*document.mutable_artists(i),
                           absl::StrCat("document.artists[", i, "]"), true);
        !s.ok())
      return s;
  }
  for (int i = 0; i < document.productions_size(); ++i) {
    if (auto s = ValidateProduction(
            *document.mutable_productions(i),
            absl::StrCat("document.productions[", i, "]"), true);
        !s.ok())
      return s;
  }
  for (int i = 0; i < document.tracks_size(); ++i) {
    if (auto s = ValidateTrack(*document.mutable_tracks(i),
                               absl::StrCat("document.tracks[", i, "]"), true);
        !s.ok())
      return s;
  }
  std::lock_guard lock(store_mu_);
  auto response = store_->Import(document, clock_());
  if (!response.ok()) return response.status();
  for (const auto& a : document.artists()) IndexArtist(a);
  for (const auto& t : document.tracks()) IndexTrack(t);
  return response;
}

absl::StatusOr<v1::ListChangesResponse> CatalogHandler::ListChanges(
    const v1::ListChangesRequest& request) {
  if (request.after_revision() < 0) {
    return InvalidField("after_revision", "must not be negative");
  }
  const std::string scope = absl::StrCat("changes|", request.after_revision());
  auto paging =
      StartPage(page_tokens_, request.page_token(), scope, request.page_size());
  if (!paging.ok()) return paging.status();
  int64_t after = request.after_revision();
  if (!paging->after.empty() && !absl::SimpleAtoi(paging->after, &after)) {
    return InvalidField("page_token", "was not issued by this server");
  }
  std::lock_guard lock(store_mu_);
  auto changes = store_->ListChanges(after, paging->size + 1);
  if (!changes.ok()) return changes.status();
  auto latest = store_->LatestRevision();
  if (!latest.ok()) return latest.status();
  v1::ListChangesResponse response;
  const bool more = static_cast<int>(changes->size()) > paging->size;
  if (more) changes->pop_back();
  for (auto& c : *changes) *response.add_changes() = std::move(c);
  response.set_latest_revision(*latest);
  if (more) {
    response.set_next_page_token(page_tokens_.Encode(
        scope, absl::StrCat(response.changes().rbegin()->revision())));
  }
  return response;
}

}  // namespace hitclock::catalog
