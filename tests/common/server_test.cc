// A real server on 127.0.0.1:0 serving the test-only CounterService, talked
// to by real clients.
#include "common/server.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/impl/codegen/sync_stream.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <stdexcept>
#include <thread>

#include "common/limits.h"
#include "common/probe.h"
#include "common/rpc.h"
#include "common/status.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "testing.grpc.pb.h"

namespace hitclock::common {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using hitclock::testing::v1::AddCounterRequest;
using hitclock::testing::v1::AddCounterResponse;
using hitclock::testing::v1::CounterService;
using hitclock::testing::v1::CountUpRequest;
using hitclock::testing::v1::CountUpResponse;
using hitclock::testing::v1::GetCounterRequest;
using hitclock::testing::v1::GetCounterResponse;

constexpr char kServiceName[] = "hitclock.testing.v1.CounterService";

// What the tests observe of the service from outside the server.
struct Observed {
  std::atomic<int64_t> counter{0};
  std::atomic<bool> slow_call_entered{false};
  std::atomic<bool> closed{false};
};

class CountUpReactor final : public grpc::ServerWriteReactor<CountUpResponse> {
 public:
  CountUpReactor(Observed* observed, int times) {
    for (int i = 0; i < times; ++i) values_.push_back(++observed->counter);
    Next();
  }
  void OnWriteDone(bool ok) override {
    if (!ok) return Finish(grpc::Status::CANCELLED);
    Next();
  }
  void OnDone() override { delete this; }

 private:
  void Next() {
    if (next_ == values_.size()) return Finish(grpc::Status::OK);
    response_.set_value(values_[next_++]);
    StartWrite(&response_);
  }
  std::vector<int64_t> values_;
  size_t next_ = 0;
  CountUpResponse response_;
};

class CounterServiceImpl final : public CounterService::CallbackService {
 public:
  explicit CounterServiceImpl(Observed* observed) : observed_(observed) {}

  grpc::ServerUnaryReactor* GetCounter(grpc::CallbackServerContext* ctx,
                                       const GetCounterRequest*,
                                       GetCounterResponse* response) override {
    return Respond(ctx, [&] {
      response->set_value(observed_->counter.load());
      return absl::OkStatus();
    });
  }

  grpc::ServerUnaryReactor* AddCounter(grpc::CallbackServerContext* ctx,
                                       const AddCounterRequest* request,
                                       AddCounterResponse* response) override {
    return Respond(ctx, [&]() -> absl::Status {
      if (request->throw_error()) throw std::runtime_error("secret detail");
      if (request->delta() < 0) {
        return InvalidField("delta", "must not be negative");
      }
      if (request->delay_ms() > 0) {
        observed_->slow_call_entered = true;
        std::this_thread::sleep_for(
            std::chrono::milliseconds(request->delay_ms()));
      }
      response->set_value(observed_->counter += request->delta());
      return absl::OkStatus();
    });
  }

  grpc::ServerWriteReactor<CountUpResponse>* CountUp(
      grpc::CallbackServerContext* ctx,
      const CountUpRequest* request) override {
    if (absl::Status allowed = CheckCallAllowed(ctx); !allowed.ok()) {
      return FailedWriter<CountUpResponse>(allowed);
    }
    return new CountUpReactor(observed_, request->times());
  }

 private:
  Observed* observed_;
};

class CounterInstance final : public ServiceInstance {
 public:
  explicit CounterInstance(Observed* observed)
      : observed_(observed), service_(observed) {}
  std::vector<grpc::Service*> GrpcServices() override { return {&service_}; }
  void Close() override { observed_->closed = true; }

 private:
  Observed* observed_;
  CounterServiceImpl service_;
};

ServiceDescriptor Descriptor() {
  ServiceDescriptor d;
  d.name = "counter";
  d.grpc_service = kServiceName;
  d.default_port = 0;
  d.read_methods = {"/hitclock.testing.v1.CounterService/GetCounter"};
  return d;
}

class ServerTest : public ::testing::Test {
 protected:
  void Start(ServiceOptions options = {}) {
    options.listen_address = "127.0.0.1:0";
    absl::StatusOr<std::unique_ptr<RunningServer>> server =
        RunningServer::Start(Descriptor(), options,
                             std::make_unique<CounterInstance>(&observed_));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_GT(server_->port(), 0);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    stub_ = CounterService::NewStub(channel_);
  }

