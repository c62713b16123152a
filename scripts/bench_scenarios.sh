# The scale scenarios of scripts/bench.sh (--namespaces N, --million,
# --rss-minutes M), sourced by it once the load is ready: it provides NS, BIN,
# WORK, REPS, DASH_SECS, in_ns, die, fmt, ratio and cycle.

declare -A DCPU DUSR DSYS DRSS0 DRSS1 DPEAK DHEAD DKEY
HZ=$(getconf CLK_TCK)

ticks() { awk '{ print $14, $15 }' "/proc/$1/stat"; }
rss_of() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }

# The row index of the selection marker (▶) on a tmux pane, or -1.
marker_row() { tmux capture-pane -p -t "$1" | awk '/▶/ { print NR; found = 1; exit } END { if (!found) print -1 }'; }

# Milliseconds from a Down key to the marker moving on pane $1, median of 5
# presses (the marker, not the whole pane, since a new sample redraws too).
keypress_ms() {
  local pane=$1 times=() before t0 now
  for _ in 1 2 3 4 5; do
    before=$(marker_row "$pane")
    t0=$(date +%s%N)
    tmux send-keys -t "$pane" Down
    while :; do
      now=$(date +%s%N)
      [ "$(marker_row "$pane")" != "$before" ] && break
      [ $(( (now - t0) / 1000000 )) -lt 5000 ] || break
      sleep 0.002
    done
    times+=($(( (now - t0) / 1000000 )))
    sleep 0.3
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}

