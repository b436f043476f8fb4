#!/usr/bin/python3
"""hitclock's soak and chaos suite (issue 17); run it as `scripts/chaos`.

Starts the three real binaries on 127.0.0.1 (free ports, a fresh data
directory each) and submits a deterministic snapshot stream (the demo, then
`hitclock-sim generate`) to ingest's SubmitSnapshot at a steady rate, one
snapshot per call, retrying a call that fails UNAVAILABLE or times out. A
snapshot is acknowledged once a call returned OK. Meanwhile, for a bounded
time and in turn: records, catalog and ingest are each frozen (SIGSTOP, then
SIGCONT), then killed (SIGKILL) and started again on the same data directory;
hundreds of WatchRecordEvents streams are opened on records and dropped (one
more than records' lowered --max-watchers must be RESOURCE_EXHAUSTED); and bad
input is sent (each must be INVALID_ARGUMENT, or RESOURCE_EXHAUSTED for an
oversized message, and no process may die).

At the end, once ingest has forwarded everything: every acknowledged snapshot
is in ingest (FORWARDED) and in records exactly once; records' answers
(charts, leaderboards, lineages, time-to-threshold, timelines, snapshots)
equal those of a clean run (a fresh suite given the acknowledged snapshots
with `hitclock import`, no faults); and each service's peak RSS (VmRSS
sampled every 200 ms, VmHWM read before each kill, kept across restarts)
stayed under its ceiling. Prints the figures and `chaos: N passed, M failed`;
exits 1 when a check failed.
"""
import argparse
import asyncio
import collections
import contextlib
import importlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

CHART = ("itunes", "top-songs")
SERVICES = ("catalog", "records", "ingest")


def log(text):
    """A progress line on stderr, with the time since the start."""
    print(f"chaos: {time.monotonic() - T0:6.1f}s {text}", file=sys.stderr,
          flush=True)


T0 = time.monotonic()


class Checks:
    """Named pass/fail checks, printed as they are decided."""

    def __init__(self):
        self.passed, self.failed = [], []

    def check(self, ok, name, detail=""):
        (self.passed if ok else self.failed).append(name)
        mark = "ok  " if ok else "FAIL"
        print(f"  {mark} {name}" + (f": {detail}" if detail else ""),
              flush=True)
        return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def make_stubs(source, out):
    """Generates the Python stubs of protos/ into `out` and imports them."""
    protos = os.path.join(source, "protos")
    os.makedirs(out, exist_ok=True)
    files = sorted(os.path.join(root, f)
                   for root, _, names in os.walk(os.path.join(protos, "hitclock"))
                   for f in names if f.endswith(".proto"))
    subprocess.run(["protoc", "-I", protos,
                    "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
                    f"--python_out={out}", f"--grpc_python_out={out}"] + files,
                   check=True)
    for root, _, _ in os.walk(os.path.join(out, "hitclock")):
        open(os.path.join(root, "__init__.py"), "a").close()
    sys.path.insert(0, out)
    mods = {}
    for svc in SERVICES:
        mods[svc] = importlib.import_module(f"hitclock.{svc}.v1.{svc}_pb2")
        mods[svc + "_grpc"] = importlib.import_module(
            f"hitclock.{svc}.v1.{svc}_pb2_grpc")
    mods["common"] = importlib.import_module("hitclock.common.v1.common_pb2")
    return argparse.Namespace(**mods)


def read_status(pid):
    """VmRSS and VmHWM of `pid` in MiB; None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        return (int(fields["VmRSS"].split()[0]) / 1024.0,
                int(fields["VmHWM"].split()[0]) / 1024.0)
    except (OSError, KeyError, ValueError):
        return None


class Service:
    """One service binary on 127.0.0.1:<port>, with its own data directory.

    Started through `setpriv --pdeathsig KILL` from the main thread, so it
    dies with this program whatever ends it."""

    def __init__(self, name, binary, work, args):
        self.name, self.binary, self.args = name, binary, args
        self.address = f"127.0.0.1:{free_port()}"
        self.data_dir = os.path.join(work, name)
        self.log_path = os.path.join(work, f"{name}.log")
        self.proc = None
        self.expected_down = True
        self.peak_mib = 0.0
        self.starts = 0
        self.unexpected = []  # (exit code, when) of exits nobody caused
        self.lock = threading.Lock()

    def pid(self):
        proc = self.proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def sample(self):
        """Keeps the peak RSS; notices an exit nobody caused."""
        with self.lock:
            proc = self.proc
            if proc is None:
                return
            code = proc.poll()
            if code is not None:
                if not self.expected_down:
                    self.unexpected.append((code, time.monotonic() - T0))
                    self.expected_down = True
                    log(f"{self.name} EXITED by itself with {code}")
                return
            status = read_status(proc.pid)
        if status:
            self.peak_mib = max(self.peak_mib, *status)

    def start(self, timeout=120):
        self.spawn()
        return self.wait_serving(timeout)

    def spawn(self):
        with self.lock:
            logf = open(self.log_path, "ab")
            self.proc = subprocess.Popen(
                ["setpriv", "--pdeathsig", "KILL", "--", self.binary,
                 "--listen", self.address, "--data-dir", self.data_dir]
                + self.args,
                stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
            logf.close()
            self.expected_down = False
            self.starts += 1

    def wait_serving(self, timeout):
        """True once --probe says SERVING; False after `timeout` or an exit."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pid() is None:
                return False
            try:
                if subprocess.run([self.binary, f"--probe={self.address}"],
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL,
                                  timeout=10).returncode == 0:
                    return True
            except subprocess.TimeoutExpired:
                pass
            time.sleep(0.1)
        return False

    def signal(self, sig):
        pid = self.pid()
        if pid is not None:
            os.kill(pid, sig)

    def _going_down(self):
        """Marks the process as expected down and reads its VmHWM (the exact
        peak of its life); returns it, or None when it is not running."""
        with self.lock:
            self.expected_down = True
            proc = self.proc
        if proc is None or proc.poll() is not None:
            return None
        status = read_status(proc.pid)
        if status:
            self.peak_mib = max(self.peak_mib, *status)
        return proc

    def kill(self):
        """SIGKILL, after reading its peak memory."""
        proc = self._going_down()
        if proc is None:
            return
        proc.kill()
        proc.wait(30)

    def terminate(self):
        proc = self._going_down()
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGCONT)
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)

    def log_tail(self, lines=15):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read()[-20000:].decode("utf-8", "replace")
            return "\n".join(text.splitlines()[-lines:])
        except OSError:
            return ""


