#!/usr/bin/env bash
# Push and pull benchmarks of issue 4: a ~100 MiB one-layer image (incompressible random files, imported from the same
# tar into both daemons) pushed to and pulled from a local reference registry (docker-registry, distribution 2.8, on
# loopback, its own storage), wharfd beside the reference dockerd (bench/daemons.sh starts both, same docker CLI).
#   push: the registry's storage is wiped before every run, so every push uploads every blob;
#   pull: the image is removed from the daemon before every run; both daemons pull the same image (the one dockerd
#         pushed, so a gzip layer as registries usually hold), each from its own repository name.
# MB/s = bytes of the pushed layer / median seconds. Usage: sudo bash bench/distribution.sh [--runs N]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

runs=5
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    *) wharf_die "unknown argument $1 (usage: bench/distribution.sh [--runs N])" ;;
  esac
done
[[ -x /usr/bin/docker-registry ]] || wharf_install_packages docker-registry

source "$(dirname "${BASH_SOURCE[0]}")/daemons.sh"

REG="$WB/registry"
mkdir -p "$REG/storage"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$REG/config.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $REG/storage
http:
  addr: 127.0.0.1:$port
YML
/usr/bin/docker-registry serve "$REG/config.yml" </dev/null >>"$REG/registry.log" 2>&1 &
reg_pid=$!
trap 'kill "$reg_pid" 2>/dev/null; wait "$reg_pid" 2>/dev/null; cleanup' EXIT
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null || wharf_die "the registry did not start"
R="127.0.0.1:$port"

wharf_log "making a 100 MiB image (4 × 25 MiB of random data)"
mkdir -p "$WB/image/data"
for i in 1 2 3 4; do head -c $((25 << 20)) /dev/urandom >"$WB/image/data/blob$i"; done
tar -C "$WB/image" -cf "$WB/image.tar" data
dw import "$WB/image.tar" "$R/wharf/bench:1" >/dev/null
dr import "$WB/image.tar" "$R/ref/bench:1" >/dev/null
bytes=$(stat -c %s "$WB/image.tar")

wipe="rm -rf $REG/storage/docker"
wharf_log "push, $runs runs each (registry storage wiped before every run)"
hyperfine --runs "$runs" --export-json "$RESULTS/distribution-push.json" --prepare "$wipe" \
  -n "wharfd push" "DOCKER_HOST=unix://$WB/wharf.sock $docker_cli push -q $R/wharf/bench:1" \
  -n "dockerd push" "DOCKER_HOST=unix://$DB/docker.sock $docker_cli push -q $R/ref/bench:1"

# The pull source: what dockerd pushed (gzip layer), under both repository names.
eval "$wipe"
dr push -q "$R/ref/bench:1" >/dev/null
dr tag "$R/ref/bench:1" "$R/pull/bench:1"
dr push -q "$R/pull/bench:1" >/dev/null
layer=$(find "$REG/storage/docker/registry/v2/blobs" -name data -size +1M -exec stat -c %s {} \; | sort -n | tail -1)
dw rmi -f "$R/wharf/bench:1" >/dev/null
dr rmi -f "$R/ref/bench:1" >/dev/null
wharf_log "pull, $runs runs each (image removed before every run; pulled layer $layer bytes)"
hyperfine --runs "$runs" --export-json "$RESULTS/distribution-pull.json" \
  -n "wharfd pull" --prepare "DOCKER_HOST=unix://$WB/wharf.sock $docker_cli rmi -f $R/pull/bench:1 >/dev/null 2>&1 || true" \
  "DOCKER_HOST=unix://$WB/wharf.sock $docker_cli pull -q $R/pull/bench:1" \
  -n "dockerd pull" --prepare "DOCKER_HOST=unix://$DB/docker.sock $docker_cli rmi -f $R/pull/bench:1 >/dev/null 2>&1 || true" \
  "DOCKER_HOST=unix://$DB/docker.sock $docker_cli pull -q $R/pull/bench:1"

python3 - "$RESULTS/distribution-push.json" "$RESULTS/distribution-pull.json" "$bytes" "$layer" <<'PY'
import json, sys
push, pull = (json.load(open(p))["results"] for p in sys.argv[1:3])
sizes = {"push": int(sys.argv[3]), "pull": int(sys.argv[4])}
print(f"\n{'benchmark':<8} {'wharfd MB/s':>12} {'dockerd MB/s':>13} {'ratio':>6}   (median s: wharfd / dockerd)")
for name, res in (("push", push), ("pull", pull)):
    w, d = res[0]["median"], res[1]["median"]
    mb = sizes[name] / 1e6
    print(f"{name:<8} {mb / w:>12.1f} {mb / d:>13.1f} {d / w:>6.2f}   ({w:.2f} / {d:.2f})")
PY
