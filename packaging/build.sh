#!/usr/bin/env bash
# Build the desktop app with PyInstaller into dist/scanspan/ (the executable: dist/scanspan/scanspan).
#   packaging/build.sh
# Environment: PYTHON (default python3); SCANSPAN_BUILD_DIR, the build's own virtual environment and
# PyInstaller's work files (default build/packaging); SCANSPAN_DIST (default dist).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

PYTHON=${PYTHON:-python3}
# PyInstaller reads the libraries an executable needs with objdump (binutils).
missing=()
"$PYTHON" -c "import venv, ensurepip" 2>/dev/null || missing+=(python3-venv)
command -v objdump >/dev/null || missing+=(binutils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "build.sh: missing system packages; run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
mkdir -p "${SCANSPAN_BUILD_DIR:-build/packaging}" "${SCANSPAN_DIST:-dist}"
work=$(cd "${SCANSPAN_BUILD_DIR:-build/packaging}" && pwd)
dist=$(cd "${SCANSPAN_DIST:-dist}" && pwd)

# A virtual environment of the build's own with the project installed, not editable: PyInstaller
# then finds the package data where an installed Scanspan has it (resources/ inside annotations/).
[ -x "$work/venv/bin/python" ] || "$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q "$root[gui,packaging]"
# Run from the work folder: from the checkout, its annotations/ would be bundled instead of the installed one.
(cd "$work" && "$work/venv/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$work/pyinstaller" "$root/packaging/scanspan.spec")
echo "built $dist/scanspan/scanspan"