class Suite:
    """catalog, records and ingest, wired to each other."""

    def __init__(self, label, build, work, token_file, max_watchers):
        self.label = label
        os.makedirs(work, exist_ok=True)
        common = ["--auth-token-file", token_file, "--shutdown-timeout", "2",
                  "--log-level", "warn"]
        self.catalog = Service("catalog", f"{build}/services/catalog/hitclock-catalog",
                               work, common)
        self.records = Service("records", f"{build}/services/records/hitclock-records",
                               work, common + ["--catalog-address", self.catalog.address,
                                               "--max-watchers", str(max_watchers)])
        self.ingest = Service("ingest", f"{build}/services/ingest/hitclock-ingest",
                              work, common + ["--catalog-address", self.catalog.address,
                                              "--records-address", self.records.address,
                                              "--forward-max-backoff", "1"])
        self.services = {s.name: s for s in (self.catalog, self.records, self.ingest)}

    def start(self):
        for svc in self.services.values():
            if not svc.start():
                raise SystemExit(f"chaos: {self.label} {svc.name} never served:\n"
                                 + svc.log_tail())

    def stop(self):
        for name in ("ingest", "records", "catalog"):
            self.services[name].terminate()


def channel(address):
    import grpc
    return grpc.insecure_channel(address, options=[
        ("grpc.initial_reconnect_backoff_ms", 100),
        ("grpc.min_reconnect_backoff_ms", 100),
        ("grpc.max_reconnect_backoff_ms", 1000),
        ("grpc.max_receive_message_length", 64 << 20),
        ("grpc.max_send_message_length", 64 << 20)])


