"""Prints the fastest-to-#1-in-100-countries leaderboard of the iTunes song
chart, asked of hitclock's records service through stubs generated from
protos/ (see ./run, which generates them and runs this).

Usage: leaderboard.py [RECORDS_ADDRESS]   (default localhost:50052)
"""
import sys

import grpc

from hitclock.records.v1 import records_pb2, records_pb2_grpc


def hours_minutes(seconds):
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    return f"{sign}{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1].startswith("-")):
        print(f"usage: {argv[0]} [RECORDS_ADDRESS]", file=sys.stderr)
        return 2
    address = argv[1] if len(argv) == 2 else "localhost:50052"
    request = records_pb2.ListLeaderboardRequest(
        record=records_pb2.RecordKey(
            chart={"provider": "itunes", "list": "top-songs"},
            metric=records_pb2.METRIC_FASTEST,
            threshold=records_pb2.Threshold(
                position=records_pb2.PositionThreshold(max_position=1)),
            min_regions=100),
        page_size=10)
    with grpc.insecure_channel(address) as channel:
        stub = records_pb2_grpc.RecordsServiceStub(channel)
        try:
            response = stub.ListLeaderboard(request, timeout=30)
        except grpc.RpcError as error:
            print(f"leaderboard: records ({address}): "
                  f"{error.code().name}: {error.details()}", file=sys.stderr)
            return 1
    print("Fastest to #1 in 100 countries (itunes/top-songs):")
    if not response.rows:
        print("  no track has reached it")
    for row in response.rows:
        seconds = row.value.duration.seconds
        print(f"{row.rank:3d}. {row.track.title:<28} {row.track.artists:<30} "
              f"{hours_minutes(seconds)} ({seconds}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
