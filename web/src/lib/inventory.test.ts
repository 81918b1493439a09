import { summariseInventory } from './inventory';

describe('summariseInventory', () => {
  it('counts by type and region, biggest types first and global first among regions', () => {
    const inv = summariseInventory([
      { resourceType: 'AWS::EC2::SecurityGroup', region: 'us-east-1' },
      { resourceType: 'AWS::EC2::SecurityGroup', region: 'eu-west-1' },
      { resourceType: 'AWS::EC2::SecurityGroup', region: 'us-east-1' },
      { resourceType: 'AWS::S3::Bucket', region: 'global' },
    ]);
    expect(inv.total).toBe(4);
    expect(inv.regions).toEqual(['global', 'eu-west-1', 'us-east-1']);
    expect(inv.types.map((t) => [t.type, t.total])).toEqual([
      ['AWS::EC2::SecurityGroup', 3],
      ['AWS::S3::Bucket', 1],
    ]);
    expect(inv.types[0].byRegion.get('us-east-1')).toBe(2);
  });
});
