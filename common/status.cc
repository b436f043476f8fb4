#include "common/status.h"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace hitclock::common {

absl::Status InvalidField(std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(std::string(field) + ": " +
                                    std::string(problem));
}

absl::Status StatusFromSqlite(const std::exception& e) {
  const auto* sqlite_error = dynamic_cast<const SQLite::Exception*>(&e);
  if (sqlite_error == nullptr) {
    return absl::InternalError(absl::StrCat("unexpected error: ", e.what()));
  }
  const int primary = sqlite_error->getErrorCode() & 0xff;
  const int extended = sqlite_error->getExtendedErrorCode();
  switch (primary) {
    case SQLITE_CONSTRAINT:
      if (extended == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return absl::FailedPreconditionError(
            absl::StrCat("referenced row missing: ", e.what()));
      }
      return absl::AlreadyExistsError(
          absl::StrCat("constraint violated: ", e.what()));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(
          absl::StrCat("database busy, retry: ", e.what()));
    default:
      return absl::InternalError(absl::StrCat("database error: ", e.what()));
  }
}

}  // namespace hitclock::common
