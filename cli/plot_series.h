// The data of `hitclock plot`: time-to-threshold answers turned into the
// step series the SVG renderer draws. Pure functions.
#ifndef HITCLOCK_CLI_PLOT_SERIES_H_
#define HITCLOCK_CLI_PLOT_SERIES_H_

#include <string>
#include <vector>

#include "cli/output.h"
#include "cli/plot.h"
#include "hitclock/records/v1/records.pb.h"

namespace hitclock::client {

// One series per answer: from each region's first crossing on, the count of
// regions reached (several crossings at one capture make one step), over
// the hours since the answer's reference instant; the crossing of N marked
// when reached. The x axis ends at `hours` when positive, else at 1.5 times
// the slowest crossing of N, else (no track reached N) at the latest
// capture; every series gets a last point there so that it runs to the end.
// Labels are titles, with the artists when two tracks share a title.
plot::PlotSpec BuildPlotSpec(
    const std::vector<records::v1::GetTimeToThresholdResponse>& answers,
    const std::string& chart, int position, int regions, double hours);

// The series as rows: series, track_id, hours, count.
Table PlotTable(
    const plot::PlotSpec& spec,
    const std::vector<records::v1::GetTimeToThresholdResponse>& answers);

}  // namespace hitclock::client

#endif  // HITCLOCK_CLI_PLOT_SERIES_H_
