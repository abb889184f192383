import { Entity, Service } from 'electrodb';
import { EventItem, RateCounter, Session, User, UserEmail, entityConfig } from '../lib/entities.ts';
import { tableSchema } from '../lib/table-schema.ts';

const { partitionKey: pk, sortKey: sk } = tableSchema;

/** One emailed sign-in: the link's token hash keys it; it can be used once, before it expires. */
export const SignInRequest = new Entity(
  {
    model: { entity: 'signInRequest', version: '1', service: 'moot' },
    attributes: {
      tokenHash: { type: 'string', required: true, readOnly: true },
      email: { type: 'string', required: true },
      ip: { type: 'string', required: true },
      createdAt: { type: 'string', required: true },
      usedAt: { type: 'string' },
      expiresAt: { type: 'number', required: true },
    },
    indexes: {
      byToken: {
        pk: { field: pk, composite: ['tokenHash'], template: 'signin#${tokenHash}', casing: 'none' },
        sk: { field: sk, composite: [], template: 'signin', casing: 'none' },
      },
    },
  },
  entityConfig,
);

/** The code sent with the newest sign-in request for an address; a new request replaces it. */
export const SignInCode = new Entity(
  {
    model: { entity: 'signInCode', version: '1', service: 'moot' },
    attributes: {
      emailHash: { type: 'string', required: true, readOnly: true },
      tokenHash: { type: 'string', required: true },
      codeHash: { type: 'string', required: true },
      attempts: { type: 'number', required: true },
      expiresAt: { type: 'number', required: true },
    },
    indexes: {
      byEmail: {
        pk: { field: pk, composite: ['emailHash'], template: 'signincode#${emailHash}', casing: 'none' },
        sk: { field: sk, composite: [], template: 'code', casing: 'none' },
      },
    },
  },
  entityConfig,
);

export const authService = new Service(
  { SignInRequest, SignInCode, User, UserEmail, Session, EventItem, RateCounter },
  entityConfig,
);
