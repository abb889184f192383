import { capability } from '../lib/http.ts';
import { redeemSignIn } from './redeem-sign-in.ts';
import { requestSignIn } from './request-sign-in.ts';
import { signInWithPassword } from './sign-in-password.ts';
import { signOut, signOutEverywhere } from './sign-out.ts';

export const handler = capability({
  'POST /api/auth/email': requestSignIn,
  'POST /api/auth/token': redeemSignIn,
  'POST /api/auth/password': signInWithPassword,
  'DELETE /api/auth/session': signOut,
  'DELETE /api/auth/sessions': signOutEverywhere,
});
