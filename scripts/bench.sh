#!/usr/bin/env bash
# sockscope's benchmark: builds release binaries, creates a private network
# namespace holding a socket load (default 50,000 ESTABLISHED + 50,000
# TIME_WAIT), measures sockscope against the raw kernel dump and `ss` in the
# same run, prints every figure with its ratio, and always cleans up.
#
# usage: scripts/bench.sh [--established N] [--time-wait N] [--close-wait N]
#                         [--reps N] [--dashboard-seconds N] [--quick]
#                         [--namespaces N | --million] [--rss-minutes M]
#   --close-wait N  of the ESTABLISHED connections, N are half-closed by their
#            client: N server ends in CLOSE_WAIT, N client ends in FIN_WAIT2.
#   --quick  skips the criterion benches and the live dashboard phase.
#   --dashboard-seconds N  length of the live dashboard phase (default 60):
#            N/10 pairs of 5 s windows, the dashboard's CPU in one, then
#            the raw dump paced at 1 dump/s in the other (dashboard stopped).
#   --namespaces N  scenario: the load plus N extra namespaces (2 listeners and
#            6 connections each); measures side by side, on the same load, the
#            single-namespace dashboard, the --all-netns dashboard, the
#            freshness of each namespace's figures and serve --all-netns scrapes.
#   --million  scenario: 900,000 ESTABLISHED + 100,000 TIME_WAIT in one
#            namespace; dashboard CPU, RSS, freshness and key-press redraw.
#   --rss-minutes M  scenario: the single-namespace dashboard for M minutes
#            (30 for the target), VmRSS every 10 s, flatness once the
#            history ring is full (--rss-history S: its span in seconds,
#            default 600 as the dashboard's; shorter fills it sooner).
#   --profile  scenario: where the dashboard's CPU goes: perf record when the
#            machine has hardware counters, else valgrind --tool=callgrind
#            (user space only; the system share comes from /proc/PID/stat).
#   --own-hash  gives the load's namespace an established hash of its own
#            (created from a parent namespace with tcp_child_ehash_entries
#            set), so that its sockets do not slow other namespaces' dumps,
#            nor theirs its own: for a run beside another one (such as the
#            30-minute RSS run). Default: the host-wide hash, as containers
#            get it.
set -euo pipefail
cd "$(dirname "$0")/.."

ESTABLISHED=50000
TIME_WAIT=50000
CLOSE_WAIT=0
REPS=11
DASH_SECS=60
QUICK=0
EXTRA_NS=0
MILLION=0
RSS_MINUTES=0
RSS_HISTORY=600
PROFILE=0
OWN_HASH=0
while [ $# -gt 0 ]; do
  case "$1" in
    --established) ESTABLISHED="$2"; shift 2 ;;
    --time-wait) TIME_WAIT="$2"; shift 2 ;;
    --close-wait) CLOSE_WAIT="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --dashboard-seconds) DASH_SECS="$2"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --namespaces) EXTRA_NS="$2"; shift 2 ;;
    --million) MILLION=1; ESTABLISHED=900000; TIME_WAIT=100000; shift ;;
    --rss-minutes) RSS_MINUTES="$2"; shift 2 ;;
    --rss-history) RSS_HISTORY="$2"; shift 2 ;;
    --profile) PROFILE=1; shift ;;
    --own-hash) OWN_HASH=1; shift ;;
    -h|--help) sed -n '2,34p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "bench.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root to create a network namespace; run it with sudo"
