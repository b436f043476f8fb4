#!/usr/bin/env bash
# The README's walkthrough against the stack: `hitclock leaderboard fastest
# --regions 100` and `hitclock plot "With You" Dynamite ... -o race.svg`, with
# the command from the image (`docker run --network host`, as the README
# shows) and, when the tree is built, with the host's build/cli/hitclock.
# The picture is rendered to PNG with rsvg-convert and checked.
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
addresses=(--catalog "$catalog" --records "$records" --ingest "$ingest")

walk() {  # NAME COMMAND...: the two walkthrough commands through COMMAND
  local name=$1
  shift
  "$@" "${addresses[@]}" leaderboard fastest --regions 100 >"$out" 2>&1 \
    || fail "$name: hitclock leaderboard fastest --regions 100"
  local first second
  first=$(grep -m1 -E '^ +1 ' "$out" || true)
  second=$(grep -m1 -E '^ +2 ' "$out" || true)
  [[ $first == *"With You"*"4h 44m 0s"* ]] || fail "$name: rank 1 is not With You at 4h 44m: $first"
  [[ $second == *"Dynamite"*"7h 58m 0s"* ]] || fail "$name: rank 2 is not Dynamite at 7h 58m: $second"
  ok "$name: leaderboard: $first"

  rm -f "$work/race.svg" "$work/race.png"
  "$@" "${addresses[@]}" plot "With You" Dynamite --position 1 --regions 100 \
    -o "$work/race.svg" >"$out" 2>&1 || fail "$name: hitclock plot"
  expect "With You: 4h 44m 0s"
  expect "Dynamite: 7h 58m 0s"
  [[ -s $work/race.svg ]] || fail "$name: no race.svg"
  rsvg-convert -o "$work/race.png" "$work/race.svg" || fail "$name: race.svg does not render"
  # The two series' colours (With You blue, Dynamite vermilion) are drawn.
  python3 "$root/tests/cli/render_check.py" "$work/race.png" 0072B2 D55E00 \
    >"$out" 2>&1 || fail "$name: race.png does not decode"
  expect "size 960 540"
  local blue vermilion
  blue=$(awk '$1 == "0072B2" {print $2}' "$out")
  vermilion=$(awk '$1 == "D55E00" {print $2}' "$out")
  ((blue > 500 && vermilion > 500)) \
    || fail "$name: the series are not drawn (blue $blue, vermilion $vermilion pixels)"
  ok "$name: plot: race.svg renders to a 960x540 PNG ($blue and $vermilion pixels of the two lines)"
}

walk "the image's hitclock" docker run --rm --network host -u "$(id -u)" \
  -v "$work:$work" -w "$work" "$HITCLOCK_IMAGE" hitclock
host_cli=${BUILD_DIR:-$root/build}/cli/hitclock
if [[ -x $host_cli ]]; then
  walk "the built hitclock ($host_cli)" "$host_cli"
else
  echo "  (no $host_cli: the host walkthrough is covered by scripts/test's tests/cli)"
fi
