#!/usr/bin/env bash
# The test command (also .ci/run): installs prerequisites, builds with zero warnings, publishes the executables the
# end-to-end tests drive, runs every test project, and ends with one line "N passed, N failed".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

passed=0 failed=0 summary_printed=0
# Whatever stops the run (missing package, build error, a test failure), the last line is the summary CI reads; a
# run that stops before the tests counts as one failure.
print_summary() {
  ((summary_printed == 0)) || return 0
  if ((passed + failed == 0)); then failed=1; fi
  echo "$passed passed, $failed failed"
}
trap print_summary EXIT

wharf_install_prerequisites
cd "$WHARF_REPO_ROOT"

[[ -x $WHARF_DOCKER_CLI ]] || wharf_die "the end-to-end tests drive the docker CLI at $WHARF_DOCKER_CLI, which is missing"

wharf_log "dotnet build Wharf.slnx -warnaserror"
dotnet build Wharf.slnx -warnaserror -nologo -v:q || wharf_die "build failed (warnings count as errors)"
bash scripts/build.sh

results="$WHARF_REPO_ROOT/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

for csproj in tests/*/*.csproj; do
  name=$(basename "$csproj" .csproj)
  trx="$results/$name.trx"
  wharf_log "dotnet test $name"
  rc=0
  # The hang timeout turns a stuck test into a failure with a dump instead of a CI job that never ends.
  dotnet test "$csproj" --no-build -nologo --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" --blame-hang-timeout 5m || rc=$?
  p=0 f=0
  if [[ -f $trx ]]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    p=$(grep -o ' passed="[0-9]*"' <<<"$counters" | grep -o '[0-9]*' || echo 0)
    f=$(grep -o ' failed="[0-9]*"' <<<"$counters" | grep -o '[0-9]*' || echo 0)
  fi
  if ((rc != 0 && f == 0)); then
    # The run itself broke (crash, hang, no results): that is a failure even though no test reported one.
    echo "$name: dotnet test exited $rc without reporting a failed test; counting the run as 1 failure" >&2
    f=1
  fi
  echo "$name: $p passed, $f failed" >&2
  passed=$((passed + p))
  failed=$((failed + f))
done

print_summary
summary_printed=1
((failed == 0))
