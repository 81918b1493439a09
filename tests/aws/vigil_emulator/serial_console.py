"""EC2 serial console access, which moto 5.2 lacks: `GetSerialConsoleAccessStatus`,
`EnableSerialConsoleAccess` and `DisableSerialConsoleAccess`, an account-and-region setting
(off until enabled, as with AWS), kept on moto's EC2 backend so a reset clears it.
"""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.ec2.responses.settings import Settings

_ATTR = "vigil_serial_console_access_enabled"


def _set(self: Settings, enabled: bool) -> ActionResult:
    self.error_on_dryrun()
    setattr(self.ec2_backend, _ATTR, enabled)
    return ActionResult({"SerialConsoleAccessEnabled": enabled})


def _get(self: Settings) -> ActionResult:
    self.error_on_dryrun()
    return ActionResult(
        {
            "SerialConsoleAccessEnabled": getattr(self.ec2_backend, _ATTR, False),
            "ManagedBy": "account",
        }
    )


def install() -> None:
    """Add the three actions to moto's EC2 settings responses (idempotent)."""
    Settings.get_serial_console_access_status = _get  # type: ignore[attr-defined]
    Settings.enable_serial_console_access = lambda self: _set(self, True)  # type: ignore[attr-defined]
    Settings.disable_serial_console_access = lambda self: _set(self, False)  # type: ignore[attr-defined]
