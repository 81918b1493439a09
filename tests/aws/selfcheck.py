"""Self-check of the Vigil AWS emulator: every feature, through boto3, on a fresh emulator.

    .venv/bin/python tests/aws/selfcheck.py [-k SUBSTRING] [--verbose]

Starts its own emulators on free ports, prints one line per check and a closing
`N passed, N failed` line, and exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from selfchecks import CHECKS, cloudtrail, features, organization, push, restnames  # noqa: E402, F401  (registers checks)
from vigil_emulator.testing import Clients, EmulatorProcess  # noqa: E402

# ---- runner ------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="run only checks whose name contains this")
    parser.add_argument("--verbose", action="store_true", help="print tracebacks")
    args = parser.parse_args()
    emu = EmulatorProcess()
    clients = Clients(emu)
    passed = failed = 0
    try:
        for name, fn in CHECKS:
            if args.k not in name:
                continue
            started = time.monotonic()
            try:
                fn(emu, clients)
                passed += 1
                print(f"PASS {name} ({time.monotonic() - started:.1f}s)", flush=True)
            except Exception as error:  # a failed check must not stop the others
                failed += 1
                print(f"FAIL {name}: {type(error).__name__}: {error}", flush=True)
                if args.verbose:
                    traceback.print_exc()
            emu.call("DELETE", "/_vigil/faults")
    finally:
        code = emu.stop()
    if code != 0:
        failed += 1
        print(f"FAIL emulator_exits_cleanly_on_sigterm: exit code {code}")
    else:
        passed += 1
        print("PASS emulator_exits_cleanly_on_sigterm")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
