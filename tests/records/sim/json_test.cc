// The simulator's JSON, parsed by protobuf's JSON parser into the request
// messages a loader sends to ingest and catalog.

#include <fstream>
#include <sstream>
#include <string>

#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "hitclock/catalog/v1/catalog.pb.h"
#include "hitclock/ingest/v1/ingest.pb.h"
#include "services/records/sim/demo.h"
#include "services/records/sim/generator.h"
#include "services/records/sim/output.h"

namespace hitclock::records::sim {
namespace {

TEST(JsonTest, DemoLinesAreSubmitSnapshotRequests) {
  int64_t lines = 0;
  GenerateDemo({}, [&](const SimSnapshot& s) {
    if (++lines % 97 != 1) return;  // a sample keeps the test fast
    std::string line;
    AppendSnapshotJson(s, JsonLineShape::kSubmitSnapshotRequest, &line);
    hitclock::ingest::v1::SubmitSnapshotRequest request;
    google::protobuf::util::JsonParseOptions strict;
    strict.ignore_unknown_fields = false;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(line, &request, strict)
            .ok())
        << line;
    EXPECT_EQ(request.snapshot().chart().provider(), "itunes");
    EXPECT_EQ(request.snapshot().chart().list(), "top-songs");
    EXPECT_EQ(request.snapshot().region().code(), s.region);
    EXPECT_EQ(request.snapshot().capture_time().seconds() * 1'000'000,
              s.capture_micros);
    ASSERT_EQ(request.snapshot().entries_size(),
              static_cast<int>(s.entries.size()));
    EXPECT_EQ(request.snapshot().entries(0).entry().provider_track_id(),
              s.entries[0].provider_track_id);
  });
  EXPECT_GT(lines, 0);
}

TEST(JsonTest, CatalogsAreImportCatalogRequests) {
  hitclock::catalog::v1::ImportCatalogRequest extra;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  DemoCompanionCatalogJson(), &extra)
                  .ok());
  EXPECT_GE(extra.document().tracks_size(), 25);
  // No id collides with the real demo catalog.
  std::ifstream file(std::string(HITCLOCK_SOURCE_DIR) + "/demo/catalog.json");
  std::stringstream text;
  text << file.rdbuf();
  hitclock::catalog::v1::ImportCatalogRequest real;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(text.str(), &real).ok());
  for (const auto& t : extra.document().tracks()) {
    for (const auto& r : real.document().tracks()) EXPECT_NE(t.id(), r.id());
  }
  for (const auto& a : extra.document().artists()) {
    for (const auto& r : real.document().artists()) EXPECT_NE(a.id(), r.id());
  }
  GeneratorOptions options;
  options.track_count = 50;
  hitclock::catalog::v1::ImportCatalogRequest generated;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  Generator(options).CatalogJson(), &generated)
                  .ok());
  EXPECT_EQ(generated.document().tracks_size(), 50);
}

}  // namespace
}  // namespace hitclock::records::sim
