// Server reflection answered from the suite's descriptors: what grpcurl
// asks (list, file by symbol, file by name) comes back with the protos'
// comments and every import; an unknown name is NOT_FOUND in the answer.
#include "common/reflection.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"

namespace hitclock::common {
namespace {

google::protobuf::FileDescriptorProto Parse(const std::string& bytes) {
  google::protobuf::FileDescriptorProto file;
  EXPECT_TRUE(file.ParseFromString(bytes));
  return file;
}

// Whether any comment of `file` contains `text`.
bool HasComment(const google::protobuf::FileDescriptorProto& file,
                const std::string& text) {
  for (const auto& location : file.source_code_info().location()) {
    if (absl::StrContains(location.leading_comments(), text)) return true;
  }
  return false;
}

TEST(ReflectionTest, ListsTheServicesItIsGiven) {
  reflection::ServerReflectionRequest request;
  request.set_list_services("*");
  const auto response = AnswerReflection(
      request, {"grpc.health.v1.Health", "hitclock.records.v1.RecordsService"});
  ASSERT_TRUE(response.has_list_services_response());
  ASSERT_EQ(response.list_services_response().service_size(), 2);
  EXPECT_EQ(response.list_services_response().service(1).name(),
            "hitclock.records.v1.RecordsService");
  EXPECT_EQ(response.original_request().list_services(), "*");
}

TEST(ReflectionTest, AServiceComesWithItsCommentsAndEveryImportFirst) {
  reflection::ServerReflectionRequest request;
  request.set_file_containing_symbol("hitclock.records.v1.RecordsService");
  const auto response = AnswerReflection(request, {});
  ASSERT_TRUE(response.has_file_descriptor_response())
      << response.DebugString();
  const auto& files =
      response.file_descriptor_response().file_descriptor_proto();
  ASSERT_GE(files.size(), 3);
  // The file asked for comes last, after everything it imports.
  const auto records = Parse(files[files.size() - 1]);
  EXPECT_EQ(records.name(), "hitclock/records/v1/records.proto");
  EXPECT_TRUE(HasComment(records, "RecordsService keeps chart observations"));
  // No json_name, as in the compiled-in descriptors: grpcurl keeps printing
  // the proto field names (`time_to_threshold`, not `timeToThreshold`).
  for (const auto& message : records.message_type()) {
    for (const auto& field : message.field()) {
      EXPECT_FALSE(field.has_json_name())
          << message.name() << "." << field.name();
    }
  }
  std::vector<std::string> names;
  for (const std::string& bytes : files) names.push_back(Parse(bytes).name());
  for (const std::string& import : records.dependency()) {
    EXPECT_NE(std::find(names.begin(), names.end() - 1, import),
              names.end() - 1)
        << import << " is not sent before the file that imports it";
  }
  EXPECT_NE(
      std::find(names.begin(), names.end(), "google/protobuf/timestamp.proto"),
      names.end());
}

TEST(ReflectionTest, MethodsAndMessagesOfEveryServiceResolve) {
  for (const char* symbol : {"hitclock.catalog.v1.CatalogService.ResolveTracks",
                             "hitclock.ingest.v1.ReforwardSnapshotsRequest",
                             "hitclock.records.v1.GetTimeToThresholdRequest",
                             "hitclock.common.v1.ChartId"}) {
    reflection::ServerReflectionRequest request;
    request.set_file_containing_symbol(symbol);
    const auto response = AnswerReflection(request, {});
    ASSERT_TRUE(response.has_file_descriptor_response()) << symbol;
    const auto& files =
        response.file_descriptor_response().file_descriptor_proto();
    EXPECT_TRUE(Parse(files[files.size() - 1]).has_source_code_info())
        << symbol << " comes without its comments";
  }
}

TEST(ReflectionTest, AFileByNameAndTheHealthService) {
  reflection::ServerReflectionRequest request;
  request.set_file_by_filename("hitclock/ingest/v1/ingest.proto");
  auto response = AnswerReflection(request, {});
  ASSERT_TRUE(response.has_file_descriptor_response());
  // grpc.health.v1 is not one of the suite's protos: it is found among the
  // messages compiled into the binary.
  request.set_file_containing_symbol("grpc.health.v1.Health");
  response = AnswerReflection(request, {});
  ASSERT_TRUE(response.has_file_descriptor_response())
      << response.DebugString();
}

TEST(ReflectionTest, UnknownNamesAreNotFoundInTheAnswer) {
  reflection::ServerReflectionRequest request;
  for (auto ask : std::vector<void (*)(reflection::ServerReflectionRequest&)>{
           [](auto& r) { r.set_file_containing_symbol("no.such.Service"); },
           [](auto& r) { r.set_file_by_filename("no/such.proto"); },
           [](auto& r) { r.set_all_extension_numbers_of_type("no.Such"); },
           [](auto& r) {
             r.mutable_file_containing_extension()->set_containing_type(
                 "hitclock.common.v1.ChartId");
             r.mutable_file_containing_extension()->set_extension_number(99);
           }}) {
    ask(request);
    const auto response = AnswerReflection(request, {});
    ASSERT_TRUE(response.has_error_response()) << request.DebugString();
    EXPECT_EQ(response.error_response().error_code(),
              static_cast<int>(grpc::StatusCode::NOT_FOUND));
    EXPECT_FALSE(response.error_response().error_message().empty());
  }
  const auto empty =
      AnswerReflection(reflection::ServerReflectionRequest(), {});
  ASSERT_TRUE(empty.has_error_response());
  EXPECT_EQ(empty.error_response().error_code(),
            static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
}

}  // namespace
}  // namespace hitclock::common
