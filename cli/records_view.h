// How records' answers read: the tables, JSON objects and sentences of
// `ttt`, `leaderboard`, `lineage` and `watch`. Pure functions of the
// responses.
#ifndef HITCLOCK_CLI_RECORDS_VIEW_H_
#define HITCLOCK_CLI_RECORDS_VIEW_H_

#include <string>
#include <vector>

#include "cli/output.h"
#include "hitclock/records/v1/records.pb.h"

namespace hitclock::client {

// "#1 in 100 countries", "top 10 in 50 countries"; "regions" instead of
// "countries" when `custom_regions` (a region set that may hold aggregates).
std::string ThresholdText(int position, int regions, bool custom_regions);

// "17040 s" (fractions when present).
std::string FormatSecondsExact(const google::protobuf::Duration& d);

// "fastest to #1 in 100 countries · itunes/top-songs · all tracks".
std::string RecordTitle(const records::v1::RecordKey& key);
// {chart, metric, position, regions, category}.
Json RecordJson(const records::v1::RecordKey& key);

// A value as text ("4h 44m 0s", "82") and as JSON (seconds or a count).
std::string ValueText(const records::v1::MetricValue& value);
Json ValueJson(const records::v1::MetricValue& value);

// ttt: the summary as one row; the object of --output json (summary, track,
// bounds, crossings); the crossings, one row each.
Table TttTable(const records::v1::GetTimeToThresholdResponse& r,
               const std::string& chart, int position, int regions);
Json TttJson(const records::v1::GetTimeToThresholdResponse& r,
             const std::string& chart, int position, int regions);
Table CrossingsTable(const records::v1::GetTimeToThresholdResponse& r);

// leaderboard rows: rank, track, artists, value, region, when.
Table LeaderboardTable(const std::vector<records::v1::LeaderboardRow>& rows,
                       records::v1::Metric metric);

// lineage: one row per holder, earliest first.
Table LineageTable(const records::v1::GetRecordLineageResponse& r,
                   records::v1::Metric metric);

// watch: one row per event; its JSON object; its line of text:
// "2026-11-30T07:00:00Z  RECORD fastest to #1 in 100 countries ·
// itunes/top-songs · all tracks: With You (Ha Sung-woon & Jimin) 4h 44m 0s,
// beating Dynamite (BTS) 7h 58m 0s [backfilled]".
Table WatchTable(const std::vector<records::v1::RecordBrokenEvent>& events);
Json EventJson(const records::v1::RecordBrokenEvent& event);
std::string EventLine(const records::v1::RecordBrokenEvent& event);

}  // namespace hitclock::client

#endif  // HITCLOCK_CLI_RECORDS_VIEW_H_
