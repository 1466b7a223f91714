#!/usr/bin/env bash
# Shared by scripts/setup.sh, scripts/test.sh and bench/run.sh: one place that knows what Wharf needs on the host.
# Sourced, not executed; callers run with `set -euo pipefail`.

WHARF_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHARF_ARTIFACTS="$WHARF_REPO_ROOT/artifacts/wharf"
WHARF_DEFAULT_SOCK=/run/wharf/wharf.sock
WHARF_DEFAULT_PIDFILE=/run/wharf/wharfd.pid
WHARF_DEFAULT_LOG=/var/log/wharfd.log
# The docker CLI Wharf is tested against (28.x, API 1.50). Debian's docker.io puts an older client in /usr/bin,
# so always name this one explicitly.
WHARF_DOCKER_CLI="${WHARF_DOCKER_CLI:-/usr/local/bin/docker}"

# Host packages the engine and its tests use: runc is the OCI runtime, busybox-static feeds `wharf base-image busybox`,
# bsdutils provides `script` for the TTY test, hyperfine runs the benchmark; gcc and libc6-dev link the NativeAOT
# executables (wharf-shim statically against libc.a).
WHARF_APT_PACKAGES=(runc conmon iptables busybox-static tini catatonit hyperfine iproute2 procps util-linux bsdutils
  gcc libc6-dev ca-certificates curl nftables xz-utils bzip2 zstd docker-registry skopeo mmdebstrap apache2-utils openssl)

wharf_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
wharf_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

wharf_require_root() {
  [[ $(id -u) -eq 0 ]] || wharf_die "run this as root (sudo bash $0): wharfd needs mounts, namespaces and runc"
}

# Installs the given apt packages if any is missing; apt-get update only runs when something must be installed,
# so a second run costs nothing.
wharf_install_packages() {
  local missing=() p status
  for p in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    wharf_log "apt packages present: $*"
    return 0
  fi
  wharf_log "installing apt packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || wharf_die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" || wharf_die "apt-get install ${missing[*]} failed"
}

wharf_require_dotnet() {
  command -v dotnet >/dev/null 2>&1 || wharf_die "the .NET SDK (10.0) is required: dotnet is not on PATH"
  local v
  v=$(dotnet --version 2>/dev/null) || wharf_die "dotnet --version failed"
  [[ ${v%%.*} -ge 10 ]] || wharf_die "the .NET 10 SDK is required (found $v)"
}

wharf_install_prerequisites() {
  wharf_require_root
  wharf_install_packages "${WHARF_APT_PACKAGES[@]}"
  wharf_require_dotnet
  # Keep the first-run banner and telemetry out of the logs.
  export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

# True when a daemon answers GET /_ping on the unix socket $1.
wharf_ping() {
  local sock=$1
  [[ -S $sock ]] || return 1
  [[ $(curl -fsS --max-time 2 --unix-socket "$sock" http://localhost/_ping 2>/dev/null) == OK ]]
}

# Waits up to $2 seconds (default 30) for the daemon on socket $1.
wharf_wait_for_socket() {
  local sock=$1 timeout=${2:-30} i
  for ((i = 0; i < timeout * 10; i++)); do
    wharf_ping "$sock" && return 0
    sleep 0.1
  done
  return 1
}
