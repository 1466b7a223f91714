#!/usr/bin/env bash
# Image save/load benchmark of issue 4: `docker save` and `docker load` of a ~100 MiB image (busybox plus four
# layers of 25 MiB random bytes each, so compression cannot help either side) against wharfd and the reference
# dockerd side by side (bench/daemons.sh starts both, same docker CLI). The image is built once on wharfd, saved,
# and loaded into dockerd, so both daemons hold the same image; each daemon then saves and loads its own archive.
# Prints MB/s (archive bytes / median seconds) for both and the ratio; target (issue 4) ≥ 2× the reference.
# Usage: sudo bash bench/images.sh [--runs N]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

runs=10
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    *) wharf_die "unknown argument $1 (usage: bench/images.sh [--runs N])" ;;
  esac
done

source "$(dirname "${BASH_SOURCE[0]}")/daemons.sh"

ctx="$WB/images-context"
mkdir -p "$ctx"
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM busybox
RUN head -c 26214400 /dev/urandom > /layer1
RUN head -c 26214400 /dev/urandom > /layer2
RUN head -c 26214400 /dev/urandom > /layer3
RUN head -c 26214400 /dev/urandom > /layer4
DOCKERFILE
wharf_log "building the 100 MiB image on wharfd and copying it to dockerd"
DOCKER_BUILDKIT=0 dw build -q --network none -t bench-images:100m "$ctx" >/dev/null
dw save -o "$WB/seed.tar" bench-images:100m
dr load -q -i "$WB/seed.tar" >/dev/null
[[ $(dw image inspect -f '{{.Id}}' bench-images:100m) == $(dr image inspect -f '{{.Id}}' bench-images:100m) ]] ||
  wharf_die "the two daemons do not hold the same image"

W="unix://$WB/wharf.sock" R="unix://$DB/docker.sock"
save() { echo "DOCKER_HOST=$1 $docker_cli save -o $2 bench-images:100m"; }
load() { echo "DOCKER_HOST=$1 $docker_cli load -q -i $2 >/dev/null"; }
rmi() { echo "DOCKER_HOST=$1 $docker_cli rmi bench-images:100m >/dev/null"; }

wharf_log "docker save, $runs runs each"
hyperfine --warmup 1 --runs "$runs" --export-csv "$RESULTS/images-save.csv" \
  --prepare "rm -f $WB/w.tar" -n "wharfd save" "$(save "$W" "$WB/w.tar")" \
  --prepare "rm -f $WB/r.tar" -n "dockerd save" "$(save "$R" "$WB/r.tar")"
wharf_log "docker load (image removed before each run), $runs runs each"
hyperfine --runs "$runs" --export-csv "$RESULTS/images-load.csv" \
  --prepare "$(rmi "$W")" -n "wharfd load" "$(load "$W" "$WB/w.tar")" \
  --prepare "$(rmi "$R")" -n "dockerd load" "$(load "$R" "$WB/r.tar")"

# Cross-check: dockerd 20.10's legacy archive (<id>/layer.tar, no index.json) loads into wharfd as the same image.
dw rmi bench-images:100m >/dev/null
dw load -q -i "$WB/r.tar" >/dev/null
[[ $(dw image inspect -f '{{.Id}}' bench-images:100m) == $(dr image inspect -f '{{.Id}}' bench-images:100m) ]] ||
  wharf_die "dockerd's archive did not load into wharfd as the same image"
wharf_log "cross-check passed: each daemon loads the other's archive as the same image ID"

size_w=$(stat -c %s "$WB/w.tar") size_r=$(stat -c %s "$WB/r.tar")
median() { awk -F, -v n="$2" 'NR > 1 && $1 == n { printf "%.4f", $4 }' "$1"; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1000000 / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
printf '%-10s %14s %14s %8s %8s\n' "MB/s" "wharfd" "dockerd" "ratio" "target"
for op in save load; do
  w=$(mbps "$size_w" "$(median "$RESULTS/images-$op.csv" "wharfd $op")")
  r=$(mbps "$size_r" "$(median "$RESULTS/images-$op.csv" "dockerd $op")")
  printf '%-10s %14s %14s %8s %8s\n' "$op" "$w" "$r" "$(ratio "$w" "$r")" ">= 2"
done
echo "archives: wharfd $size_w bytes, dockerd $size_r bytes; raw results: $RESULTS/images-{save,load}.csv"
