// hitclock-catalog: artists, tracks, productions and chart-entry resolution.
#include "common/server.h"
#include "services/catalog/catalog_service.h"

int main(int argc, char** argv) {
  return hitclock::common::ServiceMain(
      hitclock::catalog::CatalogDescriptor(), argc, argv,
      &hitclock::catalog::CreateCatalogInstance);
}
