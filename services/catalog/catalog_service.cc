#include "services/catalog/catalog_service.h"

#include <filesystem>
#include <utility>

#include "common/rpc.h"
#include "services/catalog/store/catalog_store.h"

namespace hitclock::catalog {
namespace {

class CatalogInstance final : public common::ServiceInstance {
 public:
  explicit CatalogInstance(std::unique_ptr<CatalogHandler> handler)
      : handler_(std::move(handler)), service_(*handler_) {}
  std::vector<grpc::Service*> GrpcServices() override { return {&service_}; }

 private:
  std::unique_ptr<CatalogHandler> handler_;
  CatalogService service_;
};

}  // namespace

grpc::ServerUnaryReactor* CatalogService::CreateArtist(
    grpc::CallbackServerContext* ctx, const v1::CreateArtistRequest* request,
    v1::CreateArtistResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.CreateArtist(*request); });
}

grpc::ServerUnaryReactor* CatalogService::GetArtist(
    grpc::CallbackServerContext* ctx, const v1::GetArtistRequest* request,
    v1::GetArtistResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.GetArtist(*request); });
}

grpc::ServerUnaryReactor* CatalogService::ListArtists(
    grpc::CallbackServerContext* ctx, const v1::ListArtistsRequest* request,
    v1::ListArtistsResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.ListArtists(*request); });
}

grpc::ServerUnaryReactor* CatalogService::UpdateArtist(
    grpc::CallbackServerContext* ctx, const v1::UpdateArtistRequest* request,
    v1::UpdateArtistResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.UpdateArtist(*request); });
}

grpc::ServerUnaryReactor* CatalogService::DeleteArtist(
    grpc::CallbackServerContext* ctx, const v1::DeleteArtistRequest* request,
    v1::DeleteArtistResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.DeleteArtist(*request); });
}

grpc::ServerUnaryReactor* CatalogService::CreateTrack(
    grpc::CallbackServerContext* ctx, const v1::CreateTrackRequest* request,
    v1::CreateTrackResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.CreateTrack(*request); });
}

grpc::ServerUnaryReactor* CatalogService::GetTrack(
    grpc::CallbackServerContext* ctx, const v1::GetTrackRequest* request,
    v1::GetTrackResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.GetTrack(*request); });
}

grpc::ServerUnaryReactor* CatalogService::BatchGetTracks(
    grpc::CallbackServerContext* ctx, const v1::BatchGetTracksRequest* request,
    v1::BatchGetTracksResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.BatchGetTracks(*request); });
}

grpc::ServerUnaryReactor* CatalogService::ListTracks(
    grpc::CallbackServerContext* ctx, const v1::ListTracksRequest* request,
    v1::ListTracksResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.ListTracks(*request); });
}

grpc::ServerUnaryReactor* CatalogService::UpdateTrack(
    grpc::CallbackServerContext* ctx, const v1::UpdateTrackRequest* request,
    v1::UpdateTrackResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.UpdateTrack(*request); });
}

grpc::ServerUnaryReactor* CatalogService::DeleteTrack(
    grpc::CallbackServerContext* ctx, const v1::DeleteTrackRequest* request,
    v1::DeleteTrackResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.DeleteTrack(*request); });
}

grpc::ServerUnaryReactor* CatalogService::CreateProduction(
    grpc::CallbackServerContext* ctx,
    const v1::CreateProductionRequest* request,
    v1::CreateProductionResponse* response) {
  return common::RespondWith(
      ctx, response, [&] { return handler_.CreateProduction(*request); });
}

grpc::ServerUnaryReactor* CatalogService::GetProduction(
    grpc::CallbackServerContext* ctx, const v1::GetProductionRequest* request,
    v1::GetProductionResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.GetProduction(*request); });
}

grpc::ServerUnaryReactor* CatalogService::ListProductions(
    grpc::CallbackServerContext* ctx, const v1::ListProductionsRequest* request,
    v1::ListProductionsResponse* response) {
  return common::RespondWith(
      ctx, response, [&] { return handler_.ListProductions(*request); });
}

grpc::ServerUnaryReactor* CatalogService::UpdateProduction(
    grpc::CallbackServerContext* ctx,
    const v1::UpdateProductionRequest* request,
    v1::UpdateProductionResponse* response) {
  return common::RespondWith(
      ctx, response, [&] { return handler_.UpdateProduction(*request); });
}

grpc::ServerUnaryReactor* CatalogService::DeleteProduction(
    grpc::CallbackServerContext* ctx,
    const v1::DeleteProductionRequest* request,
    v1::DeleteProductionResponse* response) {
  return common::RespondWith(
      ctx, response, [&] { return handler_.DeleteProduction(*request); });
}

grpc::ServerUnaryReactor* CatalogService::ResolveTracks(
    grpc::CallbackServerContext* ctx, const v1::ResolveTracksRequest* request,
    v1::ResolveTracksResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.ResolveTracks(*request); });
}

grpc::ServerUnaryReactor* CatalogService::ImportCatalog(
    grpc::CallbackServerContext* ctx, const v1::ImportCatalogRequest* request,
    v1::ImportCatalogResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.ImportCatalog(*request); });
}

grpc::ServerUnaryReactor* CatalogService::ListChanges(
    grpc::CallbackServerContext* ctx, const v1::ListChangesRequest* request,
    v1::ListChangesResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.ListChanges(*request); });
}

common::ServiceDescriptor CatalogDescriptor() {
  common::ServiceDescriptor d;
  d.name = "catalog";
  d.grpc_service = "hitclock.catalog.v1.CatalogService";
  d.default_port = 50051;
  d.read_methods = {"/hitclock.catalog.v1.CatalogService/GetArtist",
                    "/hitclock.catalog.v1.CatalogService/ListArtists",
                    "/hitclock.catalog.v1.CatalogService/GetTrack",
                    "/hitclock.catalog.v1.CatalogService/BatchGetTracks",
                    "/hitclock.catalog.v1.CatalogService/ListTracks",
                    "/hitclock.catalog.v1.CatalogService/GetProduction",
                    "/hitclock.catalog.v1.CatalogService/ListProductions",
                    "/hitclock.catalog.v1.CatalogService/ResolveTracks",
                    "/hitclock.catalog.v1.CatalogService/ListChanges"};
  return d;
}

absl::StatusOr<std::unique_ptr<common::ServiceInstance>> CreateCatalogInstance(
    const common::ServiceOptions& options) {
  auto store = CatalogStore::Open(
      (std::filesystem::path(options.data_dir) / "catalog.db").string(),
      options.durability);
  if (!store.ok()) return store.status();
  auto handler = CatalogHandler::Create(*std::move(store));
  if (!handler.ok()) return handler.status();
  return std::unique_ptr<common::ServiceInstance>(
      new CatalogInstance(*std::move(handler)));
}

}  // namespace hitclock::catalog
