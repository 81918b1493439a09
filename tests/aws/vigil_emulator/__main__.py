"""Run the emulator: `python -m vigil_emulator --host 127.0.0.1 --port 0`.

Prints exactly one line `VIGIL_EMULATOR_LISTENING port=<port>` on stdout once the socket
accepts connections (so a test helper can start it on a free port and read the port), and
exits 0 on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

# AWS managed policies (SecurityAudit, ViewOnlyAccess, ...) exist in every real account; the
# customer role template attaches them. Must be set before moto creates any IAM backend.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
# moto loads ~1,300 public AMIs per region and attributes their backing snapshots to every
# account, so a scan of 38 regions would see ~26,000 "own" snapshots that no real account
# has. Load only the one AMI the seeder launches instances from.
os.environ.setdefault("MOTO_AMIS_PATH", os.path.join(os.path.dirname(__file__), "amis.json"))

from moto.server import MotoRequestHandler  # noqa: E402
from werkzeug.serving import BaseWSGIServer, make_server  # noqa: E402

from . import DEFAULT_ACCOUNT_ID  # noqa: E402
from .app import Emulator  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="vigil_emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one")
    parser.add_argument("--port-file", help="also write the port to this file")
    parser.add_argument(
        "--delivery-interval",
        type=float,
        default=5.0,
        help="seconds between trail deliveries to S3 (0 = only on /_vigil/flush)",
    )
    parser.add_argument(
        "--management-account",
        default=DEFAULT_ACCOUNT_ID,
        help="account whose callers may bootstrap OrganizationAccountAccessRole",
    )
    parser.add_argument(
        "--exit-on-stdin-eof",
        action="store_true",
        help="exit when stdin closes: a test harness holds it open, so the emulator never "
        "outlives the process that started it, however that process ends",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)

    emulator = Emulator(management_account=args.management_account)
    # A scan opens a connection per service and region at once (29 services, every region,
    # several accounts): werkzeug's listen backlog of 128 overflowed ("SYN flooding" in the
    # kernel log) and callers saw refused or closed connections.
    BaseWSGIServer.request_queue_size = 4096
    server = make_server(
        args.host, args.port, emulator, threaded=True, request_handler=MotoRequestHandler
    )
    port = server.server_port  # bound and listening from here on
    if args.port_file:
        tmp = f"{args.port_file}.tmp"
        with open(tmp, "w") as handle:
            handle.write(f"{port}\n")
        os.replace(tmp, args.port_file)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if args.exit_on_stdin_eof:

        def watch_stdin() -> None:
            # os.read, not sys.stdin.buffer: a daemon thread blocked inside the buffered
            # reader holds its lock, and exiting on a signal while it does aborts the
            # interpreter ("could not acquire lock for <stdin> at interpreter shutdown").
            while os.read(sys.stdin.fileno(), 4096):
                pass
            stop.set()

        threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()

    serving = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    serving.start()
    emulator.delivery.start(args.delivery_interval)
    sys.stdout.write(f"VIGIL_EMULATOR_LISTENING port={port}\n")
    sys.stdout.flush()
    # Nothing else goes to stdout (moto print()s now and then): a helper that reads only
    # the first line must never see its pipe fill up and stall the server.
    sys.stdout = sys.stderr

    while not stop.wait(0.5):
        if not serving.is_alive():
            return 1
    emulator.delivery.stop()
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
