#!/usr/bin/env bash
# Container benchmarks of issue 3, wharfd beside the reference dockerd in one invocation (bench/daemons.sh starts
# both, same docker CLI, same busybox rootfs, containers with --network none because the reference has no bridge):
#   1. 50 detached starts with 8-way parallelism (`docker run -d … sleep`), hyperfine, containers removed between runs;
#   2. `docker ps` with 50 running containers, hyperfine;
#   3. memory: the idle daemon's RSS (wharfd vs dockerd+containerd) and the memory each running container costs
#      (its monitor — wharf-shim vs containerd-shim — plus the daemon's growth), as VmRSS and as Pss;
#   4. `docker logs` of a container that printed 100 000 lines, hyperfine.
# Usage: sudo bash bench/containers.sh [--runs N]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

runs=10
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    *) wharf_die "unknown argument $1 (usage: bench/containers.sh [--runs N])" ;;
  esac
done

source "$(dirname "${BASH_SOURCE[0]}")/daemons.sh"

# Kibibytes of a field (VmRSS) of /proc/<pid>/status, or of Pss from smaps_rollup, summed over the given pids.
sum_kib() {
  local field=$1 total=0 pid v
  shift
  for pid in "$@"; do
    if [[ $field == Pss ]]; then
      v=$(awk '$1 == "Pss:" { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
    else
      v=$(awk -v f="$field:" '$1 == f { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    fi
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# The pids of a daemon's own processes: wharfd alone; dockerd and the containerd it started.
wharf_daemon_pids() { cat "$WB/wharfd.pid"; }
ref_daemon_pids() {
  local d
  d=$(cat "$DB/docker.pid")
  echo "$d"
  pgrep -P "$d" -x containerd || true
}
# The per-container monitors: children of init named wharf-shim / containerd-shim* whose command line names the
# benchmark's own directories (never another daemon's).
monitor_pids() {
  local name=$1 dir=$2 pid
  for pid in $(pgrep -f "$name"); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$dir" && echo "$pid"
  done
}
wharf_monitor_pids() {
  # Every monitor is wharfd's child (docs/monitor.md), including the spare waiting for the next start; a monitor
  # that took over as a spare has no state dir on its command line, so the command line cannot tell them apart.
  pgrep -P "$(cat "$WB/wharfd.pid")" -x wharf-shim || true
}
ref_monitor_pids() {
  # containerd-shim-runc-v2 is told its containerd address, which lives under the reference's exec root.
  monitor_pids containerd-shim "$DB"
}

start_fifty() { # $1 = dw|dr
  seq 50 | xargs -P 8 -I{} env DOCKER_HOST="$2" "$docker_cli" run -d --network none busybox sleep 100000 >/dev/null
}

# Two decimals: the per-container figures sit close to their 2.5 MiB target, where one decimal would round across it.
mib() { awk -v k="$1" 'BEGIN { printf "%.2f", k / 1024 }'; }

# 3a. idle memory: fresh daemons after their first requests (ps, one run), the way a user meets them --------------
dw ps >/dev/null; dr ps >/dev/null
dw run --rm --network none busybox true; dr run --rm --network none busybox true
sleep 2
idle_w=$(sum_kib VmRSS $(wharf_daemon_pids)); idle_r=$(sum_kib VmRSS $(ref_daemon_pids))
idle_w_pss=$(sum_kib Pss $(wharf_daemon_pids)); idle_r_pss=$(sum_kib Pss $(ref_daemon_pids))

# 1. parallel starts ---------------------------------------------------------------------------------------------
wharf_log "50 detached starts, 8 at a time (hyperfine, $runs runs each)"
W="unix://$WB/wharf.sock" R="unix://$DB/docker.sock"
clean_w="DOCKER_HOST=$W $docker_cli rm -f \$(DOCKER_HOST=$W $docker_cli ps -aq) >/dev/null 2>&1 || true"
clean_r="DOCKER_HOST=$R $docker_cli rm -f \$(DOCKER_HOST=$R $docker_cli ps -aq) >/dev/null 2>&1 || true"
start_w="seq 50 | xargs -P 8 -I{} env DOCKER_HOST=$W $docker_cli run -d --network none busybox sleep 100000 >/dev/null"
start_r="seq 50 | xargs -P 8 -I{} env DOCKER_HOST=$R $docker_cli run -d --network none busybox sleep 100000 >/dev/null"
hyperfine --runs "$runs" --export-csv "$RESULTS/starts.csv" \
  --prepare "$clean_w" -n "wharfd 50 starts" "$start_w" \
  --prepare "$clean_r" -n "dockerd 50 starts" "$start_r"
eval "$clean_w"; eval "$clean_r"

# The daemons' footprint just before the 50 containers start, to tell their growth from the monitors' cost.
sleep 2
before_w=$(sum_kib VmRSS $(wharf_daemon_pids)); before_r=$(sum_kib VmRSS $(ref_daemon_pids))

# 2. docker ps with 50 running -----------------------------------------------------------------------------------
wharf_log "starting 50 containers on each daemon"
start_fifty dw "$W"; start_fifty dr "$R"
[[ $(dw ps -q | wc -l) -eq 50 && $(dr ps -q | wc -l) -eq 50 ]] || wharf_die "expected 50 running containers on each daemon"
hyperfine --warmup 3 --runs 30 --export-csv "$RESULTS/ps.csv" \
  -n "wharfd docker ps (50 running)" "DOCKER_HOST=$W $docker_cli ps >/dev/null" \
  -n "dockerd docker ps (50 running)" "DOCKER_HOST=$R $docker_cli ps >/dev/null"

# 3b. memory per running container -------------------------------------------------------------------------------
sleep 2
busy_w=$(sum_kib VmRSS $(wharf_daemon_pids)); busy_r=$(sum_kib VmRSS $(ref_daemon_pids))
mon_w=$(sum_kib VmRSS $(wharf_monitor_pids)); mon_r=$(sum_kib VmRSS $(ref_monitor_pids))
mon_w_pss=$(sum_kib Pss $(wharf_monitor_pids)); mon_r_pss=$(sum_kib Pss $(ref_monitor_pids))
n_w=$(wharf_monitor_pids | wc -l); n_r=$(ref_monitor_pids | wc -l)
# A monitor missed would flatter the per-container figure: every container must have its monitor counted.
((n_w >= 50 && n_r >= 50)) || wharf_die "found $n_w wharf-shim and $n_r containerd-shim monitors for 50 containers each"
per_w=$(((mon_w + busy_w - before_w) / 50)); per_r=$(((mon_r + busy_r - before_r) / 50))
per_w_pss=$(((mon_w_pss + busy_w - before_w) / 50)); per_r_pss=$(((mon_r_pss + busy_r - before_r) / 50))
dw rm -f $(dw ps -aq) >/dev/null; dr rm -f $(dr ps -aq) >/dev/null

# 4. docker logs of 100 000 lines --------------------------------------------------------------------------------
wharf_log "docker logs of 100 000 lines"
dw run --name logs100k --network none busybox seq 100000 >/dev/null
dr run --name logs100k --network none busybox seq 100000 >/dev/null
[[ $(dw logs logs100k | wc -l) -eq 100000 && $(dr logs logs100k | wc -l) -eq 100000 ]] || wharf_die "a daemon lost log lines"
hyperfine --warmup 2 --runs 20 --export-csv "$RESULTS/logs.csv" \
  -n "wharfd docker logs 100k" "DOCKER_HOST=$W $docker_cli logs logs100k >/dev/null" \
  -n "dockerd docker logs 100k" "DOCKER_HOST=$R $docker_cli logs logs100k >/dev/null"

# Report ---------------------------------------------------------------------------------------------------------
median() { awk -F, -v n="$2" 'NR > 1 && $1 == n { printf "%.1f", $4 * 1000 }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
printf '%-34s %12s %12s %8s %8s\n' "benchmark" "wharfd" "dockerd" "ratio" "target"
row() { printf '%-34s %12s %12s %8s %8s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")" "$4"; }
row "50 starts, 8 parallel (median ms)" "$(median "$RESULTS/starts.csv" "wharfd 50 starts")" "$(median "$RESULTS/starts.csv" "dockerd 50 starts")" "<= 0.5"
row "docker ps, 50 running (median ms)" "$(median "$RESULTS/ps.csv" "wharfd docker ps (50 running)")" "$(median "$RESULTS/ps.csv" "dockerd docker ps (50 running)")" "<= 1.0"
row "docker logs 100k lines (median ms)" "$(median "$RESULTS/logs.csv" "wharfd docker logs 100k")" "$(median "$RESULTS/logs.csv" "dockerd docker logs 100k")" "<= 0.5"
row "idle daemon VmRSS (MiB)" "$(mib "$idle_w")" "$(mib "$idle_r")" "wharfd <= 60"
row "idle daemon Pss (MiB)" "$(mib "$idle_w_pss")" "$(mib "$idle_r_pss")" ""
row "per running container, VmRSS (MiB)" "$(mib "$per_w")" "$(mib "$per_r")" "<= 2.5"
row "per running container, Pss (MiB)" "$(mib "$per_w_pss")" "$(mib "$per_r_pss")" ""
echo "(monitors counted: wharf-shim $n_w, containerd-shim $n_r; per container = (monitors + daemon growth) / 50)"
echo "raw results: $RESULTS/{starts,ps,logs}.csv"
