// Shell completion scripts generated from the CLI11 command tree, so that
// they name exactly the commands and options the program has.
#ifndef HITCLOCK_CLI_COMPLETION_H_
#define HITCLOCK_CLI_COMPLETION_H_

#include <optional>
#include <string>

#include "CLI/CLI.hpp"

namespace hitclock::client {

// The completion script of `root` (named by its name) for `shell`, `bash`
// or `zsh`; nullopt for another shell. The script completes command names
// at each level, each level's options, the values of --output, metrics and
// kinds, and file names where a file is wanted.
std::optional<std::string> CompletionScript(CLI::App& root,
                                            const std::string& shell);

}  // namespace hitclock::client

#endif  // HITCLOCK_CLI_COMPLETION_H_
