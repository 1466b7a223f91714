#!/usr/bin/env bash
# Build benchmarks of issue 6, wharfd beside the reference dockerd's legacy builder in one invocation (bench/daemons.sh
# starts both, same docker CLI, same busybox base): a small multi-stage Dockerfile (build stage with WORKDIR, COPY of
# 200 source files, two RUNs; runtime stage with COPY --from and a last COPY of config files) built
#   1. cold (`--no-cache`),
#   2. fully cached (nothing changed),
#   3. with only the last COPY's source changed (a config file rewritten before each run).
# RUN steps use `--network none` on both daemons because the reference runs without a bridge.
# Usage: sudo bash bench/build.sh [--runs N]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

runs=10
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    *) wharf_die "unknown argument $1 (usage: bench/build.sh [--runs N])" ;;
  esac
done

source "$(dirname "${BASH_SOURCE[0]}")/daemons.sh"

ctx="$WB/build-context"
mkdir -p "$ctx/src" "$ctx/config"
for i in $(seq 200); do printf 'line %d of the source tree\n' "$i" >"$ctx/src/file$i.txt"; done
for i in 1 2 3; do printf 'setting%d=on\n' "$i" >"$ctx/config/app$i.conf"; done
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM busybox AS build
ARG VERSION=1.0
WORKDIR /src
COPY src/ ./
RUN mkdir -p /out && cat *.txt > /out/app.txt && echo "$VERSION" > /out/version
RUN tar -cf /out/sources.tar -C /src .

FROM busybox
ENV APP_HOME=/app
WORKDIR /app
COPY --from=build /out/ ./
EXPOSE 8080
COPY config/ ./config/
CMD ["cat", "/app/app.txt"]
DOCKERFILE

W="unix://$WB/wharf.sock" R="unix://$DB/docker.sock"
build() { # $1 = socket, rest = extra flags
  local host=$1
  shift
  echo "DOCKER_BUILDKIT=0 DOCKER_HOST=$host $docker_cli build -q --network none $* -t bench-app $ctx >/dev/null"
}
# One build each first, so the cached and changed-last-COPY runs start from a warm cache and both daemons have the
# same images.
eval "$(build "$W")"; eval "$(build "$R")"
[[ $(dw run --rm bench-app | wc -l) -eq 200 && $(dr run --rm bench-app | wc -l) -eq 200 ]] || wharf_die "the benchmark image is wrong"

touch_config="date +%s%N > $ctx/config/changed.conf"
wharf_log "cold builds (--no-cache), $runs runs each"
hyperfine --runs "$runs" --export-csv "$RESULTS/build-cold.csv" \
  -n "wharfd cold" "$(build "$W" --no-cache)" -n "dockerd cold" "$(build "$R" --no-cache)"
wharf_log "fully cached builds"
hyperfine --warmup 1 --runs "$((runs * 2))" --export-csv "$RESULTS/build-cached.csv" \
  -n "wharfd cached" "$(build "$W")" -n "dockerd cached" "$(build "$R")"
wharf_log "builds with the last COPY's source changed"
hyperfine --runs "$runs" --export-csv "$RESULTS/build-last-copy.csv" \
  --prepare "$touch_config" -n "wharfd last COPY changed" "$(build "$W")" \
  --prepare "$touch_config" -n "dockerd last COPY changed" "$(build "$R")"

median() { awk -F, -v n="$2" 'NR > 1 && $1 == n { printf "%.1f", $4 * 1000 }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
printf '%-36s %12s %12s %8s %8s\n' "build (median ms)" "wharfd" "dockerd" "ratio" "target"
row() { printf '%-36s %12s %12s %8s %8s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")" "<= 0.5"; }
row "cold (--no-cache)" "$(median "$RESULTS/build-cold.csv" "wharfd cold")" "$(median "$RESULTS/build-cold.csv" "dockerd cold")"
row "fully cached" "$(median "$RESULTS/build-cached.csv" "wharfd cached")" "$(median "$RESULTS/build-cached.csv" "dockerd cached")"
row "last COPY changed" "$(median "$RESULTS/build-last-copy.csv" "wharfd last COPY changed")" \
  "$(median "$RESULTS/build-last-copy.csv" "dockerd last COPY changed")"
echo "raw results: $RESULTS/build-{cold,cached,last-copy}.csv"
