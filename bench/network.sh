#!/usr/bin/env bash
# Network benchmarks of issue 5, wharfd beside the reference dockerd in one invocation (bench/daemons.sh):
#   1. `docker run --rm busybox true` on each daemon's default bridge (veth, address, route per container), hyperfine,
#      and wharfd with --network none beside it, so the cost of wharfd's network setup shows on its own;
#      the reference gets a bridge of its own, refbench0 (10.198.0.1/24), and --iptables=false so it never touches
#      the host's firewall; wharfd its usual wharfbench0 (10.199.0.1/24) with its nft table;
#   2. container-to-container TCP throughput through the bridge: a server container sending N MiB with
#      `nc -l -e dd if=/dev/zero`, a client container reading them with `nc -e dd of=/dev/null`, timed inside the
#      client (median of 7 transfers per daemon, the two daemons' transfers interleaved).
# All traffic stays on the two bridges. Usage: sudo bash bench/network.sh [--runs N] [--mib N]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

# 4 GiB per transfer: about 2.5 s, so the 10 ms ticks of /proc/uptime (the client's only clock) are 0.4 % of it.
runs=20 mib=4096
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --mib) mib=$2; shift 2 ;;
    *) wharf_die "unknown argument $1 (usage: bench/network.sh [--runs N] [--mib N])" ;;
  esac
done

wharf_require_root
REF_BRIDGE=refbench0
ip link del "$REF_BRIDGE" 2>/dev/null || true
ip link add "$REF_BRIDGE" type bridge
ip addr add 10.198.0.1/24 dev "$REF_BRIDGE"
ip link set "$REF_BRIDGE" up
export WHARF_BENCH_REF_NET_ARGS="--iptables=false --ip-masq=false --bridge=$REF_BRIDGE"

source "$(dirname "${BASH_SOURCE[0]}")/daemons.sh"
trap 'cleanup; ip link del '"$REF_BRIDGE"' 2>/dev/null' EXIT

# Sanity: both must run a bridged container before anything is timed.
dw run --rm busybox true
dr run --rm busybox true

csv="$RESULTS/network-run.csv"
wharf_log "hyperfine --warmup 3 --runs $runs: docker run --rm busybox true on the default bridge"
hyperfine --warmup 3 --runs "$runs" --export-csv "$csv" \
  -n "wharfd bridge" "DOCKER_HOST=unix://$WB/wharf.sock $docker_cli run --rm busybox true" \
  -n "dockerd bridge" "DOCKER_HOST=unix://$DB/docker.sock $docker_cli run --rm busybox true" \
  -n "wharfd --network none" "DOCKER_HOST=unix://$WB/wharf.sock $docker_cli run --rm --network none busybox true"

# Container-to-container throughput: a server container per daemon sends $mib MiB per connection; client containers
# read them, alternating between the daemons transfer by transfer so that drift in the machine's speed (other work,
# CPU frequency) weighs on both alike. Each side's figure is the median MiB/s of its transfers.
transfers=7
start_server() { # $1 = dw|dr; prints the server's address
  local d=$1
  "$d" rm -f "nc-srv-$$" >/dev/null 2>&1 || true
  # dd on both ends works the socket directly (nc -e): Debian's busybox nc relays only about 1 KiB through a pipe.
  "$d" run -d --name "nc-srv-$$" busybox sh -c "while true; do nc -l -p 5001 -e dd if=/dev/zero bs=1M count=$mib 2>/dev/null; done" >/dev/null
  "$d" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "nc-srv-$$"
}
transfer() { # $1 = dw|dr, $2 = server address; prints MiB/s
  local out
  # Debian's busybox dd prints no rate: the client times the transfer itself with /proc/uptime (10 ms ticks, so
  # transfers are made large enough to last about a second or more); it ends when the server's dd closes.
  out=$("$1" run --rm busybox sh -c "sleep 0.2; a=\$(cut -d' ' -f1 /proc/uptime); nc $2 5001 -e dd of=/dev/null bs=64k 2>/dev/null; b=\$(cut -d' ' -f1 /proc/uptime); echo \$a \$b")
  echo "$out" | awk -v mib="$mib" '{ t = $2 - $1; if (t > 0) printf "%.0f", mib / t }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

wharf_log "container-to-container TCP throughput ($mib MiB per transfer, median of $transfers per daemon, interleaved)"
ipw=$(start_server dw); ipr=$(start_server dr)
rates_w=() rates_r=()
for ((i = 0; i < transfers; i++)); do
  # Which daemon goes first alternates too.
  if ((i % 2 == 0)); then
    rates_w+=("$(transfer dw "$ipw")"); rates_r+=("$(transfer dr "$ipr")")
  else
    rates_r+=("$(transfer dr "$ipr")"); rates_w+=("$(transfer dw "$ipw")")
  fi
done
dw rm -f "nc-srv-$$" >/dev/null; dr rm -f "nc-srv-$$" >/dev/null
echo "wharfd MiB/s per transfer: ${rates_w[*]}"
echo "dockerd MiB/s per transfer: ${rates_r[*]}"
tw=$(printf '%s\n' "${rates_w[@]}" | median)
tr=$(printf '%s\n' "${rates_r[@]}" | median)

echo
printf '%-26s %12s %12s %12s %12s\n' "scenario" "median ms" "mean ms" "min ms" "max ms"
awk -F, 'NR > 1 { printf "%-26s %12.1f %12.1f %12.1f %12.1f\n", $1, $4 * 1000, $2 * 1000, $7 * 1000, $8 * 1000 }' "$csv"
awk -F, 'NR > 1 { m[$1] = $4 } END {
  if (m["dockerd bridge"] > 0) printf "ratio wharfd/dockerd (median, run --rm on the bridge): %.2f   (issue target <= 0.25)\n", m["wharfd bridge"] / m["dockerd bridge"]
  printf "wharfd network setup (median bridge - median none): %.1f ms\n", (m["wharfd bridge"] - m["wharfd --network none"]) * 1000 }' "$csv"
echo
printf 'TCP throughput container->container through the bridge: wharfd %s MiB/s, dockerd %s MiB/s' "$tw" "$tr"
awk -v w="$tw" -v d="$tr" 'BEGIN { if (d > 0) printf "   ratio %.2f (target >= 1.0)\n", w / d; else print "" }'
