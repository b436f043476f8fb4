// hitclock-ingest: takes chart snapshots in, commits them, and forwards
// them, resolved, to records.
#include "common/server.h"
#include "services/ingest/ingest_service.h"

int main(int argc, char** argv) {
  return hitclock::common::ServiceMain(hitclock::ingest::IngestDescriptor(),
                                       argc, argv,
                                       &hitclock::ingest::CreateIngestInstance);
}
