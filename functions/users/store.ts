import { Service } from 'electrodb';
import { EventItem, Session, User, entityConfig } from '../lib/entities.ts';

export const usersService = new Service({ User, Session, EventItem }, entityConfig);