  ServiceOptions WithToken(bool auth_reads = false) {
    ServiceOptions options;
    options.auth_token = "s3cret";
    options.auth_reads = auth_reads;
    return options;
  }

  grpc::Status Add(int64_t delta, const std::string& authorization = "",
                   int delay_ms = 0, AddCounterResponse* out = nullptr) {
    grpc::ClientContext ctx;
    if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
    AddCounterRequest request;
    request.set_delta(delta);
    request.set_delay_ms(delay_ms);
    AddCounterResponse response;
    grpc::Status status = stub_->AddCounter(&ctx, request, &response);
    if (out != nullptr) *out = response;
    return status;
  }

  grpc::Status Get(const std::string& authorization = "") {
    grpc::ClientContext ctx;
    if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
    GetCounterResponse response;
    return stub_->GetCounter(&ctx, GetCounterRequest(), &response);
  }

  grpc::Status HealthCheck(const std::string& service,
                           HealthCheckResponse* response) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(5));
    HealthCheckRequest request;
    request.set_service(service);
    return Health::NewStub(channel_)->Check(&ctx, request, response);
  }

  // Service names listed by the reflection service (v1alpha), spoken as raw
  // protobuf bytes so that the test needs no reflection stubs.
  std::vector<std::string> ReflectionServices() {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(5));
    const grpc::internal::RpcMethod method(
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        grpc::internal::RpcMethod::BIDI_STREAMING);
    std::unique_ptr<
        grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>>
        stream(grpc::internal::ClientReaderWriterFactory<
               grpc::ByteBuffer, grpc::ByteBuffer>::Create(channel_.get(),
                                                           method, &ctx));
    // ServerReflectionRequest{list_services (field 7): "*"}
    const std::string request_bytes("\x3a\x01*", 3);
    grpc::Slice slice(request_bytes);
    grpc::ByteBuffer request(&slice, 1);
    std::vector<std::string> names;
    if (!stream->Write(request)) return names;
    stream->WritesDone();
    grpc::ByteBuffer response;
    if (!stream->Read(&response)) return names;
    std::vector<grpc::Slice> slices;
    (void)response.Dump(&slices);
    std::string bytes;
    for (const grpc::Slice& s : slices) {
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    (void)stream->Finish();
    // ServerReflectionResponse.list_services_response (6)
    //   .service (1, repeated) .name (1)
    google::protobuf::UnknownFieldSet top;
    if (!top.ParseFromString(bytes)) return names;
    for (int i = 0; i < top.field_count(); ++i) {
      if (top.field(i).number() != 6) continue;
      google::protobuf::UnknownFieldSet list;
      list.ParseFromString(top.field(i).length_delimited());
      for (int j = 0; j < list.field_count(); ++j) {
        google::protobuf::UnknownFieldSet service;
        service.ParseFromString(list.field(j).length_delimited());
        for (int k = 0; k < service.field_count(); ++k) {
          if (service.field(k).number() == 1) {
            names.push_back(service.field(k).length_delimited());
          }
        }
      }
    }
    return names;
  }

  Observed observed_;
  std::unique_ptr<RunningServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<CounterService::Stub> stub_;
};

