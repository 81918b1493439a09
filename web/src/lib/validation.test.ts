import { accountOfRoleArn, emailError, ipError, nameError, passwordError, roleArnError, webhookUrlError } from './validation';

describe('emailError', () => {
  it('accepts addresses the server accepts', () => {
    expect(emailError('alice@example.com')).toBeUndefined();
    expect(emailError('  Alice@Example.COM ')).toBeUndefined();
  });
  it.each(['', 'alice', 'alice@', '@example.com', 'alice@localhost', 'a b@example.com', 'alice@example.'])('refuses %j', (bad) => {
    expect(emailError(bad)).toBeDefined();
  });
});

describe('passwordError', () => {
  it('counts characters, not bytes, like the server', () => {
    expect(passwordError('short')).toMatch(/at least 10/);
    expect(passwordError('ten chars!')).toBeUndefined();
    expect(passwordError('é'.repeat(256))).toBeUndefined();
    expect(passwordError('a'.repeat(257))).toMatch(/at most 256/);
    expect(passwordError('')).toBe('Enter a password.');
  });
});

describe('nameError', () => {
  it('trims and bounds the length', () => {
    expect(nameError('   ', 'a name', 100)).toBe('Enter a name.');
    expect(nameError('prod', 'a name', 100)).toBeUndefined();
    expect(nameError('x'.repeat(101), 'a name', 100)).toMatch(/at most 100/);
  });
});

describe('roleArnError', () => {
  it('accepts role ARNs with and without a path', () => {
    expect(roleArnError('arn:aws:iam::123456789012:role/VigilReadOnly')).toBeUndefined();
    expect(roleArnError(' arn:aws:iam::123456789012:role/security/Vigil-ReadOnly ')).toBeUndefined();
    expect(roleArnError('arn:aws-us-gov:iam::123456789012:role/x')).toBeUndefined();
  });
  it('explains what is wrong, like RoleArn::parse', () => {
    expect(roleArnError('')).toMatch(/Paste/);
    expect(roleArnError('VigilReadOnly')).toMatch(/Expected arn:aws:iam/);
    expect(roleArnError('arn:aws:sts::123456789012:assumed-role/x/y')).toMatch(/service must be "iam"/);
    expect(roleArnError('arn:aws:iam:us-east-1:123456789012:role/x')).toMatch(/no region/);
    expect(roleArnError('arn:aws:iam::12345:role/x')).toMatch(/12 digits/);
    expect(roleArnError('arn:aws:iam::123456789012:user/alice')).toMatch(/a role, not a user/);
    expect(roleArnError('arn:aws:iam::123456789012:role/bad name')).toMatch(/role name/);
    expect(roleArnError('arn:azure:iam::123456789012:role/x')).toMatch(/partition/);
  });
  it('reads the account of a valid ARN', () => {
    expect(accountOfRoleArn('arn:aws:iam::210987654321:role/VigilReadOnly')).toBe('210987654321');
    expect(accountOfRoleArn('nope')).toBeUndefined();
  });
});

describe('ipError', () => {
  it('accepts IPv4 and IPv6 and refuses the rest', () => {
    expect(ipError('203.0.113.10')).toBeUndefined();
    expect(ipError('2001:db8::1')).toBeUndefined();
    expect(ipError('256.1.1.1')).toMatch(/0 to 255/);
    expect(ipError('example.com')).toBeDefined();
    expect(ipError('')).toBeDefined();
  });
});

describe('webhookUrlError', () => {
  it('accepts absolute http and https URLs', () => {
    expect(webhookUrlError('https://hooks.example.com/vigil?token=abc')).toBeUndefined();
    expect(webhookUrlError('  http://127.0.0.1:8080/hook ')).toBeUndefined();
    expect(webhookUrlError('https://[2001:db8::1]/hook')).toBeUndefined();
  });

  it('refuses what the server would refuse for its form', () => {
    expect(webhookUrlError('')).toMatch(/Enter the URL/);
    expect(webhookUrlError('hooks.example.com/vigil')).toMatch(/absolute URL/);
    expect(webhookUrlError('/relative/path')).toMatch(/absolute URL/);
    expect(webhookUrlError('ftp://hooks.example.com/')).toMatch(/https:\/\//);
    expect(webhookUrlError('mailto:ops@example.com')).toMatch(/https:\/\//);
    expect(webhookUrlError('https://user:pass@hooks.example.com/')).toMatch(/user name and password/);
    expect(webhookUrlError(`https://hooks.example.com/${'a'.repeat(2048)}`)).toMatch(/at most 2048/);
  });
});