class Faults:
    """The fault windows: a submit that overlaps one is timed as `during`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.active = 0
        self.epoch = 0
        self.counts = collections.Counter()

    @contextlib.contextmanager
    def window(self, kind, settle=0.5):
        with self.lock:
            self.active += 1
            self.epoch += 1
        try:
            yield
        finally:
            time.sleep(settle)
            with self.lock:
                self.active -= 1
                self.epoch += 1
                self.counts[kind] += 1

    def state(self):
        with self.lock:
            return self.active, self.epoch


def snapshot_key(snapshot):
    return (snapshot.chart.provider, snapshot.chart.list, snapshot.region.code,
            snapshot.capture_time.seconds, snapshot.capture_time.nanos)


class Submitter(threading.Thread):
    """Submits the stream's lines one by one at a steady rate until stopped,
    and writes each acknowledged line to `acked_path`."""

    RETRY = {"UNAVAILABLE", "DEADLINE_EXCEEDED", "CANCELLED", "UNKNOWN"}

    def __init__(self, pb, address, token, paths, acked_path, rate, faults,
                 give_up_after):
        super().__init__(daemon=True)
        self.pb, self.paths, self.rate, self.faults = pb, paths, rate, faults
        self.acked_path = acked_path
        self.give_up_after = give_up_after
        self.channel = channel(address)
        self.stub = pb.ingest_grpc.IngestServiceStub(self.channel)
        self.metadata = (("authorization", f"Bearer {token}"),)
        self.stop_flag = threading.Event()
        self.acked = []            # indexes of the lines acknowledged
        self.keys = {}             # key -> index
        self.outcomes = collections.Counter()
        self.retries = collections.Counter()
        self.errors = []           # (index, code, message) of refusals
        self.lat = {"during": [], "outside": []}
        self.max_ack = 0.0         # first attempt to OK, retries included
        self.submitted = 0
        self.exhausted = False

    def lines(self):
        for path in self.paths:
            with open(path) as f:
                yield from (line for line in f if line.strip())

    def run(self):
        with open(self.acked_path, "w") as acked:
            self.submit_all(acked)

    def submit_all(self, acked):
        import grpc
        from google.protobuf import json_format
        interval = 1.0 / self.rate
        next_at = time.monotonic()
        for index, line in enumerate(self.lines()):
            if self.stop_flag.is_set():
                return
            now = time.monotonic()
            if next_at > now:
                time.sleep(next_at - now)
            next_at = max(next_at + interval, time.monotonic() - interval)
            request = json_format.Parse(line, self.pb.ingest.SubmitSnapshotRequest())
            self.submitted += 1
            first = time.monotonic()
            while True:
                active0, epoch0 = self.faults.state()
                t0 = time.monotonic()
                try:
                    response = self.stub.SubmitSnapshot(
                        request, timeout=10, metadata=self.metadata)
                except grpc.RpcError as e:
                    code = e.code().name
                    if code in self.RETRY and time.monotonic() - first < self.give_up_after:
                        self.retries[code] += 1
                        time.sleep(0.05)
                        continue
                    self.errors.append((index, code, e.details()))
                    break
                t1 = time.monotonic()
                active1, epoch1 = self.faults.state()
                during = active0 or active1 or epoch1 != epoch0
                self.lat["during" if during else "outside"].append((t1 - t0) * 1000)
                self.max_ack = max(self.max_ack, t1 - first)
                self.outcomes[self.pb.ingest.SubmitOutcome.Name(
                    response.result.outcome)] += 1
                self.acked.append(index)
                acked.write(line)
                self.keys[snapshot_key(request.snapshot)] = index
                break
        self.exhausted = True


# --------------------------------------------------------------------------
# Watch storms

async def watch_storm(pb, address, count, hold, cap):
    """Opens `count` WatchRecordEvents streams (each on a connection of its
    own), one more when `count` reaches `cap`, reads events for `hold`
    seconds, then drops them all. Returns a dict of what happened."""
    import grpc
    result = {"opened": 0, "refused": collections.Counter(), "events": 0,
              "cut": collections.Counter(), "over_cap": None, "reopened": False}
    options = [("grpc.use_local_subchannel_pool", 1)]
    channels = []

    async def open_one():
        ch = grpc.aio.insecure_channel(address, options=options)
        channels.append(ch)
        call = pb.records_grpc.RecordsServiceStub(ch).WatchRecordEvents(
            pb.records.WatchRecordEventsRequest())
        try:
            await asyncio.wait_for(call.initial_metadata(), 30)
        except asyncio.TimeoutError:
            call.cancel()
            return None, "TIMEOUT"
        except grpc.aio.AioRpcError as e:
            return None, e.code().name
        if call.done():
            return None, (await call.code()).name
        return call, None

    async def read(call):
        try:
            async for _ in call:
                result["events"] += 1
            result["cut"]["ended"] += 1
        except asyncio.CancelledError:
            pass
        except grpc.aio.AioRpcError as e:
            if e.code() != grpc.StatusCode.CANCELLED:
                result["cut"][e.code().name] += 1

    try:
        opened = await asyncio.gather(*[open_one() for _ in range(count)])
        calls = [c for c, _ in opened if c is not None]
        for _, refusal in opened:
            if refusal:
                result["refused"][refusal] += 1
        result["opened"] = len(calls)
        if count >= cap:
            extra, refusal = await open_one()
            result["over_cap"] = refusal if extra is None else "OPENED"
            if extra is not None:
                calls.append(extra)
        readers = [asyncio.ensure_future(read(c)) for c in calls]
        await asyncio.sleep(hold)
        for c in calls:
            c.cancel()
        await asyncio.wait(readers, timeout=10) if readers else None
        for ch in channels:
            await ch.close()
        channels.clear()
        # The slots come back: a new stream opens again (within 15 s).
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not result["reopened"]:
            call, _ = await open_one()
            if call is not None:
                result["reopened"] = True
                call.cancel()
            else:
                await asyncio.sleep(0.25)
    finally:
        for ch in channels:
            await ch.close()
    return result


# --------------------------------------------------------------------------
# Bad input

def bad_inputs(pb, base):
    """(name, expected code, (service, kind, payload)) for each kind of bad
    request. `base` is a valid SubmitSnapshotRequest; each ingest case
    spoils a copy. None of them may change anything: the answers are
    compared with a clean run's afterwards."""
    ingest = pb.ingest
    cases = []

    def spoil(name, change, expect="INVALID_ARGUMENT"):
        request = ingest.SubmitSnapshotRequest()
        request.CopyFrom(base)
        change(request.snapshot)
        cases.append((name, expect, ("ingest", "submit", request)))

    def position(index, value):
        def change(s):
            s.entries[index].position = value
        return change

    last = len(base.snapshot.entries) - 1
    spoil("position 0", position(0, 0))
    spoil("negative position", position(0, -1))
    spoil("repeated position", position(1, 1))
    spoil("gap in positions", position(last, last + 2))
    spoil("no chart", lambda s: s.ClearField("chart"))
    spoil("unknown chart", lambda s: setattr(s.chart, "provider", "nope"))
    spoil("no region", lambda s: s.ClearField("region"))
    spoil("unknown region", lambda s: setattr(s.region, "code", "zz"))
    spoil("region kind disagrees", lambda s: setattr(
        s.region, "kind", pb.common.REGION_KIND_AGGREGATE))
    spoil("no capture time", lambda s: s.ClearField("capture_time"))
    spoil("capture time past year 9999",
          lambda s: setattr(s.capture_time, "seconds", 10**12))
    spoil("capture time nanos 2e9",
          lambda s: setattr(s.capture_time, "nanos", 2_000_000_000))
    spoil("capture time before year 1",
          lambda s: setattr(s.capture_time, "seconds", -10**12))
    spoil("capture time before 2001",
          lambda s: setattr(s.capture_time, "seconds", 0))
    spoil("capture time in 3000",
          lambda s: setattr(s.capture_time, "seconds", 32503680000))
    spoil("capture time a day ahead",
          lambda s: setattr(s.capture_time, "seconds", int(time.time()) + 86400))
    spoil("no entries", lambda s: s.ClearField("entries"))

    def many(s):
        first = s.entries[0]
        s.ClearField("entries")
        for p in range(1, 502):
            e = s.entries.add()
            e.CopyFrom(first)
            e.position = p
    spoil("501 entries", many)
    spoil("title over 1,000 bytes",
          lambda s: setattr(s.entries[0].entry, "title", "x" * 1001))
    spoil("provider id over 64 bytes",
          lambda s: setattr(s.entries[0].entry, "provider_track_id", "9" * 65))
    spoil("entry of another provider",
          lambda s: setattr(s.entries[0].entry, "provider", "spotify"))

    # Invalid UTF-8 no proto library would write: a placeholder swapped for
    # ill-formed bytes of the same length in the serialized request.
    def raw(message, placeholder):
        bad = (b"\xc3\x28\xff" + b"\xfe" * len(placeholder))[:len(placeholder)]
        data = message.SerializeToString()
        assert data.count(placeholder.encode()) == 1
        return data.replace(placeholder.encode(), bad)

    for field in ("title", "artist credit", "region code"):
        request = ingest.SubmitSnapshotRequest()
        request.CopyFrom(base)
        if field == "title":
            request.snapshot.entries[0].entry.title = "@@BADUTF8@@"
        elif field == "artist credit":
            request.snapshot.entries[1].entry.artist_credit = "@@BADUTF8@@"
        else:
            request.snapshot.region.code = "@@"
        cases.append((f"invalid UTF-8 in {field}", "INVALID_ARGUMENT", (
            "ingest", "/hitclock.ingest.v1.IngestService/SubmitSnapshot",
            raw(request, "@@BADUTF8@@" if field != "region code" else "@@"))))
    resolve = pb.catalog.ResolveTracksRequest()
    e = resolve.entries.add()
    e.title, e.artist_credit, e.provider = "@@BADUTF8@@", "BTS", "itunes"
    cases.append(("catalog: invalid UTF-8 in a title to resolve", "INVALID_ARGUMENT", (
        "catalog", "/hitclock.catalog.v1.CatalogService/ResolveTracks",
        raw(resolve, "@@BADUTF8@@"))))
    ttt = pb.records.GetTimeToThresholdRequest(min_regions=10)
    ttt.track.track_id = "@@BADUTF8@@"
    ttt.chart.provider, ttt.chart.list = CHART
    cases.append(("records: invalid UTF-8 in a track id", "INVALID_ARGUMENT", (
        "records", "/hitclock.records.v1.RecordsService/GetTimeToThreshold",
        raw(ttt, "@@BADUTF8@@"))))

    # Feeds that do not parse.
    def feed(name, content, fmt):
        request = ingest.ImportFeedRequest(content=content, format=fmt)
        request.chart.provider, request.chart.list = CHART
        request.region.code = "us"
        request.capture_time.CopyFrom(base.snapshot.capture_time)
        cases.append((name, "INVALID_ARGUMENT", ("ingest", "feed", request)))

    feed("CSV with invalid UTF-8",
         b"position,title,artist\n1,Bad \xff\xfe Song,Someone\n",
         ingest.FEED_FORMAT_CSV)
    feed("CSV with a stray quote",
         b"position,title,artist\n1,Bad \"Song,Someone\n",
         ingest.FEED_FORMAT_CSV)
    feed("iTunes JSON cut short", b'{"feed":{"entry":[{"im:name":',
         ingest.FEED_FORMAT_ITUNES_RSS_JSON)
    feed("RSS v2 JSON with invalid UTF-8",
         b'{"feed":{"country":"us","results":[{"name":"\xff\xfe"}]}}',
         ingest.FEED_FORMAT_APPLE_RSS_V2_JSON)
    feed("feed of no format", b"position,title,artist\n", 0)

    # Records' own append stream (ingest's path in), snapshots it must reject.
    def append(name, change):
        request = pb.records.AppendSnapshotsRequest()
        s = request.snapshot
        s.chart.provider, s.chart.list = CHART
        s.region.code = "us"
        s.capture_time.CopyFrom(base.snapshot.capture_time)
        s.chart_size = 3
        for p in (1, 2, 3):
            s.entries.add(track_id="dynamite", position=p)
        change(s)
        cases.append((f"records: append {name}", "INVALID_ARGUMENT",
                      ("records", "append", request)))
    append("position 0", lambda s: setattr(s.entries[0], "position", 0))
    append("position over chart size", lambda s: setattr(s.entries[0], "position", 4))
    append("chart size 501", lambda s: setattr(s, "chart_size", 501))
    append("unknown region", lambda s: setattr(s.region, "code", "zz"))
    append("capture time a day ahead", lambda s: setattr(
        s.capture_time, "seconds", int(time.time()) + 86400))
    append("no track id", lambda s: setattr(s.entries[0], "track_id", ""))

    # A message over the suite's 8 MiB limit.
    request = ingest.SubmitSnapshotRequest()
    request.CopyFrom(base)
    request.snapshot.source_url = "x" * (9 << 20)
    cases.append(("message over 8 MiB", "RESOURCE_EXHAUSTED",
                  ("ingest", "submit", request)))
    return cases