TEST_F(ServerTest, HealthIsServingForTheServerAndTheService) {
  Start();
  HealthCheckResponse response;
  ASSERT_TRUE(HealthCheck("", &response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  ASSERT_TRUE(HealthCheck(kServiceName, &response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  EXPECT_EQ(HealthCheck("no.such.Service", &response).error_code(),
            grpc::StatusCode::NOT_FOUND);

  server_->SetServing(false);
  ASSERT_TRUE(HealthCheck(kServiceName, &response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);
}

TEST_F(ServerTest, ReflectionListsTheService) {
  Start();
  const std::vector<std::string> names = ReflectionServices();
  EXPECT_NE(std::find(names.begin(), names.end(), kServiceName), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "grpc.health.v1.Health"),
            names.end());
}

TEST_F(ServerTest, CallsWorkWithoutAToken) {
  Start();
  AddCounterResponse response;
  ASSERT_TRUE(Add(3, "", 0, &response).ok());
  EXPECT_EQ(response.value(), 3);
  EXPECT_TRUE(Get().ok());
}

TEST_F(ServerTest, HandlerStatusReachesTheClient) {
  Start();
  const grpc::Status status = Add(-1);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "delta: must not be negative");
}

TEST_F(ServerTest, ReceivesMessagesUpToTheOneStatedLimit) {
  Start();
  // A request padded with an unknown field to `bytes` bytes on the wire.
  auto get_of_size = [&](size_t bytes) {
    GetCounterRequest request;
    request.GetReflection()->MutableUnknownFields(&request)->AddLengthDelimited(
        99, std::string(bytes - 8, 'x'));
    grpc::ClientContext ctx;
    GetCounterResponse response;
    return stub_->GetCounter(&ctx, request, &response);
  };
  // Above gRPC's default 4 MiB, within the suite's 8 MiB.
  const grpc::Status within = get_of_size(kMaxMessageBytes - 1024);
  EXPECT_TRUE(within.ok()) << within.error_message();
  const grpc::Status beyond = get_of_size(kMaxMessageBytes + 1024);
  EXPECT_EQ(beyond.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << beyond.error_message();
}

TEST_F(ServerTest, UnparsableRequestIsInvalidArgumentWithAMessage) {
  Start();
  GetCounterRequest request;
  request.set_note("bad \xff UTF-8");  // proto3 strings must be UTF-8
  grpc::ClientContext ctx;
  GetCounterResponse response;
  ::testing::internal::CaptureStdout();
  const grpc::Status status = stub_->GetCounter(&ctx, request, &response);
  const std::string logged = ::testing::internal::GetCapturedStdout();
  // libprotobuf's complaint is a log line of ours, not a raw stderr line.
  EXPECT_NE(logged.find("libprotobuf"), std::string::npos) << logged;
  EXPECT_NE(logged.find("invalid UTF-8"), std::string::npos) << logged;
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "request: is not a valid message of this method (a string field "
            "holds invalid UTF-8, or the bytes are not protobuf)");
  // A well-formed request on the same server still works.
  EXPECT_TRUE(Get().ok());
}

TEST(ServerStartTest, WarnsWhenServingBeyondLoopbackWithNoToken) {
  Observed observed;
  auto start = [&](const std::string& listen, const std::string& token) {
    ServiceOptions options;
    options.listen_address = listen;
    options.auth_token = token;
    ::testing::internal::CaptureStdout();
    absl::StatusOr<std::unique_ptr<RunningServer>> server =
        RunningServer::Start(Descriptor(), options,
                             std::make_unique<CounterInstance>(&observed));
    const std::string logged = ::testing::internal::GetCapturedStdout();
    EXPECT_TRUE(server.ok()) << server.status();
    return logged.find("SERVING BEYOND LOOPBACK WITH NO AUTH TOKEN") !=
           std::string::npos;
  };
  EXPECT_TRUE(start("0.0.0.0:0", ""));
  EXPECT_FALSE(start("0.0.0.0:0", "s3cret"));
  EXPECT_FALSE(start("127.0.0.1:0", ""));
}

TEST_F(ServerTest, ExceptionBecomesInternalWithoutDetails) {
  Start();
  grpc::ClientContext ctx;
  AddCounterRequest request;
  request.set_throw_error(true);
  AddCounterResponse response;
  const grpc::Status status = stub_->AddCounter(&ctx, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(status.error_message().find("secret detail"), std::string::npos);
  // The server is still fine.
  EXPECT_TRUE(Get().ok());
}

TEST_F(ServerTest, WriteWithoutTokenIsRefusedAndDoesNotRun) {
  Start(WithToken());
  const grpc::Status status = Add(5);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(observed_.counter.load(), 0);
  EXPECT_FALSE(observed_.slow_call_entered.load());
}

TEST_F(ServerTest, WriteWithWrongTokenIsRefusedAndDoesNotRun) {
  Start(WithToken());
  EXPECT_EQ(Add(5, "Bearer wrong").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Add(5, "Bearer s3cre").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Add(5, "Bearer s3cretX").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Add(5, "Basic s3cret").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Add(5, "s3cret").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(observed_.counter.load(), 0);
}

TEST_F(ServerTest, ForgedVerdictMetadataIsIgnored) {
  Start(WithToken());
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-hitclock-auth-verdict", "allowed");
  AddCounterRequest request;
  request.set_delta(5);
  AddCounterResponse response;
  EXPECT_EQ(stub_->AddCounter(&ctx, request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(observed_.counter.load(), 0);
}

TEST_F(ServerTest, WriteWithTheTokenRuns) {
  Start(WithToken());
  AddCounterResponse response;
  ASSERT_TRUE(Add(5, "Bearer s3cret", 0, &response).ok());
  EXPECT_EQ(response.value(), 5);
  ASSERT_TRUE(Add(1, "bearer s3cret").ok());  // the scheme is case-insensitive
  EXPECT_EQ(observed_.counter.load(), 6);
}

TEST_F(ServerTest, ReadsStayOpenByDefault) {
  Start(WithToken());
  EXPECT_TRUE(Get().ok());
  EXPECT_TRUE(Get("Bearer wrong").ok());
}

TEST_F(ServerTest, ReadsNeedTheTokenWithAuthReads) {
  Start(WithToken(/*auth_reads=*/true));
  EXPECT_EQ(Get().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Get("Bearer wrong").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Get("Bearer s3cret").ok());
}

TEST_F(ServerTest, HealthAndReflectionStayOpenWithAuthReads) {
  Start(WithToken(/*auth_reads=*/true));
  HealthCheckResponse response;
  ASSERT_TRUE(HealthCheck(kServiceName, &response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  EXPECT_FALSE(ReflectionServices().empty());
}

TEST_F(ServerTest, StreamingWriteNeedsTheTokenToo) {
  Start(WithToken());
  {
    grpc::ClientContext ctx;
    CountUpRequest request;
    request.set_times(3);
    auto reader = stub_->CountUp(&ctx, request);
    CountUpResponse response;
    EXPECT_FALSE(reader->Read(&response));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(observed_.counter.load(), 0);
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer s3cret");
    CountUpRequest request;
    request.set_times(3);
    auto reader = stub_->CountUp(&ctx, request);
    CountUpResponse response;
    std::vector<int64_t> values;
    while (reader->Read(&response)) values.push_back(response.value());
    EXPECT_TRUE(reader->Finish().ok());
    EXPECT_EQ(values, (std::vector<int64_t>{1, 2, 3}));
  }
}

TEST_F(ServerTest, ShutdownLetsAnInFlightCallFinish) {
  ServiceOptions options;
  options.shutdown_timeout = absl::Seconds(10);
  Start(options);

  // A health watcher sees SERVING, then NOT_SERVING when shutdown begins.
  grpc::ClientContext watch_ctx;
  HealthCheckRequest watch_request;
  watch_request.set_service(kServiceName);
  auto watch = Health::NewStub(channel_)->Watch(&watch_ctx, watch_request);
  HealthCheckResponse update;
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::SERVING);

  std::future<grpc::Status> slow = std::async(
      std::launch::async, [&] { return Add(1, "", /*delay_ms=*/700); });
  while (!observed_.slow_call_entered) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto begin = std::chrono::steady_clock::now();
  std::thread shutdown([&] { server_->Shutdown(); });

  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::NOT_SERVING);
  watch_ctx.TryCancel();
  (void)watch->Finish();

  const grpc::Status slow_status = slow.get();
  EXPECT_TRUE(slow_status.ok()) << slow_status.error_message();
  shutdown.join();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
  EXPECT_EQ(observed_.counter.load(), 1);
  EXPECT_TRUE(observed_.closed.load());

  // No more calls are accepted.
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(500));
  GetCounterResponse response;
  EXPECT_FALSE(stub_->GetCounter(&ctx, GetCounterRequest(), &response).ok());

  server_->Shutdown();  // idempotent
}

TEST_F(ServerTest, CloseRunsOnceOnDestruction) {
  Start();
  server_.reset();
  EXPECT_TRUE(observed_.closed.load());
}

TEST_F(ServerTest, ProbeReportsServingState) {
  Start();
  EXPECT_EQ(Probe(server_->address(), kServiceName), 0);
  EXPECT_EQ(Probe(server_->address(), ""), 0);
  EXPECT_EQ(Probe(server_->address(), "no.such.Service"), 1);
  server_->SetServing(false);
  EXPECT_EQ(Probe(server_->address(), kServiceName), 1);
  const std::string address = server_->address();
  server_->Shutdown();
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(Probe(address, kServiceName, absl::Seconds(3)), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(4));
}

TEST_F(ServerTest, StartFailsOnABusyPort) {
  Start();
  ServiceOptions options;
  options.listen_address = server_->address();
  Observed other;
  absl::StatusOr<std::unique_ptr<RunningServer>> second = RunningServer::Start(
      Descriptor(), options, std::make_unique<CounterInstance>(&other));
  EXPECT_FALSE(second.ok());
}

TEST(ServiceMain, HelpAndBadFlagsExitWithoutServing) {
  int factory_calls = 0;
  const ServiceFactory factory = [&](const ServiceOptions&)
      -> absl::StatusOr<std::unique_ptr<ServiceInstance>> {
    ++factory_calls;
    return absl::InternalError("not used");
  };
  const char* help[] = {"counter", "--help"};
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(ServiceMain(Descriptor(), 2, const_cast<char**>(help), factory), 0);
  ::testing::internal::GetCapturedStdout();
  const char* bad[] = {"counter", "--log-level=loud"};
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(ServiceMain(Descriptor(), 2, const_cast<char**>(bad), factory), 2);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(factory_calls, 0);
}

TEST_F(ServerTest, ServiceMainProbeMode) {
  Start();
  const ServiceFactory factory = [](const ServiceOptions&)
      -> absl::StatusOr<std::unique_ptr<ServiceInstance>> {
    return absl::InternalError("not used in probe mode");
  };
  const std::string probe = "--probe=" + server_->address();
  const char* argv[] = {"counter", probe.c_str()};
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(ServiceMain(Descriptor(), 2, const_cast<char**>(argv), factory), 0);
  ::testing::internal::GetCapturedStdout();
  server_->SetServing(false);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(ServiceMain(Descriptor(), 2, const_cast<char**>(argv), factory), 1);
  ::testing::internal::GetCapturedStderr();
}

TEST_F(ServerTest, ServesTlsFromCertificateFiles) {
  std::string dir = ::testing::TempDir() + "/tls-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string cert = dir + "/cert.pem";
  const std::string key = dir + "/key.pem";
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
      "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  ServiceOptions options = WithToken();
  options.tls_cert = cert;
  options.tls_key = key;
  Start(options);
  const ClientTls tls{
      .enabled = true, .ca_file = cert, .target_name_override = "localhost"};
  EXPECT_EQ(Probe(server_->address(), kServiceName, absl::Seconds(3), tls), 0);
  // A plaintext client gets no answer from a TLS server.
  EXPECT_EQ(Probe(server_->address(), kServiceName, absl::Seconds(3)), 1);

  // Over TLS, the bearer token is still what lets a write run.
  auto channel = CreatePeerChannel(server_->address(), tls);
  ASSERT_TRUE(channel.ok()) << channel.status();
  auto stub = CounterService::NewStub(*channel);
  AddCounterRequest request;
  request.set_delta(5);
  AddCounterResponse response;
  grpc::ClientContext refused;
  EXPECT_EQ(stub->AddCounter(&refused, request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext allowed;
  SetBearerToken(&allowed, "s3cret");
  grpc::Status status = stub->AddCounter(&allowed, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.value(), 5);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hitclock::common