# Seconds in a header's `states 4.2s old` / `states 1m05s old` (empty when absent).
states_age_s() { sed -nE 's/.*states ([0-9]+)m([0-9]+)s old.*/\1 \2/p; s/.*states ([0-9.]+)s old.*/0 \1/p' <<<"$1" | awk 'NR == 1 { printf "%.1f", $1 * 60 + $2 }'; }
# The sample clock of a header (`02:41:07 UTC`) in seconds of the day.
clock_s() { { grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2} UTC' <<<"$1" || true; } | head -1 | awk -F'[: ]' '{ print $1 * 3600 + $2 * 60 + $3 }'; }

# dash NAME SECONDS COMMAND...: runs a dashboard in tmux at 200x60, waits for
# its first steady sample (at least 5 s), then measures for SECONDS: CPU (% of a core,
# user/system split), VmRSS after 10 s and at the end, VmHWM, its header;
# and, reading the header every 0.5 s: the largest gap between the sample
# times it shows (queues every interval: 1 s at --interval 1s, 2 s when a
# reading falls between two samples), the oldest `states Ns old` and the
# slowest `slow: took` it showed.
declare -A DGAP DSTATES DSLOW DSETTLE
dash() {
  local name=$1 secs=$2 pane="$NS-$1" pid c0 c1 t0 t1 hdr clk last="" gap age took
  shift 2
  tmux new-session -d -s "$pane" -x 200 -y 60 "exec $*"
  pid=$(tmux display -p -t "$pane" '#{pane_pid}')
  sleep 5
  [ -e "/proc/$pid" ] || die "the $name dashboard exited: $(tmux capture-pane -p -t "$pane" 2>/dev/null | head -5)"
  # The first rounds hold the cold process scan and the first full dump
  # (seconds at a million sockets): measure from the first sample whose
  # header shows a clock and no `slow: took`, and report when that was.
  local settle=5
  while (( settle < 180 )); do
    hdr=$(tmux capture-pane -p -t "$pane" | head -2)
    [ -n "$(clock_s "$hdr")" ] && ! grep -q 'slow: took' <<<"$hdr" && break
    sleep 1
    settle=$((settle + 1))
  done
  DSETTLE[$name]=$settle
  read -r -a c0 <<<"$(ticks "$pid")"
  t0=$(date +%s.%N)
  DRSS0[$name]=""
  DGAP[$name]=0
  DSTATES[$name]="none shown"
  DSLOW[$name]="none shown"
  local start=$SECONDS
  while (( SECONDS - start < secs )); do
    sleep 0.5
    [ -e "/proc/$pid" ] || die "the $name dashboard exited"
    (( SECONDS - start < 10 )) || [ -n "${DRSS0[$name]}" ] || DRSS0[$name]=$(rss_of "$pid" VmRSS)
    hdr=$(tmux capture-pane -p -t "$pane" | head -2)
    clk=$(clock_s "$hdr")
    if [ -n "$clk" ] && [ "$clk" != "$last" ]; then
      if [ -n "$last" ] && (( clk > last )); then
        gap=$((clk - last))
        (( gap <= DGAP[$name] )) || DGAP[$name]=$gap
      fi
      last=$clk
    fi
    age=$(states_age_s "$hdr")
    if [ -n "$age" ]; then
      case "${DSTATES[$name]}" in
        "none shown") DSTATES[$name]=$age ;;
        *) DSTATES[$name]=$(awk -v a="$age" -v b="${DSTATES[$name]}" 'BEGIN { print (a > b ? a : b) }') ;;
      esac
    fi
    took=$(sed -nE 's/.*slow: took ([0-9.]+)ms.*/\1/p' <<<"$hdr" | head -1)
    if [ -n "$took" ]; then
      case "${DSLOW[$name]}" in
        "none shown") DSLOW[$name]=$took ;;
        *) DSLOW[$name]=$(awk -v a="$took" -v b="${DSLOW[$name]}" 'BEGIN { print (a > b ? a : b) }') ;;
      esac
    fi
  done
  read -r -a c1 <<<"$(ticks "$pid")"
  t1=$(date +%s.%N)
  DUSR[$name]=$(awk -v a="${c0[0]}" -v b="${c1[0]}" -v hz="$HZ" -v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" 'BEGIN { printf "%.1f", (b - a) / hz / s * 100 }')
  DSYS[$name]=$(awk -v a="${c0[1]}" -v b="${c1[1]}" -v hz="$HZ" -v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" 'BEGIN { printf "%.1f", (b - a) / hz / s * 100 }')
  DCPU[$name]=$(awk -v u="${DUSR[$name]}" -v s="${DSYS[$name]}" 'BEGIN { printf "%.1f", u + s }')
  DRSS1[$name]=$(rss_of "$pid" VmRSS)
  DPEAK[$name]=$(rss_of "$pid" VmHWM)
  DHEAD[$name]=$(tmux capture-pane -p -t "$pane" | head -2 | sed 's/ *$//')
  [ "$MILLION" = 1 ] && DKEY[$name]=$(keypress_ms "$pane")
  tmux send-keys -t "$pane" q
  sleep 1
  tmux kill-session -t "$pane" 2>/dev/null || true
}

# scrapes NAME PORT COMMAND...: starts an exporter, scrapes /metrics once to
# warm it, then REPS times 1.1 s apart (past its 1 s cache, so every scrape
# collects); SCRAPE_MS (median wall), SCRAPE_CPU (CPU ms per scrape), and
# the last scrape in $WORK/NAME.prom.
declare -A SCRAPE_MS SCRAPE_CPU
scrapes() {
  local name=$1 port=$2 c0 c1 walls=()
  shift 2
  "$@" --listen "127.0.0.1:$port" >"$WORK/$name.serve.out" 2>&1 &
  SERVE_PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  curl -sf "http://127.0.0.1:$port/metrics" >/dev/null || die "$name exporter did not answer: $(cat "$WORK/$name.serve.out")"
  local pid=$SERVE_PID
  read -r -a c0 <<<"$(ticks "$pid")"
  for _ in $(seq "$REPS"); do
    sleep 1.1
    walls+=("$(curl -sf -o "$WORK/$name.prom" -w '%{time_total}' "http://127.0.0.1:$port/metrics")")
  done
  read -r -a c1 <<<"$(ticks "$pid")"
  SCRAPE_MS[$name]=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] * 1000 }')
  SCRAPE_CPU[$name]=$(awk -v a="$((c0[0] + c0[1]))" -v b="$((c1[0] + c1[1]))" -v hz="$HZ" -v n="$REPS" 'BEGIN { printf "%.1f", (b - a) / hz / n * 1000 }')
  kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  SERVE_PID=""
}

# The largest value of metric $2 in scrape file $1, and how many series it has.
metric_max() { awk -v m="$2" 'index($1, m"{") == 1 || $1 == m { v = $NF + 0; if (!n++ || v > max) max = v } END { if (n) printf "%.3f over %d series", max, n; else print "absent" }' "$1"; }

