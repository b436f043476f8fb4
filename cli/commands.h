// The `hitclock` command tree: each Add* function adds its commands under
// `parent` and registers each leaf command's action in `commands`.
#ifndef HITCLOCK_CLI_COMMANDS_H_
#define HITCLOCK_CLI_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/session.h"

namespace hitclock::client {

// `catalog artist|track|production add|list|show`, `catalog import`,
// `catalog resolve`.
void AddCatalogCommands(CLI::App& parent, CommandList& commands);

// `import FILES...` / `import --dir DIR`.
void AddImportCommand(CLI::App& parent, CommandList& commands);

// `reforward`: snapshots ingest holds sent to records again.
void AddReforwardCommand(CLI::App& parent, CommandList& commands);

// `ttt`, `leaderboard`, `lineage`, `watch`.
void AddRecordsCommands(CLI::App& parent, CommandList& commands);

// `plot`.
void AddPlotCommand(CLI::App& parent, CommandList& commands);

// `completion bash|zsh`, generated from the tree under `root` as it is when
// the command runs.
void AddCompletionCommand(CLI::App& root, CommandList& commands);

}  // namespace hitclock::client

#endif  // HITCLOCK_CLI_COMMANDS_H_
