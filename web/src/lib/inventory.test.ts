import { summariseInventory } from './inventory';

describe('summariseInventory', () => {
  it('arranges counts by type and region, biggest types first and global first among regions', () => {
    const inv = summariseInventory([
      { resourceType: 'AWS::EC2::SecurityGroup', region: 'us-east-1', count: 2 },
      { resourceType: 'AWS::EC2::SecurityGroup', region: 'eu-west-1', count: 1 },
      { resourceType: 'AWS::S3::Bucket', region: 'global', count: 1 },
    ]);
    expect(inv.total).toBe(4);
    expect(inv.regions).toEqual(['global', 'eu-west-1', 'us-east-1']);
    expect(inv.types.map((t) => [t.type, t.total])).toEqual([
      ['AWS::EC2::SecurityGroup', 3],
      ['AWS::S3::Bucket', 1],
    ]);
    expect(inv.types[0].byRegion.get('us-east-1')).toBe(2);
  });

  it('orders types of equal count by name, adds up repeated cells and leaves empty ones out', () => {
    const inv = summariseInventory([
      { resourceType: 'AWS::S3::Bucket', region: 'global', count: 2 },
      { resourceType: 'AWS::EC2::Volume', region: 'eu-west-1', count: 1 },
      { resourceType: 'AWS::EC2::Volume', region: 'eu-west-1', count: 1 },
      { resourceType: 'AWS::RDS::DBInstance', region: 'ap-south-1', count: 0 },
    ]);
    expect(inv.total).toBe(4);
    expect(inv.regions).toEqual(['global', 'eu-west-1']);
    expect(inv.types.map((t) => [t.type, t.total])).toEqual([
      ['AWS::EC2::Volume', 2],
      ['AWS::S3::Bucket', 2],
    ]);
    expect(summariseInventory([])).toEqual({ types: [], regions: [], total: 0 });
  });
});
