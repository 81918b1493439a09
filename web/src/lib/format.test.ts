import { formatRelative, resourceTypeLabel, shortArn } from './format';

describe('format', () => {
  it('labels CloudFormation resource types for people', () => {
    expect(resourceTypeLabel('AWS::EC2::SecurityGroup')).toBe('EC2 security group');
    expect(resourceTypeLabel('AWS::RDS::DBInstance')).toBe('RDS DB instance');
    expect(resourceTypeLabel('AWS::S3::Bucket')).toBe('S3 bucket');
    expect(resourceTypeLabel('AWS::EC2::NetworkAcl')).toBe('EC2 network ACL');
    expect(resourceTypeLabel('AWS::EC2::VPC')).toBe('EC2 VPC');
    expect(resourceTypeLabel('custom')).toBe('custom');
  });
  it('shortens ARNs to their resource part', () => {
    expect(shortArn('arn:aws:iam::111111111111:user/bob-dev')).toBe('user/bob-dev');
    expect(shortArn(null)).toBe('—');
  });
  it('says how long ago', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    expect(formatRelative('2026-03-10T11:59:50Z', now)).toBe('just now');
    expect(formatRelative('2026-03-10T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelative('2026-03-08T12:00:00Z', now)).toBe('2 days ago');
  });
});
