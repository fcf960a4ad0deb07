// Fixed test-only secrets for the Worker under test (32 bytes each, base64). Never used outside tests.
export const TEST_WORKER_SECRETS = {
  PAN_LOOKUP_KEY: 'dGVzdC1wYW4tbG9va3VwLWtleS0wMDAwMDAwMDAwMDA=',
  PAN_ENCRYPTION_KEY: 'dGVzdC1wYW4tZW5jcnlwdGlvbi1rZXktMDAwMDAwMDA=',
  AUTH_VALUE_KEY: 'dGVzdC1hdXRoLXZhbHVlLWtleS0wMDAwMDAwMDAwMDA=',
  SESSION_SECRET: 'dGVzdC1zZXNzaW9uLXNlY3JldC0wMDAwMDAwMDAwMDA=',
};
