import { equal } from 'node:assert/strict';
import { test } from 'node:test';
import { checkUpload, signUpload } from './upload-token.js';

const NOW = 1_700_000_000_000;
const token = signUpload('secret', 'img', 'host', NOW + 60_000);

const cases: { name: string; given: [secret: string, token: string, image: string, host: string, now: number]; want: boolean }[] = [
  { name: 'the image and host it was made for, before it expires', given: ['secret', token, 'img', 'host', NOW], want: true },
  { name: 'another image', given: ['secret', token, 'img2', 'host', NOW], want: false },
  { name: 'another host', given: ['secret', token, 'img', 'host2', NOW], want: false },
  { name: 'another cloud\'s secret', given: ['other', token, 'img', 'host', NOW], want: false },
  { name: 'expired', given: ['secret', token, 'img', 'host', NOW + 60_001], want: false },
  { name: 'a later expiry written over it', given: ['secret', token.replace(/^\d+/, String(NOW + 120_000)), 'img', 'host', NOW], want: false },
  { name: 'not a token', given: ['secret', 'garbage', 'img', 'host', NOW], want: false },
];

for (const c of cases) test(`checkUpload: ${c.name}`, () => equal(checkUpload(...c.given), c.want));