def send_bad(pb, channels, token, case):
    """Sends one bad request; (status code name, message)."""
    import grpc
    service, kind, payload = case
    ch = channels[service]
    metadata = (("authorization", f"Bearer {token}"),)
    try:
        if kind == "submit":
            pb.ingest_grpc.IngestServiceStub(ch).SubmitSnapshot(
                payload, timeout=20, metadata=metadata)
        elif kind == "feed":
            pb.ingest_grpc.IngestServiceStub(ch).ImportFeed(
                payload, timeout=20, metadata=metadata)
        elif kind == "append":
            # One message, then the results: REJECTED carries the code.
            results = list(pb.records_grpc.RecordsServiceStub(ch).AppendSnapshots(
                iter([payload]), timeout=20, metadata=metadata))
            if len(results) != 1:
                return f"{len(results)} results", ""
            r = results[0]
            if r.outcome != pb.records.APPEND_OUTCOME_REJECTED:
                return pb.records.AppendOutcome.Name(r.outcome), ""
            names = {c.value[0]: c.name for c in grpc.StatusCode}
            return (names.get(r.error.code, str(r.error.code)),
                    f"{r.error.field}: {r.error.message}")
        else:
            ch.unary_unary(kind, request_serializer=None,
                           response_deserializer=None)(
                payload, timeout=20, metadata=metadata)
        return "OK", ""
    except grpc.RpcError as e:
        return e.code().name, e.details() or ""


# --------------------------------------------------------------------------
# Answers

def ingest_status(pb, address):
    with channel(address) as ch:
        return pb.ingest_grpc.IngestServiceStub(ch).GetForwarderStatus(
            pb.ingest.GetForwarderStatusRequest(), timeout=10)


def wait_forwarded(pb, suite, timeout):
    """Until ingest holds no pending snapshot; the last status, and whether."""
    import grpc
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        try:
            status = ingest_status(pb, suite.ingest.address)
            if status.pending_snapshot_count == 0:
                return status, True
        except grpc.RpcError:
            pass
        time.sleep(0.5)
    return status, False


def ingest_keys(pb, address):
    """Every snapshot ingest lists of the chart: key -> state name."""
    keys = {}
    with channel(address) as ch:
        stub = pb.ingest_grpc.IngestServiceStub(ch)
        token = ""
        while True:
            request = pb.ingest.ListSnapshotsRequest(page_size=1000, page_token=token)
            request.chart.provider, request.chart.list = CHART
            response = stub.ListSnapshots(request, timeout=60)
            for s in response.snapshots:
                keys[snapshot_key(s.content)] = pb.ingest.SnapshotState.Name(s.state)
            token = response.next_page_token
            if not token:
                return keys


