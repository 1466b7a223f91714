#!/usr/bin/env bash
# Registry server benchmark (issue 4 point 8): `wharf registry serve` vs distribution 2.8 (`docker-registry`), both on
# loopback with storage under a temp dir, driven by the same clients with 16 concurrent connections:
#   blob GET  MB/s  — ab -c 16 on one blob (default 32 MiB),
#   blob PUT  MB/s  — 16 parallel curl uploads (POST then PUT ?digest=) of distinct blobs (default 64 × 8 MiB),
#   manifest GET req/s — ab -c 16 on a tag.
# Usage: bash bench/registry.sh [--blob-mib N] [--gets N] [--puts N] [--put-mib N] [--manifest-gets N] [--no-build]
# Everything it starts is stopped by pid and its temp dir removed on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$WHARF_REPO_ROOT"

blob_mib=32 gets=128 puts=64 put_mib=8 manifest_gets=20000 build=1
while (($#)); do
  case $1 in
    --blob-mib) blob_mib=$2; shift ;;
    --gets) gets=$2; shift ;;
    --puts) puts=$2; shift ;;
    --put-mib) put_mib=$2; shift ;;
    --manifest-gets) manifest_gets=$2; shift ;;
    --no-build) build=0 ;;
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
ab_run() { # ab_run NAME URL N -> prints "reqs_per_s kbytes_per_s"
  local out
  out=$(ab -q -k -c 16 -n "$3" -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$2" 2>&1) || { echo "$out" >&2; wharf_die "ab failed on $2"; }
  grep -q '^Failed requests: *0' <<<"$out" || { echo "$out" >&2; wharf_die "ab saw failed requests on $2"; }
  echo "$(awk '/^Requests per second/{print $4}' <<<"$out") $(awk '/^Transfer rate/{print $3}' <<<"$out")"
}
put_run() { # put_run BASE -> MB/s
  local start end
  start=$(date +%s.%N)
  ls "$T/put" | xargs -P 16 -I{} bash -c 'upload "$0" bench/put "$1" "sha256:$2"' "$1" "$T/put/{}" {}
  end=$(date +%s.%N)
  python3 -c "print(f'{$puts * $put_mib * 1.048576 / ($end - $start):.0f}')"
}

for name in wharf distribution; do
  [[ $name == wharf ]] && base=$W || base=$D
  wharf_log "$name: blob GET ($gets × $blob_mib MiB, 16 clients)"
  read -r _ kb < <(ab_run "$name" "$base/v2/bench/app/blobs/$big" "$gets")
  result[$name.get]=$(python3 -c "print(f'{$kb * 1024 / 1e6:.0f}')")
  wharf_log "$name: blob PUT ($puts × $put_mib MiB, 16 clients)"
  result[$name.put]=$(put_run "$base")
  wharf_log "$name: manifest GET ($manifest_gets requests, 16 clients)"
  ab_run "$name" "$base/v2/bench/app/manifests/latest" 200 >/dev/null # warm-up
  read -r rps _ < <(ab_run "$name" "$base/v2/bench/app/manifests/latest" "$manifest_gets")
  result[$name.man]=$(printf '%.0f' "$rps")
done

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
printf '\n| benchmark (16 clients) | wharf registry | distribution 2.8 | ratio | target |\n|---|---:|---:|---:|---:|\n'
printf '| blob GET MB/s | %s | %s | %s | ≥ 1.5 |\n' "${result[wharf.get]}" "${result[distribution.get]}" "$(ratio "${result[wharf.get]}" "${result[distribution.get]}")"
printf '| blob PUT MB/s | %s | %s | %s | ≥ 1.5 |\n' "${result[wharf.put]}" "${result[distribution.put]}" "$(ratio "${result[wharf.put]}" "${result[distribution.put]}")"
printf '| manifest GET req/s | %s | %s | %s | ≥ 1.5 |\n' "${result[wharf.man]}" "${result[distribution.man]}" "$(ratio "${result[wharf.man]}" "${result[distribution.man]}")"
