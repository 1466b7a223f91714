#!/usr/bin/env bash
# Registry server benchmark (issue 4 point 8): `wharf registry serve` vs distribution 2.8 (`docker-registry`), both on
# loopback with storage under a temp dir, driven by the same clients with 16 concurrent connections:
#   blob GET  MB/s  — 16 keep-alive connections GET one blob (default 32 MiB) with bench/registry_client.py, which
#                     splices the bodies to /dev/null (no copy into the client), or with --get-client ab by ab -c 16
#                     (ab reads every byte: ~1 CPU-s per run on a 2-core machine, so the client bounds both servers),
#   blob PUT  MB/s  — 16 parallel uploads (POST a session, then PUT ?digest= with the body) of distinct blobs (default
#                     64 × 8 MiB) by bench/registry_client.py (16 threads, keep-alive, sendfile), or with
#                     --put-client curl by 16 parallel bash+curl pipelines (the old client: ~1.7 CPU-s per run, more
#                     than either server, so it measured the client more than the servers),
#   manifest GET req/s — ab -c 16 on a tag.
# After an untimed warm-up of both servers, --rounds N (default 3) rounds each run every benchmark on both servers back
# to back (alternating which goes first) and the table prints the medians, the per-round figures and each server's CPU
# seconds per round.
# Usage: bash bench/registry.sh [--blob-mib N] [--gets N] [--puts N] [--put-mib N] [--manifest-gets N] [--rounds N]
#                               [--get-client python|ab] [--put-client python|curl] [--no-build]
# Everything it starts is stopped by pid and its temp dir removed on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$WHARF_REPO_ROOT"

blob_mib=32 gets=128 puts=64 put_mib=8 manifest_gets=20000 build=1 rounds=3 put_client=python get_client=python
while (($#)); do
  case $1 in
    --blob-mib) blob_mib=$2; shift ;;
    --gets) gets=$2; shift ;;
    --puts) puts=$2; shift ;;
    --put-mib) put_mib=$2; shift ;;
    --manifest-gets) manifest_gets=$2; shift ;;
    --no-build) build=0 ;;
    --rounds) rounds=$2; shift ;;
    --put-client) put_client=$2; shift ;;
    --get-client) get_client=$2; shift ;;
    *) wharf_die "unknown flag $1" ;;
  esac
  shift
done
for tool in /usr/bin/docker-registry /usr/bin/ab /usr/bin/curl; do
  [[ -x $tool ]] || wharf_die "$tool is missing (apt-get install docker-registry apache2-utils curl)"
done
((build == 0)) || bash scripts/build.sh
wharf=$WHARF_ARTIFACTS/wharf
[[ -x $wharf ]] || wharf_die "$wharf is missing: run scripts/build.sh"

T=$(mktemp -d /tmp/wharf-registry-bench.XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() {
  local i
  for ((i = 0; i < 100; i++)); do curl -fs -o /dev/null "$1/v2/" && return 0; sleep 0.1; done
  wharf_die "no registry answers on $1"
}

pw=$(free_port)
"$wharf" registry serve --addr "127.0.0.1:$pw" --root "$T/wharf" 2>"$T/wharf.log" &
pids+=($!)
pd=$(free_port)
cat >"$T/config.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $T/distribution
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$pd
YML
/usr/bin/docker-registry serve "$T/config.yml" 2>"$T/distribution.log" &
pids+=($!)
W=http://127.0.0.1:$pw D=http://127.0.0.1:$pd
wait_up "$W"
wait_up "$D"

# Test data: one blob to GET, distinct blobs to PUT, a config and a manifest.
head -c $((blob_mib << 20)) /dev/urandom >"$T/big"
mkdir "$T/put"
# Named by their sha256 so the timed loop does no hashing on the client side.
for ((i = 0; i < puts; i++)); do
  head -c $((put_mib << 20)) /dev/urandom >"$T/put/tmp"
  mv "$T/put/tmp" "$T/put/$(sha256sum "$T/put/tmp" | cut -d' ' -f1)"
done
printf '{"architecture":"amd64","os":"linux"}' >"$T/config"
sha() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }

# upload BASE REPO FILE [DIGEST]: POST a session, PUT the bytes with ?digest= (both servers accept this; distribution's Location is absolute).
upload() {
  local base=$1 repo=$2 file=$3 digest=${4:-} loc
  [[ -n $digest ]] || digest=$(sha "$file")
  loc=$(curl -fsS -X POST -D - -o /dev/null "$base/v2/$repo/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
  [[ $loc == /* ]] && loc=$base$loc
  [[ $loc == *\?* ]] && loc="$loc&" || loc="$loc?"
  curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$file" "${loc}digest=$digest"
}
export -f upload sha

big=$(sha "$T/big") cfg=$(sha "$T/config")
manifest="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"$cfg\",\"size\":$(stat -c %s "$T/config")},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"$big\",\"size\":$(stat -c %s "$T/big")}]}"
for base in "$W" "$D"; do
  upload "$base" bench/app "$T/big"
  upload "$base" bench/app "$T/config"
  curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' -d "$manifest" "$base/v2/bench/app/manifests/latest"
done

declare -A result
ab_run() { # ab_run URL N -> prints "reqs_per_s kbytes_per_s"
  local out
  out=$(ab -q -k -c 16 -n "$2" -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$1" 2>&1) || { echo "$out" >&2; wharf_die "ab failed on $1"; }
  grep -q '^Failed requests: *0' <<<"$out" || { echo "$out" >&2; wharf_die "ab saw failed requests on $1"; }
  echo "$(awk '/^Requests per second/{print $4}' <<<"$out") $(awk '/^Transfer rate/{print $3}' <<<"$out")"
}
get_run() { # get_run URL N -> MB/s
  if [[ $get_client == ab ]]; then
    local kb
    read -r _ kb < <(ab_run "$1" "$2")
    python3 -c "print(f'{$kb * 1024 / 1e6:.0f}')"
  else
    local out
    out=$(python3 bench/registry_client.py get "$1" "$2" 16) || wharf_die "blob GET from $1 failed"
    python3 -c "b, t = '$out'.split(); print(f'{int(b) / float(t) / 1e6:.0f}')"
  fi
}
put_run() { # put_run BASE REPO DIR -> MB/s
  if [[ $put_client == curl ]]; then
    local start end
    start=$(date +%s.%N)
    ls "$3" | xargs -P 16 -I{} bash -c 'upload "$0" "$1" "$2" "sha256:$3"' "$1" "$2" "$3/{}" {}
    end=$(date +%s.%N)
    python3 -c "print(f'{$(du -cb "$3" | tail -1 | cut -f1) / ($end - $start) / 1e6:.0f}')"
  else
    local out
    out=$(python3 bench/registry_client.py put "$1" "$2" "$3" 16) || wharf_die "blob PUT to $1 failed"
    python3 -c "b, t = '$out'.split(); print(f'{int(b) / float(t) / 1e6:.0f}')"
  fi
}
# Server CPU seconds (user + system) so far, to print each server's own cost beside its throughput.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
median() { # median DIGITS VALUE...
  local digits=$1
  shift
  python3 -c "import statistics, sys; print(f'{statistics.median(float(x) for x in sys.argv[1:]):.${digits}f}')" "$@"
}

# Warm-up, not timed: both servers serve each kind of request before the rounds, so the figures are steady-state
# throughput (wharf's JIT has compiled its hot paths; distribution is compiled ahead of time).
mkdir "$T/warm"
for ((i = 0; i < 16; i++)); do head -c $((1 << 20)) /dev/urandom >"$T/warm/tmp"; mv "$T/warm/tmp" "$T/warm/$(sha256sum "$T/warm/tmp" | cut -d' ' -f1)"; done
for base in "$W" "$D"; do
  wharf_log "warm-up: $base"
  get_run "$base/v2/bench/app/blobs/$big" 32 >/dev/null
  put_run "$base" bench/warm "$T/warm" >/dev/null
  ab_run "$base/v2/bench/app/manifests/latest" 2000 >/dev/null
done

# Rounds: each measures a phase on both servers back to back, the order alternating between rounds, so a burst of
# load from other jobs on this shared machine falls on both sides; the table shows the medians over the rounds.
declare -A runs cpus
for ((r = 1; r <= rounds; r++)); do
  order=(wharf distribution)
  ((r % 2)) || order=(distribution wharf)
  for phase in get put man; do
    for name in "${order[@]}"; do
      [[ $name == wharf ]] && { base=$W pid=${pids[0]}; } || { base=$D pid=${pids[1]}; }
      c0=$(cpu_of "$pid")
      case $phase in
        get)
          wharf_log "round $r/$rounds $name: blob GET ($gets × $blob_mib MiB, 16 clients)"
          v=$(get_run "$base/v2/bench/app/blobs/$big" "$gets") ;;
        put)
          wharf_log "round $r/$rounds $name: blob PUT ($puts × $put_mib MiB, 16 clients)"
          v=$(put_run "$base" "bench/put$r" "$T/put") ;;
        man)
          wharf_log "round $r/$rounds $name: manifest GET ($manifest_gets requests, 16 clients)"
          read -r rps _ < <(ab_run "$base/v2/bench/app/manifests/latest" "$manifest_gets")
          v=$(printf '%.0f' "$rps") ;;
      esac
      runs[$name.$phase]+=" $v"
      cpus[$name.$phase]+=" $(python3 -c "print(f'{$(cpu_of "$pid") - $c0:.2f}')")"
    done
  done
  # The next round uploads the same bytes again: drop them from both stores (not through either API, which would
  # leave them to a GC) so every round's PUT stores new blobs rather than finding them present.
  for h in $(ls "$T/put"); do
    rm -f "$T/wharf/content/blobs/sha256/$h"
    rm -rf "$T/distribution/docker/registry/v2/blobs/sha256/${h:0:2}/$h"
  done
done

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
row() { # row LABEL PHASE
  local w d
  w=$(median 0 ${runs[wharf.$2]}) d=$(median 0 ${runs[distribution.$2]})
  printf '| %s | %s | %s | %s | ≥ 1.5 | %s | %s | %s / %s |\n' "$1" "$w" "$d" "$(ratio "$w" "$d")" "${runs[wharf.$2]# }" "${runs[distribution.$2]# }" \
    "$(median 2 ${cpus[wharf.$2]})" "$(median 2 ${cpus[distribution.$2]})"
}
printf '\n%s rounds, medians; per-round figures in run order; server CPU = median CPU seconds per round (user + system)\n' "$rounds"
printf '| benchmark (16 clients) | wharf registry | distribution 2.8 | ratio | target | wharf runs | distribution runs | server CPU s wharf / distribution |\n|---|---:|---:|---:|---:|---|---|---:|\n'
row "blob GET MB/s" get
row "blob PUT MB/s" put
row "manifest GET req/s" man