# Where the single-namespace dashboard's CPU goes over DASH_SECS: perf with
# hardware counters, else callgrind's inclusive instruction counts (the
# functions above 2 %), printed with the user/system split of a plain run.
profile() {
  echo "== plain dashboard for the user/system split, $DASH_SECS s"
  dash one "$DASH_SECS" ip netns exec "$NS" "$BIN/sockscope" --interval 1s
  echo "   CPU ${DCPU[one]} % of a core: user ${DUSR[one]}, system ${DSYS[one]} (the kernel's dump work is system time)"
  if perf stat -e instructions true 2>&1 | grep -q '<not supported>'; then
    command -v valgrind >/dev/null || die "no hardware counters for perf and no valgrind (apt-get install valgrind)"
    echo "== callgrind (no hardware counters for perf): $DASH_SECS s of warm-up uncounted (the cold process scan), then $((2 * DASH_SECS)) s counted (valgrind is ~50 times slower)"
    tmux new-session -d -s "$NS-prof" -x 200 -y 60 \
      "exec ip netns exec $NS valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$WORK/callgrind.out $BIN/sockscope --interval 1s"
    sleep "$DASH_SECS"
    callgrind_control -i on >/dev/null
    sleep $((2 * DASH_SECS))
    tmux send-keys -t "$NS-prof" q
    for _ in $(seq 60); do tmux has-session -t "$NS-prof" 2>/dev/null || break; sleep 1; done
    local clean='s#/rustc/[0-9a-f]+/library/##; s#[^ ]*/registry/src/[^/]+/##; s/ \[[^]]*\]$//'
    echo "   inclusive, sockscope functions at 2 % or more:"
    callgrind_annotate --inclusive=yes "$WORK/callgrind.out" 2>/dev/null \
      | awk '/^ *[0-9,]+ \( *[0-9.]+%\)/ && /sockscope::/ { p = $2; gsub(/[()%]/, "", p); if (p + 0 >= 2) print }' \
      | sed -E "$clean" | awk '!seen[$NF]++' | cut -c1-170 | head -40
    echo "   exclusive (self), top 20:"
    callgrind_annotate "$WORK/callgrind.out" 2>/dev/null \
      | awk '/^ *[0-9,]+ \( *[0-9.]+%\)/' | sed -n 2,21p | sed -E "$clean" | cut -c1-170
  else
    echo "== perf record, dashboard for $DASH_SECS s"
    tmux new-session -d -s "$NS-prof" -x 200 -y 60 "exec ip netns exec $NS $BIN/sockscope --interval 1s"
    local pid
    pid=$(tmux display -p -t "$NS-prof" '#{pane_pid}')
    perf record -g -o "$WORK/perf.data" -p "$pid" -- sleep "$DASH_SECS" >/dev/null 2>&1
    tmux send-keys -t "$NS-prof" q
    perf report -i "$WORK/perf.data" --no-children --percent-limit 2 --stdio 2>/dev/null | grep -v '^$' | head -60
  fi
}

