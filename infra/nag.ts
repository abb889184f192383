import { CfnResource, type IPolicyValidationContext, type PolicyValidationPluginReport, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NIST80053R5Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag finding on a construct (and everything under it) with a written reason.
 * A thin wrapper so every acknowledgement in the app goes through one place and carries a reason.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (!reason.trim()) throw new Error(`cdk-nag acknowledgement ${id} at ${scope.node.path} needs a reason`);
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The string cdk-nag shows for an IAM resource, e.g. `arn:<AWS::Partition>:s3:::bucket/*`.
 * Mirrors cdk-nag's own flattening so acknowledgements name exactly the finding it reports.
 */
export function flattenReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = value as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (node['Fn::Sub']) return flattenReference(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (node['Fn::ImportValue']) return flattenReference(node['Fn::ImportValue']);
  if (node.Ref) return `<${flattenReference(node.Ref)}>`;
  return JSON.stringify(node);
}

/** The AwsSolutions-IAM5 finding id for a wildcard resource ARN written in this stack. */
export function wildcardResourceFinding(scope: IConstruct, arn: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenReference(Stack.of(scope).resolve(arn))}]`;
}

/**
 * Acknowledges every wildcard (IAM5) finding in the IAM policies under `scope` with one reason.
 * Only for policies that a CDK library construct writes for us (we cannot narrow them); our own
 * statements acknowledge each wildcard where they are written. Call after the policies are complete.
 */
export function acknowledgeLibraryWildcards(scope: IConstruct, reason: string): string[] {
  const ids = new Set<string>();
  for (const node of scope.node.findAll()) {
    if (!(node instanceof CfnResource)) continue;
    let documents: unknown[] = [];
    if (node instanceof iam.CfnPolicy) documents = [node.policyDocument];
    else if (node instanceof iam.CfnRole) {
      const policies = Stack.of(node).resolve(node.policies) as { policyDocument: unknown }[] | undefined;
      documents = (policies ?? []).map((p) => p.policyDocument);
    } else continue;
    for (const document of documents) {
      const resolved = Stack.of(node).resolve(document) as { Statement?: Record<string, unknown>[] };
      for (const statement of resolved.Statement ?? []) {
        if (statement.Effect !== 'Allow') continue;
        for (const action of [statement.Action].flat() as string[]) {
          if (typeof action === 'string' && action.includes('*')) ids.add(`AwsSolutions-IAM5[Action::${action}]`);
        }
        for (const resource of [statement.Resource].flat()) {
          const flat = flattenReference(resource);
          if (flat.includes('*')) ids.add(`AwsSolutions-IAM5[Resource::${flat}]`);
        }
      }
    }
  }
  for (const id of ids) acknowledge(scope, id, reason);
  return [...ids];
}

/**
 * cdk-nag's NIST 800-53 rev 5 pack over some stacks only (the government deployment's). A pack
 * registered with `Validations` checks the whole app, so this one walks just the scopes it is given.
 */
export class ScopedNist80053R5Checks extends NIST80053R5Checks {
  private readonly scopes: IConstruct[];

  constructor(scopes: IConstruct[]) {
    super();
    this.scopes = scopes;
  }

  override validate(_context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations = this.scopes.flatMap((scope) => this.validateScope(scope).violations);
    return { success: violations.length === 0, violations };
  }
}
