// Client-side checks that mirror the server's, so forms can say what is wrong before
// sending. The server stays the authority; its answers are shown next to the same fields.

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

export type Errors<K extends string> = Partial<Record<K, string>>;

export function hasErrors(errors: Record<string, string | undefined>): boolean {
  return Object.values(errors).some(Boolean);
}

/** Like the server's `normalise_email`: trimmed, lowercase, with a dot in the domain. */
export function emailError(raw: string): string | undefined {
  const email = raw.trim();
  if (!email) return 'Enter your email address.';
  if (email.length > 254) return 'An email address is at most 254 characters.';
  const at = email.lastIndexOf('@');
  if (at < 1 || at === email.length - 1 || /\s/.test(email)) return 'Enter a valid email address, like name@company.com.';
  const domain = email.slice(at + 1);
  if (!domain.includes('.') || domain.startsWith('.') || domain.endsWith('.') || domain.includes('..')) {
    return 'Enter a valid email address, like name@company.com.';
  }
  return undefined;
}

export function passwordError(password: string): string | undefined {
  const length = [...password].length;
  if (length === 0) return 'Enter a password.';
  if (length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  return undefined;
}

export function nameError(name: string, what: string, max: number): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return `Enter ${what}.`;
  if ([...trimmed].length > max) return `Use at most ${max} characters.`;
  return undefined;
}

const PARTITIONS = ['aws', 'aws-us-gov', 'aws-cn'];
const NAME_CHAR = /^[A-Za-z0-9+=,.@_-]+$/;

/** Mirrors `RoleArn::parse`: `arn:<partition>:iam::<12 digits>:role/[path/]<name>`. */
export function roleArnError(raw: string): string | undefined {
  const arn = raw.trim();
  if (!arn) return 'Paste the RoleArn output of the stack.';
  if (arn.length > 2048) return 'A role ARN is at most 2048 characters.';
  const parts = arn.split(':');
  if (parts.length < 6) return 'Expected arn:aws:iam::<12-digit account>:role/<name>.';
  const [prefix, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(':');
  if (prefix !== 'arn') return 'A role ARN starts with "arn:".';
  if (!PARTITIONS.includes(partition)) return `Unknown partition "${partition}" (expected aws, aws-us-gov or aws-cn).`;
  if (service !== 'iam') return `The service must be "iam", not "${service}".`;
  if (region !== '') return 'IAM ARNs have no region: expected "iam::" followed by the account.';
  if (!/^\d{12}$/.test(account)) return 'The account must be 12 digits.';
  if (!resource.startsWith('role/')) return 'The resource must be role/<name> (a role, not a user or policy).';
  const rest = resource.slice('role/'.length);
  const name = rest.slice(rest.lastIndexOf('/') + 1);
  if (!name || name.length > 64 || !NAME_CHAR.test(name)) return 'The role name must be 1 to 64 letters, digits or +=,.@_-.';
  const path = rest.slice(0, rest.lastIndexOf('/') + 1);
  if (path && (path.includes('//') || !/^[A-Za-z0-9+=,.@_/-]*$/.test(path))) return 'The role path is not valid.';
  return undefined;
}

/** The 12-digit account of a role ARN, when it parses. */
export function accountOfRoleArn(raw: string): string | undefined {
  return roleArnError(raw) ? undefined : raw.trim().split(':')[4];
}

/** An IPv4 or IPv6 address (loosely: the server parses it properly). */
export function ipError(raw: string): string | undefined {
  const ip = raw.trim();
  if (!ip) return 'Enter an IP address.';
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) return v4.slice(1).every((o) => Number(o) <= 255) ? undefined : 'Each part of an IPv4 address is 0 to 255.';
  if (ip.includes(':') && /^[0-9a-fA-F:.]+$/.test(ip) && ip.split('::').length <= 2) return undefined;
  return 'Enter an IPv4 or IPv6 address, like 203.0.113.10.';
}

/** Longest webhook URL the server accepts. */
export const WEBHOOK_URL_MAX = 2048;

/**
 * An absolute http(s) URL with a host and no user name or password, like the server's
 * `parse_target`. Whether plain http and internal addresses are allowed is the server's
 * setting: it says so when it refuses one.
 */
export function webhookUrlError(raw: string): string | undefined {
  const value = raw.trim();
  if (!value) return 'Enter the URL Vigil should post events to.';
  if (value.length > WEBHOOK_URL_MAX) return `A URL is at most ${WEBHOOK_URL_MAX} characters.`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter an absolute URL, like https://hooks.example.com/vigil.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'The URL must start with https://.';
  if (!url.hostname) return 'The URL has no host.';
  if (url.username || url.password) return 'Leave the user name and password out of the URL.';
  return undefined;
}

const REGION_NAME = /^[a-z]{2}(-[a-z]{1,16})+-\d{1,2}$/;

/**
 * Mirrors the server's `regions::parse_list`: a comma- or space-separated list of region
 * names, sorted and once each; empty means every region the account has enabled (null).
 */
export function parseRegions(raw: string): { regions: string[] | null; error?: string } {
  const names = raw.split(/[\s,]+/).filter(Boolean);
  if (names.length === 0) return { regions: null };
  const bad = names.find((n) => !REGION_NAME.test(n));
  if (bad) return { regions: null, error: `"${bad}" is not an AWS region name (e.g. eu-west-1).` };
  const regions = [...new Set(names)].sort();
  if (regions.length > 64) return { regions: null, error: 'Name at most 64 regions.' };
  return { regions };
}
