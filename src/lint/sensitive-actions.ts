/**
 * Actions whose reach matters more than most, with where each list comes from. Names as the Service
 * Authorization Reference writes them; matching is case-insensitive.
 */

/**
 * Actions that let a principal raise its own permissions, or a principal's it controls: Rhino Security Labs,
 * "AWS IAM Privilege Escalation – Methods and Mitigation" (methods 1, 2, 7–14, 17, 19;
 * https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/). Methods 4–6 (access keys
 * and console passwords for other users) are in CREDENTIAL_ACTIONS; the PassRole ones in COMBINATIONS.
 */
export const ESCALATION_ACTIONS: readonly string[] = [
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:AttachUserPolicy',
  'iam:AttachGroupPolicy',
  'iam:AttachRolePolicy',
  'iam:PutUserPolicy',
  'iam:PutGroupPolicy',
  'iam:PutRolePolicy',
  'iam:AddUserToGroup',
  'iam:UpdateAssumeRolePolicy',
  'lambda:UpdateFunctionCode',
  'glue:UpdateDevEndpoint',
];

/**
 * Actions that return a secret or set one for another identity: new access keys and console passwords (Rhino's
 * methods 4–6), service-specific credentials, and the secret stores (Service Authorization Reference: "Grants
 * permission to retrieve the secret value", "…parameters", "…the encrypted administrator password", "…database
 * user credentials").
 */
export const CREDENTIAL_ACTIONS: readonly string[] = [
  'iam:CreateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:CreateServiceSpecificCredential',
  'iam:ResetServiceSpecificCredential',
  'secretsmanager:GetSecretValue',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'ec2:GetPasswordData',
  'redshift:GetClusterCredentials',
];

/**
 * Actions that read data in bulk or share it with other accounts (Service Authorization Reference: object and
 * item reads, key decryption, and the snapshot and image attributes that add accounts allowed to copy them).
 */
export const EXFILTRATION_ACTIONS: readonly string[] = [
  's3:GetObject',
  's3:GetObjectVersion',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'kms:Decrypt',
  'ec2:ModifySnapshotAttribute',
  'ec2:ModifyImageAttribute',
  'rds:ModifyDBSnapshotAttribute',
  'rds:ModifyDBClusterSnapshotAttribute',
];

/**
 * Actions that hand a passed role to code the caller controls, so iam:PassRole on every role plus one of them
 * escalates to any role (Rhino's methods 3, 15–16, 18, 20, 21; IAM User Guide, "Grant a user permissions to pass
 * a role to an AWS service"), with the service principal iam:PassedToService would name.
 */
export const COMBINATIONS: readonly { readonly action: string; readonly servicePrincipal: string }[] = [
  { action: 'ec2:RunInstances', servicePrincipal: 'ec2.amazonaws.com' },
  { action: 'lambda:CreateFunction', servicePrincipal: 'lambda.amazonaws.com' },
  { action: 'glue:CreateDevEndpoint', servicePrincipal: 'glue.amazonaws.com' },
  { action: 'cloudformation:CreateStack', servicePrincipal: 'cloudformation.amazonaws.com' },
  { action: 'datapipeline:CreatePipeline', servicePrincipal: 'datapipeline.amazonaws.com' },
];

/** The services these lists name, so their catalogue entries are loaded whenever a policy is linted. */
export const SENSITIVE_SERVICES: readonly string[] = [
  ...new Set(
    [...ESCALATION_ACTIONS, ...CREDENTIAL_ACTIONS, ...EXFILTRATION_ACTIONS, ...COMBINATIONS.map((c) => c.action)].map(
      (a) => a.slice(0, a.indexOf(':')),
    ),
  ),
];