def answer_requests(pb, track_ids):
    """(name, method, request) of the records questions both runs answer."""
    r = pb.records
    out = []
    out.append(("charts", "ListCharts", r.ListChartsRequest(page_size=1000)))
    categories = {
        "all": {},
        "ost": {"track_kind": 2},
        "solo-track": {"performer": r.PERFORMER_SOLO_TRACK},
        "kr-soloist": {"performer": r.PERFORMER_BY_SOLOIST, "origin_country": "KR"},
        "group": {"performer": r.PERFORMER_BY_GROUP},
        "2024": {"release_year": 2024},
    }

    def key(metric, p, n, category):
        k = r.RecordKey(metric=metric, min_regions=n,
                        category=r.Category(**categories[category]))
        k.chart.provider, k.chart.list = CHART
        k.threshold.position.max_position = p
        return k

    boards = [("fastest", r.METRIC_FASTEST, n) for n in (10, 25, 50, 100)]
    boards += [("total", r.METRIC_TOTAL, 0), ("peak", r.METRIC_PEAK, 0),
               ("allkill", r.METRIC_ALL_KILL, 0)]
    for p in (1, 10):
        for label, metric, n in boards:
            for category in categories:
                out.append((f"leaderboard {label}{n or ''} P{p} {category}",
                            "ListLeaderboard",
                            r.ListLeaderboardRequest(
                                record=key(metric, p, n, category), page_size=1000)))
    for label, metric, n in boards:
        for category in ("all", "kr-soloist"):
            out.append((f"lineage {label}{n or ''} P1 {category}", "GetRecordLineage",
                        r.GetRecordLineageRequest(record=key(metric, 1, n, category))))
    for track in track_ids:
        for p, n in ((1, 10), (1, 100), (10, 25)):
            q = r.GetTimeToThresholdRequest(min_regions=n)
            q.track.track_id = track
            q.chart.provider, q.chart.list = CHART
            q.threshold.position.max_position = p
            out.append((f"ttt {track} P{p} N{n}", "GetTimeToThreshold", q))
        q = r.GetTimelineRequest()
        q.track.track_id = track
        q.chart.provider, q.chart.list = CHART
        q.threshold.position.max_position = 10
        out.append((f"timeline {track} P10", "GetTimeline", q))
    return out


def ask(pb, address, requests, snapshot_keys):
    """Every answer as JSON text (or the error code), by name."""
    import grpc
    from google.protobuf import json_format
    answers = {}
    with channel(address) as ch:
        stub = pb.records_grpc.RecordsServiceStub(ch)
        for name, method, request in requests:
            try:
                response = getattr(stub, method)(request, timeout=60)
                answers[name] = json_format.MessageToJson(
                    response, preserving_proto_field_name=True, sort_keys=True)
            except grpc.RpcError as e:
                answers[name] = f"error {e.code().name}"
        for k in snapshot_keys:
            q = pb.records.GetSnapshotRequest()
            q.key.chart.provider, q.key.chart.list = k[0], k[1]
            q.key.region.code = k[2]
            q.key.capture_time.seconds, q.key.capture_time.nanos = k[3], k[4]
            name = f"snapshot {k[2]} {k[3]}"
            try:
                response = stub.GetSnapshot(q, timeout=60)
                answers[name] = json_format.MessageToJson(
                    response, preserving_proto_field_name=True, sort_keys=True)
            except grpc.RpcError as e:
                answers[name] = f"error {e.code().name}"
    return answers


def import_catalog(pb, address, token, files):
    from google.protobuf import json_format
    with channel(address) as ch:
        stub = pb.catalog_grpc.CatalogServiceStub(ch)
        for path in files:
            with open(path) as f:
                request = json_format.Parse(f.read(), pb.catalog.ImportCatalogRequest())
            stub.ImportCatalog(request, timeout=120,
                               metadata=(("authorization", f"Bearer {token}"),))


# --------------------------------------------------------------------------

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    source = os.path.abspath(os.path.join(here, "../.."))
    parser = argparse.ArgumentParser(
        prog="scripts/chaos",
        description=__doc__.split("\n", 2)[2],
        formatter_class=type("Formatter", (argparse.RawDescriptionHelpFormatter,
                                           argparse.ArgumentDefaultsHelpFormatter), {}))
    parser.add_argument("--seconds", type=int, default=600,
                        help="how long the import runs under faults")
    parser.add_argument("--build-dir", default=os.path.join(source, "build"),
                        help="where the built binaries are")
    parser.add_argument("--rate", type=float, default=100,
                        help="SubmitSnapshot calls per second")
    parser.add_argument("--watchers", type=int, default=300,
                        help="WatchRecordEvents streams per storm; records runs "
                             "with --max-watchers at this value")
    parser.add_argument("--watch-hold", type=float, default=3,
                        help="seconds a storm's streams stay open")
    parser.add_argument("--freeze", type=float, default=3,
                        help="seconds a SIGSTOP lasts")
    parser.add_argument("--down", type=float, default=1,
                        help="seconds a killed service stays down")
    parser.add_argument("--pause", type=float, default=3,
                        help="quiet seconds between two faults")
    for name, default in (("catalog", 128), ("records", 256), ("ingest", 128)):
        parser.add_argument(f"--max-rss-{name}", type=float, default=default,
                            metavar="MIB", help=f"{name}'s peak RSS ceiling")
    parser.add_argument("--drain-timeout", type=int, default=300,
                        help="seconds ingest gets to forward everything at the end")
    parser.add_argument("--seed", type=int, default=17,
                        help="the generated stream's seed")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work directory (logs, data) even on success")
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    binaries = {
        "sim": f"{build}/services/records/sim/hitclock-sim",
        "cli": f"{build}/cli/hitclock",
        "catalog": f"{build}/services/catalog/hitclock-catalog",
        "records": f"{build}/services/records/hitclock-records",
        "ingest": f"{build}/services/ingest/hitclock-ingest",
    }
    for path in binaries.values():
        if not os.access(path, os.X_OK):
            sys.exit(f"chaos: {path} is not built (cmake --build {args.build_dir})")
    for tool in ("protoc", "setpriv", "/usr/bin/grpc_python_plugin"):
        if shutil.which(tool) is None:
            sys.exit(f"chaos: {tool} not found (scripts/install-deps installs it)")

    work = tempfile.mkdtemp(prefix="hitclock-chaos-")
    suites = []
    checks = Checks()

    def on_signal(signum, _):
        raise SystemExit(f"chaos: stopped by signal {signum}")
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
        signal.signal(sig, on_signal)
    # A hard bound on the whole run, whatever hangs.
    signal.alarm(args.seconds + 2 * args.drain_timeout + 1800)

    ok = False
    try:
        ok = run(args, source, build, binaries, work, suites, checks)
    finally:
        for suite in suites:
            suite.stop()
        if ok and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"chaos: logs and data kept in {work}", file=sys.stderr)
    print(f"chaos: {len(checks.passed)} passed, {len(checks.failed)} failed")
    sys.exit(0 if ok else 1)


