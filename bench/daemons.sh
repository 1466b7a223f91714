# Shared by the benchmark scripts: installs the reference daemon, starts a private wharfd and a private reference
# dockerd side by side (same busybox rootfs tar imported into both, same docker CLI), and removes everything on exit.
# Source it after scripts/lib.sh; it defines $WB, $DB, $RESULTS, $docker_cli and the functions dw (docker CLI against
# wharfd) and dr (against the reference), and starts both daemons. Everything it starts is stopped and removed by its EXIT trap.
WB=/tmp/wharf-bench
DB=/tmp/dockerd-bench
RESULTS="$WHARF_REPO_ROOT/artifacts/bench"
docker_cli=$WHARF_DOCKER_CLI

wharf_require_root
[[ -x $docker_cli ]] || wharf_die "the docker CLI is expected at $docker_cli"

install_reference_docker() {
  if dpkg-query -W -f='${Status}' docker.io 2>/dev/null | grep -q "install ok installed"; then
    return 0
  fi
  # Without systemd the package's maintainer scripts would try to start a system-wide dockerd on
  # /var/run/docker.sock; a policy-rc.d that says "no" keeps the install from starting anything.
  local own_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  wharf_install_packages docker.io
  ((own_policy == 0)) || rm -f /usr/sbin/policy-rc.d
}

wharf_install_packages "${WHARF_APT_PACKAGES[@]}"
install_reference_docker
wharf_require_dotnet
bash "$WHARF_REPO_ROOT/scripts/build.sh"

for sock in "$WB/wharf.sock" "$DB/docker.sock"; do
  if [[ -S $sock ]] && curl -fsS --max-time 2 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; then
    wharf_die "a daemon from an earlier run still answers on $sock; stop it (its pid file is next to the socket)"
  fi
done

unmount_under() {
  local dir=$1 mp
  [[ -d $dir ]] || return 0
  for _ in 1 2; do
    awk -v p="$dir/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r mp; do
      umount -l "$mp" 2>/dev/null || true
    done
  done
}

stop_pidfile() {
  local pidfile=$1 name=$2 pid i
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "warning: $name (pid $pid) ignored SIGTERM for 20 s; sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  set +e
  if [[ -S $WB/wharf.sock ]]; then
    ids=$(DOCKER_HOST="unix://$WB/wharf.sock" "$docker_cli" ps -aq 2>/dev/null)
    [[ -z $ids ]] || DOCKER_HOST="unix://$WB/wharf.sock" "$docker_cli" rm -f $ids >/dev/null 2>&1
  fi
  if [[ -S $DB/docker.sock ]]; then
    ids=$(DOCKER_HOST="unix://$DB/docker.sock" "$docker_cli" ps -aq 2>/dev/null)
    [[ -z $ids ]] || DOCKER_HOST="unix://$DB/docker.sock" "$docker_cli" rm -f $ids >/dev/null 2>&1
  fi
  stop_pidfile "$WB/wharfd.pid" wharfd
  stop_pidfile "$DB/docker.pid" dockerd
  for root in "$WB/runc" "$WB/exec/runc"; do
    [[ -d $root ]] || continue
    for c in $(runc --root "$root" list -q 2>/dev/null); do runc --root "$root" delete -f "$c" >/dev/null 2>&1; done
  done
  # wharfd keeps its default bridge and nft table after it stops (as dockerd keeps docker0); the benchmark's go here.
  ip link del wharfbench0 2>/dev/null
  nft delete table ip wharf_wharfbench0 2>/dev/null
  nft delete table ip6 wharf_wharfbench0 2>/dev/null
  unmount_under "$WB"
  unmount_under "$DB"
  rm -rf "$WB" "$DB"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cleanup
mkdir -p "$WB" "$DB/root" "$DB/exec" "$RESULTS"
export DOCKER_CONFIG="$WB/docker-config"

wharf_log "building the busybox rootfs tar"
"$WHARF_ARTIFACTS/wharf" base-image busybox --output "$WB/busybox.tar"

wharf_log "starting wharfd on $WB/wharf.sock"
"$WHARF_ARTIFACTS/wharfd" --bridge wharfbench0 --bip 10.199.0.1/24 --data-root "$WB/root" --exec-root "$WB/exec" --host "unix://$WB/wharf.sock" --pidfile "$WB/wharfd.pid" \
  --log-level warn </dev/null >>"$WB/wharfd.log" 2>&1 &
wharf_wait_for_socket "$WB/wharf.sock" 30 || { tail -n 30 "$WB/wharfd.log" >&2; wharf_die "wharfd did not start"; }
DOCKER_HOST="unix://$WB/wharf.sock" "$docker_cli" import "$WB/busybox.tar" busybox:latest >/dev/null

wharf_log "starting the reference dockerd ($(dockerd --version)) on $DB/docker.sock"
echo '{}' >"$DB/daemon.json"
# --bridge=none and no iptables: the reference must not touch the host's network; containers run with
# --network none, so nothing is lost. dockerd starts its own containerd under the exec root. bench/network.sh gives
# it a bridge of its own instead (WHARF_BENCH_REF_NET_ARGS), still without iptables.
dockerd --config-file "$DB/daemon.json" --data-root "$DB/root" --exec-root "$DB/exec" --pidfile "$DB/docker.pid" \
  -H "unix://$DB/docker.sock" ${WHARF_BENCH_REF_NET_ARGS:---iptables=false --ip-masq=false --bridge=none} --log-level warn \
  </dev/null >>"$DB/dockerd.log" 2>&1 &
wharf_wait_for_socket "$DB/docker.sock" 60 || { tail -n 30 "$DB/dockerd.log" >&2; wharf_die "dockerd did not start"; }
DOCKER_HOST="unix://$DB/docker.sock" "$docker_cli" import "$WB/busybox.tar" busybox:latest >/dev/null


dw() { DOCKER_HOST="unix://$WB/wharf.sock" "$docker_cli" "$@"; }
dr() { DOCKER_HOST="unix://$DB/docker.sock" "$docker_cli" "$@"; }
