// The catalog's gRPC glue: the callback service, its descriptor for the
// shared runtime, and the instance `main` starts.
#ifndef HITCLOCK_SERVICES_CATALOG_CATALOG_SERVICE_H_
#define HITCLOCK_SERVICES_CATALOG_CATALOG_SERVICE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/options.h"
#include "common/server.h"
#include "hitclock/catalog/v1/catalog.grpc.pb.h"
#include "services/catalog/catalog_handler.h"

namespace hitclock::catalog {

// The catalog's gRPC face: each method hands its request to
// `CatalogHandler` and converts the result once (`common::Respond`).
class CatalogService final : public v1::CatalogService::CallbackService {
 public:
  explicit CatalogService(CatalogHandler& handler) : handler_(handler) {}

  grpc::ServerUnaryReactor* CreateArtist(
      grpc::CallbackServerContext* ctx, const v1::CreateArtistRequest* request,
      v1::CreateArtistResponse* response) override;
  grpc::ServerUnaryReactor* GetArtist(grpc::CallbackServerContext* ctx,
                                      const v1::GetArtistRequest* request,
                                      v1::GetArtistResponse* response) override;
  grpc::ServerUnaryReactor* ListArtists(
      grpc::CallbackServerContext* ctx, const v1::ListArtistsRequest* request,
      v1::ListArtistsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateArtist(
      grpc::CallbackServerContext* ctx, const v1::UpdateArtistRequest* request,
      v1::UpdateArtistResponse* response) override;
  grpc::ServerUnaryReactor* DeleteArtist(
      grpc::CallbackServerContext* ctx, const v1::DeleteArtistRequest* request,
      v1::DeleteArtistResponse* response) override;
  grpc::ServerUnaryReactor* CreateTrack(
      grpc::CallbackServerContext* ctx, const v1::CreateTrackRequest* request,
      v1::CreateTrackResponse* response) override;
  grpc::ServerUnaryReactor* GetTrack(grpc::CallbackServerContext* ctx,
                                     const v1::GetTrackRequest* request,
                                     v1::GetTrackResponse* response) override;
  grpc::ServerUnaryReactor* BatchGetTracks(
      grpc::CallbackServerContext* ctx,
      const v1::BatchGetTracksRequest* request,
      v1::BatchGetTracksResponse* response) override;
  grpc::ServerUnaryReactor* ListTracks(
      grpc::CallbackServerContext* ctx, const v1::ListTracksRequest* request,
      v1::ListTracksResponse* response) override;
  grpc::ServerUnaryReactor* UpdateTrack(
      grpc::CallbackServerContext* ctx, const v1::UpdateTrackRequest* request,
      v1::UpdateTrackResponse* response) override;
  grpc::ServerUnaryReactor* DeleteTrack(
      grpc::CallbackServerContext* ctx, const v1::DeleteTrackRequest* request,
      v1::DeleteTrackResponse* response) override;
  grpc::ServerUnaryReactor* CreateProduction(
      grpc::CallbackServerContext* ctx,
      const v1::CreateProductionRequest* request,
      v1::CreateProductionResponse* response) override;
  grpc::ServerUnaryReactor* GetProduction(
      grpc::CallbackServerContext* ctx, const v1::GetProductionRequest* request,
      v1::GetProductionResponse* response) override;
  grpc::ServerUnaryReactor* ListProductions(
      grpc::CallbackServerContext* ctx,
      const v1::ListProductionsRequest* request,
      v1::ListProductionsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateProduction(
      grpc::CallbackServerContext* ctx,
      const v1::UpdateProductionRequest* request,
      v1::UpdateProductionResponse* response) override;
  grpc::ServerUnaryReactor* DeleteProduction(
      grpc::CallbackServerContext* ctx,
      const v1::DeleteProductionRequest* request,
      v1::DeleteProductionResponse* response) override;
  grpc::ServerUnaryReactor* ResolveTracks(
      grpc::CallbackServerContext* ctx, const v1::ResolveTracksRequest* request,
      v1::ResolveTracksResponse* response) override;
  grpc::ServerUnaryReactor* ImportCatalog(
      grpc::CallbackServerContext* ctx, const v1::ImportCatalogRequest* request,
      v1::ImportCatalogResponse* response) override;
  grpc::ServerUnaryReactor* ListChanges(
      grpc::CallbackServerContext* ctx, const v1::ListChangesRequest* request,
      v1::ListChangesResponse* response) override;

 private:
  CatalogHandler& handler_;
};

// The catalog as the runtime sees it: name, port 50051, which methods are
// reads (open without a token).
common::ServiceDescriptor CatalogDescriptor();

// Opens `<data_dir>/catalog.db`, builds the handler and the service.
absl::StatusOr<std::unique_ptr<common::ServiceInstance>> CreateCatalogInstance(
    const common::ServiceOptions& options);

}  // namespace hitclock::catalog

#endif  // HITCLOCK_SERVICES_CATALOG_CATALOG_SERVICE_H_
