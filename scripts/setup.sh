#!/usr/bin/env bash
# The demo command: installs prerequisites, builds Wharf, starts wharfd if it is not answering, makes sure
# busybox:latest exists, then runs a container through the docker CLI. Safe to run again and again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

wharf_install_prerequisites
bash "$WHARF_REPO_ROOT/scripts/build.sh"

sock=$WHARF_DEFAULT_SOCK
export DOCKER_HOST="unix://$sock"
export WHARF_HOST="$DOCKER_HOST"

if wharf_ping "$sock"; then
  wharf_log "wharfd already answers on $sock"
else
  wharf_log "starting wharfd (log: $WHARF_DEFAULT_LOG, data: /var/lib/wharf)"
  # setsid detaches wharfd from this shell's session so it outlives the script and a Ctrl-C here.
  setsid "$WHARF_ARTIFACTS/wharfd" --data-root /var/lib/wharf --host "$DOCKER_HOST" \
    --pidfile "$WHARF_DEFAULT_PIDFILE" >>"$WHARF_DEFAULT_LOG" 2>&1 </dev/null &
  if ! wharf_wait_for_socket "$sock" 30; then
    tail -n 30 "$WHARF_DEFAULT_LOG" >&2 || true
    wharf_die "wharfd did not answer on $sock within 30 s (log above, full log in $WHARF_DEFAULT_LOG)"
  fi
  wharf_log "wharfd is up (pid $(cat "$WHARF_DEFAULT_PIDFILE" 2>/dev/null || echo '?'))"
fi

wharf_cli="$WHARF_ARTIFACTS/wharf"
if [[ -x $WHARF_DOCKER_CLI ]]; then
  docker_cli=$WHARF_DOCKER_CLI
else
  # Without the docker CLI the demo still runs, through Wharf's own client with the same verbs.
  wharf_log "$WHARF_DOCKER_CLI not found: using $wharf_cli instead"
  docker_cli=$wharf_cli
fi

if "$docker_cli" image inspect busybox >/dev/null 2>&1; then
  wharf_log "busybox:latest present"
else
  wharf_log "creating busybox:latest from the busybox-static package"
  "$wharf_cli" base-image busybox
fi

wharf_log "DOCKER_HOST=$DOCKER_HOST $docker_cli run --rm busybox echo \"hello from wharf\""
"$docker_cli" run --rm busybox echo "hello from wharf"

wharf_log "$docker_cli images"
"$docker_cli" images
wharf_log "wharf ps -a"
"$wharf_cli" ps -a

cat <<MSG

wharfd keeps running in the background. Point any docker client at it with:
  export DOCKER_HOST=$DOCKER_HOST
Stop it with:  kill \$(cat $WHARF_DEFAULT_PIDFILE)     (containers keep running under their monitors)
MSG
