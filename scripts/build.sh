#!/usr/bin/env bash
# Publishes the three executables into artifacts/wharf: wharfd (daemon), wharf (CLI), wharf-shim (NativeAOT monitor).
# Idempotent: dotnet publish is incremental. Any failure stops the script.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$WHARF_REPO_ROOT"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

for project in src/Wharf.Daemon src/Wharf.Cli src/Wharf.Shim; do
  wharf_log "dotnet publish $project"
  dotnet publish "$project" -c Release -o "$WHARF_ARTIFACTS" -nologo -v:q -warnaserror \
    || wharf_die "dotnet publish $project failed"
done

for exe in wharfd wharf wharf-shim; do
  [[ -x $WHARF_ARTIFACTS/$exe ]] || wharf_die "build did not produce $WHARF_ARTIFACTS/$exe"
done
wharf_log "built $WHARF_ARTIFACTS/{wharfd,wharf,wharf-shim}"