def run(args, source, build, binaries, work, suites, checks):
    import grpc
    random.seed(args.seed)
    pb = make_stubs(source, os.path.join(work, "stubs"))
    token = secrets.token_hex(16)
    token_file = os.path.join(work, "token")
    with open(os.open(token_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(token + "\n")

    # The stream: the demo, then a generated stream long enough for the run
    # (2024, 60 regions, after the demo's captures, so no SEED-FACTS answer
    # moves).
    gen = os.path.join(work, "stream")
    os.makedirs(gen)
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True,
                 timeout=600)
    subprocess.run([binaries["sim"], "demo", "--out", gen], **quiet)
    regions = 60
    want = int(args.rate * args.seconds * 1.2) + 1000
    days = max(1, -(-want // (regions * 288)))
    subprocess.run([binaries["sim"], "generate", "--seed", str(args.seed),
                    "--region-count", str(regions), "--days", str(days),
                    "--tracks", "600", "--start", "2024-01-01T00:00:00Z",
                    "--out", f"{gen}/generated.jsonl",
                    "--catalog-out", f"{gen}/generated-catalog.json"], **quiet)
    streams = [f"{gen}/demo-snapshots.jsonl", f"{gen}/generated.jsonl"]
    with open(streams[0]) as f:
        demo_count = sum(1 for line in f if line.strip())
    with open(streams[1]) as f:
        generated_count = sum(1 for line in f if line.strip())
    catalogs = [os.path.join(source, "demo/catalog.json"),
                f"{gen}/demo-catalog-extra.json", f"{gen}/generated-catalog.json"]
    with open(f"{gen}/generated-catalog.json") as f:
        generated_tracks = [t["id"] for t in json.load(f)["document"]["tracks"]]
    log(f"stream: {demo_count + generated_count} snapshots ({demo_count} demo, the rest generated "
        f"over {days} day(s) of {regions} regions); {len(generated_tracks)} generated tracks")

    chaos = Suite("chaos", build, os.path.join(work, "chaos"), token_file,
                  args.watchers)
    suites.append(chaos)
    chaos.start()
    import_catalog(pb, chaos.catalog.address, token, catalogs)
    log(f"chaos suite serving: catalog {chaos.catalog.address}, records "
        f"{chaos.records.address}, ingest {chaos.ingest.address}; catalog loaded")

    stop_sampling = threading.Event()

    def sampler():
        while not stop_sampling.is_set():
            for svc in chaos.services.values():
                svc.sample()
            time.sleep(0.2)
    sampling = threading.Thread(target=sampler, daemon=True)
    sampling.start()

    faults = Faults()
    acked_file = os.path.join(work, "acknowledged.jsonl")
    submitter = Submitter(pb, chaos.ingest.address, token, streams, acked_file,
                          args.rate, faults, give_up_after=120)
    storms, bad_results, restarts = [], collections.defaultdict(list), []
    from google.protobuf import json_format
    with open(streams[1]) as f:
        base = json_format.Parse(f.readline(), pb.ingest.SubmitSnapshotRequest())
    base.snapshot.region.code = "us"
    base.snapshot.capture_time.seconds += 7  # an identity no line has
    bad_cases = bad_inputs(pb, base)
    bad_channels = {name: channel(svc.address) for name, svc in chaos.services.items()}

    steps = []
    for name in ("records", "catalog", "ingest"):
        steps.append((f"freeze {name}", name))
        steps.append((f"kill {name}", name))
    steps.append(("kill records while it starts", "records"))
    steps += [("watch storm", None), ("bad input", None)]

    t_start = time.monotonic()
    end = t_start + args.seconds
    submitter.start()
    time.sleep(min(args.pause, 2))
    step = 0
    while time.monotonic() < end - 5 and submitter.is_alive():
        # A service that died by itself is started again (and reported).
        for svc in chaos.services.values():
            if svc.pid() is None and svc.unexpected:
                restarts.append((svc.name, "after its own exit", svc.start()))
        kind, name = steps[step % len(steps)]
        step += 1
        svc = chaos.services.get(name)
        log(f"fault {step}: {kind}")
        if kind.startswith("freeze"):
            with faults.window(kind):
                svc.signal(signal.SIGSTOP)
                time.sleep(args.freeze)
                svc.signal(signal.SIGCONT)
        elif kind.startswith("kill"):
            with faults.window(kind):
                svc.kill()
                time.sleep(args.down)
                if kind.endswith("while it starts"):
                    # Killed again while it loads its store, then started.
                    svc.spawn()
                    time.sleep(random.uniform(0.05, 0.3))
                    svc.kill()
                t = time.monotonic()
                served = svc.start()
                restarts.append((name, time.monotonic() - t, served))
                if not served:
                    log(f"{name} did not serve again:\n{svc.log_tail()}")
        elif kind == "watch storm":
            with faults.window(kind):
                storm = asyncio.run(asyncio.wait_for(
                    watch_storm(pb, chaos.records.address, args.watchers,
                                args.watch_hold, args.watchers), 120))
                storms.append(storm)
                log(f"  {storm['opened']} streams opened, over the cap: "
                    f"{storm['over_cap']}, {storm['events']} events read, "
                    f"cut: {dict(storm['cut'])}, reopened: {storm['reopened']}")
        else:
            with faults.window(kind):
                for case_name, expect, case in bad_cases:
                    code, detail = send_bad(pb, bad_channels, token, case)
                    bad_results[case_name].append((expect, code, detail))
                # No process died of it.
                for s in chaos.services.values():
                    bad_results["no process died of bad input"].append(
                        ("SERVING", "SERVING" if s.wait_serving(10) else "DOWN",
                         "catalog, records and ingest served after each round"))
        time.sleep(args.pause)
    submitter.stop_flag.set()
    submitter.join(180)
    t_faults = time.monotonic() - t_start
    for ch in bad_channels.values():
        ch.close()
    log(f"faults over after {t_faults:.0f}s: {len(submitter.acked)} snapshots "
        f"acknowledged; waiting for ingest to forward everything")

    status, drained = wait_forwarded(pb, chaos, args.drain_timeout)
    t_drain = time.monotonic() - t_start - t_faults
    stop_sampling.set()
    sampling.join(5)
    for svc in chaos.services.values():  # the last lives' exact peaks
        svc.sample()
        pid = svc.pid()
        if pid and read_status(pid):
            svc.peak_mib = max(svc.peak_mib, *read_status(pid))

    acked_keys = submitter.keys
    print("\nchecks")
    # The import.
    checks.check(not submitter.is_alive(), "the submitter stopped in time")
    checks.check(not submitter.errors, "every snapshot submitted was acknowledged",
                 f"{len(submitter.acked)} of {submitter.submitted}" + (
                     f"; refused: {submitter.errors[:3]}" if submitter.errors else ""))
    checks.check(not submitter.exhausted, "the stream outlasted the run",
                 f"{demo_count + generated_count} lines")
    firsts = submitter.outcomes.get("SUBMIT_OUTCOME_ACCEPTED", 0)
    checks.check(len(acked_keys) == len(submitter.acked),
                 "the acknowledged snapshots are distinct",
                 f"{len(acked_keys)} keys; outcomes {dict(submitter.outcomes)}")
    # The faults.
    for kind, _ in steps:
        checks.check(faults.counts[kind] > 0, f"fault injected: {kind}",
                     f"{faults.counts[kind]} time(s)")
    checks.check(all(r[2] for r in restarts), "every restarted service served again",
                 ", ".join(f"{n} {t:.1f}s" if isinstance(t, float) else f"{n} {t}"
                           for n, t, _ in restarts))
    exits = {s.name: s.unexpected for s in chaos.services.values() if s.unexpected}
    checks.check(not exits, "no service exited by itself", str(exits) if exits else "")
    if storms:
        checks.check(all(s["opened"] == args.watchers for s in storms),
                     f"every storm opened its {args.watchers} watch streams",
                     ", ".join(f"{s['opened']}" + (f" (refused {dict(s['refused'])})"
                                                     if s['refused'] else "")
                               for s in storms))
        checks.check(all(s["over_cap"] == "RESOURCE_EXHAUSTED" for s in storms),
                     f"stream {args.watchers + 1} over --max-watchers "
                     f"{args.watchers} is RESOURCE_EXHAUSTED",
                     ", ".join(str(s["over_cap"]) for s in storms))
        checks.check(all(not s["cut"] for s in storms),
                     "no watch stream ended before it was dropped",
                     ", ".join(str(dict(s["cut"])) for s in storms if s["cut"]))
        checks.check(all(s["reopened"] for s in storms),
                     "dropped streams free their slots (a new one opens)")
    for case_name, results in bad_results.items():
        wrong = [r for r in results if r[1] != r[0]]
        sample = results[0]
        checks.check(not wrong, f"bad input: {case_name} -> {sample[0]}",
                     f"{len(results)} time(s)" + (
                         f"; got {wrong[0][1]}: {wrong[0][2][:150]}" if wrong else
                         f"; {sample[2][:100]}"))
    # Exactly once.
    checks.check(drained, "ingest forwarded everything",
                 f"in {t_drain:.1f}s" if drained else
                 f"still pending after {args.drain_timeout}s: {status}")
    checks.check(status is not None and status.failed_snapshot_count == 0,
                 "no snapshot failed in ingest",
                 f"{status.failed_snapshot_count if status else '?'} failed")
    listed = ingest_keys(pb, chaos.ingest.address)
    missing = set(acked_keys) - set(listed)
    extra = set(listed) - set(acked_keys)
    checks.check(not missing and not extra,
                 "ingest lists exactly the acknowledged snapshots",
                 f"{len(listed)} listed; {len(missing)} missing, {len(extra)} extra")
    states = collections.Counter(listed.values())
    checks.check(set(states) <= {"SNAPSHOT_STATE_FORWARDED"},
                 "every one is FORWARDED", str(dict(states)))
    checks.check(status is not None and status.forwarded_snapshot_count == len(acked_keys),
                 "ingest's forwarded count = acknowledged snapshots",
                 f"{status.forwarded_snapshot_count if status else '?'} = {len(acked_keys)}")

    # Answers of the chaos suite, then of a clean one fed the same snapshots.
    sample_keys = sorted(acked_keys)
    random.Random(args.seed).shuffle(sample_keys)
    sample_keys = sorted(sample_keys[:400])
    # The tracks asked about: the demo's, and the 40 generated tracks with
    # the most regions in the top 10 (by the chaos suite's board; both runs
    # are asked the same questions).
    requests = answer_requests(pb, [])
    chaos_answers = ask(pb, chaos.records.address, requests, sample_keys)
    board = chaos_answers.get("leaderboard total P10 all", "error")
    leaders = [] if board.startswith("error") else json.loads(board).get("rows", [])
    tracks = ["with-you", "dynamite", "yours", "velvet-skyline", "starlight-parade"]
    tracks += [r["track"]["track_id"] for r in leaders
               if r["track"]["track_id"].startswith("sim-")][:40]
    tracks += generated_tracks[:3]  # and a few that may never have charted
    per_track = answer_requests(pb, tracks)[len(requests):]
    chaos_answers.update(ask(pb, chaos.records.address, per_track, []))
    requests += per_track
    charts = json.loads(chaos_answers["charts"]) if not chaos_answers[
        "charts"].startswith("error") else {}
    held = sum(int(c.get("snapshot_count", 0)) for c in charts.get("charts", []))
    checks.check(held == len(acked_keys),
                 "records holds each acknowledged snapshot once",
                 f"snapshot_count {held} = {len(acked_keys)} acknowledged")
    absent = [k for k in sample_keys if chaos_answers[f"snapshot {k[2]} {k[3]}"].startswith("error")]
    checks.check(not absent, f"records returns each of {len(sample_keys)} sampled snapshots",
                 f"{len(absent)} absent" if absent else "")
    acked_demo = sum(1 for i in submitter.acked if i < demo_count)
    if acked_demo == demo_count:
        def duration(name):
            answer = chaos_answers.get(name, "")
            return "" if answer.startswith("error") else json.loads(answer).get(
                "time_to_threshold", "")
        seed = (duration("ttt with-you P1 N100"), duration("ttt dynamite P1 N100"))
        checks.check(seed == ("17040s", "28680s"),
                     "SEED-FACTS: With You 17040s, Dynamite 28680s to #1 in 100",
                     f"{seed[0]}, {seed[1]}")

    clean_start = time.monotonic()
    clean = Suite("clean", build, os.path.join(work, "clean"), token_file, 1000)
    suites.append(clean)
    clean.start()
    import_catalog(pb, clean.catalog.address, token, catalogs)
    env = dict(os.environ, HITCLOCK_CATALOG_ADDRESS=clean.catalog.address,
               HITCLOCK_RECORDS_ADDRESS=clean.records.address,
               HITCLOCK_INGEST_ADDRESS=clean.ingest.address,
               HITCLOCK_AUTH_TOKEN=token)
    with open(os.path.join(work, "clean-import.log"), "w") as out:
        imported = subprocess.run(["setpriv", "--pdeathsig", "KILL", "--",
                                   binaries["cli"], "import", acked_file], env=env,
                                  stdout=out, stderr=subprocess.STDOUT,
                                  timeout=900).returncode
    clean_status, clean_drained = wait_forwarded(pb, clean, args.drain_timeout)
    clean_answers = ask(pb, clean.records.address, requests, sample_keys)
    clean_seconds = time.monotonic() - clean_start
    checks.check(imported == 0 and clean_drained, "the clean run imported everything",
                 f"hitclock import exit {imported}, in {clean_seconds:.0f}s")
    unresolved = (status.unresolved_entry_count if status else None,
                  clean_status.unresolved_entry_count if clean_status else None)
    checks.check(unresolved[0] == unresolved[1],
                 "ingest's unresolved entries equal the clean run's",
                 f"{unresolved[0]} = {unresolved[1]}")
    differ = [name for name in clean_answers if clean_answers[name] != chaos_answers.get(name)]
    for label, answers in (("chaos", chaos_answers), ("clean", clean_answers)):
        with open(os.path.join(work, f"answers-{label}.json"), "w") as f:
            json.dump(answers, f, indent=1, sort_keys=True)
    errors = sum(1 for a in clean_answers.values() if a.startswith("error"))
    checks.check(not differ, f"all {len(clean_answers)} records answers equal the clean run's",
                 (f"{len(differ)} differ, e.g. {differ[:4]} (answers-*.json in the work dir)"
                  if differ else f"{errors} of them errors in both, e.g. NOT_FOUND"))

    # Memory.
    ceilings = {"catalog": args.max_rss_catalog, "records": args.max_rss_records,
                "ingest": args.max_rss_ingest}
    for name, svc in chaos.services.items():
        checks.check(svc.peak_mib <= ceilings[name],
                     f"{name} peak RSS under {ceilings[name]:.0f} MiB",
                     f"{svc.peak_mib:.1f} MiB over {svc.starts} process(es)")

    # Figures.
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    during, outside = submitter.lat["during"], submitter.lat["outside"]
    total_faults = sum(faults.counts.values())
    bad_sent = sum(len(v) for k, v in bad_results.items()
                   if k != "no process died of bad input")
    rows = [
        ("run", f"{t_faults:.0f}s of faults at {args.rate:g} submits/s; "
                f"drain {t_drain:.1f}s; clean run {clean_seconds:.0f}s"),
        ("snapshots acknowledged", f"{len(acked_keys)} ({acked_demo} demo); "
                                   f"{sum(submitter.retries.values())} retried calls "
                                   f"{dict(submitter.retries)}"),
        ("records holds", f"{held} snapshots, " + ", ".join(
            f"{c.get('observation_count', 0)} observations in "
            f"{c.get('region_count', 0)} regions" for c in charts.get("charts", []))),
        ("faults injected", f"{total_faults}: " + ", ".join(
            f"{k} {faults.counts[k]}" for k, _ in steps)),
        ("watch streams", f"{sum(s['opened'] for s in storms)} opened and dropped "
                          f"in {len(storms)} storm(s); "
                          f"{sum(s['events'] for s in storms)} events read"),
        ("bad requests", f"{bad_sent} sent ({len(bad_cases)} kinds)"),
    ]
    for name, svc in chaos.services.items():
        rows.append((f"peak RSS {name}", f"{svc.peak_mib:.1f} MiB (ceiling "
                                         f"{ceilings[name]:.0f}; {svc.starts} starts)"))
    rows += [
        ("SubmitSnapshot during faults",
         f"p50 {percentile(during, .5):.2f} ms, p99 {percentile(during, .99):.2f} ms, "
         f"max {max(during, default=float('nan')):.0f} ms (n={len(during)})"),
        ("SubmitSnapshot outside faults",
         f"p50 {percentile(outside, .5):.2f} ms, p99 {percentile(outside, .99):.2f} ms, "
         f"max {max(outside, default=float('nan')):.0f} ms (n={len(outside)})"),
        ("longest time to acknowledge", f"{submitter.max_ack * 1000:.0f} ms (retries included)"),
        ("load average", load),
    ]
    print("\nfigures")
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")
    if checks.failed:
        for svc in chaos.services.values():
            print(f"\n--- {svc.name} log (last lines)\n{svc.log_tail()}", file=sys.stderr)
    return not checks.failed


if __name__ == "__main__":
    main()
