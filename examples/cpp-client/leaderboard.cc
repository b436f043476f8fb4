// Prints the fastest-to-#1-in-100-countries leaderboard of the iTunes song
// chart, through the installed hitclock client library.
//
// Usage: leaderboard [RECORDS_ADDRESS]   (default localhost:50052)
#include <cstdio>
#include <string>

#include "cli/client.h"

namespace {

// "4h44m" for 17040 s.
std::string HoursMinutes(int64_t seconds) {
  const char* sign = seconds < 0 ? "-" : "";
  if (seconds < 0) seconds = -seconds;
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%s%lldh%02lldm", sign,
                static_cast<long long>(seconds / 3600),
                static_cast<long long>(seconds % 3600 / 60));
  return buffer;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 || (argc == 2 && std::string(argv[1]).starts_with("-"))) {
    std::fprintf(stderr, "usage: %s [RECORDS_ADDRESS]\n", argv[0]);
    return 2;
  }
  hitclock::client::ClientOptions options;
  if (argc == 2) options.records_address = argv[1];
  hitclock::client::Client client(options);

  auto records = client.Records();
  if (!records.ok()) {
    std::fprintf(stderr, "leaderboard: %s\n",
                 std::string(records.status().message()).c_str());
    return 1;
  }
  hitclock::records::v1::ListLeaderboardRequest request;
  auto* record = request.mutable_record();
  record->mutable_chart()->set_provider("itunes");
  record->mutable_chart()->set_list("top-songs");
  record->set_metric(hitclock::records::v1::METRIC_FASTEST);
  record->mutable_threshold()->mutable_position()->set_max_position(1);
  record->set_min_regions(100);
  request.set_page_size(10);

  hitclock::records::v1::ListLeaderboardResponse response;
  grpc::Status status =
      (*records)->ListLeaderboard(client.Context().get(), request, &response);
  if (!status.ok()) {
    std::fprintf(stderr, "leaderboard: %s\n",
                 hitclock::client::DescribeError(
                     "records", options.records_address, status)
                     .c_str());
    return 1;
  }
  std::printf("Fastest to #1 in 100 countries (itunes/top-songs):\n");
  if (response.rows().empty()) std::printf("  no track has reached it\n");
  for (const auto& row : response.rows()) {
    const int64_t seconds = row.value().duration().seconds();
    std::printf("%3d. %-28s %-30s %s (%llds)\n", row.rank(),
                row.track().title().c_str(), row.track().artists().c_str(),
                HoursMinutes(seconds).c_str(), static_cast<long long>(seconds));
  }
  return 0;
}
