#include "cli/session.h"

#include <signal.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace hitclock::client {
namespace {

template <typename Stub>
Stub& Need(absl::StatusOr<Stub*> stub) {
  if (!stub.ok()) {
    throw CommandError(kExitUsage, std::string(stub.status().message()));
  }
  return **stub;
}

}  // namespace

catalog::v1::CatalogService::Stub& Session::catalog() {
  return Need(client_.Catalog());
}

records::v1::RecordsService::Stub& Session::records() {
  return Need(client_.Records());
}

ingest::v1::IngestService::Stub& Session::ingest() {
  return Need(client_.Ingest());
}

void Session::Check(const std::string& service,
                    const grpc::Status& status) const {
  if (status.ok()) return;
  const std::string& address = service == "catalog" ? options().catalog_address
                               : service == "records"
                                   ? options().records_address
                                   : options().ingest_address;
  throw CommandError(kExitFailure, DescribeError(service, address, status));
}

namespace {

// The long descriptions, by command.
std::map<const CLI::App*, std::string>& LongDescriptions() {
  static auto* descriptions = new std::map<const CLI::App*, std::string>;
  return *descriptions;
}

// CLI11's formatter, with the long description under the one-line summary
// (the parent's list of commands shows the summary only).
class ManFormatter : public CLI::Formatter {
 public:
  std::string make_description(const CLI::App* app) const override {
    std::string text = CLI::Formatter::make_description(app);
    auto it = LongDescriptions().find(app);
    if (it != LongDescriptions().end()) {
      absl::StrAppend(&text, "\n", Wrap(it->second), "\n");
    }
    return text;
  }

 private:
  // Wraps each paragraph of `text` at 78 columns.
  static std::string Wrap(const std::string& text) {
    std::string out;
    for (absl::string_view para : absl::StrSplit(text, '\n')) {
      if (!out.empty()) out += "\n";  // a blank line between paragraphs
      int column = 0;
      for (absl::string_view word :
           absl::StrSplit(para, ' ', absl::SkipEmpty())) {
        if (column > 0 && column + 1 + static_cast<int>(word.size()) > 78) {
          out += "\n";
          column = 0;
        }
        if (column > 0) {
          out += " ";
          ++column;
        }
        out.append(word.data(), word.size());
        column += word.size();
      }
      out += "\n";
    }
    return out;
  }
};

}  // namespace

namespace {

std::mutex& InterruptMutex() {
  static auto* mu = new std::mutex;
  return *mu;
}

std::function<void()>& InterruptHandler() {
  static auto* handler = new std::function<void()>;
  return *handler;
}

}  // namespace

void InstallInterruptHandling() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int interrupts = 0;
    for (;;) {
      int signal = 0;
      if (sigwait(&set, &signal) != 0) continue;
      std::function<void()> handler;
      {
        std::lock_guard<std::mutex> lock(InterruptMutex());
        handler = InterruptHandler();
      }
      if (++interrupts > 1 || !handler) _exit(128 + signal);
      handler();
    }
  }).detach();
}

void SetInterruptHandler(std::function<void()> handler) {
  std::lock_guard<std::mutex> lock(InterruptMutex());
  InterruptHandler() = std::move(handler);
}

std::shared_ptr<CLI::Formatter> MakeFormatter() {
  auto formatter = std::make_shared<ManFormatter>();
  formatter->column_width(34);
  return formatter;
}

void Describe(CLI::App* app, const std::string& description,
              const std::vector<std::string>& examples) {
  LongDescriptions()[app] = description;
  std::string footer;
  if (!examples.empty()) {
    footer = "Examples:\n";
    for (const auto& e : examples) absl::StrAppend(&footer, "  ", e, "\n");
  }
  absl::StrAppend(&footer,
                  "\nGlobal options (--server, --token, --tls, --output, "
                  "--timeout ...): see `hitclock --help`.\n"
                  "Exit status: 0 done; 1 a service failed or refused; 2 bad "
                  "usage or an ambiguous track name.");
  app->footer(footer);
}

}  // namespace hitclock::client