scenarios() {
  cycle raw
  local raw_pct
  raw_pct=$(awk -v c="${CPU[raw]}" 'BEGIN { printf "%.1f", c / 10 }')
  echo "== raw dump of the load's namespace: ${MS[raw]} ms wall, ${CPU[raw]} ms CPU = $raw_pct % of a core at 1 dump/s"

  if [ "$RSS_MINUTES" -gt 0 ]; then
    local secs=$((RSS_MINUTES * 60))
    echo "== single-namespace dashboard for $RSS_MINUTES min, --history ${RSS_HISTORY}s, VmRSS every 10 s"
    tmux new-session -d -s "$NS-rss" -x 200 -y 60 "exec ip netns exec $NS $BIN/sockscope --interval 1s --history ${RSS_HISTORY}s"
    local pid rss full="" min="" max=""
    pid=$(tmux display -p -t "$NS-rss" '#{pane_pid}')
    for ((t = 10; t <= secs; t += 10)); do
      sleep 10
      [ -e "/proc/$pid" ] || die "the dashboard exited"
      rss=$(rss_of "$pid" VmRSS)
      (( t % 60 == 0 )) && echo "   ${t}s: $((rss / 1024)) MiB"
      if (( t >= RSS_HISTORY + 10 )); then
        [ -n "$full" ] || full=$rss
        [ -z "$min" ] || (( rss >= min )) || min=$rss
        [ -n "$min" ] || min=$rss
        (( rss <= ${max:-0} )) || max=$rss
      fi
    done
    tmux send-keys -t "$NS-rss" q; sleep 1; tmux kill-session -t "$NS-rss" 2>/dev/null || true
    if [ -n "$full" ]; then
      echo "| RSS once the ${RSS_HISTORY} s ring is full / at the end of $RSS_MINUTES min | $((full / 1024)) / $((rss / 1024)) MiB; range after full $((min / 1024))–$((max / 1024)) MiB | $(ratio "$max" "$min") max/min | flat (±10%) |"
    else
      echo "| RSS at the end of $RSS_MINUTES min (the ${RSS_HISTORY} s ring is not full yet) | $((rss / 1024)) MiB | | |"
    fi
  fi

  if [ "$PROFILE" = 1 ]; then
    profile
  fi

  if [ "$EXTRA_NS" -gt 0 ] || [ "$MILLION" = 1 ]; then
    echo "== single-namespace dashboard, --interval 1s, $DASH_SECS s"
    dash one "$DASH_SECS" ip netns exec "$NS" "$BIN/sockscope" --interval 1s
  fi
  if [ "$EXTRA_NS" -gt 0 ]; then
    echo "== --all-netns dashboard (every namespace on this host), --interval 1s, $DASH_SECS s"
    dash all "$DASH_SECS" "$BIN/sockscope" --all-netns --interval 1s
    local port=$((20000 + $$ % 20000))
    echo "== serve scrapes (median of $REPS, 1.1 s apart so that each one collects)"
    scrapes serve_one "$port" "$BIN/sockscope" serve --netns "$NS"
    scrapes serve_all "$port" "$BIN/sockscope" serve --all-netns
  fi

  echo
  echo "Machine: $(nproc) cores, kernel $(uname -r), load average at end $(cut -d' ' -f1-3 /proc/loadavg) (shared with other jobs: figures are noisy)"
  echo "Load: $(cat "$WORK/load.out")"
  [ "$EXTRA_NS" -gt 0 ] && echo "Namespaces on the host seen by --all-netns: $(grep -c '^sockscope_up{' "$WORK/serve_all.prom" || echo '?')"
  echo
  echo "| measurement | value | ratio | target |"
  echo "| --- | --- | --- | --- |"
  echo "| raw dump CPU at 1 dump/s | $raw_pct % of a core | 1.00 | |"
  local n
  for n in one all; do
    [ -n "${DCPU[$n]:-}" ] || continue
    local what="single-namespace dashboard"
    [ "$n" = all ] && what="--all-netns dashboard"
    local target=""
    [ "$MILLION" = 1 ] && target="≤ 30 % of a core"
    [ "$n" = all ] && target="≤ 2 × the single-namespace dashboard"
    local r="$(ratio "${DCPU[$n]}" "$raw_pct") × raw"
    [ "$n" = all ] && r="$(ratio "${DCPU[all]}" "${DCPU[one]}") × single"
    echo "| $what CPU | ${DCPU[$n]} % of a core (user ${DUSR[$n]}, system ${DSYS[$n]}) | $r | $target |"
    echo "| $what RSS after 10 s / end / peak | $((DRSS0[$n] / 1024)) / $((DRSS1[$n] / 1024)) / $((DPEAK[$n] / 1024)) MiB | | $([ "$MILLION" = 1 ] && echo "≤ 256 MiB") |"
    [ -n "${DKEY[$n]:-}" ] && echo "| $what key press to redrawn selection (median of 5) | ${DKEY[$n]} ms | | within one frame (1 s) |"
    echo "| $what: first steady sample (a clock and no \`slow: took\` in its header) | ${DSETTLE[$n]} s after start | | |"
    echo "| $what: largest gap between the sample times its header showed (read every 0.5 s) | ${DGAP[$n]} s | | queues every interval (1 s; 2 s when a reading falls between samples) |"
    echo "| $what: oldest \`states Ns old\` its header showed | ${DSTATES[$n]}$([ "${DSTATES[$n]}" = "none shown" ] || echo " s") | | ≤ 10 s |"
    echo "| $what: slowest \`slow: took\` its header showed | ${DSLOW[$n]}$([ "${DSLOW[$n]}" = "none shown" ] || echo " ms") | | |"
  done
  if [ -n "${SCRAPE_MS[serve_all]:-}" ]; then
    echo "| serve scrape, load's namespace only | ${SCRAPE_MS[serve_one]} ms wall, ${SCRAPE_CPU[serve_one]} ms CPU | | |"
    echo "| serve --all-netns scrape | ${SCRAPE_MS[serve_all]} ms wall, ${SCRAPE_CPU[serve_all]} ms CPU | $(ratio "${SCRAPE_CPU[serve_all]}" "${SCRAPE_CPU[serve_one]}") × one namespace (CPU) | |"
    echo "| freshness: slowest namespace's collection in the last scrape | $(metric_max "$WORK/serve_all.prom" sockscope_collection_duration_seconds) s | | queues every interval |"
    echo "| freshness: states age (two-tier collection) | $(metric_max "$WORK/serve_all.prom" sockscope_states_age_seconds) s | | ≤ 10 s |"
  fi
  echo
  for n in one all; do
    [ -n "${DHEAD[$n]:-}" ] || continue
    echo "Header of the $n dashboard at the end:"
    echo "${DHEAD[$n]}"
  done
}
