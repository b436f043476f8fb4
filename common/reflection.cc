#include "common/reflection.h"

#include <set>
#include <utility>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "protos/descriptor_set.h"

namespace hitclock::common {
namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptor;

// Drops the `json_name` protoc writes into a descriptor set (the compiled-in
// descriptors have none): with it, grpcurl would print lowerCamelCase JSON
// names instead of the proto field names it shows today.
void ClearJsonNames(google::protobuf::DescriptorProto& message) {
  for (auto& field : *message.mutable_field()) field.clear_json_name();
  for (auto& field : *message.mutable_extension()) field.clear_json_name();
  for (auto& nested : *message.mutable_nested_type()) ClearJsonNames(nested);
}

// The suite's descriptors with their comments, built once.
const DescriptorPool& SuitePool() {
  static const DescriptorPool* pool = [] {
    auto* built = new DescriptorPool();
    google::protobuf::FileDescriptorSet set;
    const std::string_view bytes = protos::DescriptorSet();
    if (set.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      for (auto& file : *set.mutable_file()) {
        for (auto& message : *file.mutable_message_type()) {
          ClearJsonNames(message);
        }
        for (auto& field : *file.mutable_extension()) field.clear_json_name();
        built->BuildFile(file);
      }
    }
    return built;
  }();
  return *pool;
}

// `find` asked of the suite's pool, then of the generated one.
template <typename Find>
const FileDescriptor* Lookup(Find find) {
  if (const FileDescriptor* f = find(SuitePool())) return f;
  return find(*DescriptorPool::generated_pool());
}

// `file` and its imports, transitively, each once, imports first.
void AddFile(const FileDescriptor* file, std::set<std::string>& seen,
             reflection::FileDescriptorResponse& out) {
  if (!seen.insert(file->name()).second) return;
  for (int i = 0; i < file->dependency_count(); ++i) {
    AddFile(file->dependency(i), seen, out);
  }
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  file->CopySourceCodeInfoTo(&proto);
  proto.SerializeToString(out.add_file_descriptor_proto());
}

}  // namespace

reflection::ServerReflectionResponse AnswerReflection(
    const reflection::ServerReflectionRequest& request,
    const std::vector<std::string>& services) {
  reflection::ServerReflectionResponse response;
  response.set_valid_host(request.host());
  *response.mutable_original_request() = request;
  auto not_found = [&](const std::string& what) {
    response.mutable_error_response()->set_error_code(
        static_cast<int>(grpc::StatusCode::NOT_FOUND));
    response.mutable_error_response()->set_error_message(
        what + " is not known to this server");
    return response;
  };
  auto files = [&](const FileDescriptor* file) {
    std::set<std::string> seen;
    AddFile(file, seen, *response.mutable_file_descriptor_response());
    return response;
  };
  switch (request.message_request_case()) {
    case reflection::ServerReflectionRequest::kFileByFilename: {
      const std::string& name = request.file_by_filename();
      const FileDescriptor* f = Lookup(
          [&](const DescriptorPool& p) { return p.FindFileByName(name); });
      return f != nullptr ? files(f) : not_found("file " + name);
    }
    case reflection::ServerReflectionRequest::kFileContainingSymbol: {
      const std::string& symbol = request.file_containing_symbol();
      const FileDescriptor* f = Lookup([&](const DescriptorPool& p) {
        return p.FindFileContainingSymbol(symbol);
      });
      return f != nullptr ? files(f) : not_found("symbol " + symbol);
    }
    case reflection::ServerReflectionRequest::kFileContainingExtension: {
      const auto& ext = request.file_containing_extension();
      const FileDescriptor* f =
          Lookup([&](const DescriptorPool& p) -> const FileDescriptor* {
            const auto* type = p.FindMessageTypeByName(ext.containing_type());
            if (type == nullptr) return nullptr;
            const auto* field =
                p.FindExtensionByNumber(type, ext.extension_number());
            return field == nullptr ? nullptr : field->file();
          });
      return f != nullptr ? files(f)
                          : not_found("extension " + ext.containing_type());
    }
    case reflection::ServerReflectionRequest::kAllExtensionNumbersOfType: {
      const std::string& name = request.all_extension_numbers_of_type();
      for (const DescriptorPool* p :
           {&SuitePool(), DescriptorPool::generated_pool()}) {
        const auto* type = p->FindMessageTypeByName(name);
        if (type == nullptr) continue;
        std::vector<const google::protobuf::FieldDescriptor*> extensions;
        p->FindAllExtensions(type, &extensions);
        auto* numbers = response.mutable_all_extension_numbers_response();
        numbers->set_base_type_name(name);
        for (const auto* e : extensions) {
          numbers->add_extension_number(e->number());
        }
        return response;
      }
      return not_found("type " + name);
    }
    case reflection::ServerReflectionRequest::kListServices:
      for (const std::string& name : services) {
        response.mutable_list_services_response()->add_service()->set_name(
            name);
      }
      return response;
    case reflection::ServerReflectionRequest::MESSAGE_REQUEST_NOT_SET:
      break;
  }
  response.mutable_error_response()->set_error_code(
      static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  response.mutable_error_response()->set_error_message(
      "the request asks nothing (message_request is not set)");
  return response;
}

namespace {

// Reads a request, writes its answer, reads the next; ends OK when the
// client half-closes.
class ReflectionReactor final
    : public grpc::ServerBidiReactor<reflection::ServerReflectionRequest,
                                     reflection::ServerReflectionResponse> {
 public:
  explicit ReflectionReactor(const std::vector<std::string>& services)
      : services_(services) {
    StartRead(&request_);
  }
  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::OK);
      return;
    }
    response_ = AnswerReflection(request_, services_);
    StartWrite(&response_);
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed"));
      return;
    }
    StartRead(&request_);
  }
  void OnDone() override { delete this; }

 private:
  const std::vector<std::string>& services_;
  reflection::ServerReflectionRequest request_;
  reflection::ServerReflectionResponse response_;
};

}  // namespace

ReflectionService::ReflectionService(std::vector<std::string> services)
    : services_(std::move(services)) {}

grpc::ServerBidiReactor<reflection::ServerReflectionRequest,
                        reflection::ServerReflectionResponse>*
ReflectionService::ServerReflectionInfo(grpc::CallbackServerContext* context) {
  return new ReflectionReactor(services_);
}

}  // namespace hitclock::common
