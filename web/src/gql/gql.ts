/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Me {\n    me {\n      id\n      email\n      role\n      tenant {\n        id\n        name\n        plan\n        trialEndsAt\n        trialDaysLeft\n      }\n    }\n    access {\n      role\n      permissions\n      grantableRoles\n    }\n  }\n": typeof types.MeDocument,
    "\n  query AccountNames {\n    awsAccounts {\n      id\n      name\n      accountId\n      status\n    }\n  }\n": typeof types.AccountNamesDocument,
    "\n  query Accounts {\n    awsAccounts {\n      id\n      name\n      status\n      accountId\n      roleArn\n      error\n      lastVerifiedAt\n      lastActivityAt\n      trailArn\n      ingestionProblems {\n        kind\n        message\n        count\n        lastSeenAt\n      }\n      createdAt\n      lastJobFailure {\n        kind\n        error\n        failedAt\n        attempts\n        rescues\n      }\n      lastScan {\n        id\n        status\n        trigger\n        createdAt\n        startedAt\n        finishedAt\n        regionsUnchanged\n        regionsDone\n        regionsTotal\n        findingsOpened\n        findingsResolved\n        resourcesSeen\n        error\n        problems {\n          region\n          service\n          operation\n          message\n        }\n      }\n    }\n  }\n": typeof types.AccountsDocument,
    "\n  mutation StartScan($awsAccountId: ID!) {\n    startScan(awsAccountId: $awsAccountId) {\n      id\n      status\n      awsAccountId\n    }\n  }\n": typeof types.StartScanDocument,
    "\n  mutation RenameAccount($id: ID!, $name: String!) {\n    renameAwsAccount(id: $id, name: $name) {\n      id\n      name\n    }\n  }\n": typeof types.RenameAccountDocument,
    "\n  mutation DeleteAccount($id: ID!) {\n    deleteAwsAccount(id: $id)\n  }\n": typeof types.DeleteAccountDocument,
    "\n  fragment AlertFields on Alert {\n    id\n    ruleId\n    title\n    severity\n    status\n    awsAccountId\n    region\n    eventName\n    eventSource\n    principalArn\n    sourceIpAddress\n    sourceResource\n    occurredAt\n    firstSeenAt\n    lastSeenAt\n    eventId\n    eventIds\n    eventCount\n    description\n    runbook\n    techniques\n    acknowledgedBy\n  }\n": typeof types.AlertFieldsFragmentDoc,
    "\n  query Alerts($first: Int, $after: String, $filter: AlertFilter, $orderBy: AlertOrder) {\n    alerts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AlertFields\n        }\n      }\n    }\n  }\n": typeof types.AlertsDocument,
    "\n  query Alert($id: ID!) {\n    alert(id: $id) {\n      ...AlertFields\n    }\n  }\n": typeof types.AlertDocument,
    "\n  query AlertEvent($filter: EventFilter!) {\n    events(first: 50, filter: $filter) {\n      edges {\n        node {\n          id\n          eventId\n          eventName\n          eventSource\n          region\n          principalArn\n          principalType\n          accessKeyId\n          sourceIpAddress\n          userAgent\n          occurredAt\n          errorCode\n          raw\n        }\n      }\n    }\n  }\n": typeof types.AlertEventDocument,
    "\n  query AlertSequence($id: ID!) {\n    alert(id: $id) {\n      id\n      sequenceSteps {\n        step\n        name\n        occurredAt\n        eventId\n        alert {\n          id\n          title\n          severity\n          principalArn\n          sourceIpAddress\n          region\n          eventName\n        }\n      }\n      sequenceAlerts {\n        id\n        title\n        severity\n        lastSeenAt\n      }\n    }\n  }\n": typeof types.AlertSequenceDocument,
    "\n  query IpHolder($ip: String!, $at: DateTime) {\n    resourcesByIp(ip: $ip, at: $at) {\n      ip\n      public\n      heldFrom\n      heldUntil\n      asset {\n        id\n        resourceType\n        resourceId\n        region\n      }\n    }\n  }\n": typeof types.IpHolderDocument,
    "\n  mutation AcknowledgeAlert($id: ID!) {\n    acknowledgeAlert(id: $id) {\n      id\n      status\n      acknowledgedBy\n    }\n  }\n": typeof types.AcknowledgeAlertDocument,
    "\n  mutation CloseAlert($id: ID!) {\n    closeAlert(id: $id) {\n      id\n      status\n      acknowledgedBy\n    }\n  }\n": typeof types.CloseAlertDocument,
    "\n  query Assets($first: Int, $after: String, $filter: AssetFilter, $orderBy: AssetOrder) {\n    assets(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          awsAccountId\n          region\n          resourceType\n          resourceId\n          resourceArn\n          firstSeenAt\n          lastSeenAt\n          deletedAt\n        }\n      }\n    }\n  }\n": typeof types.AssetsDocument,
    "\n  query AssetCounts($filter: AssetFilter) {\n    assetCounts(filter: $filter) {\n      resourceType\n      region\n      count\n    }\n  }\n": typeof types.AssetCountsDocument,
    "\n  query Asset($id: ID!) {\n    asset(id: $id) {\n      id\n      awsAccountId\n      region\n      resourceType\n      resourceId\n      resourceArn\n      configuration\n      tags\n      firstSeenAt\n      lastSeenAt\n      deletedAt\n      changes(first: 20) {\n        kind\n        changedAt\n        scanId\n        configuration\n      }\n    }\n  }\n": typeof types.AssetDocument,
    "\n  query IpLookup($ip: String!, $at: DateTime) {\n    resourcesByIp(ip: $ip, at: $at) {\n      ip\n      public\n      heldFrom\n      heldUntil\n      asset {\n        id\n        awsAccountId\n        resourceType\n        resourceId\n        region\n        deletedAt\n      }\n    }\n  }\n": typeof types.IpLookupDocument,
    "\n  mutation CreateAccount($name: String!) {\n    createAwsAccount(input: { name: $name }) {\n      id\n      name\n      status\n      externalId\n    }\n  }\n": typeof types.CreateAccountDocument,
    "\n  query ConnectAccount($id: ID!) {\n    awsAccount(id: $id) {\n      id\n      name\n      status\n      accountId\n      externalId\n      roleArn\n      error\n      lastVerifiedAt\n      setup {\n        trustedPrincipalArn\n        cloudFormationTemplate\n        launchStackUrl\n      }\n      lastScan {\n        id\n        status\n        regionsDone\n        regionsTotal\n        resourcesSeen\n        findingsOpened\n        startedAt\n        finishedAt\n        error\n        problems {\n          region\n          service\n          operation\n          message\n        }\n      }\n    }\n  }\n": typeof types.ConnectAccountDocument,
    "\n  mutation VerifyAccount($id: ID!, $roleArn: String!) {\n    verifyAwsAccount(id: $id, roleArn: $roleArn) {\n      id\n      status\n      accountId\n      roleArn\n      error\n      lastVerifiedAt\n      lastScan {\n        id\n        status\n        regionsDone\n        regionsTotal\n      }\n    }\n  }\n": typeof types.VerifyAccountDocument,
    "\n  query FirstFindings($awsAccountId: ID!) {\n    findings(first: 8, filter: { awsAccountId: $awsAccountId, status: [OPEN] }) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          severity\n          region\n          resourceType\n          resourceId\n        }\n      }\n    }\n  }\n": typeof types.FirstFindingsDocument,
    "\n  subscription ScanProgress($id: ID!) {\n    scanProgress(scanId: $id) {\n      id\n      status\n      regionsDone\n      regionsTotal\n      findingsOpened\n      resourcesSeen\n    }\n  }\n": typeof types.ScanProgressDocument,
    "\n  query Dashboard {\n    findingSummary {\n      total\n      bySeverity {\n        severity\n        count\n      }\n      byRule {\n        ruleId\n        title\n        severity\n        count\n      }\n    }\n    awsAccounts {\n      id\n      name\n      status\n      accountId\n      error\n      lastActivityAt\n      lastScan {\n        id\n        status\n        createdAt\n        finishedAt\n        regionsDone\n        regionsTotal\n        findingsOpened\n      }\n    }\n    recentAlerts: alerts(first: 6) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          severity\n          status\n          lastSeenAt\n          principalArn\n          sourceIpAddress\n          eventCount\n        }\n      }\n    }\n    openAlerts: alerts(first: 1, filter: { status: [OPEN] }) {\n      totalCount\n    }\n  }\n": typeof types.DashboardDocument,
    "\n  query AlertsPerDay($since: DateTime!, $timeZone: String) {\n    alertCountsByDay(since: $since, timeZone: $timeZone) {\n      day\n      severity\n      count\n    }\n  }\n": typeof types.AlertsPerDayDocument,
    "\n  query Findings($first: Int, $after: String, $filter: FindingFilter, $orderBy: FindingOrder) {\n    findings(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ruleId\n          title\n          severity\n          status\n          awsAccountId\n          region\n          resourceType\n          resourceId\n          lastSeenAt\n          firstSeenAt\n        }\n      }\n    }\n  }\n": typeof types.FindingsDocument,
    "\n  query Finding($id: ID!) {\n    finding(id: $id) {\n      id\n      ruleId\n      title\n      severity\n      status\n      awsAccountId\n      region\n      resourceType\n      resourceId\n      resourceArn\n      description\n      remediation\n      compliance\n      evidence\n      firstSeenAt\n      lastSeenAt\n      resolvedAt\n      suppressedReason\n      suppressedUntil\n      suppressedBy\n    }\n  }\n": typeof types.FindingDocument,
    "\n  mutation SuppressFinding($id: ID!, $reason: String!, $until: DateTime) {\n    suppressFinding(id: $id, reason: $reason, until: $until) {\n      id\n      status\n      suppressedReason\n      suppressedUntil\n      suppressedBy\n    }\n  }\n": typeof types.SuppressFindingDocument,
    "\n  mutation UnsuppressFinding($id: ID!) {\n    unsuppressFinding(id: $id) {\n      id\n      status\n      suppressedReason\n      suppressedUntil\n      suppressedBy\n    }\n  }\n": typeof types.UnsuppressFindingDocument,
    "\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      prefix\n      role\n      createdAt\n      lastUsedAt\n      revokedAt\n    }\n  }\n": typeof types.ApiKeysDocument,
    "\n  mutation CreateApiKey($name: String!, $role: Role) {\n    createApiKey(name: $name, role: $role) {\n      key\n      apiKey {\n        id\n        name\n        prefix\n        role\n        createdAt\n      }\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": typeof types.RevokeApiKeyDocument,
    "\n  query AuditLog($first: Int, $after: String) {\n    auditLog(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          occurredAt\n          action\n          actor\n          target\n          sourceIp\n          details\n        }\n      }\n    }\n  }\n": typeof types.AuditLogDocument,
    "\n  query DetectionRules {\n    detectionRules {\n      id\n      title\n      description\n      severity\n      techniques\n      runbook\n      builtin\n      enabled\n      yaml\n      updatedAt\n    }\n  }\n": typeof types.DetectionRulesDocument,
    "\n  query TestDetectionRule($yaml: String!, $since: DateTime) {\n    testDetectionRule(yaml: $yaml, since: $since) {\n      scanned\n      matched\n      matchedEventIds\n    }\n  }\n": typeof types.TestDetectionRuleDocument,
    "\n  mutation CreateDetectionRule($yaml: String!) {\n    createDetectionRule(yaml: $yaml) {\n      id\n      title\n      enabled\n    }\n  }\n": typeof types.CreateDetectionRuleDocument,
    "\n  mutation UpdateDetectionRule($id: ID!, $enabled: Boolean) {\n    updateDetectionRule(id: $id, enabled: $enabled) {\n      id\n      enabled\n      updatedAt\n    }\n  }\n": typeof types.UpdateDetectionRuleDocument,
    "\n  mutation DeleteDetectionRule($id: ID!) {\n    deleteDetectionRule(id: $id)\n  }\n": typeof types.DeleteDetectionRuleDocument,
    "\n  query Team {\n    users {\n      id\n      email\n      role\n      createdAt\n    }\n  }\n": typeof types.TeamDocument,
    "\n  mutation InviteUser($email: String!, $role: Role!) {\n    inviteUser(email: $email, role: $role) {\n      id\n      email\n      role\n      expiresAt\n      token\n      url\n    }\n  }\n": typeof types.InviteUserDocument,
    "\n  mutation ChangeUserRole($userId: ID!, $role: Role!) {\n    changeUserRole(userId: $userId, role: $role) {\n      id\n      role\n    }\n  }\n": typeof types.ChangeUserRoleDocument,
    "\n  query Invitations {\n    invitations {\n      id\n      email\n      role\n      createdAt\n      expiresAt\n    }\n  }\n": typeof types.InvitationsDocument,
    "\n  mutation RevokeInvitation($id: ID!) {\n    revokeInvitation(id: $id) {\n      id\n    }\n  }\n": typeof types.RevokeInvitationDocument,
    "\n  mutation RemoveUser($userId: ID!) {\n    removeUser(userId: $userId)\n  }\n": typeof types.RemoveUserDocument,
    "\n  query WebhookDeliveries($id: ID!, $first: Int!) {\n    webhook(id: $id) {\n      id\n      deliveries(first: $first) {\n        totalCount\n        edges {\n          node {\n            id\n            event\n            subjectId\n            status\n            attempts\n            responseCode\n            lastError\n            requestBody\n            createdAt\n            lastAttemptAt\n            deliveredAt\n          }\n        }\n      }\n    }\n  }\n": typeof types.WebhookDeliveriesDocument,
    "\n  mutation TestWebhook($id: ID!) {\n    testWebhook(id: $id) {\n      id\n      status\n    }\n  }\n": typeof types.TestWebhookDocument,
    "\n  fragment WebhookFields on Webhook {\n    id\n    name\n    url\n    events\n    minSeverity\n    format\n    enabled\n    createdBy\n    createdAt\n    updatedAt\n  }\n": typeof types.WebhookFieldsFragmentDoc,
    "\n  query Webhooks {\n    webhooks {\n      ...WebhookFields\n    }\n  }\n": typeof types.WebhooksDocument,
    "\n  mutation CreateWebhook($url: String!, $events: [WebhookEvent!]!, $minSeverity: Severity!, $format: WebhookFormat!, $name: String) {\n    createWebhook(url: $url, events: $events, minSeverity: $minSeverity, format: $format, name: $name) {\n      secret\n      webhook {\n        ...WebhookFields\n      }\n    }\n  }\n": typeof types.CreateWebhookDocument,
    "\n  mutation UpdateWebhook(\n    $id: ID!\n    $name: String\n    $url: String\n    $events: [WebhookEvent!]\n    $minSeverity: Severity\n    $format: WebhookFormat\n    $enabled: Boolean\n  ) {\n    updateWebhook(id: $id, name: $name, url: $url, events: $events, minSeverity: $minSeverity, format: $format, enabled: $enabled) {\n      ...WebhookFields\n    }\n  }\n": typeof types.UpdateWebhookDocument,
    "\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id) {\n      secret\n      webhook {\n        ...WebhookFields\n      }\n    }\n  }\n": typeof types.RotateWebhookSecretDocument,
    "\n  mutation DeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n": typeof types.DeleteWebhookDocument,
};
const documents: Documents = {
    "\n  query Me {\n    me {\n      id\n      email\n      role\n      tenant {\n        id\n        name\n        plan\n        trialEndsAt\n        trialDaysLeft\n      }\n    }\n    access {\n      role\n      permissions\n      grantableRoles\n    }\n  }\n": types.MeDocument,
    "\n  query AccountNames {\n    awsAccounts {\n      id\n      name\n      accountId\n      status\n    }\n  }\n": types.AccountNamesDocument,
    "\n  query Accounts {\n    awsAccounts {\n      id\n      name\n      status\n      accountId\n      roleArn\n      error\n      lastVerifiedAt\n      lastActivityAt\n      trailArn\n      ingestionProblems {\n        kind\n        message\n        count\n        lastSeenAt\n      }\n      createdAt\n      lastJobFailure {\n        kind\n        error\n        failedAt\n        attempts\n        rescues\n      }\n      lastScan {\n        id\n        status\n        trigger\n        createdAt\n        startedAt\n        finishedAt\n        regionsUnchanged\n        regionsDone\n        regionsTotal\n        findingsOpened\n        findingsResolved\n        resourcesSeen\n        error\n        problems {\n          region\n          service\n          operation\n          message\n        }\n      }\n    }\n  }\n": types.AccountsDocument,
    "\n  mutation StartScan($awsAccountId: ID!) {\n    startScan(awsAccountId: $awsAccountId) {\n      id\n      status\n      awsAccountId\n    }\n  }\n": types.StartScanDocument,
    "\n  mutation RenameAccount($id: ID!, $name: String!) {\n    renameAwsAccount(id: $id, name: $name) {\n      id\n      name\n    }\n  }\n": types.RenameAccountDocument,
    "\n  mutation DeleteAccount($id: ID!) {\n    deleteAwsAccount(id: $id)\n  }\n": types.DeleteAccountDocument,
    "\n  fragment AlertFields on Alert {\n    id\n    ruleId\n    title\n    severity\n    status\n    awsAccountId\n    region\n    eventName\n    eventSource\n    principalArn\n    sourceIpAddress\n    sourceResource\n    occurredAt\n    firstSeenAt\n    lastSeenAt\n    eventId\n    eventIds\n    eventCount\n    description\n    runbook\n    techniques\n    acknowledgedBy\n  }\n": types.AlertFieldsFragmentDoc,
    "\n  query Alerts($first: Int, $after: String, $filter: AlertFilter, $orderBy: AlertOrder) {\n    alerts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AlertFields\n        }\n      }\n    }\n  }\n": types.AlertsDocument,
    "\n  query Alert($id: ID!) {\n    alert(id: $id) {\n      ...AlertFields\n    }\n  }\n": types.AlertDocument,
    "\n  query AlertEvent($filter: EventFilter!) {\n    events(first: 50, filter: $filter) {\n      edges {\n        node {\n          id\n          eventId\n          eventName\n          eventSource\n          region\n          principalArn\n          principalType\n          accessKeyId\n          sourceIpAddress\n          userAgent\n          occurredAt\n          errorCode\n          raw\n        }\n      }\n    }\n  }\n": types.AlertEventDocument,
    "\n  query AlertSequence($id: ID!) {\n    alert(id: $id) {\n      id\n      sequenceSteps {\n        step\n        name\n        occurredAt\n        eventId\n        alert {\n          id\n          title\n          severity\n          principalArn\n          sourceIpAddress\n          region\n          eventName\n        }\n      }\n      sequenceAlerts {\n        id\n        title\n        severity\n        lastSeenAt\n      }\n    }\n  }\n": types.AlertSequenceDocument,
    "\n  query IpHolder($ip: String!, $at: DateTime) {\n    resourcesByIp(ip: $ip, at: $at) {\n      ip\n      public\n      heldFrom\n      heldUntil\n      asset {\n        id\n        resourceType\n        resourceId\n        region\n      }\n    }\n  }\n": types.IpHolderDocument,
    "\n  mutation AcknowledgeAlert($id: ID!) {\n    acknowledgeAlert(id: $id) {\n      id\n      status\n      acknowledgedBy\n    }\n  }\n": types.AcknowledgeAlertDocument,
    "\n  mutation CloseAlert($id: ID!) {\n    closeAlert(id: $id) {\n      id\n      status\n      acknowledgedBy\n    }\n  }\n": types.CloseAlertDocument,
    "\n  query Assets($first: Int, $after: String, $filter: AssetFilter, $orderBy: AssetOrder) {\n    assets(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          awsAccountId\n          region\n          resourceType\n          resourceId\n          resourceArn\n          firstSeenAt\n          lastSeenAt\n          deletedAt\n        }\n      }\n    }\n  }\n": types.AssetsDocument,
    "\n  query AssetCounts($filter: AssetFilter) {\n    assetCounts(filter: $filter) {\n      resourceType\n      region\n      count\n    }\n  }\n": types.AssetCountsDocument,
    "\n  query Asset($id: ID!) {\n    asset(id: $id) {\n      id\n      awsAccountId\n      region\n      resourceType\n      resourceId\n      resourceArn\n      configuration\n      tags\n      firstSeenAt\n      lastSeenAt\n      deletedAt\n      changes(first: 20) {\n        kind\n        changedAt\n        scanId\n        configuration\n      }\n    }\n  }\n": types.AssetDocument,
    "\n  query IpLookup($ip: String!, $at: DateTime) {\n    resourcesByIp(ip: $ip, at: $at) {\n      ip\n      public\n      heldFrom\n      heldUntil\n      asset {\n        id\n        awsAccountId\n        resourceType\n        resourceId\n        region\n        deletedAt\n      }\n    }\n  }\n": types.IpLookupDocument,
    "\n  mutation CreateAccount($name: String!) {\n    createAwsAccount(input: { name: $name }) {\n      id\n      name\n      status\n      externalId\n    }\n  }\n": types.CreateAccountDocument,
    "\n  query ConnectAccount($id: ID!) {\n    awsAccount(id: $id) {\n      id\n      name\n      status\n      accountId\n      externalId\n      roleArn\n      error\n      lastVerifiedAt\n      setup {\n        trustedPrincipalArn\n        cloudFormationTemplate\n        launchStackUrl\n      }\n      lastScan {\n        id\n        status\n        regionsDone\n        regionsTotal\n        resourcesSeen\n        findingsOpened\n        startedAt\n        finishedAt\n        error\n        problems {\n          region\n          service\n          operation\n          message\n        }\n      }\n    }\n  }\n": types.ConnectAccountDocument,
    "\n  mutation VerifyAccount($id: ID!, $roleArn: String!) {\n    verifyAwsAccount(id: $id, roleArn: $roleArn) {\n      id\n      status\n      accountId\n      roleArn\n      error\n      lastVerifiedAt\n      lastScan {\n        id\n        status\n        regionsDone\n        regionsTotal\n      }\n    }\n  }\n": types.VerifyAccountDocument,
    "\n  query FirstFindings($awsAccountId: ID!) {\n    findings(first: 8, filter: { awsAccountId: $awsAccountId, status: [OPEN] }) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          severity\n          region\n          resourceType\n          resourceId\n        }\n      }\n    }\n  }\n": types.FirstFindingsDocument,
    "\n  subscription ScanProgress($id: ID!) {\n    scanProgress(scanId: $id) {\n      id\n      status\n      regionsDone\n      regionsTotal\n      findingsOpened\n      resourcesSeen\n    }\n  }\n": types.ScanProgressDocument,
    "\n  query Dashboard {\n    findingSummary {\n      total\n      bySeverity {\n        severity\n        count\n      }\n      byRule {\n        ruleId\n        title\n        severity\n        count\n      }\n    }\n    awsAccounts {\n      id\n      name\n      status\n      accountId\n      error\n      lastActivityAt\n      lastScan {\n        id\n        status\n        createdAt\n        finishedAt\n        regionsDone\n        regionsTotal\n        findingsOpened\n      }\n    }\n    recentAlerts: alerts(first: 6) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          severity\n          status\n          lastSeenAt\n          principalArn\n          sourceIpAddress\n          eventCount\n        }\n      }\n    }\n    openAlerts: alerts(first: 1, filter: { status: [OPEN] }) {\n      totalCount\n    }\n  }\n": types.DashboardDocument,
    "\n  query AlertsPerDay($since: DateTime!, $timeZone: String) {\n    alertCountsByDay(since: $since, timeZone: $timeZone) {\n      day\n      severity\n      count\n    }\n  }\n": types.AlertsPerDayDocument,
    "\n  query Findings($first: Int, $after: String, $filter: FindingFilter, $orderBy: FindingOrder) {\n    findings(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ruleId\n          title\n          severity\n          status\n          awsAccountId\n          region\n          resourceType\n          resourceId\n          lastSeenAt\n          firstSeenAt\n        }\n      }\n    }\n  }\n": types.FindingsDocument,
    "\n  query Finding($id: ID!) {\n    finding(id: $id) {\n      id\n      ruleId\n      title\n      severity\n      status\n      awsAccountId\n      region\n      resourceType\n      resourceId\n      resourceArn\n      description\n      remediation\n      compliance\n      evidence\n      firstSeenAt\n      lastSeenAt\n      resolvedAt\n      suppressedReason\n      suppressedUntil\n      suppressedBy\n    }\n  }\n": types.FindingDocument,
    "\n  mutation SuppressFinding($id: ID!, $reason: String!, $until: DateTime) {\n    suppressFinding(id: $id, reason: $reason, until: $until) {\n      id\n      status\n      suppressedReason\n      suppressedUntil\n      suppressedBy\n    }\n  }\n": types.SuppressFindingDocument,
    "\n  mutation UnsuppressFinding($id: ID!) {\n    unsuppressFinding(id: $id) {\n      id\n      status\n      suppressedReason\n      suppressedUntil\n      suppressedBy\n    }\n  }\n": types.UnsuppressFindingDocument,
    "\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      prefix\n      role\n      createdAt\n      lastUsedAt\n      revokedAt\n    }\n  }\n": types.ApiKeysDocument,
    "\n  mutation CreateApiKey($name: String!, $role: Role) {\n    createApiKey(name: $name, role: $role) {\n      key\n      apiKey {\n        id\n        name\n        prefix\n        role\n        createdAt\n      }\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": types.RevokeApiKeyDocument,
    "\n  query AuditLog($first: Int, $after: String) {\n    auditLog(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          occurredAt\n          action\n          actor\n          target\n          sourceIp\n          details\n        }\n      }\n    }\n  }\n": types.AuditLogDocument,
    "\n  query DetectionRules {\n    detectionRules {\n      id\n      title\n      description\n      severity\n      techniques\n      runbook\n      builtin\n      enabled\n      yaml\n      updatedAt\n    }\n  }\n": types.DetectionRulesDocument,
    "\n  query TestDetectionRule($yaml: String!, $since: DateTime) {\n    testDetectionRule(yaml: $yaml, since: $since) {\n      scanned\n      matched\n      matchedEventIds\n    }\n  }\n": types.TestDetectionRuleDocument,
    "\n  mutation CreateDetectionRule($yaml: String!) {\n    createDetectionRule(yaml: $yaml) {\n      id\n      title\n      enabled\n    }\n  }\n": types.CreateDetectionRuleDocument,
    "\n  mutation UpdateDetectionRule($id: ID!, $enabled: Boolean) {\n    updateDetectionRule(id: $id, enabled: $enabled) {\n      id\n      enabled\n      updatedAt\n    }\n  }\n": types.UpdateDetectionRuleDocument,
    "\n  mutation DeleteDetectionRule($id: ID!) {\n    deleteDetectionRule(id: $id)\n  }\n": types.DeleteDetectionRuleDocument,
    "\n  query Team {\n    users {\n      id\n      email\n      role\n      createdAt\n    }\n  }\n": types.TeamDocument,
    "\n  mutation InviteUser($email: String!, $role: Role!) {\n    inviteUser(email: $email, role: $role) {\n      id\n      email\n      role\n      expiresAt\n      token\n      url\n    }\n  }\n": types.InviteUserDocument,
    "\n  mutation ChangeUserRole($userId: ID!, $role: Role!) {\n    changeUserRole(userId: $userId, role: $role) {\n      id\n      role\n    }\n  }\n": types.ChangeUserRoleDocument,
    "\n  query Invitations {\n    invitations {\n      id\n      email\n      role\n      createdAt\n      expiresAt\n    }\n  }\n": types.InvitationsDocument,
    "\n  mutation RevokeInvitation($id: ID!) {\n    revokeInvitation(id: $id) {\n      id\n    }\n  }\n": types.RevokeInvitationDocument,
    "\n  mutation RemoveUser($userId: ID!) {\n    removeUser(userId: $userId)\n  }\n": types.RemoveUserDocument,
    "\n  query WebhookDeliveries($id: ID!, $first: Int!) {\n    webhook(id: $id) {\n      id\n      deliveries(first: $first) {\n        totalCount\n        edges {\n          node {\n            id\n            event\n            subjectId\n            status\n            attempts\n            responseCode\n            lastError\n            requestBody\n            createdAt\n            lastAttemptAt\n            deliveredAt\n          }\n        }\n      }\n    }\n  }\n": types.WebhookDeliveriesDocument,
    "\n  mutation TestWebhook($id: ID!) {\n    testWebhook(id: $id) {\n      id\n      status\n    }\n  }\n": types.TestWebhookDocument,
    "\n  fragment WebhookFields on Webhook {\n    id\n    name\n    url\n    events\n    minSeverity\n    format\n    enabled\n    createdBy\n    createdAt\n    updatedAt\n  }\n": types.WebhookFieldsFragmentDoc,
    "\n  query Webhooks {\n    webhooks {\n      ...WebhookFields\n    }\n  }\n": types.WebhooksDocument,
    "\n  mutation CreateWebhook($url: String!, $events: [WebhookEvent!]!, $minSeverity: Severity!, $format: WebhookFormat!, $name: String) {\n    createWebhook(url: $url, events: $events, minSeverity: $minSeverity, format: $format, name: $name) {\n      secret\n      webhook {\n        ...WebhookFields\n      }\n    }\n  }\n": types.CreateWebhookDocument,
    "\n  mutation UpdateWebhook(\n    $id: ID!\n    $name: String\n    $url: String\n    $events: [WebhookEvent!]\n    $minSeverity: Severity\n    $format: WebhookFormat\n    $enabled: Boolean\n  ) {\n    updateWebhook(id: $id, name: $name, url: $url, events: $events, minSeverity: $minSeverity, format: $format, enabled: $enabled) {\n      ...WebhookFields\n    }\n  }\n": types.UpdateWebhookDocument,
    "\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id) {\n      secret\n      webhook {\n        ...WebhookFields\n      }\n    }\n  }\n": types.RotateWebhookSecretDocument,
    "\n  mutation DeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n": types.DeleteWebhookDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      email\n      role\n      tenant {\n        id\n        name\n        plan\n        trialEndsAt\n        trialDaysLeft\n      }\n    }\n    access {\n      role\n      permissions\n      grantableRoles\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      email\n      role\n      tenant {\n        id\n        name\n        plan\n        trialEndsAt\n        trialDaysLeft\n      }\n    }\n    access {\n      role\n      permissions\n      grantableRoles\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccountNames {\n    awsAccounts {\n      id\n      name\n      accountId\n      status\n    }\n  }\n"): (typeof documents)["\n  query AccountNames {\n    awsAccounts {\n      id\n      name\n      accountId\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Accounts {\n    awsAccounts {\n      id\n      name\n      status\n      accountId\n      roleArn\n      error\n      lastVerifiedAt\n      lastActivityAt\n      trailArn\n      ingestionProblems {\n        kind\n        message\n        count\n        lastSeenAt\n      }\n      createdAt\n      lastJobFailure {\n        kind\n        error\n        failedAt\n        attempts\n        rescues\n      }\n      lastScan {\n        id\n        status\n        trigger\n        createdAt\n        startedAt\n        finishedAt\n        regionsUnchanged\n        regionsDone\n        regionsTotal\n        findingsOpened\n        findingsResolved\n        resourcesSeen\n        error\n        problems {\n          region\n          service\n          operation\n          message\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Accounts {\n    awsAccounts {\n      id\n      name\n      status\n      accountId\n      roleArn\n      error\n      lastVerifiedAt\n      lastActivityAt\n      trailArn\n      ingestionProblems {\n        kind\n        message\n        count\n        lastSeenAt\n      }\n      createdAt\n      lastJobFailure {\n        kind\n        error\n        failedAt\n        attempts\n        rescues\n      }\n      lastScan {\n        id\n        status\n        trigger\n        createdAt\n        startedAt\n        finishedAt\n        regionsUnchanged\n        regionsDone\n        regionsTotal\n        findingsOpened\n        findingsResolved\n        resourcesSeen\n        error\n        problems {\n          region\n          service\n          operation\n          message\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartScan($awsAccountId: ID!) {\n    startScan(awsAccountId: $awsAccountId) {\n      id\n      status\n      awsAccountId\n    }\n  }\n"): (typeof documents)["\n  mutation StartScan($awsAccountId: ID!) {\n    startScan(awsAccountId: $awsAccountId) {\n      id\n      status\n      awsAccountId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RenameAccount($id: ID!, $name: String!) {\n    renameAwsAccount(id: $id, name: $name) {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  mutation RenameAccount($id: ID!, $name: String!) {\n    renameAwsAccount(id: $id, name: $name) {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteAccount($id: ID!) {\n    deleteAwsAccount(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteAccount($id: ID!) {\n    deleteAwsAccount(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AlertFields on Alert {\n    id\n    ruleId\n    title\n    severity\n    status\n    awsAccountId\n    region\n    eventName\n    eventSource\n    principalArn\n    sourceIpAddress\n    sourceResource\n    occurredAt\n    firstSeenAt\n    lastSeenAt\n    eventId\n    eventIds\n    eventCount\n    description\n    runbook\n    techniques\n    acknowledgedBy\n  }\n"): (typeof documents)["\n  fragment AlertFields on Alert {\n    id\n    ruleId\n    title\n    severity\n    status\n    awsAccountId\n    region\n    eventName\n    eventSource\n    principalArn\n    sourceIpAddress\n    sourceResource\n    occurredAt\n    firstSeenAt\n    lastSeenAt\n    eventId\n    eventIds\n    eventCount\n    description\n    runbook\n    techniques\n    acknowledgedBy\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Alerts($first: Int, $after: String, $filter: AlertFilter, $orderBy: AlertOrder) {\n    alerts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AlertFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Alerts($first: Int, $after: String, $filter: AlertFilter, $orderBy: AlertOrder) {\n    alerts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AlertFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Alert($id: ID!) {\n    alert(id: $id) {\n      ...AlertFields\n    }\n  }\n"): (typeof documents)["\n  query Alert($id: ID!) {\n    alert(id: $id) {\n      ...AlertFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AlertEvent($filter: EventFilter!) {\n    events(first: 50, filter: $filter) {\n      edges {\n        node {\n          id\n          eventId\n          eventName\n          eventSource\n          region\n          principalArn\n          principalType\n          accessKeyId\n          sourceIpAddress\n          userAgent\n          occurredAt\n          errorCode\n          raw\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AlertEvent($filter: EventFilter!) {\n    events(first: 50, filter: $filter) {\n      edges {\n        node {\n          id\n          eventId\n          eventName\n          eventSource\n          region\n          principalArn\n          principalType\n          accessKeyId\n          sourceIpAddress\n          userAgent\n          occurredAt\n          errorCode\n          raw\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AlertSequence($id: ID!) {\n    alert(id: $id) {\n      id\n      sequenceSteps {\n        step\n        name\n        occurredAt\n        eventId\n        alert {\n          id\n          title\n          severity\n          principalArn\n          sourceIpAddress\n          region\n          eventName\n        }\n      }\n      sequenceAlerts {\n        id\n        title\n        severity\n        lastSeenAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query AlertSequence($id: ID!) {\n    alert(id: $id) {\n      id\n      sequenceSteps {\n        step\n        name\n        occurredAt\n        eventId\n        alert {\n          id\n          title\n          severity\n          principalArn\n          sourceIpAddress\n          region\n          eventName\n        }\n      }\n      sequenceAlerts {\n        id\n        title\n        severity\n        lastSeenAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IpHolder($ip: String!, $at: DateTime) {\n    resourcesByIp(ip: $ip, at: $at) {\n      ip\n      public\n      heldFrom\n      heldUntil\n      asset {\n        id\n        resourceType\n        resourceId\n        region\n      }\n    }\n  }\n"): (typeof documents)["\n  query IpHolder($ip: String!, $at: DateTime) {\n    resourcesByIp(ip: $ip, at: $at) {\n      ip\n      public\n      heldFrom\n      heldUntil\n      asset {\n        id\n        resourceType\n        resourceId\n        region\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AcknowledgeAlert($id: ID!) {\n    acknowledgeAlert(id: $id) {\n      id\n      status\n      acknowledgedBy\n    }\n  }\n"): (typeof documents)["\n  mutation AcknowledgeAlert($id: ID!) {\n    acknowledgeAlert(id: $id) {\n      id\n      status\n      acknowledgedBy\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CloseAlert($id: ID!) {\n    closeAlert(id: $id) {\n      id\n      status\n      acknowledgedBy\n    }\n  }\n"): (typeof documents)["\n  mutation CloseAlert($id: ID!) {\n    closeAlert(id: $id) {\n      id\n      status\n      acknowledgedBy\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Assets($first: Int, $after: String, $filter: AssetFilter, $orderBy: AssetOrder) {\n    assets(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          awsAccountId\n          region\n          resourceType\n          resourceId\n          resourceArn\n          firstSeenAt\n          lastSeenAt\n          deletedAt\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Assets($first: Int, $after: String, $filter: AssetFilter, $orderBy: AssetOrder) {\n    assets(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          awsAccountId\n          region\n          resourceType\n          resourceId\n          resourceArn\n          firstSeenAt\n          lastSeenAt\n          deletedAt\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AssetCounts($filter: AssetFilter) {\n    assetCounts(filter: $filter) {\n      resourceType\n      region\n      count\n    }\n  }\n"): (typeof documents)["\n  query AssetCounts($filter: AssetFilter) {\n    assetCounts(filter: $filter) {\n      resourceType\n      region\n      count\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Asset($id: ID!) {\n    asset(id: $id) {\n      id\n      awsAccountId\n      region\n      resourceType\n      resourceId\n      resourceArn\n      configuration\n      tags\n      firstSeenAt\n      lastSeenAt\n      deletedAt\n      changes(first: 20) {\n        kind\n        changedAt\n        scanId\n        configuration\n      }\n    }\n  }\n"): (typeof documents)["\n  query Asset($id: ID!) {\n    asset(id: $id) {\n      id\n      awsAccountId\n      region\n      resourceType\n      resourceId\n      resourceArn\n      configuration\n      tags\n      firstSeenAt\n      lastSeenAt\n      deletedAt\n      changes(first: 20) {\n        kind\n        changedAt\n        scanId\n        configuration\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IpLookup($ip: String!, $at: DateTime) {\n    resourcesByIp(ip: $ip, at: $at) {\n      ip\n      public\n      heldFrom\n      heldUntil\n      asset {\n        id\n        awsAccountId\n        resourceType\n        resourceId\n        region\n        deletedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query IpLookup($ip: String!, $at: DateTime) {\n    resourcesByIp(ip: $ip, at: $at) {\n      ip\n      public\n      heldFrom\n      heldUntil\n      asset {\n        id\n        awsAccountId\n        resourceType\n        resourceId\n        region\n        deletedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAccount($name: String!) {\n    createAwsAccount(input: { name: $name }) {\n      id\n      name\n      status\n      externalId\n    }\n  }\n"): (typeof documents)["\n  mutation CreateAccount($name: String!) {\n    createAwsAccount(input: { name: $name }) {\n      id\n      name\n      status\n      externalId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConnectAccount($id: ID!) {\n    awsAccount(id: $id) {\n      id\n      name\n      status\n      accountId\n      externalId\n      roleArn\n      error\n      lastVerifiedAt\n      setup {\n        trustedPrincipalArn\n        cloudFormationTemplate\n        launchStackUrl\n      }\n      lastScan {\n        id\n        status\n        regionsDone\n        regionsTotal\n        resourcesSeen\n        findingsOpened\n        startedAt\n        finishedAt\n        error\n        problems {\n          region\n          service\n          operation\n          message\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConnectAccount($id: ID!) {\n    awsAccount(id: $id) {\n      id\n      name\n      status\n      accountId\n      externalId\n      roleArn\n      error\n      lastVerifiedAt\n      setup {\n        trustedPrincipalArn\n        cloudFormationTemplate\n        launchStackUrl\n      }\n      lastScan {\n        id\n        status\n        regionsDone\n        regionsTotal\n        resourcesSeen\n        findingsOpened\n        startedAt\n        finishedAt\n        error\n        problems {\n          region\n          service\n          operation\n          message\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyAccount($id: ID!, $roleArn: String!) {\n    verifyAwsAccount(id: $id, roleArn: $roleArn) {\n      id\n      status\n      accountId\n      roleArn\n      error\n      lastVerifiedAt\n      lastScan {\n        id\n        status\n        regionsDone\n        regionsTotal\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyAccount($id: ID!, $roleArn: String!) {\n    verifyAwsAccount(id: $id, roleArn: $roleArn) {\n      id\n      status\n      accountId\n      roleArn\n      error\n      lastVerifiedAt\n      lastScan {\n        id\n        status\n        regionsDone\n        regionsTotal\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FirstFindings($awsAccountId: ID!) {\n    findings(first: 8, filter: { awsAccountId: $awsAccountId, status: [OPEN] }) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          severity\n          region\n          resourceType\n          resourceId\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query FirstFindings($awsAccountId: ID!) {\n    findings(first: 8, filter: { awsAccountId: $awsAccountId, status: [OPEN] }) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          severity\n          region\n          resourceType\n          resourceId\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ScanProgress($id: ID!) {\n    scanProgress(scanId: $id) {\n      id\n      status\n      regionsDone\n      regionsTotal\n      findingsOpened\n      resourcesSeen\n    }\n  }\n"): (typeof documents)["\n  subscription ScanProgress($id: ID!) {\n    scanProgress(scanId: $id) {\n      id\n      status\n      regionsDone\n      regionsTotal\n      findingsOpened\n      resourcesSeen\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Dashboard {\n    findingSummary {\n      total\n      bySeverity {\n        severity\n        count\n      }\n      byRule {\n        ruleId\n        title\n        severity\n        count\n      }\n    }\n    awsAccounts {\n      id\n      name\n      status\n      accountId\n      error\n      lastActivityAt\n      lastScan {\n        id\n        status\n        createdAt\n        finishedAt\n        regionsDone\n        regionsTotal\n        findingsOpened\n      }\n    }\n    recentAlerts: alerts(first: 6) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          severity\n          status\n          lastSeenAt\n          principalArn\n          sourceIpAddress\n          eventCount\n        }\n      }\n    }\n    openAlerts: alerts(first: 1, filter: { status: [OPEN] }) {\n      totalCount\n    }\n  }\n"): (typeof documents)["\n  query Dashboard {\n    findingSummary {\n      total\n      bySeverity {\n        severity\n        count\n      }\n      byRule {\n        ruleId\n        title\n        severity\n        count\n      }\n    }\n    awsAccounts {\n      id\n      name\n      status\n      accountId\n      error\n      lastActivityAt\n      lastScan {\n        id\n        status\n        createdAt\n        finishedAt\n        regionsDone\n        regionsTotal\n        findingsOpened\n      }\n    }\n    recentAlerts: alerts(first: 6) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          severity\n          status\n          lastSeenAt\n          principalArn\n          sourceIpAddress\n          eventCount\n        }\n      }\n    }\n    openAlerts: alerts(first: 1, filter: { status: [OPEN] }) {\n      totalCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AlertsPerDay($since: DateTime!, $timeZone: String) {\n    alertCountsByDay(since: $since, timeZone: $timeZone) {\n      day\n      severity\n      count\n    }\n  }\n"): (typeof documents)["\n  query AlertsPerDay($since: DateTime!, $timeZone: String) {\n    alertCountsByDay(since: $since, timeZone: $timeZone) {\n      day\n      severity\n      count\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Findings($first: Int, $after: String, $filter: FindingFilter, $orderBy: FindingOrder) {\n    findings(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ruleId\n          title\n          severity\n          status\n          awsAccountId\n          region\n          resourceType\n          resourceId\n          lastSeenAt\n          firstSeenAt\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Findings($first: Int, $after: String, $filter: FindingFilter, $orderBy: FindingOrder) {\n    findings(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ruleId\n          title\n          severity\n          status\n          awsAccountId\n          region\n          resourceType\n          resourceId\n          lastSeenAt\n          firstSeenAt\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Finding($id: ID!) {\n    finding(id: $id) {\n      id\n      ruleId\n      title\n      severity\n      status\n      awsAccountId\n      region\n      resourceType\n      resourceId\n      resourceArn\n      description\n      remediation\n      compliance\n      evidence\n      firstSeenAt\n      lastSeenAt\n      resolvedAt\n      suppressedReason\n      suppressedUntil\n      suppressedBy\n    }\n  }\n"): (typeof documents)["\n  query Finding($id: ID!) {\n    finding(id: $id) {\n      id\n      ruleId\n      title\n      severity\n      status\n      awsAccountId\n      region\n      resourceType\n      resourceId\n      resourceArn\n      description\n      remediation\n      compliance\n      evidence\n      firstSeenAt\n      lastSeenAt\n      resolvedAt\n      suppressedReason\n      suppressedUntil\n      suppressedBy\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SuppressFinding($id: ID!, $reason: String!, $until: DateTime) {\n    suppressFinding(id: $id, reason: $reason, until: $until) {\n      id\n      status\n      suppressedReason\n      suppressedUntil\n      suppressedBy\n    }\n  }\n"): (typeof documents)["\n  mutation SuppressFinding($id: ID!, $reason: String!, $until: DateTime) {\n    suppressFinding(id: $id, reason: $reason, until: $until) {\n      id\n      status\n      suppressedReason\n      suppressedUntil\n      suppressedBy\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnsuppressFinding($id: ID!) {\n    unsuppressFinding(id: $id) {\n      id\n      status\n      suppressedReason\n      suppressedUntil\n      suppressedBy\n    }\n  }\n"): (typeof documents)["\n  mutation UnsuppressFinding($id: ID!) {\n    unsuppressFinding(id: $id) {\n      id\n      status\n      suppressedReason\n      suppressedUntil\n      suppressedBy\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      prefix\n      role\n      createdAt\n      lastUsedAt\n      revokedAt\n    }\n  }\n"): (typeof documents)["\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      prefix\n      role\n      createdAt\n      lastUsedAt\n      revokedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($name: String!, $role: Role) {\n    createApiKey(name: $name, role: $role) {\n      key\n      apiKey {\n        id\n        name\n        prefix\n        role\n        createdAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiKey($name: String!, $role: Role) {\n    createApiKey(name: $name, role: $role) {\n      key\n      apiKey {\n        id\n        name\n        prefix\n        role\n        createdAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog($first: Int, $after: String) {\n    auditLog(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          occurredAt\n          action\n          actor\n          target\n          sourceIp\n          details\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditLog($first: Int, $after: String) {\n    auditLog(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          occurredAt\n          action\n          actor\n          target\n          sourceIp\n          details\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DetectionRules {\n    detectionRules {\n      id\n      title\n      description\n      severity\n      techniques\n      runbook\n      builtin\n      enabled\n      yaml\n      updatedAt\n    }\n  }\n"): (typeof documents)["\n  query DetectionRules {\n    detectionRules {\n      id\n      title\n      description\n      severity\n      techniques\n      runbook\n      builtin\n      enabled\n      yaml\n      updatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TestDetectionRule($yaml: String!, $since: DateTime) {\n    testDetectionRule(yaml: $yaml, since: $since) {\n      scanned\n      matched\n      matchedEventIds\n    }\n  }\n"): (typeof documents)["\n  query TestDetectionRule($yaml: String!, $since: DateTime) {\n    testDetectionRule(yaml: $yaml, since: $since) {\n      scanned\n      matched\n      matchedEventIds\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDetectionRule($yaml: String!) {\n    createDetectionRule(yaml: $yaml) {\n      id\n      title\n      enabled\n    }\n  }\n"): (typeof documents)["\n  mutation CreateDetectionRule($yaml: String!) {\n    createDetectionRule(yaml: $yaml) {\n      id\n      title\n      enabled\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateDetectionRule($id: ID!, $enabled: Boolean) {\n    updateDetectionRule(id: $id, enabled: $enabled) {\n      id\n      enabled\n      updatedAt\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateDetectionRule($id: ID!, $enabled: Boolean) {\n    updateDetectionRule(id: $id, enabled: $enabled) {\n      id\n      enabled\n      updatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteDetectionRule($id: ID!) {\n    deleteDetectionRule(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteDetectionRule($id: ID!) {\n    deleteDetectionRule(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Team {\n    users {\n      id\n      email\n      role\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query Team {\n    users {\n      id\n      email\n      role\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InviteUser($email: String!, $role: Role!) {\n    inviteUser(email: $email, role: $role) {\n      id\n      email\n      role\n      expiresAt\n      token\n      url\n    }\n  }\n"): (typeof documents)["\n  mutation InviteUser($email: String!, $role: Role!) {\n    inviteUser(email: $email, role: $role) {\n      id\n      email\n      role\n      expiresAt\n      token\n      url\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeUserRole($userId: ID!, $role: Role!) {\n    changeUserRole(userId: $userId, role: $role) {\n      id\n      role\n    }\n  }\n"): (typeof documents)["\n  mutation ChangeUserRole($userId: ID!, $role: Role!) {\n    changeUserRole(userId: $userId, role: $role) {\n      id\n      role\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Invitations {\n    invitations {\n      id\n      email\n      role\n      createdAt\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  query Invitations {\n    invitations {\n      id\n      email\n      role\n      createdAt\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeInvitation($id: ID!) {\n    revokeInvitation(id: $id) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeInvitation($id: ID!) {\n    revokeInvitation(id: $id) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveUser($userId: ID!) {\n    removeUser(userId: $userId)\n  }\n"): (typeof documents)["\n  mutation RemoveUser($userId: ID!) {\n    removeUser(userId: $userId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebhookDeliveries($id: ID!, $first: Int!) {\n    webhook(id: $id) {\n      id\n      deliveries(first: $first) {\n        totalCount\n        edges {\n          node {\n            id\n            event\n            subjectId\n            status\n            attempts\n            responseCode\n            lastError\n            requestBody\n            createdAt\n            lastAttemptAt\n            deliveredAt\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebhookDeliveries($id: ID!, $first: Int!) {\n    webhook(id: $id) {\n      id\n      deliveries(first: $first) {\n        totalCount\n        edges {\n          node {\n            id\n            event\n            subjectId\n            status\n            attempts\n            responseCode\n            lastError\n            requestBody\n            createdAt\n            lastAttemptAt\n            deliveredAt\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TestWebhook($id: ID!) {\n    testWebhook(id: $id) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation TestWebhook($id: ID!) {\n    testWebhook(id: $id) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WebhookFields on Webhook {\n    id\n    name\n    url\n    events\n    minSeverity\n    format\n    enabled\n    createdBy\n    createdAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment WebhookFields on Webhook {\n    id\n    name\n    url\n    events\n    minSeverity\n    format\n    enabled\n    createdBy\n    createdAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Webhooks {\n    webhooks {\n      ...WebhookFields\n    }\n  }\n"): (typeof documents)["\n  query Webhooks {\n    webhooks {\n      ...WebhookFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateWebhook($url: String!, $events: [WebhookEvent!]!, $minSeverity: Severity!, $format: WebhookFormat!, $name: String) {\n    createWebhook(url: $url, events: $events, minSeverity: $minSeverity, format: $format, name: $name) {\n      secret\n      webhook {\n        ...WebhookFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateWebhook($url: String!, $events: [WebhookEvent!]!, $minSeverity: Severity!, $format: WebhookFormat!, $name: String) {\n    createWebhook(url: $url, events: $events, minSeverity: $minSeverity, format: $format, name: $name) {\n      secret\n      webhook {\n        ...WebhookFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateWebhook(\n    $id: ID!\n    $name: String\n    $url: String\n    $events: [WebhookEvent!]\n    $minSeverity: Severity\n    $format: WebhookFormat\n    $enabled: Boolean\n  ) {\n    updateWebhook(id: $id, name: $name, url: $url, events: $events, minSeverity: $minSeverity, format: $format, enabled: $enabled) {\n      ...WebhookFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateWebhook(\n    $id: ID!\n    $name: String\n    $url: String\n    $events: [WebhookEvent!]\n    $minSeverity: Severity\n    $format: WebhookFormat\n    $enabled: Boolean\n  ) {\n    updateWebhook(id: $id, name: $name, url: $url, events: $events, minSeverity: $minSeverity, format: $format, enabled: $enabled) {\n      ...WebhookFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id) {\n      secret\n      webhook {\n        ...WebhookFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id) {\n      secret\n      webhook {\n        ...WebhookFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;