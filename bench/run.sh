#!/usr/bin/env bash
# One invocation measures `docker run --rm busybox true` end to end with hyperfine:
#   (a) against a private wharfd (data root and socket under /tmp/wharf-bench),
#   (b) against the reference dockerd from Debian's docker.io (data/exec root and socket under /tmp/dockerd-bench),
#   (c) raw `runc run` of the same rootfs, the floor no engine can beat.
# Both daemons get the same busybox rootfs tar and `--network none`, so they are compared on equal terms; wharfd's
# default network is reported too. Everything started here is stopped and removed on exit.
#
# Usage: sudo bash bench/run.sh [--runs N] [--warmup N]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

runs=30 warmup=3
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    *) wharf_die "unknown argument $1 (usage: bench/run.sh [--runs N] [--warmup N])" ;;
  esac
done

source "$(dirname "${BASH_SOURCE[0]}")/daemons.sh"

wharf_log "preparing the runc bundle"
mkdir -p "$WB/bundle/rootfs" "$WB/runc"
tar -xf "$WB/busybox.tar" -C "$WB/bundle/rootfs"
(cd "$WB/bundle" && runc spec)
# The default spec wants a terminal and runs sh; the floor runs `true` with inherited stdio.
sed -i -e 's/"terminal": true/"terminal": false/' -e 's/^\([[:space:]]*\)"sh"$/\1"true"/' "$WB/bundle/config.json"

# Sanity: every scenario must actually work before it is timed.
DOCKER_HOST="unix://$WB/wharf.sock" "$docker_cli" run --rm --network none busybox true
DOCKER_HOST="unix://$WB/wharf.sock" "$docker_cli" run --rm busybox true
DOCKER_HOST="unix://$DB/docker.sock" "$docker_cli" run --rm --network none busybox true
runc --root "$WB/runc" run -b "$WB/bundle" "bench-sanity-$$"

json="$RESULTS/hyperfine.json"
csv="$RESULTS/hyperfine.csv"
wharf_log "hyperfine --warmup $warmup --runs $runs"
hyperfine --warmup "$warmup" --runs "$runs" --export-json "$json" --export-csv "$csv" \
  -n "runc run (floor)" "runc --root $WB/runc run -b $WB/bundle bench-\$(date +%s%N)" \
  -n "wharfd --network none" "DOCKER_HOST=unix://$WB/wharf.sock $docker_cli run --rm --network none busybox true" \
  -n "dockerd --network none" "DOCKER_HOST=unix://$DB/docker.sock $docker_cli run --rm --network none busybox true" \
  -n "wharfd default network" "DOCKER_HOST=unix://$WB/wharf.sock $docker_cli run --rm busybox true"

# CSV columns: command,mean,stddev,median,user,system,min,max (seconds).
echo
printf '%-26s %12s %12s %12s %12s\n' "scenario" "median ms" "mean ms" "min ms" "max ms"
awk -F, 'NR > 1 { printf "%-26s %12.1f %12.1f %12.1f %12.1f\n", $1, $4 * 1000, $2 * 1000, $7 * 1000, $8 * 1000 }' "$csv"
awk -F, '
  NR > 1 { median[$1] = $4 }
  END {
    w = median["wharfd --network none"]; d = median["dockerd --network none"]
    if (d > 0) printf "\nratio wharfd/dockerd (median, --network none): %.2f   (issue target <= 0.50, later goal 0.25)\n", w / d
  }' "$csv"
echo "raw results: $json"
