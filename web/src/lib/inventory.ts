export interface InventoryCell {
  type: string;
  region: string;
  count: number;
}

export interface Inventory {
  types: { type: string; total: number; byRegion: Map<string, number> }[];
  regions: string[];
  total: number;
}

/** Counts assets by resource type and region: types by count (then name), regions by name with `global` first. */
export function summariseInventory(assets: readonly { resourceType: string; region: string }[]): Inventory {
  const byType = new Map<string, Map<string, number>>();
  const regions = new Set<string>();
  for (const a of assets) {
    regions.add(a.region);
    let row = byType.get(a.resourceType);
    if (!row) byType.set(a.resourceType, (row = new Map()));
    row.set(a.region, (row.get(a.region) ?? 0) + 1);
  }
  const types = [...byType.entries()]
    .map(([type, byRegion]) => ({ type, byRegion, total: [...byRegion.values()].reduce((n, c) => n + c, 0) }))
    .sort((a, b) => b.total - a.total || a.type.localeCompare(b.type));
  const sortedRegions = [...regions].sort((a, b) => (a === 'global' ? -1 : b === 'global' ? 1 : a.localeCompare(b)));
  return { types, regions: sortedRegions, total: assets.length };
}
