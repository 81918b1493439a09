"""`DescribeSnapshots`' `OwnerIds` and `RestorableByUserIds`, which moto reads but ignores.

AWS answers `DescribeSnapshots(OwnerIds=[self], RestorableByUserIds=[all])` with the
account's public snapshots only: one call instead of one `DescribeSnapshotAttribute` per
snapshot, which is how Vigil's scan finds public snapshots. moto 5.2 returns every snapshot
whatever those parameters say, so without this the emulator would make that call look like
"every snapshot is public". The semantics follow the EC2 API reference: each list is an OR
of its values, the two lists are ANDed; an owner is an account ID or `self`; a restorer is
an account ID (the owner, or one granted `createVolumePermission`), `self` (the caller, the
same way) or `all` (public).
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.responses.elastic_block_store import ElasticBlockStore

def _owned_by(snapshot: Any, owners: list[str], caller: str) -> bool:
    return any(snapshot.owner_id == (caller if o == "self" else o) for o in owners)


def _restorable_by(snapshot: Any, users: list[str], caller: str) -> bool:
    for user in users:
        if user == "all":
            if "all" in snapshot.create_volume_permission_groups:
                return True
            continue
        account = caller if user == "self" else user
        if snapshot.owner_id == account or account in snapshot.create_volume_permission_userids:
            return True
    return False


def _describe_snapshots(self: ElasticBlockStore) -> ActionResult:
    snapshots = self.ec2_backend.describe_snapshots(
        snapshot_ids=self._get_param("SnapshotIds", []),
        filters=self._filters_from_querystring(),
    )
    caller = self.ec2_backend.account_id
    owners = self._get_param("OwnerIds", [])
    users = self._get_param("RestorableByUserIds", [])
    if owners:
        snapshots = [s for s in snapshots if _owned_by(s, owners, caller)]
    if users:
        snapshots = [s for s in snapshots if _restorable_by(s, users, caller)]
    return ActionResult({"Snapshots": snapshots})


def install() -> None:
    """Replace moto's handler (idempotent)."""
    ElasticBlockStore.describe_snapshots = _describe_snapshots  # type: ignore[method-assign]
