// The catalog's request handling, free of gRPC: one method per RPC over
// the store and the resolver index.
#ifndef HITCLOCK_SERVICES_CATALOG_CATALOG_HANDLER_H_
#define HITCLOCK_SERVICES_CATALOG_CATALOG_HANDLER_H_

#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/page_token.h"
#include "hitclock/catalog/v1/catalog.pb.h"
#include "services/catalog/core/resolver.h"
#include "services/catalog/store/catalog_store.h"

namespace hitclock::catalog {

// Most entries one ResolveTracks call may carry.
inline constexpr int kMaxResolveEntries = 10000;
// Most ids one BatchGetTracks call may carry.
inline constexpr int kMaxBatchGet = 1000;

// The catalog's request handling, free of gRPC: validates a request, runs it
// against the store and keeps the in-memory resolver index in step with
// every committed write. One method per RPC; each returns the response or
// the status to send.
//
// Thread-safe: store access is serialized; ResolveTracks reads the resolver
// under a shared lock, so resolution runs in parallel with itself and waits
// only for the index update of a committed write.
class CatalogHandler {
 public:
  using Clock = std::function<absl::Time()>;

  // Builds the resolver index from the store's artists and tracks.
  static absl::StatusOr<std::unique_ptr<CatalogHandler>> Create(
      std::unique_ptr<CatalogStore> store, Clock clock = &absl::Now);

  absl::StatusOr<v1::CreateArtistResponse> CreateArtist(
      const v1::CreateArtistRequest& request);
  absl::StatusOr<v1::GetArtistResponse> GetArtist(
      const v1::GetArtistRequest& request);
  absl::StatusOr<v1::ListArtistsResponse> ListArtists(
      const v1::ListArtistsRequest& request);
  absl::StatusOr<v1::UpdateArtistResponse> UpdateArtist(
      const v1::UpdateArtistRequest& request);
  absl::StatusOr<v1::DeleteArtistResponse> DeleteArtist(
      const v1::DeleteArtistRequest& request);

  absl::StatusOr<v1::CreateTrackResponse> CreateTrack(
      const v1::CreateTrackRequest& request);
  absl::StatusOr<v1::GetTrackResponse> GetTrack(
      const v1::GetTrackRequest& request);
  absl::StatusOr<v1::BatchGetTracksResponse> BatchGetTracks(
      const v1::BatchGetTracksRequest& request);
  absl::StatusOr<v1::ListTracksResponse> ListTracks(
      const v1::ListTracksRequest& request);
  absl::StatusOr<v1::UpdateTrackResponse> UpdateTrack(
      const v1::UpdateTrackRequest& request);
  absl::StatusOr<v1::DeleteTrackResponse> DeleteTrack(
      const v1::DeleteTrackRequest& request);

  absl::StatusOr<v1::CreateProductionResponse> CreateProduction(
      const v1::CreateProductionRequest& request);
  absl::StatusOr<v1::GetProductionResponse> GetProduction(
      const v1::GetProductionRequest& request);
  absl::StatusOr<v1::ListProductionsResponse> ListProductions(
      const v1::ListProductionsRequest& request);
  absl::StatusOr<v1::UpdateProductionResponse> UpdateProduction(
      const v1::UpdateProductionRequest& request);
  absl::StatusOr<v1::DeleteProductionResponse> DeleteProduction(
      const v1::DeleteProductionRequest& request);

  absl::StatusOr<v1::ResolveTracksResponse> ResolveTracks(
      const v1::ResolveTracksRequest& request) const;
  absl::StatusOr<v1::ImportCatalogResponse> ImportCatalog(
      const v1::ImportCatalogRequest& request);
  absl::StatusOr<v1::ListChangesResponse> ListChanges(
      const v1::ListChangesRequest& request);

 private:
  CatalogHandler(std::unique_ptr<CatalogStore> store, Clock clock);

  // A free id derived from `text` for a resource kind (`exists` tells which
  // ids are taken). Called with `store_mu_` held.
  absl::StatusOr<std::string> DeriveId(
      std::string_view text, std::string_view fallback,
      const std::function<absl::StatusOr<bool>(const std::string&)>& exists);

  // Bring the resolver index in step with committed writes.
  void IndexArtist(const v1::Artist& artist);
  void IndexTrack(const v1::Track& track);

  std::unique_ptr<CatalogStore> store_;
  const common::PageTokens page_tokens_;  // keyed with the store's secret
  Clock clock_;
  std::mutex store_mu_;  // serializes every store call
  mutable std::shared_mutex resolver_mu_;
  core::Resolver resolver_;  // guarded by resolver_mu_
};

}  // namespace hitclock::catalog

#endif  // HITCLOCK_SERVICES_CATALOG_CATALOG_HANDLER_H_
