// `hitclock ttt`, `leaderboard`, `lineage` and `watch`: the records
// questions.
#include <atomic>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/records_view.h"
#include "cli/track_lookup.h"

namespace hitclock::client {
namespace {

using records::v1::Metric;

template <typename T>
T Need(absl::StatusOr<T> v) {
  if (!v.ok())
    throw CommandError(kExitUsage, std::string(v.status().message()));
  return *std::move(v);
}

// --chart, --position, --category: the options of every record question.
struct RecordOptions {
  std::string chart = kDefaultChart;
  int position = 1;
  std::vector<std::string> category;

  void Add(CLI::App* app, bool with_category) {
    app->add_option("--chart", chart,
                    "the chart, provider/list: itunes/top-songs (the iTunes "
                    "purchase chart) or apple-music/most-played")
        ->capture_default_str();
    app->add_option("-p,--position", position,
                    "P of the threshold: position <= P counts (1 = #1, 10 = "
                    "top 10)")
        ->check(InRange(1, 500))
        ->capture_default_str();
    if (with_category) {
      app->add_option(
             "-c,--category", category,
             "only tracks of this category; terms AND together, repeated or "
             "comma-separated: ost, single, album-track, solo (a solo track), "
             "soloist (by a soloist), group, country=KR, year=2021")
          ->type_name("TERM");
    }
  }
  records::v1::Threshold Threshold() const {
    records::v1::Threshold t;
    t.mutable_position()->set_max_position(position);
    return t;
  }
};

// ttt: time to threshold.
struct TttOptions {
  std::string track;
  std::string artist;
  RecordOptions record;
  int regions = 100;
  bool crossings = false;
  std::string from;
  std::vector<std::string> region_set;
};

int RunTtt(Session& session, const TttOptions& o) {
  TrackLookup lookup(session);
  const catalog::v1::Track track = lookup.Find(o.track, o.artist);
  records::v1::GetTimeToThresholdRequest request;
  request.mutable_track()->set_track_id(track.id());
  *request.mutable_chart() = Need(ParseChart(o.record.chart));
  *request.mutable_threshold() = o.record.Threshold();
  request.set_min_regions(o.regions);
  if (!o.from.empty()) {
    auto t = ParseTime(o.from);
    if (!t) {
      throw CommandError(kExitUsage,
                         absl::StrCat("--from: \"", o.from,
                                      "\" is not an RFC 3339 instant "
                                      "(2022-04-24T15:00:00Z) or a date"));
    }
    *request.mutable_reference_time() = *t;
  }
  for (const auto& code : o.region_set) {
    request.add_regions()->set_code(code);
  }
  records::v1::GetTimeToThresholdResponse response;
  session.Check("records",
                session.records().GetTimeToThreshold(
                    session.client().Context().get(), request, &response));
  const std::string threshold =
      ThresholdText(o.record.position, o.regions, !o.region_set.empty());
  const std::string chart = ChartName(request.chart());

  if (session.format() == Format::kJson) {
    Json j = TttJson(response, chart, o.record.position, o.regions);
    session.out() << DumpJson(j) << "\n";
    return 0;
  }
  if (session.format() == Format::kCsv) {
    PrintTable(o.crossings
                   ? CrossingsTable(response)
                   : TttTable(response, chart, o.record.position, o.regions),
               Format::kCsv, session.out());
    return 0;
  }
  std::ostream& out = session.out();
  const auto& t = response.track();
  out << t.title() << " — " << t.artists() << " (" << t.track_id() << ")\n";
  out << threshold << " on " << chart << ": ";
  if (response.reached()) {
    out << FormatDuration(response.time_to_threshold()) << " ("
        << FormatSecondsExact(response.time_to_threshold()) << ")\n";
    out << "  reached       " << FormatTime(response.reach_time())
        << ", completing region " << response.completing_region().code()
        << "\n";
    out << "  bounds        " << FormatTime(response.bounds().start_time())
        << " → " << FormatTime(response.bounds().end_time())
        << " (the crossing happened within)\n";
  } else {
    out << "not reached: " << response.region_count() << " of " << o.regions
        << " regions so far\n";
  }
  out << "  reference     " << FormatTime(response.reference_time())
      << (request.has_reference_time() ? " (--from)" : " (release)") << "\n";
  out << "  regions       " << response.region_count() << " of "
      << response.eligible_region_count() << " reached the threshold\n";
  out << "  as of         " << FormatTime(response.as_of_time()) << "\n";
  if (o.crossings) {
    out << "\n";
    PrintTable(CrossingsTable(response), Format::kText, out,
               "(no region reached the threshold)");
  }
  return 0;
}

// leaderboard.
struct BoardOptions {
  std::string metric;
  RecordOptions record;
  int regions = 100;
  int limit = 20;
  std::string page_token;
  bool all = false;
};

records::v1::RecordKey Key(const RecordOptions& o, Metric metric, int regions) {
  records::v1::RecordKey key;
  *key.mutable_chart() = Need(ParseChart(o.chart));
  key.set_metric(metric);
  *key.mutable_threshold() = o.Threshold();
  if (metric == records::v1::METRIC_FASTEST) key.set_min_regions(regions);
  *key.mutable_category() = Need(ParseCategory(o.category));
  return key;
}

Metric MetricOf(const std::string& name, int regions_given) {
  Metric metric = Need(ParseMetric(name));
  if (regions_given && metric != records::v1::METRIC_FASTEST) {
    throw CommandError(
        kExitUsage, absl::StrCat("--regions applies to fastest only; ",
                                 MetricName(metric), " counts regions itself"));
  }
  return metric;
}

int RunLeaderboard(Session& session, const BoardOptions& o, int regions_given) {
  const Metric metric = MetricOf(o.metric, regions_given);
  records::v1::ListLeaderboardRequest request;
  *request.mutable_record() = Key(o.record, metric, o.regions);
  request.set_page_size(o.all ? 1000 : o.limit);
  request.set_page_token(o.page_token);
  std::vector<records::v1::LeaderboardRow> rows;
  records::v1::ListLeaderboardResponse response;
  for (;;) {
    response.Clear();
    session.Check("records",
                  session.records().ListLeaderboard(
                      session.client().Context().get(), request, &response));
    for (const auto& row : response.rows()) rows.push_back(row);
    if (!o.all || response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  const Table table = LeaderboardTable(rows, metric);
  if (session.format() == Format::kJson) {
    Json j = Json::object();
    j["record"] = RecordJson(request.record());
    j["as_of_time"] = FormatTime(response.as_of_time());
    j["total_size"] = response.total_size();
    j["rows"] = table.ToJson();
    j["next_page_token"] = response.next_page_token();
    session.out() << DumpJson(j) << "\n";
    return 0;
  }
  if (session.format() == Format::kCsv) {
    PrintTable(table, Format::kCsv, session.out());
    return 0;
  }
  session.out() << RecordTitle(request.record()) << " (as of "
                << FormatTime(response.as_of_time()) << ")\n";
  PrintTable(table, Format::kText, session.out(),
             "(no track has reached it yet)");
  if (!response.next_page_token().empty()) {
    session.out() << absl::StrFormat(
        "%d of %d ranked; next page: --page-token %s (or --all)\n", rows.size(),
        response.total_size(), response.next_page_token());
  }
  return 0;
}

// lineage.
struct LineageOptions {
  std::string metric = "fastest";
  RecordOptions record;
  int regions = 100;
};

int RunLineage(Session& session, const LineageOptions& o, int regions_given) {
  const Metric metric = MetricOf(o.metric, regions_given);
  records::v1::GetRecordLineageRequest request;
  *request.mutable_record() = Key(o.record, metric, o.regions);
  records::v1::GetRecordLineageResponse response;
  session.Check("records",
                session.records().GetRecordLineage(
                    session.client().Context().get(), request, &response));
  const Table table = LineageTable(response, metric);
  if (session.format() == Format::kJson) {
    Json j = Json::object();
    j["record"] = RecordJson(request.record());
    j["as_of_time"] = FormatTime(response.as_of_time());
    j["holders"] = table.ToJson();
    session.out() << DumpJson(j) << "\n";
    return 0;
  }
  if (session.format() == Format::kCsv) {
    PrintTable(table, Format::kCsv, session.out());
    return 0;
  }
  session.out() << "holders of the record " << RecordTitle(request.record())
                << ", earliest first (as of "
                << FormatTime(response.as_of_time()) << ")\n";
  PrintTable(table, Format::kText, session.out(),
             "(no track has reached it yet)");
  return 0;
}

// watch.
struct WatchOptions {
  std::string chart;
  std::vector<std::string> metrics;
  std::vector<int> regions;
  std::vector<std::string> category;
  bool exclude_backfilled = false;
  int count = 0;
};

int RunWatch(Session& session, const WatchOptions& o) {
  records::v1::WatchRecordEventsRequest request;
  if (!o.chart.empty()) *request.mutable_chart() = Need(ParseChart(o.chart));
  for (const auto& m : o.metrics) request.add_metrics(Need(ParseMetric(m)));
  for (int n : o.regions) request.add_min_regions(n);
  if (!o.category.empty()) {
    *request.add_categories() = Need(ParseCategory(o.category));
  }
  request.set_exclude_backfilled(o.exclude_backfilled);

  // A first unary call, so that an unreachable or refusing records fails
  // with its clear error before "watching" is said.
  {
    records::v1::ListChartsRequest probe;
    probe.set_page_size(1);
    records::v1::ListChartsResponse unused;
    session.Check("records",
                  session.records().ListCharts(session.client().Context().get(),
                                               probe, &unused));
  }
  auto context = session.client().Context(/*unary=*/false);
  std::atomic<bool> interrupted{false};
  grpc::ClientContext* raw = context.get();
  SetInterruptHandler([&interrupted, raw] {
    interrupted = true;
    raw->TryCancel();
  });
  auto reader = session.records().WatchRecordEvents(context.get(), request);
  // Wait for the server to accept the call, so that "watching" means the
  // events from now on reach us.
  reader->WaitForInitialMetadata();
  if (session.format() == Format::kText) {
    session.err() << "watching record-broken events (Ctrl-C to stop)\n";
  }
  if (session.format() == Format::kCsv) {
    Table header = WatchTable({});
    PrintTable(header, Format::kCsv, session.out());
  }
  session.out().flush();
  int seen = 0;
  records::v1::WatchRecordEventsResponse message;
  while (reader->Read(&message)) {
    const auto& event = message.event();
    switch (session.format()) {
      case Format::kText:
        session.out() << EventLine(event) << "\n";
        break;
      case Format::kJson:
        session.out() << DumpJson(EventJson(event), /*pretty=*/false) << "\n";
        break;
      case Format::kCsv: {
        std::ostringstream rows;
        PrintTable(WatchTable({event}), Format::kCsv, rows);
        const std::string text = rows.str();
        session.out() << text.substr(text.find("\r\n") + 2);
        break;
      }
    }
    session.out().flush();
    if (o.count > 0 && ++seen >= o.count) {
      context->TryCancel();
      break;
    }
  }
  grpc::Status status = reader->Finish();
  SetInterruptHandler(nullptr);
  if (interrupted || (o.count > 0 && seen >= o.count) ||
      status.error_code() == grpc::StatusCode::CANCELLED) {
    return 0;
  }
  if (status.ok()) return 0;
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    // The server ended the stream (it is shutting down): the watch is over.
    session.err() << "hitclock: records (" << session.options().records_address
                  << ") ended the watch: " << status.error_message()
                  << "; run it again to reconnect (catch up with `hitclock "
                     "lineage`)\n";
    return 0;
  }
  session.Check("records", status);
  return 0;
}

}  // namespace

void AddRecordsCommands(CLI::App& parent, CommandList& commands) {
  // ttt
  auto ttt = std::make_shared<TttOptions>();
  CLI::App* t = parent.add_subcommand(
      "ttt",
      "time-to-threshold: how fast a track reached position <= P in N "
      "regions");
  Describe(t,
           "Asks records how long after its release (or --from) TRACK first "
           "stood at position <= P in N distinct regions of the chart: the "
           "duration, the capture that completed it and its region, and the "
           "bounds (that region's previous capture → this capture) within "
           "which the crossing happened. When the threshold is not reached, "
           "says so with the count so far.\n"
           "TRACK is a catalog id (with-you), a title or title alias (\"With "
           "You\"), or \"Artist - Title\"; --artist narrows a title. A name "
           "that matches several tracks is not guessed: the choices are "
           "listed and the exit status is 2.\n"
           "--output csv prints the summary row, or the crossings with "
           "--crossings; --output json always includes the crossings.",
           {"hitclock ttt \"With You\" --position 1 --regions 100",
            "hitclock ttt dynamite --regions 100 --crossings",
            "hitclock ttt \"Jimin - With You\" --regions 50 --output json",
            "hitclock ttt Yours --artist Jin --from 2021-11-07T09:00:00Z"});
  t->add_option("TRACK", ttt->track,
                "the track: id, title, or \"Artist - Title\"")
      ->required();
  t->add_option("-a,--artist", ttt->artist,
                "narrow a title to tracks crediting this artist (or credit "
                "string)");
  ttt->record.Add(t, /*with_category=*/false);
  t->add_option("-n,--regions", ttt->regions,
                "N: the number of distinct regions")
      ->check(Positive())
      ->capture_default_str();
  t->add_flag("--crossings", ttt->crossings,
              "also list every region's first crossing, earliest first");
  t->add_option("--from", ttt->from,
                "start the clock at this instant (RFC 3339 or YYYY-MM-DD) "
                "instead of the release");
  t->add_option("--in", ttt->region_set,
                "count only these region codes (comma-separated; aggregates "
                "such as ww count only when named)")
      ->delimiter(',')
      ->type_name("CODES");
  commands.push_back({t, [ttt](Session& s) { return RunTtt(s, *ttt); }});

  // leaderboard
  auto board = std::make_shared<BoardOptions>();
  CLI::App* b = parent.add_subcommand(
      "leaderboard", "rank tracks by a record: fastest, total, peak, allkill");
  Describe(b,
           "Ranks the tracks of a category by one record of the chart, best "
           "first; ties by the instant the value was reached, then by id.\n"
           "fastest: time from release to position <= P in N regions "
           "(--regions). total: distinct regions that ever showed the track "
           "at <= P. peak: most regions at <= P at once. allkill: time from "
           "release to <= P in every country region at once.\n"
           "Shows --limit rows; --page-token continues, --all follows every "
           "page.",
           {"hitclock leaderboard fastest --regions 100",
            "hitclock leaderboard fastest --regions 100 --category ost",
            "hitclock leaderboard total --category solo,country=KR,year=2021",
            "hitclock leaderboard peak --position 10 --all --output csv"});
  b->add_option("METRIC", board->metric, "fastest, total, peak or allkill")
      ->required();
  board->record.Add(b, /*with_category=*/true);
  CLI::Option* board_regions =
      b->add_option("-n,--regions", board->regions,
                    "N for fastest: the number of distinct regions")
          ->check(Positive())
          ->capture_default_str();
  b->add_option("--limit", board->limit, "rows per page (1 to 1000)")
      ->check(InRange(1, 1000))
      ->capture_default_str();
  b->add_option("--page-token", board->page_token,
                "continue from this page token (shown under a page)");
  b->add_flag("--all", board->all, "follow every page");
  commands.push_back({b, [board, board_regions](Session& s) {
                        return RunLeaderboard(s, *board,
                                              board_regions->count() > 0);
                      }});

  // lineage
  auto lineage = std::make_shared<LineageOptions>();
  CLI::App* l =
      parent.add_subcommand("lineage", "the holders of a record over time");
  Describe(l,
           "Lists who held one record, in the order they took it (by the "
           "instant each reached its value, however the data arrived), each "
           "with its value when it took the record and its best while "
           "holding it; the last is the current holder.",
           {"hitclock lineage --metric fastest --regions 100 --position 1",
            "hitclock lineage --metric total --category solo,KR"});
  l->add_option("-m,--metric", lineage->metric,
                "fastest, total, peak or allkill")
      ->capture_default_str();
  lineage->record.Add(l, /*with_category=*/true);
  CLI::Option* lineage_regions =
      l->add_option("-n,--regions", lineage->regions,
                    "N for fastest: the number of distinct regions")
          ->check(Positive())
          ->capture_default_str();
  commands.push_back({l, [lineage, lineage_regions](Session& s) {
                        return RunLineage(s, *lineage,
                                          lineage_regions->count() > 0);
                      }});

  // watch
  auto watch = std::make_shared<WatchOptions>();
  CLI::App* w = parent.add_subcommand(
      "watch", "print record-broken events as they happen");
  Describe(w,
           "Streams records' record-broken events: one line per event with "
           "the record, the new holder and its value, the previous holder "
           "and its value, and [backfilled] when history arriving late made "
           "it. Events start now (no replay: see `hitclock lineage`). Runs "
           "until Ctrl-C, --count events, or the server ends the stream.\n"
           "Records watches P = 1 at its milestones N (default 10, 25, 50, "
           "75, 100, 110) and categories: all, each track kind, each "
           "performer, each origin country, each year, and their pairs.\n"
           "--output json prints one JSON object per line (JSON Lines); csv "
           "a header, then a row per event.",
           {"hitclock watch", "hitclock watch --metric fastest --regions 100",
            "hitclock watch --category soloist,country=KR --output json"});
  w->add_option("--chart", watch->chart,
                "only this chart (provider/list); default every chart");
  w->add_option("-m,--metric", watch->metrics,
                "only these metrics: fastest, total, peak, allkill")
      ->delimiter(',');
  w->add_option("-n,--regions", watch->regions,
                "only fastest records for these N (watched milestones)")
      ->delimiter(',');
  w->add_option("-c,--category", watch->category,
                "only this category (terms AND together, as in leaderboard)")
      ->type_name("TERM");
  w->add_flag("--exclude-backfilled", watch->exclude_backfilled,
              "leave out events detected on backfilled history");
  w->add_option("--count", watch->count, "stop after this many events")
      ->check(Positive());
  commands.push_back({w, [watch](Session& s) { return RunWatch(s, *watch); }});
}

}  // namespace hitclock::client
