// Small builders of catalog messages shared by the catalog tests.
#ifndef HITCLOCK_TESTS_CATALOG_CATALOG_FIXTURES_H_
#define HITCLOCK_TESTS_CATALOG_CATALOG_FIXTURES_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "hitclock/catalog/v1/catalog.pb.h"

namespace hitclock::catalog::fixtures {

// A fresh directory under the test temp dir.
inline std::filesystem::path MakeTempDir(const std::string& prefix) {
  std::string pattern =
      (std::filesystem::path(::testing::TempDir()) / (prefix + "-XXXXXX"))
          .string();
  char* made = mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr);
  return std::filesystem::path(pattern);
}

inline v1::Artist Group(const std::string& id, const std::string& name) {
  v1::Artist a;
  a.set_id(id);
  a.set_name(name);
  a.set_kind(v1::ARTIST_KIND_GROUP);
  a.set_origin_country("KR");
  return a;
}

inline v1::Artist Solo(const std::string& id, const std::string& name,
                       const std::vector<std::string>& aliases) {
  v1::Artist a;
  a.set_id(id);
  a.set_name(name);
  a.set_kind(v1::ARTIST_KIND_SOLO);
  a.set_origin_country("KR");
  for (const auto& alias : aliases) a.add_aliases(alias);
  return a;
}

// A single by one main artist with one iTunes id.
inline v1::Track SimpleTrack(const std::string& id, const std::string& title,
                             const std::string& artist_id,
                             const std::string& itunes_id) {
  v1::Track t;
  t.set_id(id);
  t.set_title(title);
  auto* a = t.add_artists();
  a->set_artist_id(artist_id);
  a->set_role(v1::CREDIT_ROLE_MAIN);
  t.mutable_release_time()->set_seconds(1600000000);
  t.set_kind(v1::TRACK_KIND_SINGLE);
  auto* p = t.add_provider_ids();
  p->set_provider("itunes");
  p->set_id(itunes_id);
  return t;
}

// The text of a file of the source tree.
inline std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::filesystem::path(HITCLOCK_SOURCE_DIR) / relative);
  EXPECT_TRUE(in.good()) << relative;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The demo catalog that ships in `demo/catalog.json`.
inline v1::ImportCatalogRequest SeedRequest() {
  v1::ImportCatalogRequest request;
  auto status = google::protobuf::util::JsonStringToMessage(
      ReadSourceFile("demo/catalog.json"), &request);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return request;
}

inline v1::CatalogDocument SeedDocument() { return SeedRequest().document(); }

}  // namespace hitclock::catalog::fixtures

#endif  // HITCLOCK_TESTS_CATALOG_CATALOG_FIXTURES_H_
