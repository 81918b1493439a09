import { CORRELATION_TEMPLATE, RULE_TEMPLATE, isCorrelation, ruleErrorText } from './Rules';

describe('ruleErrorText', () => {
  it('says where in the YAML the problem is', () => {
    expect(ruleErrorText('The rule cannot be used: unknown modifier.', { line: 7, field: 'detection.selection' })).toBe(
      'Line 7, field detection.selection: The rule cannot be used: unknown modifier.',
    );
    expect(ruleErrorText('Bad.', { field: 'title' })).toBe('Field title: Bad.');
    expect(ruleErrorText('Bad.', undefined)).toBe('Bad.');
  });
});

describe('isCorrelation', () => {
  it('tells a correlation from a single-event rule by its top-level section', () => {
    expect(isCorrelation(CORRELATION_TEMPLATE)).toBe(true);
    expect(isCorrelation(RULE_TEMPLATE)).toBe(false);
    expect(isCorrelation('title: T\ndescription: not a correlation: really\n')).toBe(false);
  });
});
