// `hitclock import`: snapshots and feed files pushed through ingest, with a
// progress display and a summary.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/feed_files.h"
#include "google/protobuf/util/json_util.h"

namespace hitclock::client {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct ImportOptions {
  std::vector<std::string> files;
  std::string dir;
  bool replace = false;
  std::string chart;
  std::string region;
  std::string capture_time;
  bool no_wait = false;
  int wait_seconds = 300;
};

// One feed file for ImportFeed.
struct Feed {
  std::string file;
  ingest::v1::ImportFeedRequest request;
};

// Totals of an import.
struct Tally {
  int64_t total = 0;  // snapshots to send
  int64_t done = 0;
  int64_t accepted = 0;
  int64_t duplicate = 0;
  int64_t replaced = 0;
  int64_t rejected = 0;
  int64_t entries = 0;
  int64_t unresolved = -1;  // -1: not known (--no-wait)
  double seconds = 0;
};

std::string Extension(const std::string& path) {
  return absl::AsciiStrToLower(fs::path(path).extension().string());
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CommandError(kExitUsage, absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class Progress {
 public:
  // `command` labels the lines written when stderr is not a terminal.
  Progress(std::ostream& err, std::string command)
      : err_(err),
        command_(std::move(command)),
        tty_(isatty(STDERR_FILENO)),
        start_(Clock::now()) {}

  double Seconds() const {
    return std::chrono::duration<double>(Clock::now() - start_).count();
  }

  void Update(const Tally& t, bool final = false) {
    const double now = Seconds();
    const int decile =
        t.total > 0 ? static_cast<int>(10 * t.done / t.total) : 10;
    if (final && t.done == last_done_) return;  // already shown
    if (tty_) {
      if (!final && now - last_ < 0.1) return;
    } else if (!final && decile == last_decile_ && now - last_ < 5) {
      return;
    }
    last_done_ = t.done;
    last_ = now;
    last_decile_ = decile;
    const double rate = now > 0 ? t.entries / now : 0;
    const double eta =
        t.done > 0 ? now * static_cast<double>(t.total - t.done) / t.done : 0;
    const std::string counts = absl::StrFormat(
        "%d/%d snapshots, %d entries, %.0f entries/s, ETA %.0fs, %d rejected",
        t.done, t.total, t.entries, rate, eta, t.rejected);
    if (tty_) {
      constexpr int kWidth = 28;
      const int filled =
          t.total > 0 ? static_cast<int>(kWidth * t.done / t.total) : kWidth;
      err_ << "\r[" << std::string(filled, '#')
           << std::string(kWidth - filled, '.') << "] " << counts << "\x1b[K";
      if (final) err_ << "\n";
    } else {
      err_ << command_ << ": " << counts << "\n";
    }
    err_.flush();
  }

  // A status line; when not on a terminal, at most one every 2 s.
  void Note(const std::string& text) {
    const double now = Seconds();
    if (!tty_ && now - last_note_ < 2) return;
    last_note_ = now;
    if (tty_) {
      err_ << "\r" << text << "\x1b[K";
      note_open_ = true;
    } else {
      err_ << command_ << ": " << text << "\n";
    }
    err_.flush();
  }
  // Ends the status line on a terminal, once (nothing when none is open).
  void EndNote() {
    if (note_open_) err_ << "\n";
    note_open_ = false;
  }

 private:
  std::ostream& err_;
  const std::string command_;
  const bool tty_;
  bool note_open_ = false;
  const Clock::time_point start_;
  double last_ = -1;
  double last_note_ = -1;
  int last_decile_ = -1;
  int64_t last_done_ = -1;
};

void Count(const ingest::v1::SnapshotResult& result, const std::string& origin,
           Tally* t, std::vector<std::string>* problems) {
  ++t->done;
  switch (result.outcome()) {
    case ingest::v1::SUBMIT_OUTCOME_ACCEPTED:
      ++t->accepted;
      break;
    case ingest::v1::SUBMIT_OUTCOME_DUPLICATE:
      ++t->duplicate;
      break;
    case ingest::v1::SUBMIT_OUTCOME_REPLACED:
      ++t->replaced;
      break;
    default: {
      ++t->rejected;
      if (problems->size() < 20) {
        std::string field = result.error().field();
        problems->push_back(absl::StrCat(
            origin, ": ", field.empty() ? "" : field + ": ",
            result.error().message(),
            result.error().code() == 6 ? " (use --replace to replace it)"
                                       : ""));
      }
      return;
    }
  }
  t->entries += result.entry_count();
}

ingest::v1::GetForwarderStatusResponse ForwarderStatus(Session& session) {
  ingest::v1::GetForwarderStatusResponse status;
  session.Check("ingest",
                session.ingest().GetForwarderStatus(
                    session.client().Context().get(),
                    ingest::v1::GetForwarderStatusRequest(), &status));
  return status;
}

// The records link of `status` as a person reads it: "ok", "stalled since
// <instant>" or "unreachable" with the last error, and how long the oldest
// snapshot not yet in records has waited.
std::string RecordsLinkText(
    const ingest::v1::GetForwarderStatusResponse& status) {
  const ingest::v1::DownstreamStatus& link = status.records();
  std::string text;
  switch (link.state()) {
    case ingest::v1::LINK_STATE_READY:
      text = "ok";
      break;
    case ingest::v1::LINK_STATE_STALLED: {
      google::protobuf::Timestamp since = link.no_progress_since_time();
      since.set_nanos(0);  // to the second
      text = absl::StrCat("stalled since ", FormatTime(since), " (",
                          link.last_error(), ")");
      break;
    }
    case ingest::v1::LINK_STATE_UNREACHABLE:
      text = absl::StrCat("unreachable (", link.last_error(), ")");
      break;
    default:  // no call yet, or a server that reports no state
      text = link.last_error().empty() ? "ok" : link.last_error();
  }
  if (status.has_oldest_pending_age()) {
    absl::StrAppend(&text, "; oldest snapshot waiting ",
                    FormatDuration(status.oldest_pending_age().seconds()));
  }
  return text;
}

// The progress note while waiting for records: the backlog, and the link
// when it is not making progress.
std::string WaitingNote(const ingest::v1::GetForwarderStatusResponse& status) {
  std::string note =
      absl::StrCat("waiting for records: ", status.pending_snapshot_count(),
                   " snapshots to forward");
  const ingest::v1::LinkState state = status.records().state();
  if (state == ingest::v1::LINK_STATE_STALLED ||
      state == ingest::v1::LINK_STATE_UNREACHABLE) {
    absl::StrAppend(
        &note, " (records ",
        state == ingest::v1::LINK_STATE_STALLED ? "stalled" : "unreachable",
        status.has_oldest_pending_age()
            ? absl::StrCat(
                  ", oldest waiting ",
                  FormatDuration(status.oldest_pending_age().seconds()))
            : "",
        ")");
  }
  return note;
}

// Waits until records has acknowledged every snapshot ingest holds (at most
// `wait_seconds`), showing the backlog through `note`; `end_note` runs
// before anything is written to stderr. Returns the last status when the
// backlog reached 0; nullopt when it did not in time or cannot be followed
// (said on stderr: the snapshots are safe in ingest either way).
std::optional<ingest::v1::GetForwarderStatusResponse> WaitForRecords(
    Session& session, int wait_seconds,
    const std::function<void(const std::string&)>& note,
    const std::function<void()>& end_note) {
  const auto deadline = Clock::now() + std::chrono::seconds(wait_seconds);
  for (;;) {
    ingest::v1::GetForwarderStatusResponse status;
    try {
      status = ForwarderStatus(session);
    } catch (const CommandError& e) {
      end_note();
      session.err() << "hitclock: could not follow the forwarding to "
                       "records (the snapshots are safe in ingest): "
                    << e.what() << "\n";
      return std::nullopt;
    }
    if (status.pending_snapshot_count() == 0) return status;
    note(WaitingNote(status));
    if (Clock::now() > deadline) {
      end_note();
      session.err() << "hitclock: records has not acknowledged "
                    << status.pending_snapshot_count() << " snapshots after "
                    << wait_seconds
                    << " s (they are safe in ingest and will be "
                       "forwarded); records link: "
                    << RecordsLinkText(status) << "\n";
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// The instant `text` of option `flag`; a usage error naming the flag when it
// is not RFC 3339.
google::protobuf::Timestamp InstantOption(const char* flag,
                                          const std::string& text) {
  std::optional<google::protobuf::Timestamp> t = ParseTime(text);
  if (!t) {
    throw CommandError(kExitUsage,
                       absl::StrCat(flag, ": \"", text, "\" is not RFC 3339"));
  }
  return *t;
}

int RunImport(Session& session, const ImportOptions& o) {
  std::vector<std::string> files = o.files;
  if (!o.dir.empty()) {
    std::vector<std::string> found;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(o.dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      const std::string ext = Extension(it->path().string());
      if (ext == ".jsonl" || ext == ".json" || ext == ".csv") {
        found.push_back(it->path().string());
      }
    }
    if (ec) {
      throw CommandError(kExitUsage,
                         absl::StrCat("--dir ", o.dir, ": ", ec.message()));
    }
    std::sort(found.begin(), found.end());
    if (found.empty()) {
      throw CommandError(
          kExitUsage,
          absl::StrCat("--dir ", o.dir, ": no .jsonl, .json or .csv files"));
    }
    files.insert(files.end(), found.begin(), found.end());
  }
  if (files.empty()) {
    throw CommandError(kExitUsage, "nothing to import: give FILES or --dir");
  }

  // Everything is read and checked before anything is sent.
  std::vector<ingest::v1::StreamSnapshotsRequest> snapshots;
  std::vector<std::string> origins;
  std::vector<Feed> feeds;
  std::optional<common::v1::ChartId> chart;
  if (!o.chart.empty()) {
    auto c = ParseChart(o.chart);
    if (!c.ok())
      throw CommandError(kExitUsage, std::string(c.status().message()));
    chart = *c;
  }
  std::optional<google::protobuf::Timestamp> capture;
  if (!o.capture_time.empty()) {
    capture = InstantOption("--capture-time", o.capture_time);
  }
  for (const std::string& file : files) {
    const std::string ext = Extension(file);
    if (ext == ".jsonl" || ext == ".ndjson") {
      std::ifstream in(file);
      if (!in)
        throw CommandError(kExitUsage, absl::StrCat("cannot read ", file));
      std::string line;
      for (int n = 1; std::getline(in, line); ++n) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        ingest::v1::StreamSnapshotsRequest request;
        auto parsed =
            google::protobuf::util::JsonStringToMessage(line, &request);
        if (!parsed.ok()) {
          throw CommandError(
              kExitUsage,
              absl::StrCat(file, ":", n, ": not a snapshot line ",
                           "({\"snapshot\": ...}): ", parsed.ToString()));
        }
        if (o.replace) request.set_replace(true);
        snapshots.push_back(std::move(request));
        origins.push_back(absl::StrCat(file, ":", n));
      }
    } else if (ext == ".json" || ext == ".csv") {
      Feed feed;
      feed.file = file;
      auto& r = feed.request;
      r.set_content(ReadAll(file));
      if (ext == ".csv") {
        r.set_format(ingest::v1::FEED_FORMAT_CSV);
        if (o.region.empty()) {
          throw CommandError(
              kExitUsage,
              absl::StrCat(file,
                           ": a CSV file does not say its region: give "
                           "--region (and --chart, default ",
                           kDefaultChart, "; --capture-time, default now)"));
        }
        if (!chart) *r.mutable_chart() = *ParseChart(kDefaultChart);
      } else {
        r.set_format(JsonFeedFormat(file, r.content()));
      }
      if (chart) *r.mutable_chart() = *chart;
      if (!o.region.empty()) {
        r.mutable_region()->set_code(absl::AsciiStrToLower(o.region));
      }
      if (capture) *r.mutable_capture_time() = *capture;
      r.set_source_url(fs::absolute(file).string());
      r.set_replace(o.replace);
      feeds.push_back(std::move(feed));
    } else {
      throw CommandError(
          kExitUsage,
          absl::StrCat(file,
                       ": unknown kind of file; expected .jsonl (native "
                       "snapshots, one {\"snapshot\": ...} per line), .json "
                       "(an Apple RSS feed) or .csv (with --region)"));
    }
  }

  auto& stub = session.ingest();
  const int64_t unresolved_before =
      ForwarderStatus(session).unresolved_entry_count();

  Tally tally;
  tally.total = static_cast<int64_t>(snapshots.size() + feeds.size());
  Progress progress(session.err(), "import");
  std::vector<std::string> problems;
  progress.Update(tally);

  if (!snapshots.empty()) {
    auto context = session.client().Context(/*unary=*/false);
    auto stream = stub.StreamSnapshots(context.get());
    std::thread writer([&] {
      for (const auto& request : snapshots) {
        if (!stream->Write(request)) break;
      }
      stream->WritesDone();
    });
    ingest::v1::StreamSnapshotsResponse response;
    int64_t answered = 0;
    while (stream->Read(&response)) {
      const int64_t i = response.index();
      Count(response.result(),
            i >= 0 && i < static_cast<int64_t>(origins.size())
                ? origins[i]
                : absl::StrCat("#", i),
            &tally, &problems);
      ++answered;
      progress.Update(tally);
    }
    writer.join();
    grpc::Status status = stream->Finish();
    if (!status.ok()) {
      progress.Update(tally, /*final=*/true);
      session.Check("ingest", status);
    }
    if (answered != static_cast<int64_t>(snapshots.size())) {
      throw CommandError(kExitFailure,
                         absl::StrCat("ingest answered ", answered, " of ",
                                      snapshots.size(), " snapshots"));
    }
  }
  for (const Feed& feed : feeds) {
    ingest::v1::ImportFeedResponse response;
    grpc::Status status = stub.ImportFeed(session.client().Context().get(),
                                          feed.request, &response);
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
        status.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      ingest::v1::SnapshotResult rejected;
      rejected.set_outcome(ingest::v1::SUBMIT_OUTCOME_REJECTED);
      rejected.mutable_error()->set_code(status.error_code());
      rejected.mutable_error()->set_message(status.error_message());
      Count(rejected, feed.file, &tally, &problems);
    } else {
      if (!status.ok()) progress.Update(tally, /*final=*/true);
      session.Check("ingest", status);
      Count(response.result(), feed.file, &tally, &problems);
    }
    progress.Update(tally);
  }
  progress.Update(tally, /*final=*/true);
  tally.seconds = progress.Seconds();

  if (!o.no_wait && tally.accepted + tally.replaced > 0) {
    // Acknowledged means committed in ingest; wait until records has it all,
    // so that the next question sees this data and unresolved entries are
    // counted.
    std::optional<ingest::v1::GetForwarderStatusResponse> status =
        WaitForRecords(
            session, o.wait_seconds,
            [&](const std::string& note) { progress.Note(note); },
            [&] { progress.EndNote(); });
    if (status.has_value()) {
      tally.unresolved = std::max<int64_t>(
          0, status->unresolved_entry_count() - unresolved_before);
    }
    progress.EndNote();
  } else if (!o.no_wait) {
    tally.unresolved = 0;
  }

  for (const auto& p : problems) session.err() << "rejected: " << p << "\n";
  if (tally.rejected > static_cast<int64_t>(problems.size())) {
    session.err() << "rejected: ... and "
                  << tally.rejected - static_cast<int64_t>(problems.size())
                  << " more\n";
  }

  Table table;
  table.columns = {{"snapshots", "SNAPSHOTS"},
                   {"accepted", "ACCEPTED"},
                   {"duplicate", "DUPLICATE"},
                   {"replaced", "REPLACED"},
                   {"rejected", "REJECTED"},
                   {"entries", "ENTRIES"},
                   {"unresolved_entries", "UNRESOLVED"},
                   {"seconds", "SECONDS"},
                   {"entries_per_second", "ENTRIES/S"}};
  const double rate = tally.seconds > 0 ? tally.entries / tally.seconds : 0;
  table.rows.push_back({tally.done, tally.accepted, tally.duplicate,
                        tally.replaced, tally.rejected, tally.entries,
                        tally.unresolved >= 0 ? Json(tally.unresolved) : Json(),
                        std::round(tally.seconds * 1000) / 1000,
                        static_cast<int64_t>(rate)});
  if (session.format() == Format::kJson) {
    session.out() << DumpJson(table.RowJson(0)) << "\n";
  } else if (session.format() == Format::kCsv) {
    PrintTable(table, Format::kCsv, session.out());
  } else {
    session.out() << absl::StrFormat(
        "imported %d snapshots: %d accepted, %d duplicate, %d replaced, %d "
        "rejected; %d entries in %.1f s (%.0f entries/s)",
        tally.done, tally.accepted, tally.duplicate, tally.replaced,
        tally.rejected, tally.entries, tally.seconds, rate);
    if (tally.unresolved > 0) {
      session.out() << absl::StrFormat(
          "; %d entries unresolved (no catalog track matched: fix the "
          "catalog, then retry resolution)",
          tally.unresolved);
    } else if (tally.unresolved == 0) {
      session.out() << "; every entry resolved";
    }
    session.out() << "\n";
  }
  return tally.rejected > 0 ? kExitFailure : 0;
}

struct ReforwardOptions {
  std::string chart;
  std::string region;
  std::string since;
  std::string until;
  bool no_wait = false;
  int wait_seconds = 3600;
};

int RunReforward(Session& session, const ReforwardOptions& o) {
  ingest::v1::ReforwardSnapshotsRequest request;
  if (!o.chart.empty()) {
    auto chart = ParseChart(o.chart);
    if (!chart.ok()) {
      throw CommandError(kExitUsage, std::string(chart.status().message()));
    }
    *request.mutable_chart() = *chart;
  }
  request.set_region_code(o.region);
  if (!o.since.empty()) {
    *request.mutable_start_time() = InstantOption("--since", o.since);
  }
  if (!o.until.empty()) {
    *request.mutable_end_time() = InstantOption("--until", o.until);
  }
  ingest::v1::ReforwardSnapshotsResponse response;
  session.Check("ingest",
                session.ingest().ReforwardSnapshots(
                    session.client().Context().get(), request, &response));
  bool done = false;
  if (!o.no_wait && response.queued_snapshot_count() > 0) {
    Progress progress(session.err(), "reforward");
    done = WaitForRecords(
               session, o.wait_seconds,
               [&](const std::string& note) { progress.Note(note); },
               [&] { progress.EndNote(); })
               .has_value();
    progress.EndNote();
  }
  if (session.format() == Format::kText) {
    session.out() << "queued " << response.queued_snapshot_count()
                  << " snapshots to send to records again"
                  << (done ? "; records has acknowledged them all" : "")
                  << "\n";
  } else {
    session.out() << DumpJson(Json{
                         {"queued_snapshots", response.queued_snapshot_count()},
                         {"acknowledged", done}})
                  << "\n";
  }
  return 0;
}

}  // namespace

void AddReforwardCommand(CLI::App& parent, CommandList& commands) {
  auto o = std::make_shared<ReforwardOptions>();
  CLI::App* r = parent.add_subcommand(
      "reforward", "send snapshots ingest holds to records again");
  Describe(
      r,
      "Asks ingest to send the snapshots records already acknowledged to "
      "records again (all of them, or those the options select): the "
      "recovery after `hitclock-records --repair` dropped rows that failed "
      "their checksum, or after records lost its store. Records answers "
      "DUPLICATE for what it holds and takes back what it lacks. Then, "
      "unless --no-wait, waits until records has acknowledged them all.",
      {"hitclock reforward",
       "hitclock reforward --chart itunes/top-songs "
       "--since 2022-04-24T00:00:00Z"});
  r->add_option("--chart", o->chart, "only this chart (provider/list)");
  r->add_option("--region", o->region, "only this region code");
  r->add_option("--since", o->since,
                "only snapshots captured at or after this instant (RFC 3339)");
  r->add_option("--until", o->until,
                "only snapshots captured before this instant (RFC 3339)");
  r->add_flag("--no-wait", o->no_wait,
              "do not wait for records to acknowledge them");
  r->add_option("--wait-timeout", o->wait_seconds,
                "seconds to wait for records at most")
      ->check(Positive())
      ->capture_default_str();
  commands.push_back({r, [o](Session& s) { return RunReforward(s, *o); }});
}

void AddImportCommand(CLI::App& parent, CommandList& commands) {
  auto o = std::make_shared<ImportOptions>();
  CLI::App* i = parent.add_subcommand(
      "import", "push chart snapshots and feed files through ingest");
  Describe(
      i,
      "Sends chart snapshots to ingest, which commits each, resolves its "
      "entries through the catalog and forwards it to records. By file "
      "name: .jsonl holds native snapshots, one {\"snapshot\": "
      "ChartSnapshot} per line (what `hitclock-sim` writes), streamed; "
      ".json is a raw Apple feed (legacy iTunes RSS JSON or RSS v2 JSON, told "
      "apart by content) and .csv a CSV chart (services/ingest/core/CSV.md), "
      "each parsed by ingest (ImportFeed). A CSV file needs --region; "
      "--chart and --capture-time apply to feed files.\n"
      "Everything is read and checked before anything is sent. On a "
      "terminal a progress bar shows snapshots, entries/s, the ETA and the "
      "rejected count; otherwise plain lines at each tenth. Then, unless "
      "--no-wait, it waits until records has every snapshot and prints the "
      "summary: accepted, duplicate (sent before: nothing changed), "
      "replaced, rejected (with their reasons on stderr) and unresolved "
      "entries (that no catalog track matched).\n"
      "Exit status 1 when a snapshot was rejected.",
      {"hitclock import demo/demo-snapshots.jsonl",
       "hitclock import --dir feeds/",
       "hitclock import us-top-songs.json gb-top-songs.json",
       "hitclock import chart.csv --region us --chart itunes/top-songs "
       "--capture-time 2022-04-24T19:44:00Z"});
  i->add_option("FILES", o->files, ".jsonl, .json or .csv files")
      ->check(CLI::ExistingFile);
  i->add_option("--dir", o->dir,
                "also every .jsonl, .json and .csv file under DIR, by name")
      ->check(CLI::ExistingDirectory);
  i->add_flag("--replace", o->replace,
              "replace stored snapshots whose content differs (instead of "
              "rejecting them)");
  i->add_option("--chart", o->chart,
                "chart of feed files (provider/list; default: the feed's own, "
                "itunes/top-songs for CSV)");
  i->add_option("--region", o->region,
                "region code of feed files (required for CSV)");
  i->add_option("--capture-time", o->capture_time,
                "capture instant of feed files (RFC 3339; default: the "
                "feed's updated time, or now)");
  i->add_flag("--no-wait", o->no_wait,
              "do not wait for records to acknowledge (no unresolved count)");
  i->add_option("--wait-timeout", o->wait_seconds,
                "seconds to wait for records at most")
      ->check(Positive())
      ->capture_default_str();
  commands.push_back({i, [o](Session& s) { return RunImport(s, *o); }});
}

}  // namespace hitclock::client
