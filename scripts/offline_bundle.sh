#!/usr/bin/env bash
# Build an offline install bundle of landapproval for an isolated network (no package index):
# a folder of wheels — landapproval and every dependency — for Linux x86-64 and CPython 3.11, with
# the extras you choose, an install script and the command to run on the target machine.
#
#   scripts/offline_bundle.sh [--extras server,geo,postgis] [--out DIR] [--tar]
#       --extras  comma-separated extras of landapproval (default: server,geo,postgis; "" for none)
#       --out     the bundle folder (default: dist/landapproval-offline-<version>)
#       --tar     also pack the folder as DIR.tar.gz to carry across
#
# On the target (Linux x86-64 with python3.11 and its venv module, nothing else):
#   python3.11 -m venv /opt/landapproval && /opt/landapproval/bin/pip install --no-index \
#       --find-links BUNDLE 'landapproval[EXTRAS]'          (BUNDLE/install.sh does exactly this)
#
# The wheels are built on this machine, which must itself be Linux x86-64 with CPython 3.11: the
# dependencies published only as source (durable-rules, a C extension) are compiled here, once,
# so the target needs no compiler. pip's cache is used, so a second build is fast.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="server,geo,postgis"; out=""; tar=0
while [ $# -gt 0 ]; do
  case "$1" in
    --extras) extras=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --tar) tar=1; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
python=${PYTHON:-python3.11}
"$python" - <<'PY' || { echo "error: the bundle is for Linux x86-64 and CPython 3.11; run this with such a python (PYTHON=...)" >&2; exit 2; }
import platform, sys
assert sys.implementation.name == "cpython" and sys.version_info[:2] == (3, 11)
assert platform.system() == "Linux" and platform.machine() in ("x86_64", "AMD64")
PY
version=$("$python" -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")
out=${out:-dist/landapproval-offline-$version}
requirement="landapproval"; [ -n "$extras" ] && requirement="landapproval[$extras]"
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"
pip="$work/venv/bin/pip"
quiet() { grep -v "^WARNING: Location" >&2 || true; }
"$pip" install -q --upgrade pip wheel 2> >(quiet)
# landapproval itself, then every dependency of it with the extras: binary wheels as published,
# source-only packages built into wheels here
"$pip" wheel -q --no-deps --wheel-dir "$out" . 2> >(quiet)
wheel=$(ls "$out"/landapproval-"$version"-*.whl)
"$pip" wheel -q --wheel-dir "$out" "$wheel${extras:+[$extras]}" 2> >(quiet)
# the bundle installs alone: prove it in a throw-away venv before handing it over
"$python" -m venv "$work/check"
"$work/check/bin/pip" install -q --no-index --find-links "$out" "$requirement" 2> >(quiet)
"$work/check/bin/landapproval" --version >/dev/null
"$work/check/bin/pip" freeze --exclude-editable | grep -v '^pip=' > "$out/requirements.txt"
cat > "$out/install.sh" <<SH
#!/usr/bin/env bash
# Install landapproval $version from this folder, without any package index.
#   bash install.sh [VENV]     (default VENV: ./landapproval-venv; needs python3.11 on Linux x86-64)
set -euo pipefail
here=\$(cd "\$(dirname "\$0")" && pwd)
venv=\${1:-landapproval-venv}
python3.11 -m venv "\$venv"
"\$venv/bin/pip" install --no-index --find-links "\$here" '$requirement'
echo "installed: \$venv/bin/landapproval (\$("\$venv/bin/landapproval" --version))"
SH
chmod +x "$out/install.sh"
count=$(ls "$out"/*.whl | wc -l)
size=$(du -sh "$out" | cut -f1)
if [ "$tar" = 1 ]; then
  tar -C "$(dirname "$out")" -czf "$out.tar.gz" "$(basename "$out")"
  echo "bundle archive: $out.tar.gz" >&2
fi
echo "bundle: $out ($count wheels, $size, extras: ${extras:-none})" >&2
echo "install on the target (Linux x86-64, python3.11, no network):" >&2
echo "python3.11 -m venv landapproval-venv && landapproval-venv/bin/pip install --no-index --find-links $out '$requirement'"
