/** One cell of the server's `assetCounts`: how many assets of one type one region holds. */
export interface InventoryCell {
  resourceType: string;
  region: string;
  count: number;
}

export interface Inventory {
  types: { type: string; total: number; byRegion: Map<string, number> }[];
  regions: string[];
  total: number;
}

/**
 * Arranges counted cells by resource type and region: types by count (then name), regions
 * by name with `global` first. Empty cells are left out; a repeated cell adds up.
 */
export function summariseInventory(cells: readonly InventoryCell[]): Inventory {
  const byType = new Map<string, Map<string, number>>();
  const regions = new Set<string>();
  let total = 0;
  for (const c of cells) {
    if (c.count <= 0) continue;
    regions.add(c.region);
    let row = byType.get(c.resourceType);
    if (!row) byType.set(c.resourceType, (row = new Map()));
    row.set(c.region, (row.get(c.region) ?? 0) + c.count);
    total += c.count;
  }
  const types = [...byType.entries()]
    .map(([type, byRegion]) => ({ type, byRegion, total: [...byRegion.values()].reduce((n, c) => n + c, 0) }))
    .sort((a, b) => b.total - a.total || a.type.localeCompare(b.type));
  const sortedRegions = [...regions].sort((a, b) => (a === 'global' ? -1 : b === 'global' ? 1 : a.localeCompare(b)));
  return { types, regions: sortedRegions, total };
}
