// hitclock-records: the time-to-threshold engine behind chart records.
#include "common/server.h"
#include "services/records/records_service.h"

int main(int argc, char** argv) {
  return hitclock::common::ServiceMain(
      hitclock::records::RecordsDescriptor(), argc, argv,
      &hitclock::records::CreateRecordsInstance);
}
