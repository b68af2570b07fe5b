# Sourced by ensure-pulumi and ensure-plugins: what they share to build Pulumi's Go programs
# into a per-user cache. Set `log_name` before sourcing.

scripts_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$scripts_dir/.." && pwd)
# One cache per user, shared by all checkouts: the builds take minutes.
cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-ens-keypair
# GOWORK=off: a stray go.work above the cache dir must not join a build.
export PULUMI_SKIP_UPDATE_CHECK=true GOTOOLCHAIN=local GOWORK=off

log() { printf '%s: %s\n' "$log_name" "$*" >&2; }
since() { # seconds since $1, for the phase timings
  local s=$((${EPOCHREALTIME//[.,]/} - ${1//[.,]/})) # "." or "," by locale
  printf '%d.%01ds' $((s / 1000000)) $((s % 1000000 / 100000))
}

# Holds an exclusive lock on $1/lock until the script exits, so two runs at once build once.
lock_cache() {
  mkdir -p "$1"
  exec 9>"$1/lock"
  if ! flock -n 9; then
    log "waiting for another run to finish with $1"
    flock 9
  fi
}

# A fresh build folder inside $1 (so finished files move into place by an atomic rename),
# removed on exit. Call with the lock held: it clears what killed runs left.
staging_dir() {
  rm -rf "$1"/staging.*
  staging=$(mktemp -d "$1/staging.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
}

# The upstream source of a component the Go module proxy does not serve: `shared/third_party`
# beside the checkout (CI puts a copy of shared/ next to its clone), or beside the main checkout
# when this is a git worktree. Prints nothing when there is none (a clone anywhere else).
third_party() { # folder name
  local common d
  common=$(git -C "$repo_root" rev-parse --path-format=absolute --git-common-dir 2>/dev/null) || common=
  for d in "$repo_root/../shared/third_party" ${common:+"$(dirname "$common")/../shared/third_party"}; do
    if [ -d "$d/$1" ]; then
      (cd "$d/$1" && pwd)
      return
    fi
  done
}

# Puts Go on PATH, or returns 1. Go's official tarball installs to /usr/local/go, which not
# every PATH (cron, CI) includes.
find_go() {
  command -v go >/dev/null || { [ -x /usr/local/go/bin/go ] && PATH=$PATH:/usr/local/go/bin; }
  command -v go >/dev/null
}

# Copies a third_party source folder to $2 as a writable Go module (the sources are read-only
# and some builds write into them).
unpack_source() { # source-dir dest
  cp -R "$1" "$2"
  chmod -R u+w "$2"
}
