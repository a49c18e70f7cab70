/**
 * The first port of the e2e apps (the shared one; a journey with its own app adds an offset).
 * Below Linux's ephemeral range (32768–60999): a port the OS hands out to anything else — an
 * embedded PostgreSQL, a Stripe stub — can never be one of the apps'.
 */
export const E2E_PORT = 23123;