missing=()
for tool in ip:iproute2 ss:iproute2 hyperfine:hyperfine tmux:tmux jq:jq cargo:cargo curl:curl; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool%%:*} (Debian package ${tool#*:})")
done
[ ${#missing[@]} -eq 0 ] || die "missing tools: ${missing[*]}; install them with apt-get install"

echo "== building release binaries"
cargo build --release --quiet --bin sockscope --bin sockscope-load --example bench_cycle
[ "$QUICK" = 1 ] || cargo bench --quiet --no-run --bench model --bench render 2>/dev/null
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release
NS="sockscope-bench-$$"
WORK=$(mktemp -d)
LOAD_PID=""

cleanup() {
  trap - EXIT INT TERM
  # a dashboard stopped for a raw window must run to see its hangup
  if [ -n "${DASH_PID:-}" ]; then kill -CONT "$DASH_PID" 2>/dev/null || true; fi
  tmux kill-session -t "$NS" 2>/dev/null || true
  if [ -n "${SERVE_PID:-}" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  if [ -n "$LOAD_PID" ]; then kill "$LOAD_PID" 2>/dev/null || true; wait "$LOAD_PID" 2>/dev/null || true; fi
  ip netns del "$NS" 2>/dev/null || true
  ip netns del "$NS-parent" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "bench.sh: interrupted, cleaning up" >&2; exit 130' INT TERM

in_ns() { ip netns exec "$NS" "$@"; }

echo "== namespace $NS: $ESTABLISHED ESTABLISHED ($CLOSE_WAIT connections half-closed) + $TIME_WAIT TIME_WAIT"
if [ "$OWN_HASH" = 1 ]; then
  # A namespace gets its own established hash when its parent (the
  # namespace it is created from) has tcp_child_ehash_entries set.
  ip netns add "$NS-parent"
  ip netns exec "$NS-parent" sysctl -qw net.ipv4.tcp_child_ehash_entries=$(( MILLION ? 2097152 : 262144 ))
  nsenter --net="/run/netns/$NS-parent" ip netns add "$NS"
  echo "   own established hash: $(in_ns sysctl -n net.ipv4.tcp_ehash_entries) buckets"
else
  ip netns add "$NS"
fi
ip -n "$NS" link set lo up
# started directly (not through in_ns) so that $! is the generator itself
ip netns exec "$NS" "$BIN/sockscope-load" --established "$ESTABLISHED" --time-wait "$TIME_WAIT" \
  --close-wait "$CLOSE_WAIT" --namespaces "$EXTRA_NS" \
  >"$WORK/load.out" 2>"$WORK/load.err" &
LOAD_PID=$!
READY_WAIT=$(( MILLION ? 1800 : 300 ))
for _ in $(seq $((READY_WAIT * 2))); do
  grep -q '^ready' "$WORK/load.out" && break
  kill -0 "$LOAD_PID" 2>/dev/null || die "load generator failed: $(cat "$WORK/load.err")"
  sleep 0.5
done
grep -q '^ready' "$WORK/load.out" || die "load generator not ready after $READY_WAIT s"
LOAD_READY=$(date +%s)
echo "   $(cat "$WORK/load.out")"
echo "   ss -s: $(in_ns ss -s | grep '^TCP:')"

# --- measurements -----------------------------------------------------------
declare -A MS    # name -> median wall ms
declare -A CPU   # name -> median CPU ms per run
fmt() { awk -v v="$1" 'BEGIN { printf (v < 10 ? "%.2f" : "%.1f"), v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

cycle() { # mode -> MS[mode], CPU[mode]
  local line
  line=$(in_ns "$BIN/examples/bench_cycle" "$1" "$REPS")
  MS[$1]=$(sed -E 's/.*wall_us=([0-9]+).*/\1/' <<<"$line" | awk '{ print $1 / 1000 }')
  CPU[$1]=$(sed -E 's/.*cpu_us=([0-9]+).*/\1/' <<<"$line" | awk '{ print $1 / 1000 }')
  SOCKETS=$(sed -E 's/.*sockets=([0-9]+).*/\1/' <<<"$line")
}

if [ "$EXTRA_NS" -gt 0 ] || [ "$MILLION" = 1 ] || [ "$RSS_MINUTES" -gt 0 ] || [ "$PROFILE" = 1 ]; then
  # shellcheck source=scripts/bench_scenarios.sh
  . scripts/bench_scenarios.sh
  scenarios
  exit 0
fi

echo "== in-process cycles (median of $REPS)"
for mode in raw collect model attributed-cold attributed-warm tcp-info-first tcp-info-steady raw model; do cycle "$mode"; echo "   $mode: ${MS[$mode]} ms wall, ${CPU[$mode]} ms CPU"; done
# The target's ratio from alternating runs: raw and model take turns, so a
# floor that drifts during the run moves both sides of each pair.
PAIR=$(in_ns "$BIN/examples/bench_cycle" pair raw model $((REPS * 2)))
pair_field() { sed -E "s/.* $1=([0-9.]+).*/\1/" <<<"$PAIR"; }
PAIR_WALL=$(pair_field ratio_wall)
PAIR_CPU=$(pair_field ratio_cpu)
echo "   raw and model alternating, $((REPS * 2)) pairs: model / raw median $PAIR_WALL wall, $PAIR_CPU CPU (raw $(pair_field base_wall_us) us, model $(pair_field mode_wall_us) us wall)"

echo "== whole processes (hyperfine, median of $REPS, output to /dev/null)"
in_ns hyperfine -N --style basic --warmup 2 --runs "$REPS" --export-json "$WORK/hf.json" \
  -n snapshot_json "$BIN/sockscope snapshot --format json" \
  -n snapshot_json_noproc "$BIN/sockscope snapshot --format json --no-processes" \
  -n ss_tan "ss -tan" \
  -n ss_tanp "ss -tanp" >/dev/null
for name in snapshot_json snapshot_json_noproc ss_tan ss_tanp; do
  MS[$name]=$(jq -r --arg n "$name" '.results[] | select(.command == $n) | .median * 1000' "$WORK/hf.json")
  CPU[$name]=$(jq -r --arg n "$name" '.results[] | select(.command == $n) | (.user + .system) * 1000' "$WORK/hf.json")
done

BENCH_LINES=""
if [ "$QUICK" = 0 ]; then
  echo "== criterion benches (model aggregation, dashboard render)"
  BENCH_LINES=$(cargo bench --quiet --bench model --bench render -- \
    --warm-up-time 1 --measurement-time 3 --output-format bencher 2>/dev/null | grep '^test ')
fi
bench_ms() { awk -v n="$1" '$2 == n { gsub(",", "", $5); printf "%.2f", $5 / 1e6 }' <<<"$BENCH_LINES"; }

if [ "$QUICK" = 0 ]; then
  # Paired: windows of the live dashboard's CPU, each followed by a window
  # of the raw dump paced at 1 dump/s (bench_cycle paced raw) while the
  # dashboard is stopped (SIGSTOP), so that each pair sees the same moment's
  # machine and load and only one of the two runs at a time.
  WIN=5
  PAIRS=$(( DASH_SECS / (2 * WIN) )); [ "$PAIRS" -ge 1 ] || PAIRS=1
  echo "== live dashboard at --interval 1s, 200x60, against the raw dump at 1 dump/s: $PAIRS pairs of ${WIN} s windows"
  tmux new-session -d -s "$NS" -x 200 -y 60 \
    "exec ip netns exec $NS $BIN/sockscope --interval 1s"
  DASH_PID=$(tmux display -p -t "$NS" '#{pane_pid}')
  TICKS=$(getconf CLK_TCK)
  sleep 5
  cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$DASH_PID/stat"; }
  rss_kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$DASH_PID/status"; }
  alive() { [ -e "/proc/$DASH_PID" ] || die "the dashboard exited: $(tmux capture-pane -p -t "$NS" 2>/dev/null | head -5)"; }
  DASH_WINS=() RAW_WINS=() DASH_TICKS=0 RAW_US=0 RSS_FIRST=""
  for ((p = 1; p <= PAIRS; p++)); do
    a=$(cpu_ticks); sleep "$WIN"; alive; b=$(cpu_ticks)
    DASH_WINS+=("$(awk -v t=$((b - a)) -v hz="$TICKS" -v s="$WIN" 'BEGIN { printf "%.2f", t / hz / s * 100 }')")
    DASH_TICKS=$((DASH_TICKS + b - a))
    [ -n "$RSS_FIRST" ] || [ $((p * WIN)) -lt 10 ] || RSS_FIRST=$(rss_kib VmRSS)
    kill -STOP "$DASH_PID"
    line=$(in_ns "$BIN/examples/bench_cycle" paced raw "$WIN") || { kill -CONT "$DASH_PID"; die "bench_cycle paced raw failed"; }
    kill -CONT "$DASH_PID"
    RAW_WINS+=("$(sed -E 's/.*core_pct=([0-9.]+).*/\1/' <<<"$line")")
    RAW_US=$((RAW_US + $(sed -E 's/.*cpu_us=([0-9]+).*/\1/' <<<"$line")))
    echo "   pair $p: dashboard ${DASH_WINS[-1]} %, raw ${RAW_WINS[-1]} % of a core"
    sleep 2   # the dashboard catches up on the round it missed
  done
  [ -n "$RSS_FIRST" ] || RSS_FIRST=$(rss_kib VmRSS)
  # Median and range of the pairs' ratios; the ratio of the windows' sums.
  PAIRED=$(paste -d' ' <(printf '%s\n' "${DASH_WINS[@]}") <(printf '%s\n' "${RAW_WINS[@]}") |
    awk '{ r[NR] = $1 / $2; d[NR] = $1; w[NR] = $2 }
      function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
      END { n = NR; dm = med(d, n); wm = med(w, n); rm = med(r, n); printf "%.1f %.1f %.2f %.2f %.2f", dm, wm, rm, r[1], r[n] }')
  read -r DASH_MED RAW_MED PAIR_RATIO PAIR_MIN PAIR_MAX <<<"$PAIRED"
  DASH_CPU=$(awk -v t="$DASH_TICKS" -v hz="$TICKS" -v s=$((PAIRS * WIN)) 'BEGIN { printf "%.1f", t / hz / s * 100 }')
  RAW_SUM_PCT=$(awk -v us="$RAW_US" -v s=$((PAIRS * WIN)) 'BEGIN { printf "%.1f", us / 1e4 / s }')
  RSS_LAST=$(rss_kib VmRSS)
  RSS_PEAK=$(rss_kib VmHWM)
  HEADER=$(tmux capture-pane -p -t "$NS" | head -3)
  tmux send-keys -t "$NS" q
  sleep 1
fi
TW_NOW=$(in_ns ss -s | sed -nE 's/.*timewait ([0-9]+).*/\1/p')

# --- report -----------------------------------------------------------------
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "Machine: $(nproc) cores ($CPU_MODEL), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r), load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Load: $SOCKETS TCP sockets ($ESTABLISHED ESTABLISHED of which $CLOSE_WAIT CLOSE_WAIT + $CLOSE_WAIT FIN_WAIT2, $TIME_WAIT TIME_WAIT kept; $TW_NOW TIME_WAIT at the end, $(( $(date +%s) - LOAD_READY )) s after the load was ready)"
echo
echo "| measurement | wall (median) | CPU | ratio (wall; CPU) | target |"
echo "| --- | --- | --- | --- | --- |"
row() { # label name ratio-text target
  echo "| $1 | $(fmt "${MS[$2]}") ms | $(fmt "${CPU[$2]}") ms | $3 | $4 |"
}
both() { echo "$(ratio "$1" "$2"); $(ratio "$3" "$4")"; }
row "raw kernel dump, in process (floor)" raw "1.00" ""
row "collection only, in process" collect "$(both "${MS[collect]}" "${MS[raw]}" "${CPU[collect]}" "${CPU[raw]}") × raw" ""
row "tcp_info requests alone, every CLOSE_WAIT socket new (filtered dump)" tcp-info-first "$(both "${MS[tcp-info-first]}" "${MS[raw]}" "${CPU[tcp-info-first]}" "${CPU[raw]}") × raw" ""
row "tcp_info requests alone, steady (CLOSE_WAIT sockets known; what each collection above pays)" tcp-info-steady "$(both "${MS[tcp-info-steady]}" "${MS[raw]}" "${CPU[tcp-info-steady]}" "${CPU[raw]}") × raw" ""
row "collection + model update, in process" model "$(both "${MS[model]}" "${MS[raw]}" "${CPU[model]}" "${CPU[raw]}") × raw" ""
echo "| collection + model update against the raw dump, alternating in one process ($((REPS * 2)) pairs, median of the pairs' ratios) | | | $PAIR_WALL; $PAIR_CPU × raw | ≤ 1.25 × raw |"
row "\`ss -tan\`" ss_tan "$(both "${MS[ss_tan]}" "${MS[model]}" "${CPU[ss_tan]}" "${CPU[model]}") × collection + model" "≥ 1.5 ×"
row "\`sockscope snapshot --format json --no-processes\` (whole process, like \`ss -tan\`)" snapshot_json_noproc "$(both "${MS[ss_tan]}" "${MS[snapshot_json_noproc]}" "${CPU[ss_tan]}" "${CPU[snapshot_json_noproc]}") × faster than ss -tan" "≥ 1.5 ×"
row "\`sockscope snapshot --format json\` (whole process, with a cold process scan)" snapshot_json "$(both "${MS[ss_tan]}" "${MS[snapshot_json]}" "${CPU[ss_tan]}" "${CPU[snapshot_json]}") × faster than ss -tan" ""
row "\`ss -tanp\`" ss_tanp "$(both "${MS[ss_tanp]}" "${MS[snapshot_json]}" "${CPU[ss_tanp]}" "${CPU[snapshot_json]}") × the snapshot process" ""
row "collection + model + process attribution, cold cache" attributed-cold "$(both "${MS[ss_tanp]}" "${MS[attributed-cold]}" "${CPU[ss_tanp]}" "${CPU[attributed-cold]}") × faster than ss -tanp" ""
row "collection + model + process attribution, warm cache" attributed-warm "$(both "${MS[ss_tanp]}" "${MS[attributed-warm]}" "${CPU[ss_tanp]}" "${CPU[attributed-warm]}") × faster than ss -tanp" "≥ 3 ×"
if [ "$QUICK" = 0 ]; then
  echo "| model: aggregate 100k sockets (criterion) | $(bench_ms aggregate_100k) ms | | | |"
  echo "| model: tracker update 100k, steady (criterion) | $(bench_ms tracker_100k_steady) ms | | | |"
  echo "| model: whole ingest 100k (criterion) | $(bench_ms ingest_100k) ms | | | |"
  echo "| render overview 200x60, 5k listeners, 100k conns | $(bench_ms render_overview_200x60) ms | | | ≤ 10 ms |"
  echo "| render drill-down 200x60 | $(bench_ms render_drill_down_200x60) ms | | | ≤ 10 ms |"
  echo "| key press: move + redraw 200x60 | $(bench_ms key_move_and_redraw_200x60) ms | | | within a frame |"
  echo "| dashboard takes a sample (rows, sort) | $(bench_ms ingest_sample_5k_listeners) ms | | | |"
  RAW_PCT=$(awk -v c="${CPU[raw]}" 'BEGIN { printf "%.1f", c / 10 }')
  echo "| raw dump CPU at 1 dump/s (back-to-back median × 1/s) | | $RAW_PCT % of a core | 1.00 | |"
  echo "| live dashboard CPU, --interval 1s, against the raw dump paced at 1 dump/s: $PAIRS alternating pairs of ${WIN} s windows (median of the pairs' ratios; min–max) | | $DASH_MED % against $RAW_MED % of a core (medians) | $PAIR_RATIO ($PAIR_MIN–$PAIR_MAX) × raw | ≤ 1.3 × raw |"
  echo "| the same windows summed: dashboard against paced raw ($((PAIRS * WIN)) s each) | | $DASH_CPU % against $RAW_SUM_PCT % of a core | $(ratio "$DASH_CPU" "$RAW_SUM_PCT") × raw | |"
  echo "| live dashboard CPU over its windows against the back-to-back raw dump × 1/s (unpaired, as before) | | $DASH_CPU % against $RAW_PCT % of a core | $(ratio "$DASH_CPU" "$RAW_PCT") × raw | |"
  echo "| live dashboard peak RSS (VmHWM) | $(( RSS_PEAK / 1024 )) MiB | | | ≤ 64 MiB |"
  echo "| live dashboard RSS after 10 s / at the end | $(( RSS_FIRST / 1024 )) / $(( RSS_LAST / 1024 )) MiB | | $(ratio "$RSS_LAST" "$RSS_FIRST") | bounded (±10%) |"
  echo
  echo "Dashboard header at the end:"
  echo "$HEADER"
fi
