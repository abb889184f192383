import { Entity, type EntityConfiguration } from 'electrodb';
import { db } from './clients.ts';
import { config } from './config.ts';
import { tableSchema } from './table-schema.ts';

/**
 * Core entities shared by several capabilities. Keys use explicit templates and no casing
 * changes (ids are case-sensitive base64url), and every key field comes from `tableSchema`.
 */
export const entityConfig: EntityConfiguration = { table: config.tableName, client: db };

const { partitionKey: pk, sortKey: sk } = tableSchema;
const service = 'moot';

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export const User = new Entity(
  {
    model: { entity: 'user', version: '1', service },
    attributes: {
      userId: { type: 'string', required: true, readOnly: true },
      email: { type: 'string', required: true },
      name: { type: 'string' },
      createdAt: { type: 'string', required: true, readOnly: true },
      updatedAt: { type: 'string', required: true },
    },
    indexes: {
      byId: {
        pk: { field: pk, composite: ['userId'], template: 'user#${userId}', casing: 'none' },
        sk: { field: sk, composite: [], template: 'profile', casing: 'none' },
      },
    },
  },
  entityConfig,
);

/** Makes an email unique across accounts: one item per address, keyed by its hash. */
export const UserEmail = new Entity(
  {
    model: { entity: 'userEmail', version: '1', service },
    attributes: {
      emailHash: { type: 'string', required: true, readOnly: true },
      userId: { type: 'string', required: true },
    },
    indexes: {
      byEmail: {
        pk: { field: pk, composite: ['emailHash'], template: 'email#${emailHash}', casing: 'none' },
        sk: { field: sk, composite: [], template: 'account', casing: 'none' },
      },
    },
  },
  entityConfig,
);

/**
 * A signed-in device. It lives in its user's partition (so "sign out everywhere" is one Query)
 * and carries a copy of the user's name and email, so resolving a request's actor is one read.
 */
export const Session = new Entity(
  {
    model: { entity: 'session', version: '1', service },
    attributes: {
      userId: { type: 'string', required: true, readOnly: true },
      sessionHash: { type: 'string', required: true, readOnly: true },
      email: { type: 'string', required: true },
      name: { type: 'string' },
      ip: { type: 'string', required: true },
      userAgent: { type: 'string' },
      createdAt: { type: 'string', required: true, readOnly: true },
      lastSeenAt: { type: 'string', required: true },
      expiresAt: { type: 'number', required: true },
    },
    indexes: {
      byUser: {
        pk: { field: pk, composite: ['userId'], template: 'user#${userId}', casing: 'none' },
        sk: { field: sk, composite: ['sessionHash'], template: 'session#${sessionHash}', casing: 'none' },
      },
    },
  },
  entityConfig,
);

/**
 * The record of every change: one item per event, written in the same transaction as the
 * change itself. The table's stream carries these to the workers (notifications, email, audit).
 */
export const EventItem = new Entity(
  {
    model: { entity: 'event', version: '1', service },
    attributes: {
      stream: { type: 'string', required: true, readOnly: true },
      eventId: { type: 'string', required: true, readOnly: true },
      kind: { type: 'string', required: true, readOnly: true },
      actorId: { type: 'string' },
      at: { type: 'string', required: true, readOnly: true },
      ip: { type: 'string' },
      data: { type: 'any' },
    },
    indexes: {
      byStream: {
        pk: { field: pk, composite: ['stream'], template: '${stream}', casing: 'none' },
        sk: { field: sk, composite: ['eventId'], template: 'event#${eventId}', casing: 'none' },
      },
    },
  },
  entityConfig,
);

/** A fixed-window counter; it expires with its window. */
export const RateCounter = new Entity(
  {
    model: { entity: 'rate', version: '1', service },
    attributes: {
      bucket: { type: 'string', required: true, readOnly: true },
      count: { type: 'number', required: true },
      expiresAt: { type: 'number', required: true },
    },
    indexes: {
      byBucket: {
        pk: { field: pk, composite: ['bucket'], template: 'rate#${bucket}', casing: 'none' },
        sk: { field: sk, composite: [], template: 'rate', casing: 'none' },
      },
    },
  },
  entityConfig,
);
